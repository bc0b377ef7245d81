"""The region: the office and every body under it, as a tree built from the agency list.

The list (``toolkit.registry``, with the 上级机关 column naming each body's parent) is applied again
each time it changes: new bodies are added with an account and a blank report, bodies no longer
listed are retired (their reports and history stay), bodies listed again come back as they were.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine

from ..errors import DataFileError, Problem
from ..registry import Entry, Registry
from . import audit, reports
from .accounts import create_account, now
from .schema import accounts, agencies, settings
from .terms import CLERK, OFFICE

DEFAULT_OFFICE = "政务公开办"
OFFICE_LOGIN = "office"
_LOGIN = re.compile(r"^[A-Za-z0-9_.-]{2,40}$")


@dataclass(frozen=True)
class Agency:
    id: int
    name: str
    parent_id: int | None
    level: str | None
    code: str | None
    is_office: bool
    position: int
    retired: bool


@dataclass
class Region:
    """The tree in memory: a province's few thousand bodies are read in one query."""

    agencies: dict[int, Agency]
    children: dict[int, list[int]] = field(default_factory=dict)

    def __post_init__(self):
        for agency in sorted(self.agencies.values(), key=lambda a: a.position):
            self.children.setdefault(agency.id, [])
            if agency.parent_id is not None:
                self.children.setdefault(agency.parent_id, []).append(agency.id)

    @property
    def office(self) -> Agency:
        return next(a for a in self.agencies.values() if a.is_office)

    def by_name(self, name: str) -> Agency | None:
        return next((a for a in self.agencies.values() if a.name == name), None)

    def subtree(self, agency_id: int, retired: bool = False) -> list[int]:
        """The body and every body under it, parents before children, in list order."""
        found, stack = [], [agency_id]
        while stack:
            current = stack.pop()
            if self.agencies[current].retired and not retired:
                continue
            found.append(current)
            stack.extend(reversed(self.children.get(current, [])))
        return found

    def path(self, agency_id: int) -> list[Agency]:
        """From the office down to the body."""
        chain = []
        current: int | None = agency_id
        while current is not None:
            chain.append(self.agencies[current])
            current = self.agencies[current].parent_id
        return chain[::-1]

    def depth(self, agency_id: int) -> int:
        return len(self.path(agency_id)) - 1


def load(connection: Connection, only: list[int] | None = None) -> Region:
    """The whole tree, or just the bodies ``only`` (without what is above or below them)."""
    query = select(agencies) if only is None else select(agencies).where(agencies.c.id.in_(only))
    return Region({row.id: Agency(row.id, row.name, row.parent_id, row.level, row.code, row.is_office, row.position,
                                  row.retired_at is not None)
                   for row in connection.execute(query)})


def year(connection: Connection) -> int | None:
    value = connection.execute(select(settings.c.value).where(settings.c.key == "year")).scalar()
    return int(value) if value else None


@dataclass(frozen=True)
class NewAccount:
    """An account made by this run, for the list handed out to the agencies."""

    agency: str
    login: str
    password: str


@dataclass
class Synced:
    added: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    accounts: list[NewAccount] = field(default_factory=list)
    reports_created: int = 0


def validate(registry: Registry, office_name: str) -> None:
    """The list must be whole to build a tree: unusable rows, repeated names, unknown parents and
    loops are refused together, each at its line."""
    problems = list(registry.problems)
    lines: dict[str, int] = {}
    for entry in registry.agencies:
        if entry.name in lines:
            problems.append(Problem(f"机关“{entry.name}”重复出现（另见第 {lines[entry.name]} 行）。", line=entry.line,
                                    label="机关全称"))
        elif entry.name == office_name:
            problems.append(Problem(f"“{entry.name}”是政务公开办本身，不应列在机关名单中。", line=entry.line,
                                    label="机关全称", hint="名单中只列各报送机关；政务公开办另行指定。"))
        lines.setdefault(entry.name, entry.line)
    parents = {entry.name: entry.parent for entry in registry.agencies}
    for entry in registry.agencies:
        if entry.parent and entry.parent != office_name and entry.parent not in parents:
            problems.append(Problem(f"上级机关“{entry.parent}”不在名单中。", line=entry.line, label="上级机关",
                                    hint=f"上级机关须是名单中的机关全称；直属{office_name}的留空。"))
        elif _in_loop(entry.name, parents):
            problems.append(Problem(f"“{entry.name}”的上级机关形成循环。", line=entry.line, label="上级机关"))
    if problems:
        raise DataFileError(registry.source, sorted(problems, key=lambda p: p.line or 0))


