"""Errors raised by the library; each prints itself as a message for the clerk, in Chinese.

An error says what is wrong and where; what the user could do about it is data, a ``remedy``
(``"force"``, ``"allow_format_mismatch"``, ...), which each interface turns into its own words —
the command line into the option of the command at hand, a web form into its own control.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class ToolkitError(Exception):
    """Base of every error the library raises on bad input or misuse.

    ``remedy``: the semantic name of the option that would let the work go ahead, if one would.
    """

    remedy: str | None = None


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as the input allows."""

    message: str
    line: int | None = None
    column: int | None = None
    key_path: str | None = None
    label: str | None = None
    hint: str | None = None

    def describe(self, file: str | Path | None) -> str:
        place = str(file) if file else "<输入>"
        if self.line:
            place += f":{self.line}"
            if self.column:
                place += f":{self.column}"
        text = f"{place}: {self.message}"
        if self.key_path:
            text += f"\n    字段：{self.key_path}"
        if self.label:
            text += f"（「{self.label}」）"
        if self.hint:
            text += f"\n    提示：{self.hint}"
        return text


class DataFileError(ToolkitError):
    """An input file that cannot be used: unreadable, not YAML, or not shaped like a report."""

    def __init__(self, file: str | Path | None, problems: list[Problem]):
        self.file = file
        self.problems = problems
        super().__init__("\n".join(p.describe(file) for p in problems))


class FormatFileError(DataFileError):
    """A format definition file that is not a usable format: each problem located in it."""

    def __init__(self, file: str | Path | None, problems: list[Problem]):
        super().__init__(file, problems)
        self.args = (f"格式文件 {file} 有 {len(problems)} 处问题，无法使用：\n" + "\n".join(
            p.describe(file) for p in problems),)


class FormatNotFound(ToolkitError):
    """``known``: the format versions there are, each with the document that issued it."""

    def __init__(self, asked: str, known: dict[str, str]):
        self.asked, self.known = asked, known
        listed = "；".join(f"{version}（{document}）" for version, document in known.items())
        super().__init__(f"没有适用于“{asked}”的年度报告格式；可用的格式版本：{listed}。")


class OutputExists(ToolkitError):
    remedy = "force"

    def __init__(self, path: str | Path):
        self.path = path
        super().__init__(f"文件已存在：{path}。")


class TemplateError(ToolkitError):
    """A Word template that cannot be used to render a report."""


class RenderError(ToolkitError):
    """A report that cannot be rendered as asked."""
