"""Published copies generated in the layouts real copies come in, with the figures they print known.

From a report (a sample, or random figures for any format) each copy prints the three tables as
one of the layouts web pages, converters and office files give them — "|" rows with or without
outer separators, group labels repeated, printed once or left as empty cells, one cell per line
with or without separator lines, tabs, Markdown, HTML with rowspan/colspan and &nbsp;, .docx with
merged cells, space-separated text — and varies what copies vary: blank cells (empty, —, /, -, 无,
空), 合计 for 总计, a 小计 column in table 三, labels wrapped over two cells, empty cells left
over from merged header cells, page footers and repeated headers where a table breaks across
pages, full-width digits, traditional script, and prose with other numbers right above a table.
A copy's ``printed`` map is exactly what it publishes: each cell's figure, or BLANK.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import io
import random
from dataclasses import dataclass, field
from decimal import Decimal

import zhconv

import toolkit
from toolkit.formats import AMOUNT, SIGNED, CellRef, Format, Table, get_format
from toolkit.layout import GridCell, grid as _grid
from toolkit.model import Report

BLANK = None  # a cell printed without a figure
BLANK_SPELLINGS = ("", "", "—", "/", "-", "无", "空")
TEXT_LAYOUTS = ("pipes", "pipes_outer", "tabs", "markdown", "cell_per_line", "cell_per_line_separated", "spaces",
                "one_line")
LAYOUTS = (*TEXT_LAYOUTS, "html", "docx")
_RUN_ON = ("spaces", "one_line")  # cells apart only by spaces: a blank must be printed as a dash
_FULL_WIDTH_DIGITS = str.maketrans("0123456789.-", "０１２３４５６７８９．－")


grid = functools.cache(_grid)  # one printed layout per table, drawn for every copy


@dataclass
class Copy:
    """One generated copy: its file name, bytes, and the cells it prints."""

    name: str
    content: bytes
    printed: dict[CellRef, object] = field(default_factory=dict)  # figure, or BLANK
    layout: str = ""


@dataclass
class _Style:
    """What one copy varies, drawn once per copy."""

    layout: str
    row_labels: str  # "once", "repeat" or "empty": a group label spanning rows
    blank_rate: float
    blank_spelling: str
    total_word: str
    subtotal: bool
    wrap_labels: bool
    leftovers: bool
    terminated: bool  # rows end with "|" (else a blank last cell leaves "| " at the end)
    page_breaks: bool
    full_width: bool
    traditional: bool


def random_report(fmt: Format, rng: random.Random) -> Report:
    """A report of ``fmt`` with random figures: many zeros, some large numbers, signed and amounts."""
    year = rng.choice([y for y in range(2019, 2026) if fmt.covers(y)])
    report = toolkit.new_report("某某县某某局", year, fmt.version)
    report.date = dt.date(year + 1, 1, rng.randrange(1, 28))
    for ref in fmt.iter_input_cells():
        column = fmt.column(ref)
        if column.type == AMOUNT:
            value = Decimal(rng.choice(["0", "0", "1.5", "12.25", "0.8", "3"]))
        else:
            value = rng.choice([0, 0, 0, 1, 2, 3, 7, 12, 45, 130, 2048])
            if column.type == SIGNED and rng.random() < 0.3:
                value = -value
        report.figures[ref] = value
    return report


def corpus(reports: list[Report], per_format: int, seed: int) -> list[Copy]:
    """``per_format`` copies for each format among ``reports``, layouts and variants drawn with ``seed``."""
    rng = random.Random(seed)
    copies = []
    by_format: dict[str, list[Report]] = {}
    for report in reports:
        by_format.setdefault(report.format.version, []).append(report)
    for version, pool in sorted(by_format.items()):
        fmt = get_format(version)
        for number in range(per_format):
            report = pool[number % len(pool)] if number % 4 == 0 else random_report(fmt, rng)
            layout = LAYOUTS[number % len(LAYOUTS)]
            if layout == "docx" and number % 4 != 3:
                layout = "html"  # .docx copies are slow to write: one in four of their turns
            style = _draw_style(rng, layout)
            copies.append(_copy(report, style, rng, f"{version}-{number:04d}-{style.layout}"))
    return copies


def _draw_style(rng: random.Random, layout: str) -> _Style:
    return _Style(
        layout=layout,
        row_labels=rng.choice(["once", "repeat", "empty"]),
        blank_rate=rng.choice([0.0, 0.0, 0.1, 0.4]),
        blank_spelling=rng.choice(BLANK_SPELLINGS) if layout not in _RUN_ON else rng.choice(("—", "/", "-")),
        total_word=rng.choice(["总计", "总计", "合计"]),
        subtotal=layout in TEXT_LAYOUTS and rng.random() < 0.25,  # the office layouts keep the statutory grid
        wrap_labels=rng.random() < 0.3,
        leftovers=rng.random() < 0.4,
        terminated=rng.random() < 0.6,
        page_breaks=layout != "one_line" and rng.random() < 0.3,  # a crawler's one line has no page footers
        full_width=rng.random() < 0.15,
        traditional=rng.random() < 0.15,
    )


# -- the printed tables ----------------------------------------------------------------------------


def _figure(report: Report, ref: CellRef, style: _Style) -> str:
    value = report.value(ref)
    text = f"{value:.2f}" if isinstance(value, Decimal) else str(value)
    return text.translate(_FULL_WIDTH_DIGITS) if style.full_width else text


def _label(text: str, style: _Style) -> str:
    text = text.replace("总计", style.total_word)
    return zhconv.convert(text, "zh-tw") if style.traditional else text


def _rows(report: Report, table: Table, style: _Style, rng: random.Random, printed: dict) -> list[list[str | None]]:
    """The table's printed rows, each a list of cell texts (None: no cell there, a merged cell's rest)."""
    layout = grid(table)
    matrix: list[list[str | None]] = [[None] * layout.cols for _ in range(layout.rows)]
    for cell in layout.cells:
        if cell.ref is not None:
            blank = rng.random() < style.blank_rate
            printed[cell.ref] = BLANK if blank else report.value(cell.ref)
            matrix[cell.row][cell.col] = style.blank_spelling if blank else _figure(report, cell.ref, style)
            continue
        _place_label(matrix, cell, style)
    if style.subtotal and table.layout == "grid":
        _add_subtotal(matrix, report, table, layout, style)
    return matrix


def _place_label(matrix: list[list[str | None]], cell: GridCell, style: _Style) -> None:
    text = _label(cell.text or "", style)
    matrix[cell.row][cell.col] = text
    for row in range(cell.row + 1, cell.row + cell.rowspan):  # a label spanning rows, as the copy prints it below
        if style.row_labels == "repeat":
            matrix[row][cell.col] = text
        elif style.row_labels == "empty":
            matrix[row][cell.col] = ""


def _add_subtotal(matrix, report: Report, table: Table, layout, style: _Style) -> None:
    """A 法人或其他组织小计 column before 总计, as some copies print it."""
    (block,) = table.blocks
    organisations = [c.key for c in block.columns if len(c.label) > 2]
    total_col = next(c.col for c in layout.cells if c.ref is not None and c.ref.col == "total")
    header_rows = min(c.row for c in layout.cells if c.ref is not None)
    for index, row in enumerate(matrix):
        if index == header_rows - 1:
            text = "小计"
        elif index < header_rows:
            text = None
        else:
            key = next((c.ref.row for c in layout.cells if c.ref is not None and c.row == index), None)
            total = sum(report.value(CellRef(table.key, key, col)) for col in organisations) if key else 0
            text = str(total).translate(_FULL_WIDTH_DIGITS) if style.full_width else str(total)
        row.insert(total_col, text)


def _cells(row: list[str | None]) -> list[str]:
    return [text for text in row if text is not None]


def _wrapped(text: str, style: _Style, rng: random.Random) -> list[str]:
    """A long label broken over two cells, as one-cell-per-line copies of narrow columns give it."""
    if style.wrap_labels and len(text) >= 10 and rng.random() < 0.5:
        cut = rng.randrange(4, len(text) - 3)
        return [text[:cut], text[cut:]]
    return [text]


def _text_table(rows: list[list[str | None]], figure_rows: set[int], style: _Style, rng: random.Random) -> list[str]:
    lines = []
    for index, row in enumerate(rows):
        cells = _cells(row)
        header = index not in figure_rows
        if style.page_breaks and index and rng.random() < 0.08:
            lines.append(f"— {rng.randrange(2, 9)} —")
        if style.layout in ("pipes", "pipes_outer", "markdown"):
            trailing = " |" * rng.randrange(1, 4) if style.leftovers and header else ""
            text = " | ".join(cells)
            if style.layout != "pipes":
                lines.append(f"| {text} |{trailing}")
            else:
                lines.append(f"{text} |{trailing}" if style.terminated or trailing else f"{text} ")
            if style.layout == "markdown" and index == 0:
                lines.append("|" + "---|" * len(cells))
        elif style.layout == "tabs":
            lines.append("\t".join(cells))
        elif style.layout in _RUN_ON:
            lines.append(" ".join(c for c in cells if c))
        elif style.layout == "cell_per_line":
            for cell in cells:
                lines += [f"{part} |" for part in _wrapped(cell, style, rng)] if cell else ["|"]
            lines.append("|")
        else:  # cell_per_line_separated: "|" between every two cells
            for cell in cells:
                lines += ["|", *(_wrapped(cell, style, rng) if cell else [" "])]
    if style.layout == "cell_per_line_separated":
        lines.append("|")
    return lines


def _html_table(report: Report, table: Table, style: _Style, rng: random.Random, printed: dict) -> str:
    layout = grid(table)
    matrix = _rows(report, table, style, rng, printed)  # the figures and blanks drawn for this copy
    parts = ["<table border='1'>"]
    for index in range(layout.rows):
        parts.append("<tr>")
        for cell in sorted((c for c in layout.cells if c.row == index), key=lambda c: c.col):
            text = matrix[cell.row][cell.col]
            shown = html.escape(text) if text else "&nbsp;"
            tag = "th" if cell.ref is None and cell.row < 3 else "td"
            parts.append(f'<{tag} rowspan="{cell.rowspan}" colspan="{cell.colspan}">{shown}</{tag}>')
        parts.append("</tr>")
        if style.page_breaks and 0 < index < layout.rows - 1 and rng.random() < 0.08:
            parts.append("</table><p>— 2 —</p><table border='1'>")
    parts.append("</table>")
    return "".join(parts)


# -- the whole copy ----------------------------------------------------------------------------------


def _prose(fmt: Format, section_key: str, rng: random.Random) -> str:
    """A sentence with numbers of its own above a table: never the table's figures."""
    return {"proactive": f"本年度公开行政处罚信息{rng.randrange(10, 99)}条、行政许可信息{rng.randrange(100, 999)}条。",
            "applications": f"本年度共收到政府信息公开申请{rng.randrange(10, 99)}件，同比增长{rng.randrange(1, 9)}%。",
            "appeals": f"全年发生行政复议{rng.randrange(1, 9)}件。"}.get(section_key, "本年度工作平稳有序。")


