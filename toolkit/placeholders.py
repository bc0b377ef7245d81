"""Placeholder text: what a blank draft or the circulated official template holds where a report's
own words belong.

One list serves every place a report's text comes from — data files, published copies read back,
adopted templates — so that 「（文字描述）」 left in from the official template is as unfinished
as the 【待填写】 of a fresh data file. Anonymised names in case descriptions (申请人张某某,
王××) are a report's own words, not placeholders: 某某 and ×× count only where they stand for a
place, an agency, a number or a date.
"""

from __future__ import annotations

import re

PLACEHOLDER = "【待填写】"  # what ``govreport new`` writes where text is to be filled in

# What an agency, a place or a figure ends with: 某某县, ××局, XX件, 20XX年.
_NAMED = r"省|市|县|区|乡|镇|街道|村|社区|局|委|办|厅|署|院|处|科|所|站|队|中心|部门|单位|机关|政府|网站|平台"
_COUNTED = r"件|个|条|项|次|人|份|家|万元|元|%|％|号|年|月|日"
_MARKS = r"(?:[XxＸｘ]{2,}|[×＊*]{2,})"

_PATTERNS = (
    re.escape(PLACEHOLDER),
    r"[（(]\s*文字描述[^）)]*[）)]?",  # the official template's 「（文字描述）」, 「（文字描述，收取信息处理费情况…）」
    r"格式模板",  # the official template's own title 「政府信息公开工作年度报告格式模板」
    rf"某某(?:{_NAMED})",
    rf"{_MARKS}(?:{_NAMED}|{_COUNTED})",
    r"(?<![\dA-Za-z])[XxＸｘ×]{1,4}(?=[年月日])",  # 20XX年X月X日
    r"^\s*" + _MARKS + r"\s*$",  # a text that is nothing but marks
    r"年[\s\u3000]+月[\s\u3000]+日",  # an empty date line 「年　月　日」
    r"[（(【\[]\s*(?:此处|请)?填写[^）)】\]]*[）)】\]]",  # 「（此处填写…）」「【请填写】」
)
_FOUND = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.M)


def find(text: str | None) -> str | None:
    """The first placeholder in ``text`` as written there, or None when it holds none."""
    if not text:
        return None
    match = _FOUND.search(text)
    return match.group(0).strip() if match else None


def holds(text: str | None) -> bool:
    return find(text) is not None
