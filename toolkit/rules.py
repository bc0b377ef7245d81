"""Consistency checks (勾稽关系) on a report, each failure a located ``Finding``.

The equations come from the format definition; the checks here that are not equations —
narrative numbers, plausibility, completeness — read their parameters from it too.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterator

from .findings import ERROR, WARNING, CellNote, Finding, Location
from .formats import CellRef
from .errors import ToolkitError
from .model import PLACEHOLDER, Number, Report

# A section that says nothing: 无, 暂无, 暂无问题, 本年度无其他需要报告的事项, 没有…
_EMPTY_TEXT = re.compile(r"^[（(]?(?:本年度?|今年|我[局委办乡镇])?(?:暂无|无|没有|不涉及)(?:发现)?(?:明显|相关)?"
                         r"(?:问题|相关情况|情况)?[)）]?[。.；;]?$")
_DENIES_FEE = re.compile(r"未(?:发出|收取|产生|发生)")


@dataclass(frozen=True)
class NotAssessable:
    """A rule that could not be applied because figures it needs were not read."""

    rule: str
    subject: str
    cells: tuple[str, ...]

    def describe(self) -> str:
        shown = "、".join(self.cells[:3]) + (f" 等 {len(self.cells)} 格" if len(self.cells) > 3 else "")
        return f"[{self.rule}] {self.subject}：无法判断，所需数字未读取（{shown}）"

    def as_dict(self) -> dict:
        return {"rule": self.rule, "subject": self.subject, "cells": list(self.cells)}


def check(report: Report, previous: Report | None = None) -> list[Finding]:
    """Every finding on a report, errors first, each group in file order."""
    return audit(report, previous)[0]


def audit(report: Report, previous: Report | None = None) -> tuple[list[Finding], list[NotAssessable]]:
    """(findings, rules not assessable): a rule whose inputs include an unread figure is not applied."""
    skipped: list[NotAssessable] = []
    findings = [
        *_reading(report),
        *_format_year(report),
        *_stated_totals(report, skipped),
        *_equations(report, previous, skipped),
        *_blank_cells(report),
        *_narrative_numbers(report, skipped),
        *_plausibility(report, skipped),
        *_completeness(report),
        *_unfinished(report),
    ]
    file = str(report.source) if report.source else None
    findings = [f.in_file(file) for f in findings]
    return sorted(findings, key=lambda f: (f.severity != ERROR, f.line or 0)), skipped


def _unknown(report: Report, refs, skipped: list[NotAssessable], rule: str, subject: str,
             previous: Report | None = None, previous_refs=()) -> bool:
    """True (and noted) when any of the cells' values depends on a figure not read."""
    missing = sorted({str(r) for ref in refs for r in report.unread_under(ref)}
                     | {f"上年.{r}" for ref in previous_refs for r in (previous.unread_under(ref) if previous else ())})
    if missing:
        skipped.append(NotAssessable(rule, subject, tuple(missing)))
    return bool(missing)


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


def _stated_totals(report: Report, skipped: list[NotAssessable]) -> Iterator[Finding]:
    """Totals written in the file must equal the sum of their parts (rule B)."""
    fmt = report.format
    for ref, stated in report.stated_totals.items():
        if ref in report.blank_cells:
            continue  # a blank total: rule T2 gives the value it should hold
        if _unknown(report, [ref], skipped, "B", f"「{fmt.label(ref)}」与分项之和"):
            continue
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


def _equations(report: Report, previous: Report | None, skipped: list[NotAssessable]) -> Iterator[Finding]:
    """The format's equations (rules A, X1, X2): left side must equal right side."""
    for check in report.format.checks:
        if check.is_cross_year and previous is None:
            continue
        for binding in check.bindings():
            left, right = check.sides(binding)
            source = lambda from_previous: previous if from_previous else report
            if not all(source(prev).format.has_cell(ref) for _, prev, ref in left + right):
                continue
            this_year = [ref for _, prev, ref in left + right if not prev]
            last_year = [ref for _, prev, ref in left + right if prev]
            if _unknown(report, this_year, skipped, check.id, f"{check.title}（{_binding_label(report, left[0][2], binding)}）",
                        previous, last_year):
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


