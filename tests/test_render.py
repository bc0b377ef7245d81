"""Rendering to .docx: content in every cell, official layout, safe templates."""

import io
import zipfile

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

import toolkit
from toolkit import CellRef
from toolkit.errors import TemplateError
from toolkit.layout import grid
from toolkit.render import builder, default_template, render
from toolkit.render.signature import layout, printed_width
from toolkit.model import Narrative

from .conftest import ROOT, SAMPLES

TAOCUN = next(p for p in SAMPLES if "taocun" in p.name)


def rendered(report, template=None) -> docx.Document:
    return docx.Document(io.BytesIO(render(report, template)))


def body_texts(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.text.strip()]


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_every_heading_label_and_figure_is_in_the_document(sample):
    report = toolkit.load(sample).report
    document = rendered(report)
    texts = body_texts(document)
    positions = [texts.index(section.heading) for section in report.format.sections]
    assert positions == sorted(positions)
    tables = [s.table for s in report.format.sections if s.table]
    assert len(document.tables) == len(tables)
    for table, key in zip(document.tables, tables):
        layout = grid(report.format.tables[key])
        assert (len(table.rows), len(table.columns)) == (layout.rows, layout.cols)
        for cell in layout.cells:
            text = table.cell(cell.row, cell.col).text
            assert text == (str(report.value(cell.ref)) if cell.ref else cell.text), (key, cell)
            assert text != ""


def test_seed_content_and_signature():
    report = toolkit.load(TAOCUN).report
    texts = body_texts(rendered(report))
    assert texts[:2] == ["朔州市平鲁区陶村乡人民政府", "2022年政府信息公开工作年度报告"]
    assert "（一）强化领导，统筹推进。" in texts
    assert texts[-2].strip() == "朔州市平鲁区陶村乡人民政府" and texts[-1].strip() == "2022年12月15日"


def test_signature_layout_follows_gbt_9704():
    # Indents in characters of a 28-character line; a digit is half a character, with a fifth of a
    # character where Chinese meets digits.
    block = layout("某某县某某乡人民政府", "2023年1月16日", sealed=False, chars=28)
    assert block.name_align == "right" and block.name_indents == (0, 2)  # two characters from the margin
    name_start = 28 - 2 - 10
    assert 28 - block.date_indents[1] - printed_width("2023年1月16日") == name_start + 2  # two right of the name
    # A date longer than the name ends two characters from the margin; the name moves left.
    block = layout("某局", "2023年12月16日", sealed=False, chars=28)
    assert block.date_indents[1] == 2 and 28 - block.name_indents[1] - 2 + 2 == 28 - 2 - printed_width("2023年12月16日")
    # Sealed: the date ends four characters from the margin, the name centred over it.
    block = layout("某某县某某局", "2023年12月16日", sealed=True, chars=28)
    assert block.date_indents == (0, 4) and block.name_align == "center"
    left, right = block.name_indents
    assert (left + 28 - right) / 2 == 28 - 4 - printed_width("2023年12月16日") / 2


def test_rendered_signature_is_placed_by_indents_not_spaces():
    paragraphs = rendered(toolkit.load(TAOCUN).report).paragraphs
    name, date = paragraphs[-2], paragraphs[-1]
    assert name.text == "朔州市平鲁区陶村乡人民政府" and date.text == "2022年12月15日"  # no padding
    assert name.alignment == date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    char = Pt(16) - Pt(0.25)  # 三号, condensed a quarter point to set 28 characters in the line
    assert abs(name.paragraph_format.right_indent - 2 * char) < Pt(0.1)
    assert name.paragraph_format.keep_with_next and paragraphs[-3].paragraph_format.keep_with_next


