"""Published reports of every kind, read into one sequence of text lines.

Each source becomes ``Line``s: paragraphs, table cells one per line (an empty cell kept as the
blank marker), and the start and end of each table where the source knows them. Merged cells
are emitted once. The reader does not need to know where a line came from.
"""

from __future__ import annotations

import functools
import re
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from .. import guard
from ..errors import DataFileError, Problem
from ..output import decode_text
from .normalize import BLANK, canonical, cell_text, is_page_number, simplify, without_layout_spaces

PARAGRAPH, SUBHEAD, CELL, TABLE_START, TABLE_END = "p", "subhead", "cell", "table", "/table"


@dataclass(frozen=True)
class Line:
    text: str
    kind: str = PARAGRAPH
    row: int = -1  # cells of one printed table row share it; -1 where the source does not say
    bare: bool = False  # a cell that is a separator alone ("|"): a blank cell, or where a row ends


@dataclass(frozen=True)
class Source:
    lines: list[Line]
    wrapped: bool = False  # lines are a page's lines (PDF), not whole paragraphs
    paragraph_starts: frozenset[str] = frozenset()  # openings of indented first lines, where known


def read(path: Path) -> Source:
    suffix = path.suffix.lower()
    readers = {".docx": _docx, ".pdf": _pdf, ".html": _html, ".htm": _html, ".txt": _text, ".md": _text}
    if suffix not in readers:
        raise DataFileError(path, [Problem(f"不支持的文件类型“{suffix}”。",
                                           hint="可读取 .docx、.pdf（含文字层）、.html、.txt、.md 格式的报告。")])
    try:
        guard.check_file(path, guard.MAX_FILE_BYTES if suffix in (".docx", ".pdf") else guard.MAX_TEXT_BYTES)
        return readers[suffix](path)
    except OSError as exc:
        raise DataFileError(path, [Problem(f"无法读取文件：{exc.strerror or exc}")]) from None


def _docx(path: Path) -> Source:
    import docx
    from docx.table import Table

    guard.check_package(path)
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several unrelated types for a non-.docx file
        raise DataFileError(path, [Problem(f"不是有效的 Word（.docx）文件：{exc}")]) from None
    lines = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines += _table_lines([[c for c in row.cells] for row in block.rows], lambda c: c._tc,
                                  lambda c: "\n".join(p.text for p in c.paragraphs))
        elif block.text.strip():
            kind = SUBHEAD if block.style is not None and block.style.name == "二级标题" else PARAGRAPH
            lines.append(Line(simplify(block.text).strip(), kind))
    return Source(lines)


def _table_lines(rows, identity, text) -> list[Line]:
    """Cells one per line, row by row, each merged cell once."""
    seen, lines = set(), [Line("", TABLE_START)]
    for number, row in enumerate(rows):
        for cell in row:
            key = identity(cell)
            if key in seen:
                continue
            seen.add(key)
            lines.append(Line(cell_text(text(cell)), CELL, number))
    lines.append(Line("", TABLE_END))
    return lines


def _pdf(path: Path) -> Source:
    if shutil.which("pdftotext") is None:
        raise DataFileError(path, [Problem("读取 PDF 需要 pdftotext（poppler）。",
                                           hint="Debian/Ubuntu：sudo apt-get install poppler-utils")])
    guard.check_pdf(path)
    # Reading order comes from -raw (tables stay row by row); paragraph openings from -layout,
    # where a paragraph's first line is indented.
    lines = [Line(without_layout_spaces(simplify(line)).strip()) for line in _pdftotext(path, "-raw").splitlines()]
    lines = [line for line in lines if line.text and not is_page_number(line.text)]
    if not lines:
        raise DataFileError(path, [Problem("PDF 中没有文字层（可能是扫描件），无法读取。")])
    starts = frozenset(opening(line) for line in _pdftotext(path, "-layout").splitlines()
                       if re.match(r"^ {2,}\S", line) and not is_page_number(line))
    return Source(lines, wrapped=True, paragraph_starts=starts)


def opening(line: str) -> str:
    """The first characters of a line, to recognise it in another rendering of the same text."""
    return canonical(without_layout_spaces(simplify(line)))[:8]


