"""``govreport serve``: the report as a web form, on this machine."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听的地址。默认只允许本机访问；设为 0.0.0.0 时同一网络的其他电脑也能打开（请注意数据安全）。")
@click.option("--port", type=click.IntRange(1, 65535), default=8710, show_default=True, help="端口。")
@click.option("--data", "data_folder", type=click.Path(file_okay=False, path_type=Path),
              help="报告保存的文件夹（SQLite 数据库）；默认为用户数据文件夹下的 govreport。")
@click.option("--database", envvar="GOVREPORT_DATABASE", metavar="URL",
              help="政务公开办工作台（/desk）的数据库，例如 postgresql://用户:密码@主机/库名；省略时与报告同在 --data 的 SQLite 中。")
def serve(host, port, data_folder, database):
    """在本机启动填报网页：在浏览器中填写、检查、保存年度报告，并下载 Word、PDF 等。

    不需要联网；每次保存都留有版本，可随时查看和恢复。按 Ctrl+C 停止。

    \b
    示例：
      govreport serve
      govreport serve --port 8800 --data D:\\年报数据
    """
    from ..web.server import address, default_data_folder, serve as run

    data_folder = data_folder or default_data_folder()
    click.echo(f"填报网页已启动：{address(host, port)}（在浏览器中打开此地址；按 Ctrl+C 停止）", err=True)
    click.echo(f"报告保存在：{data_folder}", err=True)
    run(host, port, data_folder, database)
