"""Commands on the format definitions themselves: list the known ones, check a format file."""

from __future__ import annotations

from pathlib import Path

import click

from .. import formats
from ..errors import FormatFileError
from ..formats.roles import ROLE_NAMES
from .present import EXIT_UNUSABLE, echo_table


@click.group(name="format")
def format_group():
    """年度报告格式定义文件：列出已有格式，检查新写的格式文件。"""


@format_group.command(name="list")
def format_list():
    """列出已知的年度报告格式：版本、适用年度、印发文件，以及各格式声明的功能角色。"""
    rows = []
    for version in formats.versions():
        try:
            fmt = formats.get_format(version)
        except FormatFileError as exc:
            rows.append((version, "—", f"格式文件有 {len(exc.problems)} 处问题，无法使用（{exc.file}）", "—"))
            continue
        declared = [name for name in ROLE_NAMES if getattr(fmt.roles, name)]
        rows.append((fmt.version, fmt.years, fmt.document, "、".join(declared) or "（未声明）"))
    echo_table(("版本", "适用年度", "印发文件", "已声明的角色"), rows)
    if any(row[1] == "—" for row in rows):
        raise click.exceptions.Exit(EXIT_UNUSABLE)


@format_group.command(name="check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def format_check(file):
    """检查一个格式定义文件（YAML）：逐条列出问题所在的行、字段和应有的写法。

    新格式文件放入 GOVREPORT_FORMATS 指定的文件夹即可使用；放入前先用本命令检查。

    \b
    退出码：0 可以使用；2 有问题。
    \b
    示例：
      govreport format check 格式/2031.yaml
    """
    fmt = formats.check_format_file(file)
    tables = "、".join(fmt.tables)
    click.echo(f"{file}：格式 {fmt.version}（{fmt.document}，{fmt.years}）可以使用："
               f"{len(fmt.sections)} 个部分，表格 {tables}，{sum(1 for _ in fmt.iter_cells())} 个数字格，"
               f"{len(fmt.checks)} 条勾稽关系。")
    missing = [name for name in ROLE_NAMES if not getattr(fmt.roles, name)]
    for name in missing:
        click.echo(f"注意：没有声明角色“{name}”（{ROLE_NAMES[name]}），依赖它的功能将不可用。", err=True)
