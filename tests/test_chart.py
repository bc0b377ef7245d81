"""The chart of the year: the figures it is drawn from, the SVG's own bars and texts, and its place in the
.docx, the PDF and the web page."""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile

import pytest

import toolkit
from toolkit.publish import chart
from toolkit.cli import cli
from toolkit.formats import CellRef
from toolkit.publish.html import Picture, render_html

from . import browser
from .conftest import SAMPLES

REQUIRED = os.environ.get("GOVREPORT_REQUIRE_OFFICE") == "1" or os.environ.get("CI") == "true"
HUAIAN = next(p for p in SAMPLES if "huaian" in p.name)
SVG = "{http://www.w3.org/2000/svg}"


def next_year(previous):
    """A consistent 2025 report after the 2024 sample: carried over, with new figures of its own."""
    report = toolkit.new_report(None, previous.year + 1, previous=previous)
    report.narrative = copy.deepcopy(previous.narrative)
    report.date = previous.date
    figures = {
        ("new_received", "natural_person"): 2500, ("new_received", "commercial"): 70, ("new_received", "legal_service"): 45,
        ("disclosed", "natural_person"): 1500, ("partially_disclosed", "natural_person"): 300,
        ("withheld_state_secret", "natural_person"): 3, ("unavailable_not_held", "natural_person"): 600,
        ("rejected_petition", "natural_person"): 40, ("other_misc", "natural_person"): 60,
        ("disclosed", "commercial"): 70, ("disclosed", "legal_service"): 45,
    }
    for (row, col), value in figures.items():
        report.figures[CellRef("applications", row, col)] = value
    carried = report.value(CellRef("applications", "carried_over", "natural_person"))  # 103 from 2024
    report.figures[CellRef("applications", "carried_forward", "natural_person")] = 2500 + carried - 2503
    for row, col, value in (("reconsideration", "upheld", 80), ("reconsideration", "pending", 9),
                            ("litigation_direct", "corrected", 2), ("litigation_after_review", "other", 14)):
        report.figures[CellRef("appeals", row, col)] = value
    return report


LAST = toolkit.load(HUAIAN).report
THIS = next_year(LAST)


def test_the_pair_is_a_consistent_report():
    assert [f for f in toolkit.check(THIS, LAST) if f.severity == "error"] == []


def test_the_chart_compares_each_category_by_its_official_label():
    panels = chart.comparison(THIS, LAST)
    as_tuples = [[(b.label, b.this_year, b.last_year) for b in p.bars] for p in panels]
    assert as_tuples[0] == [("自然人", 2500, 3001), ("商业企业", 70, 53), ("科研机构", 0, 0), ("社会公益组织", 0, 0),
                            ("法律服务机构", 45, 61), ("其他", 0, 4)]
    # 2024 by hand from the sample: 不予公开 2+31+5+6+8+12+9+105, 无法提供 769+11+1, 不予处理 62+25+0+0+1, 其他处理 71+6+110.
    assert as_tuples[1] == [("予以公开", 1615, 1362), ("部分公开", 300, 454), ("不予公开", 3, 178), ("无法提供", 600, 781),
                            ("不予处理", 40, 88), ("其他处理", 60, 187)]
    assert as_tuples[2] == [("行政复议", 89, 351), ("行政诉讼（未经复议直接起诉）", 2, 26), ("行政诉讼（复议后起诉）", 14, 20)]
    assert sum(b.last_year for b in panels[1].bars) == LAST.value(CellRef("applications", "total", "total")) == 3050


def test_last_year_in_the_2019_format_is_found_by_the_same_labels():
    previous = toolkit.new_report("某某县某某局", 2020)
    previous.figures[CellRef("applications", "other_handling", "natural_person")] = 7
    previous.figures[CellRef("applications", "new_received", "research")] = 5
    current = toolkit.new_report("某某县某某局", 2021)
    panels = chart.comparison(current, previous)
    assert ("其他处理", 0, 7) in [(b.label, b.this_year, b.last_year) for b in panels[1].bars]
    assert ("科研机构", 0, 5) in [(b.label, b.this_year, b.last_year) for b in panels[0].bars]


@pytest.fixture(scope="module")
def drawn():
    return chart.draw(THIS, LAST)


def _bar_width(element) -> float:
    """The width of a horizontal bar from its SVG path: ``M x0 y0 L x1 y0 L x1 y1 L x0 y1 z``."""
    d = element.find(f"{SVG}path").get("d")
    xs = [float(x) for x in re.findall(r"[ML]\s*(-?[\d.]+)\s+-?[\d.]+", d)]
    return max(xs) - min(xs)


def test_the_svg_bars_and_texts_are_the_figures(drawn):
    root = ET.fromstring(drawn.svg)
    groups = {g.get("id"): g for g in root.iter(f"{SVG}g") if g.get("id")}
    for index, panel in enumerate(chart.comparison(THIS, LAST)):
        scale = []
        for i, bar in enumerate(panel.bars):
            for series, value in (("this", bar.this_year), ("last", bar.last_year)):
                text = "".join(groups[f"value-{index}-{i}-{series}"].itertext()).strip()
                assert text == str(value)
                width = _bar_width(groups[f"bar-{index}-{i}-{series}"])
                if value:
                    scale.append(width / value)
                else:
                    assert width == pytest.approx(0, abs=1e-6)
        assert max(scale) == pytest.approx(min(scale), rel=1e-4)  # bar lengths proportional to the figures
    texts = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    for label in ("自然人", "予以公开", "行政复议", "2025年", "2024年", "淮安市人民政府", "办理结果（件）"):
        assert label in texts


