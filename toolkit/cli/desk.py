"""``govreport desk``: the 政务公开办's desk from the command line — set up the region and accounts,
see the state of the region, sum it, export it."""

from __future__ import annotations

from pathlib import Path

import click

from ..desk.terms import SCOPES, SORTS, STATUSES, WHOLE
from ..errors import ToolkitError
from ..findings import ERROR
from ..output import write_atomic
from .present import echo_findings, echo_table

# The desk's library (SQLAlchemy, Alembic) is imported by the commands that use it, so that every
# other command starts as fast as before.

_YEAR = click.IntRange(2019, 2100)
_OUTPUT = click.Path(dir_okay=False, path_type=Path)
_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _database_options(command):
    command = click.option("--database", envvar="GOVREPORT_DATABASE", metavar="URL",
                           help="数据库地址，例如 postgresql://用户:密码@主机/库名（省略时使用 --data 文件夹中的 SQLite 数据库；"
                                "也可用环境变量 GOVREPORT_DATABASE）。")(command)
    return click.option("--data", type=click.Path(file_okay=False, path_type=Path), envvar="GOVREPORT_DATA",
                        help="数据文件夹（存放 SQLite 数据库），与 govreport serve 的 --data 相同。")(command)


def _engine(data, url):
    from ..desk import database

    return database.connect(database.database_url(data, url))


def _node(engine, name: str | None):
    """The office's account and the node named (the office itself when none is)."""
    from ..desk import accounts, region

    with engine.connect() as connection:
        operator = accounts.operator(connection)
        if not name:
            return operator, operator.agency_id
        found = region.load(connection).by_name(name)
    if found is None:
        raise ToolkitError(f"机关“{name}”不在本区域的机关名单中（请写机关全称）。")
    return operator, found.id


def _finish(problems: list[str], what: str, summary: str) -> None:
    """Each problem, then the summary; exit 1 when anything was not done."""
    for problem in problems:
        click.echo(f"{what}：{problem}", err=True)
    click.echo(summary, err=True)
    if problems:
        raise SystemExit(1)


@click.group()
def desk():
    """政务公开办工作台：建立区域与账号，查看报送情况，汇总本级、全域，导出。

    \b
    示例：
      govreport desk init --agencies 名单.csv --year 2025 --data 工作台 -o 账号.csv
      govreport desk status --data 工作台 -o 报送情况.xlsx
      govreport desk sum --data 工作台 --scope 全域 -o 全域.yaml
    """


@desk.command()
@click.option("--agencies", type=_FILE, required=True,
              help="机关名单（.csv 或 .yaml）：机关全称，可选 上级机关（上级的机关全称，直属政务公开办的留空）、代码、层级等。")
@click.option("--year", type=_YEAR, required=True, help="报告年度，例如 2025：为每个机关建立该年度的报告。")
@click.option("--office", help="政务公开办的名称，例如：某某市人民政府办公室（默认“政务公开办”；以后再给出不同的名称即更名，账号和记录不变）。")
@_database_options
@click.option("-o", "--output", type=_OUTPUT, required=True, help="新账号清单（CSV：机关全称、账号、初始密码），用于分发。")
@click.option("--force", is_flag=True, help="覆盖已存在的账号清单文件。")
def init(agencies, year, office, data, database, output, force):
    """由机关名单建立（或更新）区域：每个机关一个账号和一份本年度报告。

    名单更新后再次运行：新增的机关建立账号和报告，名单中已没有的机关撤销（其报告和记录保留），
    已有账号的密码不变；账号清单只列本次新建的账号。初始密码首次登录时必须修改。
    """
    from .. import registry
    from ..desk import region

    if output.exists() and not force:
        raise ToolkitError(f"文件已存在：{output}。如需覆盖，请加 --force。")
    listed = registry.load(agencies)
    engine = _engine(data, database)
    synced = region.sync(engine, listed, year, office)
    for label, names in (("新增机关", synced.added), ("撤销机关", synced.retired), ("恢复机关", synced.restored),
                         ("调整上级机关", synced.moved)):
        if names:
            click.echo(f"{label} {len(names)} 个：" + "、".join(names[:10]) + ("等" if len(names) > 10 else ""), err=True)
    click.echo(f"新建 {year} 年度报告 {synced.reports_created} 份。", err=True)
    if synced.accounts:
        write_atomic(output, region.accounts_csv(synced.accounts), force=force)
        click.echo(f"新建账号 {len(synced.accounts)} 个，已写入：{output}（含初始密码，请妥善分发后删除）", err=True)
    else:
        click.echo("没有新建账号，未写入账号清单。", err=True)