def test_page_setup_styles_and_fonts():
    document = rendered(toolkit.load(TAOCUN).report)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)] == [37, 35, 28, 26]
    grid_element = section._sectPr.find(qn("w:docGrid"))
    assert grid_element.get(qn("w:type")) == "lines"
    assert round(int(grid_element.get(qn("w:linePitch"))) / 20 * 22 / 72 * 25.4) == 225  # 22 lines fill 225 mm
    expected = {"报告标题": ("方正小标宋简体", 22), "一级标题": ("黑体", 16), "二级标题": ("楷体_GB2312", 16),
                "报告正文": ("仿宋_GB2312", 16), "表格小字": ("宋体", 9), "页码": ("宋体", 14)}
    for name, (font, size) in expected.items():
        style = document.styles[name]
        fonts = style.element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == font, name
        assert style.font.size == Pt(size), name
    indent = document.styles["报告正文"].element.pPr.find(qn("w:ind"))
    assert indent.get(qn("w:firstLineChars")) == "200"
    headings = [p for p in document.paragraphs if p.text == "一、总体情况"]
    assert headings[0].style.name == "一级标题"
    subheads = [p for p in document.paragraphs if p.text.startswith("（一）强化领导")]
    assert subheads[0].style.name == "二级标题"


def test_page_numbers_odd_right_even_left():
    document = rendered(toolkit.load(SAMPLES[0]).report)
    section = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.alignment == 2 and even.alignment == 0  # RIGHT, LEFT
    for paragraph in (odd, even):
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert "PAGE" in "".join(t.text for t in paragraph._p.iter(qn("w:instrText")))


def test_every_table_cell_has_single_black_borders():
    document = rendered(toolkit.load(SAMPLES[0]).report)
    for table in document.tables:
        for tc in table._tbl.iter(qn("w:tc")):
            borders = tc.tcPr.find(qn("w:tcBorders"))
            for side in ("top", "left", "bottom", "right"):
                edge = borders.find(qn(f"w:{side}"))
                assert (edge.get(qn("w:val")), edge.get(qn("w:color"))) == ("single", "000000")
        width = sum(c.width for c in table.columns)
        assert abs(width - Mm(156)) < Mm(1)


def test_markup_and_control_characters_are_escaped():
    report = toolkit.load(SAMPLES[0]).report
    nasty = 'A&B <w:p> "引号" \'单引号\' {{ agency }} {% if %} \x01\x0b结束'
    report.narrative["problems"] = Narrative([nasty])
    report.agency.name = "某<局>&"
    data = render(report)
    document = docx.Document(io.BytesIO(data))
    texts = body_texts(document)
    assert 'A&B <w:p> "引号" \'单引号\' {{ agency }} {% if %} 结束' in texts
    assert texts[0] == "某<局>&"
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert b"\x01" not in package.read("word/document.xml")


def _template_with(tmp_path, text: str):
    document = docx.Document(default_template("2021"))
    document.add_paragraph(text)
    path = tmp_path / "custom.docx"
    document.save(path)
    return path


def test_missing_variable_is_an_error(tmp_path):
    path = _template_with(tmp_path, "{{ sections.overviw.paragraphs }}")
    with pytest.raises(TemplateError, match="没有的变量"):
        render(toolkit.load(SAMPLES[0]).report, path)


@pytest.mark.parametrize("attack", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ agency.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
])
def test_template_cannot_reach_python_internals(tmp_path, attack):
    path = _template_with(tmp_path, attack)
    with pytest.raises(TemplateError):
        render(toolkit.load(SAMPLES[0]).report, path)


def test_shipped_templates_are_reproducible_from_code():
    for version in toolkit.versions():
        shipped = (ROOT / "templates" / f"{version}.docx").read_bytes()
        assert builder.template_bytes(version) == shipped, f"run python -m toolkit.render.builder ({version})"
        assert default_template(version).read_bytes() == shipped


def test_rendering_is_deterministic():
    report = toolkit.load(SAMPLES[0]).report
    assert render(report) == render(report)


def test_2019_format_renders_its_own_tables():
    report = toolkit.new_report("某局", 2020)
    report.figures[CellRef("proactive", "licensing", "change")] = -8
    document = rendered(report)
    texts = body_texts(document)
    assert "第二十条第（九）项" in [c.text for t in document.tables for c in t._cells]
    assert "-8" in [c.text for c in document.tables[0]._cells]
    assert len(document.tables[1].rows) == 3 + 23
    assert "2020年政府信息公开工作年度报告" in texts
