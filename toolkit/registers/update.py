"""New figures written into a clerk's existing data file, leaving everything else as it was.

Each figure is replaced where it stands — only the number's characters change, so the comments,
narrative, quoting and layout around it stay byte for byte. A table whose figures are not all written
out in the file is rewritten as a whole block in the layout ``govreport new`` writes.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import yaml

from ..datafile import dumps, loads
from ..errors import ToolkitError
from ..formats import CellRef
from ..model import Report

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def update_figures(raw: bytes, source: Path, figures: dict[CellRef, int]) -> bytes:
    """The data file ``raw`` with ``figures`` in place of its own (and its stated totals recomputed)."""
    bom = raw.startswith(b"\xef\xbb\xbf")
    report = loads(raw, source)  # refuses a file that is not a valid data file, with its problems
    text = raw.decode("utf-8-sig")
    newline = "\r\n" if "\r\n" in text else "\n"
    updated = replace(report, figures={**report.figures, **figures}, stated_totals={})
    edits: list[tuple[int, int, str]] = []
    root = yaml.compose(text, Loader=_Loader)
    figures_key, figures_node = _item(root, "figures")
    for table in dict.fromkeys(ref.table for ref in figures):
        cells = [ref for ref in report.format.iter_cells() if ref.table == table
                 and (ref in figures or ref in report.stated_totals)]
        in_place = _in_place(text, figures_node, cells, updated)
        if in_place is not None:
            edits += in_place
        else:
            edits.append(_table_block(text, figures_key, figures_node, table, updated, newline))
    for start, end, new in sorted(edits, reverse=True):
        if start == len(text) and text and not text.endswith("\n"):
            new = newline + new
        text = text[:start] + new + text[end:]
    result = ("\ufeff" if bom else "") + text
    _verify(result.encode("utf-8"), source, updated, figures)
    return result.encode("utf-8")


def _item(node: yaml.Node | None, key: str) -> tuple[yaml.Node | None, yaml.Node | None]:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return key_node, value_node
    return None, None


def _in_place(text: str, figures_node, cells: list[CellRef], report: Report) -> list[tuple[int, int, str]] | None:
    """One edit per cell, each replacing a plain number; None when a cell is not written out as one."""
    edits = []
    for ref in cells:
        node = figures_node
        for key in (ref.table, ref.row, ref.col):
            node = _item(node, key)[1]
        plain = isinstance(node, yaml.ScalarNode) and not node.style and node.tag.endswith(":int")
        if not plain or node.start_mark.line != node.end_mark.line:
            return None
        edits.append(_number_edit(text, node, str(report.value(ref))))
    return edits


def _number_edit(text: str, node: yaml.ScalarNode, number: str) -> tuple[int, int, str]:
    """Replace a number, keeping the comment after it in its column where the spaces allow."""
    start, end = node.start_mark.index, node.end_mark.index
    after = end
    while after < len(text) and text[after] == " ":
        after += 1
    if after > end and text.startswith("#", after):
        return start, after, number + " " * max(1, after - start - len(number))
    return start, end, number


def _table_block(text: str, figures_key, figures_node, table: str, report: Report, newline: str) -> tuple[int, int, str]:
    """The whole table rewritten (or added), indented as the file indents its figures."""
    block = _dumped_block(report, table)
    table_key, table_node = _item(figures_node, table)
    if table_key is not None and isinstance(figures_node, yaml.MappingNode) and figures_node.flow_style is False:
        indent = table_key.start_mark.column
        start = table_key.start_mark.index - indent
        return start, _line_end(text, _last_leaf(table_node)), _reindent(block, indent, newline)
    if isinstance(figures_node, yaml.MappingNode) and figures_node.value and figures_node.flow_style is False:
        indent = figures_node.value[0][0].start_mark.column
        at = _line_end(text, _last_leaf(figures_node))
        return at, at, _reindent(block, indent, newline)
    if figures_node is not None:
        if figures_node.value:
            raise ToolkitError("数据文件的 figures 部分写成了一行（{…}），无法只更新其中的表格。请改为逐行书写后重试。")
        return figures_node.start_mark.index, figures_node.end_mark.index, newline + _reindent(block, 2, newline).rstrip()
    return len(text), len(text), "figures:" + newline + _reindent(block, 2, newline)


def _dumped_block(report: Report, table: str) -> list[str]:
    lines = dumps(report).splitlines()
    start = lines.index(next(line for line in lines if line.startswith(f"  {table}:")))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith("    ")), len(lines))
    return lines[start:end]


def _reindent(block: list[str], indent: int, newline: str) -> str:
    """Lines dumped with two spaces a level, re-indented to the file's own step."""
    out = []
    for line in block:
        depth = (len(line) - len(line.lstrip(" "))) // 2
        out.append(" " * (indent * depth) + line.lstrip(" "))
    return newline.join(out) + newline


def _last_leaf(node: yaml.Node) -> yaml.Node:
    """The last value written under a node: a block ends on its line (comments after it stay)."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.value and not node.flow_style:
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    return node


def _line_end(text: str, node: yaml.Node) -> int:
    """Just after the line break that ends the line where ``node`` ends."""
    end = text.find("\n", node.end_mark.index)
    return len(text) if end < 0 else end + 1


def _verify(raw: bytes, source: Path, expected: Report, figures: dict[CellRef, int]) -> None:
    """The written file must read back with exactly the figures meant; otherwise nothing is written."""
    written = loads(raw, source)
    wrong = [ref for ref in figures if written.value(ref) != expected.value(ref)]
    if wrong:
        raise ToolkitError(f"更新 {source} 的表格数字时出错（{wrong[0]}），文件未改动。")
