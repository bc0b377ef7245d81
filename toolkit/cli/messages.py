"""Click's own words in Chinese: usage errors, help headings, "Aborted!".

Click marks its messages for gettext but ships no Chinese catalog and looks its messages up in
the process-wide default domain; so the catalog is here, and ``install`` points the lookups of
Click's modules at it. A message the catalog lacks stays as Click wrote it.
"""

from __future__ import annotations

import importlib

_CATALOG = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "Aborted!": "已中止。",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看帮助。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "Missing command.": "缺少子命令。",
    "No such command {name!r}.": "没有子命令 {name!r}。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "unknown error": "未知错误",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "deprecated": "已弃用",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "directory": "文件夹",
    "file": "文件",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 不可读。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 不可写。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 不可执行。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "{value} is not in the range {range}.": "{value} 不在 {range} 范围内。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!r} 不是有效的是非值，可用：{states}",
    "Do you want to continue?": "是否继续？",
    "Error: invalid input": "错误：输入无效",
}
_PLURAL = {
    "Got unexpected extra argument ({args})": ("多余的参数（{args}）", "多余的参数（{args}）"),
    "Option {name!r} requires an argument.": ("选项 {name!r} 需要一个值。", "选项 {name!r} 需要 {nargs} 个值。"),
    "Did you mean {possibility}?": ("是否要用 {possibility}？", "（是否要用其中之一：{possibilities}？）"),
    "{value!r} is not {choice}.": ("{value!r} 不是 {choice}。", "{value!r} 不是以下之一：{choices}。"),
    "Takes {nargs} values but 1 was given.": ("需要 {nargs} 个值，只给了 1 个。", "需要 {nargs} 个值，给了 {len} 个。"),
}
# Words Click puts into its messages.
_WORDS = {"integer": "整数", "float": "数字", "integer range": "整数", "float range": "数字"}
_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types")


class _Message(str):
    """A translated message whose placeholders are filled with translated words."""

    def format(self, *args, **values):
        return super().format(*args, **{k: _WORDS.get(v, v) if isinstance(v, str) else v for k, v in values.items()})


def gettext(message: str) -> str:
    return _Message(_CATALOG.get(message, message))


def ngettext(singular: str, plural: str, count: int) -> str:
    forms = _PLURAL.get(singular)
    if forms is None:
        return singular if count == 1 else plural
    return _Message(forms[0] if count == 1 else forms[1])


def install() -> None:
    """Click's modules look their messages up here from now on."""
    for name in _MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
