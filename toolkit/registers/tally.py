"""Tables 三 and 四 counted from the registers an office keeps: one row per request, one per case.

The year's arithmetic follows from the dates alone — received in the year: 本年新收; received before
and still open on 1 January: 上年结转; answered in the year: its outcome row; still open on 31
December: 结转下年度 — so every column balances and consecutive years' carry-overs agree by
construction. A row that cannot be placed in a statutory row and column is reported, never guessed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ..formats import CellRef, Format
from .sheets import (BadDate, Located, RegisterError, RowProblem, chinese_date, locate, parse_date, read_sheets,
                       squash)
from . import status
from .labels import Index, Labels, Vocabulary

REQUEST_REQUIRED = ("received", "answered", "applicant_type", "outcome")
CASE_REQUIRED = ("kind", "received", "concluded", "result")


# -- reading the rows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    file: str
    sheet: str | None
    row: int
    received: dt.date
    answered: dt.date | None
    applicant: str  # a column key of table 三
    outcome: str | None  # a row key of table 三; None while the request is open


@dataclass(frozen=True)
class Case:
    file: str
    sheet: str | None
    row: int
    kind: str  # a row key of table 四
    received: dt.date
    concluded: dt.date | None
    result: str | None  # a column key of table 四; None while the case is open


@dataclass
class Register:
    """Every usable row of the registers read, and every problem found in the others."""

    vocabulary: Vocabulary
    requests: list[Request] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    has_case_list: bool = False
    sheets: list[str] = field(default_factory=list)  # what was read, as “file 工作表”
    # Every entry row with its number, usable or not: a number is a duplicate even of a bad row's.
    numbered: dict[str, list["_Numbered"]] = field(default_factory=lambda: {"requests": [], "cases": []})

    @property
    def format(self) -> Format:
        return self.vocabulary.format

    def years(self) -> list[int]:
        """Every year the register has a request or a case in (received, or still open then)."""
        dates = [r.received for r in self.requests] + [c.received for c in self.cases]
        ends = [r.answered for r in self.requests if r.answered] + [c.concluded for c in self.cases if c.concluded]
        return list(range(min(dates).year, max(dates + ends).year + 1)) if dates else []


def read_register(paths: list[Path], fmt: Format, labels: Labels | None = None,
                  today: dt.date | None = None) -> Register:
    """Read request registers and case lists from the given files (any sheet of any file may be either)."""
    vocabulary = (labels or Labels.load()).for_format(fmt)
    register = Register(vocabulary)
    today = today or dt.date.today()
    request_columns, case_columns = vocabulary.labels.data["columns"], vocabulary.labels.data["case_columns"]
    request_sheets, near_misses = 0, []
    for path in paths:
        for sheet in read_sheets(Path(path)):
            where = f"{sheet.file}" + (f" 工作表“{sheet.name}”" if sheet.name else "")
            requests, missing = locate(sheet, request_columns, REQUEST_REQUIRED)
            if requests:
                register.sheets.append(f"{where}（申请登记，表头在第 {requests.header_row} 行）")
                request_sheets += 1
                _read_requests(requests, register, today)
                continue
            cases, case_missing = locate(sheet, case_columns, CASE_REQUIRED)
            if cases:
                register.sheets.append(f"{where}（复议诉讼案件，表头在第 {cases.header_row} 行）")
                register.has_case_list = True
                _read_cases(cases, register, today)
                continue
            if not any(v not in (None, "") for _, values in sheet.rows for v in values):
                continue
            miss = _near_miss(sheet, request_columns, REQUEST_REQUIRED, missing, "申请登记表") or \
                _near_miss(sheet, case_columns, CASE_REQUIRED, case_missing, "复议诉讼案件台账")
            if miss:
                near_misses.append(miss)
            else:
                register.sheets.append(f"{where}（不是台账，未使用）")
    if not request_sheets:
        names = "、".join(f"“{request_columns[role][0]}”" for role in REQUEST_REQUIRED)
        raise RegisterError(near_misses, f"台账中没有可以识别的申请登记表。表头应包含 {names} 等列。",
                            remedy="register_template")
    register.problems.extend(near_misses)
    _flag_duplicates(register)
    sheet_order = {}
    for problem in register.problems:
        sheet_order.setdefault((problem.file, problem.sheet), len(sheet_order))
    register.problems.sort(key=lambda p: (sheet_order[p.file, p.sheet], p.row or 0))
    return register


def _near_miss(sheet, columns: dict, required: tuple[str, ...], missing: list[str], kind: str) -> RowProblem | None:
    """A sheet that names most of a register's columns but not all: a column missing or named otherwise."""
    if len(missing) > len(required) - 2:
        return None
    return RowProblem(sheet.file, sheet.name, None, None,
                      f"像是{kind}，但表头中没有{'、'.join(f'“{columns[r][0]}”' for r in missing)}列，该工作表未统计。",
                      hint=f"可用的列名：{'；'.join('、'.join(columns[r]) for r in missing)}。"
                           "也可在本单位对照文件的 columns 中加入本单位的列名。")


