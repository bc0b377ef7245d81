"""Nothing active out: a template's macros, OLE, remote links, altChunks and fields are reported by
``template check`` (T10), removed by ``adopt`` and ``render``, and never fetched during conversion."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import zipfile

import docx
import pytest

from toolkit.cli import cli
from toolkit.render import find_office

from .hostile import corpus as c

REQUIRED = os.environ.get("GOVREPORT_REQUIRE_OFFICE") == "1" or os.environ.get("CI") == "true"
MACRO_TYPE = b"application/vnd.ms-word.document.macroEnabled.main+xml"
PLAIN_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def active_template(folder, name: str, address: str):
    """The exported template carrying every kind of active content, pointing at ``address``."""

    def patch(members):
        c.insert_body(members, c.field_paragraph(f'INCLUDETEXT "{address}/include.docx"')
                      + c.field_paragraph('DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/c calc"')
                      + c.field_paragraph(f'INCLUDEPICTURE "{address}/picture.png" \\d')
                      + c.simple_field_paragraph(f'LINK Excel.Sheet.12 "{address}/book.xlsx" "Sheet1"')
                      + '<w:altChunk r:id="rIdChunk"/>')
        c.add_relationship(members, "attachedTemplate", f"{address}/normal.dotm",
                           part="word/_rels/settings.xml.rels", rid="rIdTemplate")
        members["word/settings.xml"] = members["word/settings.xml"].replace(
            b"<w:zoom", b'<w:attachedTemplate r:id="rIdTemplate"/><w:zoom', 1)
        if b"xmlns:r=" not in members["word/settings.xml"][:2000]:
            members["word/settings.xml"] = members["word/settings.xml"].replace(
                b"<w:settings ", b'<w:settings xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ', 1)
        c.add_relationship(members, "image", f"{address}/remote.png", rid="rIdRemoteImage")
        c.add_relationship(members, "oleObject", f"{address}/linked.xlsx", rid="rIdOle")
        c.add_relationship(members, "aFChunk", "chunk.html", external=False, rid="rIdChunk")
        members["word/chunk.html"] = b"<html><body><script>alert(1)</script></body></html>"
        c.add_relationship(members, "vbaProject", "vbaProject.bin", external=False, rid="rIdVba")
        members["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 macro"
        types = members["[Content_Types].xml"].replace(PLAIN_TYPE, MACRO_TYPE)
        members["[Content_Types].xml"] = types.replace(
            b"</Types>", b'<Default Extension="html" ContentType="text/html"/>'
                         b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')

    return c.template_patched(folder, name, patch)


def assert_nothing_active(path) -> None:
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        assert not [n for n in names if "vba" in n.lower() or n.endswith((".html", ".bin"))], names
        for name in names:
            xml = package.read(name)
            if name.endswith(".rels"):
                for rel in re.findall(rb"<Relationship [^>]*>", xml):
                    assert b'TargetMode="External"' not in rel or b"/hyperlink" in rel, (name, rel)
                    assert not re.search(rb"/(aFChunk|oleObject|vbaProject|attachedTemplate)\"", rel), (name, rel)
            elif name.endswith(".xml"):
                assert b"altChunk" not in xml and b"attachedTemplate" not in xml and MACRO_TYPE not in xml, name
                for instruction in re.findall(rb"<w:instrText[^>]*>([^<]*)<", xml) + re.findall(rb'w:instr="([^"]*)"', xml):
                    assert instruction.split()[0] in (b"PAGE", b"NUMPAGES", b"SECTIONPAGES"), (name, instruction)


def test_template_check_names_each_active_part(runner, tmp_path):
    template = active_template(tmp_path, "active.docx", "http://example.invalid")
    result = runner.invoke(cli, ["template", "check", str(template)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("模板可用，但含有 11 处主动内容"), result.output[:300]
    for what in ("[T10]", "域 INCLUDETEXT", "域 DDEAUTO", "域 INCLUDEPICTURE", "域 LINK Excel.Sheet.12",
                 "附加模板，指向外部地址 http://example.invalid/normal.dotm", "外部链接（image），指向外部地址",
                 "OLE 对象，指向外部地址", "外来内容块（altChunk）", "宏（VBA 工程）"):
        assert what in result.output, (what, result.output)


def test_render_strips_active_content_and_says_so(runner, tmp_path):
    template = active_template(tmp_path, "active.docx", "http://example.invalid")
    out = tmp_path / "report.docx"
    result = runner.invoke(cli, ["render", str(c.HUAIAN), "--template", str(template), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "警告 [T10]" in result.output and "生成报告时将被移除" in result.output
    assert_nothing_active(out)
    document = docx.Document(out)
    assert [p.text for p in document.paragraphs[4:6]] == ["淮安市人民政府", "2024年政府信息公开工作年度报告"]
    assert [p.text for p in document.paragraphs[:4]].count("x") == 4  # each field's last shown text, as plain text
    footers = b"".join(zipfile.ZipFile(out).read(n) for n in zipfile.ZipFile(out).namelist() if "footer" in n)
    assert b"PAGE" in footers  # page numbers are the one field kept


def test_adopt_removes_active_content(runner, tmp_path):
    source = tmp_path / "filled.docx"
    rendered = runner.invoke(cli, ["render", str(c.HUAIAN), "-o", str(source)])
    assert rendered.exit_code == 0, rendered.output
    members = c.members_of(source)
    c.insert_body(members, c.field_paragraph('INCLUDETEXT "\\\\\\\\server\\\\share\\\\x.docx"'))
    c.add_relationship(members, "oleObject", "file://server/share/x.xlsx", rid="rIdOle")
    hostile = c.write_zip(tmp_path / "hostile.docx", members)
    result = runner.invoke(cli, ["template", "adopt", str(hostile), "-o", str(tmp_path / "t.docx")])
    assert "已移除主动内容（报告中不应含有）：" in result.output, result.output
    assert '域 INCLUDETEXT "\\\\\\\\server' in result.output and "OLE 对象，指向外部地址 file://server/share/x.xlsx" in result.output
    assert "[T10]" not in result.output
    assert_nothing_active(tmp_path / "t.docx")


@pytest.fixture
def listener():
    """A local server counting every connection made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    connections, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            connections.append(connection.recv(1024))
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", connections
    stop.set()
    thread.join()
    server.close()


def test_conversion_to_pdf_fetches_nothing_a_template_names(runner, tmp_path, listener):
    if find_office() is None or shutil.which("pdftotext") is None:
        if REQUIRED:
            pytest.fail("LibreOffice and pdftotext must be installed for this test (see .ci/run)")
        pytest.skip("LibreOffice is not installed")
    address, connections = listener
    template = active_template(tmp_path, "active.docx", address)
    out = tmp_path / "report.docx"
    result = runner.invoke(cli, ["render", str(c.HUAIAN), "--template", str(template), "-o", str(out), "--pdf"])
    assert result.exit_code == 0, result.output
    assert out.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    assert connections == []
