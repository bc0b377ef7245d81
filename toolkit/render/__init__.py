"""Rendering reports to Word (docxtpl over the default or an agency's template) and to PDF."""

from .engine import default_template, render
from .pdf import docx_to_pdf, find_office

__all__ = ["default_template", "docx_to_pdf", "find_office", "render"]
