"""The web page: read back by extract, escaped, self-contained — and loaded in a real Chromium, where every
figure must sit under its own labels, axe-core must find nothing, and the page must reflow on a phone."""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
import shutil
import subprocess
from decimal import Decimal
from html.parser import HTMLParser

import pytest

import toolkit
from toolkit.cli import cli
from toolkit.formats import CellRef
from toolkit.layout import grid
from toolkit.publish.html import render_html

from . import browser
from .conftest import SAMPLES

REQUIRED = os.environ.get("GOVREPORT_REQUIRE_OFFICE") == "1" or os.environ.get("CI") == "true"
HUAIAN = next(p for p in SAMPLES if "huaian" in p.name)
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def distinct_figures(report):
    """Every input cell a different 9-digit figure, so that any misplaced cell shows."""
    report = copy.deepcopy(report)
    for i, ref in enumerate(report.format.iter_input_cells()):
        column = report.format.column(ref)
        report.figures[ref] = Decimal(f"{i + 1}.2345") if column.type == "amount" else 100_000_000 + 7 * i
    return report


def long_named(report):
    report.agency.name = "某某省某某市某某新区管理委员会经济发展和社会事务局（某某市某某新区行政审批服务局）"
    return report


def hostile():
    report = copy.deepcopy(toolkit.load(HUAIAN).report)
    report.agency.name = '某某局<script>alert("x")</script>&amp;\'"'
    report.narrative["problems"].paragraphs = ['</p><img src=x onerror="alert(1)"><p>', "<b>粗</b> & <!-- -->"]
    return report


def reports():
    fresh = distinct_figures(toolkit.new_report("某某县某某局", 2020))  # the 2019 format
    fresh.figures[CellRef("proactive", "licensing", "change")] = -8  # 本年增/减 may be negative
    fresh.date = dt.date(2021, 1, 20)
    return {
        **{p.stem: toolkit.load(p).report for p in SAMPLES},
        "distinct": long_named(distinct_figures(toolkit.load(HUAIAN).report)),
        "format-2019": fresh,
    }


REPORTS = reports()


def write_page(report, tmp_path, name="report.html"):
    path = tmp_path / name
    path.write_text(render_html(report), encoding="utf-8")
    return path


# -- the page as text ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_extract_reads_the_page_back_to_the_same_figures(name, runner, tmp_path):
    report = REPORTS[name]
    page = write_page(report, tmp_path)
    result = runner.invoke(cli, ["extract", str(page), "-o", str(tmp_path / "back.yaml")])
    assert result.exit_code == 0, result.output
    back = toolkit.load(tmp_path / "back.yaml").report
    assert back.format.version == report.format.version
    assert (back.agency.name, back.year, back.date) == (report.agency.name, report.year, report.date)
    assert [str(r) for r in report.format.iter_cells() if back.value(r) != report.value(r)] == []
    for key, narrative in report.narrative.items():
        assert back.narrative[key].texts() == narrative.texts()


