"""The rules a report is checked by: its equations and plausibility (``consistency``), the numbers its
narrative states (``narrative``), and copies among reports checked together (``similarity``)."""

from .common import NotAssessable, iter_narrative
from .consistency import UNFINISHED_RULES, audit, check, is_unfinished

__all__ = ["NotAssessable", "UNFINISHED_RULES", "audit", "check", "is_unfinished", "iter_narrative"]
