"""What the words in a register mean: its column headers, applicant types, outcomes, case kinds and
results, matched to the official rows and columns of a report format.

The words are data (register_labels.yaml beside this module, extendable by an office's own file);
the official labels are read from the format data, so a new format version needs no new words.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from .. import guard
from ..errors import ToolkitError
from ..formats import Format, get_format, versions
from ..datafile.strict_yaml import compose
from .sheets import squash, without_notes


class Index:
    """Words → the official keys they may mean; a word meaning several keys is a group, never a guess."""

    def __init__(self) -> None:
        self.forms: dict[str, set[str]] = {}

    def add(self, text: str, keys) -> None:
        form = squash(text)
        if form:
            self.forms.setdefault(form, set()).update(keys)

    def lookup(self, text: str) -> frozenset[str]:
        return frozenset(self.forms.get(squash(text), ()))

    def place(self, main: str, detail: str = "") -> tuple[str | None, frozenset[str]]:
        """The one key ``main`` names, narrowed by ``detail`` when it names a group; else the candidates."""
        keys = self.lookup(main) if main else frozenset()
        if len(keys) == 1:
            return next(iter(keys)), keys
        if detail and (keys or not main):  # an unknown word in ``main`` is reported, whatever the detail says
            for narrowed in (self.lookup(main + detail), self.lookup(detail) & keys if keys else self.lookup(detail)):
                if len(narrowed) == 1:
                    return next(iter(narrowed)), narrowed
        return None, keys


def _index(items: list[tuple[str, tuple[str, ...]]], words: dict[str, list[str]],
           groups: list[dict] = ()) -> Index:
    """Every official label (with or without its groups and bracketed note), every listed word
    (alone or after a group), and each group label or group word for all the keys under it."""
    index = Index()
    keys = {key for key, _ in items}
    for key, label in items:
        leaves = {label[-1], without_notes(label[-1]), *words.get(key, ())}
        for start in range(len(label)):
            prefix = "".join(map(squash, label[start:-1]))
            for leaf in leaves:
                index.add(prefix + squash(leaf), {key})
            for end in range(start + 1, len(label)):
                index.add("".join(map(squash, label[start:end])), {key})
    for group in groups:
        for word in group["words"]:
            index.add(word, set(group["keys"]) & keys)
    return index


_LIST_SECTIONS = ("in_progress", "deferred", "not_answered", "status_open", "status_done", "case_pending_words",
                  "total_rows")
_KEYED_SECTIONS = ("columns", "case_columns", "applicant_types", "outcomes", "case_kinds", "case_results")


@dataclass
class Labels:
    """The register words: the toolkit's own list, extended by an office's file of the same shape."""

    data: dict

    @classmethod
    def load(cls, extra: Path | None = None) -> "Labels":
        text = resources.files(__package__).joinpath("labels.yaml").read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        if extra is not None:
            _merge(data, _read_extra(extra), extra)
        return cls(data)

    def for_format(self, fmt: Format) -> "Vocabulary":
        """The words for a format's roles: the requests table is needed; a format without an appeals
        table has no case words."""
        d = self.data
        applicant_columns, outcome_rows = register_categories(fmt)
        appeals = fmt.tables[fmt.roles.appeals.table] if fmt.roles.appeals else None
        pending = fmt.roles.appeals.pending if fmt.roles.appeals else None
        appeal_rows = appeals.rows if appeals else ()
        appeal_columns = appeals.blocks[0].columns if appeals else ()
        return Vocabulary(
            format=fmt,
            labels=self,
            applicants=_index([(c.key, c.label) for c in applicant_columns], d["applicant_types"], d["applicant_groups"]),
            outcomes=_index([(r.key, r.label) for r in outcome_rows], d["outcomes"], d["outcome_groups"]),
            in_progress={squash(w) for w in d["in_progress"]},
            deferred={squash(w) for w in d["deferred"]},
            not_answered={squash(w) for w in d["not_answered"]},
            status_open={squash(w) for w in d["status_open"]},
            status_done={squash(w) for w in d["status_done"]},
            not_outcomes={squash(w): hint for w, hint in d["not_outcomes"].items()},
            case_kinds=_index([(r.key, r.label) for r in appeal_rows], d["case_kinds"]),
            case_results=_index([(c.key, (c.label[-1],)) for c in appeal_columns if not c.sum_of and c.key != pending],
                                d["case_results"]),
            total_rows={squash(w) for w in d["total_rows"]},
            case_pending={squash(w) for w in d["case_pending_words"]}
            | {squash(c.name) for c in appeal_columns if c.key == pending},
        )


def register_categories(fmt: Format):
    """(applicant columns, outcome rows) of the requests table: what its applicants' total column
    and its outcomes' total row add up."""
    role = fmt.roles.need("requests", "按台账统计表格数字", fmt.version)
    table = fmt.tables[role.table]
    columns = [table.column(role.received, key) for key in table.column(role.received, role.applicants_total).sum_of]
    rows = [table.row(key) for key in table.row(role.outcomes_total).sum_of]
    return columns, rows


