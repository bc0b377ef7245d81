"""The pages as printed, measured on the PDF (pdftotext -bbox, pdffonts): every character of the
.docx on the page and inside the text block, no line opening with a closing mark, no figure split,
the 落款 on its GB/T 9704 marks and on one page, the tables following the text, the true faces.

Every PDF path is listed in PRODUCERS; each is held to the same page."""

import collections
import datetime
import io
import re

import docx
import pytest

import toolkit
from toolkit import CellRef
from toolkit.render import docx_to_pdf, fonts, native, render
from toolkit.render.geometry import em_width
from toolkit.render.pagination import printed_lines

from .conftest import SAMPLES
from .test_layout import LONG_NAME, stress_report
from .test_office import office  # noqa: F401 - a fixture

# How a report becomes a PDF: name -> function (report, its .docx bytes) -> PDF bytes.
PRODUCERS = {"libreoffice": lambda report, word: docx_to_pdf(word),
             "native": lambda report, word: native.report_pdf(report)}

MM = 72 / 25.4
LEFT, RIGHT, TOP = 28 * MM, (210 - 26) * MM, 37 * MM
TYPE_AREA_HEIGHT = 225 * MM
CHAR = 156 * MM / 28  # one character of the 28-character line
NINETEEN = "江苏省淮安市清江浦区市场监督管理局本部"  # 19 characters: fits one line
CLOSING = "。，、；：）」！？"


def forty_paragraphs():
    """A four-character agency with 1- to 9-digit figures and 40 paragraphs in 六 (each with a figure
    and a unit), sealed."""
    report = toolkit.load(next(p for p in SAMPLES if "taocun" in p.name)).report
    report.agency.name = "某某镇政府"[:4]
    report.signature.name, report.signature.seal, report.signature.show = None, True, True
    report.date = datetime.date(2026, 1, 15)
    other = report.narrative["other"]
    other.paragraphs = [f"第{i}项工作共办理{10 ** (i % 9) + i}件，同比增长{i}.5%，涉及群众{123456 * i}人次，"
                        "已全部按期办结并向社会公开。" for i in range(1, 41)]
    other.parts = []
    report.figures[CellRef("applications", "new_received", "natural_person")] = 7
    return report


def nineteen_unsealed():
    report = stress_report(False)
    report.agency.name = NINETEEN
    return report


REPORTS = {
    **{p.stem: (lambda p=p: toolkit.load(p).report) for p in SAMPLES},
    "stress-sealed": lambda: stress_report(True),
    "stress-unsealed": lambda: stress_report(False),
    "nineteen-unsealed": nineteen_unsealed,
    "four-sealed-40": forty_paragraphs,
}


@pytest.fixture(scope="module", params=list(PRODUCERS))
def pages(request, office):
    produce = PRODUCERS[request.param]
    out = {}
    for name, make in REPORTS.items():
        report = make()
        word = render(report)
        out[name] = (report, word, produce(report, word))
    return out


def body_text(word: bytes) -> str:
    """The text of the .docx paragraphs outside tables (table labels are checked by test_office)."""
    return "".join(p.text for p in docx.Document(io.BytesIO(word)).paragraphs)


def test_every_character_of_the_docx_is_printed(pages):
    for name, (report, word, pdf) in pages.items():
        wanted = collections.Counter(re.sub(r"\s", "", body_text(word)))
        printed = collections.Counter(re.sub(r"\s", "", "".join(line.text for line in printed_lines(pdf))))
        lost = {ch: n - printed[ch] for ch, n in wanted.items() if printed[ch] < n}
        assert lost == {}, name


def test_every_line_inside_the_text_block(pages, request):
    if request.node.callspec.params["pages"] == "native":
        # Typst sets a closing mark at a line's end and an opening bracket at its start half a
        # character wide: the ink stays inside, the glyph's box does not. Known; strict, so that
        # the day it holds this test says so.
        request.applymarker(pytest.mark.xfail(strict=True, reason="Typst 的行首行尾标点按半角排"))
    for name, (report, word, pdf) in pages.items():
        lines = printed_lines(pdf)
        assert lines, name
        outside = [(l.page, l.text) for l in lines if l.x0 < LEFT - 0.5 or l.x1 > RIGHT + 0.5]
        assert outside == [], name


def test_no_line_opens_with_a_closing_mark(pages, request):
    if request.node.callspec.params["pages"] == "native":
        # pdftotext cuts a Typst line after a half-width bracket into two pieces (the page image shows
        # one line), so the piece after it reads as a line of its own.
        request.applymarker(pytest.mark.xfail(strict=True, reason="pdftotext 将 Typst 半角括号后的文字另作一行"))
    for name, (report, word, pdf) in pages.items():
        opening = [(l.page, l.text) for l in printed_lines(pdf) if l.text[:1] in CLOSING]
        assert opening == [], name


def test_no_figure_is_split_across_lines(pages):
    """Nor a telephone number after its hyphen (0517- / 83605210)."""
    for name, (report, word, pdf) in pages.items():
        lines = [l for l in printed_lines(pdf) if l.y1 - l.y0 > 17]  # body text (三号), not table cells
        split = [(a.text[-6:], b.text[:6]) for a, b in zip(lines, lines[1:])
                 if a.page == b.page and re.search(r"\d[.-]?$", a.text) and re.match(r"[\d.%-]", b.text)]
        assert split == [], name


