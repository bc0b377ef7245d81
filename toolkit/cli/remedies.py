"""What the user can do, in the words of the command at hand.

The library names a remedy by what it does (``"force"``: overwrite; ``"draft"``: write a marked
draft); here each becomes the option of the command being run, when that command has one. A
command without the option gives no advice rather than advice it cannot follow.
"""

from __future__ import annotations

import click

# Remedy → (the option that applies it, what to tell the user; {flag} is the option as typed).
ADVICE = {
    "force": ("force", "如需覆盖，请加 {flag}"),
    "allow_format_mismatch": ("allow_format_mismatch", "确需使用该格式，请加 {flag}（检查时仍会报告格式与年度不符）"),
    "ignore_errors": ("ignore_errors", "或加 {flag} 强制生成（不推荐）"),
    "allow_unread": ("allow_unread", "或加 {flag} 生成，这些格及其总计显示为“—”"),
    "draft": ("draft", "或加 {flag} 生成标明“征求意见稿”的草稿"),
    "without_chart": ("chart", "或不加 {flag}"),
    "previous": ("previous", "请用 {flag} 指定上一年度的数据文件"),
    "skip_bad_rows": ("skip_bad_rows", "或加 {flag} 跳过这些行，跳过的行将逐条列出"),
    "register_template": ("template_dest", "可用 {flag} 生成标准台账"),
    "agency": ("agency", "可用 {flag} 指定机关全称"),
    "year": ("year", "可用 {flag} 指定报告年度"),
    "office_pdf": ("pdf_engine", "请用 {flag} office"),
    "native_pdf": ("pdf_engine", "请用 {flag} native"),
    "data": ("data", "请用 {flag} 指定数据文件夹，或用 --database 指定数据库地址"),
}
_COMMAND = "govreport.command"


class TrackingContext(click.Context):
    """A context that records the innermost command being run, for words chosen after it ends."""

    def __init__(self, command: click.Command, *args, **kwargs):
        super().__init__(command, *args, **kwargs)
        self.meta[_COMMAND] = command


def track(command: click.Command) -> None:
    """Every command under ``command`` records itself when it runs."""
    command.context_class = TrackingContext
    for sub in getattr(command, "commands", {}).values():
        track(sub)


def advice(remedy: str | None, command: click.Command | None = None) -> str | None:
    """The remedy as the current command's option, or None when the command has no such option."""
    if remedy not in ADVICE:
        return None
    if command is None:
        context = click.get_current_context(silent=True)
        command = context.meta.get(_COMMAND) if context else None
    name, words = ADVICE[remedy]
    option = next((p for p in getattr(command, "params", ()) if isinstance(p, click.Option) and p.name == name), None)
    if option is None:
        return None
    return words.format(flag=max(option.opts, key=len))


def with_advice(message: str, remedy: str | None) -> str:
    """A message with the remedy's advice after it, when the command offers one."""
    told = advice(remedy)
    return f"{message}（{told}）" if told else message
