"""Hostile inputs, generated at test time: nothing large is committed, bombs are built in a temporary folder.

Each builder takes the folder to write into and returns the path it made. The files are shaped as
an attacker would shape them: a well-formed report or template with one thing made hostile.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import docx

from toolkit.render import default_template

ROOT = Path(__file__).resolve().parents[2]
HUAIAN = ROOT / "samples" / "huaian-2024.yaml"
TITLE = "{{ title_agency }}"
MB = 1024 * 1024


def data_file(folder: Path, name: str, edit) -> Path:
    """The Huaian sample with ``edit`` (text -> text) applied."""
    path = folder / name
    path.write_text(edit(HUAIAN.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def set_line(text: str, key: str, value: str) -> str:
    """The first line ``key: …`` given ``value`` instead (comment dropped)."""
    pattern = re.compile(rf"^(\s*{re.escape(key)}:)[^\n]*$", re.M)
    assert pattern.search(text), key
    return pattern.sub(lambda m: f"{m.group(1)} {value}", text, count=1)


def template_with(folder: Path, name: str, tags: str) -> Path:
    """The exported 2021 template with the title paragraph replaced by ``tags``."""
    document = docx.Document(default_template("2021"))
    next(p for p in document.paragraphs if p.text == TITLE).text = tags
    path = folder / name
    document.save(path)
    return path


def members_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def template_patched(folder: Path, name: str, patch) -> Path:
    """The exported 2021 template with its members passed through ``patch`` (dict -> None, in place)."""
    members = members_of(default_template("2021"))
    patch(members)
    return write_zip(folder / name, members)


def add_relationship(members: dict[str, bytes], rel_type: str, target: str, external: bool = True,
                     part: str = "word/_rels/document.xml.rels", rid: str = "rIdHostile") -> None:
    mode = ' TargetMode="External"' if external else ""
    rel = (f'<Relationship Id="{rid}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           f'{rel_type}" Target="{target}"{mode}/>')
    empty = b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>'
    members[part] = members.get(part, empty).replace(b"</Relationships>", rel.encode() + b"</Relationships>")


def insert_body(members: dict[str, bytes], xml: str) -> None:
    """``xml`` placed as the body's first block."""
    document = members["word/document.xml"]
    start = document.index(b"<w:body>") + len(b"<w:body>")
    members["word/document.xml"] = document[:start] + xml.encode() + document[start:]


def field_paragraph(instruction: str, shown: str = "x") -> str:
    return (f'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> {instruction} '
            f'</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>{shown}</w:t></w:r>'
            f'<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')


def simple_field_paragraph(instruction: str) -> str:
    instruction = instruction.replace("&", "&amp;").replace('"', "&quot;")
    return f'<w:p><w:fldSimple w:instr=" {instruction} "><w:r><w:t>x</w:t></w:r></w:fldSimple></w:p>'


def zip_bomb_docx(folder: Path, name: str, member: str = "word/document.xml", megabytes: int = 1024) -> Path:
    """A .docx whose ``member`` expands to ``megabytes`` of spaces (a few MB on disk).

    The deflate stream is written by hand from one compressed block repeated, so building a
    gigabyte bomb takes milliseconds and no memory."""
    members = members_of(default_template("2021"))
    size = megabytes * MB
    chunk = b" " * MB
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.flush()
    stream = block * megabytes + tail
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    path = folder / name
    out, central = io.BytesIO(), []
    entries = [(n, d) for n, d in members.items() if n != member] + [(member, None)]
    for entry_name, data in entries:
        encoded = entry_name.encode()
        if data is None:
            raw, length, checksum = stream, size, crc
        else:
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            raw, length, checksum = c.compress(data) + c.flush(), len(data), zlib.crc32(data)
        offset = out.tell()
        fields = (20, 0, 8, 0, 0x21, checksum, len(raw), length, len(encoded))
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + encoded + raw)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, 0, offset) + encoded)
    directory = out.tell()
    out.write(b"".join(central))
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), out.tell() - directory,
                          directory, 0))
    path.write_bytes(out.getvalue())
    return path


def many_members_docx(folder: Path, name: str, count: int = 20_000) -> Path:
    members = members_of(default_template("2021"))
    members.update({f"word/media/pad{i}.bin": b"" for i in range(count)})
    return write_zip(folder / name, members)


