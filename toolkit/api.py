"""The application layer: what each command does, as functions that return results and never print.

The command line and the batch runner both call these, so a draft, a check or a rendered report is
made the same way whether it is asked for once or for a thousand agencies.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from . import datafile, publish, rules
from .errors import DataFileError, Problem, ToolkitError
from .findings import ERROR, WARNING, Finding, count
from .formats import Format, format_for_year, get_format
from .model import Lead, Report
from .output import safe_filename, write_atomic
from .publish import Outputs, output_paths  # noqa: F401 -- the commands name their outputs through the api
from .registry import Entry

if TYPE_CHECKING:
    from .tally import Tally

DATA_SUFFIXES = (".yaml", ".yml")
OPEN_DATA_SUFFIXES = (".json", ".csv")  # the figures as published by ``render --json/--csv``


class UnreadFigures(DataFileError):
    """A published report read back with figures that could not be placed: not safe to build on."""

    def __init__(self, path: Path, notes: list[str]):
        super().__init__(path, [Problem(f"有未能读取的内容：{note}") for note in notes])


class ReportHasErrors(ToolkitError):
    """A report the consistency rules reject: it is not rendered unless asked to be."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        errors = count(findings, ERROR)
        super().__init__(f"报告有 {errors} 个错误，未生成。请修正后重试（或加 --ignore-errors 强制生成，不推荐）。")


class UnreadFiguresInReport(ToolkitError):
    """A data file with null figures (not read from the published copy): unknown, not 0."""

    def __init__(self, report: Report):
        order = {ref: i for i, ref in enumerate(report.format.iter_input_cells())}
        first = sorted(report.unread, key=order.__getitem__)
        line = lambda ref: f"第 {n} 行，" if (n := report.line_of_cell(ref)) else ""
        shown = "、".join(f"「{report.format.label(ref)}」（{line(ref)}figures.{ref}）" for ref in first[:3])
        shown += "等" if len(first) > 3 else ""
        where = f"{report.source}：" if report.source else ""
        super().__init__(f"{where}报告有 {len(report.unread)} 个数字为空（null，未读取），未生成：{shown}。"
                         "请对照原文补全后重试；或加 --allow-unread 生成，这些格及其总计显示为“—”。")


class ReportUnfinished(ToolkitError):
    """Placeholders left in, or no agency name: rendered only as a marked draft."""

    def __init__(self, findings: list[Finding]):
        self.findings = [f for f in findings if f.rule in rules.UNFINISHED_RULES]
        super().__init__(f"报告尚未完成（{len(self.findings)} 处未填写），未生成。填写完整后重试，"
                         "或加 --draft 生成标明“征求意见稿”的草稿。")


class TemplateRejected(ToolkitError):
    """An agency template with problems: rendering with it could drop or garble the report."""

    def __init__(self, template: Path, findings: list[Finding]):
        self.findings = findings
        super().__init__(f"模板 {template} 有 {len(findings)} 处问题，未生成报告（govreport template check {template} 查看）。")


class FormatNotForYear(ToolkitError):
    """A format asked for that is not the one in force for the report's year."""

    def __init__(self, fmt: Format, year: int):
        try:
            due = format_for_year(year)
            told = f"{year}年度应使用格式 {due.version}（{due.document}）。"
        except ToolkitError:
            told = ""
        super().__init__(f"格式 {fmt.version}（{fmt.document}）适用于{fmt.years}，不适用于{year}年度报告；{told}"
                         "确需使用该格式，请加 --allow-format-mismatch（检查时仍会报告此错误）。")


# -- loading ---------------------------------------------------------------------------------------


@dataclass
class Loaded:
    """A report from any source, with what could not be read from it."""

    report: Report
    unread: list[str] = field(default_factory=list)


def is_data_file(path: Path) -> bool:
    return path.suffix.lower() in DATA_SUFFIXES


def readable_suffixes() -> tuple[str, ...]:
    from .extract import SUFFIXES

    return (*DATA_SUFFIXES, *SUFFIXES)


