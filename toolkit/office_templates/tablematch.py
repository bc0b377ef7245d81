"""Finding a statutory table in any Word document, cell for cell, by its official labels.

An office's document may have lost a row, gained one, renamed a label or merged cells its own
way. Rows are aligned by the labels they carry and, within each row, cells by their labels, so
that every figure cell of the format is found where the document has it — or named, by its
official label, as missing. Both the template linter and ``template adopt`` read tables so.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from docx.oxml.ns import qn

from ..formats import CellRef, Format
from ..layout import Grid, GridCell, grid

_SPACE = re.compile(r"\s+")
# Text a figure cell may hold: nothing, a tag, a number as offices type it.
_FIGURE_TEXT = re.compile(r"^(?:\{\{[^}]*\}\}|[-+—–－/／]?[\d,，.．\s]*|[—–－/／\-]+)$")


def squeeze(text: str) -> str:
    return _SPACE.sub("", text)


def is_figure_text(text: str) -> bool:
    return bool(_FIGURE_TEXT.match(squeeze(text)))


@dataclass
class Slot:
    """One cell of a document's table as it sits in its row: its grid columns and its text."""

    tc: object  # the w:tc element, owner of the text (for a vertically merged cell, the top one)
    row: int
    col: int
    span: int
    text: str

    def place(self, number: int) -> str:
        return f"表格 {number} 第 {self.row + 1} 行第 {self.col + 1} 列"


@dataclass
class Mismatch:
    """A difference between the document's table and the format's, as a clerk would be told it."""

    message: str
    place: str


@dataclass
class TableMatch:
    """Where each cell of the format's table sits in the document's table."""

    number: int  # 1-based among the document's tables
    table: object
    layout: Grid
    slots: dict[GridCell, Slot] = field(default_factory=dict)
    mismatches: list[Mismatch] = field(default_factory=list)


def cell_text(tc) -> str:
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p")))


def read_slots(table) -> list[list[Slot]]:
    """The table's rows as slots, each vertically merged continuation pointing at its top cell."""
    rows: list[list[Slot]] = []
    for r, tr in enumerate(table._tbl.tr_lst):
        slots, col = [], 0
        for tc in tr.tc_lst:
            span = tc.grid_span
            owner, text = tc, cell_text(tc)
            if tc.vMerge == "continue" and rows:
                above = next((s for s in rows[-1] if s.col == col), None)
                if above is not None:
                    owner, text = above.tc, above.text
            slots.append(Slot(owner, r, col, span, text))
            col += span
        rows.append(slots)
    return rows


def _expected_rows(layout: Grid) -> list[list[GridCell]]:
    """Each grid row as the cells that cover it, left to right, one entry per cell."""
    rows: list[list[GridCell]] = [[] for _ in range(layout.rows)]
    for cell in sorted(layout.cells, key=lambda c: (c.row, c.col)):
        for r in range(cell.row, cell.row + cell.rowspan):
            rows[r].append(cell)
    for row in rows:
        row.sort(key=lambda c: c.col)
    return rows


def _key(texts: list[str]) -> tuple[str, ...]:
    """A row's identity: its label texts in order, repeats from merged cells counted once."""
    key: list[str] = []
    for text in texts:
        if text and (not key or key[-1] != text):
            key.append(text)
    return tuple(key)


def _expected_key(cells: list[GridCell]) -> tuple[str, ...]:
    return _key([squeeze(c.text or "") for c in cells if not c.is_figure])


def _actual_key(slots: list[Slot]) -> tuple[str, ...]:
    return _key([squeeze(s.text) for s in slots if not is_figure_text(s.text)])


def _similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    return difflib.SequenceMatcher(None, "|".join(a), "|".join(b), autojunk=False).ratio()


def _align(expected: list, actual: list, similar) -> list[tuple[int | None, int | None]]:
    """Order-preserving pairs (i, j); None on one side for what the other lacks.

    Equal runs pair directly; inside a differing run, a small dynamic programme pairs items by
    similarity, so a renamed label next to a deleted row is told apart from it.
    """
    keys_a, keys_b = [similar.key(x) for x in expected], [similar.key(y) for y in actual]
    pairs: list[tuple[int | None, int | None]] = []
    matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            pairs += list(zip(range(a0, a1), range(b0, b1)))
            continue
        pairs += _pair_by_similarity(list(range(a0, a1)), list(range(b0, b1)), keys_a, keys_b, similar)
    return pairs