def billion_laughs(levels: int = 9) -> bytes:
    entities = '<!ENTITY l0 "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, levels + 1))
    return f'<?xml version="1.0"?><!DOCTYPE w:document [{entities}]>'.encode()


def deep_xml_docx(folder: Path, name: str, depth: int = 100_000) -> Path:
    """A document body nested ``depth`` elements deep."""

    def patch(members):
        insert_body(members, "<w:sdt>" * depth + "</w:sdt>" * depth)

    return template_patched(folder, name, patch)


def entity_docx(folder: Path, name: str) -> Path:
    """A template whose document part declares the billion-laughs entities and uses the last."""
    def patch(members):
        document = members["word/document.xml"]
        end = document.index(b"?>") + 2
        doctype = billion_laughs().split(b"?>", 1)[1]
        members["word/document.xml"] = document[:end] + doctype + document[end:].replace(b"<w:body>", b"<w:body><w:p><w:r><w:t>&l9;</w:t></w:r></w:p>", 1)

    return template_patched(folder, name, patch)


def grid_span_docx(folder: Path, name: str, span: int = 2_000_000_000) -> Path:
    """A published copy whose first table cell claims to span ``span`` grid columns."""
    def patch(members):
        document = members["word/document.xml"]
        members["word/document.xml"] = document.replace(b"<w:tcPr>", f'<w:tcPr><w:gridSpan w:val="{span}"/>'.encode(), 1)

    return template_patched(folder, name, patch)


def many_paragraphs_docx(folder: Path, name: str, count: int = 1_000_000) -> Path:
    def patch(members):
        insert_body(members, "".join(f"<w:p><w:r><w:t>{i}</w:t></w:r></w:p>" for i in range(count)))

    return template_patched(folder, name, patch)


def flate_bomb_pdf(folder: Path, name: str, megabytes: int = 1024) -> Path:
    """A one-page PDF whose content stream inflates to ``megabytes`` of spaces."""
    chunk = b" " * MB
    compressor = zlib.compressobj(9)
    stream = b"".join(compressor.compress(chunk) for _ in range(megabytes)) + compressor.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    return _pdf(folder / name, objects)


def javascript_pdf(folder: Path, name: str) -> Path:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>",
    ]
    return _pdf(folder / name, objects)


def many_pages_pdf(folder: Path, name: str, pages: int = 20_000) -> Path:
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode()]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages
    return _pdf(folder / name, objects)


def _pdf(path: Path, objects: list[bytes]) -> Path:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    path.write_bytes(out.getvalue())
    return path


def xlsx_with_sheet(folder: Path, name: str, sheet_xml: bytes, prefix: bytes = b"") -> Path:
    """A minimal workbook whose one sheet is ``sheet_xml`` (``prefix`` goes before its root, e.g. a DOCTYPE)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["申请时间", "申请人类型", "办理结果"])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members["xl/worksheets/sheet1.xml"] = b'<?xml version="1.0" encoding="UTF-8"?>' + prefix + sheet_xml
    return write_zip(folder / name, members)


SHEET_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def whole_sheet_merge_xlsx(folder: Path, name: str) -> Path:
    sheet = (b"<worksheet " + SHEET_NS + b"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>x</t></is></c>"
             b"</row></sheetData><mergeCells count=\"1\"><mergeCell ref=\"A1:XFD1048576\"/></mergeCells></worksheet>")
    return xlsx_with_sheet(folder, name, sheet)


def laughing_xlsx(folder: Path, name: str) -> Path:
    sheet = (b"<worksheet " + SHEET_NS + b"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&l9;</t></is>"
             b"</c></row></sheetData></worksheet>")
    return xlsx_with_sheet(folder, name, sheet, billion_laughs().split(b"?>", 1)[1].replace(b"w:document", b"worksheet"))


def xxe_xlsx(folder: Path, name: str, target: str = "file:///etc/passwd") -> Path:
    sheet = (b"<worksheet " + SHEET_NS + b"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&xxe;</t></is>"
             b"</c></row></sheetData></worksheet>")
    return xlsx_with_sheet(folder, name, sheet, f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "{target}">]>'.encode())
