"""Work on many agencies at once: drafts, reports, PDFs and checks, in parallel, one failure never
stopping the others. Each job is a plain function of small picklable arguments returning an
Outcome; what all jobs share (the agency list) goes to each worker process once, not with every
job, so the cost of a job does not grow with the size of the batch."""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import signal
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

from . import api, guard
from .errors import OutputExists, ToolkitError
from .output import write_atomic
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
    remedy: str | None = None  # what would let a skipped or failed job go ahead (see errors.py)
    result: "api.CheckResult | None" = field(default=None, compare=False, repr=False)  # a check's own result


@dataclass(frozen=True)
class Job:
    subject: str
    function: Callable[..., Outcome]
    arguments: tuple


@dataclass(frozen=True)
class Batch:
    """Jobs, and the keyword arguments every job function receives besides its own."""

    jobs: list[Job]
    shared: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.jobs)


# What every job of the running batch shares, installed once per worker process.
_SHARED: dict = {}
# Jobs handed to the pool ahead of the free workers: enough to keep them busy, few enough that
# memory does not grow with the batch and an interrupt has little to cancel.
_AHEAD_PER_WORKER = 4


def run(batch: Batch, workers: int | None = None) -> Iterator[Outcome]:
    """Outcomes as jobs finish; in a pool of ``workers`` processes (default: one per CPU).

    An interrupt (KeyboardInterrupt, raised while waiting or thrown in by the caller) cancels the
    jobs not yet started, reports those already running once they finish — their files are
    written whole, by write_atomic — and is raised again."""
    workers = min(workers or os.cpu_count() or 1, len(batch.jobs))
    if workers <= 1:
        _install(batch.shared)
        for job in batch.jobs:
            yield _guarded(job)
        return
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(batch.shared,),
                               mp_context=_process_context())
    unreported: set = set()
    try:
        waiting = iter(batch.jobs)
        while True:
            for job in waiting:
                unreported.add(pool.submit(_guarded, job))
                if len(unreported) >= workers * _AHEAD_PER_WORKER:
                    break
            if not unreported:
                return
            finished, _ = wait(unreported, return_when=FIRST_COMPLETED)
            for future in finished:
                unreported.discard(future)
                yield future.result()
    except KeyboardInterrupt:
        for future in unreported:
            future.cancel()
        for future in unreported:
            if not future.cancelled():
                yield future.result()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _process_context():
    """Forked workers, unless this process runs Typst's threads (the native PDF path): a fork
    would copy its locks without the threads that hold them, so workers start afresh then."""
    from .render import native

    return multiprocessing.get_context("forkserver") if native.started() else None


def _start_worker(shared: dict) -> None:
    # Ctrl-C reaches the whole process group; the parent alone decides what stops, and a worker
    # whose parent is killed outright dies with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    guard.die_with_parent()
    _install(shared)


def _install(shared: dict) -> None:
    _SHARED.clear()
    _SHARED.update(shared)


def _guarded(job: Job) -> Outcome:
    try:
        return job.function(*job.arguments, **_SHARED)
    except ToolkitError as exc:
        return Outcome(job.subject, FAILED, str(exc), remedy=exc.remedy)
    except Exception as exc:  # one agency's unforeseen failure must not stop the batch
        return Outcome(job.subject, FAILED, f"内部错误（{type(exc).__name__}）：{exc}")


def _existing(paths: list[Path], force: bool) -> list[Path]:
    return [] if force else [p for p in paths if p.exists()]


# -- drafts ------------------------------------------------------------------------------------------


def draft_jobs(registry: Registry, year: int, out: Path, previous: Path | None = None, with_docx: bool = False,
               force: bool = False, format_version: str | None = None) -> Batch:
    previous_files = _index_by_agency(previous) if previous else {}
    jobs = []
    for entry in registry.agencies:
        last = previous_files.get(entry.stem) or previous_files.get(entry.name)
        jobs.append(Job(entry.name, write_draft, (entry, year, out, last, with_docx, force, format_version)))
    return Batch(jobs)


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
        return Outcome(entry.name, SKIPPED, f"已存在 {existing[0].name}，未覆盖", remedy="force")
    last = api.load_report(previous) if previous else None
    report = api.new_report(entry.name, year, format_version, previous=last, entry=entry)
    written = api.write_draft(report, data, force, docx)
    carried = f"（已带入上年数据：{previous.name}）" if previous else ""
    return Outcome(entry.name, DONE, carried, tuple(map(str, written)))


# -- reports -----------------------------------------------------------------------------------------


def render_jobs(folder: Path, out: Path, registry: Registry | None = None, ignore_errors: bool = False,
                force: bool = False, draft: bool = False, extra: tuple[str, ...] = (), pdf_engine: str | None = None,
                pdfa: bool = False) -> Batch:
    """A job per data file; ``extra`` names further kinds to write beside each .docx ("pdf", "html",
    "json", "csv"). A PDF is typeset in the job when its report takes the native path; the others
    are left to ``write_pdfs``."""
    return Batch([Job(path.name, write_report, (path, out, ignore_errors, force, draft, extra))
                  for path in sorted(folder.glob("*.yaml"))],
                 {"registry": registry, "pdf_engine": pdf_engine, "pdfa": pdfa})


@functools.lru_cache(maxsize=None)
def _template_problems(template: Path, version: str) -> int:
    """Problems of an agency template, linted once per process however many reports use it."""
    from .office_templates.lint import blocking

    return len(blocking(api.template_findings(template, get_format(version))))


