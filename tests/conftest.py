from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import toolkit

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
