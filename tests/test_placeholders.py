"""The official template's placeholders are unfinished text wherever they turn up — data files,
published copies read back, adopted templates — and an adopted template's author is not the report's."""

from __future__ import annotations

import json
import zipfile

import docx
import pytest

import toolkit
from toolkit import placeholders
from toolkit.cli import cli
from toolkit.formats import get_format
from toolkit.layout import grid
from toolkit.office_templates.lint import lint
from toolkit.model import Narrative

from .conftest import SAMPLES

HUAIAN = next(p for p in SAMPLES if "huaian" in p.name)
FMT = get_format("2021")
WPS = "real/official-template-wps.docx"


@pytest.mark.parametrize("text, found", [
    ("（文字描述）", "（文字描述）"),
    ("（文字描述，收取信息处理费情况在此处报告。）", "（文字描述，收取信息处理费情况在此处报告。）"),
    ("政府信息公开工作年度报告格式模板", "格式模板"),
    ("【待填写】总体情况。", "【待填写】"),
    ("本年度共收到申请XX件。", "XX件"),
    ("本年新收××件，办结××件。", "××件"),
    ("某某县人民政府门户网站", "某某县"),
    ("成文日期：20XX年X月X日", "XX年"),
    ("　　年　　月　　日", "年　　月　　日"),
    ("联系电话：（此处填写电话）", "（此处填写电话）"),
    ("××", "××"),
])
def test_each_placeholder_of_the_official_template_is_found(text, found):
    assert placeholders.find(text) == found


@pytest.mark.parametrize("text", [
    "申请人张某某申请公开征收补偿信息，已予以公开。",  # an anonymised name is a report's own words
    "王××于3月提出申请。",
    "本年度无其他需要报告的事项。",
    "填写出生年月日的表格已修订。",
    "2025年3月5日，本机关作出答复。",
    "网站使用 Windows XP 以上系统均可访问。",
])
def test_a_finished_report_holds_none(text):
    assert placeholders.find(text) is None


def fill_figures_only(source, dest, report):
    """The WPS template as a clerk in a hurry leaves it: title and every figure in, the placeholders untouched."""
    document = docx.Document(str(source))
    for table, key in zip(document.tables, ("proactive", "applications", "appeals")):
        for cell in grid(report.format.tables[key]).figure_cells():
            table.cell(cell.row, cell.col).text = str(report.value(cell.ref))
    document.paragraphs[0].text = f"{report.agency.name}{report.year}年政府信息公开工作年度报告"
    document.save(dest)
    return dest


@pytest.fixture
def filled(shared, tmp_path):
    return fill_figures_only(shared / WPS, tmp_path / "报告.docx", toolkit.load(HUAIAN).report)


def test_the_wps_template_filled_with_its_placeholders_untouched_is_unfinished(runner, filled):
    result = runner.invoke(cli, ["check", str(filled), "--strict"])
    assert result.exit_code == 1
    assert result.output.rstrip().endswith("—— 未完成") and "未完成 1 个" in result.output
    assert "[F1] 仍有未填写的占位文字：“政府信息公开工作年度报告格式模板”" in result.output
    assert result.output.count("[F1] 仍有未填写的占位文字：“（文字描述") == 3
    as_json = json.loads(runner.invoke(cli, ["check", str(filled), "--format", "json"]).output)
    [only] = as_json["files"] if "files" in as_json else as_json
    assert only["unfinished"] is True
    fields = {f["key_path"] for f in only["findings"] if f["rule"] == "F1"}
    assert fields == {"lead.text", "sections.overview.paragraphs[0]", "sections.problems.paragraphs[0]",
                      "sections.other.paragraphs[0]"}