def _narrative_numbers(report: Report, skipped: list[NotAssessable]) -> Iterator[Finding]:
    """Numbers and statements ("均获维持": none other than 维持) in the narrative must match the
    tables (rule D, warnings). A pattern without a number states that the cells add up to 0."""
    for check in report.format.narrative_checks:
        options = [[CellRef.parse(t) for t in terms] for terms in check.expect_any]
        options = [refs for refs in options if all(report.format.has_cell(ref) for ref in refs)]
        expected = [sum((report.value(ref) for ref in refs), 0) for refs in options]
        for _, path, text in iter_narrative(report):
            for match in check.pattern.finditer(text):
                if _unknown(report, [ref for refs in options for ref in refs], skipped, check.id, check.title):
                    break
                quoted = int(match.group(1)) if match.groups() and match.group(1) else 0
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


def _plausibility(report: Report, skipped: list[NotAssessable]) -> Iterator[Finding]:
    """Heuristics that catch common mistakes (rule E, warnings)."""
    fmt, sanity = report.format, report.format.sanity
    level = report.level
    if level and not level.rule_making:
        for ref in map(CellRef.parse, sanity.get("rule_making_cells", ())):
            if fmt.has_cell(ref) and report.value(ref) and ref not in report.unread:
                yield Finding(
                    rule="E1", severity=WARNING,
                    message=f"{level.name}没有规章制定权，但「{fmt.label(ref)}」为 {report.value(ref)}。",
                    location=_at(report, f"figures.{ref}"), cells=(_note(report, ref),),
                    hint="只有国务院部门、省级和设区的市人民政府制定规章；规范性文件应填在“行政规范性文件”行。",
                )
    if "yuan_suspect_cell" in sanity and CellRef.parse(sanity["yuan_suspect_cell"]) not in report.unread:
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
        if ref not in report.unread and report.value(ref) and _DENIES_FEE.search(other):
            yield Finding(
                rule="E3", severity=WARNING,
                message=f"「{fmt.label(ref)}」为 {report.value(ref)}，说明发出过收费通知，但第六部分写未收费。",
                location=_at(report, "sections.other"), cells=(_note(report, ref),),
                hint="如实说明发出收费通知的件数、金额和实际收取金额。",
            )


def _completeness(report: Report) -> Iterator[Finding]:
    """Placeholders left in, empty sections, a missing fee statement, a late or missing date."""
    for section in report.format.narrative_sections:
        if report.reading and section.key not in report.narrative:
            continue  # a published copy without the section: said by the heading rules, or cut off
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
    """An empty agency name, and every placeholder still in the text, each at its own line.

    A published copy that names no agency is not a draft: M2 says the name is missing from it.
    """
    if not report.agency.name.strip() and report.reading is None:
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
    if report.reading and (report.reading.cut_after is not None or year is None):
        return  # the copy was cut before its closing lines, or its year is not known
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


# -- published copies and formats ------------------------------------------------------------------


