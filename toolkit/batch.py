"""Work on many agencies at once: drafts, reports and checks, in parallel, one failure never
stopping the others. Each job is a plain function of picklable arguments returning an Outcome."""

from __future__ import annotations

import functools
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from . import api
from .errors import ToolkitError
from .findings import ERROR, WARNING, count
from .formats import get_format
from .registry import Entry, Registry
from .rules import is_unfinished

DONE, SKIPPED, FAILED = "done", "skipped", "failed"


@dataclass(frozen=True)
class Outcome:
    subject: str
    status: str
    message: str = ""
    outputs: tuple[str, ...] = ()
    errors: int = 0
    warnings: int = 0
    unfinished: bool = False
    details: tuple[str, ...] = field(default=(), compare=False)  # findings, for the batch check report


@dataclass(frozen=True)
class Job:
    subject: str
    function: Callable[..., Outcome]
    arguments: tuple


def run(jobs: list[Job], workers: int | None = None) -> Iterator[Outcome]:
    """Outcomes as jobs finish; in a pool of ``workers`` processes (default: one per CPU)."""
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(jobs) <= 1:
        for job in jobs:
            yield _guarded(job)
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        futures = [pool.submit(_guarded, job) for job in jobs]
        for future in as_completed(futures):
            yield future.result()


def _guarded(job: Job) -> Outcome:
    try:
        return job.function(*job.arguments)
    except ToolkitError as exc:
        return Outcome(job.subject, FAILED, str(exc))
    except Exception as exc:  # one agency's unforeseen failure must not stop the batch
        return Outcome(job.subject, FAILED, f"内部错误（{type(exc).__name__}）：{exc}")


def _existing(paths: list[Path], force: bool) -> list[Path]:
    return [] if force else [p for p in paths if p.exists()]


# -- drafts ------------------------------------------------------------------------------------------


def draft_jobs(registry: Registry, year: int, out: Path, previous: Path | None = None, with_docx: bool = False,
               force: bool = False, format_version: str | None = None) -> list[Job]:
    previous_files = _index_by_agency(previous) if previous else {}
    jobs = []
    for entry in registry.agencies:
        last = previous_files.get(entry.stem) or previous_files.get(entry.name)
        jobs.append(Job(entry.name, write_draft, (entry, year, out, last, with_docx, force, format_version)))
    return jobs


def _index_by_agency(folder: Path) -> dict[str, Path]:
    """Last year's reports (data files or published copies) by file stem and by agency name."""
    index: dict[str, Path] = {}
    readable = api.readable_suffixes()
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in readable):
        index.setdefault(path.stem, path)
        try:
            index.setdefault(api.load(path).report.agency.name, path)
        except ToolkitError:
            pass
    return index


def write_draft(entry: Entry, year: int, out: Path, previous: Path | None, with_docx: bool, force: bool,
                format_version: str | None) -> Outcome:
    data, docx = out / f"{entry.stem}.yaml", (out / f"{entry.stem}.docx" if with_docx else None)
    if existing := _existing([p for p in (data, docx) if p], force):
        return Outcome(entry.name, SKIPPED, f"已存在 {existing[0].name}，未覆盖（加 --force 覆盖）")
    last = api.load_report(previous) if previous else None
    report = api.new_report(entry.name, year, format_version, previous=last, entry=entry)
    written = api.write_draft(report, data, force, docx)
    carried = f"（已带入上年数据：{previous.name}）" if previous else ""
    return Outcome(entry.name, DONE, carried, tuple(map(str, written)))


# -- reports -----------------------------------------------------------------------------------------


def render_jobs(folder: Path, out: Path, registry: Registry | None = None, ignore_errors: bool = False,
                force: bool = False, draft: bool = False, extra: tuple[str, ...] = ()) -> list[Job]:
    """A job per data file; ``extra`` names further kinds to write beside each .docx ("html", "json", "csv")."""
    return [Job(path.name, write_report, (path, out, registry, ignore_errors, force, draft, extra))
            for path in sorted(folder.glob("*.yaml"))]


@functools.lru_cache(maxsize=None)
def _template_problems(template: Path, version: str) -> int:
    """Problems of an agency template, linted once per process however many reports use it."""
    return len(api.template_findings(template, get_format(version)))


def write_report(path: Path, out: Path, registry: Registry | None, ignore_errors: bool, force: bool,
                 draft: bool = False, extra: tuple[str, ...] = ()) -> Outcome:
    target = out / f"{path.stem}.docx"
    outputs = api.Outputs(docx=target, **{kind: target.with_suffix(f".{kind}") for kind in extra})
    if existing := _existing(outputs.paths(), force):
        return Outcome(path.name, SKIPPED, f"已存在 {'、'.join(p.name for p in existing)}，未覆盖（加 --force 覆盖）")
    report = api.load_report(path)
    entry = registry.by_name(report.agency.name) if registry else None
    template = entry.template if entry else None
    if template and (problems := _template_problems(template, report.format.version)):
        return Outcome(report.agency.name, FAILED,
                       f"模板 {template.name} 有 {problems} 处问题（govreport template check {template} 查看）")
    findings = api.check(report)
    tally = dict(errors=count(findings, ERROR), warnings=count(findings, WARNING), unfinished=is_unfinished(findings))
    try:
        api.render_files(report, outputs, template=template, ignore_errors=ignore_errors, force=force, draft=draft,
                         findings=findings)
    except api.ReportHasErrors:
        return Outcome(report.agency.name, FAILED, f"有 {tally['errors']} 个错误，未生成（govreport check {path.name} 查看）",
                       **tally)
    except api.ReportUnfinished as exc:
        return Outcome(report.agency.name, FAILED, f"尚未完成（{len(exc.findings)} 处未填写），未生成（加 --draft 生成草稿）",
                       **tally)
    return Outcome(report.agency.name, DONE, "已生成草稿" if tally["unfinished"] else "", tuple(map(str, outputs.paths())),
                   **tally)


# -- checks ------------------------------------------------------------------------------------------


def check_jobs(folder: Path, previous: Path | None = None) -> list[Job]:
    previous_files = _index_by_agency(previous) if previous else {}
    readable = api.readable_suffixes()
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in readable)
    # A data file and the report rendered from it share a name; the data file speaks for both.
    data_stems = {p.stem for p in files if api.is_data_file(p)}
    files = [p for p in files if api.is_data_file(p) or p.stem not in data_stems]
    return [Job(path.name, check_one, (path, previous_files.get(path.stem))) for path in files]


def check_one(path: Path, previous: Path | None) -> Outcome:
    last = api.load(previous).report if previous else None
    result = api.check_file(path, last)
    if not result.usable:
        return Outcome(path.name, FAILED, "文件无法使用", details=tuple(result.problems))
    return Outcome(result.agency or path.name, DONE, "", (str(path),), result.count(ERROR), result.count(WARNING),
                   result.unfinished, tuple(f.describe() for f in result.findings))
