"""Filling a Word template with a report through docxtpl, in a Jinja sandbox."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

import jinja2
from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from lxml.etree import XMLSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from ..errors import TemplateError
from ..model import Report
from .context import context
from .package import normalized_docx


def _templates_folder() -> Path:
    """Where the shipped templates are: package data when installed, templates/ in a source tree."""
    spec = importlib.util.find_spec("toolkit.templates")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(__file__).resolve().parents[2] / "templates"


def default_template(version: str) -> Path:
    """The shipped template of a format version."""
    return _templates_folder() / f"{version}.docx"


def environment() -> SandboxedEnvironment:
    """Templates cannot reach Python internals; a name the data lacks is an error, not a blank."""
    return SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=True)


def render(report: Report, template: str | Path | None = None) -> bytes:
    """The report as .docx bytes, filled into ``template`` (default: the format's own)."""
    path = Path(template) if template else default_template(report.format.version)
    try:
        document = DocxTemplate(path)
        document.render(context(report), jinja_env=environment(), autoescape=True)
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateError(f"模板 {path} 试图访问不允许的内容（{exc}），已拒绝生成。") from None
    except jinja2.exceptions.UndefinedError as exc:
        raise TemplateError(f"模板 {path} 使用了数据中没有的变量：{_undefined_name(exc)}。") from None
    except jinja2.exceptions.TemplateSyntaxError as exc:
        raise TemplateError(f"模板 {path} 有语法错误：{exc.message}") from None
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, PackageNotFoundError, XMLSyntaxError) as exc:
        raise TemplateError(f"无法读取模板 {path}：不是有效的 Word（.docx）文件（{exc}）。") from None
    return normalized_docx(document)


def _undefined_name(exc: jinja2.exceptions.UndefinedError) -> str:
    return str(exc.message or exc).replace("'dict object' has no attribute ", "").replace(" is undefined", "")
