"""The app's pages and calls: each parses the request, asks ``application``, and answers.

Pages are HTML (Jinja2 templates); the form's live calls (check, save, preview, tally) take and give
JSON. Every refusal is said in Chinese, with the place it is about.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import ToolkitError
from . import application, document, downloads, uploads
from .form import form_for
from .storage import StaleSave, Storage

MAX_FORM_JSON = 8 * 1024 * 1024  # a report's fields as JSON are well under 1 MB


def _storage(request: Request) -> Storage:
    return request.app.state.storage


def _page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status)


def _refusal(request: Request, title: str, messages: list[str], status: int, back: str) -> HTMLResponse:
    return _page(request, "refused.html", status, title=title, messages=messages, back=back)


def _report_id(request: Request) -> int:
    return int(request.path_params["report_id"])


def _previous(request: Request):
    """Last year's report, for a report carried over from it: checked against as the command line's check
    with last year's report does."""
    return application.previous_report(_storage(request).previous(_report_id(request)))


# -- the list of reports and new ones -----------------------------------------------------------------


async def index(request: Request) -> HTMLResponse:
    return _page(request, "index.html", reports=_storage(request).reports(), values={}, errors=[])


def _created(request: Request, started: application.Started, note: str) -> RedirectResponse:
    content = application.stored_text(started)
    if started.unread:
        note += f"；有 {len(started.unread)} 处未能读取：" + "；".join(started.unread)
    previous = application.data_file_text(started.previous) if started.previous else None
    report_id = _storage(request).create(started.report.title, content, note, previous)
    return RedirectResponse(f"/reports/{report_id}", status_code=303)


async def new_report(request: Request) -> Response:
    """A new report: blank, carried over from last year's report, or an existing one imported as it is."""
    values, how = {}, "blank"
    try:
        uploads.refuse_oversized(request)
        form = await request.form()
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        how = values.get("how", "blank")
        year = _year(values.get("year", ""), required=how != "import")
        if how == "blank":
            if not values.get("agency", "").strip():
                raise ToolkitError("请填写机关全称，例如：某某县某某乡人民政府。")
            return _created(request, application.blank(values["agency"], year, values.get("level")), "新建空白报告")
        upload = form.get("source")
        if not hasattr(upload, "filename"):
            raise ToolkitError("请选择要上传的文件。")
        with uploads.received(upload, uploads.REPORT_SUFFIXES, "报告文件") as path:
            source = await run_in_threadpool(application.load_source, path, year if how == "import" else None)
        if how == "import":
            return _created(request, source, f"导入 {upload.filename}")
        return _created(request, application.carried_over(source, year, values.get("agency", "").strip()),
                        f"由上年报告 {upload.filename} 结转")
    except ToolkitError as exc:
        return _page(request, "index.html", 400, reports=_storage(request).reports(), values=values,
                     errors=application.problems_of(exc), how=how)


def _year(text: str, required: bool) -> int | None:
    text = text.strip()
    if not text and not required:
        return None
    if not text.isdigit() or not 2019 <= int(text) <= 2100:
        raise ToolkitError(f"报告年度应为 2019 至 2100 之间的年份，实际为“{text}”。")
    return int(text)


# -- the form ----------------------------------------------------------------------------------------


async def report_page(request: Request) -> HTMLResponse:
    storage = _storage(request)
    report_id = _report_id(request)
    summary, latest = storage.summary(report_id), storage.version(report_id)
    report = application.read_data_file(latest.content)
    form = form_for(report.format.version)
    return _page(request, "report.html", summary=summary, base=f"/reports/{report_id}", version=summary.version,
                 saved=latest.saved, form=form, fields=document.fields(report),
                 report_narrative=report.narrative,
                 checked=application.check(report, _previous(request)), kinds=downloads.KINDS, title=report.title)


