"""Agency templates: export, lint, and rendering with templates customized as offices do."""

import io
import struct
import zlib

import docx
from docx.shared import Mm, Pt

import toolkit
from toolkit.cli import cli
from toolkit.render import default_template, render
from toolkit.office_templates.lint import lint

from .conftest import SAMPLES

HUAIAN = next(p for p in SAMPLES if "huaian" in p.name)
FMT = toolkit.get_format("2021")


def tiny_png() -> bytes:
    """A 4×4 red PNG, enough to stand for an agency logo."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def customized(tmp_path, edit) -> str:
    document = docx.Document(default_template("2021"))
    edit(document)
    path = tmp_path / "custom.docx"
    document.save(path)
    return str(path)


def find_paragraph(document, text):
    return next(p for p in document.paragraphs if p.text == text)


def office_edits(document):
    """What offices do: other fonts, a logo in the header, an extra paragraph, another 落款."""
    document.styles["报告正文"].font.size = Pt(15)
    document.styles["报告正文"].font.name = "Arial"
    header = document.sections[0].header
    header.is_linked_to_previous = False
    header.paragraphs[0].add_run().add_picture(io.BytesIO(tiny_png()), width=Mm(10))
    header.paragraphs[0].add_run("示例县人民政府")
    find_paragraph(document, "一、总体情况").insert_paragraph_before("本报告经本机关办公会议审议通过。")
    find_paragraph(document, "{{ signature.name_line }}").text = "{{ signature.name }}（盖章）"
    find_paragraph(document, "{{ signature.date_line }}").text = "{{ signature.date }}"


def test_export_writes_the_default_template(runner, tmp_path):
    dest = tmp_path / "t.docx"
    assert runner.invoke(cli, ["template", "export", str(dest)]).exit_code == 0
    assert dest.read_bytes() == default_template("2021").read_bytes()
    assert runner.invoke(cli, ["template", "export", str(dest)]).exit_code == 2  # exists
    assert runner.invoke(cli, ["template", "export", "--format", "2019", "--force", str(dest)]).exit_code == 0
    assert dest.read_bytes() == default_template("2019").read_bytes()


def test_shipped_templates_lint_clean():
    for version in toolkit.versions():
        assert lint(default_template(version), toolkit.get_format(version)) == []


def test_office_customized_template_renders(tmp_path, runner):
    path = customized(tmp_path, office_edits)
    assert lint(path, FMT) == []
    report = toolkit.load(HUAIAN).report
    report.signature.show = True
    document = docx.Document(io.BytesIO(render(report, path)))
    texts = [p.text for p in document.paragraphs]
    assert "本报告经本机关办公会议审议通过。" in texts
    assert "淮安市人民政府（盖章）" in texts
    assert document.tables[1].cell(3, 3).text == "3001"
    assert "示例县人民政府" in document.sections[0].header.paragraphs[0].text
    assert document.inline_shapes or document.sections[0].header.part.related_parts
    out = tmp_path / "out.docx"
    result = runner.invoke(cli, ["render", str(HUAIAN), "--template", path, "-o", str(out)])
    assert result.exit_code == 0, result.output


def test_deleted_table_cell_is_named(tmp_path, runner):
    def delete_cell(document):
        row = document.tables[1].rows[5]
        row._tr.remove(row._tr.tc_lst[-1])

    path = customized(tmp_path, delete_cell)
    problems = lint(path, FMT)
    assert problems and all(p.severity == "error" for p in problems)
    assert any("三、收到和处理政府信息公开申请情况" in (p.location.place or "") or "三、收到" in p.message for p in problems)
    result = runner.invoke(cli, ["template", "check", path])
    assert result.exit_code == 1 and "表格" in result.output
    result = runner.invoke(cli, ["render", str(HUAIAN), "--template", path, "-o", str(tmp_path / "o.docx")])
    assert result.exit_code == 2 and not (tmp_path / "o.docx").exists()


def test_misspelt_variable_is_located(tmp_path, runner):
    def misspell(document):
        cell = document.tables[1].cell(3, 3)
        cell.paragraphs[0].text = "{{ applications.new_recieved.natural_person }}"

    path = customized(tmp_path, misspell)
    problems = lint(path, FMT)
    unknown = [p for p in problems if p.rule == "T3"]
    assert [p.message for p in unknown] == ["未知的变量“applications.new_recieved”"]
    assert unknown[0].location.place == "表格 2 第 4 行第 4 列（「三、收到和处理政府信息公开申请情况」部分）"
    missing = [p for p in problems if p.rule == "T6"]
    assert "一、本年新收政府信息公开申请数量 / 自然人" in missing[0].message
    result = runner.invoke(cli, ["template", "check", path])
    assert result.exit_code == 1 and "表格 2 第 4 行第 4 列" in result.output


def test_tag_split_by_formatting_within_a_paragraph_is_healed(tmp_path):
    def bold_half(document):
        paragraph = find_paragraph(document, "{{ title_agency }}")
        paragraph.text = ""
        paragraph.add_run("{{ title_age")
        paragraph.add_run("ncy }}").bold = True

    path = customized(tmp_path, bold_half)
    assert lint(path, FMT) == []
    document = docx.Document(io.BytesIO(render(toolkit.load(HUAIAN).report, path)))
    assert document.paragraphs[0].text == "淮安市人民政府"


def test_tag_split_across_paragraphs_cannot_be_healed(tmp_path):
    def split(document):
        paragraph = find_paragraph(document, "{{ title_agency }}")
        paragraph.text = "{{ agen"
        paragraph.insert_paragraph_before("")
        find_paragraph(document, "{{ agen").insert_paragraph_before("cy }}")

    problems = lint(customized(tmp_path, split), FMT)
    assert [p.rule for p in problems][:1] == ["T1"] and "正文第" in problems[0].location.place


def test_syntax_error_is_located(tmp_path):
    def unclosed(document):
        find_paragraph(document, "五、存在的主要问题及改进情况").insert_paragraph_before("{% if lead %}多余的条件")

    [problem] = [p for p in lint(customized(tmp_path, unclosed), FMT) if p.rule == "T2"]
    assert "语法错误" in problem.message


def test_missing_heading_is_named(tmp_path):
    def rename(document):
        find_paragraph(document, "五、存在的主要问题及改进情况").text = "五、存在的问题及改进情况"

    problems = lint(customized(tmp_path, rename), FMT)
    assert [p.message for p in problems] == ["缺少法定标题「五、存在的主要问题及改进情况」。"]


def test_not_a_docx(runner, tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_text("hello")
    result = runner.invoke(cli, ["template", "check", str(bad)])
    assert result.exit_code == 2 and "不是有效的 Word" in result.output


def test_wps_blank_template_is_recognized_label_for_label(shared):
    from toolkit.office_templates.tablematch import figure_slots, find_tables

    path = shared / "real/official-template-wps.docx"
    [problem] = lint(path, FMT)
    assert problem.rule == "T0" and "官方格式" in problem.message and "template adopt" in problem.hint
    matches = find_tables(docx.Document(path), FMT)
    assert all(m is not None and not m.mismatches for m in matches.values())  # every label is right
    assert sum(len(figure_slots(m)) for m in matches.values()) == 10 + 25 * 7 + 15


def test_variable_reference_in_docs_is_current(runner):
    from .conftest import ROOT

    for version in toolkit.versions():
        result = runner.invoke(cli, ["template", "variables", "--format", version])
        assert result.exit_code == 0
        assert (ROOT / "docs" / f"template-variables-{version}.md").read_text(encoding="utf-8") == result.output
    assert "| `{{ applications.total.natural_person }}` | 三、本年度办理结果 / （七）总计 / 自然人 |" in result.output or version == "2019"
