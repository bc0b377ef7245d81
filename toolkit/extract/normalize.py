"""Text as published, brought to the form the format's labels are written in.

Web copies come in traditional characters with pinyin after each character (鄉(xiāng)), with
half-width punctuation, with page numbers and layout spaces; labels use 、 or . after item
numbers interchangeably. Matching is done on a canonical form; figures are read from it too.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import zhconv

BLANK = "∅"  # an empty table cell, kept so that the cells after it stay in place

_PINYIN = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüê]+[)）]")
_PAGE_NUMBER = re.compile(r"^[\s\-—–－]*\d{1,3}[\s\-—–－]*$")
_DASHES_AS_BLANK = re.compile(r"^[/／\-—–－]+$|^[无空]$")
# Full-width digits and the full-width point between them: "１２３４５．６７" is 12345.67.
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_FULL_WIDTH_POINT = re.compile(r"(?<=\d)．(?=\d)")
_FULL_WIDTH_MINUS = re.compile(r"[－—–](?=\d)")
_FULL_WIDTH_SIGN = re.compile(r"(?<![^\s])－(?=\d)")  # "－45" standing alone is -45
# Half-width punctuation that web copies use where the statutory text has full width.
_FULL_WIDTH = str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，", ";": "；", "?": "？", "!": "！"})
# For matching only: forms that differ between copies but mean the same label.
_MATCH = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "‘": "'", "’": "'", "、": ",", "，": ",", "。": ".",
                        "（": "(", "）": ")", "：": ":", "；": ";"})
_ITEM_NUMBER = re.compile(r"(?<![\d.])(\d{1,2})[、.．]")
_SPACE = re.compile(r"\s+")


@functools.lru_cache(maxsize=1 << 16)  # cells and labels repeat across tables and copies; zhconv is slow
def simplify(text: str) -> str:
    """Simplified characters, no pinyin annotations, full-width punctuation, no odd spaces."""
    text = unicodedata.normalize("NFC", _PINYIN.sub("", text))
    text = zhconv.convert(text, "zh-cn").translate(_FULL_WIDTH_DIGITS)
    text = _FULL_WIDTH_SIGN.sub("-", _FULL_WIDTH_POINT.sub(".", text))
    return text.translate(_FULL_WIDTH).replace("\u00a0", " ").replace("\u3000", " ")


@functools.lru_cache(maxsize=1 << 16)
def canonical(text: str) -> str:
    """The form labels are compared in: no spaces, one kind of each punctuation, "1." items."""
    text = _ITEM_NUMBER.sub(r"\1.", _SPACE.sub("", simplify(text)))
    return text.translate(_MATCH)


def is_page_number(line: str) -> bool:
    return bool(_PAGE_NUMBER.match(line))


def cell_text(text: str) -> str:
    """A table cell's text; an empty cell, "/" or "-" becomes the blank marker."""
    text = simplify(text).strip()
    if not text or _DASHES_AS_BLANK.match(text):
        return BLANK
    return _FULL_WIDTH_MINUS.sub("-", text) if _FULL_WIDTH_MINUS.match(text) else text


_LAYOUT_SPACE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[0-9A-Za-z%])|(?<=[0-9A-Za-z%])\s+(?=[\u3000-\u9fff\uff00-\uffef])")


def without_layout_spaces(text: str) -> str:
    """PDF text layers put a space between Chinese and digits ("2024 年"); the text has none."""
    return _LAYOUT_SPACE.sub("", text)


_SENTENCE = re.compile(r"[^。]*。")


def without_sentences(text: str) -> str:
    """A line's words outside its sentences (those ending in 。): prose is never a table's."""
    return _SENTENCE.sub("", text).strip()
