"""Reading a table's figures by its official row labels, whatever the layout of the copy.

The table's lines are joined into one canonical text; each row is found by its official label,
in order (a label out of order or slightly garbled by OCR is looked for too), and its figures are
the numbers between that label and the next row's. A row whose figures cannot be told apart is
left unread; it never moves its figures to the neighbouring rows. Blank published cells count 0
and are remembered as blank.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from ..formats import AMOUNT, SIGNED, CellRef, Table
from ..model import Report
from .normalize import BLANK, canonical, without_sentences
from .sources import CELL, TABLE_END, TABLE_START, Line

_NUMBER = re.compile(r"(?<![\d.])-?\d+(?:\.\d+)?(?![\d.])|" + BLANK + r"|(?<![^\s])[-/—–－／](?![^\s])")
_FIGURE = re.compile(r"-?\d+(?:\.\d+)?")
# Digits glued to words inside one cell (数据1, 2023年) are not figures; a label's "1." is kept.
_GLUED_DIGITS = re.compile(r"(?<=[^\W\d_])\d+(?![\d.])|\d+(?=[^\W\d_.])")
_EXTRA_SUBTOTAL = "小计"
_ITEM = re.compile(r"^(?:[一二三四五六七八九十]+[,.]|\([一二三四五六七八九十]+\)|\d+\.)")  # canonical item numbers
_FUZZY = 0.75


@dataclass(frozen=True)
class _Region:
    """A table's lines joined into one canonical text, figures kept apart by single spaces."""

    text: str

    @classmethod
    def of(cls, lines: list[Line]) -> "_Region":
        marked = any(line.kind == TABLE_START for line in lines)
        inside, depth = [], 0
        for line in lines:
            depth += {TABLE_START: 1, TABLE_END: -1}.get(line.kind, 0)
            text = line.text if line.kind == CELL else without_sentences(line.text)  # prose: never a table's numbers
            if text and (depth > 0 or not marked):
                if line.kind == CELL and not _FIGURE.fullmatch(text.strip()):
                    text = _GLUED_DIGITS.sub("", text)
                inside.append(_canonical_keep_figures(text))
        return cls("\n".join(inside))

    def find(self, label: str, start: int, end: int | None = None) -> tuple[int, int] | None:
        pattern = r"\s?".join(re.escape(ch) for ch in canonical(label))
        pattern = pattern.replace(r"总\s?计", r"[总合]\s?计")  # many copies print 合计 for 总计
        match = re.compile(pattern).search(self.text, start, len(self.text) if end is None else end)
        return (match.start(), match.end()) if match else None

    def find_similar(self, label: str, start: int, end: int) -> tuple[int, int] | None:
        """A line between ``start`` and ``end`` whose words are the label's, give or take a few characters."""
        wanted, offset = canonical(label), start
        for line in self.text[start:end].split("\n"):
            words = _NUMBER.split(line)[0].strip()
            if len(words) >= 4 and difflib.SequenceMatcher(None, words, wanted).ratio() >= _FUZZY:
                return offset, offset + len(words)
            offset += len(line) + 1
        return None


def _is_figure_edge(character: str) -> bool:
    return character.isdigit() or character in BLANK + "-/—–－／"


def _canonical_keep_figures(text: str) -> str:
    """The canonical form, except that a space next to a figure stays: it separates cells."""
    out = ""
    for token in text.split():
        token = canonical(token)
        if out and token and (_is_figure_edge(out[-1]) or _is_figure_edge(token[0])):
            out += " "  # a figure or a printed blank stands apart from what is around it
        out += token
    return out


def read_table(table: Table, lines: list[Line], report: Report, heading: str) -> list[str]:
    """Place the figures of one table in ``report``; notes on every row that could not be read."""
    region = _Region.of(lines)
    cells = _Cells.of(lines)
    if table.layout == "line":
        return _read_line_table(table, cells, region, report, heading)
    rows = [row for block in table.blocks for row in block.rows]
    by_position = cells.rows_of(table)
    by_count = _rows_by_count(rows, region) if len(by_position) < len(rows) else {}
    missing = [row for row in rows if row.key not in by_position and row.key not in by_count]
    notes = _missing_rows(heading, missing, len(missing) < len(rows))
    extra = 1 if table.layout == "grid" and cells.has_subtotal(table, region) else 0
    for row in rows:
        columns = table.block_of(row.key).columns
        if row.key in by_position:
            values = _fit(by_position[row.key], len(columns) + extra, "格")
        elif row.key in by_count:
            values = _fit(_Run(by_count[row.key]), len(columns) + extra, "个数字")
        else:
            continue
        if isinstance(values, str):
            notes.append(f"「{row.name}」一行{values}，无法确定各数字所在的格，该行未读取。")
            continue
        if extra:
            del values[len(columns) - 1]  # 法人或其他组织小计 sits before 总计; it is not an official column
        notes += _place(report, [CellRef(table.key, row.key, c.key) for c in columns], values)
    return notes