def _pair_by_similarity(left: list[int], right: list[int], keys_a, keys_b, similar):
    n, m = len(left), len(right)
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            pair = similar.score(keys_a[left[i]], keys_b[right[j]])
            score[i][j] = max(score[i + 1][j], score[i][j + 1], pair + score[i + 1][j + 1] if pair > 0.3 else 0)
    pairs, i, j = [], 0, 0
    while i < n and j < m:
        pair = similar.score(keys_a[left[i]], keys_b[right[j]])
        if pair > 0.3 and score[i][j] == pair + score[i + 1][j + 1]:
            pairs.append((left[i], right[j]))
            i, j = i + 1, j + 1
        elif score[i][j] == score[i + 1][j]:
            pairs.append((left[i], None))
            i += 1
        else:
            pairs.append((None, right[j]))
            j += 1
    pairs += [(left[k], None) for k in range(i, n)] + [(None, right[k]) for k in range(j, m)]
    return pairs


class _Rows:
    key = staticmethod(lambda keyed: keyed[0])
    score = staticmethod(lambda a, b: 1.0 if a == b == () else _similarity(a, b))


class _Cells:
    @staticmethod
    def key(item) -> str:
        return item[0]

    @staticmethod
    def score(a: str, b: str) -> float:
        if a == b:
            return 1.0
        if "\x00" in (a, b):  # a figure pairs only with a figure
            return 0.0
        return max(_similarity((a,), (b,)), 0.31)


def _cell_key(text: str, figure: bool) -> str:
    return "\x00" if figure else squeeze(text)


