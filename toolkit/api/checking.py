"""Checking reports and published copies, one file or a folder of them, with what could not be read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from .. import rules
from ..errors import DataFileError, ToolkitError
from ..findings import ERROR, WARNING, Finding, count
from ..model import Report
from .sources import Loaded, load


# The verdicts, worst first.
UNUSABLE, UNFINISHED, FAILED, TABLES_UNCHECKED, PARTLY_CHECKED, PASSED = (
    "无法使用", "未完成", "未通过", "未核查表格", "仅部分核查", "通过")
VERDICTS = (UNUSABLE, UNFINISHED, FAILED, TABLES_UNCHECKED, PARTLY_CHECKED, PASSED)


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
        return self.verdict()

    def verdict(self, strict: bool = False) -> str:
        """The one verdict every interface gives: 无法使用, 未完成, 未通过 (errors; with ``strict``
        warnings too), 未核查表格 (no figure read), 仅部分核查 (some figures unread) or 通过. A copy
        whose tables were not read has not passed."""
        if not self.usable:
            return UNUSABLE
        if self.unfinished:
            return UNFINISHED
        if self.count(ERROR) or (strict and self.count(WARNING)):
            return FAILED
        return {"complete": PASSED, "partial": PARTLY_CHECKED, "none": TABLES_UNCHECKED}[self.coverage]

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


def overall_verdict(verdicts: Iterable[str]) -> str:
    """The verdict on files checked together: the worst one; tables unread in some files only
    leave the whole 仅部分核查."""
    verdicts = list(verdicts)
    worst = min(verdicts, key=VERDICTS.index, default=PASSED)
    if worst == TABLES_UNCHECKED and any(v != TABLES_UNCHECKED for v in verdicts):
        return PARTLY_CHECKED
    return worst


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
    """Check many files.

    A report whose agency's previous year is among the files is also checked against it
    (``previous_year_pairs``); narrative sections copied between the reports checked together
    (雷同) are reported too (``add_copied_sections``).
    """
    results = [check_file(path, previous, agency, year) for path in paths]
    if previous is None:
        for position, last in previous_year_pairs(results).items():
            try:
                results[position] = check_file(results[position].file, load(last, agency).report, agency, year)
            except ToolkitError:
                pass  # the previous year's own result already says why it is unusable
    add_copied_sections(results)
    yield from results


def agency_year(result: CheckResult) -> tuple[str, int] | None:
    """The key that pairs a report with its agency's other years."""
    if result.usable and result.agency and result.year:
        return _same_agency(result.agency), result.year
    return None


def previous_year_pairs(results: list[CheckResult], earlier: Iterable[CheckResult] = ()) -> dict[int, Path]:
    """Each result's position → the file of the same agency's previous year, among the results
    themselves and ``earlier`` ones (last year's folder)."""
    index = {key: Path(r.file) for r in [*earlier, *results] if (key := agency_year(r))}
    pairs = {}
    for position, result in enumerate(results):
        key = agency_year(result)
        if key and (key[0], key[1] - 1) in index:
            pairs[position] = index[key[0], key[1] - 1]
    return pairs


def add_copied_sections(results: list[CheckResult]) -> None:
    """Narrative sections copied between the reports checked together (雷同), as findings on each."""
    from ..rules.similarity import copied_sections

    copied = copied_sections([(r.file, r.sections) for r in results])
    for result in results:
        result.findings += copied.get(result.file, [])


def _same_agency(name: str) -> str:
    """An agency's name as the key that pairs its reports: 淮安市洪泽区人民政府 and 洪泽区人民政府 alike."""
    from ..extract.meta import compact

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
