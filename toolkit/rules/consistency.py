"""Consistency checks (勾稽关系) on a report, each failure a located ``Finding``.

The equations come from the format definition; the checks here that are not equations —
plausibility, completeness, published copies — and those of the narrative's numbers
(``narrative``) read their parameters from it too.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterator

from ..errors import ToolkitError
from ..findings import ERROR, WARNING, CellNote, Finding, Location
from ..formats import CellRef
from .. import placeholders
from ..model import Report
from .common import NotAssessable, at, cell_order, fmt_value, iter_narrative, note, notes_with_parts, unknown
from .narrative import narrative_numbers, narrative_percentages
from .outline import departs_from_outline, outdated_outline, outline_findings

# A section that says nothing: 无, 暂无, 暂无问题, 本年度无其他需要报告的事项, 没有…
_EMPTY_TEXT = re.compile(r"^[（(]?(?:本年度?|今年|我[局委办乡镇])?(?:暂无|无|没有|不涉及)(?:发现)?(?:明显|相关)?"
                         r"(?:问题|相关情况|情况)?[)）]?[。.；;]?$")
_DENIES_FEE = re.compile(r"未(?:发出|收取|产生|发生)")
_PROBLEMS_HINT = "应写明存在的问题、上年问题的整改情况和改进措施。"


def check(report: Report, previous: Report | None = None) -> list[Finding]:
    """Every finding on a report, errors first, each group in file order."""
    return audit(report, previous)[0]


def audit(report: Report, previous: Report | None = None) -> tuple[list[Finding], list[NotAssessable]]:
    """(findings, rules not assessable): a rule whose inputs include an unread figure is not applied."""
    skipped: list[NotAssessable] = []
    findings = [
        *_reading(report),
        *_format_year(report),
        *outline_findings(report),
        *_stated_totals(report, skipped),
        *_equations(report, previous, skipped),
        *_blank_cells(report),
        *narrative_numbers(report, skipped),
        *narrative_percentages(report, previous, skipped),
        *_plausibility(report, skipped),
        *_completeness(report),
        *_unfinished(report),
    ]
    file = str(report.source) if report.source else None
    findings = [f.in_file(file) for f in findings]
    return sorted(findings, key=lambda f: (f.severity != ERROR, f.line or 0)), skipped


def _stated_totals(report: Report, skipped: list[NotAssessable]) -> Iterator[Finding]:
    """Totals written in the file must equal the sum of their parts (rule B)."""
    fmt = report.format
    for ref, stated in report.stated_totals.items():
        if ref in report.blank_cells:
            continue  # a blank total: rule T2 gives the value it should hold
        if unknown(report, [ref], skipped, "B", f"「{fmt.label(ref)}」与分项之和"):
            continue
        derived = report.value(ref)
        if stated != derived:
            yield Finding(
                rule="B",
                severity=ERROR,
                message=f"「{fmt.label(ref)}」与分项之和不符。",
                location=at(report, f"figures.{ref}"),
                cells=(CellNote(str(ref), fmt.label(ref), fmt_value(stated), report.line_of_cell(ref)),)
                + tuple(note(report, part) for part in fmt.components(ref)),
                expected=fmt_value(derived),
                found=fmt_value(stated),
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
            if unknown(report, this_year, skipped, check.id, f"{check.title}（{_binding_label(report, left[0][2], binding)}）",
                        previous, last_year):
                continue
            total = lambda side: sum((sign * source(prev).value(ref) for sign, prev, ref in side), 0)
            left_value, right_value = total(left), total(right)
            if left_value == right_value:
                continue
            cells = tuple(n for _, prev, ref in left + right for n in notes_with_parts(source(prev), ref, prev))
            first_line = next((c.line for c in cells if c.line and not c.previous_year), None)
            subject = _binding_label(report, left[0][2], binding)
            yield Finding(
                rule=check.id,
                severity=check.severity,
                message=f"{check.title}（{subject}）：左边 {fmt_value(left_value)}，右边 {fmt_value(right_value)}。",
                location=Location(line=first_line or report.line_of_cell(left[0][2]), key_path=f"figures.{left[0][2]}"),
                cells=cells,
                expected=fmt_value(right_value),
                found=fmt_value(left_value),
                hint=check.hint,
            )


def _binding_label(report: Report, ref: CellRef, binding: dict[str, str]) -> str:
    """What one instance of a check is about: the column or row its placeholder stands for."""
    table = report.format.tables[ref.table]
    if "col" in binding:
        return f"“{table.column(ref.row, ref.col).name}”列"
    return f"“{table.row(ref.row).name}”"


def _plausibility(report: Report, skipped: list[NotAssessable]) -> Iterator[Finding]:
    """Heuristics that catch common mistakes (rule E, warnings)."""
    fmt, sanity = report.format, report.format.sanity
    level = report.level
    if level and not level.rule_making:
        for ref in map(CellRef.parse, sanity.get("rule_making_cells", ())):
            if fmt.has_cell(ref) and report.value(ref) and ref not in report.unread:
                yield Finding(
                    rule="E1", severity=WARNING,
                    message=f"{level.name}{_level_evidence(report)}没有规章制定权，但「{fmt.label(ref)}」为 {report.value(ref)}。",
                    location=at(report, f"figures.{ref}"), cells=(note(report, ref),), expected="0",
                    found=fmt_value(report.value(ref)), hint="只有国务院部门、省级和设区的市人民政府制定规章；规范性文件应填在“行政规范性文件”行。",
                )
    if "yuan_suspect_cell" in sanity and CellRef.parse(sanity["yuan_suspect_cell"]) not in report.unread:
        ref = CellRef.parse(sanity["yuan_suspect_cell"])
        limits = sanity["yuan_suspect_above"]
        if report.value(ref) > limits.get(level.name if level else None, limits["default"]):
            yield Finding(
                rule="E2", severity=WARNING,
                message=f"「{fmt.label(ref)}」为 {report.value(ref)} 万元，数额异常大，可能误按“元”填写。",
                location=at(report, f"figures.{ref}"), cells=(note(report, ref),),
                hint="该栏单位是万元：1 万元 = 10000 元。",
            )
    sections = fmt.roles.sections
    if "fee_notice_cell" in sanity and sections:  # the fee statement's section is a role
        ref = CellRef.parse(sanity["fee_notice_cell"])
        other = " ".join(t for key, _, t in iter_narrative(report) if key == sections.other)
        if ref not in report.unread and report.value(ref) and _DENIES_FEE.search(other):
            yield Finding(
                rule="E3", severity=WARNING,
                message=f"「{fmt.label(ref)}」为 {report.value(ref)}，说明发出过收费通知，但「{fmt.section(sections.other).heading}」写未收费。",
                location=at(report, f"sections.{sections.other}"), cells=(note(report, ref),),
                hint="如实说明发出收费通知的件数、金额和实际收取金额。",
            )


def _level_evidence(report: Report) -> str:
    said = report.reading.level_from if report.reading else None
    return f"（原文未写明机关全称，正文自称“{said}”）" if said else ""


def _completeness(report: Report) -> Iterator[Finding]:
    """Placeholders left in, empty sections, a missing fee statement, a late or missing date."""
    roles = report.format.roles.sections
    for section in report.format.narrative_sections:
        if report.reading and section.key not in report.narrative:
            continue  # a published copy without the section: said by the heading rules, or cut off
        narrative = report.narrative.get(section.key)
        texts = narrative.texts() if narrative else []
        path = f"sections.{section.key}"
        body = [t for t in texts if t]
        if any(placeholders.holds(t) for t in texts):
            pass  # each placeholder is its own finding (_unfinished)
        elif not body or all(_EMPTY_TEXT.match(t) for t in body if not _is_part_title(report, section.key, t)):
            yield Finding(rule="F2", severity=WARNING, message=f"「{section.heading}」没有内容或只写了“无”。",
                          location=at(report, path),
                          hint=_PROBLEMS_HINT if roles and section.key == roles.problems else "")
        if section.must_mention and body and not any(section.must_mention in t for t in body):
            yield Finding(rule="F3", severity=WARNING, message=f"「{section.heading}」没有说明{section.must_mention}收取情况。",
                          location=at(report, path),
                          hint="按《政府信息公开信息处理费管理办法》说明发出收费通知的件数和金额、实际收取金额；未收取也应写明。")
    yield from _date_findings(report)


UNFINISHED_RULES = ("F0", "F1")  # a report with these findings is a draft, not a report to publish


def _unfinished(report: Report) -> Iterator[Finding]:
    """An empty agency name, and every placeholder still in the text (【待填写】, and those of the
    official template: （文字描述）, 格式模板, ××件 …), each at its own line.

    A published copy that names no agency is not a draft: M2 says the name is missing from it.
    """
    if not report.agency.name.strip() and report.reading is None:
        yield Finding(rule="F0", severity=WARNING, message="没有填写机关全称（agency.name），报告标题和落款将缺少机关名称。",
                      location=at(report, "agency.name"), hint="例如 name: 某某县某某乡人民政府")
    texts = [("lead", "lead.text", report.lead.text if report.lead else None), *iter_narrative(report)]
    for _, path, text in texts:
        if found := placeholders.find(text):
            shown = _excerpt(text)
            also = "" if found in shown else f"（其中“{found}”）"
            yield Finding(rule="F1", severity=WARNING, message=f"仍有未填写的占位文字：“{shown}”{also}",
                          location=at(report, path), hint="用本机关的实际情况替换占位文字。")


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
                      location=at(report, "date"), hint="例如 date: 2026-01-20")
    if date is None:
        return
    if not dt.date(year, 12, 1) <= date <= dt.date(year + 1, 3, 31):
        yield Finding(rule="F5", severity=WARNING, message=f"成文日期 {date.isoformat()} 不在报告年度之后的正常发布期内。",
                      location=at(report, "date"),
                      hint=f"{year}年度报告一般在{year + 1}年1月31日（部门）或3月31日（人民政府）前发布。")
    elif (level := report.level) and date > dt.date(year + 1, *level.publish_by):
        month, day = level.publish_by
        yield Finding(rule="F5", severity=WARNING, message=f"{level.name}年度报告应在{year + 1}年{month}月{day}日前公布，成文日期为 {date.isoformat()}。",
                      location=at(report, "date"), hint="《政府信息公开条例》第四十九条。")


# -- published copies and formats ------------------------------------------------------------------


def _reading(report: Report) -> Iterator[Finding]:
    """What a published copy does not say or says oddly: year, agency, headings (rule M, H)."""
    reading = report.reading
    if reading is None:
        return
    if report.year is None:
        yield Finding(rule="M1", severity=WARNING, message="原文没有写明报告年度（标题、导语、统计期限、成文日期中都没有）。",
                      location=at(report, "year"), hint="年度报告的标题应为“机关名称＋××××年政府信息公开工作年度报告”。")
    elif reading.year_from == "text":
        yield Finding(rule="M1", severity=WARNING, message=f"原文标题、导语和统计期限中都没有写明报告年度，按正文推断为 {report.year} 年。",
                      location=at(report, "year"), expected="标题中写明年度", found=f"推断为 {report.year}",
                      hint="请核对。", remedy="year")
    if not report.agency.name:
        yield Finding(rule="M2", severity=WARNING, message="原文没有写明机关名称（标题、导语和落款中都没有，正文只称“我局”等）。",
                      location=at(report, "agency.name"), remedy="agency")
    elif reading.agency_from:
        yield Finding(rule="M2", severity=WARNING,
                      message=f"原文标题中没有机关名称，按{reading.agency_from}取为“{report.agency.name}”。",
                      location=at(report, "agency.name"), found=report.agency.name, hint="请核对。", remedy="agency")
    if reading.agency_doubt:
        yield Finding(rule="M3", severity=WARNING, message=reading.agency_doubt, location=at(report, "agency.name"),
                      found=report.agency.name or None, hint="镜像网站常在机关名称中插入广告文字；请以机关官方网站的原文为准。")
    own_outline = departs_from_outline(report) or outdated_outline(report)  # said as a whole (L2, L3)
    for official, published in [] if own_outline else reading.renamed_headings:
        yield Finding(rule="H1", severity=WARNING, message=f"标题「{published}」不是规定的「{official}」。",
                      location=at(report, "sections"), expected=official, found=published,
                      hint="年度报告应按规定格式的六个部分和标题编写。")
    for heading in reading.tables_absent:
        yield Finding(rule="H3", severity=WARNING, message=f"「{heading}」的表格没有以文字发布（可能是图片），数字无法核对。",
                      location=at(report, "sections"), expected="文字表格", found="（无）",
                      hint="年度报告的表格应以可复制、可检索的文字发布。")
    for heading in [] if own_outline else reading.missing_headings:
        yield Finding(rule="H2", severity=WARNING, message=f"没有规定的部分「{heading}」。",
                      location=at(report, "sections"), expected=heading, found="（无）",
                      hint="年度报告应包括规定格式的全部六个部分。")


def _format_year(report: Report) -> Iterator[Finding]:
    """The tables must be those of the format in force for the report's year (rule L)."""
    fmt, year = report.format, report.year
    if year is None or fmt.covers(year):
        return
    if report.reading and not report.reading.format_by_layout:
        return  # a copy's format is told by its tables' labels only; without them it is not known
    from ..formats import format_for_year

    try:
        due = format_for_year(year)
    except ToolkitError:
        due = None
    told = "表格" if report.reading and report.reading.format_by_layout else "格式"
    yield Finding(rule="L1", severity=ERROR,
                  message=f"{year}年度报告使用了{fmt.document}的{told}（适用于{fmt.years}）。",
                  location=at(report, "format"), expected=due.version if due else None, found=fmt.version,
                  hint=f"{year}年度应使用{due.document if due else '当年适用的格式'}。")


