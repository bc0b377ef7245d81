"""Files and text for people: atomic writes that never clobber, safe file names, Chinese text widths
and encodings."""

from __future__ import annotations

import os
import re
import shutil
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
        _remove_abandoned(folder, _TEMPORARY_FILE)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{_cut_to_bytes(path.name, 200)}.{os.getpid()}.",
                                             suffix=".tmp")
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


# What this tool leaves behind only when it is killed: a temporary file beside an output, a
# working folder in the system's temporary folder. Each carries its process id, so the next run
# can tell those of a dead process (removed) from those of a run still going (left alone).
_TEMPORARY_FILE = re.compile(r"^\..*\.(\d+)\.[a-z0-9_]{8}\.tmp$")  # mkstemp's random part: 8 characters
_TEMPORARY_FOLDER = re.compile(r"^govreport-[a-z]+-(\d+)-")
_cleaned: set[str] = set()


def temporary_folder(kind: str) -> tempfile.TemporaryDirectory:
    """A working folder of this process, removed when done; those of killed runs are removed first."""
    _remove_abandoned(Path(tempfile.gettempdir()), _TEMPORARY_FOLDER)
    return tempfile.TemporaryDirectory(prefix=f"govreport-{kind}-{os.getpid()}-")


def _remove_abandoned(folder: Path, pattern: re.Pattern) -> None:
    """Once per folder and process: what a dead process of this tool left in ``folder``."""
    key = f"{pattern.pattern}\0{folder.resolve()}"
    if key in _cleaned:
        return
    _cleaned.add(key)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        match = pattern.match(entry.name)
        if match and not _alive(int(match.group(1))):
            try:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass  # another run got there first, or it is not ours to remove


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


_ILLEGAL = set('<>:"/\\|?*') | {chr(c) for c in range(32)}
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


# File systems count a name's bytes (255 on ext4, in UTF-8: 85 Chinese characters), not its characters;
# write_atomic's temporary name adds a dot, the pid and a random tail around it.
MAX_NAME_BYTES = 255
_TEMPORARY_BYTES = 32


def _cut_to_bytes(text: str, most: int) -> str:
    return text.encode("utf-8")[:most].decode("utf-8", "ignore").strip(" .")


def safe_filename(title: str, suffix: str) -> str:
    """A file name made from a title that is legal on Windows and Linux and stays in its folder."""
    name = "".join("_" if ch in _ILLEGAL else ch for ch in title).strip(" .")
    name = _cut_to_bytes(name.replace("..", "_"), MAX_NAME_BYTES - len(suffix.encode()) - _TEMPORARY_BYTES) or "报告"
    if name.upper() in _RESERVED:
        name = f"_{name}"
    return name + suffix


def display_width(text: str) -> int:
    """Columns a text takes in a terminal or on the grid: a Chinese character two, a digit one.

    Ambiguous-width characters (“” and the like) count as wide, as Chinese fonts draw them.
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def decode_text(raw: bytes) -> str:
    """Text a clerk saved: UTF-8 (with or without BOM), UTF-16 with its BOM (Excel's "Unicode text"),
    else GBK/GB18030 as Chinese Windows saves it."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")
