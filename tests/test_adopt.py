"""template adopt: offices' own official-format documents become templates; template check proves coverage."""

import io

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.text.paragraph import Paragraph

import toolkit
from toolkit import api
from toolkit.cli import cli
from toolkit.render import default_template, render
from toolkit.office_templates.lint import lint

from .conftest import SAMPLES
from .test_office import assert_in_order, office, pdf_text  # noqa: F401 - office is a fixture

HUAIAN = next(p for p in SAMPLES if "huaian" in p.name)
TAOCUN = next(p for p in SAMPLES if "taocun" in p.name)
FMT = toolkit.get_format("2021")


def huaian(signature: bool = True):
    report = toolkit.load(HUAIAN).report
    report.signature.show = signature
    return report


def reading_order(content: bytes) -> list:
    """Paragraph texts and table cell texts, in document order."""
    document = docx.Document(io.BytesIO(content))
    return [block.text if isinstance(block, Paragraph) else [[c.text for c in row.cells] for row in block.rows]
            for block in document.iter_inner_content()]


@pytest.fixture
def wps_adopted(shared, tmp_path, runner):
    dest = tmp_path / "本单位模板.docx"
    result = runner.invoke(cli, ["template", "adopt", str(shared / "real/official-template-wps.docx"), "-o", str(dest)])
    assert result.exit_code == 0, result.output
    return dest, result.output


def test_wps_template_adopted_says_what_it_replaced(wps_adopted):
    _, output = wps_adopted
    assert "标题“政府信息公开工作年度报告格式模板”已替换" in output
    assert "「一、总体情况」的占位文字“（文字描述）”已替换为段落标签" in output
    assert "「六、其他需要报告的事项」的占位文字“（文字描述，收取信息处理费情况在此处报告。）”" in output
    assert "文末没有落款，已在文末加入落款标签" in output
    assert "模板可用" in output


def test_wps_adopted_renders_everything_and_keeps_its_formatting(wps_adopted, shared, tmp_path):
    template, _ = wps_adopted
    report = huaian()
    out = tmp_path / "out.docx"
    out.write_bytes(render(report, template))
    back = api.load(out).report
    assert back.agency.name == "淮安市人民政府" and back.year == 2024
    for ref in FMT.iter_cells():
        assert back.value(ref) == report.value(ref), ref
    text = "\n".join(p.text for p in docx.Document(out).paragraphs)
    for section in FMT.sections:
        narrative = report.narrative.get(section.key)
        for paragraph in (narrative.texts() if narrative else []):
            assert paragraph in text, (section.heading, paragraph[:20])
    assert "（文字描述）" not in text and "格式模板" not in text
    assert "2024年政府信息公开工作年度报告" in text and "淮安市人民政府" in text
    assert "2025年1月" in text or report.date is None or f"{report.date.year}年{report.date.month}月" in text
    source, rendered = docx.Document(shared / "real/official-template-wps.docx"), docx.Document(out)
    for attribute in ("page_width", "page_height", "top_margin", "bottom_margin", "left_margin", "right_margin"):
        assert getattr(rendered.sections[0], attribute) == getattr(source.sections[0], attribute)
    title = next(p for p in rendered.paragraphs if p.text == "2024年政府信息公开工作年度报告")
    source_title = next(p for p in source.paragraphs if "格式模板" in p.text)
    assert title.style.name == source_title.style.name
    assert title.runs[0].font.size == source_title.runs[0].font.size and title.runs[0].font.bold
    assert rendered.styles["Normal"].font.name == source.styles["Normal"].font.name
    for table in rendered.tables:  # figures written in the table's own text size, not the cells' paragraph marks
        label_size = next(r.font.size for row in table.rows for c in row.cells for r in c.paragraphs[0].runs if r.text.strip())
        figures = [c for row in table.rows for c in row.cells if c.text.strip().isdigit()]
        assert figures and all(c.paragraphs[0].runs[0].font.size == label_size for c in figures)