@dataclass(frozen=True)
class _Run:
    """The cells right after a row's label: figures and published blanks, in column order."""

    values: list[str]
    closed: bool = False  # the copy printed the row's end (and the table goes on): a short row is blank, not cut
    bare_at: int | None = None  # the first cell that is a lone separator: a blank, or the row's end


def _fit(run: _Run, expected: int, unit: str) -> list[str] | str:
    """The row's cells, one per column; or why they cannot be placed. A lone separator is taken
    for a blank cell, and only where that cannot fit, for the end of the row."""
    fitted = _fit_values(list(run.values), expected, run.closed)
    if isinstance(fitted, str) and run.bare_at is not None:
        shorter = _fit_values(list(run.values[:run.bare_at]), expected, True)
        return fitted if isinstance(shorter, str) else shorter
    return fitted if not isinstance(fitted, str) else f"读到 {len(run.values)} {unit}，应为 {expected} {unit[0]}"


def _fit_values(values: list[str], expected: int, closed: bool) -> list[str] | str:
    while len(values) > expected and values[-1] == BLANK:
        values.pop()  # empty cells the copy left after the row's last column
    if not values and closed:
        return [BLANK] * expected  # a row printed without any figure: every cell blank
    return values if len(values) == expected else "short or long"


@dataclass(frozen=True)
class _Cell:
    text: str  # canonical
    row: int
    is_value: bool
    bare: bool = False


class _Cells:
    """A table's cells as the source separates them: a figure's column is its place among the
    cells after its row's label, blanks included — never a count of the numbers around it."""

    _SPAN = 4  # a label wrapped over this many cells at most

    def __init__(self, cells: list[_Cell]):
        self.cells = cells

    @classmethod
    def of(cls, lines: list[Line]) -> "_Cells":
        marked = any(line.kind == TABLE_START for line in lines)
        cells, depth = [], 0
        for line in lines:
            depth += {TABLE_START: 1, TABLE_END: -1}.get(line.kind, 0)
            if line.kind == CELL and (depth > 0 or not marked):
                text = _cell_figure(line.text)
                cells.append(_Cell(text if text is not None else _canonical_label(line.text), line.row, text is not None,
                                   line.bare))
        return cls(cells)

    def rows_of(self, table: Table) -> dict[str, _Run]:
        """Each row whose label is a cell (or a few cells of one row), with the cells after it."""
        targets = _label_targets(table)
        found: dict[str, _Run] = {}
        cells, index = self.cells, 0
        while index < len(cells):
            key, last = self._label_at(index, targets)
            if key is None or key in found:
                index += 1
                continue
            end = last + 1
            while end < len(cells) and cells[end].is_value and cells[end].row == cells[last].row:
                end += 1
            run = cells[last + 1:end]
            closed = end < len(cells) and cells[end].row != cells[last].row
            if run or closed:
                bare_at = next((i for i, cell in enumerate(run) if cell.bare), None)
                found[key] = _Run([c.text for c in run], closed, bare_at)
            index = end
        return found

    def _label_at(self, index: int, targets: dict[str, str]) -> tuple[str | None, int]:
        """The row whose label starts at cell ``index`` (the longest match), and the label's last cell."""
        cells, joined, best = self.cells, "", (None, index)
        for last in range(index, min(index + self._SPAN, len(cells))):
            cell = cells[last]
            if cell.is_value or cell.row != cells[index].row:
                break
            joined += cell.text
            if joined in targets:
                best = (targets[joined], last)
        return best

    def has_subtotal(self, table: Table, region: "_Region") -> bool:
        """A 小计 column in the header (before the first row label)."""
        header = []
        for cell in self.cells:
            if cell.text in _label_targets(table):
                break
            header.append(cell.text)
        if self.cells:
            return any(_EXTRA_SUBTOTAL in text for text in header)
        first = min((m[0] for r in table.rows if (m := region.find(r.label[-1], 0))), default=len(region.text))
        return _EXTRA_SUBTOTAL in region.text[:first]

    def trailing_values(self) -> list[str]:
        """The figures and blanks after the last label: table 四's one line of cells."""
        start = len(self.cells)
        while start and self.cells[start - 1].is_value:
            start -= 1
        header_row = self.cells[start - 1].row if start else None
        while start < len(self.cells) and self.cells[start].text == BLANK and self.cells[start].row == header_row \
                and not self.cells[start].bare:
            start += 1  # empty cells on the header's own line are what is left of its merged cells
        if start < len(self.cells) and self.cells[start].bare:
            start += 1  # a lone separator right after the header ends the header's row
        return [cell.text for cell in self.cells[start:]]


def _canonical_label(text: str) -> str:
    return canonical(text).replace("合计", "总计")


