"""What a reviewer sees on the command line when auditing real published copies: an honest status
for copies whose tables were not (all) read, unread figures rendered visibly only when asked, and a
format that does not belong to the year refused. Every published report here is a real file."""

from __future__ import annotations

import io
import json
import re

import docx
import pytest
import yaml

from toolkit import api
from toolkit.cli import cli
from toolkit.layout import grid

pytestmark = pytest.mark.usefixtures("shared")


@pytest.fixture
def web(shared):
    return shared / "real/web"


def test_status_says_how_much_of_the_tables_was_checked(web, shared):
    unread = api.check_file(web / "116.txt")  # cut in section 一: no figure read
    assert (unread.figures_read, unread.count("error")) == (0, 0)
    assert (unread.status, unread.coverage) == ("未核查表格", "none")
    partial = api.check_file(web / "112.txt")  # cut inside table 三
    assert 0 < partial.figures_read < partial.figures_read + partial.figures_unread
    assert (partial.status, partial.coverage) == ("仅部分核查", "partial")
    complete = api.check_file(web / "103.txt")  # every cell read, consistent
    assert (complete.figures_unread, complete.status) == (0, "通过")
    errors = api.check_file(web / "101.pdf")  # partly read, but with real errors: errors win
    assert errors.figures_unread and errors.status == "未通过"


def test_summary_table_line_and_json_carry_the_status(runner, web):
    files = [str(web / "103.txt"), str(web / "112.txt"), str(web / "116.txt")]
    result = runner.invoke(cli, ["check", *files])
    rows = {line.split()[0]: line for line in result.output.splitlines() if line.startswith(("103", "112", "116"))}
    assert "通过" in rows["103.txt"] and "166/0" in rows["103.txt"]
    assert "仅部分核查" in rows["112.txt"] and "未核查表格" in rows["116.txt"] and "0/166" in rows["116.txt"]
    summary = result.output.strip().splitlines()[-1]
    assert "仅部分核查 1 个" in summary and "未核查表格 1 个" in summary and summary.endswith("—— 仅部分核查")
    payload = json.loads(runner.invoke(cli, ["check", "--format", "json", *files]).output)
    by_file = {f["file"].rsplit("/", 1)[-1]: f for f in payload["files"]}
    assert (by_file["116.txt"]["result"], by_file["116.txt"]["coverage"]) == ("未核查表格", "none")
    assert (by_file["112.txt"]["result"], by_file["103.txt"]["result"]) == ("仅部分核查", "通过")
    assert (payload["summary"]["partially_checked"], payload["summary"]["tables_unchecked"]) == (1, 1)


def test_new_refuses_a_format_that_does_not_belong_to_the_year(runner, tmp_path):
    out = tmp_path / "2025.yaml"
    refused = runner.invoke(cli, ["new", "--agency", "某某乡人民政府", "--year", "2025", "--format", "2019", "-o", str(out)])
    assert refused.exit_code == 2 and not out.exists()
    assert "格式 2019" in refused.output and "2019—2020年度" in refused.output and "2025年度应使用格式 2021" in refused.output
    back = runner.invoke(cli, ["new", "--agency", "某某乡人民政府", "--year", "2020", "--format", "2021", "-o", str(out)])
    assert back.exit_code == 2 and "2021年度及以后" in back.output and "2020年度应使用格式 2019" in back.output
    forced = runner.invoke(cli, ["new", "--agency", "某某乡人民政府", "--year", "2025", "--format", "2019",
                                 "--allow-format-mismatch", "-o", str(out)])
    assert forced.exit_code == 0 and yaml.safe_load(out.read_text(encoding="utf-8"))["format"] == "2019"
    checked = api.check_file(out)  # check says the same of the data file
    l1 = next(f for f in checked.findings if f.rule == "L1")
    assert (l1.severity, l1.expected, l1.found) == ("error", "2021", "2019") and "2019—2020年度" in l1.message
    assert runner.invoke(cli, ["new", "--agency", "某某乡人民政府", "--year", "2020", "--format", "2019",
                               "-o", str(tmp_path / "2020.yaml")]).exit_code == 0


def test_render_with_unread_figures_shows_them_as_unknown(runner, web, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "112.yaml"
    assert runner.invoke(cli, ["extract", str(web / "112.txt"), "-o", str(data)]).exit_code == 1  # cut in table 三
    report = api.load(data).report
    refused = runner.invoke(cli, ["render", str(data), "-o", "a.docx"])
    assert refused.exit_code == 2 and not (tmp_path / "a.docx").exists()
    assert "138 个数字为空" in refused.output and "--allow-unread" in refused.output
    assert "「三、本年度办理结果 / （二）部分公开" in refused.output and "第 " in refused.output
    # --ignore-errors is for rule errors, not for figures that were never read
    assert runner.invoke(cli, ["render", str(data), "-o", "a.docx", "--ignore-errors"]).exit_code == 2
    done = runner.invoke(cli, ["render", str(data), "-o", "a.docx", "--allow-unread", "--html", "--json"])
    assert done.exit_code == 0, done.output
    page = (tmp_path / "a.html").read_text(encoding="utf-8")
    shown_on_page = re.findall(r'<td headers="[^"]*"[^>]*>([^<]*)</td>', page)
    records = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["cells"]
    values = {f'{r["table"]}.{r["row"]}.{r["column"]}': r["value"] for r in records}
    assert all(values[str(ref)] is None for ref in report.unread)
    # the web page prints the same cells in the same order: 「—」 exactly where the open data is null
    assert [None if text == "—" else float(text) for text in shown_on_page] == [r["value"] for r in records]
    document = docx.Document(io.BytesIO((tmp_path / "a.docx").read_bytes()))
    tables = [s.table for s in report.format.sections if s.table]
    shown = {}
    for table, key in zip(document.tables, tables):
        for cell in grid(report.format.tables[key]).figure_cells():
            shown[cell.ref] = table.cell(cell.row, cell.col).text
    read = [ref for ref in report.format.iter_input_cells() if ref not in report.unread]
    assert read and all(shown[ref] == str(report.figures[ref]) for ref in read)
    assert report.unread and all(shown[ref] == "—" for ref in report.unread)
    derived = [ref for ref in shown if report.format.is_derived(ref)]
    assert all(shown[ref] == ("—" if report.unread_under(ref) else str(report.value(ref))) for ref in derived)
    assert shown[next(ref for ref in derived if ref.row == "total" and ref.col == "total")] == "—"
    chart = runner.invoke(cli, ["render", str(data), "-o", "b.docx", "--allow-unread", "--chart", "--previous", str(data)])
    assert chart.exit_code == 2 and "无法生成对比图" in chart.output and not (tmp_path / "b.docx").exists()
