"""What a format file's parts say about each other: names that must exist, totals without cycles,
label paths that form the table's headers, checks whose cells are there.

Run on content whose every block already has the right shape (``schema``); each issue is the path
of the value at fault and what was expected of it.
"""

from __future__ import annotations

import re
from typing import Iterator

from . import roles as role_kinds
from .schema import Issue, Path


def problems(data: dict) -> Iterator[Issue]:
    tables = {key: _TableShape(key, table) for key, table in data["tables"].items()}
    yield from _sections(data["sections"], tables)
    for table in tables.values():
        yield from table.problems()
    yield from _levels(data)
    for i, check in enumerate(data.get("checks") or ()):
        yield from _check(check, ("checks", i), tables)
    for i, check in enumerate(data.get("narrative_checks") or ()):
        yield from _narrative_check(check, ("narrative_checks", i), tables)
    yield from _sanity(data.get("sanity") or {}, tables)
    yield from _roles(data.get("roles") or {}, tables, {s["key"] for s in data["sections"]})


def _sanity(sanity: dict, tables: dict[str, "_TableShape"]) -> Iterator[Issue]:
    """The cells the plausibility rules read exist, and the 元/万元 limits have a default."""
    if "yuan_suspect_cell" in sanity and "default" not in (sanity.get("yuan_suspect_above") or {}):
        yield ("sanity", "yuan_suspect_cell"), ("有 yuan_suspect_cell 时，yuan_suspect_above 应写明各层级的上限，"
                                                "并有 default（其他层级的上限）")
    for key, value in sanity.items():
        if isinstance(value, list) and key.endswith("_cells"):
            for i, ref in enumerate(value):
                yield from _cell(ref, ("sanity", key, i), tables)
        elif key.endswith("_cell"):
            yield from _cell(value, ("sanity", key), tables)


class _TableShape:
    """A table's blocks as written, with the row and column keys each block defines."""

    def __init__(self, key: str, data: dict):
        self.key = key
        self.layout = data["layout"]
        if data.get("blocks"):
            self.blocks = [(("tables", key, "blocks", i), b) for i, b in enumerate(data["blocks"])]
        else:
            self.blocks = [(("tables", key), data)]
        self.rows = {row["key"]: block for _, block in self.blocks for row in block["rows"]}

    def columns_of(self, row: str) -> set[str]:
        return {c["key"] for c in self.rows[row]["columns"]} if row in self.rows else set()

    @property
    def all_columns(self) -> set[str]:
        return {c["key"] for _, block in self.blocks for c in block["columns"]}

    def has_cell(self, row: str, column: str) -> bool:
        return column in self.columns_of(row)

    def problems(self) -> Iterator[Issue]:
        seen_rows: set[str] = set()
        for path, block in self.blocks:
            yield from _unique(block["columns"], (*path, "columns"), "列")
            for i, row in enumerate(block["rows"]):
                if row["key"] in seen_rows:
                    yield (*path, "rows", i, "key"), f"行的键“{row['key']}”在表格 {self.key} 中重复"
                seen_rows.add(row["key"])
            yield from _totals(block["columns"], (*path, "columns"), "列")
            yield from _totals(block["rows"], (*path, "rows"), "行")
            yield from self._labels(path, block)

    def _labels(self, path: Path, block: dict) -> Iterator[Issue]:
        """Label paths must form headers: a path is a leaf or a group, and a group's members sit together."""
        columns = [_label_path(c["label"]) for c in block["columns"]]
        if self.layout == "blocks":
            for i, label in enumerate(columns):
                if len(label) != 1:
                    yield (*path, "columns", i, "label"), (
                        f"分块表格（layout: blocks）的列名只有一层表头，应为一段文字，实为 {len(label)} 层")
        if self.layout == "grid":
            yield from _header_tree(columns, (*path, "columns"), "列")
        yield from _header_tree([tuple(r["label"]) for r in block["rows"]], (*path, "rows"), "行")


def _label_path(label) -> tuple[str, ...]:
    return (label,) if isinstance(label, str) else tuple(label)


