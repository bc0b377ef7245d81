"""Agency templates: export, check, adopt."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..findings import Finding
from ..formats import Format, get_format
from ..output import write_atomic
from .rendering import template_findings
from .rendering import refuse_existing


def template_format(version: str | None) -> Format:
    """The format a template is for: as asked, else the newest."""
    from ..formats import latest

    return get_format(version) if version else latest()


@dataclass
class TemplateCheck:
    """A template checked: a one-line verdict and every problem, located."""

    verdict: str
    findings: list[Finding]


def check_template(template: str | Path, fmt: Format) -> TemplateCheck:
    from ..office_templates.lint import verdict

    findings = template_findings(template, fmt)
    return TemplateCheck(verdict(findings), findings)


def export_template(dest: Path, version: str | None = None, force: bool = False) -> Path:
    from ..render import default_template

    fmt = template_format(version)
    return write_atomic(dest, default_template(fmt.version).read_bytes(), force=force)


@dataclass
class Adopted:
    """A document turned into a template: what it replaced, what it could not place, and its check."""

    written: Path
    format: Format
    replaced: list[str]
    unplaced: list[Finding]
    check: TemplateCheck


def adopt_template(source: str | Path, dest: Path, version: str | None = None, force: bool = False) -> Adopted:
    """An official-format .docx (blank template or filled-in report) written out as a template, then checked."""
    from ..formats import versions
    from ..office_templates.adopt import adopt

    refuse_existing([dest], force)
    formats = [get_format(version)] if version else [get_format(v) for v in reversed(versions())]
    adoption = adopt(source, formats)
    written = write_atomic(dest, adoption.content, force=force)
    unplaced = [f.in_file(str(source)) for f in adoption.unplaced]
    return Adopted(written, adoption.format, adoption.replaced, unplaced, check_template(written, adoption.format))
