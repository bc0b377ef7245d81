"""govreport: the 政府信息公开工作年度报告 as data — scaffold, check and render it.

The public API::

    report = toolkit.load("2025.yaml")          # a data file → Report (DataFileError if unusable)
    findings = toolkit.check(report, previous)   # consistency rules → [Finding]
    draft = toolkit.new_report("某某乡人民政府", 2025, previous=last_year)
    text = toolkit.dumps(draft)                  # Report → annotated YAML
    docx = toolkit.render_docx(report)           # Report → .docx bytes (toolkit.render for more)
"""

from __future__ import annotations

from .datafile import dumps, load, loads
from .errors import DataFileError, FormatNotFound, OutputExists, Problem, ToolkitError
from .formats import CellRef, Format, format_for_year, get_format, versions
from .model import Report
from .findings import ERROR, WARNING, Finding
from .rules import check

__all__ = [
    "CellRef", "DataFileError", "ERROR", "Finding", "Format", "FormatNotFound", "OutputExists", "Problem",
    "Report", "ToolkitError", "WARNING", "check", "dumps", "format_for_year", "get_format", "load", "loads",
    "new_report", "render_docx", "versions",
]


def new_report(agency: str | None, year: int, format_version: str | None = None, level: str | None = None,
               previous: Report | None = None) -> Report:
    """A blank yearly draft; with last year's report, what carries over is carried over."""
    from .api import new_report

    return new_report(agency, year, format_version, level, previous)


def render_docx(report: Report, template=None) -> bytes:
    """The report as .docx bytes, in the format's default template or the given one."""
    # Imported here so that commands which never render start without loading docxtpl.
    from .render import render

    return render(report, template)
