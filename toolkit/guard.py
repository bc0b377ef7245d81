"""Limits on what a file from a stranger may cost to open: kind, size, zip expansion, XML shape, run time.

Every file the tool reads — data files, registers, published copies, Word templates — may come
from anyone. A .docx or .xlsx is a zip whose members can expand a thousandfold; its XML can
declare entities that expand without end, nest past any parser's stack or claim a table a
billion columns wide; a PDF stream can inflate to gigabytes; a path can name a pipe that never
ends or /dev/zero. Each is refused before the expensive step, with a message that names the file
and the limit passed.
"""

from __future__ import annotations

import ctypes
import re
import resource
import signal
import stat
import subprocess
import zipfile
import zlib
from pathlib import Path

from .errors import DataFileError, Problem

MB = 1024 * 1024
MAX_FILE_BYTES = 100 * MB  # any report, template or workbook on disk
MAX_TEXT_BYTES = 20 * MB  # web pages, copied text, registers as CSV: a yearly report is well under 1 MB
MAX_DATA_BYTES = 5 * MB  # a data file or an agency list: the largest real one is under 100 KB
MAX_MEMBER_BYTES = 64 * MB  # one part of a .docx or .xlsx, expanded
MAX_TOTAL_BYTES = 256 * MB  # all parts of a package (or all streams of a PDF), expanded
MAX_RATIO = 200  # expanded / compressed, for any part larger than RATIO_FLOOR
RATIO_FLOOR = 1 * MB
MAX_MEMBERS = 10_000
MAX_PARAGRAPHS = 200_000  # a yearly report has a few hundred
MAX_GRID_SPAN = 64  # Word's own limit is 63 columns
MAX_MERGED_CELLS = 1_000_000  # cells one merged range of a register may cover
MAX_ROWS = 100_000  # rows of a register: a busy office logs a few thousand applications a year
MAX_PDF_PAGES = 500
PDF_SECONDS = 20  # pdftotext on a 100-page report takes well under a second
TOOL_MEMORY = 512 * MB  # address space of a helper program (pdftotext)

_HINT = "该文件可能已损坏或被恶意构造，未读取。"


def refuse(path: Path | str | None, message: str, hint: str | None = None) -> DataFileError:
    return DataFileError(path, [Problem(message, hint=hint or _HINT)])


def check_file(path: Path, limit: int = MAX_FILE_BYTES) -> int:
    """The size of a regular file within ``limit``; a pipe, device or folder is refused unopened."""
    try:
        info = path.stat()
    except OSError as exc:
        raise DataFileError(path, [Problem(f"无法读取文件：{exc.strerror or exc}")]) from None
    if stat.S_ISDIR(info.st_mode):
        raise refuse(path, "这是文件夹，不是文件。", hint="请给出文件的路径。")
    if not stat.S_ISREG(info.st_mode):
        raise refuse(path, "不是普通文件（可能是管道、设备或特殊文件），未读取。", hint="请给出磁盘上的普通文件。")
    if info.st_size > limit:
        raise refuse(path, f"文件过大（{info.st_size / MB:.1f} MB，上限 {limit // MB} MB），未读取。",
                     hint="年度报告一般不超过几 MB；请确认文件是否正确。")
    return info.st_size


def read_bytes(path: str | Path, limit: int = MAX_DATA_BYTES) -> bytes:
    """A regular file's bytes, never more than ``limit`` (a file growing while read is cut off and refused)."""
    path = Path(path)
    check_file(path, limit)
    try:
        with open(path, "rb") as stream:
            data = stream.read(limit + 1)
    except OSError as exc:
        raise DataFileError(path, [Problem(f"无法读取文件：{exc.strerror or exc}")]) from None
    if len(data) > limit:
        raise refuse(path, f"文件过大（超过上限 {limit // MB} MB），未读取。")
    return data


def check_zip(path: Path, kind: str | None = None) -> list[zipfile.ZipInfo]:
    """Refuse a package whose parts would expand past the limits, before any part is read.
    ``kind`` names what the file should be, for the message when it is no zip at all."""
    check_file(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        kind = kind or (".xlsx 工作簿" if path.suffix.lower() in (".xlsx", ".xlsm") else "Word（.docx）文件")
        raise DataFileError(path, [Problem(f"不是有效的 {kind}：{exc}")]) from None
    if len(members) > MAX_MEMBERS:
        raise refuse(path, f"压缩包内文件过多（{len(members)} 个，上限 {MAX_MEMBERS} 个）。")
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > MAX_MEMBER_BYTES:
            raise refuse(path, f"“{member.filename}”解压后为 {member.file_size / MB:.0f} MB，超过上限 {MAX_MEMBER_BYTES // MB} MB（疑似压缩炸弹）。")
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            ratio = member.file_size // max(member.compress_size, 1)
            raise refuse(path, f"“{member.filename}”压缩比为 {ratio}:1，超过上限 {MAX_RATIO}:1（疑似压缩炸弹）。")
    if total > MAX_TOTAL_BYTES:
        raise refuse(path, f"解压后共 {total / MB:.0f} MB，超过上限 {MAX_TOTAL_BYTES // MB} MB（疑似压缩炸弹）。")
    return members


_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.I)
_GRID_SPAN = re.compile(rb"<w:gridSpan\s+w:val=\"\s*(\d+)")
_PARAGRAPH = re.compile(rb"<w:p[ >/]")
_ROW = re.compile(rb"<row[ >]")
_MERGE = re.compile(rb"<mergeCell\s+ref=\"([A-Z]+)(\d+):([A-Z]+)(\d+)\"")


