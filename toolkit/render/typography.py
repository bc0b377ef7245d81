"""What keeps together on a line beyond what the line breaker knows: a telephone or fax number
(0517-83605210) never breaks after its hyphen.

Word and LibreOffice may break a line after any hyphen; between digits the hyphen becomes Word's
non-breaking hyphen (w:noBreakHyphen, which LibreOffice reads as U+2011 and python-docx as "-"),
so the text reads the same and the number stays whole.
"""

from __future__ import annotations

import re

_TEXT = re.compile(rb"(<w:t(?: [^>]*)?>)([^<]*?\d-\d[^<]*)(</w:t>)")
_DIGIT_HYPHEN = re.compile(rb"(?<=\d)-(?=\d)")
_NO_BREAK = b'</w:t><w:noBreakHyphen/><w:t xml:space="preserve">'


def keep_numbers_whole(body: bytes) -> bytes:
    """The document XML with every hyphen between digits in its text made non-breaking."""
    if not re.search(rb"\d-\d", body):
        return body
    return _TEXT.sub(lambda m: m.group(1) + _DIGIT_HYPHEN.sub(_NO_BREAK, m.group(2)) + m.group(3), body)
