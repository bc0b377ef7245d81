"""Commands on Word templates: export, adopt, check, variables."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import api
from .present import EXIT_FINDINGS, echo_findings

_FORMAT_HELP = "格式版本（默认为最新格式）。"


@click.group()
def template():
    """导出、转换和检查 Word 模板（供各单位在 Word 或 WPS 中自行修改版式）。"""


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
    """检查模板能否使用，并证明数据中的每一项都会填入报告。

    检查标签语法、变量名、被拆分的标签、法定标题、表格名称和每个数字单元格；再用每项都不同的试填数据
    生成一次报告并读回，确认标题中的机关和年度、导语、各部分的段落和分项、每个数字、成文日期和落款
    都出现在应在的位置。模板只能填写报告内容：include、import、宏、超大循环或超长文字等一律拒绝。

    \b
    退出码：0 通过；1 有问题；2 文件无法读取。
    """
    check = api.check_template(template_file, api.template_format(format_version))
    click.echo(check.verdict)
    echo_findings(check.findings)
    click.echo(f"模板 {template_file}：{len(check.findings)} 处问题 —— {'未通过' if check.findings else '通过'}")
    sys.exit(EXIT_FINDINGS if check.findings else 0)


@template.command(name="adopt")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "dest", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="转换后的模板文件（.docx）。")
@click.option("--format", "format_version", help="格式版本（默认按表格自动判断）。")
@click.option("--force", is_flag=True, help="覆盖已存在的文件。")
def template_adopt(source, dest, format_version, force):
    """把本单位现有的官方格式文件（空白模板或已填写的报告）转换为模板。

    保留原文件的页面设置、字体、版头、页眉页脚和表格样式；按官方名称找到每个表格单元格写入数字标签，
    标题写入机关名称和年度，各部分写入段落和分项（沿用原文件的正文和小标题格式，替换“（文字描述）”等
    占位文字），导语、成文日期和落款写入标签。已填写的报告中的数字和文字会被替换为标签，并逐项说明。
    转换后自动运行 template check。

    \b
    示例：
      govreport template adopt 官方格式模板.docx -o 本单位模板.docx
      govreport render 2025.yaml --template 本单位模板.docx

    \b
    退出码：0 转换完成且模板通过检查；1 有未能放置的内容或检查未通过；2 文件无法读取。
    """
    adopted = api.adopt_template(source, dest, format_version, force)
    click.echo(f"已转换：{source} → {adopted.written}（格式 {adopted.format.version}，{adopted.format.document}）")
    for line in adopted.replaced:
        click.echo(f"  · {line}")
    if adopted.unplaced:
        click.echo(f"未能放置的内容（{len(adopted.unplaced)} 处）：")
        echo_findings(adopted.unplaced)
    click.echo(f"检查结果：{adopted.check.verdict}")
    echo_findings(adopted.check.findings)
    sys.exit(EXIT_FINDINGS if adopted.unplaced or adopted.check.findings else 0)


@template.command(name="variables")
@click.option("--format", "format_version", help=_FORMAT_HELP)
def template_variables(format_version):
    """列出模板中可用的全部变量及其官方名称（Markdown 表格）。"""
    from ..office_templates.lint import variables_reference

    click.echo(variables_reference(api.template_format(format_version)), nl=False)