def test_render_command_writes_the_page_alone_or_beside_the_docx(runner, tmp_path):
    page = tmp_path / "报告.html"
    result = runner.invoke(cli, ["render", str(HUAIAN), "-o", str(page)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["报告.html"]
    assert "<td headers=" in page.read_text(encoding="utf-8")
    result = runner.invoke(cli, ["render", str(HUAIAN), "-o", str(tmp_path / "报告.docx"), "--html"])
    assert result.exit_code == 0, result.output
    assert "未改动" in result.output and (tmp_path / "报告.docx").exists()  # the same page is left as it was
    result = runner.invoke(cli, ["render", str(HUAIAN), "-o", str(tmp_path / "报告.docx"), "--html"])
    assert result.exit_code == 0 and "未改动：" in result.output


def test_batch_render_writes_a_page_beside_each_docx(runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for sample in SAMPLES:
        shutil.copy(sample, folder / sample.name)
    result = runner.invoke(cli, ["batch", "render", str(folder), "--out", str(tmp_path / "out"), "--html", "-j", "1"])
    assert result.exit_code == 0, result.output
    for sample in SAMPLES:
        page = tmp_path / "out" / f"{sample.stem}.html"
        assert (tmp_path / "out" / f"{sample.stem}.docx").exists()
        assert toolkit.load(sample).report.agency.name in page.read_text(encoding="utf-8")


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def elements(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    return parser


def test_hostile_text_stays_text():
    report = hostile()
    page = elements(render_html(report))
    tags = [tag for tag, _ in page.tags]
    assert "script" not in tags and "img" not in tags and "b" not in tags
    text = "".join(page.text)
    assert report.agency.name in text
    assert '</p><img src=x onerror="alert(1)"><p>' in text and "<b>粗</b> & <!-- -->" in text


def test_the_page_is_self_contained_and_every_cell_is_ruled():
    html = render_html(REPORTS["distinct"])
    page = elements(html)
    assert page.tags[0] == ("html", {"lang": "zh-CN"})
    assert not [a for _, attrs in page.tags for k, a in attrs.items() if k in ("src", "href") and a and not a.startswith("data:")]
    assert not [t for t, _ in page.tags if t in ("script", "link", "iframe", "object")]
    assert "default-src 'none'" in html
    cells = [attrs for tag, attrs in page.tags if tag in ("td", "th")]
    assert len(cells) == sum(len(grid(t).cells) for t in REPORTS["distinct"].format.tables.values())
    assert all("border:1px solid #000" in a["style"] for a in cells)
    assert all(a.get("scope") in ("row", "col", "rowgroup", "colgroup") for t, a in page.tags if t == "th")
    assert [t for t, _ in page.tags].count("caption") == 3


# -- in the browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium():
    reason = browser.available()
    if reason:
        if REQUIRED:
            pytest.fail(f"the browser tests must run here: {reason} (see .ci/run)")
        pytest.skip(reason)
    with browser.chromium() as instance:
        yield instance


def expected_labels(fmt, ref):
    """(labels above, labels to the left) of a figure, as the statutory format prints it."""
    table = fmt.tables[ref.table]
    row, column, block = table.row(ref.row), fmt.column(ref), table.block_of(ref.row)
    if table.layout == "blocks":
        return (block.title, column.name), row.label
    if table.layout == "grid":
        return column.label, row.label
    return row.label + (column.name,), ()


def read_back(slots, r, c):
    """The header cells over slot (r, c), up its column and along its row, as a browser's table model
    resolves them: the nearest unbroken run of th cells in each direction."""
    def run(positions):
        found = []
        for i, j in positions:
            cell = slots[i][j]
            if cell["tag"] != "th":
                if found:
                    break
                continue
            if cell not in found:
                found.append(cell)
        return tuple(reversed(found))
    return run((i, c) for i in range(r - 1, -1, -1)), run((r, j) for j in range(c - 1, -1, -1))


def assert_every_figure_under_its_labels(page, report):
    """Read each table back from the DOM and find every figure under its own row and column labels."""
    fmt = report.format
    tables, printed = browser.tables(page), [s.table for s in fmt.sections if s.table]
    assert [t["caption"] for t in tables] == [fmt.table_section(k).heading.partition("、")[2] for k in printed]
    for table_key, table in zip(printed, tables, strict=True):
        slots, read = table["slots"], {}
        ids = {cell["id"]: cell for row in slots for cell in row if cell["id"]}
        for r, row in enumerate(slots):
            for c, cell in enumerate(row):
                if cell["tag"] != "td" or not NUMBER.fullmatch(cell["text"]) or (cell["row"], cell["col"]) != (r, c):
                    continue
                above, left = read_back(slots, r, c)
                labels = (tuple(h["text"] for h in above), tuple(h["text"] for h in left))
                assert labels not in read, f"two figures under {labels}"
                read[labels] = cell["text"]
                # What a screen reader announces: the cells named in headers="…", the same ones.
                assert [ids[i] for i in cell["headers"].split()] == list(above + left)
                assert all(h["scope"] in ("col", "colgroup", "rowgroup") for h in above)
                assert all(h["scope"] in ("row", "rowgroup") for h in left)
        refs = [ref for ref in fmt.iter_cells() if ref.table == table_key]
        assert len(read) == len(refs)
        for ref in refs:
            assert read[expected_labels(fmt, ref)] == str(report.value(ref)), fmt.label(ref)


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_every_figure_sits_under_its_own_labels_in_the_browser(chromium, name, tmp_path):
    report = REPORTS[name]
    assert_every_figure_under_its_labels(browser.open_page(chromium, write_page(report, tmp_path)), report)


def test_block_titles_are_row_group_headers(chromium, tmp_path):
    page = browser.open_page(chromium, write_page(REPORTS["huaian-2024"], tmp_path))
    titles = page.evaluate("() => [...document.querySelectorAll('table.blocks tbody > tr:first-child > *')]"
                           ".map(c => [c.tagName, c.scope, c.colSpan, c.textContent])")
    assert [t[3] for t in titles] == ["第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项", "第二十条第（八）项"]
    assert all(t[:3] == ["TH", "rowgroup", 4] for t in titles)


@pytest.mark.parametrize("name", ["huaian-2024", "taocun-2022", "distinct", "format-2019", "hostile"])
def test_axe_finds_no_accessibility_violations(chromium, name, tmp_path):
    report = hostile() if name == "hostile" else REPORTS[name]
    page = browser.open_page(chromium, write_page(report, tmp_path))
    assert page.evaluate("() => document.querySelectorAll('script').length") == 0
    assert page.title() == report.title
    violations = browser.axe_violations(page)
    assert [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations] == []


@pytest.mark.parametrize("viewport, scale", [(browser.PHONE, 2), ({"width": 640, "height": 450}, 2)],
                         ids=["phone", "200-percent-zoom"])
def test_text_reflows_and_tables_scroll_inside_their_box(chromium, viewport, scale, tmp_path):
    page = browser.open_page(chromium, write_page(REPORTS["distinct"], tmp_path), viewport, scale)
    assert not browser.page_overflows(page)
    boxes = page.evaluate("() => [...document.querySelectorAll('.table-scroll')].map(b => "
                          "[b.scrollWidth > b.clientWidth, b.tabIndex, b.getAttribute('role')])")
    assert boxes[1][0], "table 三 is wider than a phone: it must scroll inside its own box"
    assert all(tab == 0 and role == "region" for _, tab, role in boxes)  # reachable by keyboard to scroll
    paragraph = page.evaluate("() => document.querySelector('main p').getBoundingClientRect().width")
    assert paragraph <= viewport["width"]


def test_print_stylesheet_gives_a4_pages_with_every_figure(chromium, tmp_path):
    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        pytest.skip("poppler-utils is not installed")
    report = REPORTS["huaian-2024"]
    page = browser.open_page(chromium, write_page(report, tmp_path))
    page.emulate_media(media="print")
    pdf = tmp_path / "print.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts \(A4\)", info)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "一、本年新收政府信息公开申请数量" in re.sub(r"\s+", "", text)
    assert "3001 53 0 0 61 4 3119" in re.sub(r"\s+", " ", text)
    assert "72 64 178 37 351 13 4 8 1 26 12 1 1 6 20" in re.sub(r"\s+", " ", text)


def test_screenshots_at_desktop_and_phone_width(chromium, tmp_path):
    from PIL import Image

    page_file = write_page(REPORTS["huaian-2024"], tmp_path)
    for name, viewport, scale in (("desktop", browser.DESKTOP, 1), ("phone", browser.PHONE, 2)):
        page = browser.open_page(chromium, page_file, viewport, scale)
        page.evaluate("() => document.getElementById('applications').scrollIntoView()")
        shot = tmp_path / f"{name}.png"
        page.screenshot(path=str(shot))
        image = Image.open(shot).convert("L")
        assert image.size == (viewport["width"] * scale, viewport["height"] * scale)
        dark = sum(image.histogram()[:100])
        assert dark > image.size[0] * image.size[1] * 0.01  # text and ruled tables, not a blank page


def test_an_unfinished_report_is_a_marked_draft_page(runner, draft_text, tmp_path):
    data = tmp_path / "2025.yaml"
    data.write_text(draft_text, encoding="utf-8")
    page = tmp_path / "草稿.html"
    result = runner.invoke(cli, ["render", str(data), "-o", str(page)])
    assert result.exit_code != 0 and not page.exists()
    result = runner.invoke(cli, ["render", str(data), "-o", str(page), "--draft"])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert html.index("征求意见稿") < html.index("<h1>") and "【待填写】" in html
    assert toolkit.api.load(page).report.agency.name == "某某乡人民政府"


@pytest.mark.parametrize("name", ["real/huaian-2024.pdf", "real/web/103.txt"])
def test_a_real_published_report_read_back_makes_a_page_that_reads_back_the_same(name, shared, chromium, tmp_path):
    loaded = toolkit.api.load(shared / name)
    assert loaded.unread == []
    report = loaded.report
    page = write_page(report, tmp_path)
    back = toolkit.api.load(page)
    assert back.unread == []
    assert [str(r) for r in report.format.iter_cells() if back.report.value(r) != report.value(r)] == []
    assert {k: n.texts() for k, n in back.report.narrative.items() if n.texts()} == \
           {k: n.texts() for k, n in report.narrative.items() if n.texts()}
    opened = browser.open_page(chromium, page)
    assert browser.axe_violations(opened) == []


def test_axe_does_report_what_it_should(chromium, tmp_path):
    """The checker is live: a page with the faults the report page avoids is caught."""
    path = tmp_path / "bad.html"
    path.write_text('<html><body><table><tr><th></th><td>1</td></tr></table><img src="data:,"></body></html>',
                    encoding="utf-8")
    found = {v["id"] for v in browser.axe_violations(browser.open_page(chromium, path))}
    assert {"html-has-lang", "image-alt", "document-title", "empty-table-header"} <= found


def fictional_format(folder):
    """The 2021 format with one more applicant column and one more outcome row, as a data file only."""
    import yaml
    from importlib import resources

    data = yaml.safe_load(resources.files("toolkit.formats").joinpath("2021.yaml").read_text(encoding="utf-8"))
    data.update(version="2099", first_year=2099)
    table = data["tables"]["applications"]
    table["columns"].insert(5, {"key": "individual", "label": ["申请人情况", "法人或其他组织", "个体工商户"]})
    next(c for c in table["columns"] if c["key"] == "total")["sum_of"].insert(5, "individual")
    at = next(i for i, r in enumerate(table["rows"]) if r["key"] == "other_misc")
    table["rows"].insert(at + 1, {"key": "other_test", "label": ["三、本年度办理结果", "（六）其他处理", "4.测试事项"]})
    next(r for r in table["rows"] if r["key"] == "total")["sum_of"].append("other_test")
    (folder / "2099.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return toolkit.get_format("2099")


def test_a_format_added_as_data_gets_its_page_data_and_chart(chromium, monkeypatch, tmp_path):
    from toolkit.publish import chart, opendata

    monkeypatch.setenv("GOVREPORT_FORMATS", str(tmp_path))
    fmt = fictional_format(tmp_path)
    report = distinct_figures(toolkit.model.Report.blank("某某县某某局", 2099, fmt))
    report.narrative.clear()
    page = browser.open_page(chromium, write_page(report, tmp_path))
    assert_every_figure_under_its_labels(page, report)
    slots = browser.tables(page)[1]["slots"]
    header = [cell["text"] for cell in slots[2]]
    assert "个体工商户" in header and len(slots[0]) == 3 + 8
    assert any(cell["text"] == "4.测试事项" for row in slots for cell in row)
    assert browser.axe_violations(page) == []
    for kind in ("json", "csv"):
        path = tmp_path / f"r.{kind}"
        path.write_bytes(opendata.to_json(report).encode() if kind == "json" else opendata.to_csv(report))
        back = opendata.load(path)
        assert back.format.version == "2099"
        assert [str(r) for r in fmt.iter_cells() if back.value(r) != report.value(r)] == []
    panels = chart.comparison(report, report)
    assert "个体工商户" in [b.label for b in panels[0].bars]
    other = next(b for b in panels[1].bars if b.label == "其他处理")
    rows = ("other_no_correction", "other_unpaid_fee", "other_misc", "other_test")
    assert other.this_year == sum(report.value(CellRef("applications", r, "total")) for r in rows)
