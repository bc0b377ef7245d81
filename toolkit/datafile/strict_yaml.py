"""Strict YAML for files clerks write: encodings explained, syntax errors located, aliases refused."""

from __future__ import annotations

from pathlib import Path

import yaml

from ..errors import DataFileError, Problem

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def decode(raw: bytes, source: Path | None) -> str:
    """UTF-8 text; GBK is recognised and explained, since Chinese Windows saves files so."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = "请用记事本或 WPS 将文件“另存为”UTF-8 编码后重试。"
        try:
            raw.decode("gb18030")
            hint = "文件似乎是 GBK/GB18030 编码；" + hint
        except UnicodeDecodeError:
            pass
        raise DataFileError(source, [Problem("文件不是 UTF-8 编码，无法读取。", line=line, hint=hint)]) from None


def compose(text: str, source: Path | None) -> yaml.Node:
    """The YAML node tree, keeping every value's position; DataFileError on anything unusable."""
    try:
        _refuse_deep_nesting(text, source)
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        lines = text.splitlines()
        if mark and mark.line < len(lines) and "\t" in lines[mark.line]:
            problem = "出现了 Tab 字符（YAML 只能用空格缩进）"
        else:
            problem = _yaml_problem(exc.problem or exc.context or "")
        raise DataFileError(
            source,
            [
                Problem(
                    f"YAML 格式错误：{problem}",
                    line=mark.line + 1 if mark else None,
                    column=mark.column + 1 if mark else None,
                    hint="检查该行的缩进（只能用空格，不能用 Tab）、冒号后是否有空格、引号是否成对。",
                )
            ],
        ) from None
    except yaml.YAMLError as exc:
        raise DataFileError(source, [Problem(f"YAML 格式错误：{exc}")]) from None
    if root is None:
        raise DataFileError(source, [Problem("文件中只有注释，没有任何数据。")])
    _reject_aliases(root, text, source)
    return root


MAX_DEPTH = 64  # a data file nests five levels deep; LibYAML's composer recurses (and can crash) per level


def _refuse_deep_nesting(text: str, source: Path | None) -> None:
    """Nesting past MAX_DEPTH refused from the event stream (which LibYAML parses without recursion),
    before the composer recurses into it."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _too_deep(source, event.start_mark)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        # Newer PyYAML parsers stop deep nesting themselves, in their own words.
        if "nesting depth" in (exc.problem or ""):
            raise _too_deep(source, exc.problem_mark) from None
        raise


def _too_deep(source: Path | None, mark) -> DataFileError:
    return DataFileError(source, [Problem(f"YAML 嵌套超过 {MAX_DEPTH} 层，不是数据文件的结构，未读取。",
                                          line=mark.line + 1 if mark else None,
                                          hint="该文件可能已损坏或被恶意构造。")])


_YAML_PROBLEMS = {
    "mapping values are not allowed here": "此处不能出现冒号（可能缺少空格或缩进不对）",
    "could not find expected ':'": "缺少冒号",
    "found undefined alias": "使用了未定义的别名（*）",
}


def _yaml_problem(problem: str) -> str:
    for english, chinese in _YAML_PROBLEMS.items():
        if problem.startswith(english):
            return chinese
    return problem


def _reject_aliases(root: yaml.Node, text: str, source: Path | None) -> None:
    """Refuse YAML aliases: a data file has no use for them and they allow 'billion laughs' bombs.

    The composer shares one node object for every use of an anchor, so a node met twice is an alias;
    stopping at the first one keeps the walk linear in the file's size.
    """
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            alias = next(e for e in yaml.parse(text, Loader=_Loader) if isinstance(e, yaml.AliasEvent))
            raise DataFileError(
                source,
                [
                    Problem(
                        "数据文件中不允许使用 YAML 锚点和别名（& 与 *）。",
                        line=alias.start_mark.line + 1,
                        column=alias.start_mark.column + 1,
                        hint="请把被引用的内容直接写出来。",
                    )
                ],
            )
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += [key, value]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
