"""A format file is a contract a 政务公开办 maintains alone: every mistake in one is reported where it
is — file, line, field, what is expected — with exit 2 and no traceback, before any command runs.

Each case is the shipped 2021 format with one mistake typed into it, as an office editing a copy
would make it; the reported line must be the line of the mistake.
"""

from importlib import resources

import pytest

from toolkit.cli import cli
from toolkit.formats import FORMATS_PATH_VARIABLE

SOURCE = resources.files("toolkit.formats").joinpath("2021.yaml").read_text(encoding="utf-8")
# Versions of their own: formats are cached by version within a process, so no other test's 2091 may differ.
REBASED = SOURCE.replace('version: "2021"', 'version: "2091"').replace("first_year: 2021", "first_year: 2091")

# (case, text replaced, replacement, a text on the line the problem is at, words the message must say)
BROKEN = [
    ("missing basis", "basis: 《", "# basis: 《", 'version: "2091"', "缺少必填的键“basis”：应写明印发格式的通知全称"),
    ("unknown top-level key", "\nsections:\n", "\nsectons:\n", "sectons:", "未知的键“sectons”"),
    ("column sum_of names no column", "sum_of: [natural_person, commercial", "sum_of: [natural_persn, commercial",
     "natural_persn", "“natural_persn”不是本表（块）的列"),
    ("row sum_of names no row", "sum_of: [disclosed, partially_disclosed,", "sum_of: [disclosed, partialy_disclosed,",
     "partialy_disclosed", "“partialy_disclosed”不是本表（块）的行"),
    ("cycle in row totals", "- {key: disclosed, label: [三、本年度办理结果, （一）予以公开]}",
     "- {key: disclosed, label: [三、本年度办理结果, （一）予以公开], sum_of: [total]}",
     "{key: disclosed, label:", "总计循环相加：disclosed → total → disclosed"),
    ("column total adds itself", "legal_service, other]}", "legal_service, other, total]}",
     "{key: total, label: [申请人情况, 总计]", "总计循环相加：total → total"),
    ("label path shorter than its group", "- {key: natural_person, label: [申请人情况, 自然人]}",
     "- {key: natural_person, label: [申请人情况]}", "{key: natural_person, label: [申请人情况]}",
     "同一表头不能既是列又是分组"),
    ("group members apart", "- {key: legal_service, label: [申请人情况, 法人或其他组织, 法律服务机构]}",
     "- {key: legal_service, label: [申请人情况, 律师, 法律服务机构]}",
     "{key: other, label: [申请人情况, 法人或其他组织, 其他]}", "同一分组的列应连续排列"),
    ("blocks table with a two-level column", "- {key: repealed, label: 本年废止件数}",
     "- {key: repealed, label: [本年, 本年废止件数]}", "key: repealed", "列名只有一层表头"),
    ("check term names no row", "left: [applications.new_received.$col, applications.carried_over.$col]",
     "left: [applications.new_recieved.$col, applications.carried_over.$col]", "applications.new_recieved.$col",
     "行“new_recieved”不在表格 applications 中"),
    ("check placeholder never bound", "left: [proactive.$row.in_force]", "left: [proactive.$rows.in_force]",
     "proactive.$rows.in_force", "$rows 没有在 each 中列出取值"),
    ("check with two placeholders", "each: {row: [regulations, normative_documents]}",
     "each: {row: [regulations, normative_documents], col: [in_force]}", "each: {row: [regulations",
     "each 只能有一个变量"),
    ("narrative pattern does not compile", r"pattern: 上年度?结转[^。；，,\d]{0,10}?(\d+)\s*件",
     r"pattern: 上年度?结转[^。；，,\d]{0,10}?(\d+\s*件", "上年度?结转", "正则表达式无法使用"),
    ("narrative pattern with two groups", r"pattern: 行政复议[^。；，,\d诉]{0,6}?(\d+)\s*件",
     r"pattern: (行政复议)[^。；，,\d诉]{0,6}?(\d+)\s*件", "(行政复议)", "最多只能有一个捕获组"),
    ("narrative cell in no table", "- [appeals.reconsideration.total]", "- [appeal.reconsideration.total]",
     "- [appeal.reconsideration.total]", "表格“appeal”不存在"),
    ("sanity cell not table.row.column", "fee_notice_cell: applications.other_unpaid_fee.total",
     "fee_notice_cell: applications.other_unpaid_fee", "fee_notice_cell", "单元格应写作“表格.行.列”"),
    ("section names no table", "    table: appeals\n", "    table: appeal\n", "table: appeal",
     "表格“appeal”不存在"),
    ("unknown layout", "layout: grid", "layout: grd", "layout: grd", "应为 blocks、grid、line 之一"),
    ("unknown severity", "severity: warning", "severity: warn", "severity: warn", "应为 error、warning 之一"),
    ("publish_by not month-day", "乡镇人民政府: {rule_making: false, publish_by: 03-31}",
     "乡镇人民政府: {rule_making: false, publish_by: 3月31日}", "乡镇人民政府: {rule_making", "应为“月-日”"),
    ("name ending of an unknown level", "  局: 政府部门\n", "  局: 政府机关\n", "局: 政府机关",
     "“政府机关”不在 agency_levels 中"),
    ("role names no row", "received: new_received", "received: received", "received: received",
     "行“received”不在表格 applications 中"),
    ("role block incomplete", "    outcomes_total: total ", "    # outcomes_total: total ", "  requests:",
     "缺少必填的键“outcomes_total”"),
    ("duplicate row key", "- {key: rejected_duplicate,", "- {key: rejected_petition,",
     "{key: rejected_petition, label: [三、本年度办理结果, （五）不予处理, 2.", "行的键“rejected_petition”在表格 applications 中重复"),
    ("key written twice", "- {key: repealed, label: 本年废止件数}", "- {key: repealed, label: 本年废止件数, key: abolished}",
     "key: abolished", "键“key”在同一处写了两次"),
    ("carry-over from the wrong side", "left: [applications.carried_over.$col]",
     "left: [previous.applications.carried_over.$col]", "left: [previous.applications.carried_over",
     "左边应是本年报告的一个单元格"),
    ("year written in words", "first_year: 2091", "first_year: 二〇三一", "first_year:", "应为年份"),
    ("tab in indentation", "  proactive:\n    layout: blocks", "  proactive:\n\tlayout: blocks", "layout: blocks",
     "Tab"),
    ("numbering pattern does not compile", 'heading: "^[一二三四五六七八九十]+、"', 'heading: "^[一二三四五六七八九十+、"',
     "heading: \"^[", "正则表达式无法使用"),
]


