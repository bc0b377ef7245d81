"""Registers as offices keep them: the worksheets of an .xlsx workbook or a CSV file, the header row
found below any title rows, and cells read as text or as dates however they were typed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import ParseError

from .. import guard
from ..errors import ToolkitError
from ..output import decode_text

HEADER_SEARCH_ROWS = 30  # title rows, notes and blank lines an office puts above the header
EARLIEST = dt.date(2008, 1, 1)  # the 条例 took effect on 2008-05-01: no request or case predates it

_SEPARATORS = re.compile(r"[\s\-—–_/\\|:：、,，;；.．·•()\[\]【】<>《》〔〕{}+~～“”\"'‘’「」『』]+")
_NUMBERING = re.compile(r"[0-9一二三四五六七八九十]+")
_NUMBERING_MARK = re.compile(r"\d+[.、]|[(][0-9一二三四五六七八九十]+[)]|[一二三四五六七八九十]+、")
_NOTE = re.compile(r"[（(][^（）()]*[)）]")
_TEXT_DATE = re.compile(r"(\d{4})\s*(?:年|[./\-])\s*(\d{1,2})\s*(?:月|[./\-])\s*(\d{1,2})\s*[日号]?"
                        r"(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")


class RegisterError(ToolkitError):
    """A register that cannot be tallied as it is: every problem found, each at its sheet, row and column."""

    def __init__(self, problems: list["RowProblem"], summary: str | None = None, remedy: str | None = None):
        self.problems, self.remedy = problems, remedy
        lines = [summary] if summary else []
        lines += [p.describe() for p in problems]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong in a register, where the clerk finds it: file, sheet, row number, column header."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    message: str
    value: str | None = None
    hint: str | None = None

    @property
    def place(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.row:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"“{self.column}”列")
        return " ".join(parts)

    def describe(self) -> str:
        text = f"{self.place}：{self.message}"
        if self.value:
            text += f"（所填内容：{self.value}）"
        if self.hint:
            text += f"\n    提示：{self.hint}"
        return text


@dataclass
class Sheet:
    """One worksheet (or a CSV file): its rows as the office numbers them."""

    file: str
    name: str | None
    rows: list[tuple[int, tuple]]


@dataclass
class Located:
    """A sheet with its header found: which column holds each role, and the rows below the header."""

    sheet: Sheet
    header_row: int
    columns: dict[str, tuple[int, str]]  # role → (column index, header as written)
    rows: list[tuple[int, tuple]]

    def value(self, values: tuple, role: str):
        if role not in self.columns:
            return None
        index = self.columns[role][0]
        return values[index] if index < len(values) else None

    def text(self, values: tuple, role: str) -> str:
        return cell_text(self.value(values, role))

    def header(self, role: str) -> str | None:
        return self.columns[role][1] if role in self.columns else None

    def problem(self, row: int | None, role: str | None, message: str, value=None, hint=None) -> RowProblem:
        shown = cell_text(value) if value is not None else None
        return RowProblem(self.sheet.file, self.sheet.name, row, self.header(role) if role else None,
                          message, shown or None, hint)


def read_sheets(path: Path) -> list[Sheet]:
    """Every worksheet of a workbook, or the one table of a CSV file (UTF-8 or GBK)."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            return _workbook_sheets(path)
        if suffix in (".csv", ".txt"):
            return [_csv_sheet(path)]
    except OSError as exc:
        raise ToolkitError(f"无法读取台账 {path}：{exc.strerror or exc}") from None
    except (csv.Error, ParseError) as exc:
        raise ToolkitError(f"无法读取台账 {path}：文件内容不是可以识别的表格（{exc}）。请用 Excel 或 WPS 打开后重新保存。") from None
    if suffix in (".xls", ".et", ".ods", ".wps"):
        raise ToolkitError(f"台账 {path} 是 {suffix} 格式，无法直接读取。请在 Excel 或 WPS 中“另存为” .xlsx（Excel 工作簿）后重试。")
    raise ToolkitError(f"不支持的台账文件类型：{path.name}。请使用 .xlsx 工作簿或 .csv 文件。")


def _workbook_sheets(path: Path) -> list[Sheet]:
    import zipfile

    from openpyxl import load_workbook

    guard.check_package(path)
    try:
        # Not read-only: read-only mode trusts the sheet's stated dimensions, which some tools get wrong.
        book = load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ToolkitError(f"台账 {path} 不是有效的 .xlsx 工作簿（{exc}）。请用 Excel 或 WPS 打开后重新保存。") from None
    sheets = []
    for sheet in book.worksheets:
        rows = [list(values) for values in sheet.iter_rows(min_row=1, values_only=True)]
        # A merged cell means its value for every cell it covers: clerks merge a type down several rows.
        for merged in sheet.merged_cells.ranges:
            value = sheet.cell(merged.min_row, merged.min_col).value
            for row in range(merged.min_row, min(merged.max_row, len(rows)) + 1):
                for column in range(merged.min_col, min(merged.max_col, len(rows[row - 1])) + 1):
                    rows[row - 1][column - 1] = value
        sheets.append(Sheet(path.name, sheet.title, [(n, tuple(values)) for n, values in enumerate(rows, start=1)]))
    return sheets


