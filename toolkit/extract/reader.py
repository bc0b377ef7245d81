"""Reading a report's lines into data: sections by their headings, figures by their row labels.

Each table row is found by its official label, in order, and its figures are the numbers between
that label and the next row's. A row whose figures cannot be told apart (too few or too many,
a label not found) is reported and left out; it never moves its figures to the neighbouring rows.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..formats import AMOUNT, SIGNED, CellRef, Format, Table, format_for_year, get_format
from ..model import Agency, Lead, Narrative, Part, Report, Signature
from ..output import display_width
from .normalize import BLANK, canonical
from .sources import CELL, SUBHEAD, TABLE_END, TABLE_START, Line, Source, opening

_TITLE = re.compile(r"^(.*?)(\d{4})\s*年度?\s*政府信息公开工作年度报告$")
_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_PART_TITLE = re.compile(r"^（[一二三四五六七八九十]+）\S.{0,28}$")
_NUMBER = re.compile(r"(?<![\d.])-?\d+(?:\.\d+)?(?![\d.])|" + BLANK + r"|(?<![^\s])[-/—–－／](?![^\s])")
_ONLY_2019 = ("第二十条第（九）项", "本年新制作数量", "上一年项目数量")
_EXTRA_SUBTOTAL = "小计"
_SENTENCE_END = ("。", "！", "？", "；", "：", "）", ".")


@dataclass
class Extraction:
    """What was read, and what could not be placed."""

    report: Report
    notes: list[str] = field(default_factory=list)


def read_report(source: Source, agency: str | None = None, year: int | None = None) -> Extraction:
    lines = [line for line in source.lines if line.text or line.kind in (TABLE_START, TABLE_END)]
    notes: list[str] = []
    title_end, title_agency, title_year = _title(lines)
    headings = _find_headings(lines, title_end)
    signature_name, date, closing_lines = _closing(lines)
    year = year or title_year or _year_from_date(date)
    agency = agency or title_agency or signature_name
    if not year:
        raise ValueError("无法确定报告年度：标题中没有“××××年政府信息公开工作年度报告”，文末也没有成文日期。请用 --year 指定。")
    fmt = _detect_format(lines, year)
    missing = [s.heading for s in fmt.sections if s.key not in headings]
    notes += [f"没有找到标题「{heading}」。" for heading in missing]
    report = Report(format=fmt, agency=Agency(agency or "", None), year=year, date=date)
    report.agency.level = report.level.name if report.level else None
    if not agency:
        notes.append("没有找到机关名称（标题或落款），请在数据文件中填写 agency.name。")
    bounds = _section_bounds(headings, len(lines) - closing_lines)
    first = min((start for start, _ in bounds.values()), default=len(lines))
    lead = _paragraphs(lines[title_end:first - 1] if first > title_end else [], source.wrapped, source.paragraph_starts)
    report.lead = Lead(text="".join(p for p, _ in lead)) if lead else None
    for section in fmt.sections:
        if section.key not in bounds:
            continue
        start, end = bounds[section.key]
        body = lines[start:end]
        if section.table:
            notes += _read_table(fmt.tables[section.table], body, report)
            if any(line.kind == TABLE_START for line in body):  # only then is text outside the table known
                report.narrative[section.key] = _narrative(body, source)
        else:
            report.narrative[section.key] = _narrative(body, source)
    report.signature = Signature(show=bool(signature_name or date),
                                 name=signature_name if signature_name and signature_name != report.agency.name else None)
    return Extraction(report, notes)


# -- title, closing, sections ----------------------------------------------------------------------


def _title(lines: list[Line]) -> tuple[int, str | None, int | None]:
    """(lines the title takes, agency, year) from a title like 某某局2025年政府信息公开工作年度报告."""
    for index, line in enumerate(lines[:4]):
        match = _TITLE.match(line.text.replace(" ", ""))
        if match:
            agency = match.group(1) or _title_agency(lines[:index])
            return index + 1, agency or None, int(match.group(2))
    return 0, None, None


def _title_agency(lines: list[Line]) -> str | None:
    """The agency name set above the year line: a long name is broken over lines (a PDF's lines,
    or line breaks in one Word paragraph), so consecutive lines of plain Chinese join up."""
    parts = []
    for line in reversed(lines):
        text = re.sub(r"\s+", "", line.text)
        if parts and not re.fullmatch(r"[\u4e00-\u9fff（）()]{2,20}", text):
            break
        parts.insert(0, text)
    return "".join(parts) or None


def _closing(lines: list[Line]) -> tuple[str | None, dt.date | None, int]:
    """(署名, 成文日期, lines they take) from the last lines of the report."""
    texts = [(i, line.text.strip()) for i, line in enumerate(lines) if line.kind not in (TABLE_START, TABLE_END)]
    if not texts:
        return None, None, 0
    index, last = texts[-1]
    match = _DATE.match(last.replace(" ", ""))
    if not match:
        return None, None, 0
    try:
        date = dt.date(*map(int, match.groups()))
    except ValueError:
        return None, None, 0
    if len(texts) > 1:
        name_index, name = texts[-2]
        name = name.replace(" ", "")
        if len(name) <= 30 and not name.endswith(("。", "；", "：")):
            return name, date, len(lines) - name_index
    return None, date, len(lines) - index


def _year_from_date(date: dt.date | None) -> int | None:
    """A report dated in the first months covers the previous year; one dated in December, its own."""
    if date is None:
        return None
    return date.year if date.month >= 11 else date.year - 1


def _find_headings(lines: list[Line], start: int) -> dict[str, int]:
    """Index of each section heading, matched in order and tolerant of local wording."""
    official = get_format("2021").sections
    found, position = {}, start
    for section in official:
        wanted = canonical(section.heading)
        for index in range(position, len(lines)):
            line = lines[index]
            if line.kind == CELL or not line.text.startswith(section.heading[:2]):
                continue
            if difflib.SequenceMatcher(None, canonical(line.text), wanted).ratio() >= 0.6:
                found[section.key] = index
                position = index + 1
                break
    return found


def _section_bounds(headings: dict[str, int], end: int) -> dict[str, tuple[int, int]]:
    order = sorted((index, key) for key, index in headings.items())
    bounds = {}
    for (index, key), following in zip(order, order[1:] + [(end, None)]):
        bounds[key] = (index + 1, min(following[0], end) if following[1] else end)
    return bounds


def _detect_format(lines: list[Line], year: int) -> Format:
    text = "".join(line.text for line in lines)
    if any(label in text for label in _ONLY_2019):
        return get_format("2019")
    return format_for_year(year)


# -- narrative -------------------------------------------------------------------------------------


def _outside_tables(lines: list[Line]) -> list[Line]:
    result, depth = [], 0
    for line in lines:
        if line.kind == TABLE_START:
            depth += 1
        elif line.kind == TABLE_END:
            depth = max(0, depth - 1)
        elif depth == 0 and line.kind != CELL:
            result.append(line)
    return result


def _paragraphs(lines: list[Line], wrapped: bool, starts: frozenset[str] = frozenset()) -> list[tuple[str, bool]]:
    """(paragraph, looks like a sub-head) — PDF lines are joined back into paragraphs first."""
    lines = _outside_tables(lines)
    if not wrapped:
        return [(line.text.strip(), line.kind == SUBHEAD or bool(_PART_TITLE.match(line.text.strip())))
                for line in lines]
    # A line that stops short of the longest ones, at the end of a sentence, ends its paragraph;
    # other short lines are pieces of one printed line that the text layer split.
    full = max((display_width(line.text) for line in lines), default=0)
    paragraphs, current = [], ""
    for line in lines:
        text = line.text.strip()
        if current and opening(text) in starts:
            paragraphs.append(current)
            current = ""
        current += text
        if display_width(text) < full - 4 and text.endswith(_SENTENCE_END):
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return [(p, bool(_PART_TITLE.match(p))) for p in paragraphs]


def _narrative(lines: list[Line], source: Source) -> Narrative:
    narrative = Narrative()
    for text, is_title in _paragraphs(lines, source.wrapped, source.paragraph_starts):
        if is_title:
            narrative.parts.append(Part(text))
        elif narrative.parts:
            narrative.parts[-1].paragraphs.append(text)
        else:
            narrative.paragraphs.append(text)
    return narrative


# -- tables ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Region:
    """A table's lines joined into one canonical text, figures kept apart by single spaces."""

    text: str

    @classmethod
    def of(cls, lines: list[Line]) -> "_Region":
        marked = any(line.kind == TABLE_START for line in lines)
        inside, depth = [], 0
        for line in lines:
            depth += {TABLE_START: 1, TABLE_END: -1}.get(line.kind, 0)
            if line.text and (depth > 0 or not marked):
                inside.append(_canonical_keep_figures(line.text))
        return cls("\n".join(inside))

    def find(self, label: str, start: int) -> tuple[int, int] | None:
        pattern = r"\s?".join(re.escape(ch) for ch in canonical(label))
        pattern = pattern.replace(r"总\s?计", r"[总合]\s?计")  # many copies print 合计 for 总计
        match = re.compile(pattern).search(self.text, start)
        return (match.start(), match.end()) if match else None