def load(path: str | Path, agency: str | None = None, year: int | None = None) -> Loaded:
    """A data file as it is, open data (.json, .csv) read back, or a published report (.docx, PDF, HTML,
    text) read back."""
    path = Path(path)
    if is_data_file(path):
        return Loaded(datafile.load(path))
    if path.suffix.lower() in OPEN_DATA_SUFFIXES:
        from . import opendata

        return Loaded(opendata.load(path))
    from .extract import extract

    extraction = extract(path, agency, year)
    return Loaded(extraction.report, extraction.notes)


def load_report(path: str | Path) -> Report:
    """A report to build on: refused when part of it could not be read."""
    loaded = load(path)
    if loaded.unread:
        raise UnreadFigures(Path(path), loaded.unread)
    return loaded.report


# -- checking --------------------------------------------------------------------------------------


@dataclass
class CheckResult:
    """The outcome of checking one file: unusable (with problems) or checked (with findings)."""

    file: str
    problems: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    agency: str | None = None
    year: int | None = None
    format: str | None = None
    unread: list[str] = field(default_factory=list)  # what could not be read, in the reader's words
    not_assessable: list[rules.NotAssessable] = field(default_factory=list)
    figures_read: int = 0
    figures_unread: int = 0
    sections: dict[str, str] = field(default_factory=dict, repr=False)  # narrative text, for 雷同

    @property
    def usable(self) -> bool:
        return not self.problems

    def count(self, severity: str) -> int:
        return count(self.findings, severity)

    @property
    def rules(self) -> list[str]:
        return list(dict.fromkeys(f.rule for f in self.findings))

    @property
    def unfinished(self) -> bool:
        """Placeholders left in, or no agency name: a draft, not yet a report."""
        return rules.is_unfinished(self.findings)

    @property
    def coverage(self) -> str:
        """How much of the tables could be checked: "complete", "partial" or "none" (no figure read)."""
        if not self.figures_unread:
            return "complete"
        return "none" if not self.figures_read else "partial"

    @property
    def status(self) -> str:
        """无法使用, 未完成, 未通过 (errors), 未核查表格 (no figure read), 仅部分核查 (some figures
        unread) or 通过, for a person reading a summary: a copy whose tables were not read has not passed."""
        if not self.usable:
            return "无法使用"
        if self.unfinished:
            return "未完成"
        if self.count(ERROR):
            return "未通过"
        return {"complete": "通过", "partial": "仅部分核查", "none": "未核查表格"}[self.coverage]

    def as_dict(self) -> dict:
        return {
            "file": self.file, "status": "checked" if self.usable else "unusable", "result": self.status,
            "coverage": self.coverage if self.usable else None, "agency": self.agency,
            "year": self.year, "format": self.format, "unfinished": self.unfinished, "figures_read": self.figures_read,
            "figures_unread": self.figures_unread, "errors": self.count(ERROR), "warnings": self.count(WARNING),
            "rules": self.rules, "problems": self.problems, "unread": self.unread,
            "not_assessable": [n.as_dict() for n in self.not_assessable],
            "findings": [f.as_dict() for f in self.findings],
        }


def check(report: Report, previous: Report | None = None) -> list[Finding]:
    return rules.check(report, previous)


def check_file(path: str | Path, previous: Report | None = None, agency: str | None = None,
               year: int | None = None) -> CheckResult:
    """Load and check one file; an unusable file is a result, not an exception."""
    try:
        loaded = load(path, agency, year)
    except DataFileError as exc:
        return CheckResult(str(path), problems=[p.describe(path) for p in exc.problems])
    except ToolkitError as exc:
        return CheckResult(str(path), problems=[f"{path}: {exc}"])
    return _checked(Path(path), loaded, previous)