def find_tables(document, fmt: Format) -> dict[str, TableMatch | None]:
    """Each table of the format matched to the document table holding most of its labels."""
    tables = list(document.tables)
    found: dict[str, TableMatch | None] = {}
    used: set[int] = set()
    for key, table in fmt.tables.items():
        layout = grid(table)
        labels = {squeeze(c.text or "") for c in layout.label_cells()}
        best, best_score = None, 0
        for index, candidate in enumerate(tables):
            if index in used:
                continue
            texts = {squeeze(s.text) for row in read_slots(candidate) for s in row}
            score = len(labels & texts)
            if score > best_score:
                best, best_score = index, score
        if best is None or best_score < max(2, len(labels) // 3):
            found[key] = None
            continue
        used.add(best)
        found[key] = match_table(best + 1, tables[best], layout, fmt)
    return found


def match_table(number: int, table, layout: Grid, fmt: Format) -> TableMatch:
    match = TableMatch(number, table, layout)
    expected = _expected_rows(layout)
    actual = read_slots(table)
    exp_keyed = [(_expected_key(cells), cells) for cells in expected]
    act_keyed = [(_actual_key(slots), slots) for slots in actual]
    rows = _align(exp_keyed, act_keyed, _Rows)
    columns = _column_map(layout, expected, actual, rows, match, fmt) if layout.table.layout != "blocks" else None
    for i, j in rows:
        if j is None:
            match.mismatches.append(Mismatch(f"缺少一行：{row_name(expected[i], fmt)}",
                                             f"表格 {number} 第 {i + 1} 行的位置"))
        elif i is None:
            text = "、".join(_actual_key(actual[j])) or "（空行）"
            match.mismatches.append(Mismatch(f"多出一行：{text}", f"表格 {number} 第 {j + 1} 行"))
        elif columns is not None:
            _match_row_by_columns(match, expected[i], actual[j], columns, fmt)
        else:
            _match_row(match, expected[i], actual[j], fmt)
    return match


def _covering(slots: list[Slot], col: int) -> Slot | None:
    return next((s for s in slots if s.col <= col < s.col + s.span), None)


def _column_map(layout: Grid, expected, actual, rows, match: TableMatch, fmt: Format) -> dict[int, int]:
    """Grid columns of the format to the document's, aligned by the header labels above each column.

    A missing or extra column is reported once, by its label, instead of once for every row.
    """
    header_rows = min(c.row for c in layout.figure_cells())
    headers = [(i, j) for i, j in rows if i is not None and j is not None and i < header_rows]
    width = max((sum(s.span for s in slots) for slots in actual), default=0)

    def expected_path(col: int) -> tuple[str, ...]:
        return tuple(squeeze(cell.text or "") for i, _ in headers for cell in expected[i]
                     if cell.col <= col < cell.col + cell.colspan)

    def actual_path(col: int) -> tuple[str, ...]:
        return tuple(squeeze(slot.text) for _, j in headers if (slot := _covering(actual[j], col)) is not None)

    pairs = _align([(expected_path(c), c) for c in range(layout.cols)], [(actual_path(c), c) for c in range(width)], _Rows)
    for i, j in pairs:
        if j is None:
            figure = next((c for c in layout.figure_cells() if c.col == i), None)
            name = " / ".join(fmt.column(figure.ref).label) if figure else "、".join(_key(list(expected_path(i))))
            match.mismatches.append(Mismatch(f"缺少一列：{name}", f"表格 {match.number} 第 {i + 1} 列的位置"))
        elif i is None:
            match.mismatches.append(Mismatch(f"多出一列：{'、'.join(_key(list(actual_path(j)))) or '（空列）'}",
                                             f"表格 {match.number} 第 {j + 1} 列"))
    return {i: j for i, j in pairs if i is not None and j is not None}


def _match_row_by_columns(match: TableMatch, cells: list[GridCell], slots: list[Slot], columns: dict[int, int],
                          fmt: Format) -> None:
    for cell in dict.fromkeys(cells):
        if cell in match.slots or cell.col not in columns:
            continue
        slot = _covering(slots, columns[cell.col])
        if slot is None:
            what = f"「{fmt.label(cell.ref)}」的单元格" if cell.is_figure else f"“{cell.text}”单元格"
            row = slots[0].row + 1 if slots else cell.row + 1
            match.mismatches.append(Mismatch(f"缺少{what}", f"表格 {match.number} 第 {row} 行"))
            continue
        match.slots[cell] = slot
        if not cell.is_figure and squeeze(cell.text or "") != squeeze(slot.text):
            match.mismatches.append(Mismatch(f"名称应为“{cell.text}”，实为“{slot.text.strip()}”", slot.place(match.number)))


def row_name(cells: list[GridCell], fmt: Format) -> str:
    """A row as its official label: a figure row by its row label, a header row by its labels."""
    figure = next((c for c in cells if c.is_figure), None)
    if figure is not None:
        row = fmt.tables[figure.ref.table].row(figure.ref.row)
        return " / ".join(row.label) if row.label else row.name
    return "、".join(_key([c.text or "" for c in cells]))


def _match_row(match: TableMatch, cells: list[GridCell], slots: list[Slot], fmt: Format) -> None:
    unique_cells = list(dict.fromkeys(cells))
    unique_slots = _distinct_slots(slots)
    exp = [(_cell_key(c.text or "", c.is_figure), c) for c in unique_cells]
    act = [(_cell_key(s.text, is_figure_text(s.text)), s) for s in unique_slots]
    for i, j in _align(exp, act, _Cells):
        if j is None:
            cell = unique_cells[i]
            what = f"「{fmt.label(cell.ref)}」的单元格" if cell.is_figure else f"“{cell.text}”单元格"
            row = unique_slots[0].row + 1 if unique_slots else cell.row + 1
            match.mismatches.append(Mismatch(f"缺少{what}", f"表格 {match.number} 第 {row} 行"))
        elif i is not None:
            cell, slot = unique_cells[i], unique_slots[j]
            if cell not in match.slots:
                match.slots[cell] = slot
                if not cell.is_figure and squeeze(cell.text or "") != squeeze(slot.text):
                    match.mismatches.append(Mismatch(f"名称应为“{cell.text}”，实为“{slot.text.strip()}”",
                                                     slot.place(match.number)))
        elif j is not None and not is_figure_text(unique_slots[j].text):
            slot = unique_slots[j]
            match.mismatches.append(Mismatch(f"多出单元格“{slot.text.strip()}”", slot.place(match.number)))


def _distinct_slots(slots: list[Slot]) -> list[Slot]:
    """A row's slots with a vertically merged cell's continuation counted as its owner once."""
    seen, out = set(), []
    for slot in slots:
        if id(slot.tc) in seen:
            continue
        seen.add(id(slot.tc))
        out.append(slot)
    return out


def figure_slots(match: TableMatch) -> dict[CellRef, Slot]:
    return {cell.ref: slot for cell, slot in match.slots.items() if cell.is_figure}
