"""The report as one self-contained, accessible web page for a government portal's 年报栏目.

The page is built from the same definitions as the .docx: the format's sections, and each table's
paper grid from ``toolkit.layout`` with its official merges as rowspan/colspan. Every label cell is
a ``th`` with a scope, and every figure names its header cells in ``headers``, resolved from the grid
the way the HTML table model does it (up the column and along the row, as far as the nearest run
of label cells), so a screen reader announces 「三、本年度办理结果 / （三）不予公开 / 1.属于国家秘密 /
申请人情况 / 法人或其他组织 / 商业企业」 for a figure. Every cell carries its border inline, so a copy
pasted into a site editor keeps the ruled table. Nothing is loaded from elsewhere: the styles and an
optional chart are inside the page.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from html import escape

from ..layout import Grid, GridCell, grid
from ..model import Report
from ..render.builder import TYPE_AREA_TWIPS, table_shape
from ..render.context import cell_text, context

# Borders, padding and alignment on the cell itself survive a paste into a site's rich-text editor.
_CELL_STYLE = "border:1px solid #000;padding:0.3em 0.4em;vertical-align:middle;text-align:center"
_ROW_LABEL_STYLE = _CELL_STYLE.replace("text-align:center", "text-align:left")
_TABLE_STYLE = "border-collapse:collapse;border:1px solid #000;margin:0 auto"

# Smallest readable width of each table on screen (in the table's own em); a narrower window scrolls
# the table, not the page.
_MIN_WIDTH = {"blocks": 24, "grid": 46, "line": 52}
PHONE_MAX_EM = 30  # the stylesheet's phone width

# What the stylesheet gives the width of a table: its font (em of the body), the body's font (rem)
# and main's side padding (em of the body), above and below PHONE_MAX_EM.
_TABLE_FONT, _BODY_FONT, _PADDING = 0.8, {"wide": 1.125, "phone": 1.0}, {"wide": 1.0, "phone": 0.75}


def _scrolls_below(layout: str) -> list[tuple[float, float]]:
    """The window widths (rem, as media queries count them) at which a table is wider than its box."""
    need = {kind: _MIN_WIDTH[layout] * _TABLE_FONT * _BODY_FONT[kind] + 2 * _PADDING[kind] * _BODY_FONT[kind]
            for kind in _BODY_FONT}
    ranges = [(0.0, min(need["phone"], PHONE_MAX_EM))]
    if need["wide"] > PHONE_MAX_EM:
        ranges.append((PHONE_MAX_EM, need["wide"]))
    return ranges


# Where the browser can tell (a scroll timeline is active only on a box that scrolls), the cue shows
# exactly when its table scrolls, whatever its figures' widths; the rules by window width above are
# for browsers that cannot.
_EXACT_SCROLL_CUE = """@keyframes scroll-cue { from, to { --scroll-cue: block; } }
@supports (animation-timeline: scroll()) {
  .table-scroll { animation-name: scroll-cue; animation-fill-mode: both; animation-timeline: scroll(self inline); }
  .table-scroll.table-scroll.table-scroll::before { display: var(--scroll-cue, none); }
}
"""


def _scroll_cue_rules() -> str:
    """Show each table's cue where the table scrolls: phones hide scrollbars until touched. The cue
    is generated content, hidden from screen readers (they announce the region) and from a copy of
    the page's text."""
    rules = []
    for layout in _MIN_WIDTH:
        for low, high in _scrolls_below(layout):
            floor = f"(min-width: {low + 0.001:.3f}em) and " if low else ""
            rules.append(f"@media {floor}(max-width: {high:.3f}em) {{ .table-scroll.{layout}::before {{ display: block; }} }}")
    return "\n".join(rules) + "\n" + _EXACT_SCROLL_CUE