def test_wps_adopted_signature_and_date_reach_the_output(wps_adopted, tmp_path):
    template, _ = wps_adopted
    report = huaian()
    import datetime

    report.date = datetime.date(2025, 1, 20)
    texts = [t for t in reading_order(render(report, template)) if isinstance(t, str)]
    assert texts[-2].strip() == "淮安市人民政府" and texts[-1].strip() == "2025年1月20日"
    paragraphs = docx.Document(io.BytesIO(render(report, template))).paragraphs
    name = next(p for p in reversed(paragraphs) if p.text == "淮安市人民政府")
    assert name.alignment == WD_ALIGN_PARAGRAPH.RIGHT  # placed by alignment and indents, not padded
    assert name.paragraph_format.right_indent > 0


def test_adopting_a_rendered_report_gives_the_default_templates_output(tmp_path, runner):
    taocun = tmp_path / "taocun.docx"
    taocun.write_bytes(render(toolkit.load(TAOCUN).report))
    template = tmp_path / "adopted.docx"
    result = runner.invoke(cli, ["template", "adopt", str(taocun), "-o", str(template)])
    assert result.exit_code == 0, result.output
    assert "「三、收到和处理政府信息公开申请情况」表格中的" in result.output and "个数字已替换为数字标签" in result.output
    assert "落款“朔州市平鲁区陶村乡人民政府 2022年12月15日”已替换为落款标签" in result.output
    assert "「一、总体情况」的 4 段文字、3 个分项已替换为标签" in result.output
    for signature in (True, False):
        expected = reading_order(render(huaian(signature)))
        assert reading_order(render(huaian(signature), template)) == expected
    styles = [p.style.name for p in docx.Document(io.BytesIO(render(huaian(), template))).paragraphs]
    assert styles == [p.style.name for p in docx.Document(io.BytesIO(render(huaian()))).paragraphs]


def test_a_filled_report_with_a_damaged_table_lists_what_it_could_not_place(tmp_path, runner):
    document = docx.Document(io.BytesIO(render(toolkit.load(TAOCUN).report)))
    table = document.tables[1]
    table._tbl.remove(table.rows[12]._tr)
    source = tmp_path / "damaged.docx"
    document.save(source)
    result = runner.invoke(cli, ["template", "adopt", str(source), "-o", str(tmp_path / "t.docx")])
    assert result.exit_code == 1
    assert "未能放置的内容（1 处）" in result.output
    assert "缺少一行：三、本年度办理结果 / （三）不予公开 / 6.属于四类过程性信息" in result.output
    assert "表格 2" in result.output


def test_adopt_refuses_to_overwrite_and_unreadable_input(tmp_path, runner):
    bad = tmp_path / "bad.docx"
    bad.write_text("not a document")
    result = runner.invoke(cli, ["template", "adopt", str(bad), "-o", str(tmp_path / "t.docx")])
    assert result.exit_code == 2 and "不是有效的 Word" in result.output and "Traceback" not in result.output
    result = runner.invoke(cli, ["template", "adopt", str(default_template("2021")), "-o", str(tmp_path / "t.docx")])
    assert result.exit_code == 2 and "已经含有模板标签" in result.output and not (tmp_path / "t.docx").exists()
    exists = tmp_path / "exists.docx"
    exists.write_bytes(b"keep")
    result = runner.invoke(cli, ["template", "adopt", str(default_template("2021")), "-o", str(exists)])
    assert result.exit_code == 2 and exists.read_bytes() == b"keep"


# -- template check proves coverage -----------------------------------------------------------------


def without(paragraph_texts):
    def edit(document):
        for paragraph in list(document.paragraphs):
            if paragraph.text in paragraph_texts:
                paragraph._p.getparent().remove(paragraph._p)
    return edit


def section_loop_removed(heading, what):
    def edit(document):
        paragraphs = document.paragraphs
        start = next(i for i, p in enumerate(paragraphs) if p.text == heading)
        loop = "paragraphs" if what == "paragraphs" else "parts"
        begin = next(i for i, p in enumerate(paragraphs[start:], start) if loop in p.text and "{%p for" in p.text)
        depth, end = 0, begin
        for end in range(begin, len(paragraphs)):
            text = paragraphs[end].text
            depth += text.startswith("{%p for") - text.startswith("{%p endfor")
            if depth == 0:
                break
        for paragraph in paragraphs[begin:end + 1]:
            paragraph._p.getparent().remove(paragraph._p)
    return edit


