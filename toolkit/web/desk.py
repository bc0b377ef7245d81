"""The 政务公开办's desk in the browser: login, the region's dashboard, a report's review page.

Every page asks ``toolkit.desk`` and shows what it returns; what an account may see and do is decided
there (``toolkit.desk.access``), never here. A session is a cookie holding a random token; every
form carries the session's CSRF token (the login form a cookie-bound one), checked before anything
is done. A report that is not the account's to see answers 404, an act it may not do 403.
"""

from __future__ import annotations

import functools
import secrets
import threading
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from .. import datafile
from ..desk import access, accounts, audit, dashboard, database, filing, reports, sums
from ..desk.access import VIEW
from ..desk.terms import HAS_ERRORS, SCOPES, SORT_NAMES, SORTS, STATUSES, SUBMITTED, WHOLE
from ..desk.workflow import EDITABLE, SAVE
from ..errors import DataFileError, ToolkitError
from . import application, document, downloads
from .form import form_for
from .routes import form_fields, invalid_answer

COOKIE, LOGIN_COOKIE = "govreport_desk", "govreport_desk_login"


class _Refused(Exception):
    def __init__(self, status: int, title: str, messages: list[str]):
        self.status, self.title, self.messages = status, title, messages


_OPENING = threading.Lock()  # the first requests come together: one opens (and migrates), the others wait


def _engine(request: Request):
    """The desk's database, opened (and migrated) on the first request that needs it."""
    state = request.app.state
    if state.desk_engine is None:
        with _OPENING:
            if state.desk_engine is None:
                state.desk_engine = database.connect(database.database_url(state.desk_folder, state.desk_database))
    return state.desk_engine


def _page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status)


def _to(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _session(request: Request) -> accounts.Session | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    with _engine(request).begin() as connection:
        return accounts.session(connection, token)


def _desk(handler=None, *, first_login: bool = False):
    """A desk page: a session required (else the login page), the CSRF token checked on every POST,
    the first password changed (unless ``first_login``: the pages that change it), the library's
    refusals answered as 404, 403 or 400 with their message."""
    if handler is None:
        return functools.partial(_desk, first_login=first_login)

    @functools.wraps(handler)
    async def page(request: Request) -> Response:
        current = await run_in_threadpool(_session, request)
        if current is None:
            return _to("/desk/login")
        form = await request.form() if request.method == "POST" else {}
        # The token comes in the form, or (the report form's JSON calls) in a header.
        token = str(form.get("csrf", "") or request.headers.get("x-csrf-token", ""))
        if request.method == "POST" and not accounts.csrf_valid(current, token):
            return _refusal(request, _Refused(403, "请求无效", ["表单已过期或来自其他页面，请刷新后重试。"]))
        if current.account.must_change_password and not first_login:
            return _to("/desk/password")
        try:
            return await handler(request, current, form)
        except _Refused as refused:
            return _refusal(request, refused)
        except access.PasswordChangeRequired:
            return _to("/desk/password")
        except reports.ReportNotFound as exc:
            return _refusal(request, _Refused(404, "找不到该报告", [str(exc)]))
        except access.AccessDenied as exc:
            return _refusal(request, _Refused(403, "无权操作", [str(exc)]))
        except DataFileError as exc:
            return _refusal(request, _Refused(400, "数据文件有问题，未保存", [p.describe("数据文件") for p in exc.problems]))
        except ToolkitError as exc:
            return _refusal(request, _Refused(400, "未能完成", [str(exc)]))

    return page


def _refusal(request: Request, refused: _Refused) -> HTMLResponse:
    return _page(request, "refused.html", refused.status, title=refused.title, messages=refused.messages, back="/desk")


# -- login, password, logout ------------------------------------------------------------------------


async def login_page(request: Request) -> Response:
    if request.method == "GET":
        token = secrets.token_urlsafe(24)
        response = _page(request, "desk_login.html", csrf=token, error=None)
        response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", path="/desk",
                            secure=request.url.scheme == "https")
        return response
    form = await request.form()
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, str(form.get("csrf", ""))):
        return _refusal(request, _Refused(403, "请求无效", ["登录页已过期或来自其他网站，请重新打开登录页。"]))
    address = request.client.host if request.client else None

    def attempt():
        with _engine(request).begin() as connection:
            return accounts.login(connection, str(form.get("login", "")).strip(), str(form.get("password", "")), address)

    try:
        session = await run_in_threadpool(attempt)
    except accounts.LoginRefused as exc:
        return _page(request, "desk_login.html", 401, csrf=expected, error=str(exc))
    response = _to("/desk/password" if session.account.must_change_password else "/desk")
    response.set_cookie(COOKIE, session.token, httponly=True, samesite="strict", path="/desk",
                        max_age=int(accounts.SESSION_LIFETIME.total_seconds()), secure=request.url.scheme == "https")
    response.delete_cookie(LOGIN_COOKIE, path="/desk")
    return response


