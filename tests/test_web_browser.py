"""The web form in a real browser (Debian's Chromium driven by Playwright): the clerk's whole path from
last year's data to the Word file, paste from a spreadsheet, versions, two tabs, axe-core, a phone, the keyboard.

``python -m tests.test_web_browser`` writes the README's screenshots of the form to docs/.
"""

from __future__ import annotations

import signal
import sys
import tempfile
from pathlib import Path

import pytest

import toolkit
import toolkit.api
from toolkit.formats import CellRef

from . import browser
from .conftest import ROOT
from .test_html import chromium  # noqa: F401  (the fixture: Chromium must be there in CI)
from .test_web import free_port, start_server

HUAIAN = ROOT / "samples" / "huaian-2024.yaml"
COLUMNS = ("natural_person", "commercial", "research", "public_interest", "legal_service", "other")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    process = start_server(tmp_path_factory.mktemp("web") / "data", port)
    yield f"http://127.0.0.1:{port}"
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=20)


def open_page(chromium, url: str, viewport=browser.DESKTOP, bypass_csp: bool = False):
    # The app's own policy is kept (its pages must work under it) except where axe-core is injected.
    context = chromium.new_context(viewport=viewport, accept_downloads=True, bypass_csp=bypass_csp)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.split("/reports")[0].rstrip("/"))
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.goto(url)
    return page


def field(page, name: str):
    return page.locator(f'[data-field="{name}"], [name="{name}"]').first


def carried_from_huaian(chromium, server, viewport=browser.DESKTOP, bypass_csp: bool = False):
    """The clerk's start: last year's data file uploaded, this year's draft opened."""
    page = open_page(chromium, server + "/", viewport, bypass_csp)
    page.set_input_files("#carry-source", str(HUAIAN))
    page.fill("#carry-year", "2025")
    page.get_by_role("button", name="结转新建").click()
    page.wait_for_url("**/reports/*")
    return page


def settle(page):
    """Until the live check triggered by the last edit has answered (the form marks it while it runs)."""
    page.wait_for_function("() => !document.getElementById('report-form').dataset.checking")


def finding_at(page, name: str) -> str:
    """The text of the findings a field is described by (aria-describedby), as a screen reader reads it."""
    return page.evaluate("""name => {
        const el = document.querySelector(`[data-field="${name}"], [name="${name}"]`);
        if (el.getAttribute('aria-invalid') !== 'true') return '';
        return (el.getAttribute('aria-describedby') || '').split(' ').filter(Boolean)
          .map(id => document.getElementById(id).textContent).join('\\n');
    }""", name)


def fill_every_placeholder(page):
    for textarea in page.locator("textarea").all():
        if "【待填写】" in textarea.input_value():
            label = textarea.get_attribute("aria-label")
            words = "本机关收取信息处理费情况如实说明。" if label.startswith("六、") else "本年度工作情况已如实说明。"
            textarea.fill(words)


def test_the_clerks_whole_path_to_the_word_file(chromium, server, tmp_path):
    page = carried_from_huaian(chromium, server)
    assert field(page, "agency.name").input_value() == "淮安市人民政府"
    assert field(page, "figures.applications.carried_over.natural_person").input_value() == "103"
    typed = {"new_received.natural_person": 50, "disclosed.natural_person": 100, "new_received.commercial": 4,
             "partially_disclosed.commercial": 3, "withheld_state_secret.commercial": 1}
    for key, value in typed.items():
        field(page, f"figures.applications.{key}").fill(str(value))
    settle(page)
    total = "figures.applications.total.natural_person"
    assert field(page, total).input_value() == "100"  # computed as the clerk types
    assert field(page, "figures.applications.total.total").input_value() == "104"
    said = finding_at(page, total)
    assert "错误 [A] 本列勾稽关系" in said and "左边 153，右边 100" in said
    assert page.locator("#count-errors").inner_text() == "1"
    # Fixed: 53 still being handled at the end of the year.
    field(page, "figures.applications.carried_forward.natural_person").fill("53")
    typed["carried_forward.natural_person"] = 53
    settle(page)
    assert finding_at(page, total) == "" and page.locator("#count-errors").inner_text() == "0"
    page.get_by_role("button", name="定稿").click()
    page.wait_for_function("() => document.getElementById('message').textContent.includes('未能定稿')")
    assert "尚未填写" in page.locator("#message").inner_text()  # the placeholders are still there
    fill_every_placeholder(page)
    field(page, "date").fill("2026-01-20")
    settle(page)
    assert page.locator("#count-unfinished").inner_text() == "0"
    page.get_by_role("button", name="定稿").click()
    page.wait_for_function("() => document.getElementById('state').textContent === '定稿'")
    assert "已定稿" in page.locator("#message").inner_text()
    with page.expect_download() as info:
        page.locator('[data-download="docx"]').click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name == "淮安市人民政府2025年政府信息公开工作年度报告.docx"
    back = toolkit.api.load(path).report
    huaian = toolkit.load(HUAIAN).report
    for ref in back.format.iter_input_cells():
        key = f"{ref.row}.{ref.col}"
        if ref.table == "applications":
            expected = typed.get(key, huaian.value(CellRef("applications", "carried_forward", ref.col))
                                 if ref.row == "carried_over" else 0)
            assert back.figures.get(ref, 0) == expected, ref
    assert back.value(CellRef("applications", "total", "natural_person")) == 100
    assert page.errors == []


