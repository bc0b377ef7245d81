"""The tags Typst cannot yet write: row headers, and where each table row was printed.

Typst tags a table's header rows as TH (scope Column) and every other cell as TD that names its
column headers. A report's row labels (「（一）予以公开」, 「行政许可」) head their rows too: here they
become TH with scope Row and an ID, and every figure in their rows names them among its headers,
so a screen reader announces a figure with both its row and its column (GB/T 37668).

Each tagged cell is matched to the layout's grid by its position, worked out from the cells
before it and their spans, as a table's cells fill its grid: a group label that Typst split at a
page break is two cells, each heading the rows it spans on its page.
"""

from __future__ import annotations

import io
import pikepdf

from ..layout import Grid, GridCell


def row_headers(cells: list[GridCell]) -> list[GridCell]:
    """The label cells that head rows of figures: a label sharing a row with a figure."""
    figure_rows = {c.row for c in cells if c.is_figure}
    return [c for c in cells if not c.is_figure and figure_rows & set(range(c.row, c.row + c.rowspan))]


def tag_row_headers(pdf: bytes, tables: list[Grid]) -> bytes:
    """The PDF with each table's row labels tagged as row headers.

    The changed structure elements are appended to the file as an incremental update: the fonts
    and pages are not written a second time."""
    document = pikepdf.open(io.BytesIO(pdf))
    tree = document.Root.StructTreeRoot
    elements = _tables(tree.K)
    if len(elements) != len(tables):
        raise ValueError(f"PDF 中有 {len(elements)} 个表格，报告有 {len(tables)} 个")
    changed: list[pikepdf.Object] = []
    ids: dict[str, pikepdf.Object] = {}
    for number, (element, layout) in enumerate(zip(elements, tables), 1):
        placed = _placed(element, layout)
        headers = {(c.row, c.col) for c in row_headers([cell for cell, *_ in placed])}
        by_row: dict[int, list[pikepdf.String]] = {}  # the row headers over each row, outermost first
        for cell, node, attributes in placed:
            if (cell.row, cell.col) in headers:
                name = pikepdf.String(f"R{number}x{cell.col}y{cell.row}")
                node.S = pikepdf.Name.TH
                node.ID = name
                attributes.Scope = pikepdf.Name.Row
                ids[str(name)] = node
                for row in range(cell.row, cell.row + cell.rowspan):
                    by_row.setdefault(row, []).append(name)
                changed.append(node)
        for cell, node, attributes in placed:
            if cell.is_figure:
                attributes.Headers = pikepdf.Array([*by_row.get(cell.row, ()), *attributes.get("/Headers", ())])
                changed.append(node)
    if "/IDTree" in tree:
        # One leaf holding every ID, Typst's and ours, in the old root's place.
        root = tree.IDTree
        ids.update((str(key), value) for key, value in pikepdf.NameTree(root).items())
        for key in ("/Kids", "/Limits"):
            if key in root:
                del root[key]
        root.Names = pikepdf.Array([item for key in sorted(ids) for item in (pikepdf.String(key), ids[key])])
        changed.append(root if root.is_indirect else tree)  # Typst keeps the ID tree in the tree root
    else:
        raise ValueError("PDF 的结构树没有 ID 表")
    return _updated(pdf, document, changed)


def _updated(pdf: bytes, document: pikepdf.Pdf, changed: list[pikepdf.Object]) -> bytes:
    """``pdf`` with ``changed`` (indirect objects of ``document``) appended as an incremental update."""
    previous = int(pdf[pdf.rindex(b"startxref") + 9:].split()[0])
    out = bytearray(pdf if pdf.endswith(b"\n") else pdf + b"\n")
    offsets = {}
    for obj in changed:
        number, generation = obj.objgen
        if not number:
            raise ValueError("只能追加间接对象")
        if number in offsets:
            continue
        offsets[number] = (len(out), generation)
        out += b"%d %d obj\n%s\nendobj\n" % (number, generation, obj.unparse(resolved=True))
    xref = len(out)
    out += b"xref\n"
    for number in sorted(offsets):
        offset, generation = offsets[number]
        out += b"%d 1\n%010d %05d n \n" % (number, offset, generation)
    trailer = pikepdf.Dictionary({key: document.trailer[key] for key in document.trailer.keys()})
    trailer.Prev = previous
    out += b"trailer\n%s\nstartxref\n%d\n%%%%EOF\n" % (trailer.unparse(), xref)
    return bytes(out)