def _date(located: Located, values: tuple, role: str, today: dt.date, bad,
          vocabulary: Vocabulary | None = None) -> tuple[dt.date | None, bool]:
    """The date in a role's cell; with ``vocabulary``, a cell saying “not yet” (—, /, 未答复) is no date."""
    value = located.value(values, role)
    if vocabulary is not None and status.says_not_answered(value, vocabulary):
        return None, True
    try:
        return parse_date(value, today), True
    except BadDate as exc:
        bad(role, f"{exc}。", value, "写作 2025-03-05、2025/3/5 或 2025年3月5日，或设为日期格式。")
        return None, False


def _read_requests(located: Located, register: Register, today: dt.date) -> None:
    vocabulary = register.vocabulary
    for number, values in located.rows:
        if _not_an_entry(located, values, REQUEST_REQUIRED, vocabulary):
            continue
        problems: list[RowProblem] = []

        def bad(role, message, value=None, hint=None):
            problems.append(located.problem(number, role, message, value, hint))

        received, _ = _date(located, values, "received", today, bad)
        answered, answered_ok = _date(located, values, "answered", today, bad, vocabulary)
        if received is None and not problems:
            bad("received", "缺少收到日期，无法确定计入哪一年度。")
        applicant = _applicant(located, values, vocabulary, bad)
        outcome_text = located.text(values, "outcome")
        outcome = None
        if not outcome_text or squash(outcome_text) in vocabulary.in_progress:
            if answered:
                if outcome_text and squash(outcome_text) in vocabulary.deferred:
                    message, hint = status.deferred_with_date(outcome_text, answered)
                else:
                    message, hint = status.open_outcome_with_date(outcome_text)
                bad("outcome", message, outcome_text or None, hint)
        else:
            outcome = _outcome(located, values, outcome_text, vocabulary, bad)
            if answered is None and answered_ok:
                bad("answered", "已有办理结果，但缺少答复日期，无法确定计入哪一年度。", hint="请填写答复（办结）日期。")
        if received and answered and answered < received:
            bad("answered", f"答复日期早于收到日期（{chinese_date(received)}）。", located.value(values, "answered"))
        if not problems and (said := located.text(values, "status")):
            if contradiction := status.status_contradiction(said, answered, outcome_text, vocabulary):
                bad("status", contradiction[0], said, contradiction[1])
        register.numbered["requests"].append(_numbered(located, number, values))
        if problems:
            register.problems.extend(problems)
            continue
        register.requests.append(Request(located.sheet.file, located.sheet.name, number, received, answered,
                                         applicant, outcome))


def _not_an_entry(located: Located, values: tuple, roles: tuple[str, ...], vocabulary: Vocabulary) -> bool:
    """Rows that are not entries: empty (or only pre-numbered), or a 合计 line under the table."""
    if not any(located.text(values, role) for role in roles):
        return True
    first = next((str(v).strip() for v in values if v not in (None, "")), "")
    return squash(first) in vocabulary.total_rows


def _applicant(located: Located, values: tuple, vocabulary: Vocabulary, bad) -> str | None:
    kind, subtype = located.text(values, "applicant_type"), located.text(values, "applicant_subtype")
    key, candidates = vocabulary.applicants.place(kind, subtype)
    if key is None:
        if not kind and not subtype:
            bad("applicant_type", "缺少申请人类型。")
        elif len(candidates) > 1:
            where = f"“{located.header('applicant_subtype')}”列" if "applicant_subtype" in located.columns else \
                "“法人或其他组织类型”列（台账中没有这一列）"
            bad("applicant_subtype" if subtype else "applicant_type",
                f"“{subtype or kind}”包括 {vocabulary.names('requests', candidates, 'col')}，须在{where}写明是哪一类。",
                subtype or kind)
        else:
            bad("applicant_subtype" if subtype and not kind else "applicant_type", "无法对应到法定的申请人类型。",
                subtype if subtype and not kind else kind,
                f"可填：{vocabulary.names('requests', _all(vocabulary.applicants), 'col')}；"
                "或在本单位对照文件的 applicant_types 中加入本单位的写法。")
        return None
    named = vocabulary.applicants.lookup(subtype) if subtype else frozenset()
    if named and key not in named:
        bad("applicant_subtype", f"与申请人类型“{kind}”矛盾。", subtype)
        return None
    return key


