"""The desk's vocabulary without a database: roles, statuses, sum scopes and dashboard orders — what
the command line offers as choices before anything heavier is loaded."""

from __future__ import annotations

import datetime as dt

CLERK, OFFICE = "clerk", "office"

NOT_STARTED, FILLING, HAS_ERRORS, SUBMITTED, RETURNED, APPROVED = "未开始", "填写中", "有错误", "已提交", "退回", "已通过"
STATUSES = (NOT_STARTED, FILLING, HAS_ERRORS, SUBMITTED, RETURNED, APPROVED)

OWN, WHOLE = "本级", "全域"
SCOPES = (OWN, WHOLE)

# Dashboard orders, each a key on a dashboard row; ties keep the tree's order.
SORTS = {
    "tree": lambda row: row.order,
    "name": lambda row: row.name,
    "status": lambda row: (STATUSES.index(row.status), row.order),
    "deadline": lambda row: (row.deadline or dt.date.max, row.order),
    "updated": lambda row: (row.updated_at is None, row.updated_at or dt.datetime.min, row.order),
}
SORT_NAMES = {"tree": "按层级", "name": "按机关名称", "status": "按状态", "deadline": "按截止日期", "updated": "按最后保存时间"}
