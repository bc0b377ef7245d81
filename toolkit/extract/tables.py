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
from dataclasses import dataclass
from decimal import Decimal

from ..formats import AMOUNT, SIGNED, CellRef, Table
from ..model import Report
from .normalize import BLANK, canonical
from .sources import CELL, TABLE_END, TABLE_START, Line

_NUMBER = re.compile(r"(?<![\d.])-?\d+(?:\.\d+)?(?![\d.])|" + BLANK + r"|(?<![^\s])[-/—–－／](?![^\s])")
_FIGURE = re.compile(r"-?\d+(?:\.\d+)?")
# Digits glued to words inside one cell (数据1, 2023年) are not figures; a label's "1." is kept.
_GLUED_DIGITS = re.compile(r"(?<=[^\W\d_])\d+(?![\d.])|\d+(?=[^\W\d_.])")
_EXTRA_SUBTOTAL = "小计"
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
            if line.text and (depth > 0 or not marked):
                text = line.text
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
    """The canonical form, except that a space between two figures stays: it separates cells."""
    out = ""
    for token in text.split():
        token = canonical(token)
        if out and token and _is_figure_edge(out[-1]) and _is_figure_edge(token[0]):
            out += " "
        out += token
    return out


def read_table(table: Table, lines: list[Line], report: Report, heading: str) -> list[str]:
    """Place the figures of one table in ``report``; notes on every row that could not be read."""
    region = _Region.of(lines)
    if table.layout == "line":
        return _read_line_table(table, region, report, heading)
    rows = [row for block in table.blocks for row in block.rows]
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
    notes = _missing_rows(heading, [row for row in rows if row.key not in anchors], bool(anchors))
    ordered = sorted(anchors.items(), key=lambda item: item[1][0])
    first = ordered[0][1][0] if ordered else len(region.text)
    subtotal = table.layout == "grid" and _EXTRA_SUBTOTAL in region.text[:first]
    for (key, (_, end)), following in zip(ordered, ordered[1:] + [(None, (len(region.text), 0))]):
        tokens = _first_run(region.text[end:following[1][0]])
        columns = table.block_of(key).columns
        expected = len(columns) + (1 if subtotal else 0)
        while len(tokens) > expected and tokens[-1] == BLANK:
            tokens.pop()  # empty cells the copy left after the row's last figure
        if len(tokens) != expected:
            notes.append(f"「{table.row(key).name}」一行读到 {len(tokens)} 个数字，应为 {expected} 个，"
                         "无法确定各数字所在的格，该行未读取。")
            continue
        if subtotal:
            del tokens[len(columns) - 1]  # 法人或其他组织小计 sits before 总计; it is not an official column
        notes += _place(report, [CellRef(table.key, key, c.key) for c in columns], tokens)
    return notes


def _first_run(span: str) -> list[str]:
    """The figures right after a row's label: they end where text starts again (the next label,
    a row the format does not have), so a row never takes another row's figures."""
    tokens, previous_end = [], 0
    for match in _NUMBER.finditer(span):
        if tokens and span[previous_end:match.start()].strip():
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


def _read_line_table(table: Table, region: _Region, report: Report, heading: str) -> list[str]:
    """Table 四: one line of figures after the header, or the same figures under three row headings."""
    refs = [CellRef(table.key, row.key, column.key) for row in table.rows for column in table.block_of(row.key).columns]
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
