"""Reading data files: every class of bad input is a located, Chinese message, never a traceback."""

import datetime as dt
from decimal import Decimal

import pytest

import toolkit
from toolkit import CellRef, DataFileError
from toolkit.cli import cli

from .conftest import SAMPLES, set_figure


def problems(text: str | bytes) -> list:
    with pytest.raises(DataFileError) as info:
        toolkit.loads(text)
    return info.value.problems


def test_draft_round_trips(draft_text):
    report = toolkit.loads(draft_text)
    assert report.year == 2025 and report.format.version == "2021"
    assert report.agency.name == "某某乡人民政府"
    assert all(report.value(ref) == 0 for ref in report.format.iter_cells())
    assert toolkit.dumps(report) == draft_text


def test_samples_round_trip():
    for path in SAMPLES:
        text = path.read_text(encoding="utf-8")
        assert toolkit.dumps(toolkit.loads(text)) == text, path


def test_every_input_cell_is_in_the_draft_with_its_label(draft_text):
    fmt = toolkit.get_format("2021")
    report = toolkit.loads(draft_text)
    for ref in fmt.iter_input_cells():
        line = draft_text.splitlines()[report.line_of_cell(ref) - 1]
        assert fmt.column(ref).name in line or fmt.tables[ref.table].row(ref.row).name in line, (ref, line)


def test_figures_left_out_count_as_zero_and_totals_are_derived():
    report = toolkit.loads(
        "year: 2024\nagency: {name: 某局}\nfigures:\n  applications:\n    new_received: {natural_person: 2, other: 3}\n"
    )
    assert report.value(CellRef("applications", "new_received", "total")) == 5
    assert report.value(CellRef("applications", "disclosed", "total")) == 0


def test_sample_with_figures_loads_exactly():
    report = toolkit.load(next(p for p in SAMPLES if "huaian" in p.name)).report
    assert report.value(CellRef("proactive", "fees", "amount")) == Decimal("96171.6")
    assert report.value(CellRef("applications", "total", "total")) == 3050
    assert report.value(CellRef("appeals", "reconsideration", "total")) == 351


def test_date_forms():
    base = "year: 2024\nagency: {name: 某局}\n"
    assert toolkit.loads(base + "date: 2025-01-20\n").date == dt.date(2025, 1, 20)
    assert toolkit.loads(base + "date: 2025年1月20日\n").date == dt.date(2025, 1, 20)
    [problem] = problems(base + "date: 2025年13月20日\n")
    assert "成文日期" in problem.message and problem.line == 3


@pytest.mark.parametrize(
    ("row", "col", "value", "words"),
    [
        ("new_received", "natural_person", "abc", "应填整数"),
        ("new_received", "natural_person", "-3", "不能为负数"),
        ("new_received", "natural_person", "2.5", "件数应为整数"),
        ("new_received", "natural_person", "'3'", "应填整数"),
        ("new_received", "natural_person", "１２", "半角数字：12"),
        ("new_received", "natural_person", "[1, 2]", "应填一个数字"),
        ("fees", None, "1.23456", "最多保留 4 位小数"),
        ("fees", None, "-1", "不能为负数"),
        ("fees", None, "十万", "应填金额"),
    ],
    ids=["text", "negative", "decimal", "quoted", "fullwidth", "list", "amount-decimals", "amount-negative", "amount-text"],
)
def test_wrong_types_are_located(draft_text, row, col, value, words):
    text = set_figure(draft_text, row, col, value)
    [problem] = problems(text)
    assert words in problem.message + (problem.hint or "")
    expected_line = next(i for i, line in enumerate(text.splitlines(), 1) if line.strip().startswith(f"{col or row}: {value}"))
    assert problem.line == expected_line
    assert problem.label  # the official label of the cell


def test_amounts_keep_their_decimals(draft_text):
    report = toolkit.loads(set_figure(draft_text, "fees", None, "12.3400"))
    assert report.value(CellRef("proactive", "fees", "amount")) == Decimal("12.3400")


def test_signed_column_in_2019_format_accepts_negatives():
    text = toolkit.dumps(toolkit.new_report("某局", 2020))
    report = toolkit.loads(set_figure(text, "licensing", "change", "-8"))
    assert report.value(CellRef("proactive", "licensing", "change")) == -8


def test_unknown_key_suggests_the_right_one(draft_text):
    [problem] = problems(draft_text.replace("    disclosed:", "    disclosd:"))
    assert "未知的键“disclosd”" in problem.message and "disclosed" in problem.hint
    [problem] = problems(draft_text.replace("      commercial:", "      商业企业:", 1))
    assert "commercial" in problem.hint


def test_duplicate_key(draft_text):
    lines = draft_text.splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if line.strip().startswith("commercial:"))
    text = "".join(lines[: first + 1] + ["      commercial: 1\n"] + lines[first + 1 :])
    [problem] = problems(text)
    assert "重复" in problem.message and problem.key_path == "figures.applications.new_received.commercial"


def test_yaml_syntax_error_has_line_and_column(draft_text):
    text = draft_text.replace("year: 2025", "year: [2025", 1)
    [problem] = problems(text)
    assert problem.line and problem.column and "YAML" in problem.message


def test_tabs_are_explained():
    [problem] = problems("year: 2025\nagency:\n\tname: x\n")
    assert "Tab" in problem.message and problem.line == 3


def test_aliases_and_alias_bombs_are_refused():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    [problem] = problems(bomb)
    assert "别名" in problem.message
    [problem] = problems("year: 2024\nagency: &x {name: 某局}\nsignature: *x\n")
    assert problem.line == 3


def test_encoding_and_empty_files():
    [problem] = problems("year: 2024\nagency: {name: 某局}\n".encode("gbk"))
    assert "UTF-8" in problem.message and "GBK" in problem.hint
    assert "空的" in problems(b"")[0].message
    assert "只有注释" in problems(b"# nothing\n")[0].message
    report = toolkit.loads("\ufeffyear: 2024\nagency: {name: 某局}\n".encode("utf-8"))
    assert report.year == 2024


def test_format_version_problems():
    assert "格式版本" in problems("format: 2022\nyear: 2024\nagency: {name: 某局}\n")[0].message
    assert "2010年" in problems("year: 2010\nagency: {name: 某局}\n")[0].message
    assert "year" in problems("agency: {name: 某局}\n")[0].message


def test_not_a_mapping():
    assert "映射" in problems("- a\n- b\n")[0].message


@pytest.mark.parametrize(
    "content",
    [b"", b"\xff\xfe\x00y", b"year: [", b"a: &a [1]\nb: *a\n", b"year: 2024\nagency: {name: x}\nfigures: {applications: {new_received: {other: -1}}}\n"],
    ids=["empty", "binary", "syntax", "alias", "negative"],
)
def test_cli_exits_2_with_a_message_and_no_traceback(runner, tmp_path, content):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 2, result.output
    assert "bad.yaml" in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_missing_file(runner, tmp_path):
    result = runner.invoke(cli, ["check", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2 and "无法读取" in result.output


def test_registry_yaml_refuses_aliases_like_data_files(tmp_path):
    from toolkit import registry

    path = tmp_path / "agencies.yaml"
    path.write_text("- &a {name: 示例县某某局}\n- *a\n", encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        registry.load(path)
    [problem] = caught.value.problems
    assert "别名" in problem.message and problem.line == 2
