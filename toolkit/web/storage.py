"""Reports and every saved version of them, in SQLite (WAL): nothing saved is ever overwritten.

A save names the version it was made from; when another tab saved in between, the save is refused
(``StaleSave``) and the caller keeps the clerk's content. Each save is one transaction: killing the
server mid-save leaves the database as it was before that save or after it, never between.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import (Boolean, Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text, create_engine,
                        event, insert, select, update)
from sqlalchemy.engine import Engine

metadata = MetaData()

reports = Table(
    "reports", metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String, nullable=False),
    Column("version", Integer, nullable=False),  # the number of the latest version
    Column("final", Boolean, nullable=False, default=False),  # 定稿: the latest version passed every check
    Column("updated", DateTime, nullable=False),
    Column("previous", Text, nullable=True),  # last year's data file, when the report was carried over from it
)

versions = Table(
    "versions", metadata,
    Column("report_id", ForeignKey("reports.id"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("saved", DateTime, nullable=False),
    Column("content", Text, nullable=False),  # the data file (YAML), exactly as ``govreport`` reads it
    Column("final", Boolean, nullable=False, default=False),
    Column("note", String, nullable=False, default=""),  # what made this version: 新建、保存、定稿、恢复
)


class StaleSave(Exception):
    """A save made from a version that is no longer the latest."""

    def __init__(self, latest: int):
        self.latest = latest
        super().__init__(f"保存未成功：此报告已在别处（另一个窗口或同事）保存为第 {latest} 版，与您打开的版本不同。"
                         "您填写的内容仍保留在本页；请先复制或下载数据文件，再刷新页面查看最新版本后合并。")


class NotFound(LookupError):
    pass


@dataclass(frozen=True)
class Summary:
    id: int
    title: str
    version: int
    final: bool
    updated: dt.datetime


@dataclass(frozen=True)
class Version:
    report_id: int
    number: int
    saved: dt.datetime
    content: str
    final: bool
    note: str


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # with WAL: a killed process never corrupts or half-writes
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Storage:
    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "govreport.sqlite3"
        self.engine: Engine = create_engine(f"sqlite:///{self.path}")
        event.listen(self.engine, "connect", _sqlite_pragmas)
        self._migrate()

    def _migrate(self) -> None:
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def create(self, title: str, content: str, note: str = "新建", previous: str | None = None) -> int:
        """A new report whose first version is ``content``; ``previous``: last year's data file, kept beside it."""
        now = _now()
        with self.engine.begin() as db:
            report_id = db.execute(insert(reports).values(title=title, version=1, final=False, updated=now,
                                                          previous=previous)).inserted_primary_key[0]
            db.execute(insert(versions).values(report_id=report_id, number=1, saved=now, content=content, final=False,
                                               note=note))
        return report_id

    def save(self, report_id: int, based_on: int, title: str, content: str, final: bool = False,
             note: str = "保存") -> Version:
        """A new version after ``based_on``; StaleSave when that is no longer the latest."""
        now = _now()
        with self.engine.begin() as db:
            moved = db.execute(update(reports).where(reports.c.id == report_id, reports.c.version == based_on)
                               .values(version=based_on + 1, title=title, final=final, updated=now)).rowcount
            if not moved:
                latest = db.execute(select(reports.c.version).where(reports.c.id == report_id)).scalar()
                if latest is None:
                    raise NotFound(report_id)
                raise StaleSave(latest)
            db.execute(insert(versions).values(report_id=report_id, number=based_on + 1, saved=now, content=content,
                                               final=final, note=note))
        return Version(report_id, based_on + 1, now, content, final, note)

    def reports(self) -> list[Summary]:
        with self.engine.connect() as db:
            rows = db.execute(select(reports).order_by(reports.c.updated.desc(), reports.c.id.desc())).all()
        return [Summary(r.id, r.title, r.version, r.final, r.updated) for r in rows]

    def summary(self, report_id: int) -> Summary:
        with self.engine.connect() as db:
            row = db.execute(select(reports).where(reports.c.id == report_id)).first()
        if row is None:
            raise NotFound(report_id)
        return Summary(row.id, row.title, row.version, row.final, row.updated)

    def previous(self, report_id: int) -> str | None:
        """Last year's data file, for a report carried over from it."""
        with self.engine.connect() as db:
            return db.execute(select(reports.c.previous).where(reports.c.id == report_id)).scalar()

    def version(self, report_id: int, number: int | None = None) -> Version:
        """A version of the report; the latest when ``number`` is None."""
        query = select(versions).where(versions.c.report_id == report_id)
        query = query.where(versions.c.number == number) if number else query.order_by(versions.c.number.desc())
        with self.engine.connect() as db:
            row = db.execute(query.limit(1)).first()
        if row is None:
            raise NotFound(report_id)
        return Version(row.report_id, row.number, row.saved, row.content, row.final, row.note)

    def history(self, report_id: int) -> list[Version]:
        """Every version, newest first (content left out: the list shows times and notes)."""
        query = (select(versions.c.report_id, versions.c.number, versions.c.saved, versions.c.final, versions.c.note)
                 .where(versions.c.report_id == report_id).order_by(versions.c.number.desc()))
        with self.engine.connect() as db:
            rows = db.execute(query).all()
        return [Version(r.report_id, r.number, r.saved, "", r.final, r.note) for r in rows]
