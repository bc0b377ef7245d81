"""How results look on a terminal: findings, tables with Chinese text aligned, summaries."""

from __future__ import annotations

import click

from ..output import display_width

EXIT_FINDINGS, EXIT_UNUSABLE = 1, 2


def echo_findings(findings, err: bool = False) -> None:
    for finding in findings:
        click.echo(finding.describe() + "\n", err=err)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def echo_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """Columns aligned by display width, so Chinese and digits line up in a terminal."""
    widths = [max(display_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo("  ".join(pad(cell, width) for cell, width in zip(row, widths)).rstrip())
