"""Builds the default Word template of a format: GB/T 9704 page, styles, headings, tables, tags.

The template is ordinary .docx with docxtpl tags, so an office can restyle it in Word or WPS.
Rebuild the shipped templates with ``python -m toolkit.render.builder``.
"""

from __future__ import annotations

import functools
import math
import sys
from pathlib import Path

import docx
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.shared import Mm, Pt

from ..formats import CellLook, Format, get_format, versions
from ..layout import Grid, GridCell, grid
from . import fonts, oxml
from .geometry import TableGeometry, table_geometry
from .narrowing import style_name
from .package import normalized_docx

# Sizes by their Chinese names (GB/T 9704 speaks in 号).
SIZE = {"二号": Pt(22), "三号": Pt(16), "四号": Pt(14), "五号": Pt(10.5), "小五": Pt(9)}

PAGE = {"width": Mm(210), "height": Mm(297), "top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
TYPE_AREA_WIDTH_MM = 156
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
# 225 mm type area height / 22 lines, rounded down: a pitch a hair too tall leaves LibreOffice room for 21.
LINE_PITCH_TWIPS = math.floor(225 / 25.4 * 72 * 20 / LINES_PER_PAGE)
# 28 characters of 16 pt need 448 pt; the type area is 442 pt wide, so body text is condensed a little.
BODY_CONDENSING = round((TYPE_AREA_WIDTH_MM / 25.4 * 72 / CHARS_PER_LINE - SIZE["三号"].pt) * 20) - 1

LATIN = "Times New Roman"

# (style name, East-Asian font, size, first-line indent in characters, alignment)
STYLES = {
    "报告标题": ("方正小标宋简体", "二号", 0, WD_ALIGN_PARAGRAPH.CENTER),
    "一级标题": ("黑体", "三号", 2, WD_ALIGN_PARAGRAPH.JUSTIFY),
    "二级标题": ("楷体_GB2312", "三号", 2, WD_ALIGN_PARAGRAPH.JUSTIFY),
    "报告正文": ("仿宋_GB2312", "三号", 2, WD_ALIGN_PARAGRAPH.JUSTIFY),
    "落款": ("仿宋_GB2312", "三号", 0, WD_ALIGN_PARAGRAPH.LEFT),
    "表格文字": ("宋体", "五号", 0, WD_ALIGN_PARAGRAPH.CENTER),
    "表格小字": ("宋体", "小五", 0, WD_ALIGN_PARAGRAPH.CENTER),
    "页码": ("宋体", "四号", 0, WD_ALIGN_PARAGRAPH.RIGHT),
}

ALIGNMENT = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}

# Text style of each table layout; the column widths follow from its labels and figures.
TABLE_STYLE = {"blocks": "表格文字", "grid": "表格小字", "line": "表格小字"}
TYPE_AREA_TWIPS = round(TYPE_AREA_WIDTH_MM / 25.4 * 1440)
CELL_MARGIN_TWIPS = 28  # half a millimetre: table 四's 15 columns need every bit of their width
# A heading that follows a table keeps half a line of white space from it.
SPACE_AFTER_TABLE = Pt(LINE_PITCH_TWIPS / 20 / 2)


@functools.lru_cache(maxsize=None)
def table_shape(layout: Grid) -> TableGeometry:
    """Column widths (twips, summing to the type area) and the narrowest figure scale they allow
    (worked out once per table and kept between runs: the search takes a fraction of a second)."""
    from .shapecache import remembered

    settings = (TYPE_AREA_TWIPS, figure_em_twips(layout) / 20, CELL_MARGIN_TWIPS)
    return remembered(layout, settings, lambda: table_geometry(layout, *settings))


def figure_em_twips(layout: Grid) -> float:
    """One character of the table's text, in twips."""
    return SIZE[STYLES[TABLE_STYLE[layout.table.layout]][1]].pt * 20


