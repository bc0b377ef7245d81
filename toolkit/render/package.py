"""Reading and writing .docx packages, byte-for-byte reproducibly.

A report differs from its template in a few parts only, so the writer takes members already
compressed: a template's unchanging parts are deflated once, not once per report.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

# Every member gets this timestamp, so the same document always gives the same bytes.
FIXED_TIME = (2021, 9, 26, 0, 0, 0)
_DOS_TIME = (FIXED_TIME[3] << 11) | (FIXED_TIME[4] << 5) | (FIXED_TIME[5] // 2)
_DOS_DATE = ((FIXED_TIME[0] - 1980) << 9) | (FIXED_TIME[1] << 5) | FIXED_TIME[2]
_UTF8_NAMES = 0x0800
_DEFLATED = 8


@dataclass(frozen=True)
class Member:
    """One compressed package member, ready to be written."""

    name: str
    crc: int
    size: int
    data: bytes  # raw deflate stream

    @classmethod
    def deflate(cls, name: str, content: bytes) -> "Member":
        compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        return cls(name, zlib.crc32(content), len(content), compressor.compress(content) + compressor.flush())


def read_members(data: bytes) -> dict[str, bytes]:
    """A package's members by name, in their stored order."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {info.filename: package.read(info.filename) for info in package.infolist()}


def write_package(members: list[Member]) -> bytes:
    """A zip of the members in order, with fixed timestamps (APPNOTE 4.3: local headers, central
    directory, end record)."""
    out, central = io.BytesIO(), []
    for member in members:
        name = member.name.encode("utf-8")
        offset = out.tell()
        fields = (20, _UTF8_NAMES, _DEFLATED, _DOS_TIME, _DOS_DATE, member.crc, len(member.data), member.size, len(name))
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + name + member.data)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x0314, *fields, 0, 0, 0, 0,
                                   0o100644 << 16, offset) + name)
    directory = out.tell()
    out.write(b"".join(central))
    size = out.tell() - directory
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), size, directory, 0))
    return out.getvalue()


def write_members(members: dict[str, bytes]) -> bytes:
    """A package of these members in this order."""
    return write_package([Member.deflate(name, data) for name, data in members.items()])


def normalized_docx(document) -> bytes:
    """A python-docx Document saved to reproducible bytes."""
    buffer = io.BytesIO()
    document.save(buffer)
    return write_members(read_members(buffer.getvalue()))
