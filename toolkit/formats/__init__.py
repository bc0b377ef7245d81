"""The statutory report formats, loaded from one data file per format version.

Each ``<version>.yaml`` beside this module defines a format's section headings, tables (rows,
columns and labels, character for character), derived totals and the equations between cells.
Everything else — scaffolding, validation, rendering, extraction — reads these definitions.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Iterator, NamedTuple

from .roles import RoleMissing, Roles

COUNT, SIGNED, AMOUNT = "count", "signed", "amount"


class CellRef(NamedTuple):
    """The address of one figure: table key, row key, column key."""

    table: str
    row: str
    col: str

    def __str__(self) -> str:
        return f"{self.table}.{self.row}.{self.col}"

    @classmethod
    def parse(cls, dotted: str) -> "CellRef":
        return cls(*dotted.split("."))


@dataclass(frozen=True)
class Column:
    key: str
    label: tuple[str, ...]
    type: str = COUNT
    sum_of: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.label[-1]


@dataclass(frozen=True)
class Row:
    key: str
    label: tuple[str, ...]
    sum_of: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return " / ".join(self.label)


@dataclass(frozen=True)
class Block:
    """Rows that share one set of columns (table 二 stacks several such blocks)."""

    title: str | None
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]

    @property
    def is_single_column(self) -> bool:
        return len(self.columns) == 1


@dataclass(frozen=True)
class Table:
    key: str
    layout: str  # "blocks", "grid" or "line": how the figures sit on paper
    blocks: tuple[Block, ...]
    corner: str | None = None
    row_header: str | None = None

    @functools.cached_property
    def _block_of_row(self) -> dict[str, Block]:
        return {row.key: block for block in self.blocks for row in block.rows}

    @functools.cached_property
    def _rows(self) -> dict[str, Row]:
        return {row.key: row for block in self.blocks for row in block.rows}

    @functools.cached_property
    def _columns(self) -> dict[tuple[str, str], Column]:
        return {(row.key, c.key): c for block in self.blocks for row in block.rows for c in block.columns}

    @property
    def rows(self) -> tuple[Row, ...]:
        return tuple(self._rows.values())

    def row(self, key: str) -> Row:
        return self._rows[key]

    def block_of(self, row_key: str) -> Block:
        return self._block_of_row[row_key]

    def column(self, row_key: str, col_key: str) -> Column:
        return self._columns[row_key, col_key]

    def has_cell(self, row_key: str, col_key: str) -> bool:
        return (row_key, col_key) in self._columns

    def iter_cells(self) -> Iterator[tuple[Row, Column]]:
        for block in self.blocks:
            for row in block.rows:
                for column in block.columns:
                    yield row, column


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    table: str | None = None
    parts: tuple[str, ...] = ()
    must_mention: str | None = None


class Term(NamedTuple):
    """One side's term of an equation: +1 or -1 times a cell of this year's or last year's report."""

    sign: int
    previous_year: bool
    ref: CellRef


@dataclass(frozen=True)
class Check:
    """An equation between cells, checked once per binding of its placeholder.

    ``carry_over``: a new year's draft starts its left-hand cell from the right-hand side.
    """

    id: str
    severity: str
    title: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    each: tuple[tuple[str, tuple[str, ...]], ...] = ()
    hint: str = ""
    carry_over: bool = False

    @property
    def is_cross_year(self) -> bool:
        return any(term.lstrip("-").startswith("previous.") for term in self.left + self.right)

    def bindings(self) -> Iterator[dict[str, str]]:
        if not self.each:
            yield {}
            return
        (name, values), = self.each
        for value in values:
            yield {name: value}

    def sides(self, binding: dict[str, str]) -> tuple[list[Term], list[Term]]:
        """Both sides' terms with the placeholder bound."""
        return [_term(t, binding) for t in self.left], [_term(t, binding) for t in self.right]


def _term(text: str, binding: dict[str, str]) -> Term:
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("-")
    for name, value in binding.items():
        text = text.replace(f"${name}", value)
    return Term(sign, text.startswith("previous."), CellRef.parse(text.removeprefix("previous.")))


@dataclass(frozen=True)
class NarrativeCheck:
    """A number the narrative states (the pattern's first group; none: 0), and the cells whose sum
    it may be (any one of ``expect_any``). With ``per_any`` the number is a percentage of those
    cells over any of these; with ``change`` it is their percentage change on last year's report."""

    id: str
    title: str
    pattern: re.Pattern
    expect_any: tuple[tuple[str, ...], ...]
    per_any: tuple[tuple[str, ...], ...] = ()
    change: bool = False

    @property
    def is_percentage(self) -> bool:
        return bool(self.per_any) or self.change


@dataclass(frozen=True)
class AgencyLevel:
    name: str
    rule_making: bool  # may issue 规章 (立法法)
    publish_by: tuple[int, int]  # (month, day) of the following year


@dataclass(frozen=True)
class Numbering:
    """How headings (一、) and part titles (（一）) are numbered in this format."""

    heading: re.Pattern
    part: re.Pattern

    def bare(self, title: str) -> str:
        """A heading or part title without its number: 「一、总体情况」 → 「总体情况」."""
        return self.part.sub("", self.heading.sub("", title, count=1), count=1)


