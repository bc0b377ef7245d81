"""Opening the desk's database: SQLite in the data folder by default, PostgreSQL when given its URL.

Opening always brings the schema up to date through the Alembic migrations beside this module, so
installing a newer package upgrades the database in place and never loses what it holds.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from ..errors import ToolkitError

DATABASE_FILE = "govreport.sqlite3"  # in the data folder, shared with the web form
_MIGRATIONS = Path(__file__).with_name("migrations")


class DatabaseUnavailable(ToolkitError):
    """A database URL that is malformed, or a server that cannot be reached."""


class DatabaseNotGiven(ToolkitError):
    """Neither a data folder nor a database address to keep the desk in."""

    remedy = "data"

    def __init__(self):
        super().__init__("没有指定工作台的数据文件夹或数据库地址。")


def database_url(data: str | Path | None, url: str | None = None) -> str:
    """The URL to open: the one given (postgresql://… takes the psycopg 3 driver), else the SQLite file
    in the data folder."""
    if url:
        for scheme in ("postgresql://", "postgres://"):
            if url.startswith(scheme):
                return "postgresql+psycopg://" + url[len(scheme):]
        return url
    if data is None:
        raise DatabaseNotGiven()
    folder = Path(data)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ToolkitError(f"无法创建数据文件夹 {folder}：{exc.strerror or exc}") from None
    return f"sqlite:///{(folder / DATABASE_FILE).resolve()}"


def connect(url: str) -> Engine:
    """An engine on the database, its schema brought up to date."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUnavailable(f"数据库地址无法识别：{url}（例如 postgresql://用户@主机/库名）") from None
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=20)
    try:
        upgrade(engine)
    except OperationalError as exc:
        engine.dispose()
        raise DatabaseUnavailable(f"无法连接数据库 {parsed.render_as_string(hide_password=True)}："
                                  f"{str(exc.orig).strip().splitlines()[0]}") from None
    return engine


def _sqlite_pragmas(connection, _record) -> None:
    """WAL lets the dashboard read while a clerk saves; foreign keys are off in SQLite unless asked."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def upgrade(engine: Engine) -> None:
    """Apply every migration not yet applied (none: a quick look at the version table)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
