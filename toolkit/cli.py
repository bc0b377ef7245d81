"""The ``govreport`` command: a thin shell over the library API."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import datafile, new_report, rules
from .errors import ToolkitError
from .output import display_width, safe_filename, write_atomic

EXIT_FINDINGS, EXIT_UNUSABLE = 1, 2


class UnusableInput(click.ClickException):
    """Input or options the tool cannot work with: exit 2, like grep and linters."""

    exit_code = EXIT_UNUSABLE

    def format_message(self) -> str:
        return self.message

    def show(self, file=None) -> None:
        click.echo(f"错误：{self.format_message()}", err=True)


def _load(path: Path):
    """A data file, or a published report read back (a report with unread figures is refused)."""
    from .extract import load_any

    try:
        extraction = load_any(path)
    except ToolkitError as exc:
        raise UnusableInput(str(exc)) from None
    if extraction.notes:
        raise UnusableInput(f"{path} 中有未能读取的数字：\n  " + "\n  ".join(extraction.notes))
    return extraction.report


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="govreport", message="govreport %(version)s")
def cli() -> None:
    """政府信息公开工作年度报告工具：生成数据文件、检查勾稽关系、生成 Word 报告。

    \b
    常用流程：
      govreport new --agency 某某乡人民政府 --year 2025 -o 2025.yaml
      （编辑 2025.yaml，填写叙述文字和表格数字）
      govreport check 2025.yaml
      govreport render 2025.yaml --pdf
    """


@cli.command()
@click.option("--agency", help="机关全称，例如：某某县某某乡人民政府。使用 --from 时可省略。")
@click.option("--year", type=click.IntRange(2019, 2100), required=True, help="报告年度，例如 2025。")
@click.option("--format", "format_version", help="格式版本：2021（默认，2021年度起）或 2019（2019、2020年度）。")
@click.option("--level", help="机关层级，例如：乡镇人民政府、政府部门。")
@click.option("--from", "previous", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="上一年度的数据文件：结转数、现行有效件数、机关信息将自动带入。")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="输出文件；默认按报告标题命名。“-”表示输出到屏幕。")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件。")
def new(agency, year, format_version, level, previous, output, force):
    """生成某机关某年度的空白数据文件（YAML）。

    每一项都已列出并注明官方名称，表格数字均为 0，叙述部分为待填写的占位文字。

    \b
    示例：
      govreport new --agency 某某乡人民政府 --year 2025 -o 2025.yaml
      govreport new --year 2025 --from 2024.yaml -o 2025.yaml
    """
    if not agency and not previous:
        raise UnusableInput("请用 --agency 给出机关全称，或用 --from 指定上一年度的数据文件。")
    last_year = _load(previous) if previous else None
    try:
        draft = new_report(agency, year, format_version, level, previous=last_year)
    except ToolkitError as exc:
        raise UnusableInput(str(exc)) from None
    text = datafile.dumps(draft)
    if str(output) == "-":
        click.echo(text, nl=False)
        return
    output = output or Path(safe_filename(draft.title, ".yaml"))
    try:
        write_atomic(output, text, force=force)
    except ToolkitError as exc:
        raise UnusableInput(str(exc)) from None
    click.echo(f"已生成：{output}", err=True)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--previous", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="上一年度的数据文件，用于跨年度核对（上年结转、现行有效件数）。")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              help="输出格式：text（默认，便于阅读）或 json（便于程序处理）。")
@click.option("--strict", is_flag=True, help="警告也视为不通过（退出码 1）。")
def check(files, previous, output_format, strict):
    """检查数据文件或已发布的报告（.docx、.pdf、.html、.txt）：结构、数字类型和全部勾稽关系。

    同一机关相邻两个年度的文件一起检查时，自动核对跨年度数字。

    \b
    退出码：0 通过；1 发现错误（加 --strict 时警告也算）；2 文件无法使用。
    \b
    示例：
      govreport check 2025.yaml
      govreport check 2025.yaml --previous 2024.yaml
      govreport check 已发布/*.pdf 已发布/*.docx
      govreport check drafts/*.yaml --format json
    """
    if previous and len(files) > 1:
        raise click.UsageError("--previous 只能与一个数据文件一起使用。")
    last_year = _load(previous) if previous else None
    results = rules.check_files(files, last_year)
    if output_format == "json":
        payload = {"files": [r.as_dict() for r in results], "summary": _summary(results)}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        _print_text(results)
    sys.exit(max(_exit_code(result, strict) for result in results))


def _exit_code(result: rules.FileResult, strict: bool) -> int:
    if not result.usable:
        return EXIT_UNUSABLE
    if result.count(rules.ERROR) or (strict and result.count(rules.WARNING)):
        return EXIT_FINDINGS
    return 0


def _summary(results: list[rules.FileResult]) -> dict:
    return {
        "files": len(results),
        "unusable": sum(not r.usable for r in results),
        "errors": sum(r.count(rules.ERROR) for r in results),
        "warnings": sum(r.count(rules.WARNING) for r in results),
    }


def _print_text(results: list[rules.FileResult]) -> None:
    for result in results:
        for problem in result.problems:
            click.echo(f"{problem}\n", err=True)
        for finding in result.findings:
            click.echo(finding.describe() + "\n")
    if len(results) > 1:
        _print_table(results)
    summary = _summary(results)
    verdict = "未通过" if summary["errors"] or summary["unusable"] else "通过"
    click.echo(f"检查 {summary['files']} 个文件：错误 {summary['errors']} 个，警告 {summary['warnings']} 个，"
               f"无法读取 {summary['unusable']} 个 —— {verdict}")


def _print_table(results: list[rules.FileResult]) -> None:
    """One line per file: who, which year, how many errors and warnings, which rules."""
    rows = [(Path(r.file).name, r.agency or "—", str(r.year or "—"), str(r.count(rules.ERROR)), str(r.count(rules.WARNING)),
             "无法读取" if not r.usable else " ".join(dict.fromkeys(f.rule for f in r.findings)) or "通过")
            for r in results]
    header = ("文件", "机关", "年度", "错误", "警告", "规则")
    widths = [max(display_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo("  ".join(_pad(cell, width) for cell, width in zip(row, widths)).rstrip())


@cli.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="输出的数据文件；默认与原文件同名（.yaml），保存在当前文件夹。")
@click.option("--agency", help="机关全称（原文标题和落款中都没有时使用）。")
@click.option("--year", type=click.IntRange(2019, 2100), help="报告年度（原文标题中没有时使用）。")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件。")
def extract(source, output, agency, year, force):
    """从已发布的报告（.docx、.pdf、.html、.txt）读出数据文件，可用于结转上年数字或核查。

    表格按官方名称定位，不依赖位置；空格、“/”、“-”按 0 计；繁体、拼音注音会自动转换。
    无法确定位置的数字不会被猜测，而是逐条列出（退出码 1）。

    \b
    示例：
      govreport extract 2024年报.pdf -o 2024.yaml
      govreport new --year 2025 --from 2024.yaml -o 2025.yaml
    """
    from .extract import extract as extract_report

    try:
        extraction = extract_report(source, agency, year)
        output = output or Path(f"{source.stem}.yaml")
        write_atomic(output, datafile.dumps(extraction.report), force=force)
    except ToolkitError as exc:
        raise UnusableInput(str(exc)) from None
    for note in extraction.notes:
        click.echo(f"未能读取：{note}", err=True)
    click.echo(f"已生成：{output}（{extraction.report.agency.name} {extraction.report.year}年度）", err=True)
    if extraction.notes:
        click.echo(f"有 {len(extraction.notes)} 处未能读取，请对照原文补全后再使用。", err=True)
        sys.exit(EXIT_FINDINGS)


@cli.command()
@click.argument("data", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="输出的 Word 文件；默认按报告标题命名，保存在当前文件夹。")
@click.option("--template", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="自定义的 Word 模板（默认使用对应格式的官方模板）。")
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 转换出 PDF（与 Word 文件同名）。")
@click.option("--previous", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="上一年度的数据文件，生成前一并核对跨年度数字。")
@click.option("--ignore-errors", is_flag=True, help="即使检查出错误也生成（不推荐，生成的报告不应直接公开）。")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件。")
def render(data, output, template, pdf, previous, ignore_errors, force):
    """由数据文件生成正式的 Word 报告（可同时生成 PDF）。

    生成前先做全部检查：有错误时不生成，除非加 --ignore-errors。

    \b
    示例：
      govreport render 2025.yaml
      govreport render 2025.yaml -o 报告.docx --pdf
      govreport render 2025.yaml --template 本单位模板.docx
    """
    from .render import docx_to_pdf, fonts, render as render_report

    report = _load(data)
    findings = rules.check(report, _load(previous) if previous else None)
    for finding in findings:
        click.echo(finding.describe() + "\n", err=True)
    errors = sum(f.severity == rules.ERROR for f in findings)
    if errors and not ignore_errors:
        click.echo(f"报告有 {errors} 个错误，未生成 Word 文件。请修正后重试（或加 --ignore-errors 强制生成，不推荐）。", err=True)
        sys.exit(EXIT_FINDINGS)
    if template:
        _require_clean_template(template, report.format)
    output = output or Path(safe_filename(report.title, ".docx"))
    pdf_output = output.with_suffix(".pdf") if pdf else None
    for path in filter(None, (output, pdf_output)):
        if path.exists() and not force:
            raise UnusableInput(f"文件已存在：{path}。如需覆盖，请加 --force。")
    try:
        write_atomic(output, render_report(report, template), force=force)
    except ToolkitError as exc:
        raise UnusableInput(str(exc)) from None
    if errors:
        click.secho(f"！！！注意：报告有 {errors} 个错误，仍按要求生成。请勿直接公开发布！！！", err=True, fg="red", bold=True)
    click.echo(f"已生成：{output}", err=True)
    if pdf_output:
        word = output.read_bytes()
        try:
            converted = docx_to_pdf(word)
            write_atomic(pdf_output, converted, force=force)
        except ToolkitError as exc:
            raise UnusableInput(f"Word 报告已生成，但 PDF 未生成：{exc}") from None
        click.echo(f"已生成：{pdf_output}", err=True)
        for fallback in fonts.fallbacks(word, converted):
            click.secho(f"注意：{fallback.message()}", err=True, fg="yellow")


def _require_clean_template(template: Path, fmt) -> None:
    from .render.lint import lint

    try:
        problems = lint(template, fmt)
    except ToolkitError as exc:
        raise UnusableInput(str(exc)) from None
    if problems:
        for problem in problems:
            click.echo(problem.describe() + "\n", err=True)
        raise UnusableInput(f"模板 {template} 有 {len(problems)} 处问题，未生成报告（govreport template check 查看）。")


@cli.group()
def template():
    """导出和检查 Word 模板（供各单位在 Word 或 WPS 中自行修改版式）。"""


@template.command(name="export")
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "format_version", default="2021", show_default=True, help="格式版本：2021 或 2019。")
@click.option("--force", is_flag=True, help="覆盖已存在的文件。")
def template_export(dest, format_version, force):
    """导出默认模板，用 Word 或 WPS 修改后可用 --template 使用。

    \b
    示例：
      govreport template export 本单位模板.docx
      govreport template check 本单位模板.docx
    """
    from . import get_format
    from .render import default_template

    try:
        get_format(format_version)
        write_atomic(dest, default_template(format_version).read_bytes(), force=force)
    except ToolkitError as exc:
        raise UnusableInput(str(exc)) from None
    click.echo(f"已导出：{dest}", err=True)


@template.command(name="check")
@click.argument("template_file", type=click.Path(path_type=Path))
@click.option("--format", "format_version", default="2021", show_default=True, help="模板对应的格式版本。")
def template_check(template_file, format_version):
    """检查自行修改过的模板：标签语法、变量名、被拆分的标签，以及法定标题、表格名称和每个数字单元格是否齐全。

    \b
    退出码：0 通过；1 有问题；2 文件无法读取。
    """
    from . import get_format
    from .render.lint import lint

    try:
        problems = lint(template_file, get_format(format_version))
    except ToolkitError as exc:
        raise UnusableInput(str(exc)) from None
    for problem in problems:
        click.echo(problem.describe() + "\n")
    click.echo(f"模板 {template_file}：{len(problems)} 处问题 —— {'未通过' if problems else '通过'}")
    sys.exit(EXIT_FINDINGS if problems else 0)


@template.command(name="variables")
@click.option("--format", "format_version", default="2021", show_default=True, help="格式版本。")
def template_variables(format_version):
    """列出模板中可用的全部变量及其官方名称（Markdown 表格）。"""
    from . import get_format
    from .render.lint import variables_reference

    try:
        click.echo(variables_reference(get_format(format_version)), nl=False)
    except ToolkitError as exc:
        raise UnusableInput(str(exc)) from None


@cli.group()
def batch():
    """批量处理多个机关：生成空白数据文件、生成报告、检查。"""


_JOBS_OPTION = click.option("-j", "--jobs", "workers", type=click.IntRange(1, 256), default=None,
                            help="并行进程数（默认为 CPU 核数）。")


def _registry(path: Path):
    from . import registry

    try:
        loaded = registry.load(path)
    except ToolkitError as exc:
        raise UnusableInput(str(exc)) from None
    for problem in loaded.problems:
        click.echo(f"{problem.describe(path)}\n", err=True)
    return loaded


def _run_batch(jobs, workers, title: str):
    """Run jobs with a progress display, print one summary, exit non-zero if any failed."""
    from . import batch as batch_lib

    outcomes = []
    if sys.stderr.isatty():
        with click.progressbar(length=len(jobs), label=title, file=sys.stderr) as bar:
            for outcome in batch_lib.run(jobs, workers):
                outcomes.append(outcome)
                bar.update(1)
    else:
        for number, outcome in enumerate(batch_lib.run(jobs, workers), start=1):
            outcomes.append(outcome)
            click.echo(f"[{number}/{len(jobs)}] {outcome.subject}：{_STATUS[outcome.status]} {outcome.message}".rstrip(), err=True)
    order = {job.subject: i for i, job in enumerate(jobs)}
    outcomes.sort(key=lambda o: order.get(o.subject, len(order)))
    return outcomes


_STATUS = {"done": "完成", "skipped": "跳过", "failed": "失败"}


def _summarize(outcomes, extra_failures: int = 0) -> None:
    counts = {status: sum(o.status == status for o in outcomes) for status in _STATUS}
    for outcome in outcomes:
        if outcome.status == "failed":
            click.echo(f"失败：{outcome.subject} —— {outcome.message}", err=True)
    failed = counts["failed"] + extra_failures
    click.echo(f"共 {len(outcomes) + extra_failures} 项：完成 {counts['done']}，跳过 {counts['skipped']}，失败 {failed}")
    if failed:
        sys.exit(EXIT_FINDINGS)


@batch.command(name="new")
@click.option("--agencies", type=click.Path(path_type=Path), required=True, help="机关名单（CSV 或 YAML）。")
@click.option("--year", type=click.IntRange(2019, 2100), required=True, help="报告年度。")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="输出文件夹。")
@click.option("--previous", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="上一年度数据文件所在的文件夹：按文件名或机关全称对应，自动带入结转数等。")
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
    from . import batch as batch_lib

    loaded = _registry(agencies)
    jobs = batch_lib.draft_jobs(loaded, year, out, previous, with_docx, force, format_version)
    _summarize(_run_batch(jobs, workers, "生成数据文件"), len(loaded.problems))


@batch.command(name="render")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="输出文件夹。")
@click.option("--agencies", type=click.Path(path_type=Path), help="机关名单：按名单为各机关选用自己的模板。")
@click.option("--ignore-errors", is_flag=True, help="有错误的报告也生成（不推荐）。")
@click.option("--force", is_flag=True, help="覆盖已存在的文件。")
@_JOBS_OPTION
def batch_render(folder, out, agencies, ignore_errors, force, workers):
    """为文件夹中的每个数据文件生成 Word 报告。

    \b
    示例：
      govreport batch render 2025/ --out 报告/ --agencies 机关名单.csv
    """
    from . import batch as batch_lib

    loaded = _registry(agencies) if agencies else None
    jobs = batch_lib.render_jobs(folder, out, loaded, ignore_errors, force)
    _summarize(_run_batch(jobs, workers, "生成报告"), len(loaded.problems) if loaded else 0)


@batch.command(name="check")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--previous", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="上一年度数据文件所在的文件夹（按文件名对应），用于跨年度核对。")
@click.option("--strict", is_flag=True, help="警告也视为不通过。")
@_JOBS_OPTION
def batch_check(folder, previous, strict, workers):
    """检查文件夹中的全部数据文件，最后列出每个机关的错误数和警告数。

    \b
    退出码：0 全部通过；1 有错误；2 有文件无法使用。
    """
    from . import batch as batch_lib

    outcomes = _run_batch(batch_lib.check_jobs(folder, previous), workers, "检查")
    for outcome in outcomes:
        for detail in outcome.details:
            click.echo(detail + "\n")
    states = [_check_state(o, strict) for o in outcomes]
    width = max([display_width(o.subject) for o in outcomes] + [4])
    click.echo(f"{_pad('机关', width)}  错误  警告  结果")
    for outcome, state in zip(outcomes, states):
        click.echo(f"{_pad(outcome.subject, width)}  {outcome.errors:>4}  {outcome.warnings:>4}  {state}")
    click.echo(f"共 {len(outcomes)} 个文件：" + "，".join(f"{s} {states.count(s)}" for s in ("通过", "未通过", "无法使用")))
    sys.exit(EXIT_UNUSABLE if "无法使用" in states else EXIT_FINDINGS if "未通过" in states else 0)


def _check_state(outcome, strict: bool) -> str:
    if outcome.status == "failed":
        return "无法使用"
    return "未通过" if outcome.errors or (strict and outcome.warnings) else "通过"


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))
