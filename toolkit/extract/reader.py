"""Reading a report's lines into data: who and which year, sections by their headings, figures.

What the copy does not hold is said, never filled in: figures not read are listed as unread, and
sections missing after the point where a web copy was cut are told apart from sections missing
from a complete report.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataFileError, Problem
from ..model import Agency, Lead, Narrative, Part, Reading, Report, Signature
from ..output import display_width
from .meta import (compact, injected_spam, is_furniture, lead_agency, name_problem, period_year, read_metadata,
                   self_reference_level, spam_problem, unplaced_name, year_mentioned)
from .sources import CELL, SUBHEAD, TABLE_END, TABLE_START, Line, Source, opening, read
from .structure import cited_format, detect_format, find_headings, first_heading, outline
from .tables import read_table

_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_PART_TITLE = re.compile(r"^（[一二三四五六七八九十]+）\S.{0,28}$")
_SENTENCE_END = ("。", "！", "？", "；", "：", "）", ".")


@dataclass
class Extraction:
    """What was read, and what could not be placed."""

    report: Report
    notes: list[str] = field(default_factory=list)


SUFFIXES = (".docx", ".pdf", ".html", ".htm", ".txt")


def extract(path: str | Path, agency: str | None = None, year: int | None = None) -> Extraction:
    """The report in a published file, with notes on every figure that could not be placed."""
    path = Path(path)
    try:
        extraction = read_report(read(path), agency, year)
    except ValueError as exc:
        raise DataFileError(path, [Problem(str(exc))]) from None
    report = extraction.report
    if not (report.year or report.agency.name or report.figures or report.stated_totals or report.narrative):
        raise DataFileError(path, [Problem("文件中读不出年度报告的任何内容：没有标题、机关名称、年度、法定的各部分或表格数字。",
                                           hint="请确认文件是否为政府信息公开工作年度报告，是否完整、未损坏。")])
    report.source = path
    return extraction


def read_report(source: Source, agency: str | None = None, year: int | None = None) -> Extraction:
    lines = [line for line in source.lines if line.text or line.kind in (TABLE_START, TABLE_END)]
    texts = [line.text for line in lines if line.kind != CELL]
    body_start = first_heading(lines)
    meta = read_metadata([line.text for line in lines[:body_start]])
    signature_name, date, closing_lines = _closing(lines)
    year, year_from = (year, "given") if year else _year(meta, texts, date)
    fmt, by_layout = detect_format(lines, year)
    headings = find_headings(lines, min(meta.title_lines, body_start), fmt)
    agency, agency_from = (agency, None) if agency else _agency_named(meta, texts[body_start:body_start + 8], signature_name)
    reading = Reading(year_from=year_from, renamed_headings=headings.renamed, format_by_layout=by_layout,
                      agency_doubt=_agency_doubt(agency, meta, texts), titles=meta.titles,
                      outline=outline(lines, body_start, fmt), period_year=period_year(texts), agency_from=agency_from)
    if cited := cited_format(texts):
        reading.cited_format = cited.version
    notes = _unstated(agency, year, texts[:body_start + 12])
    report = Report(format=fmt, agency=Agency(agency or "", None), year=year, date=date, reading=reading)
    report.agency.level = _level(report, texts)
    notes += _sections_seen(fmt, headings.found, date, reading)
    bounds = _section_bounds(headings.found, len(lines) - closing_lines)
    report.lead = _lead(lines, meta.title_lines, bounds, source)
    notes += _read_sections(fmt, lines, bounds, report, source)
    report.unread = {ref for ref in fmt.iter_input_cells() if ref not in report.figures}
    report.signature = _signature(signature_name, date, report.agency.name)
    return Extraction(report, notes)


def _agency_named(meta, opening_texts: list[str], signature_name: str | None) -> tuple[str | None, str | None]:
    """(agency, where it was read unless in the title): the title or 导语, the body's opening
    sentences, or the signature."""
    if meta.agency:
        return meta.agency, None if meta.agency_from == "标题" else meta.agency_from
    for name, where in ((lead_agency(opening_texts), "正文开头"), (signature_name, "落款")):
        if name:
            return name, where
    return None, None


def _level(report: Report, texts: list[str]) -> str | None:
    """The level the agency's name tells, else the one the body's self-references tell (noted)."""
    if report.level:
        return report.level.name
    said = self_reference_level(texts)
    if said:
        report.reading.level_from = said[1]
        return said[0]
    return None


def _signature(name: str | None, date: dt.date | None, agency: str) -> Signature:
    return Signature(show=bool(name or date), name=name if name and name != agency else None)


def _year(meta, texts: list[str], date: dt.date | None) -> tuple[int | None, str | None]:
    """The year the copy states, from the first evidence that names one, and where it was found."""
    for found, origin in ((meta.year, meta.year_from), (period_year(texts), "period"),
                          (_year_from_date(date), "date"), (year_mentioned(texts), "text")):
        if found:
            return found, origin
    return None, meta.year_from


def _agency_doubt(agency: str | None, meta, texts: list[str]) -> str | None:
    doubt = None if agency != meta.agency else name_problem(meta.agency, meta.agency_as_written)
    spam = [i for i in injected_spam(texts) if not doubt or i.spam.rstrip("@:：_") not in doubt]
    return " ".join(filter(None, (doubt, spam_problem(spam)))) or None


def _unstated(agency: str | None, year: int | None, opening_texts: list[str]) -> list[str]:
    notes = []
    if not agency:
        partial = unplaced_name(opening_texts)
        shown = f"，正文只写“{partial}”，没有写明所属地方" if partial else ""
        notes.append(f"原文中没有写明机关名称（标题、导语和落款中都没有{shown}），请指定机关全称，或在数据文件中填写 agency.name。")
    if not year:
        notes.append("原文中没有写明报告年度（标题、统计期限、成文日期和正文中都没有），请指定报告年度。")
    return notes


def _sections_seen(fmt, found: dict[str, int], date: dt.date | None, reading: Reading) -> list[str]:
    """Sections missing from a complete copy (told to the rules), or cut off with the copy (told as a note)."""
    present = [s for s in fmt.sections if s.key in found]
    last = present[-1] if present else None
    complete = date is not None or (last is not None and last.key == fmt.sections[-1].key)
    cut = []
    for section in fmt.sections:
        if section.key in found:
            continue
        after_last = last is None or fmt.sections.index(section) > fmt.sections.index(last)
        if after_last and not complete:
            cut.append(f"「{section.heading}」")
        else:
            reading.missing_headings.append(section.heading)
    if not complete:
        reading.cut_after = last.heading if last else ""
    return [f"原文在「{last.heading if last else '标题'}」处中断，其后的{'、'.join(cut)}未见。"] if cut else []


def _lead(lines: list[Line], title_lines: int, bounds: dict, source: Source) -> Lead | None:
    first = min((start for start, _ in bounds.values()), default=len(lines))
    lead_lines = [line for line in lines[title_lines:first - 1] if not _is_furniture(line)] if first > title_lines else []
    lead = _paragraphs(lead_lines, source.wrapped, source.paragraph_starts)
    return Lead(text="".join(p for p, _ in lead)) if lead else None


def _read_sections(fmt, lines: list[Line], bounds: dict, report: Report, source: Source) -> list[str]:
    """Each section's table and narrative; a table section without figures, where the copy goes on, is absent."""
    notes = []
    last = max(bounds, key=lambda key: bounds[key][0], default=None)
    for section in fmt.sections:
        if section.key not in bounds:
            continue
        body = lines[slice(*bounds[section.key])]
        if not section.table:
            report.narrative[section.key] = _narrative(body, source)
            continue
        before = len(report.figures) + len(report.stated_totals)
        notes += read_table(fmt.tables[section.table], body, report, section.heading)
        if len(report.figures) + len(report.stated_totals) == before and section.key != last:
            report.reading.tables_absent.append(section.heading)  # the copy goes on: the table is not there
        if any(line.kind == TABLE_START for line in body):  # only then is text outside the table known
            report.narrative[section.key] = _narrative(body, source)
    return notes


