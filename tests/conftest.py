from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

import toolkit
from toolkit.desk import database

from .postgres_server import postgres_url

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.yaml"))
SHARED = ROOT.parent / "shared"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture
def draft_text() -> str:
    return toolkit.dumps(toolkit.new_report("某某乡人民政府", 2025))


def set_figure(text: str, row: str, col: str | None, value: str) -> str:
    """Replace one figure in a dumped data file, found by its row key and column key."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(f"{row}:"))
    if col is None:
        key, _, comment = lines[start].partition("#")
        lines[start] = f"{key.split(':')[0]}: {value}  #{comment}"
        return "".join(lines)
    for i in range(start + 1, len(lines)):
        if lines[i].strip().startswith(f"{col}:"):
            indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
            lines[i] = f"{indent}{col}: {value}\n"
            return "".join(lines)
    raise KeyError((row, col))


_REQUIRED = os.environ.get("GOVREPORT_REQUIRE_OFFICE") == "1" or os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str | None]:
    with postgres_url() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    """A fresh, empty database of each kind; PostgreSQL is required in CI (see postgres_server.py)."""
    if request.param == "sqlite":
        yield database.database_url(tmp_path / "data")
        return
    server_url = request.getfixturevalue("postgres_server")
    if not server_url:
        if _REQUIRED:
            pytest.fail("no PostgreSQL server: install the postgresql package or set GOVREPORT_TEST_POSTGRES")
        pytest.skip("no PostgreSQL server")
    server = create_engine(database.database_url(None, server_url), isolation_level="AUTOCOMMIT")
    name = f"desk_test_{uuid.uuid4().hex[:12]}"
    with server.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    yield database.database_url(None, str(server.url.set(database=name)))
    with server.connect() as connection:
        connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    server.dispose()
