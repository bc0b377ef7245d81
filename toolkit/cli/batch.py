"""Commands over many agencies at once: batch new, render, check."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Iterator

import click

from .. import api
from .. import batch as batch_lib
from .. import registry
from ..findings import ERROR, WARNING
from .present import EXIT_FINDINGS, EXIT_INTERRUPTED, echo_check_details, echo_table, exit_code
from .remedies import with_advice

_JOBS_OPTION = click.option("-j", "--jobs", "workers", type=click.IntRange(1, 256), default=None,
                            help="并行进程数（默认为 CPU 核数）。")
_STATUS = {batch_lib.DONE: "完成", batch_lib.SKIPPED: "跳过", batch_lib.FAILED: "失败"}


@click.group()
def batch():
    """批量处理多个机关：生成空白数据文件、生成报告、检查。"""


def _registry(path: Path) -> registry.Registry:
    loaded = registry.load(path)
    for problem in loaded.problems:
        click.echo(f"{problem.describe(path)}\n", err=True)
    return loaded


class _Progress:
    """Outcomes shown as they come (a bar on a terminal, a line each otherwise) and kept, so that
    an interrupted batch can still say what it did."""

    def __init__(self):
        self.outcomes: list[batch_lib.Outcome] = []
        self.interrupted = False

    def follow(self, outcomes: Iterator[batch_lib.Outcome], total: int, title: str) -> None:
        """Runs a stage to its end, or until Ctrl-C (which stops its workers before returning)."""
        if self.interrupted:
            return
        try:
            with contextlib.closing(outcomes):
                if sys.stderr.isatty():
                    with click.progressbar(length=total, label=title, file=sys.stderr) as bar:
                        for outcome in outcomes:
                            self.outcomes.append(outcome)
                            bar.update(1)
                else:
                    for number, outcome in enumerate(outcomes, start=1):
                        self.outcomes.append(outcome)
                        status = f"{_STATUS[outcome.status]} {with_advice(outcome.message, outcome.remedy)}".rstrip()
                        click.echo(f"{title} [{number}/{total}] {outcome.subject}：{status}", err=True)
        except KeyboardInterrupt:
            # The stage stops its workers and still reports what they finished meanwhile.
            self.interrupted = True
            with contextlib.suppress(KeyboardInterrupt, StopIteration):
                self.outcomes.append(outcomes.throw(KeyboardInterrupt))
                self.outcomes.extend(outcomes)

    def in_order(self, batch: batch_lib.Batch) -> list[batch_lib.Outcome]:
        order = {job.subject: i for i, job in enumerate(batch.jobs)}
        return sorted(self.outcomes, key=lambda o: order.get(o.subject, len(order)))


def _run(batch: batch_lib.Batch, workers, title: str) -> _Progress:
    progress = _Progress()
    progress.follow(batch_lib.run(batch, workers), len(batch), title)
    return progress


def _summarize(progress: _Progress, planned: int, extra_failures: int = 0) -> None:
    """One summary of what was done; exit 130 after an interrupt, 1 when anything failed."""
    outcomes = progress.outcomes
    counts = {status: sum(o.status == status for o in outcomes) for status in _STATUS}
    for outcome in sorted(outcomes, key=lambda o: o.subject):
        if outcome.status == batch_lib.FAILED:
            click.echo(f"失败：{outcome.subject} —— {with_advice(outcome.message, outcome.remedy)}", err=True)
    failed = counts[batch_lib.FAILED] + extra_failures
    warnings, unfinished = sum(o.warnings for o in outcomes), sum(o.unfinished for o in outcomes)
    not_done = f"，未处理 {planned - len(outcomes)}" if progress.interrupted else ""
    click.echo(f"共 {planned + extra_failures} 项：完成 {counts[batch_lib.DONE]}，跳过 {counts[batch_lib.SKIPPED]}，"
               f"失败 {failed}{not_done}；警告 {warnings} 个，未完成 {unfinished} 份")
    if progress.interrupted:
        click.echo("已中断：已写出的文件都是完整的，重新运行同一命令可继续（已存在的文件会跳过）。", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if failed:
        sys.exit(EXIT_FINDINGS)


@batch.command(name="new")
@click.option("--agencies", type=click.Path(path_type=Path), required=True, help="机关名单（CSV 或 YAML）。")
@click.option("--year", type=click.IntRange(2019, 2100), required=True, help="报告年度。")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="输出文件夹。")
@click.option("--previous", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="上一年度的数据文件或已发布报告所在的文件夹：按文件名或机关全称对应，自动带入结转数等。")
@click.option("--docx", "with_docx", is_flag=True, help="同时生成空白 Word 报告。")
@click.option("--format", "format_version", help="格式版本（默认按年度确定）。")
@click.option("--force", is_flag=True, help="覆盖已存在的文件。")
@_JOBS_OPTION
def batch_new(agencies, year, out, previous, with_docx, format_version, force, workers):
    """为名单中的每个机关生成本年度空白数据文件。

    \b
    示例：
      govreport batch new --agencies 机关名单.csv --year 2025 --out 2025/
      govreport batch new --agencies 机关名单.csv --year 2026 --out 2026/ --previous 2025/ --docx
    """
    loaded = _registry(agencies)
    jobs = batch_lib.draft_jobs(loaded, year, out, previous, with_docx, force, format_version)
    _summarize(_run(jobs, workers, "生成数据文件"), len(jobs), len(loaded.problems))


@batch.command(name="render")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="输出文件夹。")
@click.option("--agencies", type=click.Path(path_type=Path), help="机关名单：按名单为各机关选用自己的模板。")
@click.option("--html", "with_html", is_flag=True, help="同时生成网页（.html）。")
@click.option("--json", "with_json", is_flag=True, help="同时生成开放数据 JSON。")
@click.option("--csv", "with_csv", is_flag=True, help="同时生成开放数据 CSV。")
@click.option("--ignore-errors", is_flag=True, help="有错误的报告也生成（不推荐）。")
@click.option("--draft", is_flag=True, help="尚未填写完整的报告也生成，标明“征求意见稿”。")
@click.option("--pdf", is_flag=True, help="同时生成 PDF（与 Word 文件同名）。")
@click.option("--pdf-engine", type=click.Choice(api.PDF_ENGINES),
              help="PDF 的生成方式：native 由本工具直接排版；office 用 LibreOffice 转换。"
                   "默认：使用默认模板的报告 native，使用本机关模板的报告 office。")
@click.option("--pdfa", is_flag=True, help="PDF 按 PDF/A-2 长期保存格式生成（仅 native）。")
@click.option("--force", is_flag=True, help="覆盖已存在的文件。")
@_JOBS_OPTION
def batch_render(folder, out, agencies, with_html, with_json, with_csv, ignore_errors, draft, pdf, pdf_engine, pdfa,
                 force, workers):
    """为文件夹中的每个数据文件生成 Word 报告（可同时生成 PDF、网页和开放数据）。

    按 Ctrl-C 可随时中断：已写出的文件都是完整的，重新运行同一命令即可继续。

    \b
    示例：
      govreport batch render 2025/ --out 报告/ --agencies 机关名单.csv
      govreport batch render 2025/ --out 报告/ --pdf
      govreport batch render 2025/ --out 报告/ --html --json --csv
    """
    loaded = _registry(agencies) if agencies else None
    pdf = pdf or pdfa
    kinds = (("pdf", pdf), ("html", with_html), ("json", with_json), ("csv", with_csv))
    extra = tuple(kind for kind, asked in kinds if asked)
    jobs = batch_lib.render_jobs(folder, out, loaded, ignore_errors, force, draft, extra, pdf_engine, pdfa)
    progress = _run(jobs, workers, "生成报告")
    planned = len(jobs)
    if pdf and pdf_engine != api.NATIVE:
        reports = batch_lib.office_pdf_reports(jobs, progress.outcomes)
        planned += len(reports)
        progress.follow(batch_lib.write_pdfs(reports, force, workers), len(reports), "转换 PDF")
    _summarize(progress, planned, len(loaded.problems) if loaded else 0)


def _check_results(jobs: batch_lib.Batch, workers, title: str) -> list:
    """The CheckResults of a stage of checks, in the jobs' order; an interrupt ends the command."""
    progress = _run(jobs, workers, title)
    if progress.interrupted:
        _summarize(progress, len(jobs))
    paths = {job.subject: job.arguments[0] for job in jobs.jobs}
    # A job that failed unforeseen has no result of its own: it is a file that could not be used.
    return [o.result or api.CheckResult(str(paths[o.subject]), problems=[f"{paths[o.subject]}: {o.message}"])
            for o in progress.in_order(jobs)]


