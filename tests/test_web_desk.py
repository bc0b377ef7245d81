"""The desk's pages over HTTP on both databases: login with CSRF, first-login password change, the
clerk's save and submit, the review, the dashboard and sum — and every route tried with the wrong
account, without one, and without the CSRF token."""

from __future__ import annotations

import io
import re
from urllib.parse import quote

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from toolkit import registry
from toolkit.desk import database, region, reports
from toolkit.web import desk as desk_pages
from toolkit.web.app import create_app

from .test_desk import AGENCY_LIST, NEW_RECEIVED, OFFICE, report_text

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def site(url, tmp_path):
    """The app on a region set up from the list; every account's initial password."""
    listing = tmp_path / "名单.csv"
    listing.write_text(AGENCY_LIST, encoding="utf-8")
    engine = database.connect(url)
    synced = region.sync(engine, registry.load(listing), 2025, OFFICE)
    with engine.connect() as connection:
        tree = region.load(connection)
    engine.dispose()
    app = create_app(tmp_path / "data", None if url.startswith("sqlite") else url)
    yield app, {a.login: a.password for a in synced.accounts}, tree
    if app.state.desk_engine is not None:
        app.state.desk_engine.dispose()


def _client(app) -> TestClient:
    return TestClient(app, base_url="http://testserver", follow_redirects=False)


def _login(app, login: str, password: str, new_password: str | None = None) -> tuple[TestClient, str]:
    """A browser logged in (and past the first password change); returns it and its CSRF token."""
    browser = _client(app)
    token = _CSRF.search(browser.get("/desk/login").text).group(1)
    answer = browser.post("/desk/login", data={"csrf": token, "login": login, "password": password})
    assert answer.status_code == 303, answer.text
    if answer.headers["location"] == "/desk/password":
        csrf = _CSRF.search(browser.get("/desk/password").text).group(1)
        new_password = new_password or f"{login}-Secret-9"
        changed = browser.post("/desk/password", data={"csrf": csrf, "old": password, "new": new_password,
                                                       "again": new_password})
        assert changed.status_code == 303 and changed.headers["location"] == "/desk"
    return browser, _CSRF.search(browser.get("/desk/password").text).group(1)


def _report_id(tree, name: str, app) -> int:
    with app.state.desk_engine.connect() as connection:
        return reports.of_agency(connection, tree.by_name(name).id, 2025).id


def test_login_needs_its_csrf_token_and_the_first_password_change(site):
    app, passwords, _ = site
    browser = _client(app)
    assert browser.get("/desk").headers["location"] == "/desk/login"
    page = browser.get("/desk/login")
    token = _CSRF.search(page.text).group(1)
    assert browser.post("/desk/login", data={"csrf": "forged", "login": "office", "password": passwords["office"]}
                        ).status_code == 403
    assert _client(app).post("/desk/login", data={"csrf": token, "login": "office", "password": passwords["office"]}
                             ).status_code == 403  # the token without its cookie: another browser
    wrong = browser.post("/desk/login", data={"csrf": token, "login": "office", "password": "nope"})
    assert wrong.status_code == 401 and "账号或密码不正确" in wrong.text
    right = browser.post("/desk/login", data={"csrf": token, "login": "office", "password": passwords["office"]})
    assert right.headers["location"] == "/desk/password"
    assert browser.get("/desk").headers["location"] == "/desk/password"  # nothing else before the change
    csrf = _CSRF.search(browser.get("/desk/password").text).group(1)
    short = browser.post("/desk/password", data={"csrf": csrf, "old": passwords["office"], "new": "short", "again": "short"})
    assert short.status_code == 400 and "至少 10 个字符" in short.text
    done = browser.post("/desk/password", data={"csrf": csrf, "old": passwords["office"], "new": "office-Secret-9",
                                                "again": "office-Secret-9"})
    assert done.headers["location"] == "/desk"
    board = browser.get("/desk")
    assert board.status_code == 200 and "甲县城关镇人民政府" in board.text and "未开始" in board.text
    assert "content-security-policy" in board.headers
    browser.post("/desk/logout", data={"csrf": csrf})
    assert browser.get("/desk").headers["location"] == "/desk/login"


