"""Whether a register row's request is answered, as the row says it in every place it can: the
答复日期 cell (a date, or a dash for “not yet”), the 办理状态 column, and the 办理结果 column.

Offices keep these by hand, so they disagree: 「办理中」 beside a reply date and an outcome, 「已办结」
with neither, 「延期答复」 with the extension notice's date in the 答复日期 column. A row whose
places disagree is a located problem, never counted by whichever one the tally happens to read.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from .labels import Vocabulary
from .sheets import chinese_date, squash

Problem = tuple[str, str]  # (message, hint)

_DASHES = re.compile(r"[-‐‑‒–—―─━−/\\]+")  # —, ——, /, - (full-width forms are folded by NFKC)


def says_not_answered(value, vocabulary: Vocabulary) -> bool:
    """An 答复日期 cell holding “not yet answered”: dashes or slashes (—, /, -) or words (无, 未答复)."""
    if not isinstance(value, str):
        return False
    text = unicodedata.normalize("NFKC", value).strip()
    return bool(_DASHES.fullmatch(text)) or (bool(text) and squash(text) in vocabulary.not_answered)


def open_outcome_with_date(outcome_text: str) -> Problem:
    """An answered date beside an outcome that says the request is still open (or none at all)."""
    if not outcome_text:
        return "已有答复日期，但没有办理结果。", "请填写法定的办理结果；尚未答复的，请清空答复日期。"
    return (f"已有答复日期，但没有办理结果（“{outcome_text}”表示尚未答复）。",
            "请填写法定的办理结果；尚未答复的，请清空答复日期。")


def deferred_with_date(outcome_text: str, answered: dt.date) -> Problem:
    """「延期答复」 with a date: the date is usually the extension notice's, but may be the late answer's."""
    return (f"“{outcome_text}”表示答复期限已延长、尚未作出答复，不是办理结果；但此行的答复日期填了"
            f"{chinese_date(answered)}，无法确定是否已经答复，未计入。",
            "已作出答复的，请填写法定的办理结果（如“予以公开”），延期情况可写在备注中；尚未答复的，"
            "请清空答复日期（延期告知的日期不是答复日期）。")


def status_contradiction(status_text: str, answered: dt.date | None, outcome_text: str,
                         vocabulary: Vocabulary) -> Problem | None:
    """What a 办理状态 cell contradicts in the row's date and outcome; None when they agree (or it is empty)."""
    status = squash(status_text)
    if not status:
        return None
    answered_text = f"答复日期（{chinese_date(answered)}）" if answered else ""
    outcome_given = outcome_text and squash(outcome_text) not in vocabulary.in_progress
    if status in vocabulary.status_open:
        if not (answered or outcome_given):
            return None
        given = "和".join(part for part in (answered_text, f"办理结果“{outcome_text}”" if outcome_given else "") if part)
        return (f"办理状态为“{status_text}”，但已填写{given}，无法确定是否已经答复，未计入。",
                "已答复的，请将办理状态改为“已办结”；尚未答复的，请清空答复日期和办理结果。")
    if status in vocabulary.status_done:
        if answered:
            return None
        return (f"办理状态为“{status_text}”，但没有答复日期，无法确定计入哪一年度，未计入。",
                "请填写答复（办结）日期；尚未答复的，请将办理状态改为“办理中”。")
    return (f"无法识别的办理状态“{status_text}”。",
            f"可填：{'、'.join(vocabulary.labels.data['status_open'][:1] + vocabulary.labels.data['status_done'][:1])}；"
            "或在本单位对照文件的 status_open、status_done 中加入本单位的写法。")
