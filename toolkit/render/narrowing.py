"""Figures narrowed per report, only in the columns whose widest figure needs it.

The default template sizes its figure columns so that a nine-digit figure fits when set narrower
(table_geometry's figure scale); most reports have three- or four-digit figures, which fit at full
width. Each figure column of the template has its own character style (no formatting of its own);
a report whose widest figure in a column does not fit at full width gets that style narrowed
(w:w) just enough, in steps of five percent, and a note saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..formats import CellRef, Format
from ..layout import grid
from .geometry import em_width

_STEP = 5


def style_name(table_key: str, column: int) -> str:
    """The character style of a figure column of the default template (also its style id)."""
    return f"FigureColumn_{table_key}_{column}"  # no hyphen: the body's hyphens are looked at one by one


@dataclass(frozen=True)
class Narrowed:
    """A figure column set narrower for this report: its table, its labels, the scale."""

    table: str
    label: str
    scale: int


@dataclass(frozen=True)
class _Column:
    """A figure column of the default template: its style, its room in characters at full width,
    how narrow its width allows, and its cells (with their labels)."""

    table: str
    style: str
    room: float
    least_scale: int
    cells: tuple[tuple[CellRef, str], ...]


def narrowed_columns(fmt: Format, values: dict) -> dict[str, Narrowed]:
    """The figure columns (by style name) whose widest figure in a report (its template values,
    render.context) needs a narrower setting in the default template, and how much."""
    out = {}
    for column in _columns(fmt):
        texts = [(values[ref.table][ref.row][ref.col], label) for ref, label in column.cells]
        if all(len(text) <= column.room * 2 for text, _ in texts):
            continue  # a digit is half a character: nothing here can be too wide
        width, label = max((em_width(text), label) for text, label in texts)
        scale = 100
        while scale > column.least_scale and width * scale / 100 > column.room:
            scale -= _STEP
        if scale < 100:
            out[column.style] = Narrowed(column.table, label, scale)
    return out


_COLUMNS: dict[str, tuple[_Column, ...]] = {}


def _columns(fmt: Format) -> tuple[_Column, ...]:
    """The format's figure columns, worked out once per format version."""
    if fmt.version not in _COLUMNS:
        from .builder import CELL_MARGIN_TWIPS, figure_em_twips, table_shape

        columns = []
        for table in fmt.tables.values():
            layout = grid(table)
            shape = table_shape(layout)
            by_column: dict[int, list] = {}
            for cell in layout.figure_cells():
                by_column.setdefault(cell.col, []).append((cell.ref, fmt.label(cell.ref)))
            for j, cells in by_column.items():
                room = (shape.widths[j] - 2 * CELL_MARGIN_TWIPS) / figure_em_twips(layout)
                columns.append(_Column(table.key, style_name(table.key, j), room, shape.figure_scale, tuple(cells)))
        _COLUMNS[fmt.version] = tuple(columns)
    return _COLUMNS[fmt.version]


def notes(fmt: Format, narrowed: dict[str, Narrowed]) -> list[str]:
    """What was narrowed, as a clerk reads it."""
    return [f"「{fmt.table_section(n.table).heading}」中「{n.label}」所在列的数字较长，已横向压缩至 {n.scale}% 以排入表格。"
            for n in narrowed.values()]


def narrow_styles(styles: bytes, narrowed: dict[str, Narrowed]) -> bytes:
    """styles.xml with each narrowed column's character style set to its scale."""
    for style_id, column in narrowed.items():
        start = re.search(rf'<w:style [^>]*w:styleId="{re.escape(style_id)}"[^>]*>'.encode(), styles)
        if start is None:
            continue
        end = styles.index(b"</w:style>", start.end())
        body = styles[start.end():end]
        scale = f'<w:w w:val="{column.scale}"/>'.encode()
        if b"<w:rPr/>" in body:
            body = body.replace(b"<w:rPr/>", b"<w:rPr>" + scale + b"</w:rPr>")
        elif b"<w:rPr>" in body:
            body = body.replace(b"</w:rPr>", scale + b"</w:rPr>")
        else:
            body += b"<w:rPr>" + scale + b"</w:rPr>"
        styles = styles[: start.end()] + body + styles[end:]
    return styles
