"""Open data: JSON and CSV beside the report, one record per cell, read back by ``check`` as the same report."""

from __future__ import annotations

import copy
import csv
import io
import json
from decimal import Decimal

import pytest

import toolkit
from toolkit.publish import opendata
from toolkit.cli import cli
from toolkit.formats import CellRef

from .conftest import SAMPLES

HUAIAN = next(p for p in SAMPLES if "huaian" in p.name)


def stress():
    """9-digit counts, an amount with 4 decimals, a negative 本年增/减 in the 2019 format."""
    report = toolkit.new_report("某某县某某局<b>\"测试\"", 2020)
    for i, ref in enumerate(report.format.iter_input_cells()):
        report.figures[ref] = Decimal("123456.7891") if report.format.column(ref).type == "amount" else 987_654_321 - i
    report.figures[CellRef("proactive", "licensing", "change")] = -8
    return report


REPORTS = {**{p.stem: toolkit.load(p).report for p in SAMPLES}, "stress-2019": stress()}


def same_figures(a, b) -> list[str]:
    return [str(r) for r in a.format.iter_cells() if a.value(r) != b.value(r) or type(a.value(r)) is not type(b.value(r))]


@pytest.mark.parametrize("name", sorted(REPORTS))
@pytest.mark.parametrize("kind", ["json", "csv"])
def test_round_trip_gives_the_same_figures(name, kind, tmp_path):
    report = REPORTS[name]
    path = tmp_path / f"r.{kind}"
    path.write_bytes(opendata.to_json(report).encode() if kind == "json" else opendata.to_csv(report))
    back = opendata.load(path)
    assert same_figures(back, report) == []
    assert (back.agency.name, back.year, back.format) == (report.agency.name, report.year, report.format)
    if kind == "json":  # the JSON file is the whole report
        assert back.date == report.date
        assert {k: n.texts() for k, n in back.narrative.items()} == {k: n.texts() for k, n in report.narrative.items()}


def test_one_record_per_cell_with_keys_and_official_labels():
    report = REPORTS["huaian-2024"]
    document = json.loads(opendata.to_json(report))
    cells = document["cells"]
    assert len(cells) == len(list(report.format.iter_cells())) == 200
    assert set(document) == {"schema", "title", "agency", "year", "date", "format", "format_document", "lead",
                             "sections", "signature", "cells"}
    cell = next(c for c in cells if (c["table"], c["row"], c["column"]) == ("applications", "withheld_state_secret", "commercial"))
    assert cell == {
        "table": "applications", "row": "withheld_state_secret", "column": "commercial",
        "label": "三、本年度办理结果 / （三）不予公开 / 1.属于国家秘密 / 商业企业",
        "label_path": ["三、收到和处理政府信息公开申请情况", "三、本年度办理结果", "（三）不予公开", "1.属于国家秘密",
                       "申请人情况", "法人或其他组织", "商业企业"],
        "derived": False, "value": 0,
    }
    total = next(c for c in cells if (c["table"], c["row"], c["column"]) == ("applications", "new_received", "total"))
    assert total["derived"] is True and total["value"] == 3119
    fees = next(c for c in cells if c["row"] == "fees")
    assert fees["value"] == 96171.6 and fees["label_path"] == ["二、主动公开政府信息情况", "第二十条第（八）项", "行政事业性收费",
                                                               "本年收费金额（单位：万元）"]


