"""Reading published reports — .docx, PDF text layers, web pages and copied text — back into data."""

from __future__ import annotations

from pathlib import Path

from ..errors import DataFileError, Problem
from .reader import Extraction, read_report
from .sources import read

SUFFIXES = (".docx", ".pdf", ".html", ".htm", ".txt")

__all__ = ["Extraction", "SUFFIXES", "extract", "load_any"]


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
    extraction.report.source = path
    return extraction


def load_any(path: str | Path) -> Extraction:
    """A data file as it is, or a published report read back; DataFileError if neither can be used."""
    path = Path(path)
    if path.suffix.lower() in SUFFIXES:
        return extract(path)
    from ..datafile import load

    return Extraction(load(path))
