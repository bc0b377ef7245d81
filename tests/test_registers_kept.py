"""Registers as offices keep them: dashes for “not yet answered”, their own names for the received
date, a 办理状态 column that may contradict the row, 延期答复 beside a date, a bare 「其他」."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from openpyxl import Workbook, load_workbook

from toolkit.cli import cli
from toolkit.formats import CellRef, get_format
from toolkit.registers.sheets import RegisterError
from toolkit.registers.tally import tally
from toolkit.registers.workbook import template_workbook
from toolkit.render import find_office

from .test_office import office  # noqa: F401  (the fixture: LibreOffice must be there in CI)
from .test_tally import TODAY

FMT = get_format("2021")


def cell(figures, row, col="natural_person"):
    return figures[CellRef("applications", row, col)]


def csv_register(tmp_path, header: str, *rows: str, name="台账.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("dash", ["—", "/", "／", "——", "-", "未答复", "无"])
def test_a_dash_in_the_answered_column_means_not_yet_answered(tmp_path, dash):
    path = csv_register(tmp_path, "收到日期,申请人类型,答复日期,办理结果",
                        f"2025-12-20,公民,{dash},办理中",
                        f"2025-12-22,公民,{dash},",
                        "2025-03-01,公民,2025-03-05,予以公开")
    figures = tally([path], 2025, FMT, today=TODAY).figures
    assert cell(figures, "new_received") == 3
    assert cell(figures, "carried_forward") == 2
    assert cell(figures, "disclosed") == 1
    # The next year, both open requests are carried over into it.
    assert cell(tally([path], 2026, FMT, today=TODAY).figures, "carried_over") == 2


def test_a_dash_beside_an_outcome_is_a_missing_answer_date(tmp_path):
    path = csv_register(tmp_path, "收到日期,申请人类型,答复日期,办理结果", "2025-12-20,公民,—,予以公开")
    with pytest.raises(RegisterError) as caught:
        tally([path], 2025, FMT, today=TODAY)
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (2, "答复日期") and "缺少答复日期" in problem.message


@pytest.mark.parametrize("header", ["登记时间", "来件时间", "来件日期", "收件日期", "收文日期"])
def test_the_received_column_under_the_names_offices_give_it(tmp_path, header):
    path = csv_register(tmp_path, f"{header},申请人类型,答复日期,办理结果",
                        "2024-12-30,公民,2025-01-06,予以公开", "2025-02-01,企业,2025-02-08,部分公开")
    figures = tally([path], 2025, FMT, today=TODAY).figures
    assert cell(figures, "carried_over") == 1 and cell(figures, "new_received", "commercial") == 1
    assert cell(figures, "disclosed") == 1 and cell(figures, "partially_disclosed", "commercial") == 1


STATUS_ROWS = ["2025-03-01,公民,2025-03-05,予以公开,已办结",   # row 2: agrees
               "2025-12-28,公民,,办理中,办理中",                # row 3: agrees, still open
               "2025-11-02,企业,2025-11-20,予以公开,办理中",    # row 4: contradicts its date and outcome
               "2025-11-03,公民,,,已办结",                      # row 5: says answered, with no date
               "2025-11-04,公民,2025-11-09,予以公开,待定"]      # row 6: a status word not known


def test_a_status_column_that_contradicts_the_row_is_located_not_counted(tmp_path):
    path = csv_register(tmp_path, "收到日期,申请人类型,答复日期,办理结果,办理状态", *STATUS_ROWS)
    with pytest.raises(RegisterError) as caught:
        tally([path], 2025, FMT, today=TODAY)
    found = {p.row: p for p in caught.value.problems}
    assert sorted(found) == [4, 5, 6] and {p.column for p in found.values()} == {"办理状态"}
    assert found[4].describe().startswith("台账.csv 第 4 行 “办理状态”列：办理状态为“办理中”，"
                                          "但已填写答复日期（2025年11月20日）和办理结果“予以公开”")
    assert "改为“已办结”" in found[4].hint
    assert "没有答复日期" in found[5].message and "无法识别的办理状态“待定”" in found[6].message

    skipped = tally([path], 2025, FMT, today=TODAY, skip_bad_rows=True)
    figures = skipped.figures
    assert [p.row for p in skipped.skipped] == [4, 5, 6]
    assert cell(figures, "new_received") == 2 and cell(figures, "new_received", "commercial") == 0
    assert cell(figures, "disclosed") == 1 and cell(figures, "carried_forward") == 1


def test_the_status_column_through_the_command(runner, tmp_path):
    path = csv_register(tmp_path, "登记时间,申请人类型,答复日期,办理结果,状态", *STATUS_ROWS[:3])
    result = runner.invoke(cli, ["tally", str(path), "--year", "2025"])
    assert result.exit_code == 2
    assert "台账.csv 第 4 行 “状态”列：办理状态为“办理中”，但已填写答复日期" in result.output
    assert "Traceback" not in result.output


def test_deferred_with_a_date_says_what_is_meant(tmp_path):
    path = csv_register(tmp_path, "收到日期,申请人类型,答复日期,办理结果",
                        "2025-11-01,公民,2025-11-20,延期答复",  # the date of the extension notice, or of a late answer
                        "2025-12-01,公民,,延期答复")            # deferred, not yet answered: carried forward
    with pytest.raises(RegisterError) as caught:
        tally([path], 2025, FMT, today=TODAY)
    [problem] = caught.value.problems
    assert (problem.row, problem.column, problem.value) == (2, "办理结果", "延期答复")
    assert "答复期限已延长" in problem.message and "2025年11月20日" in problem.message
    assert "延期告知的日期不是答复日期" in problem.hint and "填写法定的办理结果" in problem.hint
    figures = tally([path], 2025, FMT, today=TODAY, skip_bad_rows=True).figures
    assert cell(figures, "new_received") == 1 and cell(figures, "carried_forward") == 1


def test_a_bare_other_outcome_is_ambiguous(tmp_path):
    path = csv_register(tmp_path, "收到日期,申请人类型,答复日期,办理结果",
                        "2025-05-01,公民,2025-05-09,其他",
                        "2025-05-02,公民,2025-05-09,其他处理—其他",
                        "2025-05-03,公民,2025-05-09,其它")
    with pytest.raises(RegisterError) as caught:
        tally([path], 2025, FMT, today=TODAY)
    assert [p.row for p in caught.value.problems] == [2, 4]
    message = caught.value.problems[0].message
    assert message.startswith("“其他”包括 “1.申请人无正当理由逾期不补正") and "“3.其他”" in message
    assert "须在本列写明是哪一种情形" in message
    figures = tally([path], 2025, FMT, today=TODAY, skip_bad_rows=True).figures
    assert cell(figures, "other_misc") == 1 and cell(figures, "new_received") == 1


def test_a_bare_other_with_its_detail_is_placed(tmp_path):
    path = csv_register(tmp_path, "收到日期,申请人类型,答复日期,办理结果,具体情形",
                        "2025-05-01,公民,2025-05-09,其他,逾期未缴费")
    assert cell(tally([path], 2025, FMT, today=TODAY).figures, "other_unpaid_fee") == 1


def test_a_status_column_in_a_workbook_with_a_title_row(tmp_path):
    book = Workbook()
    ws = book.active
    ws.append(["某某局依申请公开登记台账"])
    ws.append(["序号", "来件时间", "申请人类型", "答复时间", "答复类型", "办理状态"])
    ws.append([1, "2025年6月1日", "个人", "/", "办理中", "办理中"])
    ws.append([2, "2025年6月2日", "个人", "2025年6月9日", "公开", "已办结"])
    path = tmp_path / "台账.xlsx"
    book.save(path)
    figures = tally([path], 2025, FMT, today=TODAY).figures
    assert cell(figures, "new_received") == 2 and cell(figures, "disclosed") == 1 and cell(figures, "carried_forward") == 1


def test_the_blank_register_template_prints_on_a4(office, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(template_workbook(FMT))
    book = load_workbook(io.BytesIO(path.read_bytes()))
    assert all(int(book[name].page_setup.paperSize) == 9 for name in ("申请登记", "复议诉讼案件", "填写说明"))  # A4
    profile = (tmp_path / "profile").as_uri()
    subprocess.run([find_office(), f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], capture_output=True, timeout=300, check=True)
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(tmp_path / "台账.pdf")],
                          capture_output=True, text=True, check=True).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert sizes, info
    for width, height in sizes:  # A4 is 595 × 842 pt, either way round; Letter would be 612 × 792
        assert sorted((round(float(width)), round(float(height)))) == [595, 842], sizes