def _copy(report: Report, style: _Style, rng: random.Random, name: str) -> Copy:
    fmt = report.format
    agency = report.agency.name or "某某县某某局"
    title = f"{agency}{report.year}年政府信息公开工作年度报告"
    lead = f"本报告由{agency}编制，统计期限为{report.year}年1月1日至{report.year}年12月31日。"
    printed: dict[CellRef, object] = {}
    if style.layout == "docx":
        content = _docx(report, style, rng, printed, title, lead, agency)
        return Copy(f"{name}.docx", content, printed, style.layout)
    blocks: list[str] = []
    for section in fmt.sections:
        blocks.append(section.heading)
        blocks.append(_prose(fmt, section.key, rng))
        if not section.table:
            continue
        table = fmt.tables[section.table]
        if style.layout == "html":
            blocks.append(_html_table(report, table, style, rng, printed))
        else:
            rows = _rows(report, table, style, rng, printed)
            blocks += _text_table(rows, {c.row for c in grid(table).cells if c.ref is not None}, style, rng)
    closing = [agency, f"{report.year + 1}年1月20日"]
    if style.layout == "html":
        body = "".join(b if b.startswith("<table") else f"<p>{html.escape(b)}</p>" for b in [title, lead, *blocks, *closing])
        return Copy(f"{name}.html", f"<html><head><title>年报</title></head><body>{body}</body></html>".encode(), printed,
                    style.layout)
    suffix = ".md" if style.layout == "markdown" else ".txt"
    separator = " " if style.layout == "one_line" else "\n"  # a crawler's copy: the whole report on one line
    return Copy(f"{name}{suffix}", separator.join([title, lead, *blocks, *closing, ""]).encode(), printed, style.layout)


def _docx(report: Report, style: _Style, rng: random.Random, printed: dict, title: str, lead: str, agency: str) -> bytes:
    import docx

    document = docx.Document()
    for text in (title, lead):
        document.add_paragraph(text)
    fmt = report.format
    for section in fmt.sections:
        document.add_paragraph(section.heading)
        document.add_paragraph(_prose(fmt, section.key, rng))
        if not section.table:
            continue
        table = fmt.tables[section.table]
        layout = grid(table)
        matrix = _rows(report, table, style, rng, printed)
        word = document.add_table(rows=layout.rows, cols=layout.cols)
        at = list(word._cells)  # looked up once: Table.cell() walks the whole table on every call
        for cell in layout.cells:
            at[cell.row * layout.cols + cell.col].text = matrix[cell.row][cell.col] or ""
        for cell in layout.cells:
            if cell.rowspan > 1 or cell.colspan > 1:
                at[cell.row * layout.cols + cell.col].merge(
                    at[(cell.row + cell.rowspan - 1) * layout.cols + cell.col + cell.colspan - 1])
    document.add_paragraph(agency)
    document.add_paragraph(f"{report.year + 1}年1月20日")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