def lead_removed(document):
    paragraphs = document.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text == "{%p for p in lead %}")
    for paragraph in paragraphs[start:start + 3]:
        paragraph._p.getparent().remove(paragraph._p)


def replace_text(old, new):
    def edit(document):
        next(p for p in document.paragraphs if p.text == old).text = new
    return edit


def clear_cell(table, row, col):
    def edit(document):
        document.tables[table].cell(row, col).paragraphs[0].text = ""
    return edit


MISSING = [
    (replace_text("{{ title_agency }}", "某某单位"), "标题中的机关名称没有出现在生成的报告中"),
    (replace_text("{{ year }}年政府信息公开工作年度报告", "政府信息公开工作年度报告"), "标题中的年度"),
    (section_loop_removed("一、总体情况", "paragraphs"), "「一、总体情况」的段落没有出现"),
    (section_loop_removed("一、总体情况", "parts"), "「一、总体情况」的分项没有出现"),
    (section_loop_removed("五、存在的主要问题及改进情况", "paragraphs"), "「五、存在的主要问题及改进情况」的段落没有出现"),
    (section_loop_removed("六、其他需要报告的事项", "parts"), "「六、其他需要报告的事项」的分项没有出现"),
    (lead_removed, "导语第 1 段"),
    (without({"{{ signature.name_line }}"}), "落款的署名"),
    (without({"{{ signature.date_line }}"}), "成文日期"),
    (replace_text("{%p if signature %}", "{%p if signature and year == '2021' %}"), "落款的署名"),
    (clear_cell(1, 27, 9), "「四、结转下年度继续办理 / 总计」的单元格缺少数字标签"),
]


@pytest.mark.parametrize("edit, named", MISSING)
def test_a_template_dropping_a_piece_fails_naming_it(tmp_path, edit, named):
    document = docx.Document(default_template("2021"))
    edit(document)
    path = tmp_path / "t.docx"
    document.save(path)
    problems = lint(path, FMT)
    assert any(named in p.message for p in problems), [p.message for p in problems]
    assert all(p.location.place for p in problems)


def test_a_section_loop_moved_under_another_heading_is_reported(tmp_path):
    document = docx.Document(default_template("2021"))
    paragraphs = document.paragraphs
    loop = [p for p in paragraphs if "sections.other.paragraphs" in p.text][0]
    index = paragraphs.index(loop)
    target = next(p for p in paragraphs if p.text == "五、存在的主要问题及改进情况")
    for paragraph in paragraphs[index:index + 3]:
        target._p.addnext(paragraph._p)
        target = paragraph
    path = tmp_path / "t.docx"
    document.save(path)
    assert any("没有出现在「六、其他需要报告的事项」之下" in p.message for p in lint(path, FMT))


def test_check_reports_a_missing_row_and_a_renamed_label_together(tmp_path, runner):
    document = docx.Document(default_template("2021"))
    table = document.tables[1]
    table.cell(21, 2).paragraphs[0].text = "4.无正当理由反复申请"
    table._tbl.remove(table.rows[12]._tr)
    path = tmp_path / "t.docx"
    document.save(path)
    result = runner.invoke(cli, ["template", "check", str(path)])
    assert result.exit_code == 1
    assert "缺少一行：三、本年度办理结果 / （三）不予公开 / 6.属于四类过程性信息" in result.output
    assert "名称应为“4.无正当理由大量反复申请”，实为“4.无正当理由反复申请”" in result.output
    assert "应为 28 行" not in result.output


def test_check_opens_with_a_verdict(shared, runner):
    result = runner.invoke(cli, ["template", "check", str(shared / "real/official-template-wps.docx")])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "这是未加标签的官方格式模板或报告，可用 govreport template adopt 转换为模板。"
    result = runner.invoke(cli, ["template", "check", str(default_template("2021"))])
    assert result.exit_code == 0 and result.output.startswith("模板可用")


