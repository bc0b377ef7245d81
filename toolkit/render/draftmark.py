"""Marking a rendered report as a draft, so an unfinished report cannot pass for a finished one."""

from __future__ import annotations

import io
import zipfile

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

DRAFT_MARK = "征求意见稿"

# 黑体 三号, bold, right-aligned: where GB/T 9704 puts marks such as 「特急」 or a draft's status.
_MARK_PARAGRAPH = (
    f'<w:p {nsdecls("w")}><w:pPr><w:jc w:val="right"/></w:pPr><w:r><w:rPr>'
    '<w:rFonts w:ascii="黑体" w:hAnsi="黑体" w:eastAsia="黑体"/><w:b/><w:sz w:val="32"/></w:rPr>'
    f"<w:t>{DRAFT_MARK}</w:t></w:r></w:p>"
)
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"


def mark_draft(content: bytes) -> bytes:
    """The .docx with 「征求意见稿」 above the title and in its title property.

    Members are rewritten with their own dates, so the same report gives the same bytes.
    """
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = _with_mark(data)
            elif info.filename == "docProps/core.xml":
                data = _with_draft_title(data)
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _with_mark(document_xml: bytes) -> bytes:
    root = etree.fromstring(document_xml)
    root.find(qn("w:body")).insert(0, parse_xml(_MARK_PARAGRAPH))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _with_draft_title(core_xml: bytes) -> bytes:
    root = etree.fromstring(core_xml)
    title = root.find(_DC_TITLE)
    if title is None:
        title = etree.SubElement(root, _DC_TITLE)
    title.text = f"【{DRAFT_MARK}】{title.text or ''}"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
