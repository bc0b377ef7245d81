"""The outline, title and stated format of a published copy (rules L2, L3, L4, M4).

A copy still written in the outline used before the 2019 format (概述 / 主动公开 / 依申请公开 /
收费 / 复议诉讼 / 问题 / 其他) uses an outdated format, as a 2019 table in a 2021 report does
(L2). A complete copy whose own top-level headings, numbered through, are more or fewer than the
format's sections, or mostly other sections than the format's, departs from the statutory outline (L3): said once,
with the outline as printed, instead of a heading-by-heading list. A title printed twice, with its
year twice, or with another year than the 统计期限 states, is said too (M4), as is a copy that
cites a format document not in force for its year as the one it follows (L4).
"""

from __future__ import annotations

import re
from typing import Iterator

from ..extract.structure import numeral_value
from ..errors import ToolkitError
from ..findings import ERROR, WARNING, Finding
from ..formats import format_for_year, get_format
from ..model import Report
from .common import at

# The parts of the outline before the 2019 format, each told by its words, in order.
_BEFORE_2019 = ("概述|总体情况|基本情况", "主动公开", "依申请公开", "收费|减免", "复议|诉讼|申诉", "问题|改进", "其他")
_MIN_BEFORE_2019 = 6
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


def outdated_outline(report: Report) -> bool:
    """The copy's headings follow the outline used before the 2019 format."""
    outline = report.reading.outline if report.reading else []
    if len(outline) != len(_BEFORE_2019):
        return False
    return sum(bool(re.search(words, heading)) for words, heading in zip(_BEFORE_2019, outline)) >= _MIN_BEFORE_2019


def departs_from_outline(report: Report) -> bool:
    """A complete copy with an outline of its own: another number of parts, or mostly renamed ones."""
    reading = report.reading
    if reading is None or reading.cut_after is not None or not reading.outline:
        return False
    sections, outline = report.format.sections, reading.outline
    numbered_through = numeral_value(outline[-1]) == len(outline)  # 一 to 五 with none left out: its own outline
    return (numbered_through and len(outline) != len(sections)) or len(reading.renamed_headings) * 2 > len(sections)


def outline_findings(report: Report) -> Iterator[Finding]:
    reading = report.reading
    if reading is None:
        return
    shown = " / ".join(reading.outline)
    if outdated_outline(report):
        yield Finding(rule="L2", severity=ERROR,
                      message=f"报告仍按2019年以前的提纲编写（{shown}），使用了已废止的年度报告格式。",
                      location=at(report, "sections"), expected=report.format.document, found=shown,
                      hint=f"应按{report.format.document}规定的{len(report.format.sections)}个部分和表格编写。")
    elif departs_from_outline(report):
        parts = len(report.format.sections)
        yield Finding(rule="L3", severity=WARNING,
                      message=f"报告有 {len(reading.outline)} 个部分（{shown}），没有按规定的 {parts} 个部分编写。",
                      location=at(report, "sections"),
                      expected=" / ".join(s.heading for s in report.format.sections), found=shown,
                      hint=f"年度报告应按规定格式的 {parts} 个部分及其标题编写。")
    yield from _title_findings(report)
    yield from _cited_format(report)


def _cited_format(report: Report) -> Iterator[Finding]:
    """A copy that says it follows a format not in force for its year (L4)."""
    cited, year = report.reading.cited_format, report.year
    if not cited or year is None:
        return
    fmt = get_format(cited)
    if fmt.covers(year):
        return
    try:
        due = format_for_year(year)
    except ToolkitError:
        return
    yield Finding(rule="L4", severity=WARNING,
                  message=f"原文称按{fmt.document}编制，该格式适用于{fmt.years}，{year}年度应使用{due.document}。",
                  location=at(report, "format"), expected=due.document, found=fmt.document,
                  hint="请核对报告所依据的格式文件；表格不是该格式时另有提示。")


def _title_findings(report: Report) -> Iterator[Finding]:
    titles = report.reading.titles
    problems = []
    if any(a == b for a, b in zip(titles, titles[1:])):
        problems.append(f"标题“{titles[0]}”重复印了两次")
    for title in titles[:1]:
        years = _YEAR.findall(title)
        period = report.reading.period_year
        if len(years) > 1:
            problems.append(f"标题“{title}”中年度写了 {len(years)} 次")
        elif years and period and int(years[0]) != period:
            problems.append(f"标题写{years[0]}年度，统计期限为{period}年")
    if problems:
        yield Finding(rule="M4", severity=WARNING, message="；".join(problems) + "。", location=at(report, "year"),
                      hint="标题应为“机关名称＋××××年政府信息公开工作年度报告”，年度与统计期限一致。")

