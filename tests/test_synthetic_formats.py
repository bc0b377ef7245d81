"""A new format is a new data file, however it differs: four synthetic formats, each written as a
format file into a folder named by GOVREPORT_FORMATS and nothing else, go through every command —
new, check, render (Word, PDF, page, open data, chart), template export and check, tally and extract —
with every figure round-tripping.

- renamed keys: every table, row, column and section key the code could have relied on is renamed;
- renamed labels: the official words of rows, columns and headings are different;
- added and removed rows: an outcome row dropped, another added under a different group;
- header depth: the applicants' columns are one header line deep instead of three.

Each is made from the shipped 2021 file by editing its text, as an office would write the next one.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from importlib import resources

import docx
import openpyxl
import pytest
import yaml

import toolkit
from toolkit.cli import cli
from toolkit.formats import FORMATS_PATH_VARIABLE, get_format
from toolkit.layout import grid

SOURCE = resources.files("toolkit.formats").joinpath("2021.yaml").read_text(encoding="utf-8")


FIRST_YEAR = 2023  # in the past, so that a register's dates of the year are not refused as future ones


def _rebased(text: str, version: int) -> str:
    return (text.replace('version: "2021"', f'version: "{version}"').replace("first_year: 2021", f"first_year: {FIRST_YEAR}")
            .replace("document: 国办公开办函〔2021〕30号", f"document: 国办公开办函〔{version}〕1号（测试用）"))


def renamed_keys(version: int) -> str:
    keys = {"applications": "asks", "appeals": "reviews", "proactive": "disclosure", "new_received": "received_now",
            "carried_over": "from_last_year", "carried_forward": "to_next_year", "total": "sum_all",
            "natural_person": "citizen", "other": "misc", "problems": "issues", "pending": "open_cases",
            "disclosed": "granted", "reconsideration": "review"}
    key = re.compile(r"(?<![\w$])(" + "|".join(keys) + r")(?!\w)")
    text = key.sub(lambda m: keys[m.group(1)], _rebased(SOURCE, version))
    # The roles keep their names: only what they point at is renamed.
    start, end = text.index("\nroles:\n"), text.index("\nsections:\n")
    block = re.sub(r"(?m)^(\s*)(\w+):", lambda m: m.group(1) + {v: k for k, v in keys.items()}.get(m.group(2), m.group(2)) + ":",
                   text[start:end])
    return text[:start] + block + text[end:]


def renamed_labels(version: int) -> str:
    words = {"一、本年新收政府信息公开申请数量": "一、本年度新收到的申请数量", "[申请人情况, 自然人]": "[申请人情况, 公民个人]",
             "（一）予以公开]": "（一）全部公开]", "label: 结果维持": "label: 维持原结果",
             "二、主动公开政府信息情况": "二、主动公开信息的情况", "[行政复议]": "[复议案件]"}
    text = _rebased(SOURCE, version)
    for old, new in words.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def added_and_removed_rows(version: int) -> str:
    data = yaml.safe_load(_rebased(SOURCE, version))
    table = data["tables"]["applications"]
    removed = "withheld_query_matters"
    table["rows"] = [r for r in table["rows"] if r["key"] != removed]
    total = next(r for r in table["rows"] if r["key"] == "total")
    total["sum_of"].remove(removed)
    added = {"key": "other_transferred", "label": ["三、本年度办理结果", "（六）其他处理", "4.转送其他行政机关处理"]}
    table["rows"].insert(table["rows"].index(total), added)
    total["sum_of"].append(added["key"])
    for check in data["narrative_checks"]:
        check["expect_any"] = [[t for t in terms if removed not in t] for terms in check["expect_any"]]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def header_depth(version: int) -> str:
    data = yaml.safe_load(_rebased(SOURCE, version))
    for column in data["tables"]["applications"]["columns"]:
        column["label"] = [column["label"][-1] if column["key"] != "other" else "其他法人或其他组织"]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


SYNTHETIC = {2041: renamed_keys, 2051: renamed_labels, 2061: added_and_removed_rows, 2071: header_depth}


@pytest.fixture(params=sorted(SYNTHETIC), ids=[f.__name__ for _, f in sorted(SYNTHETIC.items())])
def synthetic(request, tmp_path, monkeypatch):
    version = request.param
    folder = tmp_path / "formats"
    folder.mkdir()
    (folder / f"{version}.yaml").write_text(SYNTHETIC[version](version), encoding="utf-8")
    monkeypatch.setenv(FORMATS_PATH_VARIABLE, str(folder))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return get_format(str(version))


def filled(fmt, year: int, agency: str, carried: dict | None = None):
    """A finished report of the format: every input cell a figure, the balance of table 三 kept."""
    report = toolkit.new_report(agency, year)
    assert report.format is fmt
    for narrative in report.narrative.values():
        narrative.paragraphs = ["本年度依法依规做好政府信息公开工作。"] if not narrative.parts else []
        for part in narrative.parts:
            part.paragraphs = ["已按要求落实，未收取信息处理费。"]
    role = fmt.roles.requests
    table = fmt.tables[role.table]
    applicants = table.column(role.received, role.applicants_total).sum_of
    outcomes = table.row(role.outcomes_total).sum_of
    for i, ref in enumerate(r for r in fmt.iter_input_cells() if r.table != role.table):
        report.figures[ref] = (i % 7) + 1
    for j, column in enumerate(applicants):
        cell = lambda row: toolkit.CellRef(role.table, row, column)
        report.figures[cell(role.received)] = 40 + 3 * j + year % 10
        report.figures[cell(role.carried_over)] = (carried or {}).get(column, 0)
        for k, row in enumerate(outcomes):
            report.figures[cell(row)] = (j + k) % 3
        handled = sum(report.figures[cell(row)] for row in outcomes)
        report.figures[cell(role.carried_forward)] = (report.figures[cell(role.received)]
                                                      + report.figures[cell(role.carried_over)] - handled)
    report.date = dt.date(year + 1, 1, 20)
    return report


def _same_figures(fmt, back, original) -> None:
    assert back.unread == []
    assert back.report.format.version == fmt.version
    for ref in fmt.iter_cells():
        assert back.report.value(ref) == original.value(ref), ref


def test_a_format_written_as_data_goes_through_every_command(synthetic, runner, tmp_path):
    fmt, year, agency = synthetic, FIRST_YEAR + 1, "洪泽县水利局"
    assert runner.invoke(cli, ["format", "check", str(tmp_path / "formats" / f"{fmt.version}.yaml")]).exit_code == 0

    # new: the draft lists every cell by the format's own keys and labels
    draft = tmp_path / "draft.yaml"
    made = runner.invoke(cli, ["new", "--agency", agency, "--year", str(year), "-o", str(draft)])
    assert made.exit_code == 0, made.output
    text = draft.read_text(encoding="utf-8")
    for ref in fmt.iter_input_cells():
        assert re.search(rf"(?m)^\s+({ref.row}|{ref.col}):\s+0\b", text), ref  # a single-column row: row: 0
    assert all(f"# {fmt.section(s.key).heading}" in text or s.heading in text for s in fmt.sections)

    # check: last year's report and this year's both pass, paired across the year
    previous = filled(fmt, year - 1, agency)
    role = fmt.roles.requests
    forward = {c: previous.value(toolkit.CellRef(role.table, role.carried_forward, c))
               for c in fmt.tables[role.table].column(role.received, role.applicants_total).sum_of}
    report = filled(fmt, year, agency, carried=forward)
    last, this = tmp_path / "last.yaml", tmp_path / "this.yaml"
    last.write_text(toolkit.dumps(previous), encoding="utf-8")
    this.write_text(toolkit.dumps(report), encoding="utf-8")
    checked = runner.invoke(cli, ["check", str(this), "--previous", str(last)])
    assert checked.exit_code == 0, checked.output
    assert "[X1]" not in checked.output and "—— 通过" in checked.output
    broken = tmp_path / "broken.yaml"
    first = toolkit.CellRef(role.table, role.carried_over, fmt.tables[role.table].blocks[0].columns[0].key)
    report.figures[first] += 1
    broken.write_text(toolkit.dumps(report), encoding="utf-8")
    report.figures[first] -= 1
    failed = runner.invoke(cli, ["check", str(broken), "--previous", str(last)])
    assert failed.exit_code == 1 and "[A]" in failed.output and "[X1]" in failed.output

    # new --from: next year's draft starts from this year's carried-forward figures, by the format's own checks
    following = tmp_path / "next.yaml"
    assert runner.invoke(cli, ["new", "--year", str(year + 1), "--from", str(this), "-o", str(following)]).exit_code == 0
    carried = toolkit.load(following).report
    for column, value in forward.items():
        assert carried.value(toolkit.CellRef(role.table, role.carried_over, column)) == report.value(
            toolkit.CellRef(role.table, role.carried_forward, column))

    # template: exported from the format data, and it passes its own lint
    template = tmp_path / "template.docx"
    assert runner.invoke(cli, ["template", "export", str(template), "--format", fmt.version]).exit_code == 0
    linted = runner.invoke(cli, ["template", "check", str(template), "--format", fmt.version])
    assert linted.exit_code == 0, linted.output
    layout = grid(fmt.tables[role.table])
    word_table = docx.Document(template).tables[[s.table for s in fmt.sections if s.table].index(role.table)]
    assert (len(word_table.rows), len(word_table.columns)) == (layout.rows, layout.cols)

    # render: every output, the chart with last year's figures
    out = tmp_path / "report.docx"
    rendered = runner.invoke(cli, ["render", str(this), "-o", str(out), "--html", "--json", "--csv", "--chart",
                                   "--previous", str(last)])
    assert rendered.exit_code == 0, rendered.output
    svg = out.with_suffix(".svg").read_text(encoding="utf-8")
    applicants = fmt.tables[role.table].column(role.received, role.applicants_total).sum_of
    first_type = fmt.tables[role.table].column(role.received, applicants[0])
    assert first_type.name in svg
    assert str(report.value(toolkit.CellRef(role.table, role.received, applicants[0]))) in svg
    assert out.with_suffix(".png").read_bytes().startswith(b"\x89PNG")
    page = out.with_suffix(".html").read_text(encoding="utf-8")
    assert "data:image/svg+xml;base64," in page and all(s.heading in page for s in fmt.sections)
    assert page.index("<figure>") > page.index(fmt.table_section(fmt.roles.chart_after).heading)

    # extract: each output read back into the same format, figure for figure
    for kind in (".docx", ".html", ".json", ".csv"):
        _same_figures(fmt, toolkit.load(out.with_suffix(kind)), report)
    back = tmp_path / "back.yaml"
    extracted = runner.invoke(cli, ["extract", str(out), "-o", str(back)])
    assert extracted.exit_code == 0, extracted.output
    _same_figures(fmt, toolkit.load(back), report)

    # tally: the blank register offers the format's own words; a register in them fills its own rows
    blank = tmp_path / "blank.xlsx"
    assert runner.invoke(cli, ["tally", "--template", str(blank), "--format", fmt.version]).exit_code == 0
    offered = [c.value for row in openpyxl.load_workbook(blank)["选项"].iter_rows() for c in row if c.value]
    assert any(first_type.name in str(v) for v in offered)
    outcome = fmt.tables[role.table].row(fmt.tables[role.table].row(role.outcomes_total).sum_of[0])
    register = tmp_path / "台账.csv"
    register.write_text("编号,收到申请日期,申请人类型,答复日期,办理结果\n"
                        f"1,{year}-03-01,{first_type.name},{year}-03-20,{outcome.label[-1]}\n"
                        f"2,{year}-05-01,{first_type.name},{year}-05-18,{outcome.label[-1]}\n"
                        f"3,{year}-12-20,{first_type.name},,\n", encoding="utf-8")
    counted = tmp_path / "counted.yaml"
    tallied = runner.invoke(cli, ["tally", str(register), "--year", str(year), "-o", str(counted), "--agency", agency])
    assert tallied.exit_code == 0, tallied.output
    assert "本年新收 3 件" in tallied.output and "办结 2 件" in tallied.output and "结转下年度 1 件" in tallied.output
    figures = toolkit.load(counted).report
    cell = lambda row: figures.value(toolkit.CellRef(role.table, row, applicants[0]))
    assert (cell(role.received), cell(outcome.key), cell(role.carried_forward)) == (3, 2, 1)


def test_the_pdf_of_a_format_written_as_data_reads_back(synthetic, runner, tmp_path):
    from toolkit.render.pdf import find_office

    if find_office() is None:
        if os.environ.get("GOVREPORT_REQUIRE_OFFICE") == "1" or os.environ.get("CI") == "true":
            pytest.fail("LibreOffice must be installed for this test (see .ci/run)")
        pytest.skip("LibreOffice is not installed")
    fmt = synthetic
    report = filled(fmt, FIRST_YEAR + 1, "洪泽县水利局")
    data = tmp_path / "report.yaml"
    data.write_text(toolkit.dumps(report), encoding="utf-8")
    rendered = runner.invoke(cli, ["render", str(data), "-o", str(tmp_path / "report.docx"), "--pdf"])
    assert rendered.exit_code == 0, rendered.output
    _same_figures(fmt, toolkit.load(tmp_path / "report.pdf"), report)
