"""The report's figures as open data — JSON and CSV, one record per table cell — and read back.

Every record names its cell by stable keys (table, row, column: the same keys as the data file and
``{{ 表.行.列 }}`` in templates) and by its official labels, so a portal can publish the figures and
a 政务公开办 can put a county's files side by side. Totals are included and marked ``derived``;
reading a file back takes them as stated totals, which ``check`` compares with the sums.

The JSON file is the whole report (title, 导语, narrative, 落款 and figures); the CSV file is the
figures alone, each line carrying its agency and year so that files concatenate into one table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .. import guard
from ..errors import DataFileError, FormatNotFound, Problem
from ..formats import AMOUNT, SIGNED, CellRef, Column, Format, get_format
from ..model import Agency, Lead, Narrative, Part, Reading, Report, Signature, figure_text
from ..output import decode_text
from ..render.context import lead_paragraphs

SCHEMA = "govreport-opendata/1"
CSV_FIELDS = ("agency", "year", "format", "table", "row", "column", "label", "label_path", "derived", "value")
_MAX_AMOUNT_DECIMALS = 4


def label_path(fmt: Format, ref: CellRef) -> tuple[str, ...]:
    """Every label over a cell, outermost first: section heading, block title, row labels, column labels."""
    table = fmt.tables[ref.table]
    block = table.block_of(ref.row)
    title = (block.title,) if block.title else ()
    return (fmt.table_section(ref.table).heading, *title, *table.row(ref.row).label, *fmt.column(ref).label)


def cells(report: Report) -> list[dict]:
    """One record per cell of the three tables, in the order they are printed; a figure that was
    not read (and a total over one) is null — unknown, never 0."""
    fmt = report.format
    printed = [CellRef(section.table, row.key, column.key) for section in fmt.sections if section.table
               for row, column in fmt.tables[section.table].iter_cells()]
    return [
        {"table": ref.table, "row": ref.row, "column": ref.col, "label": fmt.label(ref),
         "label_path": list(label_path(fmt, ref)), "derived": fmt.is_derived(ref),
         "value": None if report.unread_under(ref) else report.value(ref)}
        for ref in printed
    ]


def to_json(report: Report) -> str:
    fmt = report.format
    document = {
        "schema": SCHEMA,
        "title": report.title,
        "agency": {"name": report.agency.name, "level": report.agency.level},
        "year": report.year,
        "date": report.date.isoformat() if report.date else None,
        "format": fmt.version,
        "format_document": fmt.document,
        "lead": "".join(lead_paragraphs(report)) or None,
        "sections": [_section(report, s.key, s.heading) for s in fmt.narrative_sections],
        "signature": {"show": report.signature.show, "name": report.signature.name, "seal": report.signature.seal},
        "cells": cells(report),
    }
    text = json.dumps(document, ensure_ascii=False, indent=1, default=_number_text)
    return text + "\n"


def _section(report: Report, key: str, heading: str) -> dict:
    narrative = report.narrative.get(key) or Narrative()
    return {"key": key, "heading": heading, "paragraphs": narrative.paragraphs,
            "parts": [{"title": p.title, "paragraphs": p.paragraphs} for p in narrative.parts]}


def _number_text(value):
    if isinstance(value, Decimal):
        return float(value)  # at most 4 decimals: the shortest float repr gives the same digits back
    raise TypeError(type(value).__name__)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A text cell a spreadsheet shows as text: one it would read as a formula (=HYPERLINK(…),
    +cmd…) gets a leading apostrophe, which Excel and WPS hide and treat as "this is text"."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def from_spreadsheet_safe(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def to_csv(report: Report) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel on Chinese Windows opens it as Unicode."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for cell in cells(report):
        writer.writerow([spreadsheet_safe(report.agency.name), report.year, report.format.version, cell["table"],
                         cell["row"], cell["column"], spreadsheet_safe(cell["label"]),
                         spreadsheet_safe(" / ".join(cell["label_path"])),
                         "true" if cell["derived"] else "false", "" if cell["value"] is None else figure_text(cell["value"])])
    return ("\ufeff" + stream.getvalue()).encode("utf-8")


# -- reading back ----------------------------------------------------------------------------------


def load(path: str | Path) -> Report:
    """A report from a .json or .csv file written by ``to_json``/``to_csv``; DataFileError if unusable."""
    path = Path(path)
    text = decode_text(guard.read_bytes(path, guard.MAX_TEXT_BYTES))
    reader = _Reader(path)
    report = reader.json(text) if path.suffix.lower() == ".json" else reader.csv(text)
    if reader.problems:
        raise DataFileError(path, reader.problems)
    report.source = path
    return report


class _Reader:
    def __init__(self, path: Path):
        self.path = path
        self.problems: list[Problem] = []

    def problem(self, message: str, key_path: str | None = None, label: str | None = None, line: int | None = None,
                hint: str | None = None) -> None:
        self.problems.append(Problem(message, line=line, key_path=key_path, label=label, hint=hint))

    def fail(self) -> DataFileError:
        return DataFileError(self.path, self.problems)

    # JSON

    def json(self, text: str) -> Report:
        try:
            document = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            self.problem(f"不是有效的 JSON：{exc.msg}（第 {exc.lineno} 行第 {exc.colno} 列）。", line=exc.lineno)
            raise self.fail() from None
        if not isinstance(document, dict) or document.get("schema") != SCHEMA:
            self.problem(f"不是本工具导出的开放数据文件（缺少 \"schema\": \"{SCHEMA}\"）。", "schema",
                         hint="请使用本工具生成报告时导出的开放数据 JSON。")
            raise self.fail()
        fmt = self.format(document.get("format"), "format")
        year = self.year(document.get("year"), "year")
        agency = document.get("agency") if isinstance(document.get("agency"), dict) else {}
        name = agency.get("name")
        if not isinstance(name, str) or not name.strip():
            self.problem("缺少机关全称。", "agency.name", "机关全称")
        report = Report(format=fmt, agency=Agency(name if isinstance(name, str) else "", self.text(agency.get("level"))),
                        year=year, date=self.date(document.get("date")))
        lead = document.get("lead")
        report.lead = Lead(text=lead) if isinstance(lead, str) and lead else None
        signature = document.get("signature") if isinstance(document.get("signature"), dict) else {}
        report.signature = Signature(show=signature.get("show") is not False, name=self.text(signature.get("name")),
                                     seal=signature.get("seal") is True)
        if fmt is None:
            raise self.fail()
        report.narrative = self.narrative(document.get("sections"), fmt)
        records = document.get("cells")
        if not isinstance(records, list):
            self.problem("缺少表格数字（\"cells\" 应为列表）。", "cells")
            raise self.fail()
        self.figures(report, [(f"cells[{i}]", None, r if isinstance(r, dict) else {}) for i, r in enumerate(records)])
        return report

    def narrative(self, sections, fmt: Format) -> dict[str, Narrative]:
        result = {}
        known = {s.key for s in fmt.narrative_sections}
        for index, section in enumerate(sections if isinstance(sections, list) else []):
            key = section.get("key") if isinstance(section, dict) else None
            if key not in known:
                self.problem(f"未知的正文部分“{key}”。", f"sections[{index}].key")
                continue
            parts = [Part(self.text(p.get("title")) or "", self.paragraphs(p.get("paragraphs")))
                     for p in section.get("parts") or [] if isinstance(p, dict)]
            result[key] = Narrative(self.paragraphs(section.get("paragraphs")), parts)
        return result

    @staticmethod
    def text(value) -> str | None:
        return value if isinstance(value, str) and value else None

    @staticmethod
    def paragraphs(value) -> list[str]:
        return [p for p in value if isinstance(p, str)] if isinstance(value, list) else []

    # CSV

    def csv(self, text: str) -> Report:
        rows = list(csv.reader(io.StringIO(text)))
        if not rows or tuple(h.strip() for h in rows[0]) != CSV_FIELDS:
            self.problem("不是本工具导出的开放数据 CSV：第一行应为 " + ",".join(CSV_FIELDS) + "。", line=1,
                         hint="请使用本工具生成报告时导出的开放数据 CSV。")
            raise self.fail()
        records = []
        for number, row in enumerate(rows[1:], start=2):
            if not any(row):
                continue
            if len(row) != len(CSV_FIELDS):
                self.problem(f"第 {number} 行有 {len(row)} 列，应为 {len(CSV_FIELDS)} 列。", line=number,
                             hint="文件可能被截断或编辑时多出、少了逗号，请重新导出。")
                continue
            row = [from_spreadsheet_safe(value) for value in row]
            records.append((f"第 {number} 行", number, dict(zip(CSV_FIELDS, row, strict=True))))
        reports = {(r["agency"], r["year"], r["format"]) for _, _, r in records}
        if len(reports) != 1:
            found = "；".join(f"{a} {y}年度" for a, y, _ in sorted(reports)) or "没有数据行"
            self.problem(f"一个 CSV 文件应只含一份报告的数字，实际为：{found}。", hint="按机关和年度拆分后分别检查。")
            raise self.fail()
        (agency, year, version), = reports
        fmt = self.format(version, "format")
        # The figures of a published report, without its text: the rules on the narrative, the 落款
        # and the date have nothing to look at, as for a published copy whose text is not there.
        report = Report(format=fmt, agency=Agency(agency), year=self.year(year, "year"), lead=None,
                        signature=Signature(show=False), reading=Reading())
        if fmt is None:
            raise self.fail()
        report.agency.level = report.level.name if report.level else None
        self.figures(report, records)
        return report

    # shared

    def format(self, version, key_path: str) -> Format | None:
        try:
            return get_format(str(version))
        except FormatNotFound as exc:
            self.problem(str(exc), key_path, "报告格式版本")
            return None

    def year(self, value, key_path: str) -> int:
        text = str(value)
        if isinstance(value, bool) or not text.isdigit() or not 2000 <= int(text) <= 2100:
            self.problem(f"报告年度应为四位数的年份，实际为“{value}”。", key_path, "报告年度")
            return 0
        return int(text)

    def date(self, value) -> dt.date | None:
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.problem(f"成文日期“{value}”无法识别（应为 2026-01-20 这样的写法）。", "date", "成文日期")
            return None

    def figures(self, report: Report, records: list[tuple[str, int | None, dict]]) -> None:
        """Each record's value into its cell; every cell once, none unknown, none missing."""
        fmt, seen = report.format, set()
        for where, line, record in records:
            ref = CellRef(str(record.get("table")), str(record.get("row")), str(record.get("column")))
            if not fmt.has_cell(ref):
                self.problem(f"{where}：表格中没有“{ref}”这一格。", where, line=line)
                continue
            if ref in seen:
                self.problem(f"{where}：“{ref}”重复出现。", f"figures.{ref}", fmt.label(ref), line=line)
                continue
            seen.add(ref)
            if record.get("value") in (None, ""):  # unknown: never 0
                if not fmt.is_derived(ref):
                    report.unread.add(ref)
                continue
            value = self.number(record.get("value"), fmt.column(ref), f"figures.{ref}", fmt.label(ref), line)
            if value is not None:
                (report.stated_totals if fmt.is_derived(ref) else report.figures)[ref] = value
        missing = [ref for ref in fmt.iter_cells() if ref not in seen]
        if missing:
            names = "、".join(f"「{fmt.label(ref)}」" for ref in missing[:5]) + ("等" if len(missing) > 5 else "")
            self.problem(f"缺少 {len(missing)} 个单元格的数字：{names}。", hint="文件可能不完整，请重新导出。")

    def number(self, value, column: Column, key_path: str, label: str, line: int | None):
        """A figure as the data file allows it: a count, a signed change, or an amount in 万元."""
        text = str(value).strip() if value is not None else ""
        try:
            number = Decimal(text) if not isinstance(value, bool) else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.problem(f"应为数字，实际为“{text}”。", key_path, label, line)
            return None
        if column.type == AMOUNT:
            if number < 0 or -number.as_tuple().exponent > _MAX_AMOUNT_DECIMALS:
                self.problem(f"金额应为不小于 0、最多 {_MAX_AMOUNT_DECIMALS} 位小数的数字，实际为 {text}。", key_path, label, line)
                return None
            return number
        if number != number.to_integral_value() or "." in text or "e" in text.lower():
            self.problem(f"件数应为整数，实际为 {text}。", key_path, label, line)
            return None
        if number < 0 and column.type != SIGNED:
            self.problem(f"件数不能为负数，实际为 {text}。", key_path, label, line)
            return None
        return int(number)