_STYLESHEET = """
:root { color: #000; background: #fff; }
body { margin: 0; font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC",
  "WenQuanYi Zen Hei", sans-serif; font-size: 1.125rem; line-height: 1.8; }
main { max-width: 46em; margin: 0 auto; padding: 1.5em 1em 3em; }
h1 { font-family: "方正小标宋简体", "FZXiaoBiaoSong-B05S", "SimSun", "宋体", "Noto Serif CJK SC", "AR PL UMing CN",
  serif; font-size: 1.6em; font-weight: normal; line-height: 1.5; text-align: center; margin: 0.5em 0 1em; }
h2 { font-family: "SimHei", "黑体", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif; font-size: 1em;
  margin: 1.2em 0 0.4em; text-indent: 2em; }
h3 { font-family: "楷体_GB2312", "KaiTi_GB2312", "KaiTi", "楷体", "AR PL UKai CN", serif; font-size: 1em;
  font-weight: normal; margin: 0.6em 0 0; text-indent: 2em; }
p { margin: 0; text-indent: 2em; text-align: justify; overflow-wrap: anywhere; }
.table-scroll { overflow-x: auto; margin: 0.6em 0 1em; }
.table-scroll:focus { outline: 3px solid #1a56c2; outline-offset: 2px; }
.table-scroll::before { display: none; position: sticky; left: 0; text-align: right; font-size: 0.875em;
  color: #333; line-height: 1.6; content: "表格较宽，请左右滑动查看 →"; content: "表格较宽，请左右滑动查看 →" / ""; }
table { font-family: "SimSun", "宋体", "Noto Serif CJK SC", "AR PL UMing CN", serif; font-size: 0.8em;
  line-height: 1.45; width: 100%; }
caption { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
th { font-weight: normal; }
figure { margin: 1em 0; text-align: center; }
figure img { max-width: 100%; height: auto; }
.draft { text-indent: 0; font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; margin-top: 0.5em; }
.closing { display: flow-root; margin-top: 2em; }
.closing div { float: right; margin-right: 2em; }
.closing .sealed { margin-right: 4em; text-align: center; }
.closing p { text-indent: 0; text-align: left; }
.closing .sealed p { text-align: center; }
.closing p.date { padding-left: 2em; }
.closing .sealed p.date { padding-left: 0; }
@media (max-width: 30em) {
  body { font-size: 1rem; }
  main { padding: 1em 0.75em 2em; }
  figure img { width: 100%; }
  h1 { font-size: 1.3em; }
  h2, h3 { text-indent: 0; }
  p { text-align: start; }
}
@media print {
  @page { size: A4; margin: 37mm 26mm 35mm 28mm; }
  body { font-family: "仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "STFangsong", "Noto Serif CJK SC",
    "AR PL UMing CN", serif; font-size: 16pt; line-height: 28.9pt; }
  main { max-width: none; padding: 0; }
  h1 { font-size: 22pt; line-height: 36pt; margin: 0 0 28.9pt; }
  h2, h3 { font-size: 16pt; margin: 0; page-break-after: avoid; break-after: avoid; }
  .table-scroll { overflow: visible; margin: 0; }
  .table-scroll::before { display: none !important; }
  table { font-size: 9pt; min-width: 0 !important; }
  table.blocks { font-size: 10.5pt; }
  thead { display: table-header-group; }
  tr, table.blocks tbody { page-break-inside: avoid; break-inside: avoid; }
  figure img { max-width: 156mm; }
  .closing { margin-top: 28.9pt; }
}
"""


@dataclass(frozen=True)
class Picture:
    """A picture placed in the page after a section's table: an SVG and its text alternative."""

    svg: bytes
    description: str
    after_table: str | None = None  # the table the picture follows; None: at the end of the page
    phone_svg: bytes = b""  # the picture lettered for a phone, shown below PHONE_MAX_EM


def render_html(report: Report, picture: Picture | None = None, draft: bool = False) -> str:
    """The whole report as one HTML page (title, 导语, six sections, three tables, 落款); a ``draft``
    is marked 「征求意见稿」 above the title, as the .docx is."""
    values = context(report)
    body = ['<p class="draft">征求意见稿</p>'] if draft else []
    body += [f"<h1>{escape(values['agency'])}<br>{escape(values['year'])}年政府信息公开工作年度报告</h1>"]
    body += [f"<p>{escape(p)}</p>" for p in values["lead"]]
    for section in report.format.sections:
        narrative = values["sections"][section.key]
        body.append(f'<h2 id="{section.key}">{escape(section.heading)}</h2>')
        body += [f"<p>{escape(p)}</p>" for p in narrative["paragraphs"]]
        if section.table:
            body.append(_table(grid(report.format.tables[section.table]), report, section.heading))
            if picture and picture.after_table == section.table:
                body.append(_figure(picture))
        for part in narrative["parts"]:
            body.append(f"<h3>{escape(part['title'])}</h3>")
            body += [f"<p>{escape(p)}</p>" for p in part["paragraphs"]]
    if picture and picture.after_table not in {s.table for s in report.format.sections if s.table}:
        body.append(_figure(picture))
    if values["signature"]:
        body.append(_closing(values["signature"], report.signature.seal))
    return _page(values["title"], values["format_document"], "\n".join(body))


def _page(title: str, document: str, body: str) -> str:
    # The policy forbids every fetch and script: the page is complete as it is.
    policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="govreport">\n'
        f'<meta name="description" content="{escape(title)}（格式：{escape(document)}）">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLESHEET}{_scroll_cue_rules()}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _figure(picture: Picture) -> str:
    """The picture, and on a phone its version lettered for a phone's width: the paper one shrunk
    to a phone's width would print its labels at 6 px."""
    data = lambda svg: "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    image = f'<img src="{data(picture.svg)}" alt="{escape(picture.description)}">'
    if not picture.phone_svg:
        return f"<figure>{image}</figure>"
    phone = f'<source media="(max-width: {PHONE_MAX_EM}em)" srcset="{data(picture.phone_svg)}">'
    return f"<figure><picture>{phone}{image}</picture></figure>"


