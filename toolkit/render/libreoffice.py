"""The copy of a report that LibreOffice converts: what it reads otherwise than Word, said its way.

LibreOffice takes w:overflowPunct the wrong way round (on means punctuation may hang past the
margin in Word, and held within the text block in LibreOffice), so a report that keeps its
punctuation within the text block in Word would hang — and clip — its line-final marks in the
PDF. The copy handed to LibreOffice states every such setting inverted; the .docx itself stays
as Word and WPS read it.

LibreOffice also breaks a line after a non-breaking hyphen (w:noBreakHyphen, U+2011) in Chinese
text; in its copy the hyphen is held by word joiners (U+2060) instead, which it honours.
"""

from __future__ import annotations

import re

from .package import read_members, write_members

_PARTS = ("word/styles.xml", "word/document.xml")
_OVERFLOW = re.compile(rb'<w:overflowPunct(?:\s+w:val="(\w*)")?\s*/>')
_OFF = {b"0", b"false", b"off"}
_NO_BREAK_HYPHEN = b"<w:noBreakHyphen/>"
_JOINED_HYPHEN = '<w:t xml:space="preserve">\u2060-\u2060</w:t>'.encode()


def _inverted(match: re.Match) -> bytes:
    on = match.group(1) is None or match.group(1) not in _OFF
    return b'<w:overflowPunct w:val="%s"/>' % (b"0" if on else b"1")


def for_libreoffice(docx: bytes) -> bytes:
    """The .docx as LibreOffice must read it to print what Word prints."""
    members = read_members(docx)
    changed = False
    for name in _PARTS:
        if name in members:
            text, count = _OVERFLOW.subn(_inverted, members[name])
            if _NO_BREAK_HYPHEN in text:
                text, count = text.replace(_NO_BREAK_HYPHEN, _JOINED_HYPHEN), count + 1
            if count:
                members[name], changed = text, True
    return write_members(members) if changed else docx
