"""Tables 三 and 四 counted from registers: generated from known figures, then read back."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import subprocess

import pytest
from openpyxl import Workbook, load_workbook

import toolkit
from toolkit.formats import CellRef, get_format
from toolkit.register import RegisterError, parse_date, BadDate
from toolkit.tally import count, read_register, tally

from .conftest import ROOT

TODAY = dt.date(2026, 6, 30)
HUAIAN = ROOT / "samples" / "huaian-2024.yaml"

# How offices write applicant types: (申请人类型, 法人或其他组织类型) pairs, cycled through.
APPLICANT_WRITINGS = {
    "natural_person": [("自然人", ""), ("公民", ""), ("个人", ""), ("申请人情况—自然人", "")],
    "commercial": [("法人", "企业"), ("商业企业", ""), ("法人或其他组织", "商业企业"), ("企业", "")],
    "research": [("法人", "科研机构"), ("科研院所", "")],
    "public_interest": [("法人或其他组织", "社会公益组织"), ("公益组织", "")],
    "legal_service": [("法人", "律师事务所"), ("法律服务机构", ""), ("律所", "")],
    "other": [("法人或其他组织", "其他"), ("其他组织", "")],
}
# How offices write outcomes: the official label in full, its leaf, short forms, their own words.
OUTCOME_WRITINGS = {
    "disclosed": ["予以公开", "（一）予以公开", "同意公开", "公开"],
    "partially_disclosed": ["部分公开", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"],
    "withheld_state_secret": ["不予公开—国家秘密", "属于国家秘密"],
    "withheld_prohibited_by_law": ["不予公开-其他法律行政法规禁止公开", "2.其他法律行政法规禁止公开"],
    "withheld_security_stability": ["危及“三安全一稳定”", "不予公开/危及三安全一稳定"],
    "withheld_third_party": ["保护第三方合法权益", "不予公开（保护第三方合法权益）"],
    "withheld_internal_affairs": ["属于三类内部事务信息", "不予公开—内部事务信息"],
    "withheld_process_info": ["属于四类过程性信息", "过程性信息"],
    "withheld_enforcement_files": ["属于行政执法案卷", "不予公开 7.属于行政执法案卷"],
    "withheld_query_matters": ["属于行政查询事项", "行政查询事项"],
    "unavailable_not_held": ["本机关不掌握相关政府信息", "信息不存在", "无法提供—本机关不掌握相关政府信息"],
    "unavailable_needs_creation": ["没有现成信息需要另行制作", "需要另行制作"],
    "unavailable_unclear": ["补正后申请内容仍不明确"],
    "rejected_petition": ["信访举报投诉类申请", "不予处理—信访举报投诉类申请"],
    "rejected_duplicate": ["重复申请", "不予处理-重复申请"],
    "rejected_publication": ["要求提供公开出版物"],
    "rejected_excessive": ["无正当理由大量反复申请"],
    "rejected_confirmation": ["要求行政机关确认或重新出具已获取信息"],
    "other_no_correction": ["申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "逾期不补正"],
    "other_unpaid_fee": ["逾期未缴费", "其他处理—2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"],
    "other_misc": ["其他处理—其他", "（六）其他处理 3.其他"],
}
HEADER = ["序号", "申请编号", "申请人姓名/名称", "申请人类别", "法人或其他组织类型", "申请内容", "收到日期",
          "办结日期", "处理结果", "备注"]


def date_writings(day: dt.date | None, i: int):
    """A date as offices type it, cycling through Excel dates and text forms."""
    if day is None:
        return None
    forms = [dt.datetime(day.year, day.month, day.day), f"{day.year}年{day.month}月{day.day}日",
             f"{day.year}.{day.month}.{day.day}", f"{day.year}/{day.month}/{day.day}", day.isoformat()]
    return forms[i % len(forms)]


def requests_for(report, year: int):
    """One (applicant, received, answered, outcome) per request, reproducing the report's table 三."""
    value = lambda row, col: int(report.value(CellRef("applications", row, col)))
    fmt = report.format
    outcome_rows = fmt.tables["applications"].row("total").sum_of
    columns = [c.key for c in fmt.tables["applications"].blocks[0].columns if not c.sum_of]
    start = dt.date(year, 1, 1)
    result = []
    for col in columns:
        fates = [row for row in outcome_rows for _ in range(value(row, col))]
        fates += [None] * value("carried_forward", col)
        carried, new = value("carried_over", col), value("new_received", col)
        assert len(fates) == carried + new, col
        for i, fate in enumerate(fates):
            if i < carried:
                received = start - dt.timedelta(days=1 + i % 60)
            else:
                received = start + dt.timedelta(days=(i - carried) * 365 // max(new, 1) % 350)
            if fate is None:
                answered = None if i % 2 else dt.date(year + 1, 1, 5 + i % 20)
            else:
                answered = min(received + dt.timedelta(days=i % 20), dt.date(year, 12, 31))
                answered = max(answered, start)
            result.append((col, received, answered, fate))
    return result


def write_register(path, requests, *, sheet="2024年", title=True, start_number=1):
    book = Workbook()
    ws = book.active
    ws.title = sheet
    if title:
        ws.append(["某某市人民政府政府信息公开申请登记台账"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
        ws.append(["填表单位：办公室", None, None, None, None, None, None, "单位：件"])
    ws.append(HEADER)
    counters = {k: itertools.count() for k in APPLICANT_WRITINGS}
    outcome_counters = {k: itertools.count() for k in OUTCOME_WRITINGS}
    for n, (col, received, answered, fate) in enumerate(requests, start=start_number):
        kind, subtype = APPLICANT_WRITINGS[col][next(counters[col]) % len(APPLICANT_WRITINGS[col])]
        if fate is None:
            outcome, answered_cell = ("办理中" if answered is None else "予以公开"), answered
        else:
            writings = OUTCOME_WRITINGS[fate]
            outcome, answered_cell = writings[next(outcome_counters[fate]) % len(writings)], answered
        ws.append([n, f"YSQ-{n:05d}", f"申请人{n}", kind, subtype or None, "关于某事项的信息",
                   date_writings(received, n), date_writings(answered_cell, n + 1), outcome, None])
    ws.append(["合计", None, None, None, None, None, None, None, None, None])
    book.save(path)
    return path


def applications(figures):
    return {ref: v for ref, v in figures.items() if ref.table == "applications"}


@pytest.fixture(scope="module")
def huaian():
    return toolkit.load(HUAIAN)


def test_huaian_table_three_tallies_back_exactly(huaian, tmp_path):
    requests = requests_for(huaian, 2024)
    assert len(requests) == 3119 + 34  # every request of the published table, one row each
    path = write_register(tmp_path / "台账.xlsx", requests)
    result = tally([path], 2024, huaian.format, today=TODAY)
    expected = {ref: huaian.value(ref) for ref in huaian.format.iter_input_cells() if ref.table == "applications"}
    assert applications(result.figures) == expected
    assert result.skipped == [] and result.cases is None
    report = toolkit.Report.blank("淮安市人民政府", 2024, huaian.format)
    report.figures.update(result.figures)
    assert [f for f in toolkit.check(report) if f.severity == toolkit.ERROR] == []
