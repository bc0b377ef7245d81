"""The only code that edits WordprocessingML directly, for what python-docx has no API for:
East-Asian fonts, per-cell borders, character-based indents, the document grid, page fields,
and fallback names in the font table."""

from __future__ import annotations

import copy

from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt
from lxml import etree

_ONE_CHAR = 100  # w:ind *Chars attributes count hundredths of a character


def set_fonts(r_pr_owner, east_asian: str, latin: str) -> None:
    """Name the East-Asian font as w:eastAsia — Word ignores a Chinese name given only as Latin."""
    r_pr = r_pr_owner.get_or_add_rPr()
    fonts = r_pr.get_or_add_rFonts()
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:hint"), "eastAsia")


def set_indent_chars(p_pr, font_size: Pt, **chars: int) -> None:
    """Indents in characters, e.g. ``first_line=2`` or ``right=1`` (w:firstLineChars, w:rightChars).

    Word and WPS keep character indents right on any grid; the absolute twips are written too,
    for readers that ignore the character form.
    """
    ind = _get_or_insert(p_pr, "w:ind", _P_PR_ORDER)
    for side, count in chars.items():
        name = {"first_line": "firstLine", "left": "left", "right": "right"}[side]
        ind.set(qn(f"w:{name}Chars"), str(count * _ONE_CHAR))
        ind.set(qn(f"w:{name}"), str(int(font_size.pt * 20 * count)))


def set_snap_to_grid(p_pr, snap: bool) -> None:
    _get_or_insert(p_pr, "w:snapToGrid", _P_PR_ORDER).set(qn("w:val"), "1" if snap else "0")


def _get_or_insert(parent, tag: str, order: tuple[str, ...]):
    child = parent.find(qn(tag))
    if child is None:
        child = OxmlElement(tag)
        _insert_in_order(parent, child, order)
    return child


_P_PR_ORDER = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr",
    "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
    "w:sectPr", "w:pPrChange",
)


def _insert_in_order(parent, child, order: tuple[str, ...]) -> None:
    """Insert ``child`` where the schema's sequence puts it among ``parent``'s children."""
    rank = {qn(tag): i for i, tag in enumerate(order)}
    mine = rank[child.tag]
    for i, sibling in enumerate(parent):
        if rank.get(sibling.tag, -1) > mine:
            parent.insert(i, child)
            return
    parent.append(child)


_TC_PR_ORDER = ("w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd", "w:noWrap",
                "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")


def set_all_cell_borders(table, size_eighths: int = 4, color: str = "000000") -> None:
    """Single borders on all four sides of every cell, merged continuations included.

    The official template borders each cell; LibreOffice draws a vertically merged cell's edges
    from every row it covers, so the continuation cells need their borders too.
    """
    for tc in table._tbl.iter(qn("w:tc")):
        _set_tc_borders(tc, size_eighths, color)


def _set_tc_borders(tc, size_eighths: int, color: str) -> None:
    tc_pr = tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        _insert_in_order(tc_pr, borders, _TC_PR_ORDER)
    for side in ("top", "left", "bottom", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), str(size_eighths))
        edge.set(qn("w:space"), "0")
        edge.set(qn("w:color"), color)
        borders.append(edge)


def set_cell_fill(tc, fill: str) -> None:
    """Shade a cell with a solid colour (hex RGB), as the official template shades table 二's titles."""
    shading = _get_or_insert(tc.get_or_add_tcPr(), "w:shd", _TC_PR_ORDER)
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)


_TR_PR_ORDER = ("w:cnfStyle", "w:divId", "w:gridBefore", "w:gridAfter", "w:wBefore", "w:wAfter", "w:cantSplit",
                "w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden")


def set_row_cant_split(row) -> None:
    """Keep a table row on one page."""
    _get_or_insert(row._tr.get_or_add_trPr(), "w:cantSplit", _TR_PR_ORDER)


def set_row_header(row) -> None:
    """Repeat this row at the top of every page the table runs onto."""
    _get_or_insert(row._tr.get_or_add_trPr(), "w:tblHeader", _TR_PR_ORDER)


_TBL_PR_ORDER = ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
                 "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd",
                 "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")


def set_cell_margins(table, left_twips: int, right_twips: int) -> None:
    """Narrow default cell margins, so that the 15 columns of table 四 keep room for their figures."""
    margins = _get_or_insert(table._tbl.tblPr, "w:tblCellMar", _TBL_PR_ORDER)
    for side, width in (("left", left_twips), ("right", right_twips)):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(width))
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)


def set_widths(table, widths: tuple[int, ...]) -> None:
    """Exact widths in twips: the table's, each grid column's, and each cell's (spans added up),
    so that Word, WPS and LibreOffice all lay the table out alike."""
    tbl = table._tbl
    table_width = _get_or_insert(tbl.tblPr, "w:tblW", _TBL_PR_ORDER)
    table_width.set(qn("w:w"), str(sum(widths)))
    table_width.set(qn("w:type"), "dxa")
    for grid_col, width in zip(tbl.tblGrid.iter(qn("w:gridCol")), widths):
        grid_col.set(qn("w:w"), str(width))
    for tr in tbl.iter(qn("w:tr")):
        column = 0
        for tc in tr.iter(qn("w:tc")):
            span = tc.grid_span
            tc_w = tc.get_or_add_tcPr().get_or_add_tcW()
            tc_w.set(qn("w:w"), str(sum(widths[column: column + span])))
            tc_w.set(qn("w:type"), "dxa")
            column += span


