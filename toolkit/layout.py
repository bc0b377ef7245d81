"""The paper layout of a format's tables: a grid of cells with spans, derived from label paths.

Merged header and row-label cells follow from the labels themselves: consecutive rows that share
a label at some level share one merged cell there, and a label path shorter than the deepest one
stretches its last cell to fill the remaining levels. One function serves rows and columns alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .formats import CellRef, Table


@dataclass(frozen=True)
class GridCell:
    """One cell on paper: its top-left grid position, its spans, and a label or a figure."""

    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    text: str | None = None
    ref: CellRef | None = None

    @property
    def is_figure(self) -> bool:
        return self.ref is not None


@dataclass(frozen=True)
class Grid:
    table: Table
    rows: int
    cols: int
    cells: tuple[GridCell, ...]

    def figure_cells(self) -> tuple[GridCell, ...]:
        return tuple(c for c in self.cells if c.is_figure)

    def label_cells(self) -> tuple[GridCell, ...]:
        return tuple(c for c in self.cells if not c.is_figure)

    def kind(self, cell: GridCell) -> str:
        """What the cell is, as a format's ``table_cells`` names it: a block's title line (table 二),
        the corner over the row labels (table 三), a header, a row label, or a figure."""
        if cell.is_figure:
            return "figure"
        if self.table.layout == "blocks":
            titles = {c.row for c in self.cells if c.colspan == self.cols}
            return "title" if cell.row in titles else "header" if cell.row - 1 in titles else "row_label"
        if self.table.layout == "grid" and (cell.row, cell.col) == (0, 0):
            return "corner"
        return "header" if cell.row < min(c.row for c in self.figure_cells()) else "row_label"


def _merged_labels(paths: Sequence[tuple[str, ...]], depth: int) -> list[tuple[int, int, int, int, str]]:
    """(level, start, breadth, depth spanned, text) for label paths laid side by side.

    Paths are leaves in order; at each level, neighbours with the same prefix share one cell.
    """
    cells = []
    for level in range(depth):
        i = 0
        while i < len(paths):
            path = paths[i]
            if len(path) <= level:
                i += 1
                continue
            j = i + 1
            while j < len(paths) and len(paths[j]) > level and paths[j][: level + 1] == path[: level + 1]:
                j += 1
            deep = depth - level if len(path) == level + 1 else 1
            cells.append((level, i, j - i, deep, path[level]))
            i = j
    return cells


def grid(table: Table) -> Grid:
    """The table as it is printed in the statutory template."""
    return {"grid": _grid_layout, "line": _line_layout, "blocks": _blocks_layout}[table.layout](table)


def _grid_layout(table: Table) -> Grid:
    """Rows down the left, columns across the top, a corner cell over the row labels (table 三)."""
    (block,) = table.blocks
    row_paths = [r.label for r in block.rows]
    col_paths = [c.label for c in block.columns]
    label_depth, header_depth = max(map(len, row_paths)), max(map(len, col_paths))
    cells = [GridCell(0, 0, header_depth, label_depth, table.corner)]
    cells += [GridCell(level, label_depth + start, deep, breadth, text)
              for level, start, breadth, deep, text in _merged_labels(col_paths, header_depth)]
    cells += [GridCell(header_depth + start, level, breadth, deep, text)
              for level, start, breadth, deep, text in _merged_labels(row_paths, label_depth)]
    for i, row in enumerate(block.rows):
        for j, column in enumerate(block.columns):
            cells.append(GridCell(header_depth + i, label_depth + j, ref=CellRef(table.key, row.key, column.key)))
    return Grid(table, header_depth + len(block.rows), label_depth + len(block.columns), tuple(cells))


def _line_layout(table: Table) -> Grid:
    """Every figure in one line under a header of row label + column label (table 四)."""
    (block,) = table.blocks
    pairs = [(row, column) for row in block.rows for column in block.columns]
    paths = [row.label + (column.name,) for row, column in pairs]
    depth = max(map(len, paths))
    cells = [GridCell(level, start, deep, breadth, text)
             for level, start, breadth, deep, text in _merged_labels(paths, depth)]
    cells += [GridCell(depth, j, ref=CellRef(table.key, row.key, column.key)) for j, (row, column) in enumerate(pairs)]
    return Grid(table, depth + 1, len(pairs), tuple(cells))


def _spread(count: int, width: int) -> list[tuple[int, int]]:
    """(start, span) of ``count`` columns across ``width`` grid columns; the last takes the rest."""
    spans = [1] * count
    spans[-1] += width - count
    starts = [sum(spans[:i]) for i in range(count)]
    return list(zip(starts, spans))


def _blocks_layout(table: Table) -> Grid:
    """Stacked blocks, each a title line, a header line and its rows (table 二)."""
    width = max(len(b.columns) for b in table.blocks)
    cells, line = [], 0
    for block in table.blocks:
        cells.append(GridCell(line, 0, 1, width + 1, block.title))
        spread = _spread(len(block.columns), width)
        cells.append(GridCell(line + 1, 0, text=table.row_header))
        cells += [GridCell(line + 1, 1 + start, 1, span, column.name)
                  for column, (start, span) in zip(block.columns, spread)]
        line += 2
        for row in block.rows:
            cells.append(GridCell(line, 0, text=row.name))
            cells += [GridCell(line, 1 + start, 1, span, ref=CellRef(table.key, row.key, column.key))
                      for column, (start, span) in zip(block.columns, spread)]
            line += 1
    return Grid(table, line, width + 1, tuple(cells))
