"""The agency registry: the list of agencies a 政务公开办 prepares reports for (CSV or YAML)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import guard
from .datafile.strict_yaml import compose
from .errors import DataFileError, Problem
from .formats import agency_levels
from .model import CONTACT_FIELDS
from .output import decode_text, safe_filename

# Column keys with the Chinese headers a clerk may use instead.
COLUMNS = {
    "name": ("机关全称", "名称", "单位名称"),
    "code": ("代码", "简称", "编码"),
    "level": ("层级", "机关层级"),
    "parent": ("上级机关",),  # the body it reports to, for the 政务公开办's desk (toolkit.desk)
    "template": ("模板",),
    "website": ("网站", "网站名称"),
    "url": ("网址",),
    "output": ("输出文件名", "文件名"),
    **{key: (label,) for key, label in CONTACT_FIELDS.items()},
}
_ALIASES = {alias: key for key, aliases in COLUMNS.items() for alias in (key, *aliases)}


@dataclass(frozen=True)
class Entry:
    """One registry row."""

    name: str
    line: int
    code: str | None = None
    level: str | None = None
    parent: str | None = None
    template: Path | None = None
    website: str | None = None
    url: str | None = None
    contact: dict[str, str] = field(default_factory=dict)
    stem: str = ""  # the file name (without suffix) of this agency's outputs, unique in the registry


@dataclass
class Registry:
    agencies: list[Entry]
    problems: list[Problem]  # rows that could not be used; the others still are
    source: Path

    def by_name(self, name: str) -> Entry | None:
        return next((a for a in self.agencies if a.name == name), None)


def load(path: str | Path) -> Registry:
    """Read a registry; a bad row becomes a problem with its line, never stops the others."""
    path = Path(path)
    text = decode_text(guard.read_bytes(path, guard.MAX_DATA_BYTES))  # Excel on Chinese Windows saves CSV as GBK
    rows = _yaml_rows(text, path) if path.suffix.lower() in (".yaml", ".yml") else _csv_rows(text, path)
    agencies, problems, stems = [], [], set()
    for line, row in rows:
        agency = _agency(row, line, path.parent, problems)
        if agency is None:
            continue
        stem = _unique(safe_filename(row.get("output") or agency.name, ""), agency.code, stems)
        stems.add(stem.casefold())
        agencies.append(Entry(**{**agency.__dict__, "stem": stem}))
    if not agencies and not problems:
        raise DataFileError(path, [Problem("机关名单中没有任何机关。", hint="第一行为表头（如：机关全称,代码,层级），之后每行一个机关。")])
    return Registry(agencies, problems, path)


def _csv_rows(text: str, path: Path) -> list[tuple[int, dict]]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise DataFileError(path, [Problem("机关名单是空的。")])
    keys = [_ALIASES.get(h.strip()) for h in header]
    unknown = [h for h, k in zip(header, keys) if k is None and h.strip()]
    if unknown:
        raise DataFileError(path, [Problem(f"机关名单表头有不认识的列：{'、'.join(unknown)}。", line=1,
                                           hint="可用的列：" + "、".join(f"{k}（{v[0]}）" for k, v in COLUMNS.items()))])
    if "name" not in keys:
        raise DataFileError(path, [Problem("机关名单缺少“机关全称”（name）列。", line=1)])
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append((number, {k: v.strip() for k, v in zip(keys, values) if k and v.strip()}))
    return rows


def _yaml_rows(text: str, path: Path) -> list[tuple[int, dict]]:
    root = compose(text, path)  # located syntax errors; aliases (and alias bombs) refused
    if not isinstance(root, yaml.SequenceNode):
        raise DataFileError(path, [Problem("YAML 机关名单应为列表，每项一个机关（以“- name:”开头）。")])
    rows = []
    for item in root.value:
        if not isinstance(item, yaml.MappingNode):
            rows.append((item.start_mark.line + 1, {}))
            continue
        rows.append((item.start_mark.line + 1,
                     {_ALIASES.get(str(k.value), str(k.value)): str(v.value).strip() for k, v in item.value
                      if isinstance(v, yaml.ScalarNode) and str(v.value).strip()}))
    return rows


def _agency(row: dict, line: int, folder: Path, problems: list[Problem]) -> Entry | None:
    unknown = [k for k in row if k not in COLUMNS]
    if unknown:
        problems.append(Problem(f"不认识的字段：{'、'.join(unknown)}。", line=line))
        return None
    name = row.get("name")
    if not name:
        problems.append(Problem("缺少机关全称。", line=line, label="机关全称"))
        return None
    level = row.get("level")
    if level and level not in agency_levels():
        problems.append(Problem(f"机关层级“{level}”不在可选范围内。", line=line, label=name,
                                hint="可选：" + "、".join(agency_levels())))
        return None
    template = (folder / row["template"]) if row.get("template") else None
    if template and not template.is_file():
        problems.append(Problem(f"模板文件不存在：{template}", line=line, label=name))
        return None
    return Entry(name=name, line=line, code=row.get("code"), level=level, parent=row.get("parent"), template=template,
                  website=row.get("website"), url=row.get("url"),
                  contact={k: row[k] for k in CONTACT_FIELDS if row.get(k)})


def _unique(stem: str, code: str | None, taken: set[str]) -> str:
    """A stem no other agency has, ignoring case as Windows does: names must not collide as files."""
    candidates = [stem] + ([safe_filename(f"{stem}-{code}", "")] if code else [])
    candidates += (f"{stem}-{number}" for number in range(2, len(taken) + 3))
    return next(c for c in candidates if c.casefold() not in taken)
