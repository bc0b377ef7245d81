"""What every rule needs: where a finding points, how a cell is shown, and which figures were not read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..findings import CellNote, Location
from ..formats import CellRef
from ..model import Number, Report


@dataclass(frozen=True)
class NotAssessable:
    """A rule that could not be applied because figures it needs were not read."""

    rule: str
    subject: str
    cells: tuple[str, ...]

    def describe(self) -> str:
        shown = "、".join(self.cells[:3]) + (f" 等 {len(self.cells)} 格" if len(self.cells) > 3 else "")
        return f"[{self.rule}] {self.subject}：无法判断，所需数字未读取（{shown}）"

    def as_dict(self) -> dict:
        return {"rule": self.rule, "subject": self.subject, "cells": list(self.cells)}


def unknown(report: Report, refs, skipped: list[NotAssessable], rule: str, subject: str,
             previous: Report | None = None, previous_refs=()) -> bool:
    """True (and noted) when any of the cells' values depends on a figure not read."""
    missing = sorted({str(r) for ref in refs for r in report.unread_under(ref)}
                     | {f"上年.{r}" for ref in previous_refs for r in (previous.unread_under(ref) if previous else ())})
    if missing:
        skipped.append(NotAssessable(rule, subject, tuple(missing)))
    return bool(missing)


def at(report: Report, key_path: str) -> Location:
    """The place of a data-file key: its own line, or its nearest stated ancestor's."""
    return Location(line=report.line_of(key_path), key_path=key_path)


def fmt_value(value: Number) -> str:
    return str(value)


def note(report: Report, ref: CellRef, previous_year: bool = False) -> CellNote:
    stated = report.stated_totals.get(ref) if report.format.is_derived(ref) else None
    line = report.line_of_cell(ref) if (not report.format.is_derived(ref) or stated is not None) else None
    return CellNote(str(ref), report.format.label(ref), fmt_value(report.value(ref)), line, previous_year)


def notes_with_parts(report: Report, ref: CellRef, previous_year: bool = False) -> list[CellNote]:
    """A cell's note, followed for a derived total by the non-zero figures it adds up."""
    notes = [note(report, ref, previous_year)]
    if report.format.is_derived(ref) and not previous_year:
        parts = sorted(report.format.input_cells_under(ref), key=cell_order(report))
        notes += [
            CellNote(str(p), report.format.label(p), fmt_value(report.value(p)), report.line_of_cell(p), part_of=str(ref))
            for p in parts if report.value(p)
        ]
    return notes


def cell_order(report: Report):
    order = {ref: i for i, ref in enumerate(report.format.iter_cells())}
    return order.__getitem__


def iter_narrative(report: Report) -> Iterator[tuple[str, str, str]]:
    """(section key, key path, text) for every title and paragraph of the narrative."""
    for key, narrative in report.narrative.items():
        base = f"sections.{key}"
        for i, text in enumerate(narrative.paragraphs):
            yield key, f"{base}.paragraphs[{i}]", text
        for j, part in enumerate(narrative.parts):
            yield key, f"{base}.parts[{j}].title", part.title
            for i, text in enumerate(part.paragraphs):
                yield key, f"{base}.parts[{j}].paragraphs[{i}]", text
