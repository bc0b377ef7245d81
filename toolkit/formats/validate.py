"""Reading a format file strictly, as data files are read: every problem found, each located by
file, line and field and saying what is expected, before any command uses the format.

A format file is the contract a 政务公开办 maintains alone, so a typo in it must be reported where
it is, not met later as a crash in whichever command first trips on it.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ..datafile.strict_yaml import compose, decode
from ..errors import FormatFileError, Problem
from . import schema, shapes


def read_format_file(raw: bytes, source: Path | str | None) -> dict:
    """The checked content of a format file; FormatFileError listing every problem otherwise."""
    source = Path(str(source)) if source is not None else None
    try:
        root = compose(decode(raw, source), source)
    except FormatFileError:
        raise
    except Exception as exc:  # DataFileError from the YAML reader: same problems, a format file's error
        raise FormatFileError(source, getattr(exc, "problems", [Problem(str(exc))])) from None
    data, lines, duplicates = _plain(root)
    issues = duplicates + list(schema.problems(data))
    if not issues:
        issues = list(shapes.problems(data))
    if issues:
        raise FormatFileError(source, [_located(path, message, lines) for path, message in issues])
    return data


def _plain(root: yaml.Node) -> tuple[object, dict[tuple, int], list]:
    """The node tree as plain data, the line of every value by its path, and keys written twice in
    one mapping (YAML would silently keep the last)."""
    lines: dict[tuple, int] = {}
    duplicates = []
    constructor = yaml.SafeLoader("")

    def walk(node: yaml.Node, path: tuple):
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            result = {}
            for key_node, value_node in node.value:
                key = constructor.construct_object(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                key = str(key) if isinstance(key, (int, float)) and not isinstance(key, bool) else key
                if key in result:
                    duplicates.append(((*path, key), f"键“{key}”在同一处写了两次（第 {lines[(*path, key)]} 行已有）；"
                                                     "应只保留一个"))
                result[key] = walk(value_node, (*path, key))
                lines[(*path, key)] = key_node.start_mark.line + 1
            return result
        if isinstance(node, yaml.SequenceNode):
            return [walk(item, (*path, i)) for i, item in enumerate(node.value)]
        return constructor.construct_object(node)

    plain = walk(root, ())
    return plain, lines, duplicates


def _located(path: tuple, message: str, lines: dict[tuple, int]) -> Problem:
    line = next((lines[path[:n]] for n in range(len(path), -1, -1) if path[:n] in lines), None)
    return Problem(message, line=line, key_path=_dotted(path) or None)


def _dotted(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
