"""What clerks and reviewers do to a report: save, submit through the gate, comment, return, approve.

Every operation asks ``access`` first, moves the status through ``workflow``, and appends to the
audit log in the same transaction as the change it records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine

from .. import rules
from ..errors import ToolkitError
from ..findings import ERROR, Finding
from ..formats import CellRef
from ..model import Report
from . import audit, region, reports
from .access import VIEW, AccessDenied, require
from .accounts import Account, now
from .schema import accounts, comments, reports as report_table
from .workflow import APPROVE, COMMENT, REOPEN, RETURN, SAVE, SUBMIT, TransitionRefused, next_status


_STATUS_CHANGED = "报告状态刚被他人改变，请刷新后再试。"


class StaleRevision(ToolkitError):
    """A save made on an older revision than the stored one: refused, never silently overwritten."""

    def __init__(self, stored: int, given: int):
        super().__init__(f"报告已被修改（当前第 {stored} 版，您编辑的是第 {given} 版）。"
                         "请重新打开报告，再把您的修改填入。")


class SubmitBlocked(ToolkitError):
    """Submission refused: errors or unfinished parts, each a finding at its cell or paragraph."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__(f"报告有 {len(findings)} 处错误或未完成的内容，未能提交；请按提示修改后再提交。")


class CommentRefused(ToolkitError):
    pass


@dataclass(frozen=True)
class Comment:
    at: object
    login: str
    target: str
    label: str
    text: str
    revision: int


@dataclass
class Opened:
    """A report as its reader sees it: the data, the status, the last check and the reviewers' comments."""

    stored: reports.Stored
    agency: str
    findings: list[dict] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)

    @property
    def warnings(self) -> list[dict]:
        return [f for f in self.findings if f["severity"] != ERROR]


def _visible(connection: Connection, account: Account, report_id: int, act: str) -> tuple[reports.Stored, region.Region]:
    """The report if the account may do ``act`` on it; a report it may not even see is not found."""
    stored = reports.get(connection, report_id)
    # A clerk's access depends on its own body alone: the whole tree is read for an office only.
    tree = region.load(connection) if account.is_office else region.load(connection, [stored.agency_id])
    try:
        require(account, VIEW, stored.agency_id, tree)
    except AccessDenied as exc:
        if account.must_change_password:
            raise
        raise reports.ReportNotFound() from exc
    require(account, act, stored.agency_id, tree)
    return stored, tree


def open_report(engine: Engine, account: Account, report_id: int) -> Opened:
    with engine.connect() as connection:
        stored, tree = _visible(connection, account, report_id, VIEW)
        findings = json.loads(connection.execute(select(report_table.c.findings)
                                                  .where(report_table.c.id == report_id)).scalar_one())
        return Opened(stored, tree.agencies[stored.agency_id].name, findings, _comments(connection, report_id))


def for_form(engine: Engine, account: Account, report_id: int, act: str = VIEW) -> tuple[reports.Stored, Report | None]:
    """The report if the account may do ``act`` on it (else refused as ``_visible`` refuses), and last
    year's report it is checked against: what the web form needs before it reads the clerk's fields."""
    with engine.connect() as connection:
        stored, _ = _visible(connection, account, report_id, act)
        return stored, _previous(connection, stored)


def own_report(engine: Engine, account: Account, year: int | None = None) -> reports.Stored:
    """A clerk's report of the desk's year (or the year given)."""
    with engine.connect() as connection:
        year = year or region.year(connection)
        found = reports.of_agency(connection, account.agency_id, year) if year else None
        if found is None:
            raise reports.ReportNotFound()
        return _visible(connection, account, found.id, VIEW)[0]


def _comments(connection: Connection, report_id: int) -> list[Comment]:
    rows = connection.execute(select(comments, accounts.c.login).join(accounts, accounts.c.id == comments.c.account_id)
                              .where(comments.c.report_id == report_id).order_by(comments.c.id))
    return [Comment(row.at, row.login, row.target, row.label, row.text, row.revision) for row in rows]