def _in_loop(name: str, parents: dict[str, str | None]) -> bool:
    seen, current = set(), parents.get(name)
    while current in parents and current not in seen:
        if current == name:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def sync(engine: Engine, registry: Registry, report_year: int, office_name: str | None = None) -> Synced:
    """Apply the agency list to the region, in one transaction: all of it or nothing."""
    with engine.begin() as connection:
        existing = load(connection)
        office = existing.office if existing.agencies else None
        office_name = office_name or (office.name if office else DEFAULT_OFFICE)
        validate(registry, office_name)
        synced = Synced()
        if office is None:
            office_id = _insert_agency(connection, office_name, None, True, 0)
            synced.accounts.append(NewAccount(office_name, OFFICE_LOGIN,
                                              create_account(connection, OFFICE_LOGIN, office_id, OFFICE)))
        else:
            office_id = office.id
            if office_name != office.name:  # the office renamed (机构改革): same account, same history
                connection.execute(update(agencies).where(agencies.c.id == office_id).values(name=office_name))
                audit.record(connection, None, "agency_renamed", {"from": office.name, "to": office_name},
                             agency_id=office_id)
        ids = _apply_entries(connection, existing, registry.agencies, office_id, synced)
        _retire_unlisted(connection, existing, set(ids.values()) | {office_id}, synced)
        _create_accounts(connection, registry.agencies, ids, synced)
        synced.reports_created = reports.create_missing(connection, load(connection), report_year,
                                                        {e.name: e for e in registry.agencies})
        _set_year(connection, report_year)
    return synced


def _insert_agency(connection: Connection, name: str, level: str | None, is_office: bool, position: int,
                   code: str | None = None) -> int:
    agency_id = connection.execute(insert(agencies).values(name=name, level=level, code=code, is_office=is_office,
                                                           position=position)).inserted_primary_key[0]
    audit.record(connection, None, "agency_added", {"name": name}, agency_id=agency_id)
    return agency_id


def _apply_entries(connection: Connection, existing: Region, entries: list[Entry], office_id: int,
                   synced: Synced) -> dict[str, int]:
    ids: dict[str, int] = {}
    for position, entry in enumerate(entries, start=1):
        known = existing.by_name(entry.name)
        if known is None:
            ids[entry.name] = _insert_agency(connection, entry.name, entry.level, False, position, entry.code)
            synced.added.append(entry.name)
            continue
        ids[entry.name] = known.id
        connection.execute(update(agencies).where(agencies.c.id == known.id).values(
            level=entry.level or known.level, code=entry.code or known.code, position=position, retired_at=None))
        if known.retired:
            synced.restored.append(entry.name)
            audit.record(connection, None, "agency_restored", {"name": entry.name}, agency_id=known.id)
    for entry in entries:
        parent_id = ids[entry.parent] if entry.parent in ids else office_id
        known = existing.by_name(entry.name)
        if known is not None and known.parent_id != parent_id:
            synced.moved.append(entry.name)
            audit.record(connection, None, "agency_moved", {"from": existing.agencies[known.parent_id].name,
                                                            "to": entry.parent or existing.office.name},
                         agency_id=known.id)
        connection.execute(update(agencies).where(agencies.c.id == ids[entry.name]).values(parent_id=parent_id))
    return ids


def _retire_unlisted(connection: Connection, existing: Region, listed: set[int], synced: Synced) -> None:
    for agency in existing.agencies.values():
        if agency.id not in listed and not agency.retired:
            connection.execute(update(agencies).where(agencies.c.id == agency.id).values(retired_at=now()))
            synced.retired.append(agency.name)
            audit.record(connection, None, "agency_retired", {"name": agency.name}, agency_id=agency.id)


def _create_accounts(connection: Connection, entries: list[Entry], ids: dict[str, int], synced: Synced) -> None:
    """One clerk account per listed body that has none: its 代码 as login when usable, else a number."""
    with_account = set(connection.execute(select(accounts.c.agency_id)).scalars())
    taken = {login.casefold() for login in connection.execute(select(accounts.c.login)).scalars()}
    for entry in entries:
        agency_id = ids[entry.name]
        if agency_id in with_account:
            continue
        login = entry.code if entry.code and _LOGIN.match(entry.code) and entry.code.casefold() not in taken \
            else f"u{agency_id:05d}"
        taken.add(login.casefold())
        synced.accounts.append(NewAccount(entry.name, login, create_account(connection, login, agency_id, CLERK)))


def _set_year(connection: Connection, report_year: int) -> None:
    if connection.execute(select(settings).where(settings.c.key == "year")).first():
        connection.execute(update(settings).where(settings.c.key == "year").values(value=str(report_year)))
    else:
        connection.execute(insert(settings).values(key="year", value=str(report_year)))


def deadline(agency: Agency, report_year: int, fmt) -> dt.date | None:
    """The last day the 条例 allows for the body's report, by its level in the format data."""
    level = fmt.level_of(agency.name, agency.level)
    return dt.date(report_year + 1, *level.publish_by) if level else None


def accounts_csv(made: list[NewAccount]) -> bytes:
    """The list to hand out: 机关全称, 账号, 初始密码, in UTF-8 with a byte-order mark for Excel."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(("机关全称", "账号", "初始密码"))
    writer.writerows((account.agency, account.login, account.password) for account in made)
    return ("\ufeff" + stream.getvalue()).encode("utf-8")
