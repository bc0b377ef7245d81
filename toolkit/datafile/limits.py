"""What a data file may state: figures, texts and lists within bounds, no invisible characters.

The bounds are the format's (its ``limits:`` block), so a format states them as data; past them
a value is a problem located at its line, never a traceback or a report that takes minutes to
render. Characters a reader cannot see are decided one by one: zero-width characters (pasted from
web pages) are removed, since they change nothing a reader sees; bidirectional overrides and
control characters are refused, since they make the text read differently from what it is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields

DIGITS_READ = 40  # a figure written with more digits than this is refused before it is converted


@dataclass(frozen=True)
class Limits:
    max_figure: int = 10**12  # any count or amount (万元)
    max_name: int = 200  # characters of a name, title or contact detail (one line)
    max_paragraph: int = 20_000  # characters of one paragraph
    max_paragraphs: int = 1_000  # paragraphs of one section or part
    max_parts: int = 50  # parts of one section

    @classmethod
    def of(cls, stated: dict | None) -> "Limits":
        known = {f.name for f in fields(cls)}
        return cls(**{k: int(v) for k, v in (stated or {}).items() if k in known})


_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("[\n\r\u2028\u2029\x85\x0b\x0c]")


def without_invisible(text: str) -> str:
    """The text without zero-width characters, which readers cannot see."""
    return _INVISIBLE.sub("", text)


def character_problem(text: str, one_line: bool) -> str | None:
    """Why a text cannot be used as it is, or None: a bidirectional override, a control character,
    or (in a name) a line break."""
    if match := _BIDI.search(text):
        return f"含有改变文字显示方向的控制字符（U+{ord(match.group()):04X}），显示的内容会与实际不同"
    if one_line and (match := _LINE_BREAKS.search(text)):
        return f"含有换行符（U+{ord(match.group()):04X}），此处只能写一行"
    for ch in text:
        if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r":
            return f"含有不可见的控制字符（U+{ord(ch):04X}）"
    return None
