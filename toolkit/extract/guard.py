"""Limits on what a file from the web may cost to open: size, zip expansion, XML shape, run time.

An auditor opens files nobody vetted. A .docx is a zip whose members can expand a thousandfold;
its XML can nest without end; a PDF can keep pdftotext busy for minutes. Each is refused before
the expensive step, with a message that says which limit was passed.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..errors import DataFileError, Problem

MB = 1024 * 1024
MAX_FILE_BYTES = 100 * MB  # any report or template on disk
MAX_TEXT_BYTES = 20 * MB  # web pages and copied text: a yearly report is well under 1 MB
MAX_MEMBER_BYTES = 64 * MB  # one part of a .docx, expanded
MAX_TOTAL_BYTES = 256 * MB  # all parts of a .docx, expanded
MAX_RATIO = 200  # expanded / compressed, for any part larger than RATIO_FLOOR
RATIO_FLOOR = 1 * MB
MAX_MEMBERS = 10_000
PDF_SECONDS = 60  # pdftotext on a 100-page report takes well under a second


def _refuse(path: Path, message: str, hint: str | None = None) -> DataFileError:
    return DataFileError(path, [Problem(message, hint=hint or "该文件可能已损坏或被恶意构造，未读取。")])


def check_size(path: Path, limit: int = MAX_FILE_BYTES) -> None:
    size = path.stat().st_size
    if size > limit:
        raise _refuse(path, f"文件过大（{size / MB:.1f} MB，上限 {limit // MB} MB），未读取。",
                      hint="年度报告一般不超过几 MB；请确认文件是否正确。")


def check_zip(path: Path) -> None:
    """Refuse a .docx whose parts would expand past the limits, before any part is read."""
    check_size(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DataFileError(path, [Problem(f"不是有效的 Word（.docx）文件：{exc}")]) from None
    if len(members) > MAX_MEMBERS:
        raise _refuse(path, f"压缩包内文件过多（{len(members)} 个，上限 {MAX_MEMBERS} 个）。")
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > MAX_MEMBER_BYTES:
            raise _refuse(path, f"“{member.filename}”解压后为 {member.file_size / MB:.0f} MB，超过上限 {MAX_MEMBER_BYTES // MB} MB（疑似压缩炸弹）。")
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            ratio = member.file_size // max(member.compress_size, 1)
            raise _refuse(path, f"“{member.filename}”压缩比为 {ratio}:1，超过上限 {MAX_RATIO}:1（疑似压缩炸弹）。")
    if total > MAX_TOTAL_BYTES:
        raise _refuse(path, f"解压后共 {total / MB:.0f} MB，超过上限 {MAX_TOTAL_BYTES // MB} MB（疑似压缩炸弹）。")
