"""Commands on one report: new, check, extract, render."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .. import api
from ..findings import ERROR, WARNING
from .present import EXIT_FINDINGS, echo_check_details, echo_findings, echo_table, exit_code

_YEAR = click.IntRange(2019, 2100)
_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_OUTPUT = click.Path(dir_okay=False, path_type=Path)


@click.command()
@click.option("--agency", help="机关全称，例如：某某县某某乡人民政府。使用 --from 时可省略。")
@click.option("--year", type=_YEAR, required=True, help="报告年度，例如 2025。")
@click.option("--format", "format_version", help="格式版本：2021（默认，2021年度起）或 2019（2019、2020年度）。")
@click.option("--allow-format-mismatch", is_flag=True,
              help="允许使用不适用于该年度的格式（例如按旧格式补做报告）；检查时仍会报告格式与年度不符。")
@click.option("--level", help="机关层级，例如：乡镇人民政府、政府部门。")
@click.option("--from", "previous", type=_FILE,
              help="上一年度的数据文件或已发布的报告（.docx、.pdf、.html、.txt）：结转数、现行有效件数、机关信息将自动带入。")
@click.option("-o", "--output", type=_OUTPUT, help="输出文件；默认按报告标题命名。“-”表示输出到屏幕。")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件。")
def new(agency, year, format_version, allow_format_mismatch, level, previous, output, force):
    """生成某机关某年度的空白数据文件（YAML）。

    每一项都已列出并注明官方名称，表格数字均为 0，叙述部分为待填写的占位文字。

    \b
    示例：
      govreport new --agency 某某乡人民政府 --year 2025 -o 2025.yaml
      govreport new --year 2025 --from 2024.yaml -o 2025.yaml
    """
    if not agency and not previous:
        raise click.UsageError("请用 --agency 给出机关全称，或用 --from 指定上一年度的数据文件。")
    last_year = api.load_report(previous) if previous else None
    draft = api.new_report(agency, year, format_version, level, previous=last_year,
                           allow_format_mismatch=allow_format_mismatch)
    if str(output) == "-":
        click.echo(api.draft_text(draft), nl=False)
        return
    output = output or api.default_name(draft, ".yaml")
    api.write_draft(draft, output, force)
    click.echo(f"已生成：{output}", err=True)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--previous", type=_FILE, help="上一年度的数据文件，用于跨年度核对（上年结转、现行有效件数）。")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              help="输出格式：text（默认，便于阅读）或 json（便于程序处理）。")
@click.option("--strict", is_flag=True, help="警告也视为不通过（退出码 1）。")
@click.option("--year", type=_YEAR, help="报告年度（已发布的报告中没有写明时使用）。")
@click.option("--agency", help="机关全称（已发布的报告中没有写明时使用）。")
def check(files, previous, output_format, strict, year, agency):
    """检查数据文件或已发布的报告（.docx、.pdf、.html、.txt）：结构、数字类型和全部勾稽关系。

    同一机关相邻两个年度的文件一起检查时，自动核对跨年度数字。

    \b
    退出码：0 通过；1 未通过（加 --strict 时警告也算）、未完成、仅部分核查或未核查表格；2 文件无法使用。
    \b
    示例：
      govreport check 2025.yaml
      govreport check 2025.yaml --previous 2024.yaml
      govreport check 已发布/*.pdf 已发布/*.docx
      govreport check drafts/*.yaml --format json
    """
    if previous and len(files) > 1:
        raise click.UsageError("--previous 只能与一个数据文件一起使用。")
    last_year = api.load_report(previous) if previous else None
    results = list(api.check_files(files, last_year, agency, year))
    if output_format == "json":
        payload = {"files": [r.as_dict() for r in results], "summary": _summary(results, strict)}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        _print_text(results, strict)
    sys.exit(exit_code(api.overall_verdict(r.verdict(strict) for r in results)))


def _summary(results: list[api.CheckResult], strict: bool) -> dict:
    return {
        "result": api.overall_verdict(r.verdict(strict) for r in results),
        "files": len(results),
        "unusable": sum(not r.usable for r in results),
        "unfinished": sum(r.unfinished for r in results),
        "errors": sum(r.count(ERROR) for r in results),
        "warnings": sum(r.count(WARNING) for r in results),
        "partially_checked": sum(r.usable and r.coverage == "partial" for r in results),
        "tables_unchecked": sum(r.usable and r.coverage == "none" for r in results),
    }


def _print_text(results: list[api.CheckResult], strict: bool) -> None:
    for result in results:
        echo_check_details(result)
    if len(results) > 1 or any(r.unread for r in results):
        echo_table(("文件", "机关", "年度", "格式", "已读/未读", "错误", "警告", "结果", "规则"),
                   [(Path(r.file).name, r.agency or "（未写明）", str(r.year or "（未写明）"), r.format or "—",
                     f"{r.figures_read}/{r.figures_unread}" if r.usable else "—", str(r.count(ERROR)),
                     str(r.count(WARNING)), r.verdict(strict), " ".join(r.rules)) for r in results])
    summary = _summary(results, strict)
    unchecked = summary["partially_checked"] + summary["tables_unchecked"]
    coverage = (f"，表格仅部分核查 {summary['partially_checked']} 个，未核查表格 {summary['tables_unchecked']} 个"
                if unchecked else "")
    click.echo(f"检查 {summary['files']} 个文件：错误 {summary['errors']} 个，警告 {summary['warnings']} 个，"
               f"未完成 {summary['unfinished']} 个，无法读取 {summary['unusable']} 个{coverage} —— {summary['result']}")


@click.command()
@click.argument("source", type=_FILE)
@click.option("-o", "--output", type=_OUTPUT, help="输出的数据文件；默认与原文件同名（.yaml），保存在当前文件夹。")
@click.option("--agency", help="机关全称（原文标题和落款中都没有时使用）。")
@click.option("--year", type=_YEAR, help="报告年度（原文标题中没有时使用）。")
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
    loaded = api.load(source, agency, year)
    output = output or Path(f"{source.stem}.yaml")
    api.write_draft(loaded.report, output, force)
    for note in loaded.unread:
        click.echo(f"未能读取：{note}", err=True)
    year = f"{loaded.report.year}年度" if loaded.report.year else "年度未能读取"
    click.echo(f"已生成：{output}（{loaded.report.agency.name} {year}）", err=True)
    if loaded.unread:
        click.echo(f"有 {len(loaded.unread)} 处未能读取，请对照原文补全后再使用。", err=True)
        sys.exit(EXIT_FINDINGS)


@click.command()
@click.argument("data", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=_OUTPUT,
              help="输出文件，类型由扩展名决定：.docx Word 报告、.pdf、.html 网页、.json 或 .csv 开放数据、"
                   ".png 或 .svg 对比图；默认按报告标题命名的 Word 文件。")
@click.option("--template", type=_FILE, help="自定义的 Word 模板（默认使用对应格式的官方模板）。")
@click.option("--pdf", is_flag=True, help="同时生成 PDF（与输出文件同名）。")
@click.option("--pdf-engine", type=click.Choice(api.PDF_ENGINES),
              help="PDF 的生成方式：native 由本工具直接排版（默认模板时的默认方式，带标签、可供读屏）；"
                   "office 用 LibreOffice 转换 Word 报告（使用自定义模板或对比图时的默认方式）。")
@click.option("--pdfa", is_flag=True, help="PDF 按 PDF/A-2 长期保存格式生成（仅 native）。")
@click.option("--html", "with_html", is_flag=True, help="同时生成网页（.html，可直接发布到政府网站年报栏目）。")
@click.option("--json", "with_json", is_flag=True, help="同时生成开放数据 JSON（每个单元格一条，含官方名称）。")
@click.option("--csv", "with_csv", is_flag=True, help="同时生成开放数据 CSV（UTF-8，Excel 可直接打开）。")
@click.option("--chart", is_flag=True, help="生成与上一年度的对比图（.png、.svg），并放入 Word 报告和网页；需要 --previous。")
@click.option("--previous", type=_FILE, help="上一年度的数据文件：生成前一并核对跨年度数字，也用于对比图。")
@click.option("--ignore-errors", is_flag=True, help="即使检查出错误也生成（不推荐，生成的报告不应直接公开）。")
@click.option("--allow-unread", is_flag=True,
              help="数据文件中有未读取的数字（null）时也生成：这些格及受其影响的总计显示为“—”，不按 0 计。")
@click.option("--draft", is_flag=True, help="尚未填写完整（有【待填写】或缺机关全称）时也生成，并在标题上方标明“征求意见稿”。")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件。")
def render(data, output, template, pdf, pdf_engine, pdfa, with_html, with_json, with_csv, chart, previous, ignore_errors, allow_unread,
           draft, force):
    """由数据文件生成正式的 Word 报告，以及 PDF、网页、开放数据和对比图。

    生成前先做全部检查：有错误时不生成，除非加 --ignore-errors；
    还有【待填写】占位文字或缺机关全称时不生成，除非加 --draft（生成标明“征求意见稿”的草稿）；
    有未读取的数字（null）时不生成，除非加 --allow-unread（这些格显示为“—”）。

    \b
    示例：
      govreport render 2025.yaml
      govreport render 2025.yaml -o 报告.docx --pdf --html --json --csv
      govreport render 2025.yaml -o 报告.pdf --pdfa
      govreport render 2025.yaml -o 报告.html
      govreport render 2025.yaml --previous 2024.yaml --chart --html
      govreport render 2025.yaml --template 本单位模板.docx
    """
    report = api.load_report(data)
    last_year = api.load_report(previous) if previous else None
    findings = api.check(report, last_year)
    outputs = api.output_paths(report, output, pdf or pdfa, html=with_html, json=with_json, csv=with_csv, chart=chart)
    rendered = api.render_files(report, outputs, template=template, previous=last_year, ignore_errors=ignore_errors,
                                force=force, draft=draft, findings=findings, allow_unread=allow_unread,
                                pdf_engine=pdf_engine, pdfa=pdfa)
    echo_findings(rendered.findings, err=True)
    if rendered.errors:
        click.secho(f"！！！注意：报告有 {rendered.errors} 个错误，仍按要求生成。请勿直接公开发布！！！",
                    err=True, fg="red", bold=True)
    for path in rendered.written:
        click.echo(f"已生成：{path}", err=True)
    for fallback in rendered.font_fallbacks:
        click.secho(f"注意：{fallback.message()}", err=True, fg="yellow")
    for note in rendered.layout_notes:
        click.echo(f"说明：{note}", err=True)
    for path in rendered.unchanged:
        click.echo(f"未改动：{path}（内容与本次生成的相同）", err=True)
