"""Real-client tests: LibreOffice opens every rendered report and prints every heading, label and figure."""

import io
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

import toolkit
from toolkit.cli import cli
from toolkit.layout import grid
from toolkit.render import docx_to_pdf, find_office, fonts, render
from toolkit.render.pagination import continue_merged_labels, printed_lines

from .conftest import SAMPLES

REQUIRED = os.environ.get("GOVREPORT_REQUIRE_OFFICE") == "1" or os.environ.get("CI") == "true"


@pytest.fixture(scope="module")
def office():
    if find_office() is None or shutil.which("pdftotext") is None:
        if REQUIRED:
            pytest.fail("LibreOffice and pdftotext must be installed for these tests (see .ci/run)")
        pytest.skip("LibreOffice or pdftotext is not installed")


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True).stdout


def assert_in_order(haystack: str, needles: list[str]) -> None:
    position = 0
    for needle in needles:
        found = haystack.find(needle, position)
        assert found >= 0, f"not found after position {position}: {needle!r}"
        position = found + len(needle)


def figure_rows(report, table_key):
    """The figures of each printed table row, in order."""
    layout = grid(report.format.tables[table_key])
    rows = {}
    for cell in sorted(layout.figure_cells(), key=lambda c: (c.row, c.col)):
        rows.setdefault(cell.row, []).append(str(report.value(cell.ref)))
    return list(rows.values())


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_libreoffice_prints_everything_in_order(office, sample, tmp_path):
    report = toolkit.load(sample).report
    text = pdf_text(docx_to_pdf(render(report)), tmp_path)
    squeezed = re.sub(r"\s+", "", text)
    headings = [s.heading for s in report.format.sections]
    assert_in_order(squeezed, [report.agency.name, f"{report.year}年政府信息公开工作年度报告", *headings])
    for section in report.format.sections:
        if section.table:
            layout = grid(report.format.tables[section.table])
            labels = [c.text for c in sorted(layout.label_cells(), key=lambda c: (c.row, c.col))]
            start = squeezed.index(section.heading)
            assert_in_order(squeezed[start:], [re.sub(r"\s+", "", label) for label in labels])
            lines = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]
            after = next(i for i, line in enumerate(lines) if line.replace(" ", "") == section.heading)
            for values in figure_rows(report, section.table):
                row = " ".join(values)
                found = next((i for i in range(after, len(lines)) if lines[i] == row or lines[i].endswith(" " + row)), None)
                assert found is not None, f"{section.table}: row {row!r} not printed after line {after}"
                after = found + 1
    for texts in (n.texts() for n in report.narrative.values()):
        for paragraph in texts:
            assert re.sub(r"\s+", "", paragraph)[:20] in squeezed


@pytest.mark.parametrize("engine", ["native", "office"])
def test_render_command_writes_docx_and_pdf(office, runner, tmp_path, engine):
    sample = next(p for p in SAMPLES if "huaian" in p.name)
    out = tmp_path / "报告.docx"
    result = runner.invoke(cli, ["render", str(sample), "-o", str(out), "--pdf", "--pdf-engine", engine])
    assert result.exit_code == 0, result.output
    assert out.exists() and out.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    assert "3119" in pdf_text(out.with_suffix(".pdf").read_bytes(), tmp_path)


# --- Page layout as LibreOffice prints it: faces, figures, labels, titles, 落款 ---------------------

TYPE_AREA_RIGHT_PT = (210 - 26) / 25.4 * 72
CHAR_PT = 156 / 25.4 * 72 / 28  # one character of the 28-character line


@pytest.fixture(scope="module")
def printed(office, tmp_path_factory):
    """The huaian sample and the stress report (sealed and unsealed) as .docx and PDF, converted once."""
    from .test_layout import stress_report

    reports = {"huaian": toolkit.load(next(p for p in SAMPLES if "huaian" in p.name)).report,
               "sealed": stress_report(True), "unsealed": stress_report(False)}
    out = {}
    for name, report in reports.items():
        word = render(report)
        out[name] = (report, word, docx_to_pdf(word))
    return out


def pdf_lines(pdf: bytes) -> list[tuple[int, float, float, float, float, str]]:
    """(page, x0, y0, x1, y1, text) of every printed line, from pdftotext -bbox-layout."""
    return [(l.page, l.x0, l.y0, l.x1, l.y1, l.text) for l in printed_lines(pdf)]