def test_render_refuses_the_read_back_copy_until_the_placeholders_are_replaced(runner, filled, tmp_path):
    data, out = tmp_path / "2024.yaml", tmp_path / "out.docx"
    assert runner.invoke(cli, ["extract", str(filled), "-o", str(data)]).exit_code == 0
    result = runner.invoke(cli, ["render", str(data), "-o", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert "报告尚未完成（4 处未填写）" in result.output
    text = data.read_text(encoding="utf-8").replace("（文字描述，收取信息处理费情况在此处报告。）", "本年度未收取信息处理费。")
    text = text.replace("（文字描述）", "本年度工作平稳有序。").replace("text: 政府信息公开工作年度报告格式模板", "text: null")
    data.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["render", str(data), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "本年度工作平稳有序。" in [p.text for p in docx.Document(out).paragraphs]


def test_a_data_file_with_an_official_placeholder_is_unfinished():
    report = toolkit.load(HUAIAN).report
    report.narrative["problems"] = Narrative(["（文字描述）"])
    findings = toolkit.check(report)
    assert [(f.rule, f.key_path) for f in findings if f.rule == "F1"] == [("F1", "sections.problems.paragraphs[0]")]
    assert not [f for f in findings if f.rule == "F2"]  # a placeholder is not “empty”: one finding, not two


def adopted(shared, tmp_path, runner):
    template = tmp_path / "adopted.docx"
    result = runner.invoke(cli, ["template", "adopt", str(shared / WPS), "-o", str(template)])
    assert result.exit_code == 0, result.output
    return template


def test_an_adopted_template_keeping_a_placeholder_is_refused(shared, tmp_path, runner):
    template = adopted(shared, tmp_path, runner)
    assert lint(template, FMT) == []
    document = docx.Document(template)
    heading = next(p for p in document.paragraphs if p.text == "五、存在的主要问题及改进情况")
    heading.insert_paragraph_before("（文字描述）")
    document.paragraphs[1].insert_paragraph_before("政府信息公开工作年度报告格式模板")
    document.save(template)
    problems = lint(template, FMT)
    assert [p.rule for p in problems] == ["T9", "T9"]
    assert "“格式模板”" in problems[0].message and problems[0].location.place == "正文第 2 段"
    assert "“（文字描述）”" in problems[1].message and "「四、政府信息公开行政复议、行政诉讼情况」部分" in problems[1].location.place
    out = tmp_path / "r.docx"
    result = runner.invoke(cli, ["render", str(HUAIAN), "--template", str(template), "-o", str(out)])
    assert result.exit_code == 2 and not out.exists()
    assert "有 2 处问题，未生成报告" in result.output and "[T9]" in result.output


def test_a_report_from_an_adopted_template_is_authored_by_the_agency(shared, tmp_path, runner):
    template = adopted(shared, tmp_path, runner)
    assert docx.Document(template).core_properties.author == "张幸瑾"  # the template's own author
    out = tmp_path / "r.docx"
    result = runner.invoke(cli, ["render", str(HUAIAN), "--template", str(template), "-o", str(out)])
    assert result.exit_code == 0, result.output
    properties = docx.Document(out).core_properties
    assert (properties.author, properties.last_modified_by) == ("淮安市人民政府", "淮安市人民政府")
    with zipfile.ZipFile(out) as package:
        assert not [n for n in package.namelist() if "张幸瑾".encode() in package.read(n)]


def test_the_default_template_also_names_the_agency_as_last_editor(tmp_path):
    properties = docx.Document(__import__("io").BytesIO(toolkit.render_docx(toolkit.load(HUAIAN).report))).core_properties
    assert (properties.author, properties.last_modified_by) == ("淮安市人民政府", "淮安市人民政府")


def test_extract_of_the_blank_template_says_the_year_was_not_read(shared, runner, tmp_path):
    data = tmp_path / "blank.yaml"
    result = runner.invoke(cli, ["extract", str(shared / WPS), "-o", str(data)])
    assert "年度未能读取" in result.output and "None" not in result.output
    text = data.read_text(encoding="utf-8")
    assert "None" not in text
    assert [line.split("#")[0].strip() for line in text.splitlines() if line.startswith("year:")] == ["year: null"]
    assert "原文中未能读取" in text
    checked = runner.invoke(cli, ["check", str(data)])
    assert checked.exit_code == 2 and "没有填写报告年度（year）" in checked.output