def _header_tree(paths: list[tuple[str, ...]], path: Path, kind: str) -> Iterator[Issue]:
    """Issues of label paths laid side by side as merged headers, each at the entry at fault."""
    for i, label in enumerate(paths):
        for j, other in enumerate(paths):
            if i != j and len(other) > len(label) and other[:len(label)] == label:
                yield (*path, i, "label"), (
                    f"{kind}名「{' / '.join(label)}」共 {len(label)} 层，而第 {j + 1} 项以它为上层表头"
                    f"（{' / '.join(other)}，共 {len(other)} 层）：同一表头不能既是{kind}又是分组，请补全本项的下层名称")
                break
        for depth in range(1, len(label)):
            group = label[:depth]
            members = [k for k, other in enumerate(paths) if other[:depth] == group]
            if members != list(range(members[0], members[-1] + 1)) and i == members[-1]:
                yield (*path, i, "label"), (
                    f"上层表头「{' / '.join(group)}」下的各{kind}不相邻（第 {'、'.join(str(k + 1) for k in members)} 项）："
                    f"同一分组的{kind}应连续排列")


def _unique(items: list[dict], path: Path, kind: str) -> Iterator[Issue]:
    seen = set()
    for i, item in enumerate(items):
        if item["key"] in seen:
            yield (*path, i, "key"), f"{kind}的键“{item['key']}”重复"
        seen.add(item["key"])


def _totals(items: list[dict], path: Path, kind: str) -> Iterator[Issue]:
    """A total adds up existing rows (columns) of its block, never itself, through no cycle."""
    keys = {item["key"]: i for i, item in enumerate(items)}
    parts = {item["key"]: item.get("sum_of") or [] for item in items}
    for i, item in enumerate(items):
        for j, part in enumerate(parts[item["key"]]):
            if part not in keys:
                yield (*path, i, "sum_of", j), (f"sum_of 中的“{part}”不是本表（块）的{kind}；"
                                                f"应为以下之一：{'、'.join(keys)}")
    for key in parts:
        cycle = _cycle(key, parts, [])
        if cycle:
            yield (*path, keys[key], "sum_of"), f"总计循环相加：{' → '.join(cycle)}；总计只能加总不依赖它自己的{kind}"


def _cycle(key: str, parts: dict[str, list[str]], trail: list[str]) -> list[str] | None:
    if key in trail:
        return trail[trail.index(key):] + [key] if trail[0] == key else None
    for part in parts.get(key, ()):
        found = _cycle(part, parts, trail + [key])
        if found:
            return found
    return None


def _sections(sections: list[dict], tables: dict[str, _TableShape]) -> Iterator[Issue]:
    yield from _unique(sections, ("sections",), "部分")
    shown = {}
    for i, section in enumerate(sections):
        table = section.get("table")
        if table is None:
            continue
        if table not in tables:
            yield ("sections", i, "table"), f"表格“{table}”不存在；tables 中有：{'、'.join(tables)}"
        elif table in shown:
            yield ("sections", i, "table"), f"表格“{table}”已在第 {shown[table] + 1} 个部分中，一个表格只能属于一个部分"
        shown.setdefault(table, i)
    for key in tables:
        if key not in shown:
            yield ("tables", key), f"表格“{key}”不属于任何部分：应在 sections 中某一部分写明 table: {key}"


def _levels(data: dict) -> Iterator[Issue]:
    levels = data["agency_levels"]
    for block in ("level_by_name_ending", "level_by_name_pattern"):
        for key, level in (data.get(block) or {}).items():
            if level not in levels:
                yield (block, key), f"机关层级“{level}”不在 agency_levels 中；应为以下之一：{'、'.join(levels)}"
            if block == "level_by_name_pattern":
                try:
                    re.compile(key)
                except re.error as exc:
                    yield (block, key), f"正则表达式无法使用（{exc.msg}）"


