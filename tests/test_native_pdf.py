"""The native PDF path: Typst typesets the report from the layout data, in this process.

Checked on the pages themselves: the text read back (pdftotext, then ``extract``) gives every
figure, label, narrative and signature; fonts are embedded and subset; the structure tree tags
headings, paragraphs and every table cell, row labels as row headers; page size, type area and
page numbers follow GB/T 9704; PDF/A-2 metadata and output intent; page counts equal LibreOffice's.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings

import toolkit
from toolkit import api
from toolkit.cli import cli
from toolkit.layout import grid
from toolkit.render import fonts, native, tagging, typeset
from toolkit.render.builder import PAGE

from .conftest import SAMPLES
from .test_layout import LONG_NAME, stress_report
from .test_properties import consistent_reports

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")

MM = 72 / 25.4
HOSTILE = '#pagebreak() $x^2$ \\ "引号" <标签> @引用 *粗* _斜_ // 注释 /* 块 */ [方括号] {花括号} `代码` = 标题'


def sample_reports():
    return [*(toolkit.load(p).report for p in SAMPLES), stress_report(True), stress_report(False)]


REPORT_IDS = [*(p.stem for p in SAMPLES), "stress-sealed", "stress-unsealed"]


def pdf_lines(pdf: bytes) -> list[tuple[int, float, float, float, float, str]]:
    """(page, x0, y0, x1, y1, text) of every printed line (pdftotext -bbox-layout)."""
    done = subprocess.run(["pdftotext", "-bbox-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    lines = []
    for number, page in enumerate(re.findall(rb"<page .*?</page>", done.stdout, re.S), 1):
        for box, body in re.findall(rb'<line (xMin="[^>]*)>(.*?)</line>', page, re.S):
            x0, y0, x1, y1 = (float(v) for v in re.findall(rb'"([\d.]+)"', box))
            text = "".join(w.decode() for w in re.findall(rb">([^<]*)</word>", body))
            lines.append((number, x0, y0, x1, y1, text))
    return lines


def squeezed_text(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True)
    return re.sub(r"\s+", "", done.stdout.decode())


def read_back(pdf: bytes, tmp_path, name: str = "report.pdf") -> api.Loaded:
    path = tmp_path / name
    path.write_bytes(pdf)
    return api.load(path)


def structure(pdf: bytes):
    """(tag, element) of every structure element, depth first."""
    document = pikepdf.open(io.BytesIO(pdf))
    return document, list(structure_of(document.Root.StructTreeRoot.K))


def table_attributes(node) -> pikepdf.Dictionary:
    return next(a for a in node.A if a.get("/O") == "/Table")


@pytest.fixture(scope="module")
def pdfs():
    return {name: native.report_pdf(report) for name, report in zip(REPORT_IDS, sample_reports())}


@pytest.mark.parametrize("index", range(len(REPORT_IDS)), ids=REPORT_IDS)
def test_read_back_gives_every_figure_narrative_and_signature(pdfs, index, tmp_path):
    report = sample_reports()[index]
    pdf = pdfs[REPORT_IDS[index]]
    loaded = read_back(pdf, tmp_path)
    back = loaded.report
    assert not loaded.unread
    assert back.agency.name == report.agency.name and back.year == report.year
    for ref in report.format.iter_input_cells():
        assert str(back.value(ref)) == str(report.value(ref)), ref
    for key, narrative in report.narrative.items():
        # extract may read a run-in part title (「（一）主动公开情况。」) as a title of its own, and
        # (from the .docx too) the first line of a 落款 broken over two lines as the last paragraph's end
        assert re.sub(r"\s+", "", "".join(back.narrative[key].texts())).startswith(
            re.sub(r"\s+", "", "".join(narrative.texts()))), key
    text = re.sub(r"—\d+—", "", squeezed_text(pdf))  # a paragraph may run over a page number
    for section in report.format.sections:
        assert section.heading in text
        if section.table:
            for cell in grid(report.format.tables[section.table]).label_cells():
                assert re.sub(r"\s+", "", cell.text or "") in text
    if report.signature.show:
        assert f"{report.date.year}年{report.date.month}月{report.date.day}日" in text


def test_a_name_that_fits_on_one_line_stays_on_one_line(pdfs):
    """The 落款 of the stress report (32 characters, broken between words into two lines) ends two
    characters from the right margin, and a short name is one line."""
    report = toolkit.load(SAMPLES[0]).report
    lines = pdf_lines(pdfs[SAMPLES[0].stem])
    name = report.signature.name or report.agency.name
    assert any(text == name for *_, text in lines), name
    right = (PAGE["width"].mm - PAGE["right"].mm) * MM
    lines = pdf_lines(pdfs["stress-unsealed"])
    last = max(line[0] for line in lines)
    signature = [line for line in lines if line[0] == last and line[5] and line[5] in LONG_NAME]
    assert "".join(line[5] for line in signature) == LONG_NAME
    for *_, x1, _, text in signature:  # each line ends two characters (三号, condensed) from the margin
        assert abs(x1 - (right - 2 * 15.75)) < 2, (text, x1)


@pytest.mark.parametrize("index", range(len(REPORT_IDS)), ids=REPORT_IDS)
def test_fonts_are_embedded_and_subset_in_the_faces_of_the_word_template(pdfs, index, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(pdfs[REPORT_IDS[index]])
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:]]
    assert rows and all(row[-5:-2] == ["yes", "yes", "yes"] for row in rows), listing
    names = " ".join(row[0] for row in rows)
    body = fonts.face("仿宋_GB2312").free.split(" ")[0].replace("AR PL ", "")  # UMing or Fandol...
    for face in (body, "NotoSansCJKsc", "NotoSerifCJKsc-Regular", "NotoSerifCJKsc-Bold", "LiberationSerif"):
        assert face in names, (face, names)
    assert "Libertinus" not in names and "NewCM" not in names  # Typst's own faces never stand in
    assert native.missing_faces() == []


@pytest.mark.parametrize("index", range(len(REPORT_IDS)), ids=REPORT_IDS)
def test_every_table_cell_is_tagged_with_its_row_and_column_headers(pdfs, index):
    report = sample_reports()[index]
    document, elements = structure(pdfs[REPORT_IDS[index]])
    assert str(document.Root.Lang) == "zh-CN" and document.Root.MarkInfo.Marked is True
    ids = pikepdf.NameTree(document.Root.StructTreeRoot.IDTree)
    tags = [tag for tag, _ in elements]
    tables = [node for tag, node in elements if tag == "/Table"]
    assert len(tables) == sum(1 for s in report.format.sections if s.table)
    figures = expected_figures = 0
    for table, section in zip(tables, [s for s in report.format.sections if s.table]):
        layout = grid(report.format.tables[section.table])
        cells = [node for tag, node in structure_of(table) if tag in ("/TD", "/TH")]
        assert len(cells) >= len(layout.cells)  # a group label cut by a page break is a cell on each page
        row_headers = {id(n) for n in cells if n.S == "/TH" and table_attributes(n).get("/Scope") == "/Row"}
        for node in cells:
            attributes = table_attributes(node)
            if node.S == "/TD":
                figures += 1
                headers = [str(h) for h in attributes.Headers]
                assert headers, "a figure without headers"
                assert all(h in ids for h in headers)
                scopes = {str(table_attributes(ids[h]).Scope) for h in headers}
                assert "/Column" in scopes
                if layout.table.layout != "line":  # table 四 is one line under its headers
                    assert "/Row" in scopes, headers
            else:
                assert attributes.Scope in ("/Row", "/Column")
        expected_figures += len(layout.figure_cells())
        expected_rows = len(tagging.row_headers(list(layout.cells)))
        assert len(row_headers) == expected_rows + len(cells) - len(layout.cells)
    assert figures == expected_figures
    assert tags.count("/H1") == len(report.format.sections)
    parts = [part for n in report.narrative.values() for part in n.parts]
    assert "/Title" in tags and tags.count("/H2") == len(parts)
    assert tags.count("/P") >= sum(len(n.paragraphs) for n in report.narrative.values()) + \
        sum(len(part.paragraphs) for part in parts)


def structure_of(node):
    if isinstance(node, pikepdf.Array):
        for child in node:
            yield from structure_of(child)
    elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
        yield str(node.S), node
        if "/K" in node:
            yield from structure_of(node.K)


def test_headings_carry_the_section_names_and_metadata_the_title(pdfs):
    report = toolkit.load(SAMPLES[0]).report
    document, elements = structure(pdfs[SAMPLES[0].stem])
    texts = squeezed_text(pdfs[SAMPLES[0].stem])
    assert all(s.heading in texts for s in report.format.sections)
    assert str(document.docinfo.Title) == report.title and str(document.docinfo.Author) == report.agency.name
    with document.open_metadata() as xmp:
        assert xmp["dc:title"] == report.title and "zh-CN" in str(xmp.get("dc:language"))
    assert document.Root.ViewerPreferences.DisplayDocTitle is True


def test_page_is_a4_with_the_gbt_9704_type_area_and_outer_page_numbers(pdfs):
    pdf = pdfs[SAMPLES[0].stem]
    document = pikepdf.open(io.BytesIO(pdf))
    for page in document.pages:
        width, height = (float(v) for v in page.MediaBox[2:])
        assert abs(width - 210 * MM) < 0.5 and abs(height - 297 * MM) < 0.5
    left, right = PAGE["left"].mm * MM, (210 - PAGE["right"].mm) * MM
    top, bottom = PAGE["top"].mm * MM, (297 - PAGE["bottom"].mm) * MM
    lines = pdf_lines(pdf)
    numbers = {}
    for page, x0, y0, x1, y1, text in lines:
        if re.fullmatch(r"—\d+—", text):
            numbers[page] = (x0, x1, y0)
            continue
        # An opening bracket starting a line is set in half its width, GB style; a closing one may hang.
        assert left - (9 if text[0] in "（《“‘" else 1) <= x0 and x1 <= right + 12, (page, text)
        assert top - 4 <= y0 and y1 <= bottom + 2, (page, text)
    assert sorted(numbers) == list(range(1, len(document.pages) + 1))
    for page, (x0, x1, y0) in numbers.items():
        assert y0 > bottom
        if page % 2:
            assert abs(x1 - (right - 14)) < 3, (page, x1)  # odd pages: right, one 4号 character in
        else:
            assert abs(x0 - (left + 14)) < 3, (page, x0)
    report = toolkit.load(SAMPLES[0]).report
    title = [line for line in lines if line[5] in (report.agency.name, f"{report.year}年政府信息公开工作年度报告")]
    assert len(title) == 2
    for *_, x0, _, x1, _, text in title:
        assert abs((x0 + x1) / 2 - (left + right) / 2) < 2, text  # the title is centred on the type area
    body = [line for line in lines if line[0] == 1 and line[4] - line[2] < 18 and not re.fullmatch(r"—\d+—", line[5])]
    pitches = {round(b[2] - a[2], 1) for a, b in zip(body, body[1:]) if 20 < b[2] - a[2] < 35}
    assert pitches and all(abs(p - 28.95) < 1.2 for p in pitches), pitches  # 22 lines in 225 mm


def page_texts(pdf: bytes) -> list[str]:
    done = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True)
    return [re.sub(r"\s+", "", page) for page in done.stdout.decode().split("\f")]


def test_a_table_running_onto_the_next_page_restarts_its_group_label(pdfs):
    """The huaian report's table 三 runs onto the next page: its header rows and the group label
    「三、本年度办理结果」 are printed on both pages, each tagged as the header of its rows there."""
    pdf = pdfs[SAMPLES[0].stem]
    pages = page_texts(pdf)
    found = [number for number, text in enumerate(pages) if "三、本年度办理结果" in text]
    assert len(found) == 2 and found[1] == found[0] + 1
    assert all("申请人情况" in pages[number] for number in found)
    document, elements = structure(pdf)
    groups = [node for tag, node in elements if tag == "/TH" and "/ActualText" not in node
              and table_attributes(node).get("/Scope") == "/Row" and int(table_attributes(node).get("/RowSpan", 1)) > 1
              and str(node.ID).startswith("R2x0")]
    spans = sorted(int(table_attributes(node).RowSpan) for node in groups)
    layout = grid(toolkit.load(SAMPLES[0]).report.format.tables["applications"])
    whole = next(c for c in layout.label_cells() if c.text == "三、本年度办理结果")
    assert len(spans) == 2 and sum(spans) == whole.rowspan


def test_markup_in_the_data_is_printed_as_text(tmp_path):
    report = toolkit.load(SAMPLES[0]).report
    key = next(iter(report.narrative))
    report.narrative[key].paragraphs = [HOSTILE, *report.narrative[key].paragraphs[1:]]
    report.agency.name = "某某县#set text(red)人民政府"
    pdf = native.report_pdf(report)
    text = squeezed_text(pdf)
    assert re.sub(r"\s+", "", HOSTILE) in text
    assert "某某县#settext(red)人民政府" in text


def test_draft_is_marked_and_unread_figures_show_a_dash(tmp_path):
    report = toolkit.load(SAMPLES[0]).report
    ref = next(iter(report.format.iter_input_cells()))
    report.unread = {ref}
    pdf = native.report_pdf(report, draft=True)
    text = squeezed_text(pdf)
    assert text.startswith("征求意见稿") and "—" in text
    assert pikepdf.open(io.BytesIO(pdf)).docinfo.Title == f"【征求意见稿】{report.title}"


def test_pdfa_has_its_identification_output_intent_and_no_transparency():
    pdf = native.report_pdf(toolkit.load(SAMPLES[0]).report, pdfa=True)
    document = pikepdf.open(io.BytesIO(pdf))
    with document.open_metadata() as xmp:
        assert xmp["pdfaid:part"] == "2" and xmp["pdfaid:conformance"] == "A"
        assert xmp["pdfuaid:part"] == "1"
    (intent,) = document.Root.OutputIntents
    assert intent.S == "/GTS_PDFA1" and intent.DestOutputProfile.N == 3
    for page in document.pages:
        assert page.obj.get("/Group") is None or page.Group.get("/S") != "/Transparency"
        for state in page.Resources.get("/ExtGState", {}).values():
            assert state.get("/SMask", pikepdf.Name.None_) == pikepdf.Name.None_
            assert float(state.get("/CA", 1)) == 1 and float(state.get("/ca", 1)) == 1
    assert pdf.count(b"/FontFile") >= 5  # every face embedded


def test_open_pdfua_checker_finds_nothing(tmp_path):
    pdfua = pytest.importorskip("pdfua")
    path = tmp_path / "r.pdf"
    path.write_bytes(native.report_pdf(toolkit.load(SAMPLES[0]).report, pdfa=True))
    report = pdfua.validate(str(path))
    assert [f for f in report.findings if str(f.severity).upper().endswith(("ERROR", "WARNING"))] == []


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(consistent_reports())
def test_random_valid_reports_read_back_exactly(report):
    import tempfile
    from pathlib import Path

    pdf = native.report_pdf(report)
    with tempfile.TemporaryDirectory() as folder:
        loaded = read_back(pdf, Path(folder))
    for ref in report.format.iter_input_cells():
        assert str(loaded.report.value(ref)) == str(report.value(ref)), ref


def test_render_writes_the_native_pdf_by_default_and_office_when_asked(runner, tmp_path, monkeypatch):
    out = tmp_path / "r.docx"
    assert runner.invoke(cli, ["render", str(SAMPLES[0]), "-o", str(out), "--pdf"]).exit_code == 0
    assert b"Typst" in out.with_suffix(".pdf").read_bytes()
    only = tmp_path / "only.pdf"
    result = runner.invoke(cli, ["render", str(SAMPLES[0]), "-o", str(only), "--pdfa"])
    assert result.exit_code == 0 and not only.with_suffix(".docx").exists()
    result = runner.invoke(cli, ["render", str(SAMPLES[0]), "-o", str(tmp_path / "x.pdf"), "--pdfa",
                                 "--pdf-engine", "office"])
    assert result.exit_code == 2 and "PDF/A" in result.output and "Traceback" not in result.output


def test_render_again_leaves_the_same_pdf_unchanged(runner, tmp_path):
    out = tmp_path / "r.pdf"
    assert runner.invoke(cli, ["render", str(SAMPLES[0]), "-o", str(out)]).exit_code == 0
    result = runner.invoke(cli, ["render", str(SAMPLES[0]), "-o", str(out)])
    assert result.exit_code == 0 and "未改动" in result.output


def test_engine_choice_follows_the_template():
    assert api.pdf_engine_for(None) == api.NATIVE
    assert api.pdf_engine_for(SAMPLES[0]) == api.OFFICE
    assert api.pdf_engine_for(None, chart=True) == api.OFFICE
    assert api.pdf_engine_for(SAMPLES[0], asked=api.NATIVE) == api.NATIVE


def test_batch_typesets_pdfs_in_its_workers(runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for sample in SAMPLES:
        shutil.copy(sample, folder)
    result = runner.invoke(cli, ["batch", "render", str(folder), "--out", str(tmp_path / "out"), "--pdf", "-j", "2"])
    assert result.exit_code == 0, result.output
    assert "转换 PDF" not in result.output  # no LibreOffice stage: every report took the native path
    for sample in SAMPLES:
        pdf = (tmp_path / "out" / f"{sample.stem}.pdf").read_bytes()
        assert toolkit.load(sample).report.agency.name in squeezed_text(pdf)


def test_an_empty_part_title_is_left_out_and_a_character_no_font_has_is_named():
    report = toolkit.load(SAMPLES[1]).report
    narrative = next(n for n in report.narrative.values() if n.parts)
    narrative.parts[0].title = ""
    assert narrative.parts[0].paragraphs[0][:10] in squeezed_text(native.report_pdf(report))
    narrative.parts[0].paragraphs = ["𠀀字"]
    with pytest.raises(toolkit.ToolkitError, match="U\\+20000"):
        native.report_pdf(report)


def test_a_table_shape_kept_between_runs_is_the_one_the_search_finds(tmp_path, monkeypatch):
    from toolkit.render import builder, shapecache
    from toolkit.render.geometry import table_geometry

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    layout = grid(toolkit.load(SAMPLES[0]).report.format.tables["applications"])
    settings = (builder.TYPE_AREA_TWIPS, 9.0, builder.CELL_MARGIN_TWIPS)
    searched = table_geometry(layout, *settings)
    assert shapecache.remembered(layout, settings, lambda: searched) == searched
    assert len(list((tmp_path / "govreport" / "shapes").iterdir())) == 1
    assert shapecache.remembered(layout, settings, lambda: pytest.fail("searched again")) == searched


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_page_count_equals_libreoffices(sample):
    from toolkit.render import docx_to_pdf, find_office, render

    from .test_office import REQUIRED

    if find_office() is None:
        if REQUIRED:
            pytest.fail("LibreOffice must be installed for this test (see .ci/run)")
        pytest.skip("LibreOffice is not installed")
    report = toolkit.load(sample).report
    office = pikepdf.open(io.BytesIO(docx_to_pdf(render(report))))
    assert len(pikepdf.open(io.BytesIO(native.report_pdf(report))).pages) == len(office.pages)


def test_table_cells_are_shaded_and_figures_narrowed_as_the_format_and_report_say(tmp_path):
    """Table 二's 第二十条 rows carry the format's fill (C6D9F1), as in the Word template; figures
    that fit are printed at full width (the huaian sample narrows nothing)."""
    from PIL import Image

    report = toolkit.load(next(p for p in SAMPLES if "huaian" in p.name)).report
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(native.report_pdf(report))
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "p")], check=True)
    shaded = sum(1 for page in sorted(tmp_path.glob("p-*.png"))
                 for pixel in Image.open(page).convert("RGB").getdata() if pixel == (198, 217, 241))
    assert shaded > 500
    assert "scale(x:" not in typeset.markup(report)
