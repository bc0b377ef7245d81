"""The tally command: tables 三 and 四 counted from the office's registers."""

from __future__ import annotations

from pathlib import Path

import click

from .. import api
from ..findings import ERROR
from ..formats import CellRef
from ..output import display_width
from .present import echo_findings, echo_table

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_OUTPUT = click.Path(dir_okay=False, path_type=Path)
_LABEL_WIDTH = 36


@click.command()
@click.argument("registers", nargs=-1, type=_FILE)
@click.option("--year", type=click.IntRange(2008, 2100), help="统计的年度；不写时：有 --into 取数据文件的年度，只显示时列出台账涉及的每一年。")
@click.option("-o", "--output", type=_OUTPUT, help="生成新的数据文件（其余内容为空白待填写）。")
@click.option("--into", type=_OUTPUT, help="把统计结果写入已有的数据文件：只改表三（及表四）的数字，其余内容和注释原样保留。")
@click.option("--agency", help="机关全称（与 -o 一起使用）。")
@click.option("--format", "format_version", help="格式版本（默认按年度确定）。")
@click.option("--labels", type=_FILE, help="本单位的对照文件（YAML）：台账中申请人类型、办理结果等的本单位写法。")
@click.option("--skip-bad-rows", is_flag=True, help="跳过无法统计的行（逐条列出），其余照常统计。")
@click.option("--template", "template_dest", type=_OUTPUT, help="生成空白的标准台账（.xlsx），带下拉选项和填写说明。")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件。")
def tally(registers, year, output, into, agency, format_version, labels, skip_bad_rows, template_dest, force):
    """由依申请公开登记台账统计年度报告表三（及表四）的数字。

    台账为 .xlsx 工作簿或 .csv 文件（UTF-8 或 GBK），每件申请一行；复议、诉讼案件台账可在同一工作簿的
    另一工作表，或作为另一个文件一并给出。表头可不在第一行，列名、日期写法、申请人类型和办理结果的
    常见写法均可识别；无法对应到法定栏目的行逐条列出（工作表、行号、列名），不会被猜测计入。

    \b
    退出码：0 完成；2 台账或选项无法使用（包括有无法统计的行而未加 --skip-bad-rows）。
    \b
    示例：
      govreport tally --template 台账.xlsx
      govreport tally 台账.xlsx --year 2025
      govreport tally 台账.xlsx --into 2025.yaml
      govreport tally 台账.xlsx 复议诉讼.csv --year 2025 -o 2025.yaml --agency 某某县人民政府
    """
    if template_dest:
        if registers or output or into:
            raise click.UsageError("--template 单独使用：govreport tally --template 台账.xlsx")
        api.write_register_template(template_dest, format_version, force)
        click.echo(f"已生成：{template_dest}（空白台账，含下拉选项和填写说明）", err=True)
        return
    if not registers:
        raise click.UsageError("请给出台账文件，例如：govreport tally 台账.xlsx --year 2025（或用 --template 生成空白台账）。")
    if output and into:
        raise click.UsageError("-o 与 --into 只能选一个：-o 生成新的数据文件，--into 更新已有的数据文件。")
    options = dict(labels=labels, skip_bad_rows=skip_bad_rows)
    if into:
        results = [api.tally_into(into, list(registers), year, **options)]
    elif output:
        if year is None:
            raise click.UsageError("生成数据文件时请用 --year 指定年度。")
        results = [api.tally_draft(list(registers), year, output, agency=agency, format_version=format_version,
                                   force=force, **options)]
    else:
        results = api.tally_registers(list(registers), [year] if year else None, format_version=format_version,
                                      **options)
    _echo_sources(results)
    for result in results:
        if not result.tally.requests and not result.tally.cases:
            click.echo(f"台账中没有 {result.tally.year} 年度收到或办理的申请和案件，各项均为 0。", err=True)
        if result.written:
            _echo_written(result, "已更新" if into else "已生成")
        else:
            _echo_tables(result)


def _echo_sources(results: list[api.Tallied]) -> None:
    if not results:
        click.echo("台账中没有任何申请。", err=True)
        return
    first = results[0].tally
    for sheet in first.sheets:
        click.echo(f"读取：{sheet}", err=True)
    if first.skipped:
        click.echo(f"已跳过 {len(first.skipped)} 处问题所在的行（未计入任何年度）：", err=True)
        for problem in first.skipped:
            click.echo(f"  {problem.describe()}", err=True)
    if not first.has_appeals:
        click.echo("未找到行政复议、行政诉讼案件台账：表四未统计。", err=True)


def _echo_written(result: api.Tallied, verb: str) -> None:
    tally, report = result.tally, result.report
    role = report.format.roles.requests
    total = lambda row: report.value(CellRef(role.table, row, role.applicants_total))
    click.echo(f"{verb}：{result.written}（{tally.year}年度：本年新收 {total(role.received)} 件，"
               f"上年结转 {total(role.carried_over)} 件，办结 {total(role.outcomes_total)} 件，"
               f"结转下年度 {total(role.carried_forward)} 件"
               + (f"；复议诉讼案件 {tally.cases} 件" if tally.has_appeals else "") + "）", err=True)
    if tally.received_later:
        click.echo(f"另有 {tally.received_later} 件于 {tally.year} 年以后收到，不计入本年度。", err=True)
    errors = [f for f in api.check(report) if f.severity == ERROR and f.key_path and f.key_path.startswith("figures.")]
    echo_findings(errors, err=True)


def _echo_tables(result: api.Tallied) -> None:
    tally, report = result.tally, result.report
    fmt = report.format
    counted = [fmt.roles.requests.table] + ([fmt.roles.appeals.table] if tally.has_appeals else [])
    for section in fmt.sections:
        if section.table not in counted:
            continue
        table = fmt.tables[section.table]
        columns = table.blocks[0].columns
        click.echo(f"\n{tally.year}年度 {section.heading}")
        rows, seen = [], set()
        for row in table.rows:
            for depth in range(len(row.label) - 1):
                if row.label[:depth + 1] not in seen:
                    seen.add(row.label[:depth + 1])
                    rows.append((_cut("  " * depth + row.label[depth]),) + ("",) * len(columns))
            indent = "  " * (len(row.label) - 1)
            rows.append((_cut(indent + row.label[-1]),
                         *(str(report.value(CellRef(table.key, row.key, c.key))) for c in columns)))
        echo_table(("", *(c.name for c in columns)), rows)
    if tally.received_later:
        click.echo(f"（另有 {tally.received_later} 件于 {tally.year} 年以后收到，不计入本年度。）")


def _cut(text: str) -> str:
    if display_width(text) <= _LABEL_WIDTH:
        return text
    while display_width(text) > _LABEL_WIDTH - 1:
        text = text[:-1]
    return text + "…"
