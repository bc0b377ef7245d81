"""What each block of a format file may hold: its keys, which are required, and what each value is.

The schema is data too: a block is a dict of key → ``Field`` (a kind of value and whether it must
be there). A kind checks one value and yields ``(path, message)`` for each thing wrong with it, the
message saying what was expected, in the words of a clerk who maintains the file.
"""

from __future__ import annotations

import re
from typing import Callable, Iterator, NamedTuple

from . import roles

Path = tuple  # keys and list positions from the file's top
Issue = tuple[Path, str]
Kind = Callable[[object, Path], Iterator[Issue]]


class Field(NamedTuple):
    kind: Kind
    required: bool = False
    meaning: str = ""  # what the value is, told when it is missing


def text(value, path: Path) -> Iterator[Issue]:
    if not isinstance(value, str) or not value.strip():
        yield path, f"应为一段文字，实为 {_shown(value)}"


def integer(value, path: Path) -> Iterator[Issue]:
    if isinstance(value, bool) or not isinstance(value, int):
        yield path, f"应为整数（例如 2021），实为 {_shown(value)}"


def year(value, path: Path) -> Iterator[Issue]:
    if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2200:
        yield path, f"应为年份（例如 2021），实为 {_shown(value)}"


def boolean(value, path: Path) -> Iterator[Issue]:
    if not isinstance(value, bool):
        yield path, f"应为 true 或 false，实为 {_shown(value)}"


def number(value, path: Path) -> Iterator[Issue]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        yield path, f"应为数字，实为 {_shown(value)}"


def version(value, path: Path) -> Iterator[Issue]:
    if not isinstance(value, (str, int)) or isinstance(value, bool) or not str(value).strip():
        yield path, f"应为格式版本号（例如 \"2021\"），实为 {_shown(value)}"


def month_day(value, path: Path) -> Iterator[Issue]:
    if not re.fullmatch(r"(0?[1-9]|1[0-2])-(0?[1-9]|[12]\d|3[01])", str(value)):
        yield path, f"应为“月-日”（例如 03-31），实为 {_shown(value)}"


def pattern(value, path: Path) -> Iterator[Issue]:
    if not isinstance(value, str):
        yield path, f"应为正则表达式（一段文字），实为 {_shown(value)}"
        return
    try:
        re.compile(value)
    except re.error as exc:
        yield path, f"正则表达式无法使用（{exc.msg}，第 {exc.pos} 个字符处）"


def one_of(*choices: str) -> Kind:
    def check(value, path: Path) -> Iterator[Issue]:
        if value not in choices:
            yield path, f"应为 {'、'.join(choices)} 之一，实为 {_shown(value)}"
    return check


def list_of(kind: Kind, non_empty: bool = True) -> Kind:
    def check(value, path: Path) -> Iterator[Issue]:
        if not isinstance(value, list) or (non_empty and not value):
            yield path, f"应为{'非空的' if non_empty else ''}列表（[a, b] 或每行“- ”一项），实为 {_shown(value)}"
            return
        for i, item in enumerate(value):
            yield from kind(item, (*path, i))
    return check


def map_of(kind: Kind, non_empty: bool = True) -> Kind:
    def check(value, path: Path) -> Iterator[Issue]:
        if not isinstance(value, dict) or (non_empty and not value):
            yield path, f"应为{'非空的' if non_empty else ''}若干“名称: 值”（映射），实为 {_shown(value)}"
            return
        for key, item in value.items():
            yield from kind(item, (*path, key))
    return check


def block(fields: dict[str, Field]) -> Kind:
    """A mapping with known keys: a missing required key, an unknown key, a wrong value are issues."""
    def check(value, path: Path) -> Iterator[Issue]:
        if not isinstance(value, dict):
            yield path, f"应为若干“键: 值”（映射，可用的键：{'、'.join(fields)}），实为 {_shown(value)}"
            return
        for key, spec in fields.items():
            if key not in value and spec.required:
                yield path, f"缺少必填的键“{key}”" + (f"：应写明{spec.meaning}" if spec.meaning else "")
        for key, item in value.items():
            if key not in fields:
                yield (*path, key), f"未知的键“{key}”（此处可用的键：{'、'.join(fields)}）"
            elif item is not None or fields[key].required:
                yield from fields[key].kind(item, (*path, key))
    return check


def label(value, path: Path) -> Iterator[Issue]:
    """A label: one text, or its path of texts from the outermost header down."""
    if isinstance(value, str):
        yield from text(value, path)
    else:
        yield from list_of(text)(value, path)


def anything(value, path: Path) -> Iterator[Issue]:
    return iter(())


COLUMN = block({"key": Field(text, True, "列的键（英文，数据文件中用它）"), "label": Field(label, True, "列的官方名称"),
                "type": Field(one_of("count", "signed", "amount")), "sum_of": Field(list_of(text))})