def _line_of(text: str, marker: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if marker in line)


@pytest.mark.parametrize("case, old, new, marker, words", BROKEN, ids=[case[0] for case in BROKEN])
def test_a_broken_format_file_is_reported_where_it_is_wrong(runner, tmp_path, monkeypatch, case, old, new, marker,
                                                             words):
    assert REBASED.count(old) >= 1, f"{case}: the shipped format no longer has {old!r}"
    text = REBASED.replace(old, new, 1)
    folder = tmp_path / "formats"
    folder.mkdir()
    path = folder / "2091.yaml"
    path.write_text(text, encoding="utf-8")

    checked = runner.invoke(cli, ["format", "check", str(path)])
    assert checked.exit_code == 2, checked.output
    monkeypatch.setenv(FORMATS_PATH_VARIABLE, str(folder))
    listed = runner.invoke(cli, ["format", "list"])  # the others are listed; the broken one is named
    assert listed.exit_code == 2 and "国办公开办函〔2021〕30号" in listed.output and str(path) in listed.output
    monkeypatch.delenv(FORMATS_PATH_VARIABLE)
    assert checked.exception is None or isinstance(checked.exception, SystemExit)
    assert "Traceback" not in checked.output
    assert f"{path}:{_line_of(text, marker)}:" in checked.output, checked.output
    assert words in checked.output, checked.output
    assert "格式文件" in checked.output and "无法使用" in checked.output

    # An office that puts it beside the shipped formats learns of it before any command runs.
    monkeypatch.setenv(FORMATS_PATH_VARIABLE, str(folder))
    drafted = runner.invoke(cli, ["new", "--agency", "某某县某某局", "--year", "2025", "-o", str(tmp_path / "d.yaml")])
    assert drafted.exit_code == 2, drafted.output
    assert words in drafted.output and "Traceback" not in drafted.output
    assert not (tmp_path / "d.yaml").exists()


