"""Work on many agencies at once: drafts, reports and checks, in parallel, one failure never
stopping the others. Each job is a plain function of picklable arguments returning an Outcome."""

from __future__ import annotations

import functools
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

from . import datafile, rules
from .errors import ToolkitError
from .model import Lead, Report
from .output import write_atomic
from .registry import Agency, Registry

DONE, SKIPPED, FAILED = "done", "skipped", "failed"


@dataclass(frozen=True)
class Outcome:
    subject: str
    status: str
    message: str = ""
    outputs: tuple[str, ...] = ()
    errors: int = 0
    warnings: int = 0
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
    for agency in registry.agencies:
        last = previous_files.get(agency.stem) or previous_files.get(agency.name)
        jobs.append(Job(agency.name, write_draft, (agency, year, out, last, with_docx, force, format_version)))
    return jobs


def _index_by_agency(folder: Path) -> dict[str, Path]:
    """Last year's data files by file stem and by agency name, so renamed files still match."""
    index: dict[str, Path] = {}
    for path in sorted(folder.glob("*.yaml")):
        index[path.stem] = path
        try:
            index.setdefault(datafile.load(path).agency.name, path)
        except ToolkitError:
            pass
    return index


def write_draft(agency: Agency, year: int, out: Path, previous: Path | None, with_docx: bool, force: bool,
                format_version: str | None) -> Outcome:
    from . import new_report

    targets = [out / f"{agency.stem}.yaml"] + ([out / f"{agency.stem}.docx"] if with_docx else [])
    if existing := _existing(targets, force):
        return Outcome(agency.name, SKIPPED, f"已存在 {existing[0].name}，未覆盖（加 --force 覆盖）")
    last = datafile.load(previous) if previous else None
    report = new_report(agency.name, year, format_version, agency.level, previous=last)
    report = with_registry_details(report, agency)
    write_atomic(targets[0], datafile.dumps(report), force=force)
    if with_docx:
        from .render import render

        write_atomic(targets[1], render(report, agency.template), force=force)
    carried = f"（已带入上年数据：{previous.name}）" if previous else ""
    return Outcome(agency.name, DONE, carried, tuple(map(str, targets)))


def with_registry_details(report: Report, agency: Agency) -> Report:
    """The registry's level, website and contact details override last year's."""
    lead = report.lead or Lead()
    lead = replace(lead, website=agency.website or lead.website, url=agency.url or lead.url,
                   contact={**lead.contact, **agency.contact})
    level = agency.level or report.agency.level
    return replace(report, lead=lead, agency=replace(report.agency, level=level))


# -- reports -----------------------------------------------------------------------------------------


def render_jobs(folder: Path, out: Path, registry: Registry | None = None, ignore_errors: bool = False,
                force: bool = False) -> list[Job]:
    return [Job(path.name, write_report, (path, out, registry, ignore_errors, force))
            for path in sorted(folder.glob("*.yaml"))]


@functools.lru_cache(maxsize=None)
def _template_problems(template: Path, version: str) -> int:
    """Problems of an agency template, linted once per process however many reports use it."""
    from .formats import get_format
    from .render.lint import lint

    return len(lint(template, get_format(version)))


def write_report(path: Path, out: Path, registry: Registry | None, ignore_errors: bool, force: bool) -> Outcome:
    from .render import render

    target = out / f"{path.stem}.docx"
    if _existing([target], force):
        return Outcome(path.name, SKIPPED, f"已存在 {target.name}，未覆盖（加 --force 覆盖）")
    report = datafile.load(path)
    agency = registry.by_name(report.agency.name) if registry else None
    template = agency.template if agency else None
    if template and (problems := _template_problems(template, report.format.version)):
        return Outcome(report.agency.name, FAILED,
                       f"模板 {template.name} 有 {problems} 处问题（govreport template check {template} 查看）")
    findings = rules.check(report)
    errors = sum(f.severity == rules.ERROR for f in findings)
    warnings = len(findings) - errors
    if errors and not ignore_errors:
        return Outcome(report.agency.name, FAILED, f"有 {errors} 个错误，未生成（govreport check {path.name} 查看）",
                       errors=errors, warnings=warnings)
    write_atomic(target, render(report, template), force=force)
    return Outcome(report.agency.name, DONE, "", (str(target),), errors, warnings)


# -- checks ------------------------------------------------------------------------------------------


def check_jobs(folder: Path, previous: Path | None = None) -> list[Job]:
    from .extract import SUFFIXES

    previous_files = _index_by_agency(previous) if previous else {}
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".yaml", ".yml", *SUFFIXES))
    # A data file and the report rendered from it share a name; the data file speaks for both.
    data_stems = {p.stem for p in files if p.suffix.lower() in (".yaml", ".yml")}
    files = [p for p in files if p.suffix.lower() in (".yaml", ".yml") or p.stem not in data_stems]
    return [Job(path.name, check_one, (path, previous_files.get(path.stem))) for path in files]


def check_one(path: Path, previous: Path | None) -> Outcome:
    from .extract import load_any

    last = load_any(previous).report if previous else None
    result = rules.check_file(path, last)
    if not result.usable:
        return Outcome(path.name, FAILED, "文件无法使用", details=tuple(result.problems))
    errors, warnings = result.count(rules.ERROR), result.count(rules.WARNING)
    return Outcome(result.agency or path.name, DONE, "", (str(path),), errors, warnings,
                   tuple(f.describe() for f in result.findings))
