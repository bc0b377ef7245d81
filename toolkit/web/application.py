"""What the web app does with reports, through the application layer: the web's only caller of ``toolkit.api``.

Reports travel as data files (the text ``govreport`` reads), so a report saved here opens in the CLI
and the other way round. Checks are the CLI's checks, findings in the CLI's words.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .. import api, datafile
from ..errors import DataFileError, ToolkitError
from ..findings import ERROR, SEVERITY_NAMES, WARNING, Finding
from ..formats import CellRef
from ..model import Report
from ..rules import UNFINISHED_RULES
from . import document


class Refused(ToolkitError):
    """A request the report's state does not allow, e.g. 定稿 with errors: said in the clerk's words."""


@dataclass
class Checked:
    """A report's findings placed at the form's fields, and the summary the form shows above them."""

    findings: list[dict]
    errors: int
    warnings: int
    unfinished: int
    unread: int

    def as_dict(self) -> dict:
        return {"findings": self.findings, "errors": self.errors, "warnings": self.warnings,
                "unfinished": self.unfinished, "unread": self.unread,
                "final_ready": not (self.errors or self.unfinished or self.unread)}


@dataclass
class Started:
    """A report to open in the form, with what could not be read from its source."""

    report: Report
    unread: list[str] = field(default_factory=list)
    previous: Report | None = None  # last year's, when the report was carried over from it


def read_data_file(content: str | bytes, name: str = "数据文件") -> Report:
    return datafile.loads(content, Path(name))


def data_file_text(report: Report) -> str:
    return api.draft_text(report)


def blank(agency: str, year: int, level: str | None = None, format_version: str | None = None) -> Started:
    return Started(api.new_report(agency.strip() or None, year, format_version or None, level or None))


def load_source(path: Path, year: int | None = None) -> Started:
    """A data file, open data or a published copy read back, as it is; unread figures stay unread.
    ``year`` is for a copy that does not state its own."""
    loaded = api.load(path, year=year)
    return Started(loaded.report, list(loaded.unread))


def stored_text(started: Started) -> str:
    """The data file of a report about to be kept, refused when the CLI could not read it back (no year)."""
    if started.report.year is None:
        raise ToolkitError("原文中没有写明报告年度，无法确定适用的格式。请在“报告年度”中填写后重新上传。")
    return data_file_text(started.report)


def carried_over(previous: Started, year: int, agency: str | None = None) -> Started:
    """This year's draft from last year's report; a figure carried from one that was not read is not read either."""
    last = previous.report
    draft = api.new_report(agency or None, year, previous=last)
    if last.unread:
        for check in draft.format.checks:
            if not check.carry_over:
                continue
            for binding in check.bindings():
                (target, *_), right = check.sides(binding)
                if any(t.previous_year and last.unread_under(t.ref) for t in right):
                    draft.figures.pop(target.ref, None)
                    draft.unread.add(target.ref)
    return Started(draft, previous.unread, last)


@lru_cache(maxsize=64)
def previous_report(content: str | None) -> Report | None:
    """Last year's report as kept beside this year's: read once, then checked against on every edit."""
    return read_data_file(content, "上年数据文件") if content else None


def tallied_figures(register: Path, report: Report) -> dict[str, int]:
    """Tables 三 and 四 of the report's year, counted from a register, by form field."""
    tallied, = api.tally_registers([register], [report.year], format_version=report.format.version)
    return {document.figure_field(ref): value for ref, value in tallied.tally.figures.items()}


def _place(finding: Finding, report: Report) -> list[str]:
    """The form fields a finding belongs at: its key path, and every cell it names (not the parts of a total)."""
    places = [str(finding.key_path)] if finding.key_path else []
    places += [document.figure_field(CellRef.parse(c.ref)) for c in finding.cells
               if not c.previous_year and not c.part_of and report.format.has_cell(CellRef.parse(c.ref))]
    return list(dict.fromkeys(places))


def _words(finding: Finding) -> dict:
    """The finding as the CLI says it, less the file and line a form has no use for."""
    lines = finding.describe().split("\n")
    head = lines[0].split(": ", 1)[1] if ": " in lines[0] else lines[0]
    return {"rule": finding.rule, "severity": finding.severity, "severity_name": SEVERITY_NAMES[finding.severity],
            "text": head, "detail": [line.strip() for line in lines[1:]]}