def test_every_route_refuses_the_wrong_account_the_anonymous_and_the_forged_form(site):
    app, passwords, tree = site
    clerk, clerk_csrf = _login(app, "jx-jyj", passwords["jx-jyj"])
    office, office_csrf = _login(app, "office", passwords["office"])
    own, other = _report_id(tree, "甲县教育局", app), _report_id(tree, "乙县河口乡人民政府", app)
    clerk_acts, reviewer_acts = {"save", "submit"}, {"comment", "return", "approve", "reopen"}
    tried = set()
    for route in desk_pages.routes():
        assert isinstance(route, Route)
        for method in sorted(route.methods - {"HEAD"}):
            if route.path in ("/desk/login",):
                continue
            path = route.path.replace("{report_id:int}", str(other))
            tried.add((method, route.path))
            send = lambda who, data: who.request(method, path, data=data if method == "POST" else None)
            # Without a session: to the login page, nothing done.
            assert send(_client(app), {"csrf": "x"}).headers.get("location") == "/desk/login", path
            if method == "POST":  # a form without the session's token is refused before anything
                assert send(clerk, {"revision": "0", "text": "x"}).status_code == 403, path
            if "{report_id:int}" in route.path:
                # Another agency's report: not found, whatever the act.
                answer = send(clerk, {"csrf": clerk_csrf, "revision": "0", "data": report_text("甲县教育局", 1),
                                      "text": "意见"})
                assert answer.status_code == 404, (path, answer.status_code)
                act = route.path.rsplit("/", 1)[1]
                if method == "POST" and act in clerk_acts:  # the office does not fill agencies' reports
                    answer = send(office, {"csrf": office_csrf, "revision": "0", "data": report_text("乙县河口乡人民政府", 1)})
                    assert answer.status_code == 403, path
                if method == "POST" and act in reviewer_acts:  # a clerk does not review, even its own
                    answer = clerk.post(route.path.replace("{report_id:int}", str(own)),
                                        data={"csrf": clerk_csrf, "text": "自己通过"})
                    assert answer.status_code == 403, path
            elif route.path in ("/desk/dashboard.xlsx", "/desk/sum", "/desk/sum.yaml"):
                assert send(clerk, {}).status_code == 403, path
    assert len(tried) == 18 and ("POST", "/desk/reports/{report_id:int}/approve") in tried
    # The clerk's home is its own report, and nothing was changed by any of the above.
    assert clerk.get("/desk").headers["location"] == f"/desk/reports/{own}"
    page = office.get(f"/desk/reports/{other}")
    assert page.status_code == 200 and '<strong id="status">未开始</strong>' in page.text and "第 0 版" in page.text


def test_the_clerks_path_and_the_review_in_the_browser(site):
    app, passwords, tree = site
    clerk, clerk_csrf = _login(app, "jx-cgz", passwords["jx-cgz"])
    office, office_csrf = _login(app, "office", passwords["office"])
    mine = _report_id(tree, "甲县城关镇人民政府", app)
    saved = clerk.post(f"/desk/reports/{mine}/save", data={"csrf": clerk_csrf, "revision": "0",
                                                           "data": report_text("甲县城关镇人民政府", 2, unbalanced=3)})
    assert saved.status_code == 303
    assert "有错误" in clerk.get(saved.headers["location"]).text
    blocked = clerk.post(f"/desk/reports/{mine}/submit", data={"csrf": clerk_csrf})
    assert blocked.status_code == 400 and "[A]" in blocked.text and "（七）总计 / 自然人" in blocked.text
    stale = clerk.post(f"/desk/reports/{mine}/save", data={"csrf": clerk_csrf, "revision": "0",
                                                           "data": report_text("甲县城关镇人民政府", 2)})
    assert stale.status_code == 400 and "已被修改" in stale.text
    clerk.post(f"/desk/reports/{mine}/save", data={"csrf": clerk_csrf, "revision": "1",
                                                   "data": report_text("甲县城关镇人民政府", 2)})
    assert clerk.post(f"/desk/reports/{mine}/submit", data={"csrf": clerk_csrf}).status_code == 303
    returned = office.post(f"/desk/reports/{mine}/return", data={"csrf": office_csrf, "target": f"figures.{NEW_RECEIVED}",
                                                                  "text": "请核实自然人申请数。"})
    assert returned.status_code == 303
    page = clerk.get(f"/desk/reports/{mine}").text
    assert "「一、本年新收政府信息公开申请数量 / 自然人」</strong>请核实自然人申请数。" in page and ">退回<" in page
    clerk.post(f"/desk/reports/{mine}/save", data={"csrf": clerk_csrf, "revision": "2",
                                                   "data": report_text("甲县城关镇人民政府", 5)})
    clerk.post(f"/desk/reports/{mine}/submit", data={"csrf": clerk_csrf})
    assert office.post(f"/desk/reports/{mine}/approve", data={"csrf": office_csrf}).status_code == 303
    assert '<strong id="status">已通过</strong>' in clerk.get(f"/desk/reports/{mine}").text
    assert "提交审核" not in clerk.get(f"/desk/reports/{mine}").text  # no more editing once approved

    board = office.get("/desk?status=已通过").text
    assert "甲县城关镇人民政府" in board and "甲县教育局</a>" not in board
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(office.get("/desk/dashboard.xlsx").content))
    assert [row[:4] for row in book["各机关"].iter_rows(min_row=2, values_only=True)
            if row[0] == "甲县城关镇人民政府"] == [("甲县城关镇人民政府", "甲县人民政府", "乡镇人民政府", "已通过")]
    county = tree.by_name("甲县人民政府").id
    summed = office.get(f"/desk/sum?node={county}").text
    assert "已汇总 1 份" in summed and "甲县人民政府（未开始）" in summed and "甲县教育局（未开始）" in summed
    data = office.get(f"/desk/sum.yaml?node={county}")
    assert quote("甲县人民政府2025（全域，不完整）.yaml") in data.headers["content-disposition"]
    import toolkit

    assert toolkit.loads(data.content.decode("utf-8")).figures[NEW_RECEIVED] == \
        toolkit.loads(report_text("甲县城关镇人民政府", 5)).figures[NEW_RECEIVED]