def _outcome(located: Located, values: tuple, text: str, vocabulary: Vocabulary, bad) -> str | None:
    detail = located.text(values, "outcome_detail")
    key, candidates = vocabulary.outcomes.place(text, detail)
    if key is not None:
        return key
    if len(candidates) > 1:
        column = f"“{located.header('outcome_detail')}”列" if "outcome_detail" in located.columns else "本列"
        bad("outcome", f"“{text}”包括 {vocabulary.names('requests', candidates, 'row')}，须在{column}写明是哪一种情形。",
            text + (f"；{detail}" if detail else ""))
    else:
        hint = vocabulary.not_outcomes.get(squash(text)) or (
            "请按年度报告表三的办理结果填写（标准台账模板带下拉选项），"
            "或在本单位对照文件的 outcomes 中加入本单位的写法。")
        bad("outcome", "无法对应到法定的办理结果。", text, hint)
    return None


def _all(index: Index) -> set[str]:
    return {key for keys in index.forms.values() if len(keys) == 1 for key in keys}


def _read_cases(located: Located, register: Register, today: dt.date) -> None:
    vocabulary = register.vocabulary
    for number, values in located.rows:
        if _not_an_entry(located, values, CASE_REQUIRED, vocabulary):
            continue
        problems: list[RowProblem] = []

        def bad(role, message, value=None, hint=None):
            problems.append(located.problem(number, role, message, value, hint))

        received, _ = _date(located, values, "received", today, bad)
        concluded, concluded_ok = _date(located, values, "concluded", today, bad)
        if received is None and not problems:
            bad("received", "缺少收到（立案）日期，无法确定计入哪一年度。")
        kind_text, route = located.text(values, "kind"), located.text(values, "route")
        kind, candidates = vocabulary.case_kinds.place(kind_text, route)
        if kind is None:
            message = (f"“{kind_text}”包括 {vocabulary.names('appeals', candidates, 'row')}，须写明是否经过复议。"
                       if len(candidates) > 1 else "无法对应到行政复议或行政诉讼。")
            bad("kind", message, kind_text or None)
        result_text = located.text(values, "result")
        result = None
        if not result_text or squash(result_text) in vocabulary.case_pending:
            if concluded:
                bad("result", "已有审结日期，但没有审理结果。", result_text or None)
        else:
            result, _ = vocabulary.case_results.place(result_text)
            if result is None:
                bad("result", "无法对应到“结果维持”“结果纠正”“其他结果”。", result_text,
                    "可在本单位对照文件的 case_results 中加入本单位的写法。")
            elif concluded is None and concluded_ok:
                bad("concluded", "已有审理结果，但缺少审结日期，无法确定计入哪一年度。")
        if received and concluded and concluded < received:
            bad("concluded", f"审结日期早于收到日期（{chinese_date(received)}）。", located.value(values, "concluded"))
        register.numbered["cases"].append(_numbered(located, number, values))
        if problems:
            register.problems.extend(problems)
            continue
        register.cases.append(Case(located.sheet.file, located.sheet.name, number, kind, received, concluded, result))


class _Numbered(NamedTuple):
    """An entry row's number, kept for usable and unusable rows alike."""

    file: str
    sheet: str | None
    row: int
    number: str | None
    column: str | None


def _numbered(located: Located, row: int, values: tuple) -> _Numbered:
    return _Numbered(located.sheet.file, located.sheet.name, row, located.text(values, "number") or None,
                     located.header("number"))


_DUPLICATE = {"requests": ("申请编号", "同一申请只登记一次"), "cases": ("案件编号", "同一案件只登记一次")}


