"""Consistency checks (勾稽关系) on a report, each failure a located ``Finding``.

The equations come from the format definition; the checks here that are not equations —
narrative numbers, plausibility, completeness — read their parameters from it too.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterator

from .findings import ERROR, WARNING, CellNote, Finding, Location
from .formats import CellRef
from .model import PLACEHOLDER, Number, Report

_EMPTY_TEXT = re.compile(r"^[（(]?(无|暂无|没有)[)）]?[。.]?$")
_DENIES_FEE = re.compile(r"未(?:发出|收取|产生|发生)")


def check(report: Report, previous: Report | None = None) -> list[Finding]:
    """Every finding on a report, errors first, each group in file order."""
    findings = [
        *_stated_totals(report),
        *_equations(report, previous),
        *_narrative_numbers(report),
        *_plausibility(report),
        *_completeness(report),
        *_unfinished(report),
    ]
    file = str(report.source) if report.source else None
    findings = [f.in_file(file) for f in findings]
    return sorted(findings, key=lambda f: (f.severity != ERROR, f.line or 0))


def _at(report: Report, key_path: str) -> Location:
    """The place of a data-file key: its own line, or its nearest stated ancestor's."""
    return Location(line=report.line_of(key_path), key_path=key_path)


def _fmt(value: Number) -> str:
    return str(value)


def _note(report: Report, ref: CellRef, previous_year: bool = False) -> CellNote:
    stated = report.stated_totals.get(ref) if report.format.is_derived(ref) else None
    line = report.line_of_cell(ref) if (not report.format.is_derived(ref) or stated is not None) else None
    return CellNote(str(ref), report.format.label(ref), _fmt(report.value(ref)), line, previous_year)


def _notes_with_parts(report: Report, ref: CellRef, previous_year: bool = False) -> list[CellNote]:
    """A cell's note, followed for a derived total by the non-zero figures it adds up."""
    notes = [_note(report, ref, previous_year)]
    if report.format.is_derived(ref) and not previous_year:
        parts = sorted(report.format.input_cells_under(ref), key=_cell_order(report))
        notes += [
            CellNote(str(p), report.format.label(p), _fmt(report.value(p)), report.line_of_cell(p), part_of=str(ref))
            for p in parts if report.value(p)
        ]
    return notes


def _cell_order(report: Report):
    order = {ref: i for i, ref in enumerate(report.format.iter_cells())}
    return order.__getitem__


def _stated_totals(report: Report) -> Iterator[Finding]:
    """Totals written in the file must equal the sum of their parts (rule B)."""
    fmt = report.format
    for ref, stated in report.stated_totals.items():
        derived = report.value(ref)
        if stated != derived:
            yield Finding(
                rule="B",
                severity=ERROR,
                message=f"「{fmt.label(ref)}」与分项之和不符。",
                location=_at(report, f"figures.{ref}"),
                cells=(CellNote(str(ref), fmt.label(ref), _fmt(stated), report.line_of_cell(ref)),)
                + tuple(_note(report, part) for part in fmt.components(ref)),
                expected=_fmt(derived),
                found=_fmt(stated),
                hint="总计由程序自动计算，可删除该行；或核对各分项数字。",
            )


def _equations(report: Report, previous: Report | None) -> Iterator[Finding]:
    """The format's equations (rules A, X1, X2): left side must equal right side."""
    for check in report.format.checks:
        if check.is_cross_year and previous is None:
            continue
        for binding in check.bindings():
            left, right = check.sides(binding)
            source = lambda from_previous: previous if from_previous else report
            if not all(source(prev).format.has_cell(ref) for _, prev, ref in left + right):
                continue
            total = lambda side: sum((sign * source(prev).value(ref) for sign, prev, ref in side), 0)
            left_value, right_value = total(left), total(right)
            if left_value == right_value:
                continue
            cells = tuple(n for _, prev, ref in left + right for n in _notes_with_parts(source(prev), ref, prev))
            first_line = next((c.line for c in cells if c.line and not c.previous_year), None)
            subject = _binding_label(report, left[0][2], binding)
            yield Finding(
                rule=check.id,
                severity=check.severity,
                message=f"{check.title}（{subject}）：左边 {_fmt(left_value)}，右边 {_fmt(right_value)}。",
                location=Location(line=first_line or report.line_of_cell(left[0][2]), key_path=f"figures.{left[0][2]}"),
                cells=cells,
                expected=_fmt(right_value),
                found=_fmt(left_value),
                hint=check.hint,
            )


