"""Layout rules that hold for any format and any agency: derived table widths, no stranded label
character, figures on one line, titles and 落款 broken between words, valid OOXML."""

import datetime
import io
import re
import zipfile
from pathlib import Path

import docx
import openxml_audit
import pytest
import yaml
from docx.oxml.ns import qn

import toolkit
from toolkit import CellRef
from toolkit.formats import get_format
from toolkit.formats.loader import parse_format
from toolkit.layout import grid
from toolkit.render import builder, render
from toolkit.render.signature import layout, printed_width
from toolkit.render.geometry import balanced, break_lines, em_width, split_words, strands, table_geometry, words
from toolkit.render.package import normalized_docx

from .conftest import ROOT, SAMPLES

FORMATS = ROOT / "toolkit" / "formats"
LONG_NAME = "新疆维吾尔自治区伊犁哈萨克自治州察布查尔锡伯自治县人民政府办公室"


def stress_report(seal: bool):
    """The huaian report under a 32-character agency name, with 9-digit figures in every table."""
    report = toolkit.load(next(p for p in SAMPLES if "huaian" in p.name)).report
    report.agency.name = LONG_NAME
    report.signature.name = None
    report.signature.seal = seal
    report.signature.show = True
    report.date = datetime.date(2025, 1, 16)
    big = {
        CellRef("proactive", "licensing", "decisions"): 987654321,
        CellRef("proactive", "fees", "amount"): 12345.6789,
        CellRef("applications", "new_received", "natural_person"): 123456789,
        CellRef("applications", "withheld_state_secret", "legal_service"): 234567891,
        CellRef("appeals", "reconsideration", "upheld"): 345678912,
    }
    for ref in list(report.figures):
        if ref.table in ("applications", "appeals"):
            report.figures[ref] = 0
    report.figures.update(big)
    return report


def validate(data: bytes, tmp_path: Path, name: str) -> list[str]:
    path = tmp_path / name
    path.write_bytes(data)
    result = openxml_audit.OpenXmlValidator().validate(path)
    return [str(error) for error in result.errors]


@pytest.mark.parametrize("version", toolkit.versions())
def test_templates_pass_the_schema_validator(version, tmp_path):
    assert validate(builder.template_bytes(version), tmp_path, f"{version}.docx") == []


@pytest.mark.parametrize("report", [*(toolkit.load(p).report for p in SAMPLES), stress_report(True), stress_report(False)],
                         ids=[*(p.stem for p in SAMPLES), "stress-sealed", "stress-unsealed"])
def test_rendered_reports_pass_the_schema_validator(report, tmp_path):
    assert validate(render(report), tmp_path, "report.docx") == []


def test_document_properties_are_honest():
    report = toolkit.load(SAMPLES[0]).report
    with zipfile.ZipFile(io.BytesIO(render(report))) as package:
        names = package.namelist()
        core = package.read("docProps/core.xml").decode()
        app = package.read("docProps/app.xml").decode()
    assert not any("thumbnail" in n or "stylesWithEffects" in n for n in names)
    assert "Microsoft" not in app and "<Application>govreport</Application>" in app
    assert "2013" not in core
    assert f"<dc:creator>{report.agency.name}</dc:creator>" in core
    assert f"<dc:title>{report.title}</dc:title>" in core
    assert "dcterms:created" not in core  # no date given, none claimed
    dated = stress_report(True)
    with zipfile.ZipFile(io.BytesIO(render(dated))) as package:
        core = package.read("docProps/core.xml").decode()
    assert '<dcterms:created xsi:type="dcterms:W3CDTF">2025-01-16T00:00:00Z</dcterms:created>' in core
    assert f"<dc:creator>{LONG_NAME}</dc:creator>" in core


@pytest.mark.parametrize("version", toolkit.versions())
def test_tables_are_exactly_the_type_area_wide(version):
    document = docx.Document(io.BytesIO(builder.template_bytes(version)))
    for table in document.tables:
        tbl = table._tbl
        widths = [int(c.get(qn("w:w"))) for c in tbl.tblGrid.iter(qn("w:gridCol"))]
        assert sum(widths) == builder.TYPE_AREA_TWIPS  # 156 mm
        assert int(tbl.tblPr.find(qn("w:tblW")).get(qn("w:w"))) == builder.TYPE_AREA_TWIPS
        assert len(tbl.tblPr.findall(qn("w:tblLayout"))) == 1


@pytest.mark.parametrize("version", toolkit.versions())
def test_every_label_breaks_without_a_stranded_character_and_figures_fit(version):
    fmt = get_format(version)
    for key, table in fmt.tables.items():
        layout = grid(table)
        size = builder.SIZE[builder.STYLES[builder.TABLE_STYLE[table.layout]][1]].pt
        shape = table_geometry(layout, builder.TYPE_AREA_TWIPS, size, builder.CELL_MARGIN_TWIPS)
        assert shape.stranded == (), key
        em = size * 20
        for cell in layout.figure_cells():
            room = shape.widths[cell.col] - 2 * builder.CELL_MARGIN_TWIPS
            assert em_width("999999999") * em * shape.figure_scale / 100 <= room, (key, cell)
        for cell in layout.label_cells():
            capacity = (sum(shape.widths[cell.col: cell.col + cell.colspan]) - 2 * builder.CELL_MARGIN_TWIPS
                        - 2 * shape.indents.get((cell.row, cell.col), 0)) / em
            lines = break_lines(cell.text, capacity - 0.2)  # narrower than laid out: rounding never strands
            assert not strands(lines, capacity - 0.2), (key, cell.text, lines)