def _xml_members(path: Path, members: list[zipfile.ZipInfo]):
    """Each XML part's name and bytes (each already bounded by check_zip), read as its size says.

    The sizes a zip states can lie: reading stops at the stated size plus one byte, so a member
    larger than it claims is refused as corrupt rather than read to the end."""
    with zipfile.ZipFile(path) as archive:
        for member in members:
            if not member.filename.endswith((".xml", ".rels")):
                continue
            try:
                with archive.open(member) as stream:
                    data = stream.read(member.file_size + 1)
            except (zipfile.BadZipFile, zlib.error, OSError, ValueError, NotImplementedError) as exc:
                raise refuse(path, f"“{member.filename}”无法解压（{exc}）。") from None
            if len(data) > member.file_size:
                raise refuse(path, f"“{member.filename}”解压后比声明的大小更大。")
            yield member.filename, data


def check_package(path: Path, kind: str | None = None) -> None:
    """A .docx or .xlsx within every limit: zip expansion, no DTD (so no entity can expand or
    fetch anything), Word tables within Word's column count, a sane number of paragraphs, and
    merged ranges of a workbook within a sane area."""
    members = check_zip(path, kind)
    paragraphs = rows = 0
    for name, data in _xml_members(path, members):
        if _DOCTYPE.search(data, 0, 4096) or (b"<!ENTITY" in data):
            raise refuse(path, f"“{name}”含有 DTD 或实体声明（可用于实体膨胀或读取外部文件），未读取。")
        for match in _GRID_SPAN.finditer(data):
            if len(match.group(1)) > 6 or int(match.group(1)) > MAX_GRID_SPAN:
                raise refuse(path, f"“{name}”中的表格单元格声称横跨 {match.group(1)[:12].decode()} 列，超过上限 {MAX_GRID_SPAN} 列。")
        paragraphs += len(_PARAGRAPH.findall(data))
        if paragraphs > MAX_PARAGRAPHS:
            raise refuse(path, f"段落超过 {MAX_PARAGRAPHS} 个，远超年度报告的篇幅，未读取。")
        rows += len(_ROW.findall(data))
        if rows > MAX_ROWS:
            raise refuse(path, f"工作表共超过 {MAX_ROWS} 行，超过台账的上限，未读取。", hint="请按年度拆分台账后再统计。")
        for merge in _MERGE.finditer(data):
            height = int(merge.group(4)) - int(merge.group(2)) + 1
            columns = _column_number(merge.group(3)) - _column_number(merge.group(1)) + 1
            if height * columns > MAX_MERGED_CELLS:
                raise refuse(path, f"“{name}”中合并单元格 {merge.group(1).decode()}{merge.group(2).decode()}:"
                             f"{merge.group(3).decode()}{merge.group(4).decode()} 覆盖 {height * columns} 个单元格，"
                             f"超过上限 {MAX_MERGED_CELLS} 个。")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


_STREAM = re.compile(rb"stream\r?\n")


def check_pdf(path: Path) -> None:
    """A PDF whose compressed streams, inflated, stay within the package limits: measured by
    inflating each one in bounded steps, so a gigabyte stream costs a fraction of a second."""
    data = read_bytes(path, MAX_FILE_BYTES)
    if not data.lstrip()[:5] == b"%PDF-":
        raise refuse(path, "不是有效的 PDF 文件。", hint="请确认文件是否完整。")
    total = 0
    for match in _STREAM.finditer(data):
        total += _inflated_size(path, data, match.end(), MAX_TOTAL_BYTES - total)


def _inflated_size(path: Path, data: bytes, start: int, room: int) -> int:
    """What the deflate stream at ``start`` inflates to, refused past ``room`` or MAX_MEMBER_BYTES;
    0 for a stream that is not deflate."""
    inflater, inflated, limit = zlib.decompressobj(), 0, min(room, MAX_MEMBER_BYTES)
    pending, start = data[start:start + MB], start + MB
    try:
        while pending:
            inflated += len(inflater.decompress(pending, MB))
            if inflated > limit:
                raise refuse(path, f"PDF 中的数据流解压后超过 {limit // MB} MB（疑似压缩炸弹），未读取。")
            if inflater.eof:
                break
            pending = inflater.unconsumed_tail
            if not pending:
                pending, start = data[start:start + MB], start + MB
    except zlib.error:
        return 0
    return inflated


def _limit_child(memory: int):
    """In the child, before exec: bounded address space, and death with the parent."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        die_with_parent()
    return limit


_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask Linux to kill this (child) process when its parent dies; elsewhere, nothing to ask."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def run_tool(command: list[str], path: Path, seconds: float, memory: int = TOOL_MEMORY) -> subprocess.CompletedProcess:
    """A helper program run on ``path`` with bounded time and memory; it dies with this process."""
    try:
        return subprocess.run(command, capture_output=True, check=False, timeout=seconds,
                              preexec_fn=_limit_child(memory), stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise refuse(path, f"读取超过 {seconds:g} 秒仍未完成，已中止。") from None

