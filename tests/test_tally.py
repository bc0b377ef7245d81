"""Tables 三 and 四 counted from registers: generated from known figures, then read back."""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess

import pytest
from openpyxl import Workbook, load_workbook

import toolkit
import toolkit.api
from toolkit.cli import cli
from toolkit.formats import CellRef, get_format
from toolkit.registers.sheets import BadDate, RegisterError, parse_date, squash
from toolkit.registers.labels import Labels
from toolkit.registers.workbook import choices, template_workbook
from toolkit.render import find_office
from toolkit.registers.tally import count, read_register, tally

from .conftest import ROOT
from .test_office import office  # noqa: F401  (the fixture: LibreOffice must be there in CI)

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
    return toolkit.load(HUAIAN).report


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


def tables(register_paths, years, fmt=None, **options):
    """Each year's report (blank but for the counted figures), read from one register."""
    reports = []
    for year in years:
        year_fmt = fmt or toolkit.format_for_year(year)
        result = tally(register_paths, year, year_fmt, today=TODAY, **options)
        report = toolkit.Report.blank("某某市人民政府", year, year_fmt)
        report.figures.update(result.figures)
        reports.append(report)
    return reports


def test_two_year_register_gives_tables_whose_carry_overs_agree(huaian, tmp_path):
    """Huaian's 2024 requests and a second year of new ones, kept in one workbook on two sheets."""
    book = Workbook()
    first = book.active
    first.title = "2024年"
    first.append(HEADER)
    second = book.create_sheet("2025年")
    second.append(["2025年度政府信息公开申请登记"])
    second.append(HEADER)
    still_open = 0  # at the end of 2025
    for n, (col, received, answered, fate) in enumerate(requests_for(huaian, 2024), start=1):
        still_open += fate is None and answered is None
        outcome = "办理中" if fate is None and answered is None else "予以公开" if fate is None else OUTCOME_WRITINGS[fate][0]
        kind, subtype = APPLICANT_WRITINGS[col][0]
        first.append([n, f"A{n}", None, kind, subtype or None, None, received, answered, outcome])
    columns = list(APPLICANT_WRITINGS)
    for n in range(400):
        col = columns[n % len(columns)]
        received = dt.date(2025, 1, 1) + dt.timedelta(days=n * 360 // 400)
        answered = None if n % 9 == 0 else received + dt.timedelta(days=n % 25)
        still_open += answered is None or answered.year > 2025
        outcome = "办理中" if answered is None else ["予以公开", "信息不存在", "不予公开—国家秘密", "重复申请"][n % 4]
        kind, subtype = APPLICANT_WRITINGS[col][n % len(APPLICANT_WRITINGS[col])]
        second.append([n, f"B{n}", None, kind, subtype or None, None, date_writings(received, n),
                       date_writings(answered, n), outcome])
    path = tmp_path / "台账.xlsx"
    book.save(path)
    r2023, r2024, r2025 = tables([path], [2023, 2024, 2025])
    value = lambda report, row, col="total": report.value(CellRef("applications", row, col))
    assert value(r2024, "carried_forward") == 103 and value(r2024, "carried_over") == 34
    assert value(r2023, "new_received") == 34 and value(r2023, "carried_forward") == 34
    assert value(r2025, "carried_over") == 103 and value(r2025, "new_received") == 400
    assert value(r2025, "carried_forward") == still_open and 0 < still_open < 103 + 400
    for col in columns:
        assert value(r2025, "carried_over", col) == value(r2024, "carried_forward", col)
    for report, previous in ((r2024, r2023), (r2025, r2024)):
        errors = [f for f in toolkit.check(report, previous) if f.severity == toolkit.ERROR]
        assert errors == [], [e.describe() for e in errors]
    # The cross-year rule is really checked: a table out of step with last year's is an error.
    assert any(f.rule == "X1" for f in toolkit.check(r2025, r2023))


def malformed_register(path):
    book = Workbook()
    ws = book.active
    ws.title = "登记"
    ws.append(["某某局依申请公开台账"])
    ws.merge_cells("A1:I1")
    ws.append(HEADER[:9])
    good = ["公民", None, None, "2025-03-01", "2025-03-10", "予以公开"]
    rows = {
        "good": good,
        "transfer": ["公民", None, None, "2025-03-01", "2025-03-10", "转办"],
        "no_received": ["公民", None, None, None, "2025-03-10", "予以公开"],
        "answered_first": ["公民", None, None, "2025-03-10", "2025-03-01", "予以公开"],
        "month_13": ["公民", None, None, "2025.13.5", "2025-03-10", "予以公开"],
        "words": ["公民", None, None, "三月初", None, "办理中"],
        "future": ["公民", None, None, "2027-01-01", None, "办理中"],
        "duplicate": good,
        "company_unsaid": ["法人", None, None, "2025-03-01", "2025-03-10", "予以公开"],
        "withheld_unsaid": ["公民", None, None, "2025-03-01", "2025-03-10", "不予公开"],
        "unknown_type": ["外国友人", None, None, "2025-03-01", "2025-03-10", "予以公开"],
        "answered_no_outcome": ["公民", None, None, "2025-03-01", "2025-03-10", None],
        "outcome_no_answer": ["公民", None, None, "2025-03-01", None, "部分公开"],
        "contradiction": ["自然人", "企业", None, "2025-03-01", "2025-03-10", "予以公开"],
    }
    numbers = {}
    for n, (name, (kind, subtype, content, received, answered, outcome)) in enumerate(rows.items(), start=1):
        number = "Y-1" if name in ("good", "duplicate") else f"Y-{n}"
        ws.append([n, number, "某人", kind, subtype, content, received, answered, outcome])
        numbers[name] = ws.max_row
    book.save(path)
    return numbers


def test_every_malformed_row_is_reported_at_its_sheet_row_and_column(tmp_path):
    path = tmp_path / "台账.xlsx"
    rows = malformed_register(path)
    with pytest.raises(RegisterError) as caught:
        tally([path], 2025, get_format("2021"), today=TODAY)
    found = {(p.sheet, p.row, p.column): p for p in caught.value.problems}
    expected = {
        "transfer": ("处理结果", "无法对应到法定的办理结果"),
        "no_received": ("收到日期", "缺少收到日期"),
        "answered_first": ("办结日期", "答复日期早于收到日期"),
        "month_13": ("收到日期", "日期不存在"),
        "words": ("收到日期", "无法识别的日期"),
        "future": ("收到日期", "晚于今天"),
        "duplicate": ("申请编号", f"与第 {rows['good']} 行重复"),
        "company_unsaid": ("申请人类别", "须在“法人或其他组织类型”列写明是哪一类"),
        "withheld_unsaid": ("处理结果", "“1.属于国家秘密”"),
        "unknown_type": ("申请人类别", "无法对应到法定的申请人类型"),
        "answered_no_outcome": ("处理结果", "没有办理结果"),
        "outcome_no_answer": ("办结日期", "缺少答复日期"),
        "contradiction": ("法人或其他组织类型", "矛盾"),
    }
    for name, (column, words) in expected.items():
        problem = found.get(("登记", rows[name], column))
        assert problem is not None, (name, sorted(found))
        assert words in problem.message, (name, problem.message)
        assert problem.describe().startswith(f"台账.xlsx 工作表“登记” 第 {rows[name]} 行 “{column}”列：")
    assert len(caught.value.problems) == len(expected)
    assert "转办不是法定的办理结果" in found["登记", rows["transfer"], "处理结果"].hint
    assert caught.value.remedy == "skip_bad_rows" and "--" not in str(caught.value)

    result = tally([path], 2025, get_format("2021"), today=TODAY, skip_bad_rows=True)
    assert [(p.row, p.column) for p in result.skipped] == [(p.row, p.column) for p in caught.value.problems]
    assert result.figures[CellRef("applications", "new_received", "natural_person")] == 1
    assert result.figures[CellRef("applications", "disclosed", "natural_person")] == 1
    assert sum(result.figures.values()) == 2  # the one good row: received, and answered


def test_a_group_word_is_placed_by_its_detail_column(tmp_path):
    path = tmp_path / "台账.csv"
    path.write_text("申请日期,申请人类型,单位类型,答复日期,答复类型,具体情形\n"
                    "2025/1/5,法人,律师事务所,2025/1/9,不予公开,国家秘密\n"
                    "2025/1/6,单位,科研院所,2025/1/9,无法提供,信息不存在\n", encoding="utf-8")
    figures = tally([path], 2025, get_format("2021"), today=TODAY).figures
    assert figures[CellRef("applications", "withheld_state_secret", "legal_service")] == 1
    assert figures[CellRef("applications", "unavailable_not_held", "research")] == 1
    assert sum(figures.values()) == 4


@pytest.mark.parametrize("encoding, delimiter", [("gbk", ","), ("utf-8-sig", ","), ("utf-8", ","), ("gbk", "\t")])
def test_csv_registers_in_the_encodings_offices_save(tmp_path, encoding, delimiter):
    path = tmp_path / "台账.csv"
    text = ("某某镇政府信息公开申请台账（2025年）,,,,\n"
            "登记编号,申请人类别,受理日期,办结日期,办理结果\n"
            "1,公民,2025年3月5日,2025年3月20日,予以公开\n"
            "2,企业,2024年12月28日,2025年1月8日,部分公开\n"
            "3,公民,2025年12月30日,,办理中\n"
            "合计,,,,3\n").replace(",", delimiter)
    path.write_bytes(text.encode(encoding))
    figures = tally([path], 2025, get_format("2021"), today=TODAY).figures
    cell = lambda row, col: figures[CellRef("applications", row, col)]
    assert cell("new_received", "natural_person") == 2 and cell("carried_over", "commercial") == 1
    assert cell("disclosed", "natural_person") == 1 and cell("partially_disclosed", "commercial") == 1
    assert cell("carried_forward", "natural_person") == 1
    assert sum(figures.values()) == 6


@pytest.mark.parametrize("value, expected", [
    (dt.datetime(2025, 3, 5, 0, 0), dt.date(2025, 3, 5)),
    (dt.date(2025, 3, 5), dt.date(2025, 3, 5)),
    (45721, dt.date(2025, 3, 5)),  # an Excel serial day in a cell not formatted as a date
    (20250305, dt.date(2025, 3, 5)),
    ("2025年3月5日", dt.date(2025, 3, 5)),
    ("2025.3.5", dt.date(2025, 3, 5)),
    ("2025/3/5", dt.date(2025, 3, 5)),
    ("2025-03-05", dt.date(2025, 3, 5)),
    ("２０２５年３月５日", dt.date(2025, 3, 5)),
    ("2025-03-05 14:30", dt.date(2025, 3, 5)),
    ("  ", None),
    (None, None),
])
def test_dates_as_offices_type_them(value, expected):
    assert parse_date(value, TODAY) == expected


@pytest.mark.parametrize("value", ["2025-02-30", "2025.13.5", "25.3.5", "三月五日", 3.5, "2005-01-01", "2030-01-01"])
def test_dates_that_cannot_be_right_are_refused(value):
    with pytest.raises(BadDate):
        parse_date(value, TODAY)


def cases_csv(path, rows):
    path.write_text("案号,案件类型,诉讼类型,立案日期,结案日期,审理结果\n" + "".join(",".join(r) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def test_table_four_from_a_case_list_in_its_own_file(tmp_path):
    register = tmp_path / "台账.csv"
    register.write_text("收到日期,申请人类型,答复日期,答复类型\n2025-01-02,公民,2025-01-03,予以公开\n", encoding="utf-8")
    cases = cases_csv(tmp_path / "复议诉讼.csv", [
        ("1", "行政复议", "", "2025-02-01", "2025-04-01", "维持"),
        ("2", "行政复议", "", "2025-03-01", "2025-05-01", "撤销"),
        ("3", "行政诉讼", "直接起诉", "2025-03-01", "", "审理中"),
        ("4", "行政诉讼", "复议后起诉", "2024-10-01", "2025-02-01", "驳回起诉"),
        ("5", "行政诉讼", "复议后起诉", "2024-10-01", "2024-12-01", "维持"),  # concluded last year
        ("6", "行政复议", "", "2025-12-01", "2026-01-20", "责令履行"),  # open at the end of the year
    ])
    result = tally([register, cases], 2025, get_format("2021"), today=TODAY)
    appeals = {(ref.row, ref.col): v for ref, v in result.figures.items() if ref.table == "appeals" and v}
    assert appeals == {("reconsideration", "upheld"): 1, ("reconsideration", "corrected"): 1,
                       ("reconsideration", "pending"): 1, ("litigation_direct", "pending"): 1,
                       ("litigation_after_review", "other"): 1}
    assert result.cases == 5


def test_case_rows_that_cannot_be_placed_are_reported(tmp_path):
    register = tmp_path / "台账.csv"
    register.write_text("收到日期,申请人类型,答复日期,答复类型\n", encoding="utf-8")
    cases = cases_csv(tmp_path / "复议诉讼.csv", [
        ("1", "行政诉讼", "", "2025-02-01", "2025-04-01", "维持"),
        ("2", "行政复议", "", "2025-03-01", "", "撤销"),
        ("3", "行政复议", "", "2025-03-01", "2025-04-01", "和稀泥"),
        ("1", "行政复议", "", "2025-03-01", "2025-04-01", "维持"),
    ])
    with pytest.raises(RegisterError) as caught:
        tally([register, cases], 2025, get_format("2021"), today=TODAY)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "案件类型"), (3, "结案日期"), (4, "审理结果"),
                                                                 (5, "案号")]
    assert "案件编号与第 2 行重复" in caught.value.problems[3].message
    assert "须写明是否经过复议" in caught.value.problems[0].message


def test_an_office_extends_the_words(tmp_path):
    register = tmp_path / "台账.csv"
    register.write_text("收悉日期,申请人类型,答复日期,答复类型\n2025-01-02,群众,2025-01-03,转办\n", encoding="utf-8")
    with pytest.raises(RegisterError, match="没有可以识别的申请登记表"):
        tally([register], 2025, get_format("2021"), today=TODAY)
    own = tmp_path / "本单位对照.yaml"
    own.write_text("columns:\n  received: [收悉日期]\noutcomes:\n  unavailable_not_held: [转办]\n", encoding="utf-8")
    figures = tally([register], 2025, get_format("2021"), labels=own, today=TODAY).figures
    assert figures[CellRef("applications", "unavailable_not_held", "natural_person")] == 1
    own.write_text("outcomes:\n  no_such_row: [转办]\n", encoding="utf-8")
    with pytest.raises(toolkit.ToolkitError, match="no_such_row"):
        tally([register], 2025, get_format("2021"), labels=own, today=TODAY)


@pytest.mark.parametrize("suffix, message", [(".xls", "另存为"), (".ods", "另存为"), (".pdf", "不支持")])
def test_files_that_are_not_registers(tmp_path, suffix, message):
    path = tmp_path / f"台账{suffix}"
    path.write_bytes(b"not a workbook")
    with pytest.raises(toolkit.ToolkitError, match=message):
        tally([path], 2025, get_format("2021"), today=TODAY)


def test_a_damaged_workbook_is_refused(tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"PK\x03\x04 damaged")
    with pytest.raises(toolkit.ToolkitError, match="不是有效的 .xlsx"):
        tally([path], 2025, get_format("2021"), today=TODAY)


# -- writing into a data file ----------------------------------------------------------------------


def figures_span(text: str) -> tuple[int, int]:
    """Where the tables 三 and 四 of a dumped data file start and end (they end the file)."""
    return text.index("  applications:"), len(text)


def test_into_changes_only_the_figures_and_keeps_every_comment(huaian, tmp_path):
    data = tmp_path / "2025.yaml"
    original = HUAIAN.read_text(encoding="utf-8").replace("year: 2024", "year: 2025")
    original = original.replace("# 表格数字", "# 表格数字（本单位备注：表三由台账统计）")
    original = original.replace("    carried_over:", "      # 含网上申请 12 件（经办人注）\n    carried_over:", 1)
    data.write_text(original, encoding="utf-8")
    register = tmp_path / "台账.csv"
    register.write_text("收到日期,申请人类型,答复日期,答复类型\n"
                        "2024-12-20,公民,2025-01-03,予以公开\n"
                        "2025-02-01,律所,2025-02-09,信息不存在\n"
                        "2025-12-30,公民,,办理中\n", encoding="gbk")
    result = toolkit.api.tally_into(data, [register])
    written = data.read_text(encoding="utf-8")
    start, _ = figures_span(original)
    assert written[:start] == original[:start]  # agency, narrative, table 二 and their comments: byte for byte
    assert written[written.index("  appeals:"):] == original[original.index("  appeals:"):]  # no case list given
    assert written.count("\n") == original.count("\n") and written.count("#") == original.count("#")
    assert "      # 含网上申请 12 件（经办人注）\n    carried_over:" in written  # comments inside the table too
    assert "      natural_person: 1                 # 自然人\n" in written  # comments stay in their column
    report = toolkit.load(data).report
    cell = lambda row, col: report.value(CellRef("applications", row, col))
    assert cell("carried_over", "natural_person") == 1 and cell("disclosed", "natural_person") == 1
    assert cell("new_received", "natural_person") == 1 and cell("carried_forward", "natural_person") == 1
    assert cell("unavailable_not_held", "legal_service") == 1 and cell("new_received", "total") == 2
    assert report.value(CellRef("appeals", "reconsideration", "upheld")) == 72  # untouched
    assert result.written == data and result.report.year == 2025


def test_into_a_file_without_table_three_adds_it(tmp_path):
    data = tmp_path / "2025.yaml"
    original = ("# 手写的数据文件\nformat: \"2021\"\nyear: 2025\nagency:\n    name: 某某乡人民政府   # 全称\n"
                "figures:\n    proactive:\n        regulations: {issued: 1}\n")
    data.write_text(original, encoding="utf-8")
    register = tmp_path / "台账.csv"
    register.write_text("收到日期,申请人类型,答复日期,答复类型\n2025-02-01,公民,2025-02-09,部分公开\n", encoding="utf-8")
    toolkit.api.tally_into(data, [register])
    written = data.read_text(encoding="utf-8")
    assert written.startswith(original)
    assert "\n    applications:" in written and "\n        new_received:" in written  # the file's own indentation
    report = toolkit.load(data).report
    assert report.value(CellRef("applications", "partially_disclosed", "natural_person")) == 1
    assert report.value(CellRef("proactive", "regulations", "issued")) == 1


def test_into_recomputes_totals_the_file_states(tmp_path, huaian):
    data = tmp_path / "2025.yaml"
    text = toolkit.dumps(toolkit.new_report("某某乡人民政府", 2025))
    text = text.replace("\n    carried_over:", "\n      total: 0\n    carried_over:", 1)  # new_received's total
    data.write_text(text, encoding="utf-8")
    assert CellRef("applications", "new_received", "total") in toolkit.load(data).report.stated_totals
    register = tmp_path / "台账.csv"
    register.write_text("收到日期,申请人类型,答复日期,答复类型\n2025-02-01,公民,2025-02-09,部分公开\n"
                        "2025-03-01,企业,2025-03-09,予以公开\n", encoding="utf-8")
    toolkit.api.tally_into(data, [register])
    report = toolkit.load(data).report
    assert report.stated_totals[CellRef("applications", "new_received", "total")] == 2
    assert [f for f in toolkit.check(report) if f.severity == toolkit.ERROR and f.rule in ("A", "B")] == []


def test_into_refuses_a_data_file_of_another_year(tmp_path):
    data = tmp_path / "2024.yaml"
    data.write_bytes(HUAIAN.read_bytes())
    register = tmp_path / "台账.csv"
    register.write_text("收到日期,申请人类型,答复日期,答复类型\n", encoding="utf-8")
    with pytest.raises(toolkit.ToolkitError, match="2024 年度的数据文件，与要统计的 2025 年度不符"):
        toolkit.api.tally_into(data, [register], 2025)
    assert data.read_bytes() == HUAIAN.read_bytes()


# -- the command -----------------------------------------------------------------------------------


def test_command_stops_on_a_bad_register_with_located_chinese_messages(runner, tmp_path):
    path = tmp_path / "台账.xlsx"
    rows = malformed_register(path)
    data = tmp_path / "2025.yaml"
    result = runner.invoke(cli, ["tally", str(path), "--year", "2025", "-o", str(data)])
    assert result.exit_code == 2
    assert "台账中有 13 处问题，未统计" in result.output
    assert f"台账.xlsx 工作表“登记” 第 {rows['transfer']} 行 “处理结果”列：无法对应到法定的办理结果。（所填内容：转办）" in result.output
    assert "Traceback" not in result.output and not data.exists()

    result = runner.invoke(cli, ["tally", str(path), "--year", "2025", "-o", str(data), "--skip-bad-rows"])
    assert result.exit_code == 0, result.output
    assert "已跳过 13 处问题所在的行" in result.output
    assert f"第 {rows['future']} 行 “收到日期”列：日期 2027年1月1日 晚于今天" in result.output
    assert "本年新收 1 件" in result.output
    report = toolkit.load(data).report
    assert report.value(CellRef("applications", "disclosed", "total")) == 1


def test_command_prints_every_year_of_a_register(runner, tmp_path):
    register = tmp_path / "台账.csv"
    register.write_text("收到日期,申请人类型,答复日期,答复类型\n2024-12-20,公民,2025-01-03,予以公开\n"
                        "2025-02-01,律所,2025-02-09,信息不存在\n", encoding="utf-8")
    result = runner.invoke(cli, ["tally", str(register)])
    assert result.exit_code == 0, result.output
    assert "2024年度 三、收到和处理政府信息公开申请情况" in result.output
    assert "2025年度 三、收到和处理政府信息公开申请情况" in result.output
    forward_2024 = result.output.split("2025年度")[0].splitlines()
    assert [line.split() for line in forward_2024 if line.startswith("四、结转下年度")] == [
        ["四、结转下年度继续办理", "1", "0", "0", "0", "0", "0", "1"]]
    assert "未找到行政复议、行政诉讼案件台账：表四未统计" in result.output


def test_command_refuses_to_overwrite_and_wrong_combinations(runner, tmp_path):
    register = tmp_path / "台账.csv"
    register.write_text("收到日期,申请人类型,答复日期,答复类型\n", encoding="utf-8")
    data = tmp_path / "2025.yaml"
    data.write_text("keep", encoding="utf-8")
    result = runner.invoke(cli, ["tally", str(register), "--year", "2025", "-o", str(data)])
    assert result.exit_code == 2 and "--force" in result.output and data.read_text(encoding="utf-8") == "keep"
    result = runner.invoke(cli, ["tally", str(register), "-o", str(data), "--into", str(data)])
    assert result.exit_code == 2 and "只能选一个" in result.output
    result = runner.invoke(cli, ["tally", str(register), "-o", str(tmp_path / "new.yaml")])
    assert result.exit_code == 2 and "--year" in result.output


# -- the template workbook -------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2019", "2021"])
def test_every_template_choice_is_one_official_row_or_column(version):
    fmt = get_format(version)
    vocabulary = Labels.load().for_format(fmt)
    lists = choices(fmt, Labels.load())
    applicants = [vocabulary.applicants.place(c)[0] for c in lists["applicant"]]
    assert applicants == [c.key for c in fmt.tables["applications"].blocks[0].columns if not c.sum_of]
    outcomes = [vocabulary.outcomes.place(c)[0] for c in lists["outcome"][:-1]]
    assert outcomes == list(fmt.tables["applications"].row("total").sum_of)
    assert squash(lists["outcome"][-1]) in vocabulary.in_progress
    assert [vocabulary.case_kinds.place(c)[0] for c in lists["kind"]] == [r.key for r in fmt.tables["appeals"].rows]
    assert [vocabulary.case_results.place(c)[0] for c in lists["result"][:-1]] == ["upheld", "corrected", "other"]
    assert squash(lists["result"][-1]) in vocabulary.case_pending


def test_template_command_writes_a_workbook_with_drop_downs_and_notes(runner, tmp_path):
    dest = tmp_path / "台账.xlsx"
    result = runner.invoke(cli, ["tally", "--template", str(dest)])
    assert result.exit_code == 0, result.output
    book = load_workbook(dest)
    assert book.sheetnames == ["申请登记", "复议诉讼案件", "填写说明", "选项"]
    assert book["选项"].sheet_state == "hidden"
    sheet = book["申请登记"]
    assert [c.value for c in sheet[3]] == ["申请编号", "收到日期", "申请人姓名或名称", "申请人类型", "申请内容",
                                          "答复日期", "答复类型", "备注"]
    validations = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    assert validations["D4"].type == "list" and validations["G4"].type == "list" and validations["B4"].type == "date"
    choices_sheet = book["选项"]
    outcome_column = validations["G4"].formula1.split("!")[1].split(":")[0].replace("$", "")[0]
    offered = [c.value for c in choices_sheet[outcome_column] if c.value]
    assert "（三）不予公开—1.属于国家秘密" in offered and "（四）无法提供—1.本机关不掌握相关政府信息" in offered
    assert "年度统计规则" in "".join(c.value or "" for c in book["填写说明"]["A"])
    assert runner.invoke(cli, ["tally", "--template", str(dest)]).exit_code == 2  # no overwrite without --force


def test_template_saved_by_libreoffice_tallies_and_prints(office, tmp_path):
    """A clerk's register kept in the template and saved by a real office suite reads back exactly."""
    fmt = get_format("2021")
    lists = choices(fmt, Labels.load())
    book = load_workbook(__import__("io").BytesIO(template_workbook(fmt)))
    sheet, cases = book["申请登记"], book["复议诉讼案件"]
    for n, (applicant, outcome) in enumerate(zip(itertools.cycle(lists["applicant"]), lists["outcome"]), start=4):
        answered = None if outcome == "办理中" else dt.date(2025, 3, n)
        for column, value in enumerate([f"2025-{n:03d}", dt.date(2025, 2, n), "某人", applicant, "某事",
                                        answered, outcome], start=1):
            sheet.cell(n, column, value)
    for n, (kind, result) in enumerate(zip(lists["kind"] * 2, lists["result"]), start=4):
        for column, value in enumerate([f"F{n}", kind, dt.date(2025, 4, 1),
                                        None if result == "尚未审结" else dt.date(2025, 6, 1), result], start=1):
            cases.cell(n, column, value)
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    profile = (tmp_path / "profile").as_uri()
    for kind in ("xlsx:Calc MS Excel 2007 XML", "pdf"):
        out = tmp_path / kind.split(":")[0]
        subprocess.run([find_office(), f"-env:UserInstallation={profile}", "--headless", "--convert-to", kind,
                        "--outdir", str(out), str(filled)], capture_output=True, timeout=300, check=True)
    resaved = tally([tmp_path / "xlsx" / "filled.xlsx"], 2025, fmt, today=TODAY)
    direct = tally([filled], 2025, fmt, today=TODAY)
    assert resaved.figures == direct.figures
    assert sum(v for ref, v in direct.figures.items() if ref.row == "new_received") == len(lists["outcome"])
    assert direct.figures[CellRef("applications", "carried_forward", "public_interest")] == 1  # 办理中: 22nd row, 4th type
    assert direct.cases == 4 and direct.figures[CellRef("appeals", "reconsideration", "upheld")] == 1
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "pdf" / "filled.pdf"), "-"],
                          capture_output=True, check=True, text=True).stdout
    for words in ("政府信息公开申请登记台账", "申请人类型", "答复类型", "（三）不予公开—1.属于国家秘密",
                  "政府信息公开行政复议、行政诉讼案件台账", "审结日期", "填写说明", "年度统计规则"):
        assert words in text, words