def _cell(text: str, path: Path, tables: dict[str, _TableShape]) -> Iterator[Issue]:
    """One cell reference, table.row.column."""
    parts = text.split(".")
    if len(parts) != 3:
        yield path, f"单元格应写作“表格.行.列”（例如 applications.total.total），实为“{text}”"
        return
    table, row, column = parts
    if table not in tables:
        yield path, f"“{text}”中的表格“{table}”不存在；应为以下之一：{'、'.join(tables)}"
    elif row not in tables[table].rows:
        yield path, f"“{text}”中的行“{row}”不在表格 {table} 中；应为以下之一：{'、'.join(tables[table].rows)}"
    elif not tables[table].has_cell(row, column):
        yield path, (f"“{text}”中的列“{column}”不在表格 {table} 的“{row}”行所在的块中；"
                     f"应为以下之一：{'、'.join(sorted(tables[table].columns_of(row)))}")


def _check(check: dict, path: Path, tables: dict[str, _TableShape]) -> Iterator[Issue]:
    each = check.get("each") or {}
    if len(each) > 1:
        yield (*path, "each"), f"each 只能有一个变量，实有 {len(each)} 个：{'、'.join(each)}"
        return
    if check.get("carry_over") and (len(check["left"]) != 1 or check["left"][0].startswith(("-", "previous."))):
        yield (*path, "left"), ("结转关系（carry_over: true）的左边应是本年报告的一个单元格，"
                                "新一年的草稿从右边（上年报告的数字）得出它")
    bindings = [{name: value} for name, values in each.items() for value in values] or [{}]

    for side in ("left", "right"):
        for i, term in enumerate(check[side]):
            used = set(re.findall(r"\$(\w+)", term))
            if used - set(each):
                yield (*path, side, i), f"“{term}”中的 ${'、$'.join(sorted(used - set(each)))} 没有在 each 中列出取值"
                continue
            for binding in bindings:
                cell = term.lstrip("-").removeprefix("previous.")
                for name, value in binding.items():
                    cell = cell.replace(f"${name}", value)
                problems = list(_cell(cell, (*path, side, i), tables))
                if problems:
                    yield problems[0]
                    break


def _narrative_check(check: dict, path: Path, tables: dict[str, _TableShape]) -> Iterator[Issue]:
    groups = re.compile(check["pattern"]).groups
    if groups > 1:
        yield (*path, "pattern"), f"正则表达式最多只能有一个捕获组（文中的数字），实有 {groups} 个；其余请写作 (?:…)"
    for block in ("expect_any", "per_any"):
        for i, terms in enumerate(check.get(block) or ()):
            for j, term in enumerate(terms):
                yield from _cell(term, (*path, block, i, j), tables)


def _roles(roles: dict, tables: dict[str, _TableShape], sections: set[str]) -> Iterator[Issue]:
    for name, kind in role_kinds.ROLE_BLOCKS.items():
        if name in roles:
            yield from _role_block(roles[name], ("roles", name), role_kinds.NAMES[kind], tables, sections)
    chart_after = roles.get("chart_after")
    if chart_after is not None and chart_after not in tables:
        yield ("roles", "chart_after"), f"表格“{chart_after}”不存在；应为以下之一：{'、'.join(tables)}"


def _role_block(block: dict, path: Path, names: dict[str, str], tables: dict[str, _TableShape],
                sections: set[str]) -> Iterator[Issue]:
    table = tables.get(block.get("table"))
    for key, kind in names.items():
        value = block[key]
        if kind == role_kinds.TABLE and table is None:
            yield (*path, key), f"表格“{value}”不存在；应为以下之一：{'、'.join(tables)}"
        elif kind == role_kinds.SECTION and value not in sections:
            yield (*path, key), f"部分“{value}”不存在；应为 sections 中的键之一：{'、'.join(sorted(sections))}"
        elif kind == role_kinds.ROW and table and value not in table.rows:
            yield (*path, key), f"行“{value}”不在表格 {table.key} 中；应为以下之一：{'、'.join(table.rows)}"
        elif kind == role_kinds.COLUMN and table and value not in table.all_columns:
            yield (*path, key), f"列“{value}”不在表格 {table.key} 中；应为以下之一：{'、'.join(sorted(table.all_columns))}"