def build(fmt: Format) -> docx.Document:
    """The default template of one format version, as a python-docx Document."""
    document = docx.Document()
    _page(document)
    _styles(document)
    _footers(document)
    oxml.add_font_fallbacks(document, fonts.docx_fallbacks())
    body = _Body(document)
    body.paragraph("{{ title_agency }}", "报告标题")
    body.paragraph("{{ year }}年政府信息公开工作年度报告", "报告标题")
    body.paragraph("", "报告正文")
    body.loop("p in lead", ["{{ p }}"], "报告正文")
    for section in fmt.sections:
        heading = body.paragraph(section.heading, "一级标题")
        if body.follows_table:
            heading.paragraph_format.space_before = SPACE_AFTER_TABLE
        narrative = f"sections.{section.key}"
        body.loop(f"p in {narrative}.paragraphs", ["{{ p }}"], "报告正文")
        body.follows_table = False
        if section.table:
            body.table(grid(fmt.tables[section.table]), fmt)
            body.follows_table = not section.parts
        body.open(f"for part in {narrative}.parts")
        body.paragraph("{{ part.title }}", "二级标题")
        body.loop("p in part.paragraphs", ["{{ p }}"], "报告正文")
        body.close("endfor")
    body.open("if signature")
    body.paragraph("", "落款")
    body.paragraph("{{ signature.name_line }}", "落款")
    body.paragraph("{{ signature.date_line }}", "落款")
    body.close("endif")
    _properties(document, fmt)
    return document


def _properties(document: docx.Document, fmt: Format) -> None:
    """Core properties filled in per report (title, agency as author), no borrowed history: no
    creation date, application or thumbnail of the stock template python-docx starts from."""
    properties = document.core_properties
    properties.title, properties.author, properties.comments = "{{ title }}", "{{ agency }}", f"格式：{fmt.document}"
    properties.last_modified_by, properties.revision = "", 1
    oxml.remove_core_dates(properties)
    oxml.drop_stock_parts(document)
    oxml.set_app_properties(document, "govreport")


class _Body:
    """Appends paragraphs, docxtpl paragraph tags and tables to a document in order."""

    def __init__(self, document: docx.Document):
        self.document = document
        self.follows_table = False

    def paragraph(self, text: str, style: str):
        return self.document.add_paragraph(text, style=style)

    def open(self, tag: str) -> None:
        self.paragraph(f"{{%p {tag} %}}", "报告正文")

    def close(self, tag: str) -> None:
        self.paragraph(f"{{%p {tag} %}}", "报告正文")

    def loop(self, head: str, lines: list[str], style: str) -> None:
        self.open(f"for {head}")
        for line in lines:
            self.paragraph(line, style)
        self.close("endfor")

    def table(self, layout: Grid, fmt: Format) -> None:
        style = TABLE_STYLE[layout.table.layout]
        shape = table_shape(layout)
        table = self.document.add_table(rows=layout.rows, cols=layout.cols)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        oxml.set_cell_margins(table, CELL_MARGIN_TWIPS, CELL_MARGIN_TWIPS)
        for row in table.rows:
            oxml.set_row_cant_split(row)
        header_rows = min(c.row for c in layout.figure_cells())
        if layout.table.layout != "blocks":
            for row in table.rows[:header_rows]:
                oxml.set_row_header(row)
        for placed in layout.cells:
            self._cell(table, placed, style, fmt.cell_look(layout.table.key, layout.kind(placed)), shape,
                       layout.table.key)
        oxml.set_widths(table, shape.widths)
        oxml.set_all_cell_borders(table)
        # A table follows the text on the page; its heading, header rows and first row stay
        # together, and a block of table 二 (title, header, rows) is never parted.
        for r in _kept_rows(layout, header_rows):
            for cell in table.rows[r].cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True

    def _cell(self, table, placed: GridCell, style: str, look: CellLook, shape: TableGeometry,
              layout_key: str) -> None:
        cell = table.cell(placed.row, placed.col)
        if placed.rowspan > 1 or placed.colspan > 1:
            cell = cell.merge(table.cell(placed.row + placed.rowspan - 1, placed.col + placed.colspan - 1))
        paragraph = cell.paragraphs[0]
        paragraph.text = f"{{{{ {placed.ref} }}}}" if placed.ref else placed.text
        paragraph.style = style
        left_aligned = look.align == "left"
        paragraph.alignment = ALIGNMENT[look.align]
        if look.fill:
            oxml.set_cell_fill(cell._tc, look.fill)
        if placed.ref:
            # Each figure column has its own character style, narrowed per report when its figures need it.
            paragraph.runs[0].style = _figure_column_style(table.part.document, layout_key, placed.col)
        indent = shape.indents.get((placed.row, placed.col))
        if indent:
            # A narrower measure evens out the label's lines; a centred label stays centred.
            sides = {"right": 2 * indent} if left_aligned else {"left": indent, "right": indent}
            oxml.set_indent_twips(paragraph._p.get_or_add_pPr(), **sides)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _figure_column_style(document: docx.Document, table_key: str, column: int):
    """The (hidden, empty) character style of one figure column, made on first use."""
    name = style_name(table_key, column)
    if name not in [s.name for s in document.styles]:
        document.styles.add_style(name, WD_STYLE_TYPE.CHARACTER).hidden = True
    return document.styles[name]