def test_a_block_pasted_from_a_spreadsheet_fills_the_cells_it_covers(chromium, server):
    page = carried_from_huaian(chromium, server)
    # 3 rows × 7 columns, as Excel copies them: tab between cells, a line break after each row.
    block = "\n".join("\t".join(str(10 * r + c) for c in range(1, 8)) for r in range(1, 4)) + "\n"
    page.evaluate("text => navigator.clipboard.writeText(text)", block)
    first = field(page, "figures.applications.new_received.natural_person")
    first.click()
    page.keyboard.press("Control+V")
    settle(page)
    for r, row in enumerate(("new_received", "carried_over", "disclosed"), start=1):
        for c, column in enumerate(COLUMNS, start=1):
            assert field(page, f"figures.applications.{row}.{column}").input_value() == str(10 * r + c)
        # The seventh column is the row's total: computed from the six, not pasted.
        total = field(page, f"figures.applications.{row}.total")
        assert total.input_value() == str(sum(10 * r + c for c in range(1, 7)))
    assert field(page, "figures.applications.partially_disclosed.natural_person").input_value() == "0"
    assert "已粘贴 3 行 × 7 列，填入 18 格" in page.locator("#message").inner_text()
    assert page.locator("#dirty").is_visible()


def test_restore_an_older_version(chromium, server):
    page = carried_from_huaian(chromium, server)
    name = field(page, "agency.name")
    for agency in ("淮安市人民政府（第二版）", "淮安市人民政府（第三版）"):
        name.fill(agency)
        page.get_by_role("button", name="保存", exact=True).click()
        page.wait_for_function("() => document.getElementById('message').textContent.startsWith('已保存')")
    assert page.locator("#version-number").inner_text() == "3"
    page.get_by_role("link", name="版本记录").click()
    assert page.get_by_role("row").count() == 4
    page.get_by_role("link", name="查看第 2 版").click()
    assert "淮安市人民政府（第二版）\n2025年" in page.frame_locator("iframe").locator("body").inner_text()
    page.get_by_role("button", name="恢复此版本").click()
    page.wait_for_url("**/reports/*")
    assert field(page, "agency.name").input_value() == "淮安市人民政府（第二版）"
    assert page.locator("#version-number").inner_text() == "4"
    page.get_by_role("link", name="版本记录").click()
    assert "恢复第 2 版" in page.locator("table").inner_text()


def test_a_stale_tab_is_refused_and_keeps_what_was_typed(chromium, server):
    first = carried_from_huaian(chromium, server)
    second = first.context.new_page()
    second.goto(first.url)
    field(first, "agency.name").fill("第一个窗口")
    first.get_by_role("button", name="保存", exact=True).click()
    first.wait_for_function("() => document.getElementById('message').textContent.startsWith('已保存')")
    field(second, "agency.name").fill("第二个窗口")
    second.get_by_role("button", name="保存", exact=True).click()
    second.wait_for_function("() => document.getElementById('message').textContent.includes('保存未成功')")
    alert = second.get_by_role("alert")
    assert "已在别处（另一个窗口或同事）保存为第 2 版" in alert.inner_text()
    assert field(second, "agency.name").input_value() == "第二个窗口"  # kept on the page
    assert second.locator("#dirty").is_visible() and second.locator("#version-number").inner_text() == "1"
    first.reload()
    assert field(first, "agency.name").input_value() == "第一个窗口"  # never overwritten


