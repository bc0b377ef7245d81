"""A report as the form's fields and back: one flat mapping of field name to text.

Field names are the data file's key paths (``agency.name``, ``sections.overview.parts[0].title``,
``figures.applications.total.natural_person``), so a finding's key path names the field it is about
and a form round trip gives the data file back byte for byte.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from ..formats import AMOUNT, SIGNED, CellRef, Format, get_format
from ..model import CONTACT_FIELDS, Agency, Lead, Narrative, Part, Report, Signature

Fields = dict[str, object]  # name -> str, or bool for a checkbox

# The text an unread figure shows: unknown, never 0.
UNREAD = ""
_PARAGRAPH = re.compile(r"sections\.(\w+)\.paragraphs\[(\d+)\]$")
_PART_TITLE = re.compile(r"sections\.(\w+)\.parts\[(\d+)\]\.title$")
_PART_PARAGRAPH = re.compile(r"sections\.(\w+)\.parts\[(\d+)\]\.paragraphs\[(\d+)\]$")
_MAX_AMOUNT_DECIMALS = 4


@dataclass(frozen=True)
class FieldProblem:
    """A value the form cannot take, at its field, in the clerk's words."""

    field: str
    label: str
    message: str


class FormInvalid(ValueError):
    def __init__(self, problems: list[FieldProblem]):
        self.problems = problems
        super().__init__("；".join(f"「{p.label}」{p.message}" for p in problems))


def figure_field(ref: CellRef) -> str:
    return f"figures.{ref}"


def unread_field(ref: CellRef) -> str:
    """The checkbox that marks a figure as not read from the published copy."""
    return f"unread.{ref}"


def stated_field(ref: CellRef) -> str:
    """A total the data file stated: kept as it was, checked against the computed one."""
    return f"stated.{ref}"


def fields(report: Report) -> Fields:
    """Every field of the form for this report."""
    lead = report.lead
    out: Fields = {
        "format": report.format.version,
        "year": str(report.year or ""),
        "date": report.date.isoformat() if report.date else "",
        "agency.name": report.agency.name or "",
        "agency.level": report.agency.level or "",
        "lead.omit": lead is None,
        "lead.text": (lead.text if lead else None) or "",
        "lead.website": (lead.website if lead else None) or "",
        "lead.url": (lead.url if lead else None) or "",
        "signature.show": report.signature.show,
        "signature.name": report.signature.name or "",
        "signature.seal": report.signature.seal,
    }
    for key in CONTACT_FIELDS:
        out[f"lead.contact.{key}"] = (lead.contact.get(key) if lead else None) or ""
    for key, narrative in report.narrative.items():
        for i, text in enumerate(narrative.paragraphs):
            out[f"sections.{key}.paragraphs[{i}]"] = text
        for i, part in enumerate(narrative.parts):
            out[f"sections.{key}.parts[{i}].title"] = part.title
            for j, text in enumerate(part.paragraphs):
                out[f"sections.{key}.parts[{i}].paragraphs[{j}]"] = text
    for ref in report.format.iter_input_cells():
        unread = ref in report.unread
        out[figure_field(ref)] = UNREAD if unread else _number_text(report.figures.get(ref, 0))
        if unread:
            out[unread_field(ref)] = True
    for ref, value in report.stated_totals.items():
        out[stated_field(ref)] = _number_text(value)
    return out


def _number_text(value) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def report_from(values: Fields) -> Report:
    """The report the form's fields describe; FormInvalid names each field that holds no valid value."""
    problems: list[FieldProblem] = []
    text = lambda name: str(values.get(name) or "").strip()
    flag = lambda name: values.get(name) in (True, "true", "on", "1")
    fmt = _format(text("format"), problems)
    year = _year(text("year"), problems)
    report = Report(format=fmt, agency=Agency(text("agency.name"), text("agency.level") or None), year=year,
                    date=_date(text("date"), problems))
    if not flag("lead.omit"):
        contact = {key: text(f"lead.contact.{key}") for key in CONTACT_FIELDS if text(f"lead.contact.{key}")}
        report.lead = Lead(text("lead.text") or None, text("lead.website") or None, text("lead.url") or None, contact)
    report.signature = Signature(flag("signature.show"), text("signature.name") or None, flag("signature.seal"))
    report.narrative = _narrative(values, fmt)
    for ref, name, unread in _figure_fields(fmt.version):
        typed = values.get(name)
        typed = typed.strip() if isinstance(typed, str) else ""
        if not typed and flag(unread):
            report.unread.add(ref)
            continue
        value = _number(typed, fmt, ref, problems)
        if value is not None:
            report.figures[ref] = value
    for name in [n for n in values if n.startswith("stated.") and text(n)]:
        ref = CellRef.parse(name.removeprefix("stated."))
        if fmt.has_cell(ref) and fmt.is_derived(ref):
            value = _number(text(name), fmt, ref, problems)
            if value is not None:
                report.stated_totals[ref] = value
    if problems:
        raise FormInvalid(problems)
    return report