def _blank_cells(report: Report) -> Iterator[Finding]:
    """Cells left blank in a published table: the format requires a figure, 0 where none (rule T)."""
    fmt = report.format
    order = cell_order(report)
    for table_key in fmt.tables:
        blanks = sorted((ref for ref in report.blank_cells if ref.table == table_key), key=order)
        inputs = [ref for ref in blanks if not fmt.is_derived(ref)]
        if inputs:
            yield Finding(rule="T1", severity=WARNING,
                          message=f"「{fmt.table_section(table_key).heading}」有 {len(inputs)} 个格空白（未填数字），已按 0 计。",
                          location=at(report, f"figures.{table_key}"),
                          cells=tuple(CellNote(str(r), fmt.label(r), "空白", None) for r in inputs),
                          expected="0", found="空白", hint="表格中没有发生的事项应填 0，不应留空。")
        for ref in (r for r in blanks if fmt.is_derived(r)):
            known = not report.unread_under(ref)
            yield Finding(rule="T2", severity=WARNING, message=f"「{fmt.label(ref)}」空白，该总计应为 "
                          f"{fmt_value(report.value(ref)) if known else '（分项未全部读取）'}。",
                          location=at(report, f"figures.{ref}"), cells=(CellNote(str(ref), fmt.label(ref), "空白", None),),
                          expected=fmt_value(report.value(ref)) if known else None, found="空白",
                          hint="总计栏应填写分项之和。")