@desk.command()
@_database_options
@click.option("--node", help="只看某机关及其下级（机关全称；默认整个区域）。")
@click.option("--year", type=_YEAR, help="报告年度（默认为建立时的年度）。")
@click.option("--status", type=click.Choice(STATUSES), help="只列出该状态的机关。")
@click.option("--overdue", is_flag=True, help="只列出已过截止日期仍未提交的机关。")
@click.option("--sort", type=click.Choice(list(SORTS)), default="tree", help="排序：tree（按层级，默认）、name、status、deadline、updated。")
@click.option("-o", "--output", type=_OUTPUT, help="同时导出为 .xlsx 工作簿。")
@click.option("--force", is_flag=True, help="覆盖已存在的工作簿。")
def status(data, database, node, year, status, overdue, sort, output, force):
    """各机关的报送状态、截止日期和逾期情况，以及各级的状态统计。"""
    from ..desk import dashboard as board

    engine = _engine(data, database)
    operator, node_id = _node(engine, node)
    shown = board.dashboard(engine, operator, node_id, year=year, status=status, overdue_only=overdue, sort=sort)
    echo_table(("机关", "状态", "截止日期", "逾期", "错误", "警告"),
               [("　" * (row.depth - 1) + row.name, row.status, str(row.deadline or "—"), "逾期" if row.overdue else "",
                 str(row.errors), str(row.warnings)) for row in shown.rows])
    click.echo("")
    echo_table(("机关（含下级）", *STATUSES), [(name, *(str(c.get(s, 0)) for s in STATUSES))
                                         for name, c in shown.counts.items()])
    click.echo(f"\n{shown.year} 年度，共 {len(shown.rows)} 个机关，逾期未提交 {shown.overdue} 个。")
    if output:
        write_atomic(output, board.to_xlsx(shown), force=force)
        click.echo(f"已导出：{output}", err=True)


@desk.command(name="sum")
@_database_options
@click.option("--node", help="汇总的机关（机关全称；默认整个区域）。")
@click.option("--scope", type=click.Choice(SCOPES), default=WHOLE, help="本级：该机关自身的报告；全域：该机关及其全部下级。")
@click.option("--year", type=_YEAR, help="报告年度（默认为建立时的年度）。")
@click.option("-o", "--output", type=_OUTPUT, help="把汇总写成数据文件（.yaml），可继续填写文字后生成报告。")
@click.option("--force", is_flag=True, help="覆盖已存在的数据文件。")
def sum_(data, database, node, scope, year, output, force):
    """汇总本级或全域的表格数字（只计已通过的报告），列出尚未通过的机关，核对全部勾稽关系。"""
    from .. import datafile
    from ..desk import sums

    engine = _engine(data, database)
    operator, node_id = _node(engine, node)
    result = sums.region_sum(engine, operator, node_id, scope, year)
    click.echo(f"{result.node}{result.year}年度（{result.scope}）：已汇总 {len(result.included)} 份已通过的报告。")
    if result.outstanding:
        click.echo(f"尚未汇总 {len(result.outstanding)} 个机关（报告缺失或未通过），汇总不完整：")
        echo_table(("机关", "上级", "状态"), [(o.name, " / ".join(o.path) or "—", o.status) for o in result.outstanding])
    if result.children:
        click.echo("\n下级机关（含其下级）：")
        echo_table(("机关", "本级状态", "机关数", "已通过"),
                   [(c.name, c.status, str(c.bodies), str(c.approved)) for c in result.children])
    table_findings = [f for f in result.findings if (f.key_path or "").startswith("figures.")]
    if table_findings:
        click.echo("")
        echo_findings(table_findings)
    if result.previous is not None:
        click.echo("\n与上年同比（各项总计）：")
        fmt = result.report.format
        echo_table(("项目", "本年", "上年", "增减"),
                   [(label, str(now), str(last), f"{now - last:+}") for ref, label, now, last in result.year_on_year()
                    if fmt.is_derived(ref) and last is not None])
    copied = sums.copies(engine, operator, node_id, year)
    for name, findings in copied.items():
        for finding in findings:
            click.echo(f"雷同：{name} {finding.message}")
    if output:
        write_atomic(output, datafile.dumps(result.report), force=force)
        click.echo(f"已写入：{output}" + ("" if result.complete else "（汇总不完整）"), err=True)
    if any(f.severity == ERROR for f in table_findings):
        raise SystemExit(1)


