"""The values a template sees: every figure as text, the narrative, the lead and the 落款."""

from __future__ import annotations

import re

from ..formats import CellRef
from ..model import CONTACT_FIELDS, Report, figure_text
from .geometry import split_words

# Characters XML 1.0 forbids; a pasted control character must not make the document unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
TITLE_CHARS_PER_LINE = 20  # 2号 (22 pt) characters in the 156 mm type area


def clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def date_text(report: Report) -> str:
    """成文日期 as GB/T 9704 writes it: 2023年1月16日, no leading zeros."""
    return f"{report.date.year}年{report.date.month}月{report.date.day}日" if report.date else ""


def lead_paragraphs(report: Report) -> list[str]:
    lead = report.lead
    if lead is None:
        return []
    if lead.text:
        return [lead.text]
    fmt, year = report.format, report.year
    headings = "、".join(fmt.numbering.bare(s.heading) for s in fmt.sections)
    text = (
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和{fmt.basis}要求编制。"
        f"全文包括{headings}。本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
    )
    if lead.website or lead.url:
        site = f"“{lead.website}”" if lead.website else ""
        url = f"（{lead.url}）" if lead.url else ""
        text += f"本报告电子版可在{site}{url}查阅或下载。"
    contact = "，".join(f"{label}：{lead.contact[key]}" for key, label in CONTACT_FIELDS.items() if key in lead.contact)
    if contact:
        text += f"如对本报告有疑问，请与{report.agency.name}联系（{contact}）。"
    return [text]


def signature_values(name: str, date: str, sealed: bool) -> dict:
    """The 落款 as a template sees it. ``name_line`` and ``date_line`` are the lines the template
    places by alignment and indents (render.signature); the name is broken there when too long."""
    return {"name": name, "date": date, "sealed": sealed, "name_line": name, "date_line": date}


def context(report: Report) -> dict:
    """Everything a template may use, each value already plain text."""
    fmt = report.format
    sections = {}
    for section in fmt.sections:
        narrative = report.narrative.get(section.key)
        sections[section.key] = {
            "heading": section.heading,
            "paragraphs": [clean(p) for p in narrative.paragraphs] if narrative else [],
            "parts": [
                {"title": clean(part.title), "paragraphs": [clean(p) for p in part.paragraphs]}
                for part in (narrative.parts if narrative else [])
            ],
        }
    values = {
        "title": clean(report.title),
        "agency": clean(report.agency.name),
        "title_agency": "\n".join(split_words(clean(report.agency.name), TITLE_CHARS_PER_LINE)),
        "year": str(report.year),
        "date": date_text(report),
        "format_document": fmt.document,
        "lead": [clean(p) for p in lead_paragraphs(report)],
        "sections": sections,
        "signature": None,
    }
    if report.signature.show:
        name = clean(report.signature.name or report.agency.name)
        values["signature"] = signature_values(name, date_text(report), report.signature.seal)
    for table in fmt.tables.values():
        values[table.key] = {
            row.key: {column.key: cell_text(report, CellRef(table.key, row.key, column.key))
                      for column in table.block_of(row.key).columns}
            for row in table.rows
        }
    return values


UNREAD_MARK = "—"  # a figure not read from the source, or a total depending on one: unknown, never 0


def cell_text(report: Report, ref: CellRef) -> str:
    """A figure as printed: 「—」 when it, or a figure it adds up, was not read."""
    return UNREAD_MARK if report.unread_under(ref) else figure_text(report.value(ref))
