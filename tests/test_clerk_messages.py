"""Messages a clerk can read: one mistake, one finding; nothing printed twice."""

from __future__ import annotations

import docx
import pytest

from toolkit.cli import cli
from toolkit.cli.present import echo_findings
from toolkit.findings import ERROR, Finding, Location
from toolkit.formats import get_format
from toolkit.office_templates.lint import lint
from toolkit.render import default_template

FMT = get_format("2021")
PROBLEMS = "五、存在的主要问题及改进情况"


def without_section(tmp_path, heading: str, keep_heading: bool, name="t.docx"):
    """The default template with a section's paragraphs deleted (its heading too unless ``keep_heading``)."""
    document = docx.Document(default_template("2021"))
    headings = [s.heading for s in FMT.sections]
    inside = False
    for paragraph in list(document.paragraphs):
        if paragraph.text in headings or "signature" in paragraph.text:  # the 落款 closes section 六
            inside = paragraph.text == heading
            if inside and keep_heading:
                continue
        if inside:
            paragraph._p.getparent().remove(paragraph._p)
    path = tmp_path / name
    document.save(path)
    return path


def blocks(output: str) -> list[str]:
    return [block for block in output.strip().split("\n\n") if block.strip()]


@pytest.mark.parametrize("heading", [s.heading for s in FMT.sections if s.table is None])
def test_a_deleted_section_gives_one_finding(tmp_path, heading):
    problems = lint(without_section(tmp_path, heading, keep_heading=False), FMT)
    assert [(p.rule, p.message) for p in problems] == [("T4", f"缺少法定标题「{heading}」。")]
    assert "复制该部分的标题和标签" in problems[0].hint


@pytest.mark.parametrize("heading", [s.heading for s in FMT.sections if s.table is None])
def test_a_section_emptied_under_its_heading_gives_one_finding(tmp_path, heading):
    problems = lint(without_section(tmp_path, heading, keep_heading=True), FMT)
    assert [(p.rule, p.message) for p in problems] == [("T8", f"「{heading}」的段落和分项没有出现在生成的报告中。")]
    assert f"「{heading}」部分" in problems[0].location.place
    assert "paragraphs %}" in problems[0].hint and "parts %}" in problems[0].hint


def test_the_command_prints_the_deleted_section_once(runner, tmp_path):
    path = without_section(tmp_path, PROBLEMS, keep_heading=True)
    result = runner.invoke(cli, ["template", "check", str(path)])
    assert result.exit_code == 1
    assert result.output.count(PROBLEMS) == 3  # the message, the place, and the hint: one finding
    assert "1 处问题" in result.output
    assert len(blocks(result.output)) == len(set(blocks(result.output)))


def test_the_same_finding_is_printed_once(capsys):
    finding = Finding("T8", ERROR, "「五、存在的主要问题及改进情况」的段落没有出现在生成的报告中。",
                      Location(file="t.docx", place="正文第 47 段"))
    other = Finding("T4", ERROR, "缺少法定标题「六、其他需要报告的事项」。", Location(file="t.docx"))
    echo_findings([finding, other, finding])
    printed = capsys.readouterr().out
    assert printed.count("[T8]") == 1 and printed.count("[T4]") == 1
    assert printed.index("[T8]") < printed.index("[T4]")  # in the order found


def test_a_table_cell_missing_is_still_named_one_by_one(tmp_path):
    document = docx.Document(default_template("2021"))
    for row, col in ((27, 9), (27, 8)):
        document.tables[1].cell(row, col).paragraphs[0].text = ""
    path = tmp_path / "t.docx"
    document.save(path)
    problems = lint(path, FMT)
    assert [p.rule for p in problems] == ["T6", "T6"]  # two cells, two places to fix
