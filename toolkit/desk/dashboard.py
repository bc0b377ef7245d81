"""The state of the region at a glance: every body's status, its deadline, what is overdue, and the
counts per status for every subtree; filtered, sorted, and as an .xlsx workbook."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.engine import Engine

from ..formats import format_for_year
from . import region
from .access import require
from .accounts import Account
from .schema import reports
from .terms import APPROVED, SORTS, STATUSES, SUBMITTED

@dataclass(frozen=True)
class Row:
    agency_id: int
    name: str
    path: tuple[str, ...]  # the bodies above it, from the office down
    depth: int
    level: str | None
    status: str
    deadline: dt.date | None
    overdue: bool  # past its deadline and not yet submitted
    errors: int
    warnings: int
    updated_at: dt.datetime | None
    submitted_at: dt.datetime | None
    report_id: int
    order: int  # position in the tree, parents before children


@dataclass
class Dashboard:
    year: int
    node: str
    today: dt.date
    rows: list[Row]
    counts: dict[str, Counter] = field(default_factory=dict)  # per body with bodies under it: its subtree's statuses

    @property
    def totals(self) -> Counter:
        return Counter(row.status for row in self.rows)

    @property
    def overdue(self) -> int:
        return sum(row.overdue for row in self.rows)


def dashboard(engine: Engine, account: Account, node_id: int | None = None, *, year: int | None = None,
              status: str | None = None, overdue_only: bool = False, search: str | None = None,
              sort: str = "tree", descending: bool = False, today: dt.date | None = None) -> Dashboard:
    """The rows of the node's subtree (the account's own by default); the counts are of the whole
    subtree, the rows as filtered."""
    today = today or dt.date.today()
    with engine.connect() as connection:
        tree = region.load(connection)
        node_id = node_id or account.agency_id
        require(account, "dashboard", node_id, tree)
        year = year or region.year(connection)
        scope = tree.subtree(node_id)
        found = {row.agency_id: row for row in connection.execute(
            select(reports.c.id, reports.c.agency_id, reports.c.status, reports.c.errors, reports.c.warnings,
                   reports.c.updated_at, reports.c.submitted_at).where(reports.c.year == year))}
    fmt = format_for_year(year)
    rows = []
    for order, agency_id in enumerate(scope):
        report = found.get(agency_id)
        if report is None:
            continue  # the office itself, or a body added after the year's reports were made
        agency = tree.agencies[agency_id]
        deadline = region.deadline(agency, year, fmt)
        rows.append(Row(agency_id, agency.name, tuple(a.name for a in tree.path(agency_id)[:-1]), tree.depth(agency_id),
                        agency.level, report.status, deadline,
                        bool(deadline and today > deadline and report.status not in (SUBMITTED, APPROVED)),
                        report.errors, report.warnings, report.updated_at, report.submitted_at, report.id, order))
    counts = _subtree_counts(tree, scope, {row.agency_id: row.status for row in rows})
    rows = [row for row in rows if (status is None or row.status == status) and (not overdue_only or row.overdue)
            and (not search or search in row.name)]
    rows.sort(key=SORTS[sort], reverse=descending)
    return Dashboard(year, tree.agencies[node_id].name, today, rows, counts)


def _subtree_counts(tree: region.Region, scope: list[int], statuses: dict[int, str]) -> dict[str, Counter]:
    """Children before parents (the scope reversed), each adding its count to its parent's."""
    counts: dict[int, Counter] = {agency_id: Counter() for agency_id in scope}
    for agency_id in reversed(scope):
        if agency_id in statuses:
            counts[agency_id][statuses[agency_id]] += 1
        parent = tree.agencies[agency_id].parent_id
        if parent in counts and agency_id != scope[0]:
            counts[parent].update(counts[agency_id])
    return {tree.agencies[a].name: counts[a] for a in scope if tree.children.get(a)}


HEADER = ("机关全称", "上级机关", "层级", "状态", "截止日期", "逾期", "错误", "警告", "最后保存", "提交时间")


def to_xlsx(board: Dashboard) -> bytes:
    """Two sheets: every row as shown, and the counts per status of each subtree."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "各机关"
    sheet.append(HEADER)
    late = PatternFill("solid", fgColor="FFC7CE")
    for row in board.rows:
        sheet.append((row.name, row.path[-1] if row.path else "", row.level or "", row.status,
                      row.deadline, "是" if row.overdue else "", row.errors, row.warnings,
                      _local(row.updated_at), _local(row.submitted_at)))
        if row.overdue:
            for cell in sheet[sheet.max_row]:
                cell.fill = late
    summary = book.create_sheet("汇总")
    summary.append(("机关（含下级）", *STATUSES, "合计"))
    for name, counter in board.counts.items():
        summary.append((name, *(counter.get(s, 0) for s in STATUSES), sum(counter.values())))
    for ws in (sheet, summary):
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for index, width in enumerate([40] + [14] * (ws.max_column - 1), start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    """A UTC moment as Beijing time without a zone: Excel cells hold no time zone."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
    return aware.astimezone(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None)