@dataclass(frozen=True)
class CellLook:
    """How one kind of table cell is set, as in the official template: alignment, and a fill
    colour (hex RGB) or none."""

    align: str = "center"
    fill: str | None = None


# The kinds of table cells a format's ``table_cells`` may set (layout.Grid names them).
CELL_KINDS = ("title", "corner", "header", "row_label", "figure")


@dataclass(frozen=True, repr=False)
class Format:
    version: str
    document: str
    basis: str
    first_year: int
    last_year: int | None
    sections: tuple[Section, ...]
    tables: dict[str, Table]
    checks: tuple[Check, ...]
    narrative_checks: tuple[NarrativeCheck, ...]
    agency_levels: dict[str, AgencyLevel]
    level_by_name_ending: dict[str, str]
    numbering: Numbering
    sanity: dict = field(default_factory=dict)
    limits: dict = field(default_factory=dict)  # bounds on a data file's values (datafile.limits)
    level_by_name_pattern: tuple[tuple[re.Pattern, str], ...] = ()
    table_cells: dict[str, dict[str, CellLook]] = field(default_factory=dict)
    roles: Roles = field(default_factory=Roles)

    def cell_look(self, table_key: str, kind: str) -> CellLook:
        """How a kind of cell of a table is set (centred, unshaded unless the format says otherwise)."""
        return self.table_cells.get(table_key, {}).get(kind, CellLook())

    def __repr__(self) -> str:
        return f"Format({self.version!r})"

    def covers(self, year: int) -> bool:
        """Whether this format is the one in force for a report year."""
        return self.first_year <= year <= (self.last_year or year)

    @property
    def years(self) -> str:
        """The report years it is for, as a clerk reads them: 2019—2020年度, 2021年度起."""
        return f"{self.first_year}—{self.last_year}年度" if self.last_year else f"{self.first_year}年度及以后"

    def level_of(self, name: str, stated: str | None = None) -> AgencyLevel | None:
        """An agency's level: as stated, else as its whole name or its ending reveals, else unknown."""
        if stated:
            return self.agency_levels.get(stated)
        named = next((level for pattern, level in self.level_by_name_pattern if pattern.search(name)), None)
        if named:
            return self.agency_levels.get(named)
        endings = sorted(self.level_by_name_ending, key=len, reverse=True)
        ending = next((e for e in endings if name.endswith(e)), None)
        return self.agency_levels.get(self.level_by_name_ending[ending]) if ending else None

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def table_section(self, table_key: str) -> Section:
        return next(s for s in self.sections if s.table == table_key)

    @property
    def narrative_sections(self) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if s.table is None)

    def has_cell(self, ref: CellRef) -> bool:
        table = self.tables.get(ref.table)
        return table is not None and table.has_cell(ref.row, ref.col)

    def iter_cells(self) -> Iterator[CellRef]:
        for table in self.tables.values():
            for row, column in table.iter_cells():
                yield CellRef(table.key, row.key, column.key)

    def iter_input_cells(self) -> Iterator[CellRef]:
        """The cells a clerk fills in: every cell that is not a derived total."""
        return (ref for ref in self.iter_cells() if not self.is_derived(ref))

    def is_derived(self, ref: CellRef) -> bool:
        return bool(self._components[ref])

    def column(self, ref: CellRef) -> Column:
        return self.tables[ref.table].column(ref.row, ref.col)

    def label(self, ref: CellRef) -> str:
        """The official label of a cell, e.g. 「三、本年度办理结果 / （七）总计 / 自然人」."""
        table = self.tables[ref.table]
        block = table.block_of(ref.row)
        parts = [block.title] if block.title else []
        parts += table.row(ref.row).label
        if not block.is_single_column or table.layout != "blocks":
            parts.append(table.column(ref.row, ref.col).name)
        return " / ".join(parts)

    def components(self, ref: CellRef) -> tuple[CellRef, ...]:
        """The cells a derived total adds up; empty for an input cell."""
        return self._components[ref]

    @functools.cached_property
    def _components(self) -> dict[CellRef, tuple[CellRef, ...]]:
        result = {}
        for ref in self.iter_cells():
            table = self.tables[ref.table]
            column = table.column(ref.row, ref.col)
            if column.sum_of:
                result[ref] = tuple(CellRef(ref.table, ref.row, c) for c in column.sum_of)
            else:
                result[ref] = tuple(CellRef(ref.table, r, ref.col) for r in table.row(ref.row).sum_of)
        return result

    def input_cells_under(self, ref: CellRef) -> frozenset[CellRef]:
        """Every input cell a cell's value depends on (itself, for an input cell)."""
        parts = self.components(ref)
        if not parts:
            return frozenset([ref])
        return frozenset().union(*(self.input_cells_under(p) for p in parts))


# Loading comes last: the loader builds the classes above.
from .loader import (FORMATS_PATH_VARIABLE, agency_levels, check_format_file, format_for_year,  # noqa: E402
                     get_format, latest, parse_format, versions)

__all__ = [
    "AMOUNT", "COUNT", "SIGNED", "AgencyLevel", "Block", "CellRef", "Check", "Column", "FORMATS_PATH_VARIABLE",
    "Format", "NarrativeCheck", "Numbering", "RoleMissing", "Roles", "Row", "Section", "Table", "Term",
    "agency_levels", "check_format_file", "format_for_year", "get_format", "latest", "parse_format", "versions",
]