@desk.command()
@_database_options
@click.option("--node", help="导出该机关及其下级（机关全称；默认整个区域）。")
@click.option("--year", type=_YEAR, help="报告年度（默认为建立时的年度）。")
@click.option("--zip", "archive", type=_OUTPUT, help="全部已通过的报告（Word 和 PDF）打包为一个 .zip。")
@click.option("--no-pdf", is_flag=True, help="只打包 Word，不生成 PDF（不需要 LibreOffice）。")
@click.option("--csv", "csv_file", type=_OUTPUT, help="全部已通过报告的开放数据，合为一个 CSV。")
@click.option("--force", is_flag=True, help="覆盖已存在的文件。")
def export(data, database, node, year, archive, no_pdf, csv_file, force):
    """导出已通过的报告：Word + PDF 的 .zip，开放数据 CSV。"""
    if not archive and not csv_file:
        raise click.UsageError("请用 --zip 或 --csv 指定要导出的文件。")
    from ..desk import exports

    engine = _engine(data, database)
    operator, node_id = _node(engine, node)
    if csv_file:
        write_atomic(csv_file, exports.open_data_csv(engine, operator, node_id, year), force=force)
        click.echo(f"已导出：{csv_file}", err=True)
    if archive:
        done = exports.reports_zip(engine, operator, node_id, archive, year=year, pdf=not no_pdf, force=force)
        _finish(done.failed, "失败", f"已打包 {done.reports} 份报告：{archive}")


@desk.command(name="import")
@click.argument("files", nargs=-1, required=True, type=_FILE)
@click.option("--year", type=_YEAR, required=True, help="这些报告的年度；早于本年度的作为已发布的报告（已通过），用于同比和结转。")
@_database_options
def import_(files, year, data, database):
    """导入各机关的数据文件或已发布的报告（按机关全称或文件名对应到名单中的机关）。"""
    from ..desk import reports

    done = reports.import_files(_engine(data, database), files, year)
    _finish(done.skipped, "未导入", f"已导入 {len(done.names)} 份 {year} 年度报告。")


@desk.command()
@_database_options
@click.option("--agency", help="只看某机关的记录（机关全称）。")
@click.option("--last", type=click.IntRange(1), default=50, show_default=True, help="显示最近的多少条。")
def log(data, database, agency, last):
    """操作记录：谁、何时、做了什么（登录、保存改动的单元格、提交、退回、通过、机关增减……）。"""
    from ..desk import audit

    engine = _engine(data, database)
    operator, node_id = _node(engine, agency)
    with engine.connect() as connection:
        entries = audit.entries(connection, agency_ids=[node_id] if agency else None)[-last:]
    echo_table(("时间（UTC）", "账号", "操作", "内容"),
               [(entry.at.strftime("%Y-%m-%d %H:%M:%S"), entry.login or "（命令）", entry.action_name,
                 audit.describe(entry.detail)) for entry in entries])


@desk.command(name="reset-password")
@click.argument("login")
@_database_options
def reset_password(login, data, database):
    """为某账号生成新的初始密码（下次登录时必须修改）。"""
    from ..desk import accounts

    engine = _engine(data, database)
    with engine.begin() as connection:
        password = accounts.reset_password(connection, accounts.operator(connection), login)
    click.echo(f"账号 {login} 的新初始密码：{password}")
