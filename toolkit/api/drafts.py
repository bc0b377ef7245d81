"""Yearly drafts: blank, carried over from last year, filled from the agency registry."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .. import datafile
from ..datafile.limits import Limits, character_problem
from ..errors import ToolkitError
from ..formats import Format, format_for_year, get_format
from ..model import Lead, Report
from ..output import safe_filename, write_atomic
from ..registry import Entry
from .rendering import refuse_existing, render_docx


class FormatNotForYear(ToolkitError):
    """A format asked for that is not the one in force for the report's year."""

    remedy = "allow_format_mismatch"

    def __init__(self, fmt: Format, year: int):
        try:
            due = format_for_year(year)
            told = f"{year}年度应使用格式 {due.version}（{due.document}）。"
        except ToolkitError:
            told = ""
        super().__init__(f"格式 {fmt.version}（{fmt.document}）适用于{fmt.years}，不适用于{year}年度报告；{told}")


def new_report(agency: str | None, year: int, format_version: str | None = None, level: str | None = None,
               previous: Report | None = None, entry: Entry | None = None, *,
               allow_format_mismatch: bool = False) -> Report:
    """A blank yearly draft; with last year's report, what carries over is carried over; with a
    registry entry, the registry's level, website and contact details win over last year's.
    A format that is not in force for the year is refused unless ``allow_format_mismatch``."""
    fmt = get_format(format_version) if format_version else format_for_year(year)
    if not fmt.covers(year) and not allow_format_mismatch:
        raise FormatNotForYear(fmt, year)
    name = agency or (entry.name if entry else None) or (previous.agency.name if previous else "")
    limits = Limits.of(fmt.limits)
    if problem := character_problem(name, one_line=True) or (
            len(name) > limits.max_name and f"长 {len(name)} 个字符，超过上限 {limits.max_name} 个"):
        raise ToolkitError(f"机关全称“{name[:40]!r}”{problem}。")  # the data file written would fail its own check
    draft = Report.blank(name, year, fmt, level or (entry.level if entry else None))
    if previous:
        draft = draft.carried_over_from(previous)
    return _with_entry(draft, entry) if entry else draft


def _with_entry(report: Report, entry: Entry) -> Report:
    lead = report.lead or Lead()
    lead = replace(lead, website=entry.website or lead.website, url=entry.url or lead.url,
                   contact={**lead.contact, **entry.contact})
    return replace(report, lead=lead, agency=replace(report.agency, level=entry.level or report.agency.level))


def draft_text(report: Report) -> str:
    return datafile.dumps(report)


def default_name(report: Report, suffix: str) -> Path:
    return Path(safe_filename(report.title, suffix))


def write_draft(report: Report, output: Path, force: bool = False, docx: Path | None = None) -> list[Path]:
    """The draft's data file, and with ``docx`` a blank Word report beside it."""
    targets = [output, *([docx] if docx else [])]
    refuse_existing(targets, force)
    written = [write_atomic(output, datafile.dumps(report), force=force)]
    if docx:
        written.append(write_atomic(docx, render_docx(report, draft=True), force=force))
    return written
