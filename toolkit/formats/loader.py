"""Loading format definitions: the shipped ``<version>.yaml`` files and any an office adds."""

from __future__ import annotations

import functools
import os
import re
from importlib import resources
from pathlib import Path

from ..errors import FormatNotFound, ToolkitError
from .roles import parse_roles
from .validate import read_format_file
from . import (CELL_KINDS, COUNT, AgencyLevel, Block, CellLook, Check, Column, Format, NarrativeCheck, Numbering,
               Row, Section, Table)


def _column(data: dict) -> Column:
    label = data["label"]
    return Column(
        key=data["key"],
        label=tuple(label) if isinstance(label, list) else (label,),
        type=data.get("type", COUNT),
        sum_of=tuple(data.get("sum_of", ())),
    )


def _row(data: dict) -> Row:
    return Row(key=data["key"], label=tuple(data["label"]), sum_of=tuple(data.get("sum_of", ())))


def _block(data: dict) -> Block:
    return Block(
        title=data.get("title"),
        columns=tuple(_column(c) for c in data["columns"]),
        rows=tuple(_row(r) for r in data["rows"]),
    )


def _table(key: str, data: dict) -> Table:
    blocks = data.get("blocks") or [{"columns": data["columns"], "rows": data["rows"]}]
    return Table(
        key=key,
        layout=data["layout"],
        blocks=tuple(_block(b) for b in blocks),
        corner=data.get("corner"),
        row_header=data.get("row_header"),
    )


def _check(data: dict) -> Check:
    each = tuple((name, tuple(values)) for name, values in data.get("each", {}).items())
    return Check(
        id=data["id"],
        severity=data["severity"],
        title=data["title"],
        left=tuple(data["left"]),
        right=tuple(data["right"]),
        each=each,
        hint=data.get("hint", ""),
        carry_over=data.get("carry_over", False),
    )


def _agency_level(name: str, data: dict) -> AgencyLevel:
    month, day = map(int, str(data["publish_by"]).split("-"))
    return AgencyLevel(name, bool(data["rule_making"]), (month, day))


def parse_format(data: dict) -> Format:
    """A format from its data file's content."""
    return Format(
        version=str(data["version"]),
        document=data["document"],
        basis=data["basis"],
        first_year=data["first_year"],
        last_year=data.get("last_year"),
        sections=tuple(
            Section(
                key=s["key"],
                heading=s["heading"],
                table=s.get("table"),
                parts=tuple(s.get("parts", ())),
                must_mention=s.get("must_mention"),
            )
            for s in data["sections"]
        ),
        tables={key: _table(key, t) for key, t in data["tables"].items()},
        checks=tuple(_check(c) for c in data.get("checks", ())),
        narrative_checks=tuple(
            NarrativeCheck(
                id=n["id"],
                title=n["title"],
                pattern=re.compile(n["pattern"]),
                expect_any=tuple(tuple(terms) for terms in n["expect_any"]),
                per_any=tuple(tuple(terms) for terms in n.get("per_any", ())),
                change=bool(n.get("change", False)),
            )
            for n in data.get("narrative_checks", ())
        ),
        agency_levels={name: _agency_level(name, d) for name, d in data["agency_levels"].items()},
        level_by_name_ending=dict(data["level_by_name_ending"]),
        level_by_name_pattern=tuple((re.compile(pattern), level)
                                    for pattern, level in data.get("level_by_name_pattern", {}).items()),
        numbering=Numbering(re.compile(data["numbering"]["heading"]), re.compile(data["numbering"]["part"])),
        sanity=data.get("sanity") or {},
        table_cells=_table_cells(data.get("table_cells", {}), data["tables"]),
        roles=parse_roles(data.get("roles")),
        limits=data.get("limits", {}),
    )


_ALIGNMENTS = ("left", "center", "right")


def _table_cells(data: dict, tables: dict) -> dict[str, dict[str, CellLook]]:
    """The ``table_cells`` block: per table, per kind of cell, alignment and fill."""
    looks = {}
    for table_key, kinds in data.items():
        if table_key not in tables:
            raise ToolkitError(f"格式文件 table_cells 中的表格 {table_key} 不在 tables 中")
        looks[table_key] = {}
        for kind, look in kinds.items():
            if kind not in CELL_KINDS:
                raise ToolkitError(f"格式文件 table_cells.{table_key}.{kind}：单元格种类应为 {'、'.join(CELL_KINDS)} 之一")
            align, fill = look.get("align", "center"), look.get("fill")
            if align not in _ALIGNMENTS or (fill is not None and not re.fullmatch(r"[0-9A-Fa-f]{6}", str(fill))):
                raise ToolkitError(f"格式文件 table_cells.{table_key}.{kind}：align 应为 left、center 或 right，fill 应为六位十六进制颜色")
            looks[table_key][kind] = CellLook(align, str(fill).upper() if fill is not None else None)
    return looks


FORMATS_PATH_VARIABLE = "GOVREPORT_FORMATS"


def _format_files() -> dict[str, object]:
    """Format files by version: those shipped here, then any in the folders GOVREPORT_FORMATS names.

    A new statutory format can thus be added as one data file, before a release ships it.
    """
    files = {f.name.removesuffix(".yaml"): f for f in resources.files("toolkit.formats").iterdir() if f.name.endswith(".yaml")}
    for folder in filter(None, os.environ.get(FORMATS_PATH_VARIABLE, "").split(os.pathsep)):
        files.update({f.stem: f for f in Path(folder).glob("*.yaml")})
    return files


def versions() -> list[str]:
    """The format versions this installation knows, oldest first."""
    return sorted(_format_files())


def get_format(version: str) -> Format:
    files = _format_files()
    version = str(version)
    if version not in files:
        raise FormatNotFound(version, _documents(files))
    return _load_format(files[version])


def _documents(files: dict[str, object]) -> dict[str, str]:
    """Each known version with the document that issued it (its file's own words, if readable)."""
    documents = {}
    for version in sorted(files):
        try:
            documents[version] = _load_format(files[version]).document
        except ToolkitError:
            documents[version] = "格式文件有误，见 govreport format check"
    return documents


@functools.cache
def _load_format(file) -> Format:
    return parse_format(read_format_file(file.read_bytes(), file))


def check_format_file(path: Path) -> Format:
    """A format file checked as a whole, wherever it is: FormatFileError with every problem located."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ToolkitError(f"无法读取格式文件 {path}：{exc.strerror or exc}") from None
    return parse_format(read_format_file(raw, path))


def format_for_year(year: int) -> Format:
    """The format in force for a report year: the newest one whose first year is not after it."""
    formats = [get_format(v) for v in versions()]
    usable = [f for f in formats if f.first_year <= year]
    if not usable:
        raise FormatNotFound(f"{year}年", _documents(_format_files()))
    return max(usable, key=lambda f: f.first_year)


def latest() -> Format:
    """The newest format: what a template is made for unless told otherwise."""
    return max((get_format(v) for v in versions()), key=lambda f: f.first_year)


def agency_levels() -> list[str]:
    """Every agency level any known format accepts, for inputs read before a format is chosen."""
    return list(dict.fromkeys(name for v in versions() for name in get_format(v).agency_levels))
