"""The desk in a real browser (Debian's Chromium driven by Playwright), on SQLite and on PostgreSQL: a region
of three levels set up from a list, two clerks filling their reports in the web form through the submit
gate, the review, the region's sum — and every other agency's report, page and call refused to a clerk.
axe-core on every desk page, every page at phone width, login and submit by keyboard alone."""

from __future__ import annotations

import re
import signal
from decimal import Decimal

import pytest

import toolkit
from toolkit.cli import cli
from toolkit.web import desk as desk_pages
from toolkit.web import document

from . import browser
from .test_desk import AGENCY_LIST, DISCLOSED, NEW_RECEIVED, OFFICE
from .test_html import chromium  # noqa: F401  (the fixture: Chromium must be there in CI)
from .test_web import free_port, start_server
from .test_web_browser import fill_every_placeholder, finding_at, settle

RECEIVED, GIVEN = document.figure_field(NEW_RECEIVED), document.figure_field(DISCLOSED)
ASKED_OF = "一、本年新收政府信息公开申请数量 / 自然人"  # the cell a reviewer's comment is on


@pytest.fixture
def site(url, tmp_path, runner, monkeypatch):
    """``govreport desk init`` from the list, then ``govreport serve`` on the same database; the
    server's address and every account's initial password from 账号.csv."""
    listing, accounts_file, data = tmp_path / "名单.csv", tmp_path / "账号.csv", tmp_path / "data"
    listing.write_text(AGENCY_LIST, encoding="utf-8")
    on = ["--data", str(data)] if url.startswith("sqlite") else ["--database", url]
    done = runner.invoke(cli, ["desk", "init", "--agencies", str(listing), "--year", "2025", "--office", OFFICE,
                               "-o", str(accounts_file), *on])
    assert done.exit_code == 0, done.output
    rows = [line.split(",") for line in accounts_file.read_text(encoding="utf-8-sig").splitlines()[1:]]
    if not url.startswith("sqlite"):
        monkeypatch.setenv("GOVREPORT_DATABASE", url)  # what ``serve --database`` reads from the environment
    port = free_port()
    process = start_server(data, port)
    yield f"http://127.0.0.1:{port}", {login: password for _, login, password in rows}
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=20)


def _context(chromium, server: str, viewport=browser.DESKTOP):
    # bypass_csp lets axe-core be injected; the pages' scripts are the app's own either way.
    context = chromium.new_context(viewport=viewport, bypass_csp=True, base_url=server)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    return page


def log_in(chromium, server: str, login: str, password: str, viewport=browser.DESKTOP):
    """A browser of one account, through the login page and the first-login password change."""
    page = _context(chromium, server, viewport)
    page.goto("/desk")
    assert page.url.endswith("/desk/login")
    page.get_by_label("账号").fill(login)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/desk/password")
    page.get_by_label("原密码").fill(password)
    page.get_by_label("新密码", exact=True).fill(f"{login}-Secret-9")
    page.get_by_label("再次输入新密码").fill(f"{login}-Secret-9")
    page.get_by_role("button", name="修改密码").click()
    page.wait_for_url(re.compile(r".*/desk(/reports/\d+)?$"))
    return page


def assert_fits(page, name: str) -> None:
    """The page does not scroll sideways; else the elements that stick out are named."""
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest('.table-scroll'))
        .slice(0, 5).map(e => `${e.tagName}.${e.className}: ${e.textContent.slice(0, 40)}`)""")
    assert not browser.page_overflows(page), (name, wide)


def _cell(page, name: str):
    return page.locator(f'[data-field="{name}"]')


def fill_and_submit(page, received: int, disclosed: int) -> str:
    """The clerk's figures typed into table 三, every 【待填写】 written, then 提交审核; the message said."""
    fill_every_placeholder(page)
    _cell(page, RECEIVED).fill(str(received))
    _cell(page, GIVEN).fill(str(disclosed))
    settle(page)
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_function("() => !/^正在/.test(document.getElementById('message').textContent)")
    return page.locator("#message").text_content()


def _figures(page, path: str) -> dict:
    """A data file the page's account downloads, as its figures."""
    answer = page.request.get(path)
    assert answer.status == 200, (path, answer.status)
    return toolkit.loads(answer.body().decode("utf-8")).figures