def _previous(connection: Connection, stored: reports.Stored) -> Report | None:
    last = reports.of_agency(connection, stored.agency_id, stored.year - 1)
    return last.report() if last else None


def _check(connection: Connection, stored: reports.Stored, report: Report) -> list[Finding]:
    return rules.check(report, _previous(connection, stored))


def save(engine: Engine, account: Account, report_id: int, data: str, revision: int) -> tuple[str, int, list[Finding]]:
    """Store a new text of the data file made on ``revision``; returns (status, new revision, findings).
    A text that cannot be read is refused with its problems (DataFileError), and nothing is stored."""
    # The reading, checking and writing out happen before the write transaction, which then holds
    # SQLite's one write lock for two statements only; the update's conditions make sure nothing
    # changed in between, and a save that lost the race is refused, never merged. Access is asked
    # first: a report not the account's is not found, whatever was sent.
    with engine.connect() as connection:
        stored, tree = _visible(connection, account, report_id, SAVE)
        report = reports.parse(data)
        _same_agency_and_year(report, stored, tree)
        if stored.revision != revision:
            raise StaleRevision(stored.revision, revision)
        findings = _check(connection, stored, report)
    status = next_status(SAVE, stored.status, bool(reports.blocking(findings)))
    values = reports.columns(report, findings, data)
    changes = _changes(report, stored, values)
    with engine.begin() as connection:
        updated = connection.execute(update(report_table).where(
            report_table.c.id == report_id, report_table.c.revision == revision,
            report_table.c.status == stored.status).values(status=status, revision=revision + 1, updated_at=now(),
                                                            **values))
        if updated.rowcount != 1:
            current = reports.get(connection, report_id)
            if current.revision != revision:
                raise StaleRevision(current.revision, revision)
            next_status(SAVE, current.status)  # refused with its reason when submitted meanwhile
            raise TransitionRefused(_STATUS_CHANGED)
        audit.record(connection, account.id, "saved", {"revision": revision + 1, "status": status, "changes": changes},
                     agency_id=stored.agency_id, report_id=report_id)
    return status, revision + 1, findings


def _same_agency_and_year(report: Report, stored: reports.Stored, tree: region.Region) -> None:
    name = tree.agencies[stored.agency_id].name
    if report.agency.name != name or report.year != stored.year:
        raise AccessDenied(f"数据文件是“{report.agency.name}”{report.year}年度的报告，"
                           f"与本报告（“{name}”{stored.year}年度）不符。")


def _changes(report: Report, before: reports.Stored, after: dict) -> list[dict]:
    """What a save changed, from the columns kept beside the data file (no second parse): each figure
    by its official label, from what to what; each narrative section by its heading; the rest as one."""
    fmt = report.format
    old, new = json.loads(before.figures), json.loads(after["figures"])
    changed = [{"field": f"figures.{key}", "label": fmt.label(CellRef.parse(key)), "from": str(old.get(key, 0)),
                "to": str(value)} for key, value in new.items() if old.get(key, 0) != value]
    old, new = json.loads(before.sections), json.loads(after["sections"])
    changed += [{"field": f"sections.{name.partition(' ')[0]}", "label": name.partition(" ")[2]}
                for name in new if old.get(name) != new[name]]
    if not changed and before.data != after["data"]:
        changed.append({"field": "other", "label": "机关信息、导语、成文日期或落款"})
    return changed


