"""Commands on Word templates: export, check, variables."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import api
from .present import EXIT_FINDINGS, echo_findings

_FORMAT_HELP = "格式版本（默认为最新格式）。"


@click.group()
def template():
    """导出和检查 Word 模板（供各单位在 Word 或 WPS 中自行修改版式）。"""


@template.command(name="export")
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "format_version", help=_FORMAT_HELP)
@click.option("--force", is_flag=True, help="覆盖已存在的文件。")
def template_export(dest, format_version, force):
    """导出默认模板，用 Word 或 WPS 修改后可用 --template 使用。

    \b
    示例：
      govreport template export 本单位模板.docx
      govreport template check 本单位模板.docx
    """
    api.export_template(dest, format_version, force)
    click.echo(f"已导出：{dest}", err=True)


@template.command(name="check")
@click.argument("template_file", type=click.Path(path_type=Path))
@click.option("--format", "format_version", help=_FORMAT_HELP)
def template_check(template_file, format_version):
    """检查自行修改过的模板：标签语法、变量名、被拆分的标签，以及法定标题、表格名称和每个数字单元格是否齐全。

    \b
    退出码：0 通过；1 有问题；2 文件无法读取。
    """
    problems = api.template_findings(template_file, api.template_format(format_version))
    echo_findings(problems)
    click.echo(f"模板 {template_file}：{len(problems)} 处问题 —— {'未通过' if problems else '通过'}")
    sys.exit(EXIT_FINDINGS if problems else 0)


@template.command(name="variables")
@click.option("--format", "format_version", help=_FORMAT_HELP)
def template_variables(format_version):
    """列出模板中可用的全部变量及其官方名称（Markdown 表格）。"""
    from ..render.lint import variables_reference

    click.echo(variables_reference(api.template_format(format_version)), nl=False)
