"""How results look on a terminal: findings, tables with Chinese text aligned, summaries."""

from __future__ import annotations

import click

from ..output import display_width

EXIT_FINDINGS, EXIT_UNUSABLE = 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C


def echo_findings(findings, err: bool = False) -> None:
    """Each finding once: one reached by two checks (or two probes) is still one thing to fix; with
    what the command at hand offers to do about it."""
    from .remedies import advice

    told = lambda finding: f"\n    可以：{advice(finding.remedy)}" if advice(finding.remedy) else ""
    for described in dict.fromkeys(finding.describe() + told(finding) for finding in findings):
        click.echo(described + "\n", err=err)


def exit_code(verdict: str) -> int:
    """The exit code of a check's verdict, the same for every command: 0 only for 通过."""
    from ..api.checking import PASSED, UNUSABLE

    return 0 if verdict == PASSED else EXIT_UNUSABLE if verdict == UNUSABLE else EXIT_FINDINGS


def echo_check_details(result) -> None:
    """What one file's check found: why it is unusable, its findings, what could not be read."""
    for problem in result.problems:
        click.echo(f"{problem}\n", err=True)
    echo_findings(result.findings)
    for note in result.unread:
        click.echo(f"{result.file}: 未读取：{note}")
    for skipped in result.not_assessable:
        click.echo(f"{result.file}: {skipped.describe()}")
    if result.unread or result.not_assessable:
        click.echo("")


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def echo_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """Columns aligned by display width, so Chinese and digits line up in a terminal."""
    widths = [max(display_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo("  ".join(pad(cell, width) for cell, width in zip(row, widths)).rstrip())
