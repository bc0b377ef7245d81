"""A report as Typst markup: the same page, faces, headings and tables as the Word template.

Everything comes from the data the Word template is built from — the GB/T 9704 page, the styles
and sizes of render.builder, the table grids of layout.py with the column widths of geometry.py,
and the values of render.context — so the native PDF and the Word report cannot drift apart.
Text from the data file enters the markup only as Typst string literals, never as markup.
"""

from __future__ import annotations

import math

from ..layout import Grid, GridCell, grid
from ..formats import CellLook, Format
from ..model import Report
from . import fonts
from .builder import (BODY_CONDENSING, CHARS_PER_LINE, CELL_MARGIN_TWIPS, LATIN, LINE_PITCH_TWIPS, PAGE, SIZE, STYLES, TABLE_STYLE,
                      TYPE_AREA_TWIPS, table_shape)
from .context import context
from .draftmark import DRAFT_MARK
from .narrowing import Narrowed, narrowed_columns, style_name
from .signature import layout as signature_layout

_PT_PER_TWIP = 1 / 20
_PITCH_PT = LINE_PITCH_TWIPS * _PT_PER_TWIP
_TITLE_LINE_PT = 36  # 报告标题: exactly 36 pt a line, as in the Word style
_BORDER_PT = 0.5  # single borders of 4 eighths of a point
_CELL_PAD_PT = 1.5  # above and below a cell's text; Word's rows are the text's own height
_LINE_EM = 1.448  # a line of the CJK faces: their ascender and descender
# A table kept on one page must be this much shorter than the type area (its height is estimated).
_KEEP_TOGETHER = 0.9


def string(text: str) -> str:
    """``text`` as a Typst string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "")
    return f'"{escaped}"'


# Chinese punctuation, which GB style sets in the left (or right) half of its square. The free
# stand-ins of 仿宋 and 楷体 (AR PL UMing, UKai) centre it, Taiwan style, and Typst, compressing
# punctuation the GB way, would then cut into the mark: such faces take their punctuation from the
# free 宋体 instead.
_PUNCTUATION = "[\\u3000-\\u303F\\uFF01-\\uFF0F\\uFF1A-\\uFF20\\uFF3B-\\uFF40\\uFF5B-\\uFF65\\u2018-\\u201D\\u2026\\u2014]"
_CENTRED_PUNCTUATION = ("AR PL UMing CN", "AR PL UKai CN")


def _face_list(official: str) -> str:
    """Typst font list of a face: Times (or its metric twin) for Latin and digits, then the official
    face under all its names, then the free stand-in (Typst knows a face of a collection by the
    family without its region)."""
    face = fonts.face(official)
    names = [string(n) for n in (official, *fonts.ALIASES.get(official, ()))]
    if face:
        if face.free in _CENTRED_PUNCTUATION:
            song = fonts.face("宋体").free
            names.append(f"(name: {string(song)}, covers: regex({string(_PUNCTUATION)}))")
        # Typst names a face by its family without a region or weight suffix (AR PL UMing, FandolFang).
        names += [string(face.free), string(face.free.rsplit(" ", 1)[0])]
    latin = [f"(name: {string(n)}, covers: \"latin-in-cjk\")" for n in (LATIN, fonts.LATIN.free)]
    return "(" + ", ".join(latin + list(dict.fromkeys(names))) + ")"


def _style(name: str) -> tuple[str, float]:
    """Typst font list and size (pt) of one of the Word template's styles."""
    font, size, _, _ = STYLES[name]
    return _face_list(font), SIZE[size].pt


