"""Writing reports: checked, gated on errors and unfinished text, in every output asked for."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .. import rules
from ..errors import ToolkitError
from ..findings import ERROR, Finding, count
from ..formats import Format
from ..model import Report
from ..output import write_atomic
from ..publish.outputs import Outputs, output_contents
from .checking import check


class ReportHasErrors(ToolkitError):
    """A report the consistency rules reject: it is not rendered unless asked to be."""

    remedy = "ignore_errors"

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        errors = count(findings, ERROR)
        super().__init__(f"报告有 {errors} 个错误，未生成。请修正后重试。")


class UnreadFiguresInReport(ToolkitError):
    """A data file with null figures (not read from the published copy): unknown, not 0."""

    remedy = "allow_unread"

    def __init__(self, report: Report):
        order = {ref: i for i, ref in enumerate(report.format.iter_input_cells())}
        first = sorted(report.unread, key=order.__getitem__)
        line = lambda ref: f"第 {n} 行，" if (n := report.line_of_cell(ref)) else ""
        shown = "、".join(f"「{report.format.label(ref)}」（{line(ref)}figures.{ref}）" for ref in first[:3])
        shown += "等" if len(first) > 3 else ""
        where = f"{report.source}：" if report.source else ""
        super().__init__(f"{where}报告有 {len(report.unread)} 个数字为空（null，未读取），未生成：{shown}。"
                         "请对照原文补全后重试。")


class ReportUnfinished(ToolkitError):
    """Placeholders left in, or no agency name: rendered only as a marked draft."""

    remedy = "draft"

    def __init__(self, findings: list[Finding]):
        self.findings = [f for f in findings if f.rule in rules.UNFINISHED_RULES]
        super().__init__(f"报告尚未完成（{len(self.findings)} 处未填写），未生成。填写完整后重试。")


class ChartNeedsFigures(ToolkitError):
    """A chart asked of a report whose figures were not all read: it would draw unknowns as 0."""

    remedy = "without_chart"

    def __init__(self, report: Report):
        super().__init__(f"报告有 {len(report.unread)} 个数字未读取（null），无法生成对比图；请补全后重试。")


class TemplateRejected(ToolkitError):
    """An agency template with problems: rendering with it could drop or garble the report."""

    def __init__(self, template: Path, findings: list[Finding]):
        self.findings = findings
        super().__init__(f"模板 {template} 有 {len(findings)} 处问题，未生成报告（govreport template check {template} 查看）。")


def refuse_existing(paths: Iterable[Path], force: bool) -> None:
    """Before any work: nothing is overwritten without ``force``."""
    from ..errors import OutputExists

    for path in paths:
        if path.exists() and not force:
            raise OutputExists(path)


def template_findings(template: str | Path, fmt: Format) -> list[Finding]:
    from ..office_templates.lint import lint

    return lint(template, fmt)


def render_docx(report: Report, template: str | Path | None = None, draft: bool = False) -> bytes:
    """The .docx bytes; a ``draft`` is marked 「征求意见稿」."""
    from ..render import render

    content = render(report, template)
    if draft:
        from ..render.draftmark import mark_draft

        content = mark_draft(content)
    return content


NATIVE, OFFICE = "native", "office"
PDF_ENGINES = (NATIVE, OFFICE)


def pdf_engine_for(template: Path | None, chart: bool = False, asked: str | None = None) -> str:
    """Which PDF path a report takes: the native one for the default layout; LibreOffice for an
    agency's own Word template (only an office suite prints an arbitrary .docx as Word would) and
    for a report with the chart, which is placed in the Word document. ``asked`` decides when given."""
    if asked:
        return asked
    return OFFICE if template or chart else NATIVE


@dataclass
class Rendered:
    """A report written: the findings it was checked with, the files written, and those left as they were."""

    findings: list[Finding]
    written: list[Path]
    unchanged: list[Path] = field(default_factory=list)
    font_fallbacks: list = field(default_factory=list)  # render.fonts.Fallback: faces the PDF lost
    layout_notes: list[str] = field(default_factory=list)  # what the page layout did that a clerk should know

    @property
    def errors(self) -> int:
        return count(self.findings, ERROR)


def _needs_engine(message: str, remedy: str) -> ToolkitError:
    error = ToolkitError(message)
    error.remedy = remedy
    return error


def render_files(report: Report, outputs: Outputs, *, template: Path | None = None, previous: Report | None = None,
                 ignore_errors: bool = False, force: bool = False, draft: bool = False,
                 findings: list[Finding] | None = None, allow_unread: bool = False, pdf_engine: str | None = None,
                 pdfa: bool = False) -> Rendered:
    """Check, gate on errors, on unread figures and on unfinished text, lint a custom template, then
    write every output asked for. An unfinished report is written only as a ``draft``, its .docx
    marked as such; figures not read (null) only with ``allow_unread``, shown as 「—」 with the
    totals they feed.

    Everything is made in memory first, so nothing is written when any part fails. A file already
    on disk with exactly the bytes this report gives is left as it is, so a PDF or a web page can
    be added beside an existing .docx without ``force``. The chart needs last year's report.
    The PDF takes the path ``pdf_engine_for`` chooses; ``pdfa`` (native path only) makes it PDF/A-2a.
    """
    findings = check(report, previous) if findings is None else findings
    if report.unread and not allow_unread:
        raise UnreadFiguresInReport(report)
    if report.unread and outputs.chart:
        raise ChartNeedsFigures(report)
    if count(findings, ERROR) and not ignore_errors:
        raise ReportHasErrors(findings)
    if rules.is_unfinished(findings) and not draft:
        raise ReportUnfinished(findings)
    if template:
        from ..office_templates.lint import blocking

        linted = template_findings(template, report.format)
        if problems := blocking(linted):
            raise TemplateRejected(template, problems)
        findings = findings + linted  # what is left: active content, removed from the report (toolkit.active)
    engine = pdf_engine_for(template, outputs.chart, pdf_engine) if outputs.pdf else None
    if engine == NATIVE and outputs.chart:
        raise _needs_engine("原生 PDF 不含对比图，同时生成对比图时须由办公软件生成 PDF。", "office_pdf")
    if pdfa and engine != NATIVE:
        raise _needs_engine("PDF/A 仅由原生 PDF 生成。", "native_pdf")
    document = render_docx(report, template, draft) if outputs.docx or engine == OFFICE else None
    contents, document = output_contents(report, outputs, document, previous, draft)
    fallbacks = []
    if engine == NATIVE:
        from ..render import native

        contents[outputs.pdf] = native.report_pdf(report, draft=draft, pdfa=pdfa)
        fallbacks = native.missing_faces()
    unchanged = [p for p, data in contents.items() if p.exists() and p.read_bytes() == data]
    refuse_existing([p for p in outputs.paths() if p not in unchanged], force)
    written = [write_atomic(p, data, force=force) for p, data in contents.items() if p not in unchanged]
    if engine == OFFICE:
        from ..render import docx_to_pdf, fonts

        try:
            converted = docx_to_pdf(document)
            written.append(write_atomic(outputs.pdf, converted, force=force))
        except ToolkitError as exc:
            done = f"（已生成：{'、'.join(map(str, written))}）" if written else ""
            raise ToolkitError(f"PDF 未生成{done}：{exc}") from None
        fallbacks = fonts.fallbacks(document, converted)
    return Rendered(findings, written, unchanged, fallbacks, layout_notes(report, template) if document else [])


def layout_notes(report: Report, template: str | Path | None) -> list[str]:
    """Figure columns of the default template set narrower for this report's long figures."""
    if template is not None:
        return []
    from ..render import narrowing
    from ..render.context import context

    return narrowing.notes(report.format, narrowing.narrowed_columns(report.format, context(report)))