def test_line_breaking_follows_chinese_rules():
    assert break_lines("（三）不予公开", 6) == ("（三）不予公", "开") and strands(("（三）不予公", "开"), 6)
    assert balanced("（三）不予公开", 6) == (("（三）不予", "公开"), 5.5)  # a narrower measure, no lone 开
    assert not any(line.startswith("）") for line in break_lines("（三）不予公开", 2.5))  # closing marks never start a line
    assert break_lines("自然人", 2) == ("自然", "人") and balanced("自然人", 2) == (("自", "然", "人"), 1.5)  # stacked
    assert break_lines("4.保护第三方合法权益", 9) == ("4.保护第三方合法权", "益")
    lines, measure = balanced("4.保护第三方合法权益", 9)
    assert len(lines) == 2 and min(map(em_width, lines)) >= 2 and measure < 9


def test_a_format_with_one_more_column_builds(tmp_path):
    data = yaml.safe_load((FORMATS / "2021.yaml").read_text(encoding="utf-8"))
    columns = data["tables"]["applications"]["columns"]
    columns.insert(-1, {"key": "village", "label": ["申请人情况", "法人或其他组织", "村（居）民委员会"]})
    columns[-1]["sum_of"].append("village")
    fmt = parse_format(data)
    document = builder.build(fmt)
    table = document.tables[1]
    assert len(table.columns) == grid(fmt.tables["applications"]).cols == 11
    widths = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.iter(qn("w:gridCol"))]
    assert sum(widths) == builder.TYPE_AREA_TWIPS
    assert "村（居）民委员会" in [c.text for c in table._cells]
    assert validate(normalized_docx(document), tmp_path, "wide.docx") == []


def test_title_breaks_between_words():
    assert words(LONG_NAME) == ["新疆维吾尔自治区", "伊犁哈萨克自治州", "察布查尔锡伯自治县", "人民政府办公室"]
    lines = split_words(LONG_NAME, 20)
    assert "".join(lines) == LONG_NAME and len(lines) == 2
    assert lines == ["新疆维吾尔自治区伊犁哈萨克自治州", "察布查尔锡伯自治县人民政府办公室"]
    assert split_words("淮安市人民政府", 20) == ["淮安市人民政府"]
    assert split_words("内蒙古自治区呼伦贝尔市莫力达瓦达斡尔族自治旗大杨树镇人民政府", 20)[-1].endswith("镇人民政府")
    text = body_text(render(stress_report(False)))
    assert text[0] == "\n".join(lines)


def body_text(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs if p.text.strip()]


@pytest.mark.parametrize("seal", [False, True])
def test_signature_breaks_a_name_only_when_it_does_not_fit(seal):
    date = "2025年1月16日"
    nineteen = "江苏省淮安市清江浦区市场监督管理局"[:17] + "本部"
    assert layout(nineteen, date, seal, 28).name_lines == (nineteen,)  # fits: one line
    block = layout(LONG_NAME, date, seal, 28)
    assert "".join(block.name_lines) == LONG_NAME and len(block.name_lines) == 2
    left, right = block.name_indents
    widest = max(map(em_width, block.name_lines))
    if seal:  # the date ends four characters from the margin; the name centred on it
        assert block.date_indents[1] >= 4 and layout("某某县某某局", date, True, 28).date_indents == (0, 4)
        date_centre = 28 - block.date_indents[1] - printed_width(date) / 2
        assert abs((left + 28 - right) / 2 - date_centre) < 1e-9 and 28 - right - left >= widest
    else:  # the name ends two from the margin, the date starts two right of the name's first character
        assert block.name_indents == (0, 2) and block.name_align == "right"
        assert 28 - block.date_indents[1] - printed_width(date) == 28 - 2 - widest + 2
        short = layout("某某局", date, False, 28)  # a date longer than the name ends two from the margin
        assert short.date_indents[1] == 2 and short.name_indents[1] == 2 + printed_width(date) + 2 - 3


def test_heading_after_a_table_has_space_before():
    document = docx.Document(io.BytesIO(render(toolkit.load(SAMPLES[0]).report)))
    body = document.element.body
    after_table = []
    for element in body:
        if element.tag == qn("w:tbl"):
            after_table.append(element.getnext())
    assert len(after_table) == 3
    for p in after_table:
        paragraph = docx.text.paragraph.Paragraph(p, document)
        assert paragraph.style.name == "一级标题"
        assert paragraph.paragraph_format.space_before > 0