def _preamble(report: Report, values: dict, draft: bool, archival: bool) -> str:
    title = values["title"]
    body_font, body_size = _style("报告正文")
    number_font, number_size = _style("页码")
    heading_font, _ = _style("一级标题")
    part_font, _ = _style("二级标题")
    title_font, _ = _style("报告标题")
    leading = _PITCH_PT - body_size
    margins = ", ".join(f"{side}: {PAGE[side].mm:.1f}mm" for side in ("top", "bottom", "left", "right"))
    return f"""
#set document(title: {string(f"【{DRAFT_MARK}】{title}" if draft else title)}, author: {string(values["agency"])},
  date: {_date(report, archival)})
#set page(width: {PAGE["width"].mm:.0f}mm, height: {PAGE["height"].mm:.0f}mm, margin: ({margins}),
  footer-descent: 7mm, footer: context {{
    let n = counter(page).get().first()
    set text(font: {number_font}, size: {number_size}pt, top-edge: "cap-height", bottom-edge: "baseline")
    let number = [— #n —]
    if calc.odd(n) {{ align(right, pad(right: 1em, number)) }} else {{ align(left, pad(left: 1em, number)) }}
  }})
#set text(lang: "zh", region: "CN", font: {body_font}, size: {body_size}pt, tracking: {BODY_CONDENSING * _PT_PER_TWIP}pt,
  top-edge: 0.88em, bottom-edge: -0.12em, cjk-latin-spacing: auto, overhang: false)
#set par(justify: true, leading: {leading:.2f}pt, spacing: {leading:.2f}pt,
  first-line-indent: (amount: 2em, all: true))
#show heading: it => block(above: {leading:.2f}pt, below: {leading:.2f}pt, sticky: true, [#h(2em)#it.body])
#show heading: set text(size: {body_size}pt, weight: "regular")
#show heading.where(level: 1): set text(font: {heading_font})
#show heading.where(level: 2): set text(font: {part_font})
#show title: set text(font: {title_font}, size: {SIZE["二号"].pt}pt, weight: "bold", tracking: 0pt)
#show title: set par(first-line-indent: 0pt, justify: false, leading: {_TITLE_LINE_PT - SIZE["二号"].pt}pt)
#show title: set align(center)
"""


def _date(report: Report, archival: bool) -> str:
    """The 成文日期 as the document's date. Without one, none (the same report gives the same
    bytes), or for PDF/A, which must have a date, the time of typesetting."""
    day = report.date
    if day:
        return f"datetime(year: {day.year}, month: {day.month}, day: {day.day})"
    return "auto" if archival else "none"


def markup(report: Report, draft: bool = False, archival: bool = False) -> str:
    """The whole report as Typst markup; ``archival`` for PDF/A."""
    values = context(report)
    narrowed = narrowed_columns(report.format, values)
    parts = [_preamble(report, values, draft, archival)]
    if draft:
        mark_font, mark_size = _style("一级标题")
        parts.append(f"#align(right, text(font: {mark_font}, size: {mark_size}pt, weight: \"bold\", "
                     f"{string(DRAFT_MARK)}))")
    parts.append(_title(values))
    parts += [_paragraph(p) for p in values["lead"]]
    fmt = report.format
    for section in fmt.sections:
        narrative = values["sections"][section.key]
        parts.append(f"#heading(level: 1, {string(section.heading)})")
        parts += [_paragraph(p) for p in narrative["paragraphs"]]
        if section.table:
            parts.append(_table(grid(fmt.tables[section.table]), values, narrowed, fmt))
        for part in narrative["parts"]:
            if part["title"].strip():  # an empty heading would say nothing to a screen reader
                parts.append(f"#heading(level: 2, {string(part['title'])})")
            parts += [_paragraph(p) for p in part["paragraphs"]]
    if values["signature"]:
        while parts and not parts[-1]:
            parts.pop()
        if parts[-1].startswith("#par("):
            # The 落款 never stands alone on a page: the end of the last paragraph goes with it.
            parts[-1] = f"#block(sticky: true, {parts[-1][1:]})"
        parts.append(_signature(values["signature"]))
    return "\n".join(parts) + "\n"