def test_paragraphs_and_parts_are_added_removed_and_reordered(chromium, server):
    page = carried_from_huaian(chromium, server)
    overview = page.locator("#sec-overview")
    parts = overview.locator("fieldset.part")
    assert parts.count() == 5
    parts.nth(0).get_by_role("button", name="下移本部分").click()
    parts.nth(4).get_by_role("button", name="删除本部分").click()
    overview.get_by_role("button", name="添加小标题部分").click()  # takes the first official title not used
    title = field(page, "sections.overview.parts[4].title")
    assert title.input_value() == "（五）监督保障"
    assert page.evaluate("document.activeElement.name") == title.get_attribute("name")
    field(page, "sections.overview.parts[4].paragraphs[0]").fill("本年度加强监督保障。")
    problems = page.locator("#sec-problems")
    problems.get_by_role("button", name="添加段落").click()
    field(page, "sections.problems.paragraphs[1]").fill("下一步改进措施。")
    problems.get_by_role("button", name="上移").nth(1).click()
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_function("() => document.getElementById('message').textContent.startsWith('已保存')")
    saved = page.request.get(page.url + "/download/yaml").text()
    report = toolkit.datafile.loads(saved)
    titles = [p.title for p in report.narrative["overview"].parts]
    assert titles == ["（二）依申请公开", "（一）主动公开", "（三）政府信息管理", "（四）政府信息公开平台建设", "（五）监督保障"]
    assert report.narrative["overview"].parts[4].paragraphs == ["本年度加强监督保障。"]
    assert report.narrative["problems"].paragraphs == ["下一步改进措施。", "【待填写】存在的主要问题及改进情况。"]
    assert page.locator("#sec-problems textarea").first.get_attribute("aria-label") == "五、存在的主要问题及改进情况 / 第1段"


def every_page(page, server) -> list[str]:
    """Every kind of page of one report: the list, the form with findings showing, versions, a version,
    a refusal."""
    report = page.url
    field(page, "figures.applications.new_received.other").fill("9")
    settle(page)
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_function("() => document.getElementById('message').textContent.startsWith('已保存')")
    return [server + "/", report, report + "/versions", report + "/versions/1", report + "/download/docx"]


def test_axe_finds_nothing_on_any_page(chromium, server):
    page = carried_from_huaian(chromium, server, bypass_csp=True)
    form = page.url
    for url in every_page(page, server):
        page.goto(url)
        if url == form:
            settle(page)
            assert page.locator("[aria-invalid='true']").count() > 0  # findings are showing at their cells
            page.locator("#preview-box summary").click()
            settle(page)
        violations = browser.axe_violations(page)
        assert violations == [], (url, [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations])


def test_every_page_works_at_phone_width(chromium, server):
    page = carried_from_huaian(chromium, server, browser.PHONE)
    form = page.url
    for url in every_page(page, server):
        page.goto(url)
        assert not browser.page_overflows(page), url
    page.goto(form)
    cell = field(page, "figures.applications.new_received.legal_service")
    cell.scroll_into_view_if_needed()
    cell.fill("3")
    settle(page)
    assert field(page, "figures.applications.new_received.total").input_value() == "12"
    box = page.get_by_role("button", name="保存", exact=True).bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= browser.PHONE["width"]


def test_the_keyboard_alone(chromium, server):
    page = carried_from_huaian(chromium, server)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "save"
    field(page, "figures.applications.new_received.natural_person").focus()
    page.keyboard.type("12")
    page.keyboard.press("Enter")  # down, as in a spreadsheet
    assert page.evaluate("document.activeElement.dataset.field") == "figures.applications.carried_over.natural_person"
    page.keyboard.press("ArrowRight")  # caret at the end: the next cell
    assert page.evaluate("document.activeElement.dataset.field") == "figures.applications.carried_over.commercial"
    page.keyboard.press("ArrowUp")
    page.keyboard.type("5")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.field") == "figures.applications.new_received.research"
    page.keyboard.press("Control+s")
    page.wait_for_function("() => document.getElementById('message').textContent.startsWith('已保存')")
    page.reload()
    assert field(page, "figures.applications.new_received.natural_person").input_value() == "12"
    assert field(page, "figures.applications.new_received.commercial").input_value() == "5"
    # The narrative by keyboard: a paragraph added, and the summary's finding takes focus to its field.
    add = page.locator("#sec-problems").get_by_role("button", name="添加段落")
    add.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == "sections.problems.paragraphs[1]"
    page.keyboard.type("新增一段。")
    settle(page)
    page.locator("#finding-list button").first.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.getAttribute('aria-invalid')") == "true"


def screenshots(folder: Path) -> list[Path]:
    """The README's pictures of the form: table 三 with a mismatched total, its finding at the cell, on a
    desktop and a phone."""
    shots = []
    with tempfile.TemporaryDirectory() as data, browser.chromium() as instance:
        port = free_port()
        process = start_server(Path(data), port)
        try:
            for name, viewport in (("web-desktop.png", browser.DESKTOP), ("web-phone.png", browser.PHONE)):
                page = carried_from_huaian(instance, f"http://127.0.0.1:{port}", viewport)
                field(page, "figures.applications.new_received.natural_person").fill("50")
                field(page, "figures.applications.disclosed.natural_person").fill("100")
                settle(page)
                page.evaluate("document.querySelector('[data-field=\"figures.applications.total.natural_person\"]')"
                              ".scrollIntoView({block: 'center'})")
                page.screenshot(path=str(folder / name))
                shots.append(folder / name)
        finally:
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=20)
    return shots


if __name__ == "__main__":
    for shot in screenshots(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"):
        print(shot)