def _flag_duplicates(register: Register) -> None:
    """A number met before is reported at each later row; those rows are dropped when skipping."""
    duplicates = set()
    for kind, entries in register.numbered.items():
        what, rule = _DUPLICATE[kind]
        first = {}
        for entry in entries:
            seen = first.setdefault(entry.number, entry) if entry.number else entry
            if seen is entry:
                continue
            duplicates.add((entry.file, entry.sheet, entry.row))
            elsewhere = f"{seen.file} " * (seen.file != entry.file) + f"工作表“{seen.sheet}”" * (seen.sheet != entry.sheet)
            register.problems.append(RowProblem(entry.file, entry.sheet, entry.row, entry.column,
                                                f"{what}与{elsewhere}第 {seen.row} 行重复。", entry.number,
                                                f"{rule}；编号录错的，请改正编号。"))
    register.requests = [r for r in register.requests if (r.file, r.sheet, r.row) not in duplicates]
    register.cases = [c for c in register.cases if (c.file, c.sheet, c.row) not in duplicates]


# -- counting --------------------------------------------------------------------------------------


@dataclass
class Tally:
    """One year's tables counted from a register."""

    year: int
    format: Format
    figures: dict[CellRef, int]  # every input cell of table 三, and of table 四 when a case list was read
    requests: int  # requests handled in the year: received in it, or carried over into it
    cases: int | None  # cases active in the year; None without a case list
    received_later: int  # requests received after the year (not in this year's table)
    skipped: list[RowProblem]  # rows left out as asked (skip_bad_rows)
    sheets: list[str]

    @property
    def has_appeals(self) -> bool:
        return self.cases is not None


def count(register: Register, year: int) -> Tally:
    """The year's table 三 (and 四) from the register's dates, types and outcomes; the register's bad
    rows are listed as skipped."""
    fmt = register.format
    figures, handled, later = _count_requests(register, year)
    cases = None
    if register.has_case_list:
        case_figures, cases = _count_cases(register, year)
        figures |= case_figures
    return Tally(year, fmt, figures, handled, cases, later, list(register.problems), register.sheets)


def _count_requests(register: Register, year: int) -> tuple[dict[CellRef, int], int, int]:
    """(the requests table's figures, requests handled in the year, requests received after it), by
    the rows the format's ``requests`` role names."""
    fmt = register.format
    rows = fmt.roles.need("requests", "按台账统计表格数字", fmt.version)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    counts: Counter[tuple[str, str]] = Counter()
    handled = later = 0
    for request in register.requests:
        if request.received > end:
            later += 1
            continue
        if request.received >= start:
            counts[rows.received, request.applicant] += 1
        elif request.answered is None or request.answered >= start:
            counts[rows.carried_over, request.applicant] += 1
        else:
            continue  # answered in an earlier year
        handled += 1
        answered = request.answered is not None and request.answered <= end
        counts[request.outcome if answered else rows.carried_forward, request.applicant] += 1
    figures = {ref: counts[ref.row, ref.col] for ref in fmt.iter_input_cells() if ref.table == rows.table}
    return figures, handled, later


def _count_cases(register: Register, year: int) -> tuple[dict[CellRef, int], int]:
    """(the appeals table's figures, cases active in the year): a case not concluded by the year's
    end counts in the column the ``appeals`` role names for pending cases."""
    fmt = register.format
    appeals = fmt.roles.need("appeals", "按案件台账统计行政复议、行政诉讼数字", fmt.version)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    active = [c for c in register.cases if c.received <= end and (c.concluded is None or c.concluded >= start)]
    counts = Counter((c.kind, c.result if c.concluded and c.concluded <= end else appeals.pending) for c in active)
    figures = {ref: counts[ref.row, ref.col] for ref in fmt.iter_input_cells() if ref.table == appeals.table}
    return figures, len(active)


def read_checked(paths: list[Path], fmt: Format, labels: Labels, skip_bad_rows: bool = False,
                 today: dt.date | None = None) -> Register:
    """The register, refused with every problem listed unless its bad rows may be skipped."""
    register = read_register(paths, fmt, labels, today)
    if register.problems and not skip_bad_rows:
        raise RegisterError(register.problems, f"台账中有 {len(register.problems)} 处问题，未统计。"
                                               "请修正后重试：", remedy="skip_bad_rows")
    return register


def tally(paths: list[Path], year: int, fmt: Format, *, labels: Path | None = None, skip_bad_rows: bool = False,
          today: dt.date | None = None) -> Tally:
    """Read the registers and count one year; a bad row stops the tally unless ``skip_bad_rows``."""
    return count(read_checked(paths, fmt, Labels.load(labels), skip_bad_rows, today), year)