def _signature(values: dict) -> str:
    """The 落款 as GB/T 9704 7.3.5 places it (render.signature), one empty line below the text."""
    block = signature_layout(values["name"], values["date"], values["sealed"], CHARS_PER_LINE)
    char = TYPE_AREA_TWIPS * _PT_PER_TWIP / CHARS_PER_LINE
    name = " + linebreak() + ".join(string(line) for line in block.name_lines)
    (name_left, name_right), (_, date_right) = block.name_indents, block.date_indents
    date = (f"\n#align(right, pad(right: {max(0.0, date_right) * char:.2f}pt, par(justify: false, first-line-indent: 0pt, {string(values['date'])})))"
            if values["date"] else "")
    return (f"#block(width: 100%, above: {2 * _PITCH_PT - SIZE['三号'].pt:.2f}pt, sticky: true, align({block.name_align}, "
            f"pad(left: {max(0.0, name_left) * char:.2f}pt, right: {max(0.0, name_right) * char:.2f}pt, "
            f"par(justify: false, first-line-indent: 0pt, [#({name})]))))" + date)


def _title(values: dict) -> str:
    """The title, lines of exactly 36 pt centred on whole lines of the page grid, then one empty
    line, as the Word template's 报告标题 paragraphs and the empty 报告正文 after them."""
    lines = values["title_agency"].count("\n") + 2
    size = SIZE["二号"].pt
    slot = math.ceil(lines * _TITLE_LINE_PT / _PITCH_PT) * _PITCH_PT
    inset = (slot - (lines - 1) * _TITLE_LINE_PT - size) / 2
    # A body line sits in the middle of its grid line: the first one after the title does too.
    below = _PITCH_PT + (_PITCH_PT - SIZE["三号"].pt) / 2
    text = f"#{string(values['title_agency'])}\\ #{string(values['year'] + '年政府信息公开工作年度报告')}"
    return f"#block(width: 100%, height: {slot:.2f}pt, inset: (top: {inset:.2f}pt), below: {below:.2f}pt, align(center, title[{text}]))"


def _paragraph(text: str) -> str:
    return f"#par({string(text)})" if text.strip() else ""


def _table(layout: Grid, values: dict, narrowed: dict[str, Narrowed], fmt: Format) -> str:
    """One table: columns of the Word template's widths, its merges, header rows repeated on a new
    page, and each merged group label printed again on the page a break carries its rows to.

    Cells are plain strings wherever they can be (Typst places them in order). A group label is
    placed by position, split where the rows it spans change page: each body row carries a
    marker, and the table is laid out again once Typst knows on which page each marker fell.
    A table short enough to fit on a page is kept on one page, as the Word template's rows keep
    together. Figures are narrowed only in the columns ``narrowed`` names, and cells aligned and shaded
    as the format's ``table_cells`` says, as in the Word file."""
    shape = table_shape(layout)
    scales = {col: narrowed[style_name(layout.table.key, col)].scale
              for col in range(layout.cols) if style_name(layout.table.key, col) in narrowed}
    font, size = _style(TABLE_STYLE[layout.table.layout])
    header_rows = min(c.row for c in layout.figure_cells())
    groups = [c for c in layout.label_cells() if c.rowspan > 1 and c.row >= header_rows]
    marked = {}  # body row -> its first figure cell, which carries the row's marker
    for cell in sorted(layout.figure_cells(), key=lambda c: (c.row, c.col)):
        marked.setdefault(cell.row, cell)
    label = f"govreport-row-{layout.table.key}"
    rows = [[] for _ in range(layout.rows)]
    for cell in sorted(layout.cells, key=lambda c: (c.row, c.col)):
        if cell in groups:
            continue
        marker = label if groups and marked.get(cell.row) == cell else None
        rows[cell.row].append(_cell(cell, layout, shape, scales, values, header_rows, marker,
                                     fmt.cell_look(layout.table.key, layout.kind(cell))))
    if layout.table.layout == "blocks":
        # Each block's title and column names head its own rows (Typst sub-headers).
        titles = {c.row for c in layout.label_cells() if c.colspan == layout.cols}
        body = [f"table.header(level: {1 if row in titles else 2}, {', '.join(own)})"
                if row in titles or row - 1 in titles else ", ".join(own) for row, own in enumerate(rows)]
    else:
        body = [f"table.header({', '.join(c for own in rows[:header_rows] for c in own)})"]
        body += [f"..group({c.col}, {c.row}, {c.rowspan}, {_content(c, scales, values)})" for c in groups]
        body += [", ".join(own) for own in rows[header_rows:] if own]
    line = size * _LINE_EM
    height = shape.height_lines * line + layout.rows * 2 * _CELL_PAD_PT
    fits = height < _KEEP_TOGETHER * (PAGE["height"].pt - PAGE["top"].pt - PAGE["bottom"].pt)
    group = ""
    if groups:
        group = (f"let pages = (:)\n"
                 f"for m in query(<{label}>) {{ pages.insert(str(m.value), m.location().page()) }}\n"
                 "let group(x, y, n, body) = {\n"
                 "  let page(r) = pages.at(str(r), default: 0)\n"
                 "  let starts = (y,) + range(y + 1, y + n).filter(r => page(r) != page(r - 1))\n"
                 "  starts.zip(starts.slice(1) + (y + n,)).map(((a, b)) => table.cell(x: x, y: a, rowspan: b - a, body))\n"
                 "}\n")
    return (f"#block(above: {_PITCH_PT - SIZE['三号'].pt:.2f}pt, below: {_PITCH_PT / 2:.2f}pt, "
            f"breakable: {'false' if fits else 'true'}, context {{\n"
            f"set text(font: {font}, size: {size}pt, tracking: 0pt, top-edge: \"ascender\", bottom-edge: \"descender\")\n"
            f"set par(leading: 0pt, spacing: 0pt, first-line-indent: 0pt, justify: false)\n"
            + group +
            f"table(columns: ({_columns(shape)},), stroke: {_BORDER_PT}pt, "
            f"inset: (x: {CELL_MARGIN_TWIPS * _PT_PER_TWIP:.2f}pt, y: {_CELL_PAD_PT}pt), align: center + horizon,\n  "
            + ",\n  ".join(body) + ")\n})")