@_desk(first_login=True)
async def password_page(request: Request, current: accounts.Session, form) -> Response:
    if request.method == "GET":
        return _page(request, "desk_password.html", session=current, error=None)
    if form.get("new") != form.get("again"):
        return _page(request, "desk_password.html", 400, session=current, error="两次输入的新密码不一致。")

    def change():
        with _engine(request).begin() as connection:
            accounts.change_password(connection, current.account, str(form.get("old", "")), str(form.get("new", "")))

    try:
        await run_in_threadpool(change)
    except accounts.PasswordRejected as exc:
        return _page(request, "desk_password.html", 400, session=current, error=str(exc))
    return _to("/desk")


@_desk(first_login=True)
async def logout(request: Request, current: accounts.Session, form) -> Response:
    def end():
        with _engine(request).begin() as connection:
            accounts.logout(connection, current.token)

    await run_in_threadpool(end)
    response = _to("/desk/login")
    response.delete_cookie(COOKIE, path="/desk")
    return response


# -- the dashboard ------------------------------------------------------------------------------------


def _board(request: Request, account: accounts.Account) -> dashboard.Dashboard:
    query = request.query_params
    status = query.get("status") if query.get("status") in STATUSES else None
    sort = query.get("sort") if query.get("sort") in SORTS else "tree"
    node = int(query["node"]) if query.get("node", "").isdigit() else None
    return dashboard.dashboard(_engine(request), account, node, status=status, overdue_only=bool(query.get("overdue")),
                               search=query.get("q") or None, sort=sort)


@_desk
async def home(request: Request, current: accounts.Session, form) -> Response:
    """The office's dashboard; a clerk goes straight to its own report."""
    if not current.account.is_office:
        own = await run_in_threadpool(filing.own_report, _engine(request), current.account)
        return _to(f"/desk/reports/{own.id}")
    board = await run_in_threadpool(_board, request, current.account)
    return _page(request, "desk_board.html", session=current, board=board, statuses=STATUSES, sorts=SORT_NAMES,
                 query=request.query_params, export=f"/desk/dashboard.xlsx?{urlencode(request.query_params)}")


@_desk
async def board_xlsx(request: Request, current: accounts.Session, form) -> Response:
    board = await run_in_threadpool(_board, request, current.account)
    return downloads.attachment(f"报送情况{board.year}.xlsx", dashboard.to_xlsx(board), "xlsx")


# -- one report -----------------------------------------------------------------------------------------


def _report_id(request: Request) -> int:
    return int(request.path_params["report_id"])


@_desk
async def report_page(request: Request, current: accounts.Session, form) -> Response:
    engine, report_id = _engine(request), _report_id(request)
    def read():
        opened = filing.open_report(engine, current.account, report_id)  # refused before the log is read
        with engine.connect() as connection:
            return opened, audit.entries(connection, report_id=report_id)

    opened, log = await run_in_threadpool(read)
    report = opened.stored.report()
    if not current.account.is_office and opened.stored.status in EDITABLE:
        return await _form_page(request, current, opened, log, report)
    fmt = report.format
    # What a comment may be on: the whole report, a narrative section, or a cell by its official label.
    targets = [("report", "全文"), *((f"sections.{s.key}", s.heading) for s in fmt.narrative_sections),
               *((f"figures.{ref}", fmt.label(ref)) for ref in fmt.iter_cells())]
    return _page(request, "desk_report.html", session=current, opened=opened, log=log, describe=audit.describe,
                 targets=targets, message=request.query_params.get("message"))


