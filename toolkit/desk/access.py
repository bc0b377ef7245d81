"""Who sees what: one pure function every desk operation asks before it reads or changes anything.

A clerk sees and edits its own body's report only; an office account sees and reviews the bodies of
its subtree and works on the region's dashboard, sums and exports. An account that must still
change its first password may do nothing else.
"""

from __future__ import annotations

from ..errors import ToolkitError
from .accounts import Account
from .region import Region
from .terms import CLERK, OFFICE
from .workflow import ROLES

VIEW = "view"  # open a report, its comments and history
REGION_ACTS = ("dashboard", "sum", "export")  # on a node of the tree, the office's work


class AccessDenied(ToolkitError):
    def __init__(self, message: str = "无权进行此操作。"):
        super().__init__(message)


class PasswordChangeRequired(AccessDenied):
    def __init__(self):
        super().__init__("首次登录须先修改初始密码。")


def allowed(account: Account, act: str, agency_id: int, region: Region) -> bool:
    """Whether ``account`` may do ``act`` (VIEW, a workflow act, or a region act) on a body's report
    or, for a region act, on the node ``agency_id``."""
    agency = region.agencies.get(agency_id)
    if agency is None or account.must_change_password:
        return False
    if act in REGION_ACTS:
        return account.role == OFFICE and agency_id in region.subtree(account.agency_id, retired=True)
    if agency.is_office:
        return False  # the office files no report of its own on the desk: its report is the region's sum
    if account.role == CLERK:
        return agency_id == account.agency_id and (act == VIEW or ROLES.get(act) == CLERK and not agency.retired)
    if account.role == OFFICE:
        return agency_id in region.subtree(account.agency_id, retired=True) and (act == VIEW or ROLES.get(act) == OFFICE)
    return False


def require(account: Account, act: str, agency_id: int, region: Region) -> None:
    if account.must_change_password:
        raise PasswordChangeRequired()
    if not allowed(account, act, agency_id, region):
        raise AccessDenied()
