"""Group labels that stay visible where a table runs onto the next page.

A vertically merged cell (e.g. 三、本年度办理结果 over twenty rows of table 三) prints its text
once, on the page where it starts; the rows that run onto the next page would stand without their
group. Word and LibreOffice repeat header rows but never a merged label, so after a PDF is made
the rows are found on its pages and each merge that a page break cuts is restarted, label and
all, on the new page; the document is then converted once more.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from dataclasses import dataclass

from lxml import etree

from .package import read_members, write_members

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_XHTML = {"x": "http://www.w3.org/1999/xhtml"}


@dataclass(frozen=True)
class PrintedLine:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def printed_lines(pdf: bytes) -> list[PrintedLine]:
    """Every line of a PDF with its page and box (pdftotext -bbox-layout), in reading order."""
    if shutil.which("pdftotext") is None:
        return []
    done = subprocess.run(["pdftotext", "-bbox-layout", "-", "-"], input=pdf, capture_output=True, check=False)
    if done.returncode != 0:
        return []
    root = etree.fromstring(done.stdout, etree.XMLParser(recover=True))
    lines = []
    for number, page in enumerate(root.iterfind(".//x:page", _XHTML), 1):
        for line in page.iterfind(".//x:line", _XHTML):
            text = "".join(w.text or "" for w in line.iterfind("x:word", _XHTML))
            box = (float(line.get(k)) for k in ("xMin", "yMin", "xMax", "yMax"))
            lines.append(PrintedLine(number, *box, text))
    return lines


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _text(tc) -> str:
    return _squeeze("".join(t.text or "" for t in tc.iter(f"{_W}t")))


def _merge(tc) -> str | None:
    """'restart', 'continue' or None for a cell outside any vertical merge (or no cell)."""
    v_merge = None if tc is None else tc.find(f"{_W}tcPr/{_W}vMerge")
    if v_merge is None:
        return None
    return "restart" if v_merge.get(f"{_W}val") == "restart" else "continue"


def _grid(tr) -> dict[int, object]:
    """A row's cells by the grid column they start in."""
    cells, column = {}, 0
    for tc in tr.iterfind(f"{_W}tc"):
        cells[column] = tc
        span = tc.find(f"{_W}tcPr/{_W}gridSpan")
        column += int(span.get(f"{_W}val")) if span is not None else 1
    return cells


def _row_pages(rows: list, lines: list[PrintedLine]) -> list[int | None]:
    """The page each row is printed on, found by its own label (the last unmerged text cell that
    is not a figure): the printed line that begins it most fully, each line used once."""
    heights = sorted(line.y1 - line.y0 for line in lines)
    body = heights[len(heights) * 9 // 10] if heights else 0  # body text: most of the taller lines
    # Table text is smaller than body text: matching only small lines keeps headings out.
    squeezed = [_squeeze(line.text) if line.y1 - line.y0 < 0.85 * body else "" for line in lines]
    used: set[int] = set()
    pages = []
    for tr in rows:
        labels = [_text(tc) for tc in tr.iterfind(f"{_W}tc") if _merge(tc) is None]
        labels = [t for t in labels if t and not re.fullmatch(r"[-\d.,]+", t)]
        label = labels[-1] if labels else ""
        # pdftotext joins cells printed side by side into one line: the label may begin mid-line.
        scores = {i: _overlap(text, label) for i, text in enumerate(squeezed) if label and text and i not in used}
        best = max((i for i, n in scores.items() if n >= min(4, len(label))), key=scores.get, default=None)
        known = [p for p in pages if p is not None]
        if best is not None and known and lines[best].page < known[-1]:
            best = None  # rows run down the pages: a match on an earlier page is another text
        if best is not None:
            used.add(best)
        pages.append(lines[best].page if best is not None else None)
    return pages


def _overlap(text: str, label: str) -> int:
    """How many characters at the end of ``text`` begin ``label``."""
    return next((n for n in range(min(len(text), len(label)), 0, -1) if label.startswith(text[-n:])), 0)


def continue_merged_labels(docx: bytes, pdf: bytes) -> bytes | None:
    """The .docx with every vertical merge that the PDF shows cut by a page break restarted, with
    its label, on the new page; None when no merge is cut."""
    lines = printed_lines(pdf)
    if not lines:
        return None
    members = read_members(docx)
    root = etree.fromstring(members["word/document.xml"])
    changed = False
    for tbl in root.iter(f"{_W}tbl"):
        rows = tbl.findall(f"{_W}tr")
        pages = _row_pages(rows, lines)
        grids = [_grid(tr) for tr in rows]
        for r0, cells in enumerate(grids):
            for column, start in cells.items():
                if _merge(start) != "restart":
                    continue
                r = r0 + 1
                while r < len(rows) and _merge(grids[r].get(column)) == "continue":
                    if pages[r] and pages[r - 1] and pages[r] > pages[r - 1]:
                        _restart(grids[r][column], start)
                        start, changed = grids[r][column], True
                    r += 1
    if not changed:
        return None
    members["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return write_members(members)


def _restart(tc, label_cell) -> None:
    """Begin a merge anew in ``tc`` with the paragraphs of ``label_cell``."""
    tc.find(f"{_W}tcPr/{_W}vMerge").set(f"{_W}val", "restart")
    for paragraph in tc.findall(f"{_W}p"):
        tc.remove(paragraph)
    for paragraph in label_cell.findall(f"{_W}p"):
        tc.append(copy.deepcopy(paragraph))