def _is_figure_edge(character: str) -> bool:
    return character.isdigit() or character in BLANK + "-/—–－／"


def _canonical_keep_figures(text: str) -> str:
    """The canonical form, except that a space between two figures stays: it separates cells."""
    out = ""
    for token in text.split():
        token = canonical(token)
        if out and token and _is_figure_edge(out[-1]) and _is_figure_edge(token[0]):
            out += " "
        out += token
    return out


def _read_table(table: Table, lines: list[Line], report: Report) -> list[str]:
    region = _Region.of(lines)
    if table.layout == "line":
        return _read_line_table(table, region, report)
    notes, anchors, position = [], [], 0
    for block in table.blocks:
        for row in block.rows:
            found = region.find(row.label[-1], position)
            if found is None:
                notes.append(f"「{report.format.table_section(table.key).heading}」中没有找到「{row.name}」一行，该行数字未读取。")
                continue
            anchors.append((row, found))
            position = found[1]
    subtotal = table.layout == "grid" and _EXTRA_SUBTOTAL in region.text[: anchors[0][1][0] if anchors else len(region.text)]
    for (row, (_, end)), following in zip(anchors, anchors[1:] + [(None, (len(region.text), 0))]):
        tokens = _NUMBER.findall(region.text[end:following[1][0]])
        columns = table.block_of(row.key).columns
        expected = len(columns) + (1 if subtotal else 0)
        if len(tokens) != expected:
            notes.append(f"「{row.name}」一行读到 {len(tokens)} 个数字，应为 {expected} 个，无法确定各数字所在的格，该行未读取。")
            continue
        if subtotal:
            del tokens[len(columns) - 1]  # 法人或其他组织小计 sits before 总计; it is not an official column
        notes += _place(report, [CellRef(table.key, row.key, c.key) for c in columns], tokens)
    return notes