@lru_cache(maxsize=None)
def _figure_fields(version: str) -> tuple[tuple[CellRef, str, str], ...]:
    """(cell, its field, its unread mark) for every figure typed in a format's form."""
    return tuple((ref, figure_field(ref), unread_field(ref)) for ref in get_format(version).iter_input_cells())


def _format(version: str, problems: list[FieldProblem]) -> Format:
    from ..errors import FormatNotFound

    try:
        return get_format(version or "2021")
    except FormatNotFound as exc:
        problems.append(FieldProblem("format", "格式版本", str(exc)))
        return get_format("2021")


def _year(value: str, problems: list[FieldProblem]) -> int | None:
    if value.isdigit() and 2019 <= int(value) <= 2100:
        return int(value)
    problems.append(FieldProblem("year", "报告年度", f"应为 2019 至 2100 之间的年份，实际为“{value}”。"))
    return None


def _date(value: str, problems: list[FieldProblem]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        problems.append(FieldProblem("date", "成文日期", f"“{value}”无法识别，请写作 2026-01-20。"))
        return None


def _narrative(values: Fields, fmt: Format) -> dict[str, Narrative]:
    """Paragraphs and parts in the order of their indexes; empty paragraphs are dropped."""
    paragraphs: dict[str, dict[int, str]] = {}
    titles: dict[str, dict[int, str]] = {}
    part_paragraphs: dict[tuple[str, int], dict[int, str]] = {}
    for name, value in values.items():
        if not name.startswith("sections."):
            continue
        value = str(value or "").strip()
        if match := _PARAGRAPH.match(name):
            paragraphs.setdefault(match[1], {})[int(match[2])] = value
        elif match := _PART_TITLE.match(name):
            titles.setdefault(match[1], {})[int(match[2])] = value
        elif match := _PART_PARAGRAPH.match(name):
            part_paragraphs.setdefault((match[1], int(match[2])), {})[int(match[3])] = value
    ordered = lambda texts: [t for _, t in sorted(texts.items()) if t]
    narrative = {}
    for section in fmt.sections:
        key = section.key
        parts = [Part(title, ordered(part_paragraphs.get((key, i), {})))
                 for i, title in sorted(titles.get(key, {}).items())]
        parts = [p for p in parts if p.title or p.paragraphs]
        if key in paragraphs or key in titles or section.table is None:
            narrative[key] = Narrative(ordered(paragraphs.get(key, {})), parts)
    return narrative


def _number(value: str, fmt: Format, ref: CellRef, problems: list[FieldProblem]):
    """A typed figure: full-width digits and thousands separators as Excel and WPS paste them; empty is 0."""
    if value.isascii() and value.isdigit():  # what is typed nearly always: no more work than int()
        return int(value)
    value = unicodedata.normalize("NFKC", value).replace(",", "").replace(" ", "")
    if not value:
        return 0
    column = fmt.column(ref)
    say = lambda message: problems.append(FieldProblem(figure_field(ref), fmt.label(ref), message))
    if column.type == AMOUNT:
        try:
            amount = Decimal(value)
        except InvalidOperation:
            return say(f"应填金额（数字，单位：万元），实际为“{value}”。")
        if not amount.is_finite() or amount < 0:
            return say(f"金额应为不小于 0 的数字，实际为“{value}”。")
        if -amount.as_tuple().exponent > _MAX_AMOUNT_DECIMALS:
            return say(f"金额最多保留 {_MAX_AMOUNT_DECIMALS} 位小数（1元 = 0.0001万元），实际为 {value}。")
        return amount
    if not re.fullmatch(r"-?\d+", value):
        return say(f"应填整数，实际为“{value}”。只填阿拉伯数字，不加单位；没有则填 0。")
    number = int(value)
    if number < 0 and column.type != SIGNED:
        return say(f"件数不能为负数，实际为 {value}。")
    return number