def test_the_clerk_fills_the_report_in_the_web_form_saved_on_the_desk(site):
    """The clerk's report opens in the serve app's form; its calls check, save and submit on the desk."""
    import toolkit
    from toolkit.desk import audit
    from toolkit.web import document

    app, passwords, tree = site
    clerk, csrf = _login(app, "jx-cgz", passwords["jx-cgz"])
    mine = _report_id(tree, "甲县城关镇人民政府", app)
    page = clerk.get(f"/desk/reports/{mine}").text
    assert f'data-base="/desk/reports/{mine}/form"' in page and f'data-csrf="{csrf}"' in page
    assert 'id="finalize">提交审核<' in page and 'aria-label="一、本年新收政府信息公开申请数量 / 自然人"' in page
    fields = document.fields(toolkit.loads(report_text("甲县城关镇人民政府", 2, unbalanced=3)))
    call = lambda path, body, token=csrf: clerk.post(f"/desk/reports/{mine}/form/{path}", json=body,
                                                     headers={"X-CSRF-Token": token})
    assert call("check", {"fields": fields}, "forged").status_code == 403
    checked = call("check", {"fields": fields}).json()
    cell = document.figure_field(NEW_RECEIVED)
    assert checked["errors"] >= 1 and any(f["rule"] == "A" and cell in f["fields"] for f in checked["findings"])
    blocked = call("save", {"fields": fields, "version": 0, "final": True}).json()
    assert blocked["version"] == 1 and blocked["state"] == "有错误" and "未能提交" in blocked["refused"]
    assert call("save", {"fields": fields, "version": 0}).status_code == 409  # made on a revision now gone
    fixed = document.fields(toolkit.loads(report_text("甲县城关镇人民政府", 2)))
    done = call("save", {"fields": fixed, "version": 1, "final": True}).json()
    assert done["version"] == 2 and done["state"] == "已提交" and done["locked"] and done["refused"] is None
    assert call("save", {"fields": fixed, "version": 2}).status_code == 400  # handed in: no more edits
    with app.state.desk_engine.connect() as connection:
        stored = reports.get(connection, mine)
        log = [e.action for e in audit.entries(connection, report_id=mine)]
    assert stored.status == "已提交" and toolkit.loads(stored.data).figures[NEW_RECEIVED] == \
        toolkit.loads(report_text("甲县城关镇人民政府", 2)).figures[NEW_RECEIVED]
    assert log[-4:] == ["saved", "submit_blocked", "saved", "submitted"]
    # Once handed in, the page is the read-only one, without the form.
    assert 'id="report-form"' not in clerk.get(f"/desk/reports/{mine}").text
