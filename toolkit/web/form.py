"""The form of a format, laid out from the format data: one model for every report of that format.

The tables are the statutory tables as ``toolkit.layout`` lays them out for Word (same rows, columns,
merged cells and labels); each figure input is named by its data-file key path and labelled by its
official label path. A new format file gives a new form with no code here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..formats import AMOUNT, Format, get_format
from ..layout import grid
from ..model import CONTACT_FIELDS
from .document import figure_field


@dataclass(frozen=True)
class Cell:
    """One cell of a table on screen: a label (th) or a figure (input), with its grid position."""

    row: int
    col: int
    rowspan: int
    colspan: int
    text: str | None = None
    field: str | None = None  # the figure's field name
    label: str | None = None  # the figure's official label path: its accessible name
    computed_from: tuple[str, ...] = ()  # a total: the fields it adds up
    amount: bool = False
    header: bool = False  # a label above the figures (scope col) rather than beside them (scope row)

    @property
    def is_figure(self) -> bool:
        return self.field is not None


@dataclass(frozen=True)
class FormTable:
    key: str
    caption: str
    rows: tuple[tuple[Cell, ...], ...]
    columns: int


@dataclass(frozen=True)
class FormSection:
    key: str
    heading: str
    parts: tuple[str, ...]  # the official titled parts, offered when a part is added
    table: FormTable | None = None


@dataclass(frozen=True)
class Form:
    format: Format
    sections: tuple[FormSection, ...]
    levels: tuple[str, ...]
    contact: tuple[tuple[str, str], ...]

    def figure_labels(self) -> dict[str, str]:
        return {c.field: c.label for s in self.sections if s.table for row in s.table.rows for c in row if c.field}


@lru_cache(maxsize=None)
def form_for(version: str) -> Form:
    fmt = get_format(version)
    sections = tuple(FormSection(s.key, s.heading, s.parts, _table(fmt, s.table, s.heading) if s.table else None)
                     for s in fmt.sections)
    levels = tuple(fmt.agency_levels)
    return Form(fmt, sections, levels, tuple(CONTACT_FIELDS.items()))


def _table(fmt: Format, key: str, heading: str) -> FormTable:
    laid = grid(fmt.tables[key])
    figure_rows = {c.row for c in laid.figure_cells()}
    cells = []
    for c in laid.cells:
        if c.ref is None:
            cells.append(Cell(c.row, c.col, c.rowspan, c.colspan, text=c.text, header=c.row not in figure_rows))
            continue
        parts = fmt.components(c.ref) if fmt.is_derived(c.ref) else ()
        cells.append(Cell(c.row, c.col, c.rowspan, c.colspan, field=figure_field(c.ref), label=fmt.label(c.ref),
                          computed_from=tuple(figure_field(p) for p in parts),
                          amount=fmt.column(c.ref).type == AMOUNT))
    rows = tuple(tuple(sorted((c for c in cells if c.row == r), key=lambda c: c.col)) for r in range(laid.rows))
    return FormTable(key, heading, rows, laid.cols)