def _reading(report: Report) -> Iterator[Finding]:
    """What a published copy does not say or says oddly: year, agency, headings (rule M, H)."""
    reading = report.reading
    if reading is None:
        return
    if report.year is None:
        yield Finding(rule="M1", severity=WARNING, message="原文没有写明报告年度（标题、导语、统计期限、成文日期中都没有）。",
                      location=_at(report, "year"), hint="年度报告的标题应为“机关名称＋××××年政府信息公开工作年度报告”。")
    elif reading.year_from == "text":
        yield Finding(rule="M1", severity=WARNING, message=f"原文标题、导语和统计期限中都没有写明报告年度，按正文推断为 {report.year} 年。",
                      location=_at(report, "year"), expected="标题中写明年度", found=f"推断为 {report.year}",
                      hint="请核对；可用 --year 指定。")
    if not report.agency.name:
        yield Finding(rule="M2", severity=WARNING, message="原文没有写明机关名称（标题、导语和落款中都没有，正文只称“我局”等）。",
                      location=_at(report, "agency.name"), hint="可用 --agency 指定。")
    elif reading.agency_doubt:
        yield Finding(rule="M3", severity=WARNING, message=reading.agency_doubt, location=_at(report, "agency.name"),
                      found=report.agency.name, hint="镜像网站常在机关名称中插入广告文字；请以机关官方网站的原文为准。")
    for official, published in reading.renamed_headings:
        yield Finding(rule="H1", severity=WARNING, message=f"标题「{published}」不是规定的「{official}」。",
                      location=_at(report, "sections"), expected=official, found=published,
                      hint="年度报告应按规定格式的六个部分和标题编写。")
    for heading in reading.tables_absent:
        yield Finding(rule="H3", severity=WARNING, message=f"「{heading}」的表格没有以文字发布（可能是图片），数字无法核对。",
                      location=_at(report, "sections"), expected="文字表格", found="（无）",
                      hint="年度报告的表格应以可复制、可检索的文字发布。")
    for heading in reading.missing_headings:
        yield Finding(rule="H2", severity=WARNING, message=f"没有规定的部分「{heading}」。",
                      location=_at(report, "sections"), expected=heading, found="（无）",
                      hint="年度报告应包括规定格式的全部六个部分。")


def _format_year(report: Report) -> Iterator[Finding]:
    """The tables must be those of the format in force for the report's year (rule L)."""
    fmt, year = report.format, report.year
    if year is None:
        return
    if fmt.first_year <= year <= (fmt.last_year or year):
        return
    from .formats import format_for_year

    try:
        due = format_for_year(year)
    except ToolkitError:
        due = None
    told = "表格" if report.reading and report.reading.format_by_layout else "格式"
    yield Finding(rule="L1", severity=ERROR,
                  message=f"{year}年度报告使用了{fmt.document}的{told}（适用于{fmt.first_year}—{fmt.last_year or '今'}年度）。",
                  location=_at(report, "format"), expected=due.version if due else None, found=fmt.version,
                  hint=f"{year}年度应使用{due.document if due else '当年适用的格式'}。")


def _blank_cells(report: Report) -> Iterator[Finding]:
    """Cells left blank in a published table: the format requires a figure, 0 where none (rule T)."""
    fmt = report.format
    order = _cell_order(report)
    for table_key in fmt.tables:
        blanks = sorted((ref for ref in report.blank_cells if ref.table == table_key), key=order)
        inputs = [ref for ref in blanks if not fmt.is_derived(ref)]
        if inputs:
            yield Finding(rule="T1", severity=WARNING,
                          message=f"「{fmt.table_section(table_key).heading}」有 {len(inputs)} 个格空白（未填数字），已按 0 计。",
                          location=_at(report, f"figures.{table_key}"),
                          cells=tuple(CellNote(str(r), fmt.label(r), "空白", None) for r in inputs),
                          expected="0", found="空白", hint="表格中没有发生的事项应填 0，不应留空。")
        for ref in (r for r in blanks if fmt.is_derived(r)):
            known = not report.unread_under(ref)
            yield Finding(rule="T2", severity=WARNING, message=f"「{fmt.label(ref)}」空白，该总计应为 "
                          f"{_fmt(report.value(ref)) if known else '（分项未全部读取）'}。",
                          location=_at(report, f"figures.{ref}"), cells=(CellNote(str(ref), fmt.label(ref), "空白", None),),
                          expected=_fmt(report.value(ref)) if known else None, found="空白",
                          hint="总计栏应填写分项之和。")