def _read_extra(path: Path) -> dict:
    try:
        text = guard.read_bytes(path, guard.MAX_DATA_BYTES).decode("utf-8-sig")
        compose(text, path)  # refuses aliases, which safe_load would expand without bound
        data = yaml.safe_load(text)
    except UnicodeDecodeError as exc:
        raise ToolkitError(f"无法读取对照文件 {path}：{exc}") from None
    except yaml.YAMLError as exc:
        raise ToolkitError(f"对照文件 {path} 不是有效的 YAML：{exc}") from None
    if not isinstance(data, dict):
        raise ToolkitError(f"对照文件 {path} 应为若干“键: 值”，例如 outcomes: {{unavailable_not_held: [转办]}}。")
    return data


def _merge(data: dict, extra: dict, path: Path) -> None:
    """An office's words added to the toolkit's; a key no format knows is refused, not ignored."""
    known_keys = _known_keys()
    for section, value in extra.items():
        if section in _LIST_SECTIONS and isinstance(value, list):
            data[section] = [*map(str, value), *data[section]]
        elif section == "not_outcomes" and isinstance(value, dict):
            data[section].update({str(k): str(v) for k, v in value.items()})
        elif section == "applicant_groups" and isinstance(value, list):
            for group in value:
                if not (isinstance(group, dict) and isinstance(group.get("words"), list)
                        and isinstance(group.get("keys"), list) and set(group["keys"]) <= known_keys):
                    raise ToolkitError(f"对照文件 {path}：applicant_groups 的每一项应写作 "
                                       "{words: [法人, 单位], keys: [commercial, research, ...]}，键须为表三的列键。")
                data[section].append({"words": list(map(str, group["words"])), "keys": group["keys"]})
        elif section in _KEYED_SECTIONS and isinstance(value, dict):
            for key, words in value.items():
                allowed = data[section].keys() if section.endswith("columns") else known_keys
                if key not in allowed:
                    raise ToolkitError(f"对照文件 {path}：“{section}”下的“{key}”不是可用的键。可用：{'、'.join(allowed)}")
                words = [words] if isinstance(words, str) else words
                # The office's words go first: for headers, the first name found is the preferred column.
                data[section][key] = [*map(str, words or ()), *data[section].get(key, ())]
        else:
            raise ToolkitError(f"对照文件 {path}：不认识的部分“{section}”或其写法不对。"
                               f"可用：{'、'.join((*_KEYED_SECTIONS, *_LIST_SECTIONS, 'not_outcomes', 'applicant_groups'))}")


def _known_keys() -> set[str]:
    keys = set()
    for version in versions():
        for table in get_format(version).tables.values():
            for row, column in table.iter_cells():
                keys.update((row.key, column.key))
    return keys


@dataclass
class Vocabulary:
    """The register words for one format version."""

    format: Format
    labels: Labels
    applicants: Index
    outcomes: Index
    in_progress: set[str]
    deferred: set[str]  # in-progress words saying the time limit was extended
    not_answered: set[str]  # an 答复日期 cell's words for “not yet answered”
    status_open: set[str]  # the 办理状态 column's words for a request still open
    status_done: set[str]  # … and for one answered
    total_rows: set[str]
    not_outcomes: dict[str, str]
    case_kinds: Index
    case_results: Index
    case_pending: set[str]

    def names(self, role: str, keys, axis: str) -> str:
        """The official names of candidate rows or columns of the table a role names ("requests",
        "appeals"), for a message asking which one is meant."""
        t = self.format.tables[getattr(self.format.roles, role).table]
        if axis == "row":
            names = [r.label[-1] for r in t.rows if r.key in keys]
        else:
            names = [c.name for c in t.blocks[0].columns if c.key in keys]
        return "、".join(f"“{n}”" for n in names)
