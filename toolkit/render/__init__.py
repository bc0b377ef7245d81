"""Rendering reports to Word (docxtpl over the default or an agency's template) and to PDF."""

from .engine import render
from .pdf import docx_to_pdf, find_office
from .templates import default_template

__all__ = ["default_template", "docx_to_pdf", "find_office", "render"]
