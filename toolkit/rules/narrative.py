"""Numbers and percentages the narrative states, checked against the tables (rules D and P)."""

from __future__ import annotations

import re
from typing import Iterator

from ..findings import WARNING, Finding
from ..formats import CellRef
from ..model import Report
from .common import NotAssessable, at, fmt_value, iter_narrative, note, unknown


def narrative_numbers(report: Report, skipped: list[NotAssessable]) -> Iterator[Finding]:
    """Numbers and statements ("均获维持": none other than 维持) in the narrative must match the
    tables (rule D, warnings). A pattern without a number states that the cells add up to 0."""
    for check in report.format.narrative_checks:
        if check.is_percentage:
            continue
        options = [[CellRef.parse(t) for t in terms] for terms in check.expect_any]
        options = [refs for refs in options if all(report.format.has_cell(ref) for ref in refs)]
        expected = [sum((report.value(ref) for ref in refs), 0) for refs in options]
        for _, path, text in iter_narrative(report):
            for match in check.pattern.finditer(text):
                if _joined_to_another(text, match.start()):
                    continue  # 「予以公开及部分公开42件」: the number is of both, not of this one
                if unknown(report, [ref for refs in options for ref in refs], skipped, check.id, check.title):
                    break
                quoted = int(match.group(1)) if match.groups() and match.group(1) else 0
                if quoted in expected:
                    continue
                yield Finding(
                    rule=check.id,
                    severity=WARNING,
                    message=f"{check.title}与表格不一致：正文写“{match.group(0)}”。",
                    location=at(report, path),
                    cells=tuple(note(report, ref) for ref in options[0]),
                    expected=" 或 ".join(dict.fromkeys(map(fmt_value, expected))),
                    found=str(quoted),
                    hint="正文中的数字应与表格一致，请核对正文或表格。",
                )


_DECREASE = re.compile(r"下降|减少|降低")
_CONJUNCTION = re.compile(r"(?:及|和|与|或|以及|、)$")


def _joined_to_another(text: str, start: int) -> bool:
    """The statement begins right after 及/和/与/、: its number counts a group, and is not this one's."""
    return bool(_CONJUNCTION.search(text[max(0, start - 2):start]))


def narrative_percentages(report: Report, previous: Report | None, skipped: list[NotAssessable]) -> Iterator[Finding]:
    """Percentages the narrative states (rule P, warnings): a share of the table's cells, or their
    change on last year's report, when the tables (both years') can tell. A printed percentage fits
    when rounded or cut to its digits; a share over zero, or a change without last year, is not judged."""
    fmt = report.format
    for check in (c for c in fmt.narrative_checks if c.is_percentage):
        if check.change and previous is None:
            continue
        options = _cell_options(fmt, check.expect_any)
        over = _cell_options(fmt, check.per_any)
        earlier = _cell_options(previous.format, check.expect_any) if check.change else []
        for _, path, text in iter_narrative(report):
            for match in check.pattern.finditer(text):
                if unknown(report, [r for refs in options + over for r in refs], skipped, check.id, check.title,
                            previous, [r for refs in earlier for r in refs]):
                    break
                stated = match.group(1)
                sign = -1 if check.change and _DECREASE.search(match.group(0)) else 1
                if check.change:
                    pairs = [(sum((report.value(r) for r in now), 0) - sum((previous.value(r) for r in then), 0),
                              sum((previous.value(r) for r in then), 0)) for now, then in zip(options, earlier)]
                else:
                    pairs = [(sum((report.value(r) for r in part), 0), sum((report.value(r) for r in whole), 0))
                             for part in options for whole in over]
                shares = [100 * part / whole for part, whole in pairs if whole]
                if not shares or any(_fits(sign * share, stated) for share in shares):
                    continue
                digits = max(len(stated.partition(".")[2]), 1)
                told = (lambda share: f"{'下降' if share < 0 else '增长'}{abs(share):.{digits}f}%") if check.change \
                    else (lambda share: f"{share:.{digits}f}%")
                yield Finding(
                    rule=check.id, severity=WARNING,
                    message=f"{check.title}与表格不一致：正文写“{match.group(0)}”。",
                    location=at(report, path),
                    cells=tuple(note(report, ref) for ref in [*options[0], *(over[0] if over else ())])
                    + tuple(note(previous, ref, previous_year=True) for ref in (earlier[0] if earlier else ())),
                    expected=" 或 ".join(dict.fromkeys(map(told, shares))),
                    found=f"{'下降' if sign < 0 else '增长' if check.change else ''}{stated}%",
                    hint="百分比应按表格数字计算，请核对正文或表格。" + ("（按上年报告的数字计算同比）" if check.change else ""),
                )


def _cell_options(fmt, terms_any) -> list[list[CellRef]]:
    options = [[CellRef.parse(t) for t in terms] for terms in terms_any]
    return [refs for refs in options if all(fmt.has_cell(ref) for ref in refs)]


def _fits(share: float, stated: str) -> bool:
    """Whether a printed percentage is the share rounded or cut to the digits it shows."""
    unit = 10 ** -len(stated.partition(".")[2])
    value = float(stated)
    return value - unit / 2 - 1e-9 <= share < value + unit + 1e-9