def _read_line_table(table: Table, region: _Region, report: Report) -> list[str]:
    refs = [CellRef(table.key, row.key, column.key) for row in table.rows for column in table.block_of(row.key).columns]
    ends = [region.text.rfind(label) + len(label) for label in ("总计", "合计") if label in region.text]
    tokens = _NUMBER.findall(region.text[max(ends, default=0):])
    if len(tokens) != len(refs):
        heading = report.format.table_section(table.key).heading
        return [f"「{heading}」的表格读到 {len(tokens)} 个数字，应为 {len(refs)} 个，无法确定各数字所在的格，未读取。"]
    return _place(report, refs, tokens)


def _place(report: Report, refs: list[CellRef], tokens: list[str]) -> list[str]:
    notes = []
    fmt = report.format
    for ref, token in zip(refs, tokens):
        column = fmt.column(ref)
        if not re.fullmatch(r"-?\d+(?:\.\d+)?", token):
            value = 0
        elif column.type == AMOUNT:
            value = Decimal(token)
        elif "." in token or (token.startswith("-") and column.type != SIGNED):
            notes.append(f"「{fmt.label(ref)}」读到“{token}”，不是有效的件数，未读取。")
            continue
        else:
            value = int(token)
        (report.stated_totals if fmt.is_derived(ref) else report.figures)[ref] = value
    return notes