def check_files(paths: Iterable[str | Path], previous: Report | None = None, agency: str | None = None,
                year: int | None = None) -> Iterator[CheckResult]:
    """Check many files, one in memory at a time.

    A report whose agency's previous year is among the files is also checked against it: the
    files are indexed by (agency, year) on the way, and such pairs are read again at the end.
    Narrative sections copied between the reports checked together (雷同) are reported too.
    """
    results, index = [], {}
    for path in paths:
        result = check_file(path, previous, agency, year)
        results.append(result)
        if result.usable and result.agency and result.year:
            index[_same_agency(result.agency), result.year] = Path(path)
    for position, result in enumerate(results):
        last = None
        if previous is None and result.usable and result.agency and result.year:
            last = index.get((_same_agency(result.agency), result.year - 1))
        if last is not None:
            try:
                results[position] = check_file(result.file, load(last, agency).report, agency, year)
            except ToolkitError:
                pass  # the previous year's own result already says why it is unusable
    from .similarity import copied_sections

    copied = copied_sections([(r.file, r.sections) for r in results])
    for result in results:
        result.findings += copied.get(result.file, [])
        yield result


def _same_agency(name: str) -> str:
    """An agency's name as the key that pairs its reports: 淮安市洪泽区人民政府 and 洪泽区人民政府 alike."""
    from .extract.meta import compact

    name = compact(name)
    rest = name.split("市", 1)[-1]
    return rest if "市" in name and any(word in rest for word in ("区", "县")) else name


def _checked(path: Path, loaded: Loaded, previous: Report | None) -> CheckResult:
    report = loaded.report
    findings, skipped = rules.audit(report, previous)
    unread = list(loaded.unread)
    if not unread and report.unread:
        unread = [f"数据文件中 {len(report.unread)} 个数字为空（null）：" + "、".join(map(str, sorted(report.unread)[:5]))
                  + ("等" if len(report.unread) > 5 else "")]
    inputs = sum(1 for _ in report.format.iter_input_cells())
    return CheckResult(str(path), findings=findings, agency=report.agency.name or None, year=report.year,
                       format=report.format.version, unread=unread, not_assessable=skipped,
                       figures_read=inputs - len(report.unread), figures_unread=len(report.unread),
                       sections={f"{key} {report.format.section(key).heading}": "".join(n.texts())
                                 for key, n in report.narrative.items()})


# -- drafts ----------------------------------------------------------------------------------------


def new_report(agency: str | None, year: int, format_version: str | None = None, level: str | None = None,
               previous: Report | None = None, entry: Entry | None = None, *,
               allow_format_mismatch: bool = False) -> Report:
    """A blank yearly draft; with last year's report, what carries over is carried over; with a
    registry entry, the registry's level, website and contact details win over last year's.
    A format that is not in force for the year is refused unless ``allow_format_mismatch``."""
    fmt = get_format(format_version) if format_version else format_for_year(year)
    if not fmt.covers(year) and not allow_format_mismatch:
        raise FormatNotForYear(fmt, year)
    name = agency or (entry.name if entry else None) or (previous.agency.name if previous else "")
    draft = Report.blank(name, year, fmt, level or (entry.level if entry else None))
    if previous:
        draft = draft.carried_over_from(previous)
    return _with_entry(draft, entry) if entry else draft


def _with_entry(report: Report, entry: Entry) -> Report:
    lead = report.lead or Lead()
    lead = replace(lead, website=entry.website or lead.website, url=entry.url or lead.url,
                   contact={**lead.contact, **entry.contact})
    return replace(report, lead=lead, agency=replace(report.agency, level=entry.level or report.agency.level))


def draft_text(report: Report) -> str:
    return datafile.dumps(report)


def default_name(report: Report, suffix: str) -> Path:
    return Path(safe_filename(report.title, suffix))


def write_draft(report: Report, output: Path, force: bool = False, docx: Path | None = None) -> list[Path]:
    """The draft's data file, and with ``docx`` a blank Word report beside it."""
    targets = [output, *([docx] if docx else [])]
    refuse_existing(targets, force)
    written = [write_atomic(output, datafile.dumps(report), force=force)]
    if docx:
        written.append(write_atomic(docx, render_docx(report, draft=True), force=force))
    return written


# -- rendering -------------------------------------------------------------------------------------


def refuse_existing(paths: Iterable[Path], force: bool) -> None:
    """Before any work: nothing is overwritten without ``force``."""
    from .errors import OutputExists

    for path in paths:
        if path.exists() and not force:
            raise OutputExists(path)