def _report_path(office, name: str) -> str:
    office.goto("/desk")
    return office.get_by_role("link", name=name, exact=True).get_attribute("href")


def test_the_region_in_the_browser_from_the_list_to_the_sum(chromium, site):
    server, passwords = site
    town = log_in(chromium, server, "jx-cgz", passwords["jx-cgz"])
    bureau = log_in(chromium, server, "jx-jyj", passwords["jx-jyj"])
    # Each clerk lands on its own report, in the web form, the checks live at the cells.
    assert town.locator("#report-form").is_visible() and town.locator("#state").text_content() == "未开始"

    # The town's first try is out of balance (rule A): kept back, the reason at the cell.
    said = fill_and_submit(town, 5, 0)
    assert "未能提交" in said and town.locator("#state").text_content() == "有错误"
    assert "[A]" in finding_at(town, RECEIVED) or "[A]" in finding_at(town, GIVEN)
    said = fill_and_submit(town, 5, 5)
    assert "已提交" in said and town.locator("#state").text_content() == "已提交"
    assert town.locator("#save").is_disabled()
    assert "已提交" in fill_and_submit(bureau, 3, 3)
    assert town.errors == [] and bureau.errors == []

    # The reviewer returns the bureau's report with a comment on a cell; the clerk sees it in the form.
    office = log_in(chromium, server, "office", passwords["office"])
    bureau_report, town_report = _report_path(office, "甲县教育局"), _report_path(office, "甲县城关镇人民政府")
    assert office.locator("tr", has_text="甲县教育局").locator("td").nth(1).text_content() == "已提交"
    office.goto(bureau_report)
    office.locator("#return-target").select_option(label=ASKED_OF)
    office.locator("#return-text").fill("请核实自然人申请数。")
    office.get_by_role("button", name="退回修改").click()
    assert office.locator("#status").text_content() == "退回"
    bureau.goto("/desk")
    assert f"「{ASKED_OF}」请核实自然人申请数。" in bureau.locator("#comments").text_content()
    assert bureau.locator("#state").text_content() == "退回"
    # ... and at the cell it is about, which a screen reader reads it with.
    described = _cell(bureau, RECEIVED).get_attribute("aria-describedby").split()
    assert "请核实自然人申请数。" in " ".join(bureau.locator(f"#{id}").text_content() for id in described)
    assert "已提交" in fill_and_submit(bureau, 4, 4)
    for path in (bureau_report, town_report):
        office.goto(path)
        office.get_by_role("button", name="通过", exact=True).click()
        assert office.locator("#status").text_content() == "已通过"

    # The county's 全域 sum: its two approved bodies added cell by cell, the county's own report missing.
    office.goto("/desk")
    office.locator("tr", has_text="甲县人民政府").get_by_role("link", name="汇总").click()
    assert "已汇总 2 份" in office.locator("main").text_content()
    assert "甲县人民政府（未开始）" in office.locator("[role=alert]").text_content()
    approved = [_figures(office, f"{path}/data") for path in (town_report, bureau_report)]
    summed = _figures(office, office.get_by_role("link", name="下载汇总数据文件").get_attribute("href"))
    expected = {ref: sum((Decimal(str(f.get(ref, 0))) for f in approved), Decimal(0)) for f in approved for ref in f}
    assert {ref: Decimal(str(summed.get(ref, 0))) for ref in expected} == expected
    assert summed[NEW_RECEIVED] == 9 and summed[DISCLOSED] == 9
    # The whole region's sum names every body still missing.
    office.goto("/desk/sum")
    outstanding = office.locator("[role=alert]").text_content()
    assert all(f"{name}（未开始）" in outstanding for name in ("甲县人民政府", "乙县人民政府", "乙县河口乡人民政府"))

    # The town's clerk reaches nothing of any other body: every report route on every other report.
    others = [_report_path(office, name) for name in ("甲县教育局", "乙县河口乡人民政府", "乙县人民政府")]
    csrf = town.evaluate("document.querySelector('input[name=csrf]').value")
    for other in others:
        report_id = other.rsplit("/", 1)[1]
        for route in desk_pages.routes():
            if "{report_id:int}" not in route.path:
                continue
            path = route.path.replace("{report_id:int}", report_id)
            answer = (town.request.post(path, form={"csrf": csrf, "text": "x", "revision": "1"},
                                        headers={"X-CSRF-Token": csrf}) if "POST" in route.methods
                      else town.request.get(path))
            assert answer.status == 404, (path, answer.status)
        town.goto(other)
        assert "找不到该报告" in town.locator("h1").text_content()
    for path in ("/desk/sum", "/desk/sum.yaml", "/desk/dashboard.xlsx"):
        assert town.request.get(path).status == 403, path
    town.goto("/desk")
    assert town.locator("#status").text_content() == "已通过"  # and its own, approved, is still there


