"""Saving .docx packages byte-for-byte reproducibly."""

from __future__ import annotations

import io
import zipfile

# Every member gets this timestamp, so the same document always gives the same bytes.
FIXED_TIME = (2021, 9, 26, 0, 0, 0)


def normalized_zip(data: bytes) -> bytes:
    """The same zip with fixed timestamps and permissions, members in their original order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, FIXED_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


def normalized_docx(document) -> bytes:
    """A python-docx Document (or docxtpl template) saved to reproducible bytes."""
    buffer = io.BytesIO()
    document.save(buffer)
    return normalized_zip(buffer.getvalue())
