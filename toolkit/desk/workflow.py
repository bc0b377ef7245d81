"""The status of a report on the desk, as a state machine: which act leads where, and who may do it.

未开始 → (save) 填写中 / 有错误 → (submit, when the gate passes) 已提交 → (return) 退回 or (approve) 已通过.
A returned report is saved and submitted again; an approval can be withdrawn (reopen) back to 退回.
"""

from __future__ import annotations

from ..errors import ToolkitError
from .terms import APPROVED, CLERK, FILLING, HAS_ERRORS, NOT_STARTED, OFFICE, RETURNED, SUBMITTED

EDITABLE = (NOT_STARTED, FILLING, HAS_ERRORS, RETURNED)

SAVE, SUBMIT, RETURN, APPROVE, REOPEN, COMMENT = "save", "submit", "return", "approve", "reopen", "comment"
ACT_NAMES = {SAVE: "保存", SUBMIT: "提交", RETURN: "退回", APPROVE: "通过", REOPEN: "撤销通过", COMMENT: "审核意见"}

# (act, status before) → status after; an act on a status not listed is refused. The statuses a save
# or a failed submit leads to depend on the report's findings: the one given here is for a clean report.
TRANSITIONS = {
    **{(SAVE, status): FILLING for status in EDITABLE},
    **{(SUBMIT, status): SUBMITTED for status in EDITABLE},
    (RETURN, SUBMITTED): RETURNED,
    (APPROVE, SUBMITTED): APPROVED,
    (REOPEN, APPROVED): RETURNED,
    **{(COMMENT, status): status for status in (SUBMITTED, APPROVED, RETURNED)},
}
ROLES = {SAVE: CLERK, SUBMIT: CLERK, RETURN: OFFICE, APPROVE: OFFICE, REOPEN: OFFICE, COMMENT: OFFICE}


class TransitionRefused(ToolkitError):
    """An act the report's status does not allow."""


def next_status(act: str, status: str, has_errors: bool = False) -> str:
    """The status after an act; a save or submit of a report with errors or unfinished parts is 有错误."""
    after = TRANSITIONS.get((act, status))
    if after is None:
        raise TransitionRefused(_refusal(act, status))
    if act in (SAVE, SUBMIT) and has_errors:
        return HAS_ERRORS
    return after


def _refusal(act: str, status: str) -> str:
    if act in (SAVE, SUBMIT) and status in (SUBMITTED, APPROVED):
        return f"报告{status}，不能再{ACT_NAMES[act]}；如需修改，请联系政务公开办退回。"
    return f"报告当前状态为“{status}”，不能{ACT_NAMES[act]}。"