async def form_fields(request: Request) -> dict:
    body = await request.body()
    if len(body) > MAX_FORM_JSON:
        raise ToolkitError("提交的内容过大，未处理。")
    try:
        payload = json.loads(body)
    except ValueError:
        raise ToolkitError("提交的内容不是有效的 JSON，未处理。") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("fields"), dict):
        raise ToolkitError("提交的内容缺少表单字段（fields），未处理。")
    fields = {str(k): v for k, v in payload["fields"].items() if isinstance(v, (str, bool))}
    return {**payload, "fields": fields}


def invalid_answer(exc: document.FormInvalid) -> JSONResponse:
    return JSONResponse({"problems": [{"field": p.field, "label": p.label, "message": p.message}
                                      for p in exc.problems],
                         "message": f"有 {len(exc.problems)} 处填写的内容无法识别，请按标出的位置修改：{exc}"},
                        status_code=422)


async def check(request: Request) -> JSONResponse:
    try:
        payload = await form_fields(request)
        report = document.report_from(payload["fields"])
    except document.FormInvalid as exc:
        return invalid_answer(exc)
    except ToolkitError as exc:
        return JSONResponse({"message": str(exc)}, status_code=400)
    return JSONResponse(application.check(report, _previous(request)).as_dict())


async def save(request: Request) -> JSONResponse:
    """A new version; 定稿 only when the checks allow it, else saved as a draft with the reason.

    A save from a version that is no longer the latest is refused (409) and nothing is written."""
    report_id = _report_id(request)
    try:
        payload = await form_fields(request)
        report = document.report_from(payload["fields"])
        based_on = int(payload.get("version", 0))
    except document.FormInvalid as exc:
        return invalid_answer(exc)
    except (ToolkitError, ValueError) as exc:
        return JSONResponse({"message": str(exc)}, status_code=400)
    final, refused, checked = bool(payload.get("final")), None, None
    if final:  # a plain save is not checked again: the form has just been, as it was typed
        checked = application.check(report, _previous(request))
        try:
            application.refuse_final(checked)
        except application.Refused as exc:
            refused, final = str(exc), False
    try:
        saved = _storage(request).save(report_id, based_on, report.title, application.data_file_text(report), final,
                                       "定稿" if final else "保存")
    except StaleSave as exc:
        return JSONResponse({"stale": True, "latest": exc.latest, "message": str(exc)}, status_code=409)
    return JSONResponse({"version": saved.number, "saved": saved.saved.isoformat(sep=" "), "final": final,
                         "refused": refused, **(checked.as_dict() if checked else {})})


async def preview(request: Request) -> JSONResponse:
    try:
        report = document.report_from((await form_fields(request))["fields"])
        return JSONResponse({"html": await run_in_threadpool(application.preview, report)})
    except document.FormInvalid as exc:
        return invalid_answer(exc)
    except ToolkitError as exc:
        return JSONResponse({"message": str(exc)}, status_code=400)


async def tally(request: Request) -> JSONResponse:
    """Tables 三 and 四 counted from an uploaded register, for the form to fill in (saved with the form)."""
    latest = _storage(request).version(_report_id(request))
    report = application.read_data_file(latest.content)
    try:
        uploads.refuse_oversized(request)
        upload = (await request.form()).get("register")
        if not hasattr(upload, "filename"):
            raise ToolkitError("请选择要上传的台账文件（.xlsx 或 .csv）。")
        with uploads.received(upload, uploads.REGISTER_SUFFIXES, "台账文件") as path:
            figures = await run_in_threadpool(application.tallied_figures, path, report)
    except ToolkitError as exc:
        return JSONResponse({"message": "\n".join(application.problems_of(exc))}, status_code=400)
    return JSONResponse({"figures": figures,
                         "message": f"已从台账 {upload.filename} 统计{report.year}年度的表三、表四，共 {len(figures)} 格；"
                                    "请核对后保存。"})


# -- downloads -----------------------------------------------------------------------------------------


