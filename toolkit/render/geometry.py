"""Where text breaks on paper: table column widths derived from a table's labels and its widest
figures, and titles and 落款 broken between words.

Widths are measured in ems of the table's font: a Chinese character or full-width mark is one,
a digit or Latin letter half. Lines break as Chinese typesetting does (a closing mark never
starts a line, an opening mark never ends one), so the widths chosen here keep every label free
of a line holding a single character, and every figure on one line.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from ..formats import AMOUNT, SIGNED, CellRef, Table
from ..layout import Grid
from ..output import display_width

# The widest figure each column type must print on one line.
WIDEST_FIGURE = {AMOUNT: "999999999.9999", SIGNED: "-999999999"}
WIDEST_COUNT = "999999999"
_NO_LINE_START = set("，。、：；！？）》」』】〕”’%·…")
_NO_LINE_END = set("（《「『【〔“‘")
TWIPS_PER_PT = 20
# Each label column is this much wider than its characters, so that rounding never drops one.
_SLACK_TWIPS = 20
# Labels are broken as if a quarter character narrower than their cell: fonts and renderers
# differ a little, and a label that only just fits must not strand a character elsewhere.
_TOLERANCE_EM = 0.25
_WOBBLE = (-0.25, 0, 0.25)
_NARROW = set(".,:;")
# Figures are never squeezed narrower than this (percent of their normal width).
_MIN_SCALE = 50


def em_width(text: str) -> float:
    """Width in ems: a Chinese character one, a digit half, a point or comma a quarter (Times)."""
    return display_width(text) / 2 - sum(0.25 for ch in text if ch in _NARROW)


@lru_cache(maxsize=None)
def break_lines(text: str, capacity: float) -> tuple[str, ...]:
    """``text`` broken into lines of at most ``capacity`` ems, with the line-start and line-end
    rules of Chinese typesetting."""
    text = re.sub(r"\s+", "", text)
    lines, line, width = [], "", 0.0
    for ch in text:
        w = em_width(ch)
        if width + w > capacity + 1e-9 and line:
            carry = ""
            if ch in _NO_LINE_START or line[-1] in _NO_LINE_END:
                # The mark may not start (or its opener may not end) a line: take one character down.
                carry, line = line[-1], line[:-1]
            if line:
                lines.append(line)
                line, width = carry, em_width(carry)
            else:
                line = carry  # nothing may part here: the line overflows the cell
        line += ch
        width += w
    if line:
        lines.append(line)
    return tuple(lines)


def strands(lines: tuple[str, ...], capacity: float) -> bool:
    """A label broken badly: a line wider than the cell (marks that may not be parted), or a line
    holding one character alone in a cell wide enough for more (a column one character wide
    stacks its label on purpose)."""
    if any(em_width(line) > capacity + 1e-9 for line in lines):
        return True
    return capacity >= 2 and len(lines) > 1 and any(em_width(line) <= 1 for line in lines)


def _holds(text: str, measure: float) -> bool:
    """No stranded character at ``measure``, nor a little either side of it: renderers measure
    digits, points and quotation marks a little differently, so a break must not hang on a hair."""
    return not any(strands(break_lines(text, measure + d), measure + d) for d in _WOBBLE)


@lru_cache(maxsize=None)
def balanced(text: str, capacity: float) -> tuple[tuple[str, ...], float] | None:
    """``text`` broken so that no character is stranded: at ``capacity`` when that is fine, else at
    the widest narrower measure (in quarter ems) that evens the lines out. None when none does."""
    lines = break_lines(text, capacity)
    if _holds(text, capacity):
        return lines, capacity
    for count in (len(lines), len(lines) + 1):
        measure = math.floor(capacity * 4) / 4
        while measure >= 1:
            tried = break_lines(text, measure)
            if len(tried) == count and _holds(text, measure):
                return tried, measure
            measure -= 0.25
    return None


@dataclass(frozen=True)
class TableGeometry:
    """Column widths in twips (summing to the type area), the horizontal scale of figures, and
    the narrower measure (twips of indent on each side) that evens out some labels' lines."""

    widths: tuple[int, ...]
    figure_scale: int
    stranded: tuple[str, ...]
    height_lines: int
    indents: dict[tuple[int, int], int]


def widest_figure(table: Table, ref: CellRef) -> str:
    column = next(c for c in table.block_of(ref.row).columns if c.key == ref.col)
    return WIDEST_FIGURE.get(column.type, WIDEST_COUNT)


def table_geometry(layout: Grid, total_twips: int, font_pt: float, margin_twips: int) -> TableGeometry:
    """The column widths that keep every figure on one line and strand no label character.

    Columns holding figures share what the label columns leave; the label columns get the
    narrowest widths (in whole characters) that strand nothing and keep the table short. Figures
    are squeezed horizontally only when even the narrowest labels leave too little room.
    """
    figure_columns = sorted({c.col for c in layout.figure_cells()})
    label_columns = [j for j in range(layout.cols) if j not in figure_columns]
    widest = max(em_width(widest_figure(layout.table, c.ref)) for c in layout.figure_cells())
    em_twips = font_pt * TWIPS_PER_PT
    choices = [_capacities(layout, j) for j in label_columns]
    best = None
    for scale in range(100, _MIN_SCALE - 1, -5):
        figure_min = math.ceil(widest * em_twips * scale / 100) + 2 * margin_twips + _SLACK_TWIPS
        for capacities in itertools.product(*choices):
            widths = _widths(layout.cols, label_columns, capacities, em_twips, margin_twips, total_twips)
            if widths is None or min(widths[j] for j in figure_columns) < figure_min:
                continue
            stranded, height, indents = _evaluate(layout, widths, em_twips, margin_twips)
            key = (len(stranded), height, sum(widths[j] for j in label_columns))
            if best is None or key < best[0]:
                best = (key, TableGeometry(tuple(widths), scale, stranded, height, indents))
        # Squeeze figures only when the labels would otherwise strand or make the table much taller.
        if best and not best[1].stranded and best[1].height_lines <= _height_bound(layout):
            return best[1]
    if best is None:
        raise ValueError(f"表格 {layout.table.key} 的列无法排入版心宽度")
    return best[1]