def _columns(shape) -> str:
    return ", ".join(f"{w * _PT_PER_TWIP:.2f}pt" for w in shape.widths)


def _content(cell: GridCell, scales: dict[int, int], values: dict) -> str:
    """A cell's text as a Typst string: its figure (squeezed when its column's figures are), or its label."""
    if not cell.ref:
        return string(cell.text or "")
    content = string(values[cell.ref.table][cell.ref.row][cell.ref.col])
    scale = scales.get(cell.col, 100)
    return f"scale(x: {scale}%, reflow: true, {content})" if scale < 100 else content


def _cell(cell: GridCell, layout: Grid, shape, scales: dict[int, int], values: dict, header_rows: int,
          marker: str | None = None, look: CellLook = CellLook()) -> str:
    """A cell as Typst: a bare string when it is a plain one-by-one cell, else table.cell(...);
    ``marker`` labels an invisible note of the cell's row, for finding the page it is printed on."""
    content = _content(cell, scales, values)
    if marker:
        content = f"[#metadata({cell.row})<{marker}>#{content}]"
    indent = shape.indents.get((cell.row, cell.col))
    row_label = layout.table.layout == "grid" and cell.row >= header_rows and not cell.ref and cell.rowspan == 1
    if indent:
        pad = f"right: {2 * indent * _PT_PER_TWIP:.2f}pt" if row_label else f"x: {indent * _PT_PER_TWIP:.2f}pt"
        content = f"pad({pad}, {content})"
    arguments = [f"rowspan: {cell.rowspan}"] if cell.rowspan > 1 else []
    if cell.colspan > 1:
        arguments.append(f"colspan: {cell.colspan}")
    if row_label:
        # A row whose label breaks over lines is never cut by a page break.
        arguments += ["align: left + horizon", "breakable: false"]
    elif look.align:
        arguments.append(f"align: {look.align} + horizon")
    if look.fill:
        arguments.append(f'fill: rgb("#{look.fill}")')
    return f"table.cell({', '.join(arguments)}, {content})" if arguments else content
