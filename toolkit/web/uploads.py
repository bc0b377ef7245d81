"""Files the clerk uploads: bounded as the CLI's inputs are, kept on disk only while they are read.

A request that announces a body past the limit is refused before it is read; a file is copied in
chunks and refused once past the limit. What is then read goes through the same readers as on the
command line (``extract``'s limits on zip expansion, XML shape and PDF run time included), so a bad
upload gets the same Chinese message.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Iterator

from starlette.datastructures import UploadFile
from starlette.requests import Request

from ..errors import DataFileError, Problem

MB = 1024 * 1024
MAX_UPLOAD_BYTES = 100 * MB  # as for any report or template read from disk
_CHUNK = 1 * MB

REPORT_SUFFIXES = (".yaml", ".yml", ".docx", ".pdf", ".html", ".htm", ".txt", ".json", ".csv")
REGISTER_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt", ".xls", ".et", ".ods", ".wps")
TEMPLATE_SUFFIXES = (".docx",)


class UploadRefused(DataFileError):
    def __init__(self, name: str, message: str, hint: str | None = None):
        super().__init__(name, [Problem(message, hint=hint)])


def _too_large(name: str) -> UploadRefused:
    return UploadRefused(name, f"文件过大（超过上限 {MAX_UPLOAD_BYTES // MB} MB），未读取。",
                         hint="年度报告一般不超过几 MB；请确认文件是否正确。")


def refuse_oversized(request: Request) -> None:
    """Before the body is read: a request announcing more than one file's limit (and its form fields)."""
    announced = request.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > MAX_UPLOAD_BYTES + _CHUNK:
        raise _too_large("上传的文件")


def _suffix(upload: UploadFile, allowed: tuple[str, ...], kind: str) -> str:
    name = upload.filename or ""
    suffix = Path(name).suffix.lower()
    if not name:
        raise UploadRefused("（未选择文件）", f"请选择要上传的{kind}。")
    if suffix not in allowed:
        raise UploadRefused(name, f"不支持的{kind}类型“{suffix or '无扩展名'}”。",
                            hint=f"可上传：{'、'.join(dict.fromkeys(allowed))}。")
    return suffix


@contextlib.contextmanager
def received(upload: UploadFile, allowed: tuple[str, ...], kind: str) -> Iterator[Path]:
    """The upload as a file named like the clerk's (the readers tell kinds by suffix), removed afterwards."""
    suffix = _suffix(upload, allowed, kind)
    with tempfile.TemporaryDirectory(prefix="govreport-upload-") as folder:
        path = Path(folder) / f"{Path(upload.filename).stem[:80] or 'upload'}{suffix}"
        size = 0
        with path.open("wb") as out:
            while chunk := upload.file.read(_CHUNK):
                size += len(chunk)
                if size > MAX_UPLOAD_BYTES:
                    raise _too_large(upload.filename)
                out.write(chunk)
        if size == 0:
            raise UploadRefused(upload.filename, "文件是空的（0 字节），未读取。")
        yield path