async def download(request: Request) -> Response:
    """The latest saved version in one output; POST brings the agency's own Word template."""
    report_id, kind = _report_id(request), request.path_params["kind"]
    if kind not in downloads.MEDIA_TYPES:
        return _refusal(request, "无法下载", [f"不支持的下载类型“{kind}”。"], 404, f"/reports/{report_id}")
    report = application.read_data_file(_storage(request).version(report_id).content)
    try:
        if request.method == "POST":
            uploads.refuse_oversized(request)
            upload = (await request.form()).get("template")
            if not hasattr(upload, "filename") or not upload.filename:
                raise ToolkitError("请选择本单位的 Word 模板（.docx）。")
            with uploads.received(upload, uploads.TEMPLATE_SUFFIXES, "Word 模板") as template:
                name, content = await run_in_threadpool(application.download, report, kind, template,
                                                        _previous(request))
        else:
            name, content = await run_in_threadpool(application.download, report, kind, None, _previous(request))
    except ToolkitError as exc:
        messages = application.problems_of(exc) + [f.describe().split(": ", 1)[-1] for f in
                                                   getattr(exc, "findings", [])[:20]]
        return _refusal(request, "未能生成下载文件", messages, 409, f"/reports/{report_id}")
    return downloads.attachment(name, content, kind)


# -- versions ------------------------------------------------------------------------------------------


async def versions(request: Request) -> HTMLResponse:
    storage, report_id = _storage(request), _report_id(request)
    return _page(request, "versions.html", summary=storage.summary(report_id), history=storage.history(report_id))


async def version_page(request: Request) -> HTMLResponse:
    storage, report_id = _storage(request), _report_id(request)
    shown = storage.version(report_id, int(request.path_params["number"]))
    report = application.read_data_file(shown.content)
    return _page(request, "version.html", summary=storage.summary(report_id), shown=shown,
                 preview=await run_in_threadpool(application.preview, report),
                 checked=application.check(report, _previous(request)))


async def version_data_file(request: Request) -> Response:
    storage, report_id = _storage(request), _report_id(request)
    shown = storage.version(report_id, int(request.path_params["number"]))
    report = application.read_data_file(shown.content)
    name = application.download(report, "yaml")[0].replace(".yaml", f"（第{shown.number}版）.yaml")
    return downloads.attachment(name, shown.content.encode("utf-8"), "yaml")


async def restore(request: Request) -> Response:
    """An older version saved again as the newest: nothing in between is lost, it stays in the list."""
    storage, report_id = _storage(request), _report_id(request)
    number = int(request.path_params["number"])
    form = await request.form()
    shown = storage.version(report_id, number)
    report = application.read_data_file(shown.content)
    try:
        storage.save(report_id, int(str(form.get("based_on", "0")) or 0), report.title, shown.content, shown.final,
                     f"恢复第 {number} 版")
    except StaleSave as exc:
        return _refusal(request, "未能恢复", [str(exc)], 409, f"/reports/{report_id}/versions")
    return RedirectResponse(f"/reports/{report_id}", status_code=303)


# -- errors and guards ---------------------------------------------------------------------------------


async def not_found(request: Request, exc: Exception) -> HTMLResponse:
    return _refusal(request, "找不到该页面", ["没有这份报告或这个版本；请从报告列表重新打开。"], 404, "/")


def same_origin(request: Request) -> bool:
    """A POST from a page of this app, never from another site open in the same browser."""
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host")


def routes(static_folder) -> list:
    return [
        Route("/", index),
        Route("/reports", new_report, methods=["POST"]),
        Route("/reports/{report_id:int}", report_page),
        Route("/reports/{report_id:int}/check", check, methods=["POST"]),
        Route("/reports/{report_id:int}/save", save, methods=["POST"]),
        Route("/reports/{report_id:int}/preview", preview, methods=["POST"]),
        Route("/reports/{report_id:int}/tally", tally, methods=["POST"]),
        Route("/reports/{report_id:int}/download/{kind}", download, methods=["GET", "POST"]),
        Route("/reports/{report_id:int}/versions", versions),
        Route("/reports/{report_id:int}/versions/{number:int}", version_page),
        Route("/reports/{report_id:int}/versions/{number:int}/data", version_data_file),
        Route("/reports/{report_id:int}/versions/{number:int}/restore", restore, methods=["POST"]),
        Mount("/static", StaticFiles(directory=static_folder), name="static"),
    ]

