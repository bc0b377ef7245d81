"""What keeps together on a line beyond what the line breaker knows: a telephone or fax number
(0517-83605210) never breaks after its hyphen.

Word and LibreOffice may break a line after any hyphen; between digits the hyphen becomes Word's
non-breaking hyphen (w:noBreakHyphen, which LibreOffice reads as U+2011 and python-docx as "-"),
so the text reads the same and the number stays whole.
"""

from __future__ import annotations

_NO_BREAK = b'</w:t><w:noBreakHyphen/><w:t xml:space="preserve">'


def keep_numbers_whole(body: bytes) -> bytes:
    """The document XML with every hyphen between digits in its text made non-breaking."""
    pieces, start = [], 0
    at = body.find(b"-")
    while at != -1:  # hyphens are few in a body: each is looked at where it stands
        if body[at - 1:at].isdigit() and body[at + 1:at + 2].isdigit() and _in_text(body, at):
            pieces += [body[start:at], _NO_BREAK]
            start = at + 1
        at = body.find(b"-", at + 1)
    return b"".join(pieces) + body[start:] if pieces else body


def _in_text(body: bytes, at: int) -> bool:
    """Whether a position is in the text of a w:t (text holds no "<": the last tag before it is the w:t's)."""
    tag = body.rfind(b"<", 0, at)
    return body.startswith(b"<w:t>", tag) or body.startswith(b"<w:t ", tag)
