"""The ``govreport`` command: options in, results presented; the work is done by ``toolkit.api``."""

from __future__ import annotations

import signal
import sys
import threading

import click

from . import messages

messages.install()  # before any command is defined: Click reads some of its words then

from ..api import ReportHasErrors, ReportUnfinished  # noqa: E402
from ..errors import ToolkitError  # noqa: E402
from . import batch, desk, formats, remedies, report, tally, template  # noqa: E402
from .present import EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_UNUSABLE, echo_findings

# Library errors whose exit code is not "unusable input": a report that breaks the rules is a finding.
_EXIT_CODES = {ReportHasErrors: EXIT_FINDINGS, ReportUnfinished: EXIT_FINDINGS}


class UnusableInput(click.ClickException):
    """Input or options the tool cannot work with: exit 2, like grep and linters."""

    exit_code = EXIT_UNUSABLE

    def format_message(self) -> str:
        return self.message

    def show(self, file=None) -> None:
        click.echo(f"错误：{self.format_message()}", err=True)


class _Commands(click.Group):
    """The one place where a library error becomes a Chinese message and an exit code."""

    def invoke(self, ctx: click.Context):
        stop = signal.signal(signal.SIGTERM, _terminated) if threading.current_thread() is threading.main_thread() else None
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:  # Ctrl-C, or SIGTERM from a service manager: files are written whole or not at all
            click.echo("已中止。", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except ToolkitError as exc:
            findings = getattr(exc, "findings", None)
            if findings:
                echo_findings(findings, err=True)
            error = UnusableInput(remedies.with_advice(str(exc), exc.remedy))
            error.exit_code = _EXIT_CODES.get(type(exc), EXIT_UNUSABLE)
            raise error from None
        finally:
            if stop is not None:
                signal.signal(signal.SIGTERM, stop)


def _terminated(signum, frame):
    """SIGTERM stops a run the way Ctrl-C does."""
    raise KeyboardInterrupt


def _check_formats() -> None:
    """Every format file, read strictly before a command runs: a broken one is reported where it is wrong."""
    from ..formats import get_format, versions

    for version in versions():
        get_format(version)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="govreport", message="govreport %(version)s")
def cli() -> None:
    """政府信息公开工作年度报告工具：生成数据文件、检查勾稽关系、生成 Word 报告。

    \b
    常用流程：
      govreport new --agency 某某乡人民政府 --year 2025 -o 2025.yaml
      （编辑 2025.yaml，填写叙述文字和表格数字）
      govreport check 2025.yaml
      govreport render 2025.yaml --pdf
    """
    if click.get_current_context().invoked_subcommand != "format":
        _check_formats()


for command in (report.new, report.check, report.extract, report.render, tally.tally, template.template, batch.batch,
                formats.format_group):
    cli.add_command(command)
cli.add_command(desk.desk)

from .serve import serve  # noqa: E402  (the web form: a command apart, it imports nothing until run)

cli.add_command(serve)
remedies.track(cli)