def _binding_label(report: Report, ref: CellRef, binding: dict[str, str]) -> str:
    """What one instance of a check is about: the column or row its placeholder stands for."""
    table = report.format.tables[ref.table]
    if "col" in binding:
        return f"“{table.column(ref.row, ref.col).name}”列"
    return f"“{table.row(ref.row).name}”"


def iter_narrative(report: Report) -> Iterator[tuple[str, str, str]]:
    """(section key, key path, text) for every title and paragraph of the narrative."""
    for key, narrative in report.narrative.items():
        base = f"sections.{key}"
        for i, text in enumerate(narrative.paragraphs):
            yield key, f"{base}.paragraphs[{i}]", text
        for j, part in enumerate(narrative.parts):
            yield key, f"{base}.parts[{j}].title", part.title
            for i, text in enumerate(part.paragraphs):
                yield key, f"{base}.parts[{j}].paragraphs[{i}]", text


def _narrative_numbers(report: Report) -> Iterator[Finding]:
    """Numbers quoted in the narrative must match the tables (rule D, warnings)."""
    for check in report.format.narrative_checks:
        options = [[CellRef.parse(t) for t in terms] for terms in check.expect_any]
        expected = [sum((report.value(ref) for ref in refs), 0) for refs in options]
        for _, path, text in iter_narrative(report):
            for match in check.pattern.finditer(text):
                quoted = int(match.group(1))
                if quoted in expected:
                    continue
                yield Finding(
                    rule=check.id,
                    severity=WARNING,
                    message=f"{check.title}与表格不一致：正文写“{match.group(0)}”。",
                    location=_at(report, path),
                    cells=tuple(_note(report, ref) for ref in options[0]),
                    expected=" 或 ".join(dict.fromkeys(map(_fmt, expected))),
                    found=str(quoted),
                    hint="正文中的数字应与表格一致，请核对正文或表格。",
                )


def _plausibility(report: Report) -> Iterator[Finding]:
    """Heuristics that catch common mistakes (rule E, warnings)."""
    fmt, sanity = report.format, report.format.sanity
    level = report.level
    if level and not level.rule_making:
        for ref in map(CellRef.parse, sanity.get("rule_making_cells", ())):
            if report.value(ref):
                yield Finding(
                    rule="E1", severity=WARNING,
                    message=f"{level.name}没有规章制定权，但「{fmt.label(ref)}」为 {report.value(ref)}。",
                    location=_at(report, f"figures.{ref}"), cells=(_note(report, ref),),
                    hint="只有国务院部门、省级和设区的市人民政府制定规章；规范性文件应填在“行政规范性文件”行。",
                )
    if "yuan_suspect_cell" in sanity:
        ref = CellRef.parse(sanity["yuan_suspect_cell"])
        limits = sanity["yuan_suspect_above"]
        if report.value(ref) > limits.get(level.name if level else None, limits["default"]):
            yield Finding(
                rule="E2", severity=WARNING,
                message=f"「{fmt.label(ref)}」为 {report.value(ref)} 万元，数额异常大，可能误按“元”填写。",
                location=_at(report, f"figures.{ref}"), cells=(_note(report, ref),),
                hint="该栏单位是万元：1 万元 = 10000 元。",
            )
    if "fee_notice_cell" in sanity:
        ref = CellRef.parse(sanity["fee_notice_cell"])
        other = " ".join(t for key, _, t in iter_narrative(report) if key == "other")
        if report.value(ref) and _DENIES_FEE.search(other):
            yield Finding(
                rule="E3", severity=WARNING,
                message=f"「{fmt.label(ref)}」为 {report.value(ref)}，说明发出过收费通知，但第六部分写未收费。",
                location=_at(report, "sections.other"), cells=(_note(report, ref),),
                hint="如实说明发出收费通知的件数、金额和实际收取金额。",
            )