def test_a_sheet_with_a_column_missing_is_reported_not_passed_over(tmp_path):
    book = Workbook()
    book.active.title = "上半年"
    book.active.append(["收到日期", "申请人类型", "答复日期", "答复类型"])
    book.active.append([dt.date(2025, 2, 1), "公民", dt.date(2025, 2, 5), "予以公开"])
    second = book.create_sheet("下半年")
    second.append(["收到日期", "申请人类型", "回复情况说明", "答复类型"])
    second.append([dt.date(2025, 8, 1), "公民", "已回复", "予以公开"])
    book.create_sheet("说明").append(["本台账由办公室维护"])
    path = tmp_path / "台账.xlsx"
    book.save(path)
    with pytest.raises(RegisterError) as caught:
        tally([path], 2025, get_format("2021"), today=TODAY)
    problem, = caught.value.problems
    assert (problem.sheet, problem.row) == ("下半年", None)
    assert "像是申请登记表，但表头中没有“答复日期”列，该工作表未统计" in problem.message
    result = tally([path], 2025, get_format("2021"), today=TODAY, skip_bad_rows=True)
    assert result.skipped == [problem] and result.requests == 1
    assert "台账.xlsx 工作表“说明”（不是台账，未使用）" in result.sheets


def test_an_unknown_type_is_not_excused_by_its_detail(tmp_path):
    path = tmp_path / "台账.csv"
    path.write_text("收到日期,申请人类型,单位类型,答复日期,答复类型\n2025-01-05,外国友人,企业,2025-01-09,予以公开\n",
                    encoding="utf-8")
    with pytest.raises(RegisterError, match="无法对应到法定的申请人类型"):
        tally([path], 2025, get_format("2021"), today=TODAY)


