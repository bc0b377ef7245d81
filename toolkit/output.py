"""Files and text for people: atomic writes that never clobber, safe file names, Chinese text widths
and encodings."""

from __future__ import annotations

import os
import tempfile
import unicodedata
from pathlib import Path

from .errors import OutputExists, ToolkitError


def write_atomic(path: str | Path, data: bytes | str, force: bool = False) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    A failure part-way leaves no half-written file behind, and readers never see one.
    """
    path = Path(path)
    if path.exists() and not force:
        raise OutputExists(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ToolkitError(f"无法写入 {path}：{exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ToolkitError(f"无法写入 {path}：{exc.strerror or exc}") from None
        raise
    return path


_ILLEGAL = set('<>:"/\\|?*') | {chr(c) for c in range(32)}
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_filename(title: str, suffix: str) -> str:
    """A file name made from a title that is legal on Windows and Linux and stays in its folder."""
    name = "".join("_" if ch in _ILLEGAL else ch for ch in title).strip(" .")
    name = name.replace("..", "_")[:120] or "报告"
    if name.upper() in _RESERVED:
        name = f"_{name}"
    return name + suffix


def display_width(text: str) -> int:
    """Columns a text takes in a terminal or on the grid: a Chinese character two, a digit one.

    Ambiguous-width characters (“” and the like) count as wide, as Chinese fonts draw them.
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def decode_text(raw: bytes) -> str:
    """Text a clerk saved: UTF-8 (with or without BOM), else GBK/GB18030 as Chinese Windows saves it."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")