def _completeness(report: Report) -> Iterator[Finding]:
    """Placeholders left in, empty sections, a missing fee statement, a late or missing date."""
    for section in report.format.narrative_sections:
        narrative = report.narrative.get(section.key)
        texts = narrative.texts() if narrative else []
        path = f"sections.{section.key}"
        body = [t for t in texts if t]
        if any(PLACEHOLDER in t for t in texts):
            pass  # each placeholder is its own finding (_unfinished)
        elif not body or all(_EMPTY_TEXT.match(t) for t in body if not _is_part_title(report, section.key, t)):
            yield Finding(rule="F2", severity=WARNING, message=f"「{section.heading}」没有内容或只写了“无”。",
                          location=_at(report, path),
                          hint="第五部分应写明存在的问题、上年问题的整改情况和改进措施。" if section.key == "problems" else "")
        if section.must_mention and body and not any(section.must_mention in t for t in body):
            yield Finding(rule="F3", severity=WARNING, message=f"「{section.heading}」没有说明{section.must_mention}收取情况。",
                          location=_at(report, path),
                          hint="按《政府信息公开信息处理费管理办法》说明发出收费通知的件数和金额、实际收取金额；未收取也应写明。")
    yield from _date_findings(report)


UNFINISHED_RULES = ("F0", "F1")  # a report with these findings is a draft, not a report to publish


def _unfinished(report: Report) -> Iterator[Finding]:
    """An empty agency name, and every placeholder still in the text, each at its own line."""
    if not report.agency.name.strip():
        yield Finding(rule="F0", severity=WARNING, message="没有填写机关全称（agency.name），报告标题和落款将缺少机关名称。",
                      location=_at(report, "agency.name"), hint="例如 name: 某某县某某乡人民政府")
    texts = [("lead", "lead.text", report.lead.text if report.lead else None), *iter_narrative(report)]
    for _, path, text in texts:
        if text and PLACEHOLDER in text:
            yield Finding(rule="F1", severity=WARNING, message=f"仍有未填写的占位文字：“{_excerpt(text)}”",
                          location=_at(report, path), hint="用本机关的实际情况替换占位文字。")


def _excerpt(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def is_unfinished(findings) -> bool:
    return any(f.rule in UNFINISHED_RULES for f in findings)


def _is_part_title(report: Report, key: str, text: str) -> bool:
    return any(part.title == text for part in report.narrative[key].parts)


def _date_findings(report: Report) -> Iterator[Finding]:
    date, year = report.date, report.year
    if date is None and report.signature.show:
        yield Finding(rule="F4", severity=WARNING, message="没有填写成文日期（date），落款将不显示日期。",
                      location=_at(report, "date"), hint="例如 date: 2026-01-20")
    if date is None:
        return
    if not dt.date(year, 12, 1) <= date <= dt.date(year + 1, 3, 31):
        yield Finding(rule="F5", severity=WARNING, message=f"成文日期 {date.isoformat()} 不在报告年度之后的正常发布期内。",
                      location=_at(report, "date"),
                      hint=f"{year}年度报告一般在{year + 1}年1月31日（部门）或3月31日（人民政府）前发布。")
    elif (level := report.level) and date > dt.date(year + 1, *level.publish_by):
        month, day = level.publish_by
        yield Finding(rule="F5", severity=WARNING, message=f"{level.name}年度报告应在{year + 1}年{month}月{day}日前公布，成文日期为 {date.isoformat()}。",
                      location=_at(report, "date"), hint="《政府信息公开条例》第四十九条。")