def test_a_type_merged_down_several_rows_counts_for_each(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["收到日期", "申请人类型", "答复日期", "答复类型"])
    for day in (3, 4, 5):
        sheet.append([dt.date(2025, 1, day), "公民" if day == 3 else None, dt.date(2025, 1, 9), "予以公开"])
    sheet.merge_cells("B2:B4")
    path = tmp_path / "台账.xlsx"
    book.save(path)
    figures = tally([path], 2025, get_format("2021"), today=TODAY).figures
    assert figures[CellRef("applications", "disclosed", "natural_person")] == 3


def test_a_two_row_header_with_merged_cells(tmp_path):
    """收到日期 and 答复日期 merged over two header rows, 申请人情况 over 类型 and 具体类别."""
    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "收到日期", "申请人情况", None, "答复日期", "答复类型"])
    sheet.append([None, None, "类型", "单位类型", None, None])
    for cell in ("A1:A2", "B1:B2", "C1:D1", "E1:E2", "F1:F2"):
        sheet.merge_cells(cell)
    sheet.append([1, dt.date(2025, 5, 1), "公民", None, dt.date(2025, 5, 9), "予以公开"])
    sheet.append([2, dt.date(2025, 5, 2), "法人", "企业", dt.date(2025, 5, 9), "部分公开"])
    path = tmp_path / "台账.xlsx"
    book.save(path)
    register = read_register([path], get_format("2021"), today=TODAY)
    assert [(p.row, p.column) for p in register.problems] == []
    figures = count(register, 2025).figures
    assert figures[CellRef("applications", "disclosed", "natural_person")] == 1
    assert figures[CellRef("applications", "partially_disclosed", "commercial")] == 1