def test_the_chart_is_in_the_report_typefaces(drawn):
    root = ET.fromstring(drawn.svg)
    styles = [t.get("style") for t in root.iter(f"{SVG}text")]
    assert all("'SimSun', '宋体'" in s or "'SimHei', '黑体'" in s for s in styles)
    if shutil.which("fc-list"):
        installed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
        assert any(family in installed for family in ("Noto Serif CJK SC", "AR PL UMing CN", "WenQuanYi Zen Hei"))


def test_the_png_is_the_type_area_wide(drawn):
    from PIL import Image
    import io

    image = Image.open(io.BytesIO(drawn.png))
    assert image.format == "PNG" and abs(image.size[0] - round(chart.WIDTH_CM / 2.54 * 200)) <= 2
    assert chart.draw(THIS, LAST) == drawn  # the same report gives the same bytes


def test_the_description_states_every_figure(drawn):
    for panel in chart.comparison(THIS, LAST):
        for bar in panel.bars:
            assert f"{bar.label}{bar.this_year}件（2024年{bar.last_year}件）" in drawn.description


@pytest.fixture
def pair(tmp_path):
    this, last = tmp_path / "2025.yaml", tmp_path / "2024.yaml"
    this.write_text(toolkit.dumps(THIS), encoding="utf-8")
    shutil.copy(HUAIAN, last)
    return this, last


def test_render_places_the_chart_in_the_docx_and_the_page(pair, runner, tmp_path):
    this, last = pair
    out = tmp_path / "报告.docx"
    result = runner.invoke(cli, ["render", str(this), "--previous", str(last), "-o", str(out), "--html", "--chart"])
    assert result.exit_code == 0, result.output
    assert out.with_suffix(".png").read_bytes().startswith(b"\x89PNG")
    assert b"<svg" in out.with_suffix(".svg").read_bytes()
    with zipfile.ZipFile(out) as package:
        assert [n for n in package.namelist() if n.startswith("word/media/")] != []
        body = package.read("word/document.xml").decode("utf-8")
    tables = [m.start() for m in re.finditer("<w:tbl>", body)]
    picture = body.index("<wp:docPr")
    assert len(tables) == 3 and picture > tables[2] and picture < body.index("五、存在的主要问题及改进情况")
    assert "行政复议89件（2024年351件）" in body  # the picture's alt text
    back = toolkit.api.load(out).report
    assert [str(r) for r in THIS.format.iter_cells() if back.value(r) != THIS.value(r)] == []
    page = out.with_suffix(".html").read_text(encoding="utf-8")
    assert page.count('<img src="data:image/svg+xml;base64,') == 1 and "行政复议89件（2024年351件）" in page
    back = toolkit.api.load(out.with_suffix(".html"))
    assert back.unread == [] and [str(r) for r in THIS.format.iter_cells() if back.report.value(r) != THIS.value(r)] == []


def test_the_chart_needs_last_year(runner, tmp_path):
    result = runner.invoke(cli, ["render", str(HUAIAN), "-o", str(tmp_path / "r.docx"), "--chart"])
    assert result.exit_code == 2 and "--previous" in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_chart_alone(pair, runner, tmp_path):
    this, last = pair
    result = runner.invoke(cli, ["render", str(this), "--previous", str(last), "-o", str(tmp_path / "对比.svg")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2024.yaml", "2025.yaml", "对比.svg"]


def test_libreoffice_prints_the_picture(pair, runner, tmp_path):
    from toolkit.render import find_office

    if find_office() is None or shutil.which("pdfimages") is None:
        if REQUIRED:
            pytest.fail("LibreOffice and poppler-utils must be installed for this test (see .ci/run)")
        pytest.skip("LibreOffice or pdfimages is not installed")
    this, last = pair
    out = tmp_path / "报告.pdf"
    result = runner.invoke(cli, ["render", str(this), "--previous", str(last), "-o", str(out), "--chart"])
    assert result.exit_code == 0, result.output
    images = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True, check=True).stdout
    assert [line.split()[2] for line in images.splitlines()[2:]] == ["image", "smask"]  # one picture (and its alpha)
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "五、存在的主要问题及改进情况" in re.sub(r"\s+", "", text)


def test_the_page_with_its_chart_passes_axe(tmp_path):
    reason = browser.available()
    if reason:
        if REQUIRED:
            pytest.fail(reason)
        pytest.skip(reason)
    drawn = chart.draw(THIS, LAST)
    path = tmp_path / "page.html"
    path.write_text(render_html(THIS, Picture(drawn.svg, drawn.description)), encoding="utf-8")
    with browser.chromium() as instance:
        # Under the page's own policy (no bypass): the inline styles apply and the SVG loads.
        strict = browser.open_page(instance, path, bypass_csp=False)
        size = strict.evaluate("() => { const i = document.querySelector('figure img'); return [i.naturalWidth, i.width]; }")
        assert size[0] > 0 and size[1] <= 46 * 18  # the SVG loaded and fits the column
        style = strict.evaluate("() => getComputedStyle(document.querySelector('td')).borderTopStyle")
        assert style == "solid"
        assert strict.evaluate("() => getComputedStyle(document.querySelector('main')).maxWidth") != "none"
        assert browser.axe_violations(browser.open_page(instance, path)) == []


def test_hostile_names_stay_text_in_the_svg():
    report = copy.deepcopy(THIS)
    report.agency.name = '某某局<script>alert("x")</script>&amp;'
    root = ET.fromstring(chart.draw(report, LAST).svg)  # well-formed: the name is escaped
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    assert any(report.agency.name in "".join(t.itertext()) for t in root.iter(f"{SVG}text"))
