"""Summing the region: 本级 (a body's own report) and 全域 (the body and every body under it).

Tables 二/三/四 are summed cell by cell over the approved reports, the totals derived again from the
format data, and every rule checked on the sum. What is not in the sum is said: each body of the
scope whose report is missing or not yet approved is listed, so a sum is never taken as complete
when it is not. Also here: 雷同 across the region's narratives, and the change on last year's sum.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from .. import rules
from ..errors import ToolkitError
from ..findings import Finding
from ..formats import CellRef, format_for_year
from ..model import Number, Report
from ..rules.similarity import copied_sections
from . import region, reports
from .access import require
from .accounts import Account
from .schema import reports as report_table
from .terms import APPROVED, NOT_STARTED, OWN, SCOPES, WHOLE


@dataclass(frozen=True)
class Outstanding:
    """A body of the scope whose report is not in the sum, and why."""

    name: str
    path: tuple[str, ...]
    status: str  # its report's status, or 无报告


@dataclass(frozen=True)
class Child:
    """One body directly under the node, with how much of its own subtree is approved."""

    name: str
    status: str
    bodies: int
    approved: int

    @property
    def complete(self) -> bool:
        return self.approved == self.bodies


@dataclass
class RegionSum:
    node: str
    scope: str
    year: int
    report: Report  # a complete report: for 本级 the body's own, for 全域 the sum with the text to write
    included: list[str] = field(default_factory=list)
    outstanding: list[Outstanding] = field(default_factory=list)
    children: list[Child] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    previous: Report | None = None  # last year's sum of the same scope, when the desk holds its reports

    @property
    def complete(self) -> bool:
        return not self.outstanding

    def year_on_year(self) -> list[tuple[CellRef, str, Number, Number | None]]:
        """Every cell as (cell, label, this year, last year — None without last year's sum)."""
        fmt = self.report.format
        last = self.previous
        return [(ref, fmt.label(ref), self.report.value(ref),
                 last.value(ref) if last is not None and last.format.has_cell(ref) else None)
                for ref in fmt.iter_cells()]


def region_sum(engine: Engine, account: Account, node_id: int, scope: str, year: int | None = None) -> RegionSum:
    with engine.connect() as connection:
        tree = region.load(connection)
        require(account, "sum", node_id, tree)
        year = year or region.year(connection)
        result = _sum(connection, tree, node_id, scope, year)
        if _any_reports(connection, year - 1):
            result.previous = _sum(connection, tree, node_id, scope, year - 1).report
    result.findings = rules.check(result.report, result.previous)
    return result


def _any_reports(connection: Connection, year: int) -> bool:
    return connection.execute(select(report_table.c.id).where(report_table.c.year == year).limit(1)).first() is not None


def _scope_ids(tree: region.Region, node_id: int, scope: str) -> list[int]:
    if scope not in SCOPES:
        raise ToolkitError(f"汇总范围应为“本级”或“全域”，而不是“{scope}”。")
    if scope == OWN:
        if tree.agencies[node_id].is_office:
            raise ToolkitError(f"{tree.agencies[node_id].name}本身没有报送报告；请汇总“全域”，或指定一个机关的“本级”。")
        return [node_id]
    return [a for a in tree.subtree(node_id) if not tree.agencies[a].is_office]


def _sum(connection: Connection, tree: region.Region, node_id: int, scope: str, year: int) -> RegionSum:
    ids = _scope_ids(tree, node_id, scope)
    rows = {row.agency_id: row for row in connection.execute(
        select(report_table.c.agency_id, report_table.c.figures)
        .where(report_table.c.year == year, report_table.c.status == APPROVED))}
    statuses = dict(connection.execute(select(report_table.c.agency_id, report_table.c.status)
                                       .where(report_table.c.year == year)).all())
    node = tree.agencies[node_id]
    fmt = format_for_year(year)
    included, outstanding = [], []
    for agency_id in ids:
        agency = tree.agencies[agency_id]
        if agency_id in rows:
            included.append(agency.name)
        else:
            outstanding.append(Outstanding(agency.name, tuple(a.name for a in tree.path(agency_id)[1:-1]),
                                           statuses.get(agency_id, "无报告")))
    # A report in another format adds the cells it shares with the year's; its own stay in its data file.
    totals, unread = reports.sum_figures((rows[a].figures for a in ids if a in rows), fmt.iter_input_cells())
    if scope == OWN and node_id in rows:
        report = reports.of_agency(connection, node_id, year).report()
    else:
        report = Report.blank(node.name, year, fmt, node.level)
        report.figures, report.unread = totals, unread
    return RegionSum(node.name, scope, year, report, included, outstanding,
                     _children(tree, node_id, statuses) if scope == WHOLE else [])


def _children(tree: region.Region, node_id: int, statuses: dict[int, str]) -> list[Child]:
    found = []
    for child in tree.children.get(node_id, []):
        if tree.agencies[child].retired:
            continue
        bodies = tree.subtree(child)
        found.append(Child(tree.agencies[child].name, statuses.get(child, "无报告"), len(bodies),
                           sum(statuses.get(b) == APPROVED for b in bodies)))
    return found


def copies(engine: Engine, account: Account, node_id: int, year: int | None = None) -> dict[str, list[Finding]]:
    """雷同 across the narratives of the scope's reports that have been written (by body name)."""
    with engine.connect() as connection:
        tree = region.load(connection)
        require(account, "sum", node_id, tree)
        year = year or region.year(connection)
        ids = set(tree.subtree(node_id))
        rows = connection.execute(select(report_table.c.agency_id, report_table.c.sections)
                                  .where(report_table.c.year == year, report_table.c.status != NOT_STARTED))
        sections = [(tree.agencies[row.agency_id].name, json.loads(row.sections)) for row in rows
                    if row.agency_id in ids]
    return copied_sections(sections)