def test_command_into_with_an_offices_own_words(runner, tmp_path):
    data = tmp_path / "2025.yaml"
    data.write_text(toolkit.dumps(toolkit.new_report("某某乡人民政府", 2025)), encoding="utf-8")
    before = data.read_text(encoding="utf-8")
    register = tmp_path / "台账.csv"
    register.write_text("收悉日期,申请人类型,答复日期,答复类型\n2025-01-02,群众,2025-01-03,转办\n", encoding="gbk")
    own = tmp_path / "本单位对照.yaml"
    own.write_text("columns:\n  received: [收悉日期]\noutcomes:\n  unavailable_not_held: [转办]\n", encoding="utf-8")
    result = runner.invoke(cli, ["tally", str(register), "--into", str(data), "--labels", str(own)])
    assert result.exit_code == 0, result.output
    assert f"已更新：{data}（2025年度：本年新收 1 件，上年结转 0 件，办结 1 件，结转下年度 0 件）" in result.output
    after = data.read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert [b.split("#")[0].strip() for _, b in changed] == ["natural_person: 1", "natural_person: 1"]
    assert toolkit.load(data).report.value(CellRef("applications", "unavailable_not_held", "natural_person")) == 1
    result = runner.invoke(cli, ["tally", str(register), "--into", str(tmp_path / "报告.docx"), "--labels", str(own)])
    assert result.exit_code == 2 and "只能写入 YAML 数据文件" in result.output
    result = runner.invoke(cli, ["tally", str(register), "--year", "2027", "--labels", str(own)])
    assert result.exit_code == 0 and "没有 2027 年度收到或办理的申请和案件" in result.output