def test_at_least_twenty_kinds_of_mistake_are_covered():
    assert len(BROKEN) >= 20


def test_every_problem_of_a_file_is_listed_at_once(runner, tmp_path):
    text = (REBASED.replace("basis: 《", "# basis: 《", 1).replace("layout: grid", "layout: grd", 1)
            .replace("severity: warning", "severity: warn", 1))
    path = tmp_path / "2091.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["format", "check", str(path)])
    assert result.exit_code == 2
    assert "有 3 处问题" in result.output
    for marker in ('version: "2091"', "layout: grd", "severity: warn"):
        assert f"{path}:{_line_of(text, marker)}:" in result.output


def test_the_shipped_formats_pass_and_are_listed(runner):
    for version in ("2019", "2021"):
        path = resources.files("toolkit.formats").joinpath(f"{version}.yaml")
        result = runner.invoke(cli, ["format", "check", str(path)])
        assert result.exit_code == 0, result.output
        assert f"格式 {version}" in result.output and "可以使用" in result.output
        assert "没有声明角色" not in result.output
    listed = runner.invoke(cli, ["format", "list"])
    assert listed.exit_code == 0
    assert "国办公开办函〔2019〕60号" in listed.output and "2021年度及以后" in listed.output


def test_a_format_without_roles_is_usable_and_says_what_it_lacks(runner, tmp_path):
    start = REBASED.index("\nroles:")
    end = REBASED.index("\nsections:")
    path = tmp_path / "2091.yaml"
    path.write_text(REBASED[:start] + REBASED[end:], encoding="utf-8")
    result = runner.invoke(cli, ["format", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert "没有声明角色“requests”" in result.output


def test_an_unknown_version_names_the_documents_from_the_format_files(runner, tmp_path):
    result = runner.invoke(cli, ["new", "--agency", "某某局", "--year", "2025", "--format", "2020", "-o", "-"])
    assert result.exit_code == 2
    assert "2019（国办公开办函〔2019〕60号）" in result.output and "2021（国办公开办函〔2021〕30号）" in result.output


def test_a_feature_whose_role_is_missing_says_so_and_the_rest_works(runner, tmp_path, monkeypatch):
    start, end = SOURCE.index("\nroles:"), SOURCE.index("\nsections:")
    text = (SOURCE[:start] + SOURCE[end:]).replace('version: "2021"', 'version: "2092"').replace(
        "first_year: 2021", "first_year: 2023")
    folder = tmp_path / "formats"
    folder.mkdir()
    (folder / "2092.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv(FORMATS_PATH_VARIABLE, str(folder))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    last, this = tmp_path / "2023.yaml", tmp_path / "2024.yaml"
    for year, path in ((2023, last), (2024, this)):
        made = runner.invoke(cli, ["new", "--agency", "某某县某某局", "--year", str(year), "-o", str(path)])
        assert made.exit_code == 0, made.output
    checked = runner.invoke(cli, ["check", str(this), "--previous", str(last)])
    assert checked.exit_code == 1 and "未完成" in checked.output and "Traceback" not in checked.output
    chart = runner.invoke(cli, ["render", str(this), "--draft", "--chart", "--previous", str(last),
                                "-o", str(tmp_path / "r.docx")])
    assert chart.exit_code == 2 and not (tmp_path / "r.docx").exists()
    assert "格式 2092 没有在 roles 中声明“requests”" in chart.output and "无法生成对比图" in chart.output
    assert runner.invoke(cli, ["render", str(this), "--draft", "-o", str(tmp_path / "r.docx")]).exit_code == 0
    register = tmp_path / "台账.csv"
    register.write_text("编号,收到申请日期,申请人类型,答复日期,办理结果\n1,2024-03-01,自然人,2024-03-20,予以公开\n",
                        encoding="utf-8")
    tallied = runner.invoke(cli, ["tally", str(register), "--year", "2024"])
    assert tallied.exit_code == 2 and "没有在 roles 中声明“requests”" in tallied.output
    assert "Traceback" not in tallied.output