@batch.command(name="check")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--previous", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="上一年度数据文件或已发布报告所在的文件夹（按机关和年度对应），用于跨年度核对。")
@click.option("--strict", is_flag=True, help="警告也视为不通过。")
@_JOBS_OPTION
def batch_check(folder, previous, strict, workers):
    """检查文件夹中的全部数据文件和已发布的报告，最后列出每个机关的错误数、警告数和结果。

    同一机关相邻两个年度的报告自动跨年度核对；各报告之间雷同的段落也会指出。
    结果与 govreport check 逐个检查时相同。

    \b
    退出码：0 全部通过；1 有未通过、未完成或表格未能全部核查的；2 有文件无法使用。
    """
    results = _check_results(batch_lib.check_jobs(folder), workers, "检查")
    earlier = _check_results(batch_lib.check_jobs(previous), workers, "读取上年报告") if previous else []
    rechecks = batch_lib.recheck_jobs(results, earlier)
    if rechecks.jobs:
        by_file = {r.file: r for r in _check_results(rechecks, workers, "跨年度核对")}
        results = [by_file.get(r.file, r) for r in results]
    api.add_copied_sections(results)
    for result in results:
        echo_check_details(result)
    verdicts = [r.verdict(strict) for r in results]
    echo_table(("文件", "机关", "错误", "警告", "结果"),
               [(Path(r.file).name, r.agency or "（未写明）", str(r.count(ERROR)), str(r.count(WARNING)), verdict)
                for r, verdict in zip(results, verdicts)])
    counts = "，".join(f"{verdict} {verdicts.count(verdict)}" for verdict in reversed(api.VERDICTS))
    click.echo(f"共 {len(results)} 个文件：{counts}")
    sys.exit(exit_code(api.overall_verdict(verdicts)))