_GROUPS = {pikepdf.Name(n) for n in ("/Document", "/Part", "/Sect", "/Div", "/NonStruct")}


def _tables(node) -> list[pikepdf.Dictionary]:
    """Table structure elements in reading order (found among grouping elements, where Typst puts
    them; paragraphs and headings are not searched)."""
    found = []
    if isinstance(node, pikepdf.Array):
        for child in node:
            found += _tables(child)
    elif isinstance(node, pikepdf.Dictionary):
        kind = node.get("/S")
        if kind == pikepdf.Name.Table:
            return [node]
        if kind in _GROUPS and "/K" in node:
            found += _tables(node.K)
    return found


def _rows(node) -> list[pikepdf.Dictionary]:
    """TR elements of a table, through its THead and TBody groups."""
    if isinstance(node, pikepdf.Array):
        return [row for child in node for row in _rows(child)]
    if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
        return []
    if node.S == pikepdf.Name.TR:
        return [node]
    return _rows(node.K) if "/K" in node else []


def _placed(element: pikepdf.Dictionary, layout: Grid) -> list[tuple[GridCell, pikepdf.Dictionary, pikepdf.Dictionary]]:
    """Each TH or TD element with the grid cell it prints and its Table attributes: Typst tags a row's cells in column
    order, each in the row where it starts; a cell's position is the first one its row leaves
    free, as spans from earlier rows fill the grid."""
    rows = _rows(element.K)
    if len(rows) != layout.rows:
        raise ValueError(f"表格 {layout.table.key}：PDF 中有 {len(rows)} 行，应为 {layout.rows} 行")
    covering = _covering(layout)
    taken: set[tuple[int, int]] = set()
    placed = []
    for row, tr in enumerate(rows):
        column = 0
        for node in (list(tr.K) if isinstance(tr.K, pikepdf.Array) else [tr.K]):  # a TR holds cells only
            while (row, column) in taken:
                column += 1
            attributes = _table_attributes(node)
            rowspan, colspan = int(attributes.get("/RowSpan", 1)), int(attributes.get("/ColSpan", 1))
            own = covering.get((row, column))
            if own is None or own.colspan != colspan or own.is_figure and rowspan != 1:
                raise ValueError(f"表格 {layout.table.key} 第 {row + 1} 行第 {column + 1} 列与版式不符")
            placed.append((GridCell(row, column, rowspan, colspan, own.text, own.ref), node, attributes))
            if rowspan > 1:
                taken |= {(r, k) for r in range(row + 1, row + rowspan) for k in range(column, column + colspan)}
            column += colspan
    return placed


_COVERING: dict[int, tuple[Grid, dict]] = {}


def _covering(layout: Grid) -> dict[tuple[int, int], GridCell]:
    """The layout cell over each position of the grid, worked out once per table of a format
    (by identity: hashing a whole grid would cost more than the lookup saves)."""
    known = _COVERING.get(id(layout.table))
    if known is None or known[0].table is not layout.table:
        known = _COVERING[id(layout.table)] = (layout, {
            (r, k): c for c in layout.cells for r in range(c.row, c.row + c.rowspan) for k in range(c.col, c.col + c.colspan)})
    return known[1]


def _table_attributes(node: pikepdf.Dictionary) -> pikepdf.Dictionary:
    """The cell's attribute dictionary owned by Table (made when there is none)."""
    attributes = node.get("/A")
    if attributes is None:
        attributes = node.A = pikepdf.Array()
    elif isinstance(attributes, pikepdf.Dictionary):
        attributes = node.A = pikepdf.Array([attributes])
    for entry in attributes:
        if isinstance(entry, pikepdf.Dictionary) and entry.get("/O") == pikepdf.Name.Table:
            return entry
    entry = pikepdf.Dictionary(O=pikepdf.Name.Table)
    attributes.append(entry)
    return attributes[len(attributes) - 1]
