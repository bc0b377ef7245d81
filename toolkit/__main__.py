"""``python -m toolkit`` runs the govreport command."""

from .cli import cli

cli(prog_name="govreport")