def write_report(path: Path, out: Path, ignore_errors: bool, force: bool, draft: bool = False,
                 extra: tuple[str, ...] = (), *, registry: Registry | None = None, pdf_engine: str | None = None,
                 pdfa: bool = False) -> Outcome:
    target = out / f"{path.stem}.docx"
    outputs = api.Outputs(docx=target, **{kind: target.with_suffix(f".{kind}") for kind in extra})
    existing = _existing(outputs.paths(), force)
    if len(existing) == len(outputs.paths()):
        return Outcome(path.name, SKIPPED, f"已存在 {'、'.join(p.name for p in existing)}，未覆盖", remedy="force")
    # Some outputs missing (a run stopped part-way): the set is completed; those already there are
    # left as they are when this run gives the same bytes, and refused otherwise.
    report = api.load_report(path)
    entry = registry.by_name(report.agency.name) if registry else None
    template = entry.template if entry else None
    if outputs.pdf and api.pdf_engine_for(template, asked=pdf_engine) == api.OFFICE:
        if pdfa:
            return Outcome(report.agency.name, FAILED, "使用自定义模板的报告由 LibreOffice 转换 PDF，不能生成 PDF/A")
        outputs = replace(outputs, pdf=None)  # converted afterwards, in the LibreOffice pool (write_pdfs)
    if template and (problems := _template_problems(template, report.format.version)):
        return Outcome(report.agency.name, FAILED,
                       f"模板 {template.name} 有 {problems} 处问题（govreport template check {template} 查看）")
    findings = api.check(report)
    tally = dict(errors=count(findings, ERROR), warnings=count(findings, WARNING), unfinished=is_unfinished(findings))
    try:
        api.render_files(report, outputs, template=template, ignore_errors=ignore_errors, force=force, draft=draft,
                         findings=findings, pdf_engine=pdf_engine, pdfa=pdfa)
    except api.ReportHasErrors:
        return Outcome(report.agency.name, FAILED, f"有 {tally['errors']} 个错误，未生成（govreport check {path.name} 查看）",
                       **tally)
    except api.ReportUnfinished as exc:
        return Outcome(report.agency.name, FAILED, f"尚未完成（{len(exc.findings)} 处未填写），未生成",
                       remedy=exc.remedy, **tally)
    return Outcome(report.agency.name, DONE, "已生成草稿" if tally["unfinished"] else "", tuple(map(str, outputs.paths())),
                   **tally)


def report_paths(batch: Batch) -> list[Path]:
    """The .docx each job of a render batch writes."""
    return [out / f"{path.stem}.docx" for path, out, *_ in (job.arguments for job in batch.jobs)]


def office_pdf_reports(batch: Batch, outcomes: list[Outcome]) -> list[Path]:
    """The reports on disk whose PDF the jobs did not typeset: for the LibreOffice pool."""
    made = {output for outcome in outcomes for output in outcome.outputs}
    return [p for p in report_paths(batch) if p.exists() and str(p.with_suffix(".pdf")) not in made]


def write_pdfs(reports: list[Path], force: bool, workers: int | None = None) -> Iterator[Outcome]:
    """A PDF beside each .docx on disk, through a pool of LibreOffice instances (render.pdf), as
    each is ready. Closing the iterator stops LibreOffice."""
    from .render.pdf import convert_many

    todo = []
    for docx in (p for p in reports if p.exists()):
        pdf = docx.with_suffix(".pdf")
        if pdf.exists() and not force:
            yield Outcome(pdf.name, SKIPPED, f"已存在 {pdf.name}，未覆盖", remedy="force")
        else:
            todo.append(docx)
    with contextlib.closing(convert_many(todo, workers)) as conversions:
        for conversion in conversions:
            pdf = conversion.source.with_suffix(".pdf")
            if conversion.pdf is None:
                yield Outcome(pdf.name, FAILED, conversion.error)
                continue
            try:
                write_atomic(pdf, conversion.pdf, force=force)
            except OutputExists:
                yield Outcome(pdf.name, SKIPPED, f"已存在 {pdf.name}，未覆盖", remedy="force")
                continue
            except ToolkitError as exc:
                yield Outcome(pdf.name, FAILED, str(exc))
                continue
            retried = "（重试后成功）" if conversion.attempts > 1 else ""
            yield Outcome(pdf.name, DONE, retried, (str(pdf),))


# -- checks ------------------------------------------------------------------------------------------


def check_jobs(folder: Path) -> Batch:
    """A check per readable file of a folder; a data file and the report rendered from it share a
    name, and the data file speaks for both."""
    readable = api.readable_suffixes()
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in readable)
    data_stems = {p.stem for p in files if api.is_data_file(p)}
    files = [p for p in files if api.is_data_file(p) or p.stem not in data_stems]
    return Batch([Job(path.name, check_one, (path, None)) for path in files])


def recheck_jobs(results: list[api.CheckResult], earlier: list[api.CheckResult] = ()) -> Batch:
    """Checks again, against last year's report, of the results whose agency's previous year is
    among them or among ``earlier`` ones: paired by agency and year, as ``check`` pairs files."""
    pairs = api.previous_year_pairs(results, earlier)
    return Batch([Job(Path(results[i].file).name, check_one, (Path(results[i].file), last))
                  for i, last in pairs.items()])


def check_one(path: Path, previous: Path | None) -> Outcome:
    """The check of one file; its CheckResult rides in the outcome for the verdict and 雷同."""
    try:
        last = api.load(previous).report if previous else None
    except ToolkitError:
        last = None  # last year's report is unusable: its own check says why
    result = api.check_file(path, last)
    if not result.usable:
        return Outcome(path.name, FAILED, "文件无法使用", result=result)
    return Outcome(path.name, DONE, "", (str(path),), result.count(ERROR), result.count(WARNING), result.unfinished,
                   result=result)