def _pdftotext(path: Path, mode: str) -> str:
    done = guard.run_tool(["pdftotext", mode, "-l", str(guard.MAX_PDF_PAGES), "-enc", "UTF-8", str(path), "-"], path,
                          guard.PDF_SECONDS)
    if done.returncode != 0:
        raise DataFileError(path, [Problem(f"无法读取 PDF：{done.stderr.decode('utf-8', 'replace').strip()[-300:]}")])
    return done.stdout.decode("utf-8", "replace")


_MARKDOWN_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")
_FOOTER = re.compile(r"^\s*[-—–－]+\s*\d{1,3}\s*[-—–－]+\s*$|^\s*第\s*\d{1,3}\s*页")
_ONLY_PIPES = re.compile(r"^[\s|｜]+$")
_NOT_TABS = " \u3000\u00a0\r\n"  # what is stripped from a line while its tabs still separate cells
_BARE_FIGURE = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*$")


def _text(path: Path) -> Source:
    """Copied text in any of the layouts web pages and converters give tables.

    "|" rows (with or without a leading "|"), one cell per line, lines of nothing but "|",
    tab-separated cells, markdown tables and headings. A figure alone on a line is a cell, not a
    page number: only footers like "— 3 —" are dropped. The cells of a "|" line are one printed
    row; cells one per line ("规章 |", "0 |" …, a line of nothing but "|" for a blank cell) run
    on in one row up to the next whole "|" line — unless lines of nothing but "|" stand between
    single cells throughout, where they separate cells and two of them in a row hold a blank.
    """
    text = decode_text(path.read_bytes())
    raw = [part for line in text.splitlines() for part in _at_headings(line)
           if part.strip() and not _FOOTER.match(part) and not _MARKDOWN_RULE.match(part.strip())]
    if _pipes_between_cells(raw):
        raw = _cells_between_separators(raw)
    outer_border = _outer_border(raw)
    last_field_is_cell = not outer_border and not _one_cell_per_line(raw)
    lines, row = [], 0
    for line in raw:
        if _ONLY_PIPES.match(line):
            lines.append(Line(BLANK, CELL, row, bare=True))
        elif _BARE_FIGURE.match(line) and lines and lines[-1].kind == CELL:
            lines.append(Line(cell_text(line), CELL, row))  # the row's last cell, its "|" lost
        elif "|" in line or "｜" in line or "\t" in line.strip(_NOT_TABS):
            cells = _split_cells(line, outer_border, last_field_is_cell)
            whole_row = any(cell != BLANK for cell in cells[1:])
            row += whole_row
            lines += [Line(cell, CELL, row) for cell in cells]
            row += whole_row
        else:
            lines.append(Line(simplify(_MARKDOWN_HEADING.sub("", line)).strip()))
    return Source(lines)


def _pipes_between_cells(lines: list[str]) -> bool:
    """Whether lines of nothing but "|" stand between single cells (``|`` / label / ``|`` / 0 / ``|``)
    rather than after a row's cells."""
    lone = [i for i, line in enumerate(lines) if _ONLY_PIPES.match(line)]
    between = sum(1 for a, b in zip(lone, lone[1:]) if b - a == 2)
    return len(lone) >= 4 and between * 2 > len(lone)


def _cells_between_separators(lines: list[str]) -> list[str]:
    """``|`` / label / ``|`` / 0 / ``|`` as one cell per line ("label |", "0 |"): the lines between
    two separators are one cell (a label wrapped over two lines included), none a blank cell."""
    out, index = [], 0
    while index < len(lines):
        following = next((j for j in range(index + 1, min(index + 5, len(lines))) if _ONLY_PIPES.match(lines[j])), None)
        if not _ONLY_PIPES.match(lines[index]):
            out.append(lines[index])
        elif following is not None and not any(_not_a_cell(line) for line in lines[index + 1:following]):
            cell = "".join(line.strip() for line in lines[index + 1:following])
            out.append(f"{cell} |" if cell else "|")
            index = following
            continue
        index += 1
    return out


def _not_a_cell(line: str) -> bool:
    """A sentence or a section heading: text between two tables, not a cell."""
    return line.strip().endswith(("。", "；", ";")) or canonical(simplify(line)) in _headings()


@functools.cache
def _heading_texts() -> tuple[str, ...]:
    from ..formats import get_format, versions

    return tuple(sorted({section.heading for version in versions() for section in get_format(version).sections}))


