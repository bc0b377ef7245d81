"""Reading a report from any source: a data file, open data, or a published copy read back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import datafile
from ..errors import DataFileError, Problem
from ..model import Report


DATA_SUFFIXES = (".yaml", ".yml")
OPEN_DATA_SUFFIXES = (".json", ".csv")  # the figures as published as open data


class UnreadFigures(DataFileError):
    """A published report read back with figures that could not be placed: not safe to build on."""

    def __init__(self, path: Path, notes: list[str]):
        super().__init__(path, [Problem(f"有未能读取的内容：{note}") for note in notes])


@dataclass
class Loaded:
    """A report from any source, with what could not be read from it."""

    report: Report
    unread: list[str] = field(default_factory=list)


def is_data_file(path: Path) -> bool:
    return path.suffix.lower() in DATA_SUFFIXES


def readable_suffixes() -> tuple[str, ...]:
    from ..extract import SUFFIXES

    return (*DATA_SUFFIXES, *SUFFIXES)


def load(path: str | Path, agency: str | None = None, year: int | None = None) -> Loaded:
    """A data file as it is, open data (.json, .csv) read back, or a published report (.docx, PDF, HTML,
    text) read back."""
    path = Path(path)
    if is_data_file(path):
        return Loaded(datafile.load(path))
    if path.suffix.lower() in OPEN_DATA_SUFFIXES:
        from ..publish import opendata

        return Loaded(opendata.load(path))
    from ..extract import extract

    extraction = extract(path, agency, year)
    return Loaded(extraction.report, extraction.notes)


def load_report(path: str | Path) -> Report:
    """A report to build on: refused when part of it could not be read."""
    loaded = load(path)
    if loaded.unread:
        raise UnreadFigures(Path(path), loaded.unread)
    return loaded.report