def submit(engine: Engine, account: Account, report_id: int) -> str:
    """Submit through the gate: every rule runs; errors or unfinished parts keep the report back as 有错误
    (SubmitBlocked lists them), warnings go with it to the reviewer."""
    with engine.begin() as connection:
        stored, _ = _visible(connection, account, report_id, SUBMIT)
        findings = _check(connection, stored, stored.report())
        blocking = reports.blocking(findings)
        status = next_status(SUBMIT, stored.status, bool(blocking))
        values = {"status": status, **reports.findings_columns(findings)}
        if not blocking:
            values["submitted_at"] = now()
        connection.execute(update(report_table).where(report_table.c.id == report_id).values(**values))
        audit.record(connection, account.id, "submit_blocked" if blocking else "submitted",
                     {"revision": stored.revision, "errors": [f"[{f.rule}] {f.message}" for f in blocking],
                      "warnings": len(findings) - len(blocking)}, agency_id=stored.agency_id, report_id=report_id)
    if blocking:
        raise SubmitBlocked(blocking)
    return status


def comment(engine: Engine, account: Account, report_id: int, target: str, text: str) -> Comment:
    """A reviewer's comment on a cell (``figures.table.row.col``) or a section (``sections.key``)."""
    with engine.begin() as connection:
        stored, _ = _visible(connection, account, report_id, COMMENT)
        next_status(COMMENT, stored.status)
        return _add_comment(connection, account, stored, target, text)


def _add_comment(connection: Connection, account: Account, stored: reports.Stored, target: str, text: str) -> Comment:
    text = text.strip()
    if not text:
        raise CommentRefused("审核意见不能为空。")
    label = _label(stored.report(), target)
    at = now()
    connection.execute(insert(comments).values(report_id=stored.id, account_id=account.id, at=at,
                                               revision=stored.revision, target=target, label=label, text=text))
    audit.record(connection, account.id, "commented", {"target": target, "label": label, "text": text},
                 agency_id=stored.agency_id, report_id=stored.id, at=at)
    return Comment(at, account.login, target, label, text, stored.revision)


def _label(report: Report, target: str) -> str:
    """The official label a comment's target names: a cell's label path or a section's heading."""
    fmt = report.format
    kind, _, key = target.partition(".")
    if kind == "figures":
        try:
            ref = CellRef.parse(key)
        except TypeError:
            ref = None
        if ref and fmt.has_cell(ref):
            return fmt.label(ref)
    if kind == "sections" and any(s.key == key for s in fmt.sections):
        return fmt.section(key).heading
    if target == "report":
        return "全文"
    raise CommentRefused(f"审核意见的位置“{target}”不是本报告中的表格单元格或部分"
                         "（应为 figures.表.行.列、sections.部分 或 report）。")


def return_report(engine: Engine, account: Account, report_id: int, text: str, target: str = "report") -> Comment:
    """Send a submitted report back to its clerk, with the comment that says why."""
    return _review(engine, account, report_id, RETURN, "returned", text, target)


def approve(engine: Engine, account: Account, report_id: int, text: str = "") -> None:
    _review(engine, account, report_id, APPROVE, "approved", text, "report")


def reopen(engine: Engine, account: Account, report_id: int, text: str) -> Comment:
    """Withdraw an approval: the report goes back to its clerk as 退回, with the reason."""
    return _review(engine, account, report_id, REOPEN, "reopened", text, "report")


def _review(engine: Engine, account: Account, report_id: int, act: str, action: str, text: str,
            target: str) -> Comment | None:
    with engine.begin() as connection:
        stored, _ = _visible(connection, account, report_id, act)
        status = next_status(act, stored.status)
        if act != APPROVE and not text.strip():
            raise CommentRefused("退回报告须写明审核意见，告诉填报人需要修改什么。")
        note = _add_comment(connection, account, stored, target, text) if text.strip() else None
        updated = connection.execute(update(report_table).where(
            report_table.c.id == report_id, report_table.c.status == stored.status).values(status=status))
        if updated.rowcount != 1:
            raise TransitionRefused(_STATUS_CHANGED)
        audit.record(connection, account.id, action, {"from": stored.status, "to": status, "revision": stored.revision},
                     agency_id=stored.agency_id, report_id=report_id)
        return note