def template_findings(template: str | Path, fmt: Format) -> list[Finding]:
    from .render.lint import lint

    return lint(template, fmt)


def render_docx(report: Report, template: str | Path | None = None, draft: bool = False) -> bytes:
    """The .docx bytes; a ``draft`` is marked 「征求意见稿」."""
    from .render import render

    content = render(report, template)
    if draft:
        from .render.draftmark import mark_draft

        content = mark_draft(content)
    return content


@dataclass
class Rendered:
    """A report written: the findings it was checked with, the files written, and those left as they were."""

    findings: list[Finding]
    written: list[Path]
    unchanged: list[Path] = field(default_factory=list)
    font_fallbacks: list = field(default_factory=list)  # render.fonts.Fallback: faces the PDF lost

    @property
    def errors(self) -> int:
        return count(self.findings, ERROR)


def render_files(report: Report, outputs: Outputs, *, template: Path | None = None, previous: Report | None = None,
                 ignore_errors: bool = False, force: bool = False, draft: bool = False,
                 findings: list[Finding] | None = None, allow_unread: bool = False) -> Rendered:
    """Check, gate on errors, on unread figures and on unfinished text, lint a custom template, then
    write every output asked for. An unfinished report is written only as a ``draft``, its .docx
    marked as such; figures not read (null) only with ``allow_unread``, shown as 「—」 with the
    totals they feed.

    Everything is made in memory first, so nothing is written when any part fails. A file already
    on disk with exactly the bytes this report gives is left as it is, so a PDF or a web page can
    be added beside an existing .docx without ``force``. The chart needs last year's report.
    """
    findings = check(report, previous) if findings is None else findings
    if report.unread and not allow_unread:
        raise UnreadFiguresInReport(report)
    if report.unread and outputs.chart:
        raise ToolkitError(f"报告有 {len(report.unread)} 个数字未读取（null），无法生成对比图；请补全后重试，或不加 --chart。")
    if count(findings, ERROR) and not ignore_errors:
        raise ReportHasErrors(findings)
    if rules.is_unfinished(findings) and not draft:
        raise ReportUnfinished(findings)
    if template and (problems := template_findings(template, report.format)):
        raise TemplateRejected(template, problems)
    document = render_docx(report, template, draft) if outputs.docx or outputs.pdf else None
    contents, document = publish.contents(report, outputs, document, previous, draft)
    unchanged = [p for p, data in contents.items() if p.exists() and p.read_bytes() == data]
    refuse_existing([p for p in outputs.paths() if p not in unchanged], force)
    written = [write_atomic(p, data, force=force) for p, data in contents.items() if p not in unchanged]
    fallbacks = []
    if outputs.pdf:
        from .render import docx_to_pdf, fonts

        try:
            converted = docx_to_pdf(document)
            written.append(write_atomic(outputs.pdf, converted, force=force))
        except ToolkitError as exc:
            done = f"（已生成：{'、'.join(map(str, written))}）" if written else ""
            raise ToolkitError(f"PDF 未生成{done}：{exc}") from None
        fallbacks = fonts.fallbacks(document, converted)
    return Rendered(findings, written, unchanged, fallbacks)


# -- templates -------------------------------------------------------------------------------------


def template_format(version: str | None) -> Format:
    """The format a template is for: as asked, else the newest."""
    from .formats import latest

    return get_format(version) if version else latest()


@dataclass
class TemplateCheck:
    """A template checked: a one-line verdict and every problem, located."""

    verdict: str
    findings: list[Finding]


def check_template(template: str | Path, fmt: Format) -> TemplateCheck:
    from .render.lint import verdict

    findings = template_findings(template, fmt)
    return TemplateCheck(verdict(findings), findings)


def export_template(dest: Path, version: str | None = None, force: bool = False) -> Path:
    from .render import default_template

    fmt = template_format(version)
    return write_atomic(dest, default_template(fmt.version).read_bytes(), force=force)


@dataclass
class Adopted:
    """A document turned into a template: what it replaced, what it could not place, and its check."""

    written: Path
    format: Format
    replaced: list[str]
    unplaced: list[Finding]
    check: TemplateCheck