def _csv_sheet(path: Path) -> Sheet:
    text = decode_text(guard.read_bytes(path, guard.MAX_TEXT_BYTES))  # Excel on Chinese Windows saves CSV as GBK
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows, start = [], 1
    for values in reader:
        if len(rows) >= guard.MAX_ROWS:
            raise guard.refuse(path, f"台账超过 {guard.MAX_ROWS} 行，未读取。", hint="请按年度拆分台账后再统计。")
        rows.append((start, tuple(values)))
        start = reader.line_num + 1
    return Sheet(path.name, None, rows)


# -- text ------------------------------------------------------------------------------------------


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    return str(value).strip()


def squash(text: str) -> str:
    """A label reduced to what tells it apart: no spaces, punctuation, quotes or numbering such as
    “（三）” or “1.”; full-width and half-width forms alike."""
    text = _NUMBERING_MARK.sub(" ", unicodedata.normalize("NFKC", str(text)).casefold())
    segments = _SEPARATORS.split(text)
    return "".join(s for s in segments if s and not _NUMBERING.fullmatch(s))


def without_notes(text: str) -> str:
    """A label without its bracketed note: 「部分公开（区分处理的，…）」 → 「部分公开」."""
    return _NOTE.sub("", text).strip()


# -- headers ---------------------------------------------------------------------------------------


def locate(sheet: Sheet, headers: dict[str, list[str]], required: tuple[str, ...]) -> tuple[Located | None, list[str]]:
    """The sheet's header row: the first of its top rows that names every required role.

    A header of two rows (merged cells above their sub-columns, e.g. 申请人情况 over 类型 and 单位类型)
    is read as one: a sub-column's own name counts before the merged name above it.
    Returns the located sheet, or None with the required roles missing from the best candidate row
    (all of them when no row looks like a header at all).
    """
    aliases = {}
    for role, names in headers.items():
        for priority, name in enumerate(names):
            aliases.setdefault(squash(without_notes(name)), (role, priority))

    def role_of(text: str):
        return aliases.get(squash(without_notes(text))) if text else None

    best: tuple[int, list[str]] = (0, list(required))
    top = sheet.rows[:HEADER_SEARCH_ROWS]
    for position, (number, values) in enumerate(top):
        upper = [cell_text(v) for v in values]
        lower = [cell_text(v) for v in top[position + 1][1]] if position + 1 < len(top) else []
        # The row below belongs to the header when a merged header cell repeats into it.
        two_rows = any(u and u == w and role_of(u) for u, w in zip(upper, lower))
        found: dict[str, tuple[int, int, str]] = {}
        for index, written in enumerate(upper):
            below = lower[index] if two_rows and index < len(lower) and lower[index] != written else ""
            text = below if role_of(below) else written
            match = role_of(text)
            if match and (match[0] not in found or match[1] < found[match[0]][0]):
                found[match[0]] = (match[1], index, " ".join(text.split()))
        missing = [role for role in required if role not in found]
        if not missing:
            columns = {role: (index, written) for role, (_, index, written) in found.items()}
            return Located(sheet, number, columns, sheet.rows[position + 1 + two_rows:]), []
        if len(found) > best[0]:
            best = (len(found), missing)
    return None, best[1]


# -- dates -----------------------------------------------------------------------------------------


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class BadDate(ValueError):
    """A date cell that cannot be read, or names a day that cannot be right."""


def parse_date(value, today: dt.date) -> dt.date | None:
    """A date as offices type it: an Excel date, a serial number, or text such as 2025年3月5日,
    2025.3.5, 2025/3/5, 2025-03-05 or 20250305. Empty is None; anything else raises BadDate."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        day = _number_date(value)
    else:
        day = _text_date(unicodedata.normalize("NFKC", str(value)).strip())
    if day < EARLIEST:
        raise BadDate(f"日期 {chinese_date(day)} 早于《政府信息公开条例》施行，不可能是申请或答复日期")
    if day > today:
        raise BadDate(f"日期 {chinese_date(day)} 晚于今天（{chinese_date(today)}）")
    return day


def _number_date(value: float) -> dt.date:
    from openpyxl.utils.datetime import from_excel

    if float(value).is_integer() and _COMPACT_DATE.fullmatch(str(int(value))):
        return _text_date(str(int(value)))
    if 20000 < value < 80000:  # an Excel serial day number in a cell not formatted as a date
        return from_excel(value).date()
    raise BadDate("不是日期")


def _text_date(text: str) -> dt.date:
    match = _TEXT_DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if not match:
        raise BadDate("无法识别的日期")
    try:
        return dt.date(*map(int, match.groups()))
    except ValueError:
        raise BadDate("日期不存在") from None