def test_ci_and_readme_install_every_free_face():
    from toolkit.render import fonts

    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme_setup = (ROOT / "README.md").read_text(encoding="utf-8").split("```bash")[2]
    for face in (*fonts.FACES, fonts.LATIN):
        assert face.package in ci and face.package in readme_setup, face
        assert f'"{face.free}"' in ci, face  # checked on the machine before skipping the install


def test_words_keep_common_words_whole_and_hostile_names_stay_fast():
    assert words("某某县市场监督管理局") == ["某某县", "市场监督管理局"]
    assert words("某县乡村振兴局") == ["某县", "乡村振兴局"]
    lines = split_words("某" * 300, 20)  # no word boundary at all: broken evenly, quickly
    assert "".join(lines) == "某" * 300 and max(map(len, lines)) <= 20 and min(map(len, lines)) >= 19


def test_a_long_name_broken_in_the_title_reads_back_whole(tmp_path):
    from toolkit.extract import extract

    path = tmp_path / "report.docx"
    path.write_bytes(render(stress_report(False)))
    assert extract(path).report.agency.name == LONG_NAME


def test_figures_are_narrowed_only_in_the_columns_that_need_it(runner, tmp_path):
    from toolkit.cli import cli
    from toolkit.render import narrowing
    from toolkit.render.context import context

    sample = toolkit.load(next(p for p in SAMPLES if "huaian" in p.name)).report
    assert narrowing.narrowed_columns(sample.format, context(sample)) == {}  # three- and four-digit figures fit
    styles = zipfile.ZipFile(io.BytesIO(render(sample))).read("word/styles.xml")
    assert b"<w:w " not in styles
    report = stress_report(False)
    narrowed = narrowing.narrowed_columns(report.format, context(report))
    assert {(n.table, n.scale) for n in narrowed.values()} == {("applications", 80), ("appeals", 65)}
    assert len(narrowed) == 5  # the columns of the five nine-digit figures (and their totals), no others
    styles = zipfile.ZipFile(io.BytesIO(render(report))).read("word/styles.xml").decode()
    for style in narrowed:
        assert f'w:styleId="{style}"' in styles
        assert re.search(rf'w:styleId="{style}".*?<w:w w:val="(\d+)"/>', styles).group(1) == str(narrowed[style].scale)
    notes = narrowing.notes(report.format, narrowed)
    assert "「行政复议 / 结果维持」所在列的数字较长，已横向压缩至 65%" in "".join(notes)
    data = tmp_path / "stress.yaml"
    data.write_text(toolkit.dumps(report), encoding="utf-8")
    result = runner.invoke(cli, ["render", str(data), "-o", str(tmp_path / "out.docx"), "--ignore-errors"])
    assert "说明：「四、政府信息公开行政复议、行政诉讼情况」中「行政复议 / 结果维持」所在列" in result.output, result.output


def cell_looks(table) -> dict[str, tuple[str | None, str | None]]:
    """Each cell's text -> (paragraph alignment, fill) as the template sets it."""
    looks = {}
    for tc in table._tbl.iter(qn("w:tc")):
        text = "".join(t.text or "" for t in tc.iter(qn("w:t")))
        jc = tc.find(f"{qn('w:p')}/{qn('w:pPr')}/{qn('w:jc')}")
        shading = tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
        looks.setdefault(text, (jc.get(qn("w:val")) if jc is not None else None,
                                shading.get(qn("w:fill")) if shading is not None else None))
    return looks


@pytest.mark.parametrize("version", toolkit.versions())
def test_tables_are_set_as_the_official_template_from_the_format_data(version):
    document = docx.Document(io.BytesIO(builder.template_bytes(version)))
    proactive, applications, appeals = (cell_looks(t) for t in document.tables)
    titles = [b.title for b in get_format(version).tables["proactive"].blocks]
    assert all(proactive[title] == ("left", "C6D9F1") for title in titles)  # 第二十条第（X）项: left, shaded
    assert proactive["信息内容"] == ("center", None)
    assert applications["三、本年度办理结果"][0] == "left" and applications["申请人情况"] == ("center", None)
    assert {look for text, look in appeals.items() if text} == {("center", None)}
    # The same builder with other data sets the cells otherwise: the looks come from the format file.
    data = yaml.safe_load((FORMATS / f"{version}.yaml").read_text(encoding="utf-8"))
    data["table_cells"]["appeals"] = {"header": {"align": "right", "fill": "eeeeee"}}
    restyled = cell_looks(builder.build(parse_format(data)).tables[2])
    assert restyled["行政复议"] == ("right", "EEEEEE")


def test_a_format_file_with_a_wrong_cell_look_is_refused():
    from toolkit.errors import ToolkitError

    data = yaml.safe_load((FORMATS / "2021.yaml").read_text(encoding="utf-8"))
    data["table_cells"]["appeals"] = {"header": {"align": "middle"}}
    with pytest.raises(ToolkitError, match="table_cells.appeals.header"):
        parse_format(data)