def adopt_template(source: str | Path, dest: Path, version: str | None = None, force: bool = False) -> Adopted:
    """An official-format .docx (blank template or filled-in report) written out as a template, then checked."""
    from .formats import versions
    from .render.adopt import adopt

    refuse_existing([dest], force)
    formats = [get_format(version)] if version else [get_format(v) for v in reversed(versions())]
    adoption = adopt(source, formats)
    written = write_atomic(dest, adoption.content, force=force)
    unplaced = [f.in_file(str(source)) for f in adoption.unplaced]
    return Adopted(written, adoption.format, adoption.replaced, unplaced, check_template(written, adoption.format))


# -- registers -------------------------------------------------------------------------------------


@dataclass
class Tallied:
    """A year counted from a register, as a report: a new draft or the updated data file."""

    tally: Tally
    report: Report
    written: Path | None = None


def tally_registers(registers: list[Path], years: list[int] | None = None, *, format_version: str | None = None,
                    labels: Path | None = None, skip_bad_rows: bool = False) -> list[Tallied]:
    """Each year's tables 三 and 四 from the registers (every year they cover when ``years`` is None),
    each as a draft report of that year's format."""
    from .tally import Labels, count, read_checked

    words = Labels.load(labels)
    fmt = get_format(format_version) if format_version else None
    registers_by_format = {}

    def register_for(year_format: Format):
        if year_format.version not in registers_by_format:
            registers_by_format[year_format.version] = read_checked(registers, year_format, words, skip_bad_rows)
        return registers_by_format[year_format.version]

    if years is None:
        from .formats import latest, versions

        first = min(get_format(v).first_year for v in versions())
        years = [y for y in register_for(fmt or latest()).years() if y >= first]
    results = []
    for year in years:
        register = register_for(fmt or format_for_year(year))
        tally = count(register, year)
        draft = Report.blank("", year, tally.format)
        draft.figures.update(tally.figures)
        results.append(Tallied(tally, draft))
    return results


def tally_into(data_file: Path, registers: list[Path], year: int | None = None, *, labels: Path | None = None,
               skip_bad_rows: bool = False) -> Tallied:
    """Count the data file's year and write the figures into it, leaving the rest of it as it was."""
    from .figures_update import update_figures

    if not is_data_file(data_file):
        raise ToolkitError(f"--into 只能写入 YAML 数据文件（.yaml），{data_file.name} 不是。可改用 -o 生成新的数据文件。")
    raw = data_file.read_bytes() if data_file.is_file() else None
    if raw is None:
        raise ToolkitError(f"数据文件不存在：{data_file}。可先用 govreport new 生成，或改用 -o 生成新的数据文件。")
    report = datafile.loads(raw, data_file)
    if year is not None and year != report.year:
        raise ToolkitError(f"{data_file} 是 {report.year} 年度的数据文件，与 --year {year} 不符。")
    tallied, = tally_registers(registers, [report.year], format_version=report.format.version, labels=labels,
                               skip_bad_rows=skip_bad_rows)
    write_atomic(data_file, update_figures(raw, data_file, tallied.tally.figures), force=True)
    return Tallied(tallied.tally, datafile.load(data_file), data_file)


def tally_draft(registers: list[Path], year: int, output: Path, *, agency: str | None = None,
                format_version: str | None = None, labels: Path | None = None, skip_bad_rows: bool = False,
                force: bool = False) -> Tallied:
    """A new data file for the year with the counted figures and everything else blank."""
    refuse_existing([output], force)
    tallied, = tally_registers(registers, [year], format_version=format_version, labels=labels,
                               skip_bad_rows=skip_bad_rows)
    draft = new_report(agency, year, tallied.tally.format.version)
    draft.figures.update(tallied.tally.figures)
    write_draft(draft, output, force)
    return Tallied(tallied.tally, draft, output)


def write_register_template(dest: Path, format_version: str | None = None, force: bool = False) -> Path:
    """An empty register workbook with the recommended columns and the official choices."""
    from .register_template import template_workbook

    return write_atomic(dest, template_workbook(template_format(format_version)), force=force)