def _label_targets(table: Table) -> dict[str, str]:
    """Each row's label as a copy may print it in its cells: the leaf, the leaf after its groups,
    or the leaf without its item number ("本年新收…" for "一、本年新收…") where that still says
    which row it is."""
    if table not in _TARGETS:
        targets = {_canonical_label("".join(row.label[i:])): row.key for row in table.rows for i in range(len(row.label))}
        bare = [(_ITEM.sub("", _canonical_label(row.label[-1])), row.key) for row in table.rows]
        counts = Counter(text for text, _ in bare)
        targets.update({text: key for text, key in bare if counts[text] == 1 and len(text) >= 4 and text not in targets})
        _TARGETS[table] = targets
    return _TARGETS[table]


_TARGETS: dict[Table, dict[str, str]] = {}


def _cell_figure(text: str) -> str | None:
    """A cell's figure ("12", "-3", "1.50"), the blank marker, or None for a cell of words."""
    text = text.strip()
    if text == BLANK:
        return BLANK
    squeezed = re.sub(r"(?<=\d)[\s,，](?=\d{3}\b)|\s+", "", text)
    return squeezed if _FIGURE.fullmatch(squeezed) else None


def _rows_by_count(rows: list, region: "_Region") -> dict[str, list[str]]:
    """Rows found by their labels in the joined text, each with the figures up to the next words.

    For copies whose cells the source does not separate (PDF text, plain lines): the figures are
    placed only when their count is the row's, so this never shifts a figure into another column.
    """
    anchors, position = {}, 0
    for row in rows:
        found = region.find(row.label[-1], position)
        if found:
            anchors[row.key] = found
            position = found[1]
    for i, row in enumerate(rows):  # labels out of order, or garbled: between the neighbours found
        if row.key in anchors:
            continue
        before = max((anchors[r.key][1] for r in rows[:i] if r.key in anchors), default=0)
        after = min((anchors[r.key][0] for r in rows[i + 1:] if r.key in anchors), default=len(region.text))
        found = region.find_similar(row.label[-1], before, after) if before <= after else None
        found = found or region.find(row.label[-1], 0)
        if found and not any(a[0] <= found[0] < a[1] for a in anchors.values()):
            anchors[row.key] = found
    ordered = sorted(anchors.items(), key=lambda item: item[1][0])
    ends = [start for _, (start, _) in ordered[1:]] + [len(region.text)]
    return {key: _first_run(region.text[end:following]) for (key, (_, end)), following in zip(ordered, ends)}


def _first_run(span: str) -> list[str]:
    """The figures right after a row's label: they end where text starts again (the next label,
    a row the format does not have), so a row never takes another row's figures; words between
    the label and the first figure ("行政处罚信息31条") make it prose, not a row."""
    tokens, previous_end = [], 0
    for match in _NUMBER.finditer(span):
        if span[previous_end:match.start()].strip():
            break
        tokens.append(match.group(0))
        previous_end = match.end()
    return tokens


def _missing_rows(heading: str, rows: list, any_found: bool) -> list[str]:
    if not rows:
        return []
    if not any_found:
        return [f"「{heading}」中没有可读的表格（未以文字发布，或原文已中断），该表数字未读取。"]
    names = "、".join(f"「{row.label[-1]}」" for row in rows[:3]) + ("等" if len(rows) > 3 else "")
    return [f"「{heading}」中没有找到{names} {len(rows)} 行，这些行的数字未读取。"]


def _read_line_table(table: Table, cells: _Cells, region: _Region, report: Report, heading: str) -> list[str]:
    """Table 四: one line of cells after the header, or the same cells under three row headings."""
    refs = [CellRef(table.key, row.key, column.key) for row in table.rows for column in table.block_of(row.key).columns]
    values = _fit(_Run(cells.trailing_values()), len(refs), "格")
    if isinstance(values, list):
        return _place(report, refs, values)
    ends = [region.text.rfind(label) + len(label) for label in ("总计", "合计") if label in region.text]
    tokens = _NUMBER.findall(region.text[max(ends, default=0):])
    if len(tokens) != len(refs):
        tokens = _NUMBER.findall(region.text)
    if len(tokens) != len(refs):
        return [f"「{heading}」的表格读到 {len(tokens)} 个数字，应为 {len(refs)} 个，无法确定各数字所在的格，未读取。"]
    return _place(report, refs, tokens)


def _place(report: Report, refs: list[CellRef], tokens: list[str]) -> list[str]:
    notes = []
    fmt = report.format
    for ref, token in zip(refs, tokens):
        column = fmt.column(ref)
        if not _FIGURE.fullmatch(token):
            value = 0
            report.blank_cells.add(ref)
        elif column.type == AMOUNT:
            value = Decimal(token)
        elif "." in token or (token.startswith("-") and column.type != SIGNED):
            notes.append(f"「{fmt.label(ref)}」读到“{token}”，不是有效的件数，未读取。")
            continue
        else:
            value = int(token)
        (report.stated_totals if fmt.is_derived(ref) else report.figures)[ref] = value
    return notes