def clerk_filled_wps(source, dest):
    """The WPS template as a clerk fills it in WPS: title, lead, text, a part, every figure, a right-aligned close."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from toolkit.office_templates.tablematch import find_tables

    document = docx.Document(source)
    title = next(p for p in document.paragraphs if "格式模板" in p.text)
    title.runs[0].text = "示例县人民政府2023年政府信息公开工作年度报告"
    title.insert_paragraph_before("")  # a blank line above the title, as typed
    lead = document.paragraphs[[p._p for p in document.paragraphs].index(title._p) + 1]
    lead.text = "本报告根据《中华人民共和国政府信息公开条例》编制。"
    placeholders = [p for p in document.paragraphs if p.text.startswith("（文字描述")]
    placeholders[0].text = "2023年，示例县坚持以公开为常态。"
    placeholders[0].insert_paragraph_before("（一）主动公开").runs[0].bold = True
    placeholders[0].insert_paragraph_before("示例县全年主动公开政府信息 120 条。")
    for paragraph in placeholders[1:]:
        paragraph.text = "示例县存在的问题和改进情况。"
    for number, match in enumerate(m for m in find_tables(document, FMT).values()):
        for cell, slot in match.slots.items():
            if cell.is_figure:
                docx.table._Cell(slot.tc, match.table).paragraphs[0].add_run(str(7000 + number))
    for text in ("示例县人民政府", "2024年1月20日"):
        document.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.save(dest)


def test_a_clerks_filled_in_report_is_adopted_and_says_what_it_replaced(shared, tmp_path, runner):
    filled = tmp_path / "示例县2023年报告.docx"
    clerk_filled_wps(shared / "real/official-template-wps.docx", filled)
    template = tmp_path / "t.docx"
    result = runner.invoke(cli, ["template", "adopt", str(filled), "-o", str(template)])
    assert result.exit_code == 0, result.output
    for said in ("「三、收到和处理政府信息公开申请情况」表格中的 175 个数字已替换为数字标签",
                 "标题“示例县人民政府2023年政府信息公开工作年度报告”已替换", "导语（1 段）已替换为导语标签",
                 "「一、总体情况」的 2 段文字、1 个分项已替换为标签", "落款“示例县人民政府 2024年1月20日”已替换为落款标签"):
        assert said in result.output, (said, result.output)
    report = huaian()
    report.date = __import__("datetime").date(2025, 1, 20)
    content = render(report, template)
    texts = "\n".join(t if isinstance(t, str) else "" for t in reading_order(content))
    assert "示例县" not in texts and "7000" not in str(reading_order(content))
    out = tmp_path / "out.docx"
    out.write_bytes(content)
    back = api.load(out).report
    assert all(back.value(ref) == report.value(ref) for ref in FMT.iter_cells())
    closing = docx.Document(out).paragraphs[-2:]
    assert [p.text for p in closing] == ["淮安市人民政府", "2025年1月20日"]  # unpadded: the clerk's lines are right-aligned
    assert all(p.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT for p in closing)


def test_libreoffice_prints_the_report_rendered_with_the_adopted_wps_template(office, wps_adopted, tmp_path):
    from toolkit.render import docx_to_pdf

    template, _ = wps_adopted
    report = huaian()
    text = pdf_text(docx_to_pdf(render(report, template)), tmp_path)
    squeezed = "".join(text.split())
    assert "淮安市人民政府" in squeezed and "2024年政府信息公开工作年度报告" in squeezed
    first = report.narrative["overview"].paragraphs[0]
    assert "".join(first.split())[:40] in squeezed
    assert_in_order(squeezed, [s.heading for s in FMT.sections])
    total = str(report.value(toolkit.CellRef.parse("applications.total.total")))
    assert total in squeezed and "（文字描述）" not in squeezed


def test_a_deleted_column_is_named_once_by_its_label(tmp_path):
    document = docx.Document(default_template("2021"))
    for tr in document.tables[1]._tbl.tr_lst:  # the 自然人 column, cell by cell, as a careless edit leaves it
        col = 0
        for tc in tr.tc_lst:
            if col == 3 and tc.grid_span == 1:
                tr.remove(tc)
                break
            col += tc.grid_span
    path = tmp_path / "t.docx"
    document.save(path)
    problems = lint(path, FMT)
    assert [p.message for p in problems if "缺少" in p.message] == [
        "「三、收到和处理政府信息公开申请情况」的表格缺少一列：申请人情况 / 自然人。"]
    assert len(problems) <= 2  # not one finding per row