def _is_furniture(line: Line) -> bool:
    return is_furniture(compact(line.text))


# -- title, closing, sections ----------------------------------------------------------------------


def _closing(lines: list[Line]) -> tuple[str | None, dt.date | None, int]:
    """(署名, 成文日期, lines they take) from the last lines of the report."""
    texts = [(i, line.text.strip()) for i, line in enumerate(lines) if line.kind not in (TABLE_START, TABLE_END)]
    if not texts:
        return None, None, 0
    index, last = texts[-1]
    match = _DATE.match(last.replace(" ", ""))
    if not match:
        return None, None, 0
    try:
        date = dt.date(*map(int, match.groups()))
    except ValueError:
        return None, None, 0
    if len(texts) > 1:
        name_index, name = texts[-2]
        name = name.replace(" ", "")
        if len(name) <= 30 and not name.endswith(("。", "；", "：")):
            return name, date, len(lines) - name_index
    return None, date, len(lines) - index


def _year_from_date(date: dt.date | None) -> int | None:
    """A report dated in the first months covers the previous year; one dated in December, its own."""
    if date is None:
        return None
    return date.year if date.month >= 11 else date.year - 1


def _section_bounds(headings: dict[str, int], end: int) -> dict[str, tuple[int, int]]:
    order = sorted((index, key) for key, index in headings.items())
    bounds = {}
    for (index, key), following in zip(order, order[1:] + [(end, None)]):
        bounds[key] = (index + 1, min(following[0], end) if following[1] else end)
    return bounds


# -- narrative -------------------------------------------------------------------------------------


def _outside_tables(lines: list[Line]) -> list[Line]:
    result, depth = [], 0
    for line in lines:
        if line.kind == TABLE_START:
            depth += 1
        elif line.kind == TABLE_END:
            depth = max(0, depth - 1)
        elif depth == 0 and line.kind != CELL:
            result.append(line)
    return result


def _paragraphs(lines: list[Line], wrapped: bool, starts: frozenset[str] = frozenset()) -> list[tuple[str, bool]]:
    """(paragraph, looks like a sub-head) — PDF lines are joined back into paragraphs first."""
    lines = _outside_tables(lines)
    if not wrapped:
        return [(line.text.strip(), line.kind == SUBHEAD or bool(_PART_TITLE.match(line.text.strip())))
                for line in lines]
    # A line that stops short of the longest ones, at the end of a sentence, ends its paragraph;
    # other short lines are pieces of one printed line that the text layer split.
    full = max((display_width(line.text) for line in lines), default=0)
    paragraphs, current = [], ""
    for line in lines:
        text = line.text.strip()
        if current and opening(text) in starts:
            paragraphs.append(current)
            current = ""
        current += text
        if display_width(text) < full - 4 and text.endswith(_SENTENCE_END):
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return [(p, bool(_PART_TITLE.match(p))) for p in paragraphs]


def _narrative(lines: list[Line], source: Source) -> Narrative:
    narrative = Narrative()
    for text, is_title in _paragraphs(lines, source.wrapped, source.paragraph_starts):
        if is_title:
            narrative.parts.append(Part(text))
        elif narrative.parts:
            narrative.parts[-1].paragraphs.append(text)
        else:
            narrative.paragraphs.append(text)
    return narrative
