"""Reading published reports — .docx, PDF text layers, web pages and copied text — back into data."""

from .reader import SUFFIXES, Extraction, extract

__all__ = ["Extraction", "SUFFIXES", "extract"]
