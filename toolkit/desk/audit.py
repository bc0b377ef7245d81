"""The audit log: who did what, when, and what changed — appended to, never altered.

This module is the only writer of ``desk_audit_log`` and has no update or delete; the database's
triggers refuse both to anyone else (see the first migration).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from .schema import accounts, audit_log

ACTIONS = {
    "login": "登录", "password_changed": "修改密码", "password_reset": "重置密码",
    "agency_added": "新增机关", "agency_retired": "撤销机关", "agency_restored": "恢复机关", "agency_moved": "调整上级机关",
    "agency_renamed": "更名",
    "report_created": "建立报告", "report_imported": "导入报告", "saved": "保存", "submit_blocked": "提交未通过检查",
    "submitted": "提交", "returned": "退回", "approved": "通过", "reopened": "撤销通过", "commented": "审核意见",
}


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    login: str | None  # None: the desk's own command (init, import)
    action: str
    detail: dict
    agency_id: int | None
    report_id: int | None

    @property
    def action_name(self) -> str:
        return ACTIONS.get(self.action, self.action)


def record(connection: Connection, account_id: int | None, action: str, detail: dict, *, agency_id: int | None = None,
           report_id: int | None = None, at: dt.datetime | None = None) -> None:
    connection.execute(insert(audit_log).values(
        at=at or dt.datetime.now(dt.timezone.utc), account_id=account_id, agency_id=agency_id, report_id=report_id,
        action=action, detail=json.dumps(detail, ensure_ascii=False, default=str)))


def entries(connection: Connection, *, report_id: int | None = None, agency_ids=None) -> list[Entry]:
    """Entries oldest first, of one report or of some agencies (all when neither is given)."""
    query = (select(audit_log, accounts.c.login).outerjoin(accounts, accounts.c.id == audit_log.c.account_id)
             .order_by(audit_log.c.id))
    if report_id is not None:
        query = query.where(audit_log.c.report_id == report_id)
    if agency_ids is not None:
        query = query.where(audit_log.c.agency_id.in_(list(agency_ids)))
    return [Entry(row.at, row.login, row.action, json.loads(row.detail), row.agency_id, row.report_id)
            for row in connection.execute(query)]


_DETAIL_NAMES = {"name": "机关", "year": "年度", "carried_over": "结转上年", "revision": "版本", "status": "状态",
                 "from": "原", "to": "新", "errors": "错误", "warnings": "警告", "target": "位置", "label": "名称",
                 "text": "意见", "address": "来源地址", "login": "账号", "file": "文件"}


def describe(detail: dict) -> str:
    """An entry's detail in a line, in Chinese: changed cells as 「label」 from→to, the rest as name：value."""
    parts = []
    for key, value in detail.items():
        if key == "changes":
            parts += [f"「{c['label']}」{c['from']}→{c['to']}" if "from" in c else f"「{c['label']}」" for c in value]
        elif value not in (None, [], {}, ""):
            shown = {True: "是", False: "否"}.get(value, value) if isinstance(value, bool) else value
            parts.append(f"{_DETAIL_NAMES.get(key, key)}：{'、'.join(shown) if isinstance(shown, list) else shown}")
    return "；".join(parts)
