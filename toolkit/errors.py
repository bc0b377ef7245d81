"""Errors raised by the library; each prints itself as a message for the clerk, in Chinese."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class ToolkitError(Exception):
    """Base of every error the library raises on bad input or misuse."""


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


class FormatNotFound(ToolkitError):
    def __init__(self, asked: str, known: list[str]):
        self.asked = asked
        super().__init__(
            f"没有适用于“{asked}”的年度报告格式；可用的格式版本：{'、'.join(known)}"
            "（2019 对应国办公开办函〔2019〕60号，2021 对应国办公开办函〔2021〕30号）。"
        )


class OutputExists(ToolkitError):
    def __init__(self, path: str | Path):
        self.path = path
        super().__init__(f"文件已存在：{path}。如需覆盖，请加 --force。")


class TemplateError(ToolkitError):
    """A Word template that cannot be used to render a report."""


class RenderError(ToolkitError):
    """A report that cannot be rendered as asked."""
