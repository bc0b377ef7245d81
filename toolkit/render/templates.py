"""Where a format's default template comes from: shipped with the package, or built from the format data.

A format version added as a data file (GOVREPORT_FORMATS) has no shipped template; its template is
built once from the same definitions and kept in the user's cache folder.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
from pathlib import Path

from ..output import write_atomic


def _shipped_folder() -> Path:
    """templates/ of the source tree this package runs from (a checkout, or a worktree beside an
    editable install, whose package data would point at another tree); package data when installed."""
    source_tree = Path(__file__).resolve().parents[2]
    if (source_tree / "pyproject.toml").is_file() and (source_tree / "templates").is_dir():
        return source_tree / "templates"
    spec = importlib.util.find_spec("toolkit.templates")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return source_tree / "templates"


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "govreport" / "templates"


def default_template(version: str) -> Path:
    """The default template of a format version."""
    shipped = _shipped_folder() / f"{version}.docx"
    return shipped if shipped.is_file() else _built(version)


@functools.cache
def _built(version: str) -> Path:
    from .builder import template_bytes

    content = template_bytes(version)
    path = cache_folder() / f"{version}-{hashlib.sha256(content).hexdigest()[:16]}.docx"
    if not path.is_file():
        write_atomic(path, content, force=True)
    return path
