"""Findings: what a check says about a report or a template, each with the place it is about.

One type serves every checker — the consistency rules on a report, the template linter — so that
the command line, JSON output and batch summaries present them all the same way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

ERROR, WARNING = "error", "warning"
SEVERITY_NAMES = {ERROR: "错误", WARNING: "警告"}


@dataclass(frozen=True)
class Location:
    """Where a finding points: a file, and in it a line, a data-file key path, or a place in a document.

    ``key_path`` addresses the data file (``figures.applications.total.natural_person``,
    ``sections.other``); ``place`` describes a spot a clerk finds by eye in a Word document
    (「表格 2 第 4 行第 4 列」).
    """

    file: str | None = None
    line: int | None = None
    key_path: str | None = None
    place: str | None = None

    def describe(self) -> str:
        where = self.file or "<输入>"
        return f"{where}:{self.line}" if self.line else where


@dataclass(frozen=True)
class CellNote:
    """One cell a finding is about, as the clerk sees it."""

    ref: str
    label: str
    value: str
    line: int | None
    previous_year: bool = False
    part_of: str | None = None  # set on the non-zero figures listed under a derived total


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    message: str
    location: Location = field(default_factory=Location)
    cells: tuple[CellNote, ...] = ()
    expected: str | None = None
    found: str | None = None
    hint: str = ""
    remedy: str | None = None  # the option that would help, by its meaning ("year", "agency"); see errors.py

    @property
    def line(self) -> int | None:
        return self.location.line

    @property
    def key_path(self) -> str | None:
        return self.location.key_path

    def describe(self) -> str:
        lines = [f"{self.location.describe()}: {SEVERITY_NAMES[self.severity]} [{self.rule}] {self.message}"]
        if self.location.place:
            lines.append(f"    位置：{self.location.place}")
        if self.expected is not None:
            lines.append(f"    应为 {self.expected}，实为 {self.found}")
        for cell in self.cells:
            where = "上年报告" if cell.previous_year else (f"第 {cell.line} 行" if cell.line else "计算值")
            indent = "        其中 " if cell.part_of else "    "
            lines.append(f"{indent}「{cell.label}」= {cell.value}（{where}，{cell.ref}）")
        if self.location.key_path and not self.cells:
            lines.append(f"    字段：{self.location.key_path}")
        if self.hint:
            lines.append(f"    提示：{self.hint}")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        """Flat, for JSON: the location's fields beside the rule; ``cells`` as table.row.column keys."""
        return {
            "rule": self.rule, "severity": self.severity, "message": self.message, **asdict(self.location),
            "cells": [cell.ref for cell in self.cells], "cell_notes": [asdict(cell) for cell in self.cells],
            "expected": self.expected, "found": self.found, "hint": self.hint, "remedy": self.remedy,
        }

    def involves(self, ref) -> bool:
        return any(cell.ref == str(ref) for cell in self.cells)

    def in_file(self, file: str | None) -> "Finding":
        """This finding, located in ``file`` unless it already names one."""
        if self.location.file or not file:
            return self
        return replace(self, location=replace(self.location, file=file))


def count(findings, severity: str) -> int:
    return sum(1 for f in findings if f.severity == severity)