def _kept_rows(layout: Grid, header_rows: int) -> list[int]:
    """The rows that keep with the next: the header rows, and every row of a stacked block but its last."""
    if layout.table.layout != "blocks":
        return list(range(header_rows))
    block_starts = {c.row for c in layout.label_cells() if c.colspan == layout.cols}
    return [r for r in range(layout.rows - 1) if r + 1 not in block_starts]


def _page(document: docx.Document) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = PAGE["width"], PAGE["height"]
    section.top_margin, section.bottom_margin = PAGE["top"], PAGE["bottom"]
    section.left_margin, section.right_margin = PAGE["left"], PAGE["right"]
    # The page number's top sits 7 mm below the type area (GB/T 9704 7.5); 4号 digits are ~5 mm high.
    section.footer_distance = PAGE["bottom"] - Mm(7) - Mm(5)
    section.header_distance = Mm(15)
    oxml.set_doc_grid(section, LINE_PITCH_TWIPS)


def _styles(document: docx.Document) -> None:
    styles = document.styles
    oxml.set_document_defaults(styles.element, "仿宋_GB2312", LATIN, SIZE["三号"])
    normal = styles["Normal"]
    oxml.set_fonts(normal.element, "仿宋_GB2312", LATIN)
    normal.font.size = SIZE["三号"]
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    for name, (font, size, indent, alignment) in STYLES.items():
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        oxml.set_fonts(style.element, font, LATIN)
        style.font.size = SIZE[size]
        style.paragraph_format.alignment = alignment
        style.paragraph_format.widow_control = True
        if indent:
            oxml.set_indent_chars(style.element.get_or_add_pPr(), SIZE[size], first_line=indent)
        if name in ("一级标题", "二级标题", "报告标题"):
            style.paragraph_format.keep_with_next = True
        if size == "三号":
            oxml.set_character_spacing(style.element, BODY_CONDENSING)
        if name == "报告标题":
            oxml.set_snap_to_grid(style.element.get_or_add_pPr(), False)
            style.paragraph_format.line_spacing = Pt(36)
        if name.startswith("表格") or name == "页码":
            # Table and footer text keep their own line height instead of snapping to the page grid.
            oxml.set_snap_to_grid(style.element.get_or_add_pPr(), False)


def _footers(document: docx.Document) -> None:
    """Page numbers "— 1 —": odd pages right, even pages left, one character in from the edge."""
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    for footer, alignment, side in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left"),
    ):
        paragraph = footer.paragraphs[0]
        paragraph.style = document.styles["页码"]
        paragraph.alignment = alignment
        oxml.set_indent_chars(paragraph._p.get_or_add_pPr(), SIZE["四号"], **{side: 1})
        paragraph.add_run("— ")
        oxml.add_field(paragraph, "PAGE")
        paragraph.add_run(" —")


def template_bytes(version: str) -> bytes:
    return normalized_docx(build(get_format(version)))


def main(argv: list[str]) -> None:
    """Write the default templates into the given folder (default: templates/ of the source tree)."""
    folder = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "templates"
    for version in versions():
        path = folder / f"{version}.docx"
        path.write_bytes(template_bytes(version))
        print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