def _capacities(layout: Grid, column: int) -> list[float]:
    """Widths (in half ems) worth trying for a label column: up to its longest label, skipping
    those where a label standing in that column alone cannot be broken without stranding."""
    own = [c.text or "" for c in layout.label_cells() if c.col == column and c.colspan == 1]
    longest = max((em_width(text) for text in own), default=1)
    steps = [n / 2 for n in range(2, math.ceil(longest * 2) + 2)] or [1.0]
    clean = [c for c in steps if all(balanced(text, c - _TOLERANCE_EM) for text in own)]
    return clean or steps


def _height_bound(layout: Grid) -> int:
    """A table may grow by half over one line a row before its figures are squeezed."""
    return math.ceil(layout.rows * 1.5)


def _widths(cols: int, label_columns: list[int], capacities: tuple[float, ...], em_twips: float,
            margin_twips: int, total_twips: int) -> list[int] | None:
    widths = [0] * cols
    for j, capacity in zip(label_columns, capacities):
        widths[j] = math.ceil(capacity * em_twips) + 2 * margin_twips + _SLACK_TWIPS
    rest = total_twips - sum(widths)
    figure_columns = [j for j in range(cols) if j not in label_columns]
    if rest <= 0:
        return None
    share, extra = divmod(rest, len(figure_columns))
    for i, j in enumerate(figure_columns):
        widths[j] = share + (1 if i < extra else 0)
    return widths


def _evaluate(layout: Grid, widths: list[int], em_twips: float, margin_twips: int):
    """The labels that cannot avoid a stranded character, the table's height in lines, and the
    indents (by cell position) that even out the lines of the others."""
    heights = [1] * layout.rows
    tall, stranded, indents = [], [], {}
    for cell in layout.label_cells():
        span = sum(widths[cell.col: cell.col + cell.colspan]) - 2 * margin_twips
        capacity = span / em_twips - _TOLERANCE_EM
        fit = balanced(cell.text or "", capacity)
        if fit is None:
            stranded.append(cell.text)
            lines = break_lines(cell.text or "", capacity)
        else:
            lines, measure = fit
            if measure < capacity:
                indents[(cell.row, cell.col)] = int((capacity - measure) * em_twips / 2)
        if cell.rowspan == 1:
            heights[cell.row] = max(heights[cell.row], len(lines))
        else:
            tall.append((cell, len(lines)))
    excess = sum(max(0, n - sum(heights[c.row: c.row + c.rowspan])) for c, n in tall)
    return tuple(stranded), sum(heights) + excess, indents


_WORD_ENDS = ("人民政府办公室", "人民政府办公厅", "人民政府", "委员会", "办公室", "办公厅", "管理局", "管委会",
              "街道办事处", "办事处", "自治州", "自治县", "自治区", "开发区", "新区",
              "省", "市", "州", "盟", "县", "区", "旗", "镇", "乡", "街道", "局", "厅", "委", "部", "署", "院", "所",
              "中心", "站", "处", "科", "队", "馆", "会", "年")


# An administrative character that begins a common word instead of ending a unit (市场监督管理局).
_WORD_STARTS = ("市场", "乡村", "区域", "县域", "局长", "部门", "处理", "所属", "会计", "院校", "站点", "科技", "科学")


def words(text: str) -> list[str]:
    """An agency name or title cut after each administrative unit or organ (省, 市, 人民政府, 局 …),
    the places where a Chinese title may break."""
    pieces, start, i = [], 0, 0
    while i < len(text):
        end = next((w for w in _WORD_ENDS if text.startswith(w, i)), None)
        if end and not any(text.startswith(w, i + len(end) - 1) for w in _WORD_STARTS):
            i += len(end)
            pieces.append(text[start:i])
            start = i
        else:
            i += 1
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def split_words(text: str, capacity: float) -> list[str]:
    """``text`` in as few lines as fit ``capacity`` ems, broken only between words, the lines as
    even as possible (a long title is set as a balanced block, not a full line and a stub)."""
    if em_width(text) <= capacity:
        return [text]
    parts = [p for part in words(text) for p in ([part] if em_width(part) <= capacity else list(part))]
    total = em_width(text)
    count = math.ceil(total / capacity)
    while True:
        target = total / count
        while target <= capacity:
            lines = _pack(parts, target)
            if len(lines) <= count:
                return lines
            target += 0.5
        count += 1


def _pack(parts: list[str], width: float) -> list[str]:
    """Words filled into lines of at most ``width`` ems (a word wider than that stands alone)."""
    lines = [""]
    for part in parts:
        if lines[-1] and em_width(lines[-1] + part) > width:
            lines.append("")
        lines[-1] += part
    return lines