def signature_lines(report, pdf):
    lines = printed_lines(pdf)
    date = f"{report.date.year}年{report.date.month}月{report.date.day}日"
    dated = [l for l in lines if l.text == date]
    assert len(dated) == 1, date
    name = report.signature.name or report.agency.name
    i = lines.index(dated[0])
    names, j = [], i - 1
    while "".join(l.text for l in [lines[j], *names]) != name and len("".join(l.text for l in names)) < len(name):
        names.insert(0, lines[j])
        j -= 1
    names.insert(0, lines[j])
    assert "".join(l.text for l in names) == name
    return names, dated[0], lines[j - 1]


def test_signature_block_stays_on_one_page_with_text_above(pages):
    for name, (report, word, pdf) in pages.items():
        if not report.signature.show:
            continue
        names, date, above = signature_lines(report, pdf)
        assert {l.page for l in names} == {date.page} == {above.page}, name


def test_signature_sits_on_its_gbt_9704_marks(pages):
    for name, (report, word, pdf) in pages.items():
        if not report.signature.show:
            continue
        names, date, _ = signature_lines(report, pdf)
        chars_right = lambda line: (RIGHT - line.x1) / CHAR  # noqa: E731
        fits = em_width(report.agency.name) <= 24
        assert len(names) == (1 if fits else 2), name
        if report.signature.seal:
            centre = (date.x0 + date.x1) / 2
            assert all(abs((l.x0 + l.x1) / 2 - centre) < 0.5 * CHAR for l in names), name
            if fits and em_width(report.agency.name) <= 10:
                assert abs(chars_right(date) - 4) < 0.3, name
        else:
            assert_unsealed(names, date, RIGHT, CHAR, 0.3)


def assert_unsealed(names, date, right, char, tolerance):
    """右空二字: the name ends two characters from the margin, the date starts two characters right
    of the name's first character; a date longer than that ends two from the margin instead."""
    chars_right = lambda line: (right - line.x1) / char  # noqa: E731
    assert len({round(chars_right(l), 1) for l in names}) == 1  # the name's lines end together
    assert abs(min(chars_right(names[0]), chars_right(date)) - 2) < tolerance
    assert abs((date.x0 - min(l.x0 for l in names)) / char - 2) < tolerance + 0.2  # digits' widths vary by face


def test_a_table_section_follows_the_text(pages):
    """No page is left less than a third full before a table section's heading."""
    for name, (report, word, pdf) in pages.items():
        lines = printed_lines(pdf)
        for section in report.format.sections:
            if not section.table:
                continue
            heading = next(l for l in lines if l.text.replace(" ", "") == section.heading)
            first_on_page = min((l for l in lines if l.page == heading.page), key=lambda l: l.y0)
            if heading is first_on_page and heading.page > 1:
                bottom = max(l.y1 for l in lines if l.page == heading.page - 1 and l.x1 - l.x0 > 3 * CHAR)
                assert bottom - TOP >= TYPE_AREA_HEIGHT / 3, (name, section.heading)


def test_body_is_set_in_a_true_fangsong(pages):
    for name, (report, word, pdf) in pages.items():
        assert "FandolFang-Regular" in fonts.pdf_fonts(pdf), name
        assert fonts.fallbacks(word, pdf) == [], name


def test_adopted_wps_signature_ends_two_characters_from_its_own_margin(office, shared, tmp_path, runner):
    from toolkit.cli import cli
    from toolkit.render.engine import compile_template
    from toolkit.render.signature import Slots

    template = tmp_path / "本单位模板.docx"
    result = runner.invoke(cli, ["template", "adopt", str(shared / "real/official-template-wps.docx"), "-o", str(template)])
    assert result.exit_code == 0, result.output
    page = docx.Document(str(template)).sections[0]
    report = toolkit.load(next(p for p in SAMPLES if "huaian" in p.name)).report
    report.signature.show, report.signature.seal = True, False
    report.date = datetime.date(2025, 1, 20)
    word = render(report, template)
    slots = compile_template(template)._signature
    assert isinstance(slots, Slots)
    char_pt = slots.measure.char_twips / 20  # the template's own 落款 face: 宋体 12 pt
    assert char_pt == 12
    # An agency's own template is printed by the office suite (the native path sets the default layout).
    names, date, _ = signature_lines(report, docx_to_pdf(word))
    assert_unsealed(names, date, (page.page_width - page.right_margin) / 12700, char_pt, 0.3)


def printed_words(pdf: bytes) -> list[tuple[int, float, float, str]]:
    """(page, x0, x1, text) of every word, from pdftotext -bbox."""
    import subprocess

    from lxml import etree

    out = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    root = etree.fromstring(out, etree.XMLParser(recover=True))
    words = []
    for number, page in enumerate(root.iterfind(".//{*}page"), 1):
        for word in page.iterfind(".//{*}word"):
            words.append((number, float(word.get("xMin")), float(word.get("xMax")), word.text or ""))
    return words


def test_table_4_figures_are_printed_at_full_width_when_they_fit(pages):
    """Table 四's figures (小五, 9 pt: a digit 4.5 pt wide) at >= 90 % of their width, unless too long."""
    for name in ("huaian-2024", "taocun-2022"):
        report, word, pdf = pages[name]
        figures = [str(report.value(CellRef("appeals", row.key, column.key)))
                   for row, column in report.format.tables["appeals"].iter_cells()]
        words = printed_words(pdf)
        heading = report.format.table_section("appeals").heading
        start = next(i for i, w in enumerate(words) if w[3].startswith(heading[:4]))
        row = [w for w in words[start:] if w[3].isdigit()][:len(figures)]  # the first figures after the heading
        assert [w[3] for w in row] == figures, name
        for _, x0, x1, text in row:
            assert (x1 - x0) >= 0.9 * 4.5 * len(text), (name, text, x1 - x0)
