"""The web page on a phone, measured in Chromium: a table wider than the screen says that it scrolls
(phones hide scrollbars until touched), and the chart's text stays at least 12 px."""

from __future__ import annotations

import base64
import re

import pytest

import toolkit
from toolkit.publish import chart
from toolkit.publish.html import Picture, render_html

from . import browser
from .test_chart import LAST, THIS
from .test_html import REPORTS, chromium  # noqa: F401  (the fixture)

WIDTHS = [320, 390, 480, 560, 700, 800, 1280]


def write(tmp_path, report, picture=None, name="page.html"):
    path = tmp_path / name
    path.write_text(render_html(report, picture), encoding="utf-8")
    return path


def cues(page) -> list[tuple[str, bool, bool, str]]:
    """Each table box: its layout, whether it scrolls, whether its cue shows, and the cue's words."""
    # A scroll timeline takes effect at the next animation frames after layout, as the page is shown.
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    return page.evaluate("""() => [...document.querySelectorAll('.table-scroll')].map(box => {
        const cue = getComputedStyle(box, '::before');
        return [box.className.replace('table-scroll', '').trim(), box.scrollWidth > box.clientWidth + 1,
                cue.display !== 'none', cue.content];
    })""")


@pytest.mark.parametrize("name", ["huaian-2024", "format-2019"])
def test_a_table_shows_its_scroll_cue_exactly_where_it_scrolls(chromium, name, tmp_path):
    path = write(tmp_path, REPORTS[name])
    seen = set()
    for width in WIDTHS:
        page = browser.open_page(chromium, path, {"width": width, "height": 800})
        for layout, scrolls, shown, words in cues(page):
            assert shown == scrolls, (width, layout, scrolls, shown)
            if shown:
                assert "左右滑动" in words
            seen.add((width, layout, scrolls))
        page.context.close()
    assert (390, "grid", True) in seen and (1280, "grid", False) in seen  # table 三 scrolls on a phone only
    if name == "huaian-2024":
        assert (390, "blocks", False) in seen  # table 二 fits a phone: no cue


def test_the_cue_is_visible_on_a_phone_and_stays_in_view_while_scrolling(chromium, tmp_path):
    page = browser.open_page(chromium, write(tmp_path, REPORTS["huaian-2024"]), browser.PHONE, 2)
    box = page.locator("#applications ~ .table-scroll").first
    box.scroll_into_view_if_needed()
    with_cue = box.bounding_box()["height"]
    page.add_style_tag(content=".table-scroll.table-scroll.table-scroll::before { display: none !important; }")
    without_cue = box.bounding_box()["height"]
    assert with_cue - without_cue >= 12  # a line of text above the table, not a hairline
    page.evaluate("() => document.head.lastElementChild.remove()")
    page.evaluate("() => document.querySelectorAll('.table-scroll')[1].scrollLeft = 200")
    after = page.evaluate("""() => {
        const box = document.querySelectorAll('.table-scroll')[1];
        const cue = getComputedStyle(box, '::before');
        return [box.scrollLeft, cue.position, cue.display, parseFloat(cue.fontSize), cue.color];
    }""")
    assert after[0] == 200 and after[1] == "sticky" and after[2] == "block"
    assert after[3] >= 12 and after[4] == "rgb(51, 51, 51)"
    # Generated content: not in the page's text, so a copy or a read-back never carries it.
    assert "滑动" not in page.evaluate("() => document.body.innerText")


def test_the_cue_is_not_printed(chromium, tmp_path):
    page = browser.open_page(chromium, write(tmp_path, REPORTS["huaian-2024"]), browser.PHONE)
    page.emulate_media(media="print")
    assert all(not shown for _, _, shown, _ in cues(page))


def _smallest_text_px(page, svg: bytes, width: float) -> float:
    """The smallest text of an SVG drawn ``width`` px wide, as Chromium renders it."""
    source = re.sub(r"^.*?(?=<svg)", "", svg.decode("utf-8"), flags=re.S)
    return page.evaluate("""([source, width]) => {
        const holder = document.createElement('div');
        holder.innerHTML = source;
        const svg = holder.querySelector('svg');
        svg.style.width = width + 'px';
        svg.style.height = 'auto';
        document.body.appendChild(holder);
        const sizes = [...svg.querySelectorAll('text')].map(
            t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
        holder.remove();
        return Math.min(...sizes);
    }""", [source, width])


@pytest.fixture(scope="module")
def drawn():
    return chart.draw(THIS, LAST)


@pytest.mark.parametrize("width", [320, 390])
def test_chart_text_is_at_least_12_px_at_phone_width(chromium, drawn, width, tmp_path):
    path = write(tmp_path, THIS, Picture(drawn.svg, drawn.description, phone_svg=drawn.phone_svg))
    page = browser.open_page(chromium, path, {"width": width, "height": 844}, 2, bypass_csp=False)
    page.wait_for_function("() => document.querySelector('figure img').complete")
    source, shown = page.evaluate("() => { const i = document.querySelector('figure img');"
                                  " return [i.currentSrc, i.getBoundingClientRect().width]; }")
    assert base64.b64decode(source.partition(",")[2]) == drawn.phone_svg  # the phone's picture was chosen
    assert width - 40 < shown <= width  # as wide as the text column
    measuring = browser.open_page(chromium, path, {"width": width, "height": 844})
    assert _smallest_text_px(measuring, drawn.phone_svg, shown) >= 12
    # The paper picture shrunk to the same width would not do: that is why the phone has its own.
    assert _smallest_text_px(measuring, drawn.svg, shown) < 8


def test_desktop_keeps_the_paper_chart(chromium, drawn, tmp_path):
    path = write(tmp_path, THIS, Picture(drawn.svg, drawn.description, phone_svg=drawn.phone_svg))
    page = browser.open_page(chromium, path, browser.DESKTOP, bypass_csp=False)
    page.wait_for_function("() => document.querySelector('figure img').complete")
    source = page.evaluate("() => document.querySelector('figure img').currentSrc")
    assert base64.b64decode(source.partition(",")[2]) == drawn.svg


def test_the_phone_chart_states_the_same_figures(drawn):
    texts = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", drawn.phone_svg.decode("utf-8")))
    for panel in chart.comparison(THIS, LAST):
        for bar in panel.bars:
            assert str(bar.this_year) in texts
    for label in ("自然人", "予以公开", "行政复议", "淮安市人民政府", "2025年", "2024年"):
        assert label in drawn.phone_svg.decode("utf-8")


def test_render_puts_both_pictures_in_the_page(runner, tmp_path):
    from toolkit.cli import cli

    from .test_chart import HUAIAN

    this = tmp_path / "2025.yaml"
    this.write_text(toolkit.dumps(THIS), encoding="utf-8")
    result = runner.invoke(cli, ["render", str(this), "--previous", str(HUAIAN), "-o", str(tmp_path / "r.html"),
                                 "--chart"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.count("<picture>") == 1 and '<source media="(max-width: 30em)" srcset="data:image/svg+xml;base64,' in page