async def _form_page(request: Request, current: accounts.Session, opened: filing.Opened, log, report) -> Response:
    """The clerk's report in the web form the serve app uses, its calls going to ``/form/…`` below."""
    stored = opened.stored
    _, previous = await run_in_threadpool(filing.for_form, _engine(request), current.account, stored.id)
    checked = await run_in_threadpool(application.check, report, previous)
    return _page(request, "desk_form.html", session=current, opened=opened, log=log, describe=audit.describe,
                 message=request.query_params.get("message"), title=f"{opened.agency} {stored.year} 年度报告",
                 base=f"/desk/reports/{stored.id}/form", version=stored.revision, saved=stored.updated,
                 csrf=current.csrf_token, form=form_for(report.format.version), fields=document.fields(report),
                 report_narrative=report.narrative, checked=checked)


@_desk
async def report_data(request: Request, current: accounts.Session, form) -> Response:
    opened = await run_in_threadpool(filing.open_report, _engine(request), current.account, _report_id(request))
    return downloads.attachment(f"{opened.agency}{opened.stored.year}.yaml", opened.stored.data.encode("utf-8"), "yaml")


# -- the web form's calls on a desk report: the account's access asked first, then the fields read ---


async def _form_report(request: Request, current: accounts.Session, act: str):
    """(stored, last year's report, the report the fields make, the call's payload), or the JSON answer
    refusing the fields."""
    stored, previous = await run_in_threadpool(filing.for_form, _engine(request), current.account,
                                               _report_id(request), act)
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return JSONResponse({"message": "提交的内容不是有效的 JSON，未处理。"}, status_code=400)
    try:
        payload = await form_fields(request)
        return stored, previous, document.report_from(payload["fields"]), payload
    except document.FormInvalid as exc:
        return invalid_answer(exc)
    except ToolkitError as exc:
        return JSONResponse({"message": str(exc)}, status_code=400)


@_desk
async def form_check(request: Request, current: accounts.Session, form) -> Response:
    read = await _form_report(request, current, VIEW)
    if isinstance(read, Response):
        return read
    _, previous, report, _ = read
    return JSONResponse((await run_in_threadpool(application.check, report, previous)).as_dict())


@_desk
async def form_preview(request: Request, current: accounts.Session, form) -> Response:
    read = await _form_report(request, current, VIEW)
    if isinstance(read, Response):
        return read
    return JSONResponse({"html": await run_in_threadpool(application.preview, read[2])})


@_desk
async def form_save(request: Request, current: accounts.Session, form) -> Response:
    """A save from the form (the desk's ``save``, audit log and all); ``final`` then submits through the gate."""
    read = await _form_report(request, current, SAVE)
    if isinstance(read, Response):
        return read
    stored, _, report, payload = read
    engine, account = _engine(request), current.account
    revision = payload.get("version")
    if not isinstance(revision, int):
        return JSONResponse({"message": "缺少版本号，请刷新后重试。"}, status_code=400)
    try:
        status, number, findings = await run_in_threadpool(filing.save, engine, account, stored.id,
                                                           application.data_file_text(report), revision)
    except filing.StaleRevision as exc:
        return JSONResponse({"stale": True, "latest": stored.revision, "message": str(exc)}, status_code=409)
    said, refused = f"已保存为第 {number} 版，状态：{status}。", None
    if payload.get("final"):
        try:
            status = await run_in_threadpool(filing.submit, engine, account, stored.id)
            said = f"已保存为第 {number} 版，已提交，等待审核。"
        except filing.SubmitBlocked as blocked:
            status, refused = HAS_ERRORS, f"已保存为第 {number} 版，但未能提交：{blocked}"
    # The save checked the same data file against the same last year's report: its findings are placed
    # as they are, not made again.
    checked = application.placed(application.with_lines(report), findings)
    return JSONResponse({"version": number, "saved": accounts.now().strftime("%Y-%m-%d %H:%M:%S"),
                         "final": status == SUBMITTED, "locked": status == SUBMITTED, "state": status,
                         "said": said, "refused": refused, **checked.as_dict()})