def _closing(signature: dict, sealed: bool) -> str:
    """The 落款 as GB/T 9704 places it; see ``context.signature_lines`` for the same rule on the grid."""
    lines = [f"<p>{escape(signature['name'])}</p>"]
    if signature["date"]:
        lines.append(f'<p class="date">{escape(signature["date"])}</p>')
    place = ' class="sealed"' if sealed else ""
    return f'<div class="closing"><div{place}>{"".join(lines)}</div></div>'


# -- tables ----------------------------------------------------------------------------------------


def header_cells(layout: Grid) -> dict[GridCell, tuple[tuple[GridCell, ...], tuple[GridCell, ...]]]:
    """For each figure: its column headers (top down) and row headers (left to right).

    From the figure, walk up its column and left along its row, past other figures, and take the
    nearest unbroken run of label cells — the HTML table model's own rule for implicit headers.
    """
    at = {}
    for cell in layout.cells:
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                at[r, c] = cell

    def run(positions) -> tuple[GridCell, ...]:
        found: list[GridCell] = []
        for position in positions:
            cell = at.get(position)
            if cell is None or cell.is_figure:
                if found:
                    break
                continue
            if cell not in found:
                found.append(cell)
        return tuple(reversed(found))

    return {
        figure: (run((r, figure.col) for r in range(figure.row - 1, -1, -1)),
                 run((figure.row, c) for c in range(figure.col - 1, -1, -1)))
        for figure in layout.figure_cells()
    }


def _table(layout: Grid, report: Report, heading: str) -> str:
    table = layout.table
    headers = header_cells(layout)
    column_headers = {h for above, _ in headers.values() for h in above}
    row_headers = {h for _, left in headers.values() for h in left}
    ids = {cell: f"{table.key}-{cell.row}-{cell.col}" for cell in layout.label_cells()}
    first_figure_row = min(c.row for c in layout.figure_cells())

    def scope(cell: GridCell) -> str | None:
        if cell.colspan == layout.cols:
            return "rowgroup"  # a block title across the whole table heads the rows of its block
        if cell in column_headers:
            return "col" if cell.colspan == 1 else "colgroup"
        if cell in row_headers:
            return "row" if cell.rowspan == 1 else "rowgroup"
        if cell.text == table.row_header:
            return "col"  # 信息内容 heads the column of row labels
        return None  # the note in table 三's corner heads nothing

    def markup(cell: GridCell) -> str:
        spans = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + \
                (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "")
        if cell.is_figure:
            above, left = headers[cell]
            refs = " ".join(ids[h] for h in above + left)
            return f'<td headers="{refs}"{spans} style="{_CELL_STYLE}">{escape(cell_text(report, cell.ref))}</td>'
        # Row labels of table 三 sit flush left, as in the .docx.
        left = table.layout == "grid" and cell.row >= first_figure_row and cell.rowspan == 1
        style = _ROW_LABEL_STYLE if left else _CELL_STYLE
        kind = scope(cell)
        if kind is None:
            return f'<td{spans} style="{style}">{escape(cell.text or "")}</td>'
        return f'<th id="{ids[cell]}" scope="{kind}"{spans} style="{style}">{escape(cell.text or "")}</th>'

    rows: dict[int, list[GridCell]] = {}
    for cell in sorted(layout.cells, key=lambda c: (c.row, c.col)):
        rows.setdefault(cell.row, []).append(cell)
    widths = table_shape(layout).widths
    caption_id = f"{table.key}-caption"
    parts = [f'<div class="table-scroll {table.layout}" role="region" aria-labelledby="{caption_id}" tabindex="0">',
             f'<table class="{table.layout}" style="{_TABLE_STYLE};min-width:{_MIN_WIDTH[table.layout]}em">',
             f'<caption id="{caption_id}">{escape(heading.partition("、")[2])}</caption>']
    if len(widths) == layout.cols:  # the .docx's column widths
        parts.append("<colgroup>" + "".join(f'<col style="width:{w / TYPE_AREA_TWIPS:.2%}">' for w in widths)
                     + "</colgroup>")
    group = None
    for index in range(layout.rows):
        cells = rows.get(index, [])
        starts_block = any(c.colspan == layout.cols for c in cells)
        wanted = "thead" if index < first_figure_row and not starts_block and group in (None, "thead") else "tbody"
        if wanted != group or starts_block:
            if group:
                parts.append(f"</{group}>")
            parts.append(f"<{wanted}>")
            group = wanted
        parts.append("<tr>" + "".join(markup(c) for c in cells) + "</tr>")
    parts += [f"</{group}>", "</table>", "</div>"]
    return "\n".join(parts)