ROW = block({"key": Field(text, True, "行的键（英文，数据文件中用它）"),
             "label": Field(list_of(text), True, "行的官方名称，自外层到本行，例如 [三、本年度办理结果, （一）予以公开]"),
             "sum_of": Field(list_of(text))})
BLOCK = block({"title": Field(text), "columns": Field(list_of(COLUMN), True), "rows": Field(list_of(ROW), True)})
TABLE = block({
    "layout": Field(one_of("blocks", "grid", "line"), True), "blocks": Field(list_of(BLOCK)),
    "columns": Field(list_of(COLUMN)), "rows": Field(list_of(ROW)), "corner": Field(text), "row_header": Field(text),
})
SECTION = block({"key": Field(text, True, "部分的键（英文）"), "heading": Field(text, True, "部分的标题，含编号"), "table": Field(text),
                 "parts": Field(list_of(text, non_empty=False)), "must_mention": Field(text)})
CHECK = block({
    "id": Field(text, True), "severity": Field(one_of("error", "warning"), True), "title": Field(text, True),
    "left": Field(list_of(text), True), "right": Field(list_of(text), True),
    "each": Field(map_of(list_of(text))), "hint": Field(text), "carry_over": Field(boolean),
})
NARRATIVE_CHECK = block({
    "id": Field(text, True), "title": Field(text, True), "pattern": Field(pattern, True),
    "expect_any": Field(list_of(list_of(text)), True), "per_any": Field(list_of(list_of(text))),
    "change": Field(boolean),
})
AGENCY_LEVEL = block({"rule_making": Field(boolean, True, "该层级能否制定规章（true 或 false）"),
                      "publish_by": Field(month_day, True, "次年发布年报的最后期限（月-日），例如 03-31")})
SANITY = block({
    "rule_making_cells": Field(list_of(text)), "yuan_suspect_cell": Field(text),
    "yuan_suspect_above": Field(map_of(number)), "fee_notice_cell": Field(text),
})
ROLES = block({
    **{name: Field(block({key: Field(text, True) for key in roles.NAMES[kind]})) for name, kind in roles.ROLE_BLOCKS.items()},
    "subtotal_words": Field(list_of(text)),
    "chart_after": Field(text),
})

FORMAT = block({
    "version": Field(version, True, "格式版本号，例如 \"2031\"，与文件名相同"),
    "document": Field(text, True, "印发格式的文号，例如 国办公开办函〔2021〕30号"),
    "basis": Field(text, True, "印发格式的通知全称（写入报告导语）"),
    "first_year": Field(year, True, "开始适用的报告年度，例如 2031"),
    "last_year": Field(year),
    "agency_levels": Field(map_of(AGENCY_LEVEL), True, "可选的机关层级及其规章制定权（rule_making）、发布期限（publish_by）"),
    "level_by_name_ending": Field(map_of(text), True, "由机关名称结尾判断层级的对照，例如 局: 政府部门"),
    "level_by_name_pattern": Field(map_of(text, non_empty=False)),
    "numbering": Field(block({"heading": Field(pattern, True, "部分标题编号的正则表达式，例如 \"^[一二三四五六七八九十]+、\""),
                              "part": Field(pattern, True, "小标题编号的正则表达式，例如 \"^（[一二三四五六七八九十]+）\"")}),
                       True, "标题编号的写法（heading、part）"),
    "sections": Field(list_of(SECTION), True, "报告的各个部分（key、heading，有表格的写 table）"),
    "tables": Field(map_of(TABLE), True, "各表格的行、列和官方名称"),
    "checks": Field(list_of(CHECK, non_empty=False)),
    "narrative_checks": Field(list_of(NARRATIVE_CHECK, non_empty=False)),
    "sanity": Field(SANITY),
    "roles": Field(ROLES),
    # Blocks read and checked by their own modules (table cell settings, input limits).
    "table_cells": Field(anything),
    "limits": Field(anything),
})


def _shown(value) -> str:
    if value is None:
        return "空"
    if isinstance(value, (dict, list)):
        return "映射" if isinstance(value, dict) else "列表"
    shown = str(value)
    return f"“{shown[:40]}…”" if len(shown) > 40 else f"“{shown}”"


def problems(data) -> Iterator[Issue]:
    """Every issue of shape in a format file's content, top to bottom."""
    yield from FORMAT(data, ())
    if isinstance(data, dict):
        for key, table in (data.get("tables") or {}).items() if isinstance(data.get("tables"), dict) else ():
            if isinstance(table, dict) and not table.get("blocks") and not (table.get("columns") and table.get("rows")):
                yield ("tables", key), "表格应有 blocks（分块），或同时有 columns 和 rows"