def _back(report_id: int, message: str) -> RedirectResponse:
    return _to(f"/desk/reports/{report_id}?{urlencode({'message': message})}")


@_desk
async def save(request: Request, current: accounts.Session, form) -> Response:
    report_id = _report_id(request)
    revision = str(form.get("revision", ""))
    if not revision.isdigit():
        raise _Refused(400, "未能保存", ["缺少版本号，请刷新后重试。"])
    status, number, _ = await run_in_threadpool(filing.save, _engine(request), current.account, report_id,
                                                str(form.get("data", "")), int(revision))
    return _back(report_id, f"已保存为第 {number} 版，状态：{status}。")


@_desk
async def submit(request: Request, current: accounts.Session, form) -> Response:
    report_id = _report_id(request)
    try:
        await run_in_threadpool(filing.submit, _engine(request), current.account, report_id)
    except filing.SubmitBlocked as blocked:
        raise _Refused(400, "未能提交", [str(blocked), *(f.describe() for f in blocked.findings)]) from None
    return _back(report_id, "已提交，等待审核。")


def _review(act: str, done: str):
    @_desk
    async def review(request: Request, current: accounts.Session, form) -> Response:
        report_id, engine = _report_id(request), _engine(request)
        text, target = str(form.get("text", "")), str(form.get("target", "") or "report")
        calls = {"comment": lambda: filing.comment(engine, current.account, report_id, target, text),
                 "return": lambda: filing.return_report(engine, current.account, report_id, text, target),
                 "approve": lambda: filing.approve(engine, current.account, report_id, text),
                 "reopen": lambda: filing.reopen(engine, current.account, report_id, text)}
        await run_in_threadpool(calls[act])
        return _back(report_id, done)

    review.__name__ = f"review_{act}"
    return review


# -- the region's sum -------------------------------------------------------------------------------------


def _sum(request: Request, account: accounts.Account) -> sums.RegionSum:
    query = request.query_params
    scope = query.get("scope") if query.get("scope") in SCOPES else WHOLE
    node = int(query["node"]) if query.get("node", "").isdigit() else account.agency_id
    return sums.region_sum(_engine(request), account, node, scope)


@_desk
async def sum_page(request: Request, current: accounts.Session, form) -> Response:
    result = await run_in_threadpool(_sum, request, current.account)
    return _page(request, "desk_sum.html", session=current, result=result,
                 data_file=f"/desk/sum.yaml?{urlencode(request.query_params)}")


@_desk
async def sum_data(request: Request, current: accounts.Session, form) -> Response:
    result = await run_in_threadpool(_sum, request, current.account)
    name = f"{result.node}{result.year}（{result.scope}{'' if result.complete else '，不完整'}）.yaml"
    return downloads.attachment(name, datafile.dumps(result.report).encode("utf-8"), "yaml")


def routes() -> list:
    review = [Route(f"/desk/reports/{{report_id:int}}/{act}", _review(act, done), methods=["POST"])
              for act, done in (("comment", "已记下审核意见。"), ("return", "已退回，填报人会看到审核意见。"),
                                ("approve", "已通过。"), ("reopen", "已撤销通过，报告退回填报人。"))]
    return [
        Route("/desk/login", login_page, methods=["GET", "POST"]),
        Route("/desk/logout", logout, methods=["POST"]),
        Route("/desk/password", password_page, methods=["GET", "POST"]),
        Route("/desk", home),
        Route("/desk/dashboard.xlsx", board_xlsx),
        Route("/desk/sum", sum_page),
        Route("/desk/sum.yaml", sum_data),
        Route("/desk/reports/{report_id:int}", report_page),
        Route("/desk/reports/{report_id:int}/data", report_data),
        Route("/desk/reports/{report_id:int}/save", save, methods=["POST"]),
        Route("/desk/reports/{report_id:int}/submit", submit, methods=["POST"]),
        Route("/desk/reports/{report_id:int}/form/check", form_check, methods=["POST"]),
        Route("/desk/reports/{report_id:int}/form/preview", form_preview, methods=["POST"]),
        Route("/desk/reports/{report_id:int}/form/save", form_save, methods=["POST"]),
        *review,
    ]