@pytest.mark.parametrize("type_header, received_header, answered_header, outcome_header", list(itertools.product(
    ["申请人类型", "申请人类别"], ["收到日期", "申请日期", "受理日期"], ["答复日期", "办结日期"],
    ["答复类型", "办理结果", "处理结果"])))
def test_header_variants(tmp_path, type_header, received_header, answered_header, outcome_header):
    path = tmp_path / "台账.csv"
    path.write_text(f"序号,{received_header},{type_header},{answered_header},{outcome_header},备注\n"
                    "1,2025-04-01,公民,2025-04-08,予以公开,\n", encoding="utf-8")
    figures = tally([path], 2025, get_format("2021"), today=TODAY).figures
    assert figures[CellRef("applications", "disclosed", "natural_person")] == 1


def test_a_2020_register_counts_in_the_2019_format(tmp_path):
    path = tmp_path / "台账.csv"
    path.write_text("收到日期,申请人类型,答复日期,答复类型\n2020-04-01,公民,2020-04-08,其他处理\n"
                    "2020-05-01,企业,2020-05-08,（六）其他处理\n", encoding="utf-8")
    figures = tally([path], 2020, get_format("2019"), today=TODAY).figures
    assert figures[CellRef("applications", "other_handling", "natural_person")] == 1
    assert figures[CellRef("applications", "other_handling", "commercial")] == 1
    with pytest.raises(RegisterError, match="“其他处理”包括"):  # the 2021 format splits it in three
        tally([path], 2021, get_format("2021"), today=TODAY)