def test_csv_opens_in_excel_and_concatenates_across_agencies():
    data = opendata.to_csv(REPORTS["taocun-2022"])
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == opendata.CSV_FIELDS
    assert len(rows) == 200 and {r["agency"] for r in rows} == {"朔州市平鲁区陶村乡人民政府"} and {r["year"] for r in rows} == {"2022"}
    row = next(r for r in rows if (r["table"], r["row"], r["column"]) == ("appeals", "litigation_after_review", "upheld"))
    assert row["label_path"] == "四、政府信息公开行政复议、行政诉讼情况 / 行政诉讼 / 复议后起诉 / 结果维持"
    assert data.count(b"\r\n") == 201


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_check_reads_open_data_back(kind, runner, tmp_path):
    result = runner.invoke(cli, ["render", str(HUAIAN), "-o", str(tmp_path / "报告.docx"), "--json", "--csv"])
    assert result.exit_code == 0, result.output
    path = tmp_path / f"报告.{kind}"
    result = runner.invoke(cli, ["check", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    [checked] = json.loads(result.output)["files"] if "files" in json.loads(result.output) else json.loads(result.output)
    assert checked["agency"] == "淮安市人民政府" and checked["errors"] == 0
    assert checked["findings"] == [] and checked["warnings"] == 0  # a CSV has no text for the narrative rules


def test_check_finds_a_broken_total_in_edited_open_data(runner, tmp_path):
    path = tmp_path / "r.json"
    document = json.loads(opendata.to_json(REPORTS["huaian-2024"]))
    cell = next(c for c in document["cells"] if (c["row"], c["column"]) == ("new_received", "total"))
    cell["value"] = 3120  # a stated total that is not the sum
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    assert "[B]" in result.output and "3119" in result.output and "3120" in result.output


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["cells"].pop(5), "缺少 1 个单元格的数字"),
    (lambda d: d["cells"].append(dict(d["cells"][0])), "重复出现"),
    (lambda d: d["cells"][0].update(row="nonsense"), "没有“proactive.nonsense.issued”这一格"),
    (lambda d: d["cells"][0].update(value=-1), "件数不能为负数"),
    (lambda d: d["cells"][0].update(value=1.5), "件数应为整数"),
    (lambda d: d["cells"][0].update(value="三"), "应为数字"),
    (lambda d: d.update(year="二〇二四"), "报告年度应为四位数的年份"),
    (lambda d: d.update(schema="other"), "不是本工具导出的开放数据文件"),
])
def test_unusable_json_is_refused_with_the_cell_named(edit, message, runner, tmp_path):
    document = json.loads(opendata.to_json(REPORTS["huaian-2024"]))
    edit(document)
    path = tmp_path / "r.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_a_label_is_named_for_a_bad_value(tmp_path):
    document = json.loads(opendata.to_json(REPORTS["huaian-2024"]))
    document["cells"][0]["value"] = "x"
    path = tmp_path / "r.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(toolkit.DataFileError) as caught:
        opendata.load(path)
    assert "第二十条第（一）项 / 规章 / 本年制发件数" in str(caught.value) and "figures.proactive.regulations.issued" in str(caught.value)


def test_broken_json_names_the_line(runner, tmp_path):
    path = tmp_path / "r.json"
    path.write_text(opendata.to_json(REPORTS["huaian-2024"])[:500], encoding="utf-8")
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 2 and "不是有效的 JSON" in result.output and "行" in result.output


def test_a_county_csv_of_many_agencies_is_refused_as_one_report(runner, tmp_path):
    path = tmp_path / "county.csv"
    first, second = (opendata.to_csv(REPORTS[n]).decode("utf-8-sig") for n in ("huaian-2024", "taocun-2022"))
    path.write_text(first + second.split("\r\n", 1)[1], encoding="utf-8")
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 2
    assert "淮安市人民政府 2024年度" in result.output and "朔州市平鲁区陶村乡人民政府 2022年度" in result.output


def test_a_bad_csv_value_names_the_line(runner, tmp_path):
    lines = opendata.to_csv(REPORTS["taocun-2022"]).decode("utf-8-sig").split("\r\n")
    lines[3] = lines[3].rsplit(",", 1)[0] + ",12件"
    path = tmp_path / "r.csv"
    path.write_text("\r\n".join(lines), encoding="gbk", errors="strict")  # as Excel saves it on Chinese Windows
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 2 and "r.csv:4" in result.output and "“12件”" in result.output


def test_render_open_data_alone(runner, tmp_path):
    result = runner.invoke(cli, ["render", str(HUAIAN), "-o", str(tmp_path / "数据.csv")])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["数据.csv"]
    result = runner.invoke(cli, ["render", str(HUAIAN), "-o", str(tmp_path / "数据.csv"), "--json"])
    assert result.exit_code == 0 and (tmp_path / "数据.json").exists() and "未改动：" in result.output


def test_the_same_report_gives_the_same_bytes():
    report = copy.deepcopy(REPORTS["huaian-2024"])
    assert opendata.to_json(report) == opendata.to_json(REPORTS["huaian-2024"])
    assert opendata.to_csv(report) == opendata.to_csv(REPORTS["huaian-2024"])


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_an_unread_figure_stays_unknown(kind, tmp_path):
    report = copy.deepcopy(REPORTS["huaian-2024"])
    unread = CellRef("applications", "disclosed", "commercial")
    report.unread.add(unread)
    path = tmp_path / f"r.{kind}"
    path.write_bytes(opendata.to_json(report).encode() if kind == "json" else opendata.to_csv(report))
    records = {(c["row"], c["column"]): c["value"] for c in opendata.cells(report)}
    assert records["disclosed", "commercial"] is None and records["total", "commercial"] is None
    assert records["disclosed", "total"] is None and records["disclosed", "natural_person"] == 1288
    back = opendata.load(path)
    assert back.unread == {unread} and back.unread_under(CellRef("applications", "total", "total"))


def test_a_truncated_csv_row_is_refused_not_taken_as_unknown(runner, tmp_path):
    lines = opendata.to_csv(REPORTS["taocun-2022"]).decode("utf-8-sig").split("\r\n")
    lines[5] = lines[5].rsplit(",", 1)[0]
    path = tmp_path / "r.csv"
    path.write_text("\r\n".join(lines), encoding="utf-8")
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 2 and "r.csv:6" in result.output and "有 9 列，应为 10 列" in result.output