def test_every_desk_page_passes_axe_fits_a_phone_and_works_by_keyboard(chromium, site):
    server, passwords = site
    # By keyboard alone: the login, the first password change, then the report's save.
    clerk = _context(chromium, server)
    clerk.goto("/desk/login")
    pages = {"login": clerk.url}
    assert browser.axe_violations(clerk) == []
    clerk.keyboard.press("Tab")
    assert clerk.evaluate("document.activeElement.textContent") == "跳到正文"
    for _ in range(3):  # skip link, the header's link, then the login field
        clerk.keyboard.press("Tab")
        if clerk.evaluate("document.activeElement.id") == "login":
            break
    clerk.keyboard.type("jx-cgz")
    clerk.keyboard.press("Tab")
    clerk.keyboard.type(passwords["jx-cgz"])
    clerk.keyboard.press("Enter")
    clerk.wait_for_url("**/desk/password")
    pages["password"] = clerk.url
    assert browser.axe_violations(clerk) == []
    clerk.get_by_label("原密码").focus()
    clerk.keyboard.type(passwords["jx-cgz"])
    clerk.keyboard.press("Tab")
    clerk.keyboard.type("jx-cgz-Secret-9")
    clerk.keyboard.press("Tab")
    clerk.keyboard.type("jx-cgz-Secret-9")
    clerk.keyboard.press("Enter")
    clerk.wait_for_url(re.compile(r".*/desk/reports/\d+$"))
    pages["form"] = clerk.url
    settle(clerk)
    _cell(clerk, RECEIVED).focus()
    clerk.keyboard.type("7")
    settle(clerk)
    assert clerk.locator("[aria-invalid='true']").count() > 0  # the finding shows at its cell
    violations = browser.axe_violations(clerk)
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    clerk.locator("#save").focus()
    clerk.keyboard.press("Enter")
    clerk.wait_for_function("() => document.getElementById('message').textContent.startsWith('已保存')")
    clerk.reload()
    assert _cell(clerk, RECEIVED).input_value() == "7" and clerk.locator("#state").text_content() == "有错误"

    office = log_in(chromium, server, "office", passwords["office"])
    pages["board"] = office.url
    report = _report_path(office, "甲县城关镇人民政府")
    pages.update(review=server + report, sum=server + "/desk/sum", filtered=server + "/desk?status=有错误&sort=name")
    for name in ("board", "review", "sum", "filtered"):
        office.goto(pages[name])
        violations = browser.axe_violations(office)
        assert violations == [], (name, [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations])

    # At 390 px every page fits the screen; the form's save button and the review's buttons stay on it.
    phone = _context(chromium, server, browser.PHONE)
    for name in ("login",):
        phone.goto(pages[name])
        assert_fits(phone, name)
    phone_office = office.context.browser.new_context(viewport=browser.PHONE, bypass_csp=True,
                                                      storage_state=office.context.storage_state()).new_page()
    for name in ("board", "review", "sum", "filtered"):
        phone_office.goto(pages[name])
        assert_fits(phone_office, name)
    phone_office.goto(pages["review"])
    box = phone_office.get_by_role("button", name="退回修改").bounding_box()
    assert box and 0 <= box["x"] and box["x"] + box["width"] <= browser.PHONE["width"]
    phone_clerk = clerk.context.browser.new_context(viewport=browser.PHONE, bypass_csp=True,
                                                    storage_state=clerk.context.storage_state()).new_page()
    for name in ("form", "password"):
        phone_clerk.goto(pages[name])
        assert_fits(phone_clerk, name)
    phone_clerk.goto(pages["form"])
    box = phone_clerk.get_by_role("button", name="提交审核").bounding_box()
    assert box and 0 <= box["x"] and box["x"] + box["width"] <= browser.PHONE["width"]