_LINES: dict[tuple, dict[str, int]] = {}  # data-file lines by the report's shape


def _shape(report: Report) -> tuple | None:
    """What a data file's line numbers depend on; None when a text spans lines (no shortcut then)."""
    texts = [t for n in report.narrative.values() for t in n.texts()]
    if report.lead and report.lead.text:
        texts.append(report.lead.text)
    if any("\n" in t or "\r" in t for t in texts):
        return None
    return (report.format.version, report.lead is None, tuple(sorted(map(str, report.stated_totals))),
            tuple((key, len(n.paragraphs), tuple(len(p.paragraphs) for p in n.parts))
                  for key, n in report.narrative.items()))


def with_lines(report: Report) -> Report:
    """The report with the line of every key in its data file, so findings name them as ``check`` does."""
    shape = _shape(report)
    lines = _LINES.get(shape) if shape else None
    if lines is None:
        lines = read_data_file(data_file_text(report)).lines
        if shape:
            if len(_LINES) > 1000:
                _LINES.clear()
            _LINES[shape] = lines
    report.lines = lines
    return report


def check(report: Report, previous: Report | None = None) -> Checked:
    """The command line's check of the report's data file (against last year's report when it is kept):
    the same findings in the same words, lines included."""
    report = with_lines(report)
    return placed(report, api.check(report, previous))


def placed(report: Report, findings: list[Finding]) -> Checked:
    """Findings already made on ``report`` (with its lines: ``with_lines``), placed at the form's fields."""
    unfinished = sum(f.rule in UNFINISHED_RULES for f in findings)
    placed = [{**_words(f), "fields": _place(f, report), "unfinished": f.rule in UNFINISHED_RULES}
              for f in findings]
    return Checked(placed, sum(f.severity == ERROR for f in findings),
                   sum(f.severity == WARNING for f in findings), unfinished, len(report.unread))


def refuse_final(checked: Checked) -> None:
    """定稿 only for a report with no error, nothing left 【待填写】 and every figure known."""
    reasons = []
    if checked.errors:
        reasons.append(f"有 {checked.errors} 个错误")
    if checked.unfinished:
        reasons.append(f"有 {checked.unfinished} 处尚未填写（【待填写】或缺机关全称）")
    if checked.unread:
        reasons.append(f"有 {checked.unread} 个数字未读取")
    if reasons:
        raise Refused(f"未能定稿：报告{'，'.join(reasons)}。已按原样保存为草稿；请按页面上标出的位置修改后再定稿。")


DOWNLOADS = {"docx": ".docx", "pdf": ".pdf", "html": ".html", "json": ".json", "csv": ".csv", "yaml": ".yaml"}


def download(report: Report, kind: str, template: Path | None = None,
             previous: Report | None = None) -> tuple[str, bytes]:
    """(file name, bytes) of the report in one output; unfinished text gives a draft marked 征求意见稿,
    errors and unread figures refuse the Word, PDF and web page as ``render`` does."""
    name = api.default_name(report, DOWNLOADS[kind]).name
    if kind == "yaml":
        return name, data_file_text(report).encode("utf-8")
    findings = api.check(report, previous)
    unfinished = any(f.rule in UNFINISHED_RULES for f in findings)
    with tempfile.TemporaryDirectory(prefix="govreport-web-") as folder:
        target = Path(folder) / f"report{DOWNLOADS[kind]}"
        outputs = api.output_paths(report, target)
        api.render_files(report, outputs, template=template, previous=previous, findings=findings, draft=unfinished,
                         allow_unread=kind in ("json", "csv"))
        return name, target.read_bytes()


def preview(report: Report) -> str:
    """The report as its web page, whatever state it is in: a draft is marked, unread figures show as 「—」."""
    unfinished = any(f.rule in UNFINISHED_RULES for f in api.check(report))
    with tempfile.TemporaryDirectory(prefix="govreport-web-") as folder:
        target = Path(folder) / "preview.html"
        api.render_files(report, api.output_paths(report, target), ignore_errors=True, draft=unfinished,
                         allow_unread=True)
        return target.read_text(encoding="utf-8")


def problems_of(exc: ToolkitError) -> list[str]:
    """An error's message lines, for the page: a data file's problems each on its own."""
    if isinstance(exc, DataFileError):
        return [p.describe(Path(exc.file).name if exc.file else None) for p in exc.problems]
    return [str(exc)]
