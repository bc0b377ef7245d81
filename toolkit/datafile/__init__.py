"""Data files: the clerk's YAML, read strictly with the line of every value, and written annotated.

Reading is strict — unknown keys, duplicate keys, aliases, wrong types all become located
``Problem``s — because a clerk's typo must never silently turn into a 0 in a statutory table.
"""

from .reader import TOP_LABELS, load, loads
from .writer import dumps

__all__ = ["TOP_LABELS", "dumps", "load", "loads"]
