"""Proof that a template carries every piece of a report into the document.

The template is filled with probe reports whose every value — agency, year, each lead and
narrative paragraph, each part title, each figure, the date and the signature — is a marker
found nowhere else; the output is read back and each marker looked for, in its place (a
section's text under its own heading). Two probes with different markers and years guard
against a template that shows a value only when it equals something; a third, with no lead,
narrative or signature, proves the template also renders the sparest report.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import docx
from docx.oxml.ns import qn

from ..errors import TemplateError
from ..findings import ERROR, Finding, Location
from ..formats import CellRef, Format
from ..model import Report
from ..render.context import context, signature_values
from ..render.engine import compile_template
from .tablematch import cell_text, squeeze

_PROBES = ("甲", "乙")


@dataclass(frozen=True)
class Piece:
    """One thing the data holds, the marker that stands for it, and where it belongs."""

    name: str
    marker: str
    section: str | None = None  # heading it must appear under; None: anywhere
    before_headings: bool = False  # the title and the lead come before the first heading
    ref: str | None = None  # a figure's table.row.column
    key: str | None = None  # a section's key, for the hint


def probe(fmt: Format, variant: int) -> tuple[dict, list[Piece]]:
    """Template values whose every piece is a unique marker, and the pieces to look for."""
    mark = _PROBES[variant]
    year = str(fmt.first_year + variant)
    values = context(Report.blank(f"探针{mark}机关", fmt.first_year + variant, fmt))
    pieces = [Piece("标题中的机关名称", f"探针{mark}机关", before_headings=True),
              Piece("标题中的年度", year, before_headings=True)]
    counter = iter(range(1, 10_000))

    def text(name: str, section=None, before: bool = False) -> str:
        marker = f"探针{mark}{next(counter):04d}"
        pieces.append(Piece(name, marker, section.heading if section else None, before,
                            key=section.key if section else None))
        return marker

    values["lead"] = [text(f"导语第 {i} 段", before=True) for i in (1, 2)]
    for section in fmt.sections:
        heading = section.heading
        values["sections"][section.key]["paragraphs"] = [text(f"「{heading}」第 {i} 段", section) for i in (1, 2)]
        values["sections"][section.key]["parts"] = [
            {"title": text(f"「{heading}」第 {k} 个分项的小标题", section),
             "paragraphs": [text(f"「{heading}」第 {k} 个分项的第 {i} 段", section) for i in (1, 2)]}
            for k in (1, 2)
        ]
    number = iter(range(1, 10_000))
    for table_key, table in fmt.tables.items():
        for row, column in table.iter_cells():
            marker = f"9{variant + 1}{next(number):04d}"
            values[table_key][row.key][column.key] = marker
            ref = f"{table_key}.{row.key}.{column.key}"
            pieces.append(Piece(f"「{fmt.label(CellRef.parse(ref))}」的数字", marker,
                                fmt.table_section(table_key).heading, ref=ref))
    date = f"{fmt.first_year + variant + 1}年2月{17 + variant}日"
    name = f"探针{mark}落款"
    values.update(date=date, signature=signature_values(name, date, False))
    pieces += [Piece("落款的署名", name), Piece("成文日期", date)]
    return values, pieces


def sparse(fmt: Format) -> dict:
    """The sparest report: no lead, no narrative, no signature, no date."""
    report = Report.blank("某机关", fmt.first_year, fmt)
    report.signature.show = False
    return context(report)


def _body_texts(document) -> list[str]:
    """Body paragraphs and table cells in reading order, then headers and footers."""
    texts = []
    for block in document.iter_inner_content():
        if isinstance(block, docx.text.paragraph.Paragraph):
            texts.append(block.text)
        else:
            texts += [cell_text(tc) for tc in block._tbl.iter(qn("w:tc"))]
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer,
                     section.even_page_header, section.even_page_footer):
            if not part.is_linked_to_previous:
                texts += [p.text for p in part.paragraphs]
    return texts


def coverage_findings(template, fmt: Format, places: dict[str, str]) -> list[Finding]:
    """Every piece of the data the template fails to show, or shows in the wrong place.

    ``places`` locates, in the template, what a piece belongs to: a section heading or a figure
    reference (``applications.total.natural_person``) to a place a clerk finds. A figure whose
    cell has no place, or a section whose heading has none, is already reported as missing, and is
    not reported again; a section's paragraphs and parts missing alike are one finding.
    """
    compiled = compile_template(template)
    missing: dict[object, Finding] = {}
    in_sections: dict[tuple[str, str], list[Piece]] = {}  # (heading, problem) → the section's pieces missing
    for variant in range(len(_PROBES)):
        values, pieces = probe(fmt, variant)
        try:
            output = docx.Document(io.BytesIO(compiled.render(values)))
        except TemplateError as exc:
            return [Finding("T7", ERROR, f"试填模板时出错：{exc}")]
        texts = _body_texts(output)
        headings = _heading_positions(texts, fmt)
        for piece in pieces:
            anchor = piece.ref or piece.section
            if anchor and anchor not in places:
                continue  # its cell or heading is missing from the template, and said so there
            problem = _where_missing(piece, texts, headings)
            if not problem:
                continue
            if piece.section and not piece.ref:
                group = in_sections.setdefault((piece.section, problem), [])
                if piece.name not in (p.name for p in group):
                    group.append(piece)
                missing.setdefault((piece.section, problem), None)
            elif piece.name not in missing:
                missing[piece.name] = _finding(piece, problem, places)
    for key, pieces in in_sections.items():
        missing[key] = _section_finding(pieces, key[1], places)
    try:
        compiled.render(sparse(fmt))
    except TemplateError as exc:
        missing["sparse"] = Finding("T7", ERROR, f"用没有导语、叙述和落款的报告试填模板时出错：{exc}",
                                    hint="落款、导语等可能为空的内容应放在 {%p if … %} 中。")
    return list(missing.values())


def _heading_positions(texts: list[str], fmt: Format) -> dict[str, int]:
    """Where each statutory heading of the format stands in the output, by squeezed heading."""
    wanted = {squeeze(s.heading) for s in fmt.sections}
    positions: dict[str, int] = {}
    for i, text in enumerate(texts):
        if (key := squeeze(text)) in wanted:
            positions.setdefault(key, i)
    return positions


def _where_missing(piece: Piece, texts: list[str], headings: dict[str, int]) -> str | None:
    found = [i for i, text in enumerate(texts) if piece.marker in text]
    if not found:
        return "没有出现在生成的报告中"
    heading_at = sorted(headings.values())
    if piece.before_headings and heading_at and all(i > heading_at[0] for i in found):
        return "没有出现在第一个标题之前（报告开头）"
    if piece.section and squeeze(piece.section) in headings:
        start = headings[squeeze(piece.section)]
        end = min((i for i in heading_at if i > start), default=len(texts))
        if not any(start < i < end for i in found):
            return f"没有出现在「{piece.section}」之下"
    return None


def _finding(piece: Piece, problem: str, places: dict[str, str]) -> Finding:
    if piece.ref:
        place, hint = places.get(piece.ref) or f"「{piece.section}」的表格", f"该单元格应写 {{{{ {piece.ref} }}}}。"
    else:
        place, hint = ("报告开头" if piece.before_headings else "报告末尾（落款）"), _HINTS[piece.name.split(" ")[0]]
    return Finding("T8", ERROR, f"{piece.name}{problem}。", Location(place=place), hint=hint)


def _section_finding(pieces: list[Piece], problem: str, places: dict[str, str]) -> Finding:
    """One finding for all a section's paragraphs and parts missing alike: a loop deleted is one mistake."""
    section = pieces[0].section
    kinds = [kind for kind, is_part in (("段落", False), ("分项", True)) if any(("分项" in p.name) == is_part for p in pieces)]
    loops = dict.fromkeys(_section_loop(p) for p in pieces)
    return Finding("T8", ERROR, f"「{section}」的{'和'.join(kinds)}{problem}。", Location(place=places.get(section)),
                   hint=f"「{section}」之下需要 {'；以及 '.join(loops)}。")


def _section_loop(piece: Piece) -> str:
    """The tags that show a section's paragraphs, or its parts."""
    loop = f"sections.{piece.key}"
    if "分项" in piece.name:
        return (f"{{%p for part in {loop}.parts %}} {{{{ part.title }}}} "
                "{%p for p in part.paragraphs %} {{ p }} {%p endfor %} {%p endfor %}")
    return f"{{%p for p in {loop}.paragraphs %}} {{{{ p }}}} {{%p endfor %}}"


_HINTS = {
    "标题中的机关名称": "标题应为 {{ agency }}{{ year }}年政府信息公开工作年度报告（或 {{ title }}）。",
    "标题中的年度": "标题应为 {{ agency }}{{ year }}年政府信息公开工作年度报告（或 {{ title }}）。",
    "导语第": "报告开头需要 {%p for p in lead %} {{ p }} {%p endfor %}。",
    "落款的署名": "落款处需要 {%p if signature %} {{ signature.name_line }} … {%p endif %}。",
    "成文日期": "落款处需要 {{ signature.date_line }}、{{ signature.date }} 或 {{ date }}。",
}