def test_group_labels_are_repeated_where_table_3_runs_onto_the_next_page(printed):
    report, word, pdf = printed["huaian"]
    lines = pdf_lines(pdf)
    first = next(l for l in lines if l[5].startswith("一、本年新收"))
    last = next(l for l in lines if l[5].startswith("四、结转下年度"))
    assert last[0] == first[0] + 1  # the sample's table 三 breaks across two pages
    group = "三、本年度办理结果"
    label_pages = {l[0] for l in lines if l[5].startswith(group[:3]) and l[4] - l[2] < 12}
    assert label_pages == {first[0], last[0]}
    # The .docx itself keeps the statutory merge; the copy converted to PDF restarts it at the break.
    restarted = docx.Document(io.BytesIO(continue_merged_labels(word, pdf)))
    original = docx.Document(io.BytesIO(word))
    count = lambda document: sum(p.text == group for p in document.tables[1]._tbl.iter(qn("w:p"))
                                 for p in [docx.text.paragraph.Paragraph(p, None)])
    assert (count(original), count(restarted)) == (1, 2)


def test_pdf_sets_the_faces_apart_and_warns_of_none(printed):
    for name, (report, word, pdf) in printed.items():
        families = {fonts._stem(f) for f in fonts.pdf_fonts(pdf)}
        assert {"notoserifcjk", "notosanscjk", "fandolfang"} <= families, (name, families)  # title/宋, 黑, 仿宋
        assert len(families) >= 3
        assert fonts.fallbacks(word, pdf) == [], name
    bold = [f for f in fonts.pdf_fonts(printed["huaian"][2]) if "Bold" in f]
    assert bold and all("NotoSerif" in f for f in bold)  # the title in the heavy serif


def test_fallback_is_reported_for_a_face_the_pdf_lacks(printed):
    report = toolkit.load(next(p for p in SAMPLES if "taocun" in p.name)).report  # has 楷体 sub-heads
    found = fonts.fallbacks(render(report), printed["huaian"][2])  # a PDF set without 楷体
    assert [f.face for f in found] == ["楷体_GB2312"]
    assert "楷体_GB2312" in found[0].message() and "fonts-arphic-ukai" in found[0].message()


def test_figures_of_nine_digits_stay_on_one_line(printed):
    for name in ("sealed", "unsealed"):
        words = {line[5] for line in pdf_lines(printed[name][2])} | set(
            pdf_text(printed[name][2], Path(tempfile.mkdtemp())).split())
        for figure in ("987654321", "12345.6789", "123456789", "234567891", "345678912"):
            assert figure in words, (name, figure)


def test_no_table_label_leaves_a_character_alone(printed):
    for name, (report, word, pdf) in printed.items():
        table_lines = [line for line in pdf_lines(pdf) if line[4] - line[2] < 12]  # 五号 and 小五, not 三号
        assert len(table_lines) > 60
        alone = [line for line in table_lines if re.fullmatch(r"[\u3400-\u9fff（）“”、]", line[5])]
        assert alone == [], (name, alone)


def test_long_title_breaks_between_words_and_reads_back_whole(printed, tmp_path):
    from toolkit.extract import extract
    from toolkit.render.geometry import split_words

    report = printed["unsealed"][0]
    first_page = [line[5] for line in pdf_lines(printed["unsealed"][2]) if line[0] == 1]
    expected = split_words(report.agency.name, 20)
    assert len(expected) == 2
    assert first_page[: len(expected) + 1] == [*expected, f"{report.year}年政府信息公开工作年度报告"]
    path = tmp_path / "report.pdf"
    path.write_bytes(printed["unsealed"][2])
    assert extract(path).report.agency.name == report.agency.name


@pytest.mark.parametrize("name", ["sealed", "unsealed"])
def test_signature_sits_where_gbt_9704_puts_it(printed, name):
    from toolkit.render.geometry import split_words

    report, word, pdf = printed[name]
    lines = pdf_lines(pdf)
    last = max(line[0] for line in lines)
    names = [l for l in lines if l[0] == last and l[5] in split_words(report.agency.name, 16)]
    date = next(l for l in lines if l[0] == last and l[5] == "2025年1月16日")
    assert len(names) == 2 and names[0][2] < names[1][2] < date[2]  # name lines, then the date
    for line in names:  # 右空二字: each name line ends two characters from the margin
        assert abs(TYPE_AREA_RIGHT_PT - line[3] - 2 * CHAR_PT) < 0.6 * CHAR_PT, line
        assert line[1] > 28 / 25.4 * 72 + 8 * CHAR_PT  # far from the left margin
    if name == "unsealed":  # the date starts two characters right of the name
        assert abs(date[1] - min(l[1] for l in names) - 2 * CHAR_PT) < 0.6 * CHAR_PT
    else:  # the name centred on the date
        centre = (date[1] + date[3]) / 2
        assert all(abs((l[1] + l[3]) / 2 - centre) < 0.6 * CHAR_PT for l in names)