@functools.cache
def _headings() -> frozenset[str]:
    return frozenset(map(canonical, _heading_texts()))


_RUN_ON = 400  # a line this long holding two section headings is a whole report run together


def _at_headings(line: str) -> list[str]:
    """A crawler's copy with the whole report on one line, cut before and after each section heading it holds."""
    if len(line) < _RUN_ON:
        return [line]
    text = simplify(line)
    found = sorted((m.start(), m.end()) for heading in _heading_texts() for m in re.finditer(re.escape(heading), text))
    if len(found) < 2:
        return [line]
    bounds = sorted({0, len(text), *(i for span in found for i in span)})
    return [text[a:b] for a, b in zip(bounds, bounds[1:])]


def _outer_border(lines: list[str]) -> bool:
    """Whether the copy's "|" rows start with a border "|" (then a row starting with "|" has no
    empty first cell), judged by its rows of several cells: all of them start so, or nearly all."""
    rows = [line.strip() for line in lines if line.count("|") + line.count("｜") >= 3 and not _ONLY_PIPES.match(line)]
    return sum(row.startswith(("|", "｜")) for row in rows) >= 0.95 * len(rows) > 0


def _one_cell_per_line(lines: list[str]) -> bool:
    """Whether most of the copy's "|" lines hold a single cell ("规章 |", "0 |")."""
    piped = [line for line in lines if ("|" in line or "｜" in line) and not _ONLY_PIPES.match(line)]
    return sum(line.count("|") + line.count("｜") == 1 for line in piped) * 2 > len(piped)


def _split_cells(line: str, outer_border: bool = True, last_field_is_cell: bool = False) -> list[str]:
    """The cells of a "|"- or tab-separated line: one cell (as one-cell-per-line copies give them)
    or a whole row.

    The empty field before a leading "|" and the one after a trailing "|" are the borders (in a
    copy without borders, a space after the last "|" is a cell); any other empty field is a
    published blank cell, kept in place so that the cells after it stay in
    their columns (blanks the copy left after a row's last figure are told apart by the reader).
    """
    if "|" in line or "｜" in line:  # tabs beside "|" are indentation
        raw_end = line.rstrip("\r\n")
        line = line.strip()
        cells = [c.strip() for c in re.split(r"[|｜]", line)]
        if line.startswith(("|", "｜")) and (outer_border or len(cells) <= 2):
            cells = cells[1:]
        # "… | 1 |  | " without borders: the space after the last "|" is a blank cell (a blank 总计)
        last_is_cell = last_field_is_cell and raw_end.endswith(" ")
        if len(cells) > 1 and line.endswith(("|", "｜")) and not last_is_cell:
            cells = cells[:-1]
    else:  # tab-separated: a trailing tab ends a blank cell
        cells = [c.strip() for c in line.strip(_NOT_TABS).split("\t")]
    if all(not c for c in cells):
        return []
    return [cell_text(c) for c in cells]


def _html(path: Path) -> Source:
    text = decode_text(path.read_bytes())
    parser = _HtmlLines()
    parser.feed(text)
    parser.close()
    return Source(parser.lines)


class _HtmlLines(HTMLParser):
    """Paragraph text and table cells of an HTML page, in document order."""

    _BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "br", "tr", "section", "article", "title"}
    _SKIP = {"script", "style", "head"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[Line] = []
        self._text: list[str] = []
        self._cell: list[str] | None = None
        self._skipping = 0
        self._row = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skipping += 1
        elif tag == "table":
            self._flush()
            self.lines.append(Line("", TABLE_START))
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in self._BLOCKS and self._cell is None:
            self._row += tag == "tr"
            self._flush()

    def handle_endtag(self, tag):
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in ("td", "th") and self._cell is not None:
            self.lines.append(Line(cell_text("".join(self._cell)), CELL, self._row))
            self._cell = None
        elif tag == "table":
            self.lines.append(Line("", TABLE_END))
        elif tag in self._BLOCKS and self._cell is None:
            self._flush()

    def handle_data(self, data):
        if self._skipping:
            return
        (self._cell if self._cell is not None else self._text).append(data)

    def _flush(self):
        text = simplify("".join(self._text)).strip()
        self._text = []
        if text and not is_page_number(text):
            self.lines.append(Line(text))

    def close(self):
        super().close()
        self._flush()