def set_indent_twips(p_pr, **sides: int) -> None:
    """Left and right paragraph indents in twips, e.g. ``left=90, right=90``."""
    ind = _get_or_insert(p_pr, "w:ind", _P_PR_ORDER)
    for side, twips in sides.items():
        ind.set(qn(f"w:{side}"), str(twips))


def set_doc_grid(section, line_pitch_twips: int) -> None:
    """The GB/T 9704 line grid: a fixed line pitch (22 lines to the type area).

    Only lines are gridded: LibreOffice spreads characters apart on any negative w:charSpace, which
    Word needs for 28 characters of 16 pt in 156 mm; the styles condense the text instead.
    """
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.attrib.clear()
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(line_pitch_twips))


def set_character_spacing(r_pr_owner, twentieths: int) -> None:
    """Condense (negative) or expand every character by the given twentieths of a point."""
    _get_or_insert(r_pr_owner.get_or_add_rPr(), "w:spacing", _R_PR_ORDER).set(qn("w:val"), str(twentieths))


_R_PR_ORDER = (
    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike", "w:dstrike",
    "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid", "w:vanish", "w:webHidden",
    "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
    "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
    "w:specVanish", "w:oMath",
)


def add_field(paragraph, instruction: str, placeholder: str = "1") -> None:
    """A field such as PAGE, as begin / instruction / separate / result / end runs."""
    def run_with(child):
        run = paragraph.add_run()
        run._r.append(child)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run_with(text)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def add_font_fallbacks(document, fallbacks: dict[str, str]) -> None:
    """Record in the font table which installed font stands in for each official one.

    Word and LibreOffice read w:altName when the named font (e.g. 仿宋_GB2312) is missing.
    """
    font_table = next(
        (rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/fontTable")), None
    )
    if font_table is None:
        return
    root = parse_xml(font_table.blob)
    for name, alternative in fallbacks.items():
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        alt = OxmlElement("w:altName")
        alt.set(qn("w:val"), alternative)
        font.append(alt)
        charset = OxmlElement("w:charset")
        charset.set(qn("w:val"), "86")  # GB2312
        font.append(charset)
        root.append(font)
    font_table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def set_document_defaults(styles_element, east_asian: str, latin: str, size: Pt) -> None:
    """Document-wide run and paragraph defaults (w:docDefaults): fonts, size, languages, punctuation.

    Theme font references are dropped: they would override the named fonts in Word, and the grid's
    character pitch is computed from the default size. Latin text is English (en-US), Chinese text
    Chinese: under a Chinese language a line may break between the digits of a figure. Punctuation
    stays within the text block (w:overflowPunct off), as 公文 are set.
    """
    r_pr = styles_element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    fonts = r_pr.find(qn("w:rFonts"))
    for attribute in list(fonts.attrib):
        del fonts.attrib[attribute]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:cs"), latin)
    half_points = str(int(size.pt * 2))
    r_pr.find(qn("w:sz")).set(qn("w:val"), half_points)
    r_pr.find(qn("w:szCs")).set(qn("w:val"), half_points)
    lang = r_pr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    p_pr = styles_element.find(f"{qn('w:docDefaults')}/{qn('w:pPrDefault')}/{qn('w:pPr')}")
    _get_or_insert(p_pr, "w:overflowPunct", _P_PR_ORDER).set(qn("w:val"), "0")
    spacing = p_pr.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")


_DC_TERMS = "http://purl.org/dc/terms/"


def remove_core_dates(core_properties) -> None:
    """No creation or modification date in a template: a report states its own."""
    element = core_properties._element
    for name in ("created", "modified"):
        for child in element.findall(f"{{{_DC_TERMS}}}{name}"):
            element.remove(child)


_STOCK_RELATIONSHIPS = (
    "/metadata/thumbnail",  # a picture of some other document
    "/stylesWithEffects",  # Word 2010's copy of the styles, which would contradict ours
    "/customXml",
)


def drop_stock_parts(document) -> None:
    """Parts python-docx's stock template brings along that describe another document."""
    for owner in (document.part.package, document.part):
        for r_id, rel in list(owner.rels.items()):
            if rel.reltype.endswith(_STOCK_RELATIONSHIPS):
                owner.rels.pop(r_id)


def set_app_properties(document, application: str) -> None:
    """docProps/app.xml naming the program that made the file, and nothing it cannot know."""
    package = document.part.package
    app = next((rel.target_part for rel in package.rels.values() if rel.reltype.endswith("/extended-properties")), None)
    if app is None:
        return
    app._blob = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"<Application>{application}</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
        "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
        "</Properties>"
    ).encode("utf-8")


def dated_core_properties(element, iso_date: str | None):
    """A copy of core properties stating ``iso_date`` (YYYY-MM-DD) as created and modified; the
    element itself when there is no date."""
    if not iso_date:
        return element
    dated = copy.deepcopy(element)
    xsi = "http://www.w3.org/2001/XMLSchema-instance"
    for name in ("created", "modified"):
        tag = f"{{{_DC_TERMS}}}{name}"
        child = dated.find(tag)
        if child is None:
            child = etree.SubElement(dated, tag)
        child.set(f"{{{xsi}}}type", "dcterms:W3CDTF")
        child.text = f"{iso_date}T00:00:00Z"
    return dated
