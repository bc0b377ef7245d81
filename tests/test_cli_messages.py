"""Click's own messages (usage errors, help headings) speak Chinese, in every command."""

import re

import click
import pytest

from toolkit.cli import cli


def commands(group: click.Group, path=()):
    for name, command in group.commands.items():
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))


@pytest.mark.parametrize("args, message", [
    (["batch", "render"], "错误：缺少参数 'FOLDER'"),
    (["batch", "render", "/没有这个文件夹", "--out", "x"], "错误：'FOLDER' 的值无效：文件夹 '/没有这个文件夹' 不存在。"),
    (["render", "--bogus"], "错误：没有选项 '--bogus'。"),
    (["nosuch"], "错误：没有子命令 'nosuch'。"),
    (["batch", "render", ".", "--out", "x", "-j", "abc"], "'abc' 不是有效的整数。"),
    (["batch", "new", "--agencies", "x", "--year", "1900", "--out", "y"], "1900 不在 2019<=x<=2100 范围内。"),
    (["batch", "render", ".", "--out"], "选项 '--out' 需要一个值。"),
])
def test_usage_errors_in_chinese(runner, args, message):
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert message in result.output
    assert result.output.count("错误：") == 1
    assert not re.search(r"Usage|Error|Try |Missing|No such|Invalid", result.output)


def test_every_help_page_in_chinese(runner):
    for path in [(), *commands(cli)]:
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "显示本帮助并退出。" in result.output and "选项:" in result.output, path
        assert not re.search(r"Usage|Options:|Commands:|Show this message", result.output), path


def test_usage_error_shows_the_usage_line_and_where_help_is(runner):
    result = runner.invoke(cli, ["batch", "render"], prog_name="govreport")
    assert result.output.startswith("用法： govreport batch render [OPTIONS] FOLDER\n")
    assert "运行 'govreport batch render --help' 查看帮助。" in result.output
