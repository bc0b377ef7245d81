"""A picture of the year: this year's figures beside last year's, as SVG and PNG, for the page and the .docx.

Three panels — applications received by applicant type, outcomes, and 行政复议/行政诉讼 — whose
categories come from the roles the format declares: the applicant columns are what the applicants'
total column adds up, the outcomes are the second-level groups of what the outcomes' total row adds
up, and the appeals are the rows of the appeals table. Last year's figures are found by the same labels, so a 2021-format report
compares with a 2019-format one. Labels are Chinese, in the report's typefaces where installed
(宋体 for labels, 黑体 for titles) and their usual Linux stand-ins (Noto CJK, AR PL, WenQuanYi).
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from typing import Iterator

from ..formats import CellRef, Format
from ..model import Number, Report

THIS_YEAR_COLOUR, LAST_YEAR_COLOUR = "#1f4e8c", "#a9bcd6"  # apart in grey too, for a black-and-white print
SERIF = ["SimSun", "宋体", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN", "WenQuanYi Zen Hei"]
SANS = ["SimHei", "黑体", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "AR PL UKai CN"]
WIDTH_CM = 16.0  # as drawn: fonts are sized for this width
PICTURE_WIDTH_CM = 15.0  # as placed in the .docx, within the 156 mm type area


@dataclass(frozen=True)
class Layout:
    """How the panels are arranged and lettered for one place the picture is shown."""

    width_cm: float
    stacked: bool  # the three panels one under another, not two side by side above the third
    title: float  # font sizes, in points at ``width_cm``
    panel_title: float
    ticks: float
    values: float
    title_chars: int | None = None  # the agency name wrapped at this many characters


# Paper: 16 cm in the .docx. Phone: a page 390 px wide shows the picture 366 px wide, 8.5 cm
# (321 px) scaled up by 1.14, and a 320 px one scales it by 0.92; 10 pt (13.3 px) stays ≥ 12 px.
PAPER = Layout(WIDTH_CM, stacked=False, title=11, panel_title=10, ticks=9, values=8)
PHONE = Layout(8.5, stacked=True, title=12, panel_title=11, ticks=10.5, values=10, title_chars=16)


@dataclass(frozen=True)
class Bar:
    label: str
    this_year: Number
    last_year: Number | None  # None: last year's report has no such category


@dataclass(frozen=True)
class Panel:
    title: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Chart:
    """The drawn chart, and a text alternative that states every figure in it."""

    svg: bytes
    png: bytes
    description: str
    phone_svg: bytes = b""  # the same figures lettered for a phone's width (PHONE)


def comparison(report: Report, previous: Report) -> list[Panel]:
    """The figures the chart shows, each with last year's by the same official label."""
    return [
        Panel("本年新收申请（件，按申请人情况）", tuple(_applicants(report, previous))),
        Panel("办理结果（件）", tuple(_outcomes(report, previous))),
        Panel("行政复议和行政诉讼（件）", tuple(_appeals(report, previous))),
    ]


def _short(label: str) -> str:
    """「（二）部分公开（区分处理的，…）」 → 「部分公开」; 「一、本年新收…」 → 「本年新收…」."""
    label = re.sub(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)", "", label)
    return re.sub(r"（[^）]*）$", "", label)


_FEATURE = "生成对比图"


def _requests(fmt: Format):
    return fmt.roles.need("requests", _FEATURE, fmt.version)


def _appeals_role(fmt: Format):
    return fmt.roles.need("appeals", _FEATURE, fmt.version)


def _applicants(report: Report, previous: Report) -> Iterator[Bar]:
    """The applicant types (what the applicants' total column adds up), matched to last year's by label."""
    fmt, old = report.format, previous.format
    role, old_role = _requests(fmt), _requests(old)
    table, old_table = fmt.tables[role.table], old.tables[old_role.table]
    for key in table.column(role.received, role.applicants_total).sum_of:
        column = table.column(role.received, key)
        match = next((c for c in old_table.block_of(old_role.received).columns if c.label == column.label), None)
        last = previous.value(CellRef(old_role.table, old_role.received, match.key)) if match else None
        yield Bar(column.name, report.value(CellRef(role.table, role.received, key)), last)


def _outcome_groups(fmt: Format) -> dict[tuple[str, ...], list[str]]:
    """Row keys of each outcome group, by the group's label path, in printed order."""
    role = _requests(fmt)
    table = fmt.tables[role.table]
    groups: dict[tuple[str, ...], list[str]] = {}
    for key in table.row(role.outcomes_total).sum_of:
        groups.setdefault(table.row(key).label[:2], []).append(key)
    return groups


def _outcomes(report: Report, previous: Report) -> Iterator[Bar]:
    role, old_role = _requests(report.format), _requests(previous.format)
    old_groups = {_short(path[-1]): rows for path, rows in _outcome_groups(previous.format).items()}
    for path, rows in _outcome_groups(report.format).items():
        name = _short(path[-1])
        value = sum((report.value(CellRef(role.table, r, role.applicants_total)) for r in rows), 0)
        last = (sum((previous.value(CellRef(old_role.table, r, old_role.applicants_total)) for r in old_groups[name]), 0)
                if name in old_groups else None)
        yield Bar(name, value, last)


def _appeals(report: Report, previous: Report) -> Iterator[Bar]:
    role, old_role = _appeals_role(report.format), _appeals_role(previous.format)
    old_rows = {row.label: row.key for row in previous.format.tables[old_role.table].rows}
    for row in report.format.tables[role.table].rows:
        name = row.label[0] if len(row.label) == 1 else f"{row.label[0]}（{row.label[-1]}）"
        key = old_rows.get(row.label)
        last = previous.value(CellRef(old_role.table, key, old_role.total)) if key else None
        yield Bar(name, report.value(CellRef(role.table, row.key, role.total)), last)


def describe(report: Report, previous: Report, panels: list[Panel]) -> str:
    """The chart in words, every figure stated: the text alternative of the picture."""
    parts = []
    for panel in panels:
        items = "；".join(f"{bar.label}{bar.this_year}件（{previous.year}年"
                         f"{'无此项' if bar.last_year is None else f'{bar.last_year}件'}）" for bar in panel.bars)
        parts.append(f"{panel.title}：{items}。")
    return f"图：{report.year}年与{previous.year}年对比（括号内为{previous.year}年）。" + "".join(parts)


def draw(report: Report, previous: Report) -> Chart:
    """The comparison chart as SVG (text kept as text) and PNG (200 dpi), the same picture."""
    from matplotlib import rc_context

    panels = comparison(report, previous)
    svg, png, phone_svg = io.BytesIO(), io.BytesIO(), io.BytesIO()
    # The official typefaces come first so that a viewer that has them uses them; matplotlib itself
    # draws with the first one installed, and would log a warning for each one missing.
    fonts = logging.getLogger("matplotlib.font_manager")
    level = fonts.level
    fonts.setLevel(logging.ERROR)
    try:
        with rc_context({"font.family": SERIF, "svg.fonttype": "none", "svg.hashsalt": "govreport"}):
            figure = _figure(report, previous, panels, PAPER)
            figure.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
            figure.savefig(png, format="png", dpi=200, metadata={"Software": None})
            _figure(report, previous, panels, PHONE).savefig(phone_svg, format="svg",
                                                              metadata={"Date": None, "Creator": None})
    finally:
        fonts.setLevel(level)
    return Chart(svg.getvalue(), png.getvalue(), describe(report, previous, panels), phone_svg.getvalue())


def _figure(report: Report, previous: Report, panels: list[Panel], layout: Layout):
    """On paper the first two panels side by side, the third across the width below them; on a
    phone the three one under another."""
    import textwrap

    from matplotlib.figure import Figure

    agency = report.agency.name
    if layout.title_chars:
        agency = "\n".join(textwrap.wrap(agency, layout.title_chars)) or agency
    # A phone's narrow picture breaks the long lines: the title after the years, a panel's before its bracket.
    title = f"{agency}\n{report.year}年与{previous.year}年{chr(10) if layout.stacked else ''}政府信息公开工作情况对比"
    if layout.stacked:
        heights = [len(p.bars) * 1.2 + 2.2 for p in panels]
        inches = sum(heights) * 0.3 + 0.4 * (title.count("\n") + 1)
        figure = Figure(figsize=(layout.width_cm / 2.54, inches), layout="constrained")
        grid = figure.add_gridspec(3, 1, height_ratios=heights)
        axes = [figure.add_subplot(grid[i, 0]) for i in range(3)]
    else:
        top, bottom = max(len(p.bars) for p in panels[:2]) + 1.8, len(panels[2].bars) * 1.2 + 1.8
        figure = Figure(figsize=(layout.width_cm / 2.54, (top + bottom) * 0.24 + 0.9), layout="constrained")
        grid = figure.add_gridspec(2, 2, height_ratios=[top, bottom])
        axes = [figure.add_subplot(grid[0, 0]), figure.add_subplot(grid[0, 1]), figure.add_subplot(grid[1, :])]
    figure.suptitle(title, fontfamily=SANS, fontsize=layout.title)
    for index, (ax, panel) in enumerate(zip(axes, panels)):
        _panel(ax, panel, index, report.year, previous.year, layout)
    if layout.stacked:  # below the panels: on a narrow picture no corner of a panel is free
        figure.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2,
                      prop={"size": layout.values}, frameon=False)
    else:
        axes[2].legend(loc="lower right", prop={"size": layout.values}, frameon=False)
    return figure


def _panel(ax, panel: Panel, index: int, year: int, last_year: int, layout: Layout) -> None:
    count = len(panel.bars)
    positions = list(range(count))
    height = 0.38
    this = [float(b.this_year) for b in panel.bars]
    last = [float(b.last_year) if b.last_year is not None else 0.0 for b in panel.bars]
    top = max(this + last + [1.0])
    for series, values, offset, colour, year_label in (
        ("this", this, -height / 2, THIS_YEAR_COLOUR, f"{year}年"),
        ("last", last, height / 2, LAST_YEAR_COLOUR, f"{last_year}年"),
    ):
        bars = ax.barh([p + offset for p in positions], values, height=height, color=colour, label=year_label)
        for i, (patch, bar) in enumerate(zip(bars, panel.bars)):
            patch.set_gid(f"bar-{index}-{i}-{series}")
            figure_value = bar.this_year if series == "this" else bar.last_year
            text = "—" if figure_value is None else str(figure_value)
            label = ax.text(patch.get_width() + top * 0.01, patch.get_y() + height / 2, text, va="center",
                            fontsize=layout.values)
            label.set_gid(f"value-{index}-{i}-{series}")
    # A long label breaks before its bracket: 「行政诉讼」 over 「（复议后起诉）」.
    ax.set_yticks(positions, [b.label.replace("（", "\n（") if len(b.label) > 8 else b.label for b in panel.bars],
                  fontsize=layout.ticks)
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.2)
    title = panel.title.replace("（", "\n（") if layout.stacked and len(panel.title) > 10 else panel.title
    ax.set_title(title, fontfamily=SANS, fontsize=layout.panel_title, loc="left")
    ax.tick_params(axis="x", labelsize=layout.values)
    ax.xaxis.set_major_locator(_integer_locator())
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _integer_locator():
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True, nbins=5)


def place_in_docx(document: bytes, chart: Chart, fmt: Format) -> bytes:
    """The .docx with the chart's PNG as a centred picture after the table the format names for it
    (行政复议、行政诉讼), or at the end."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    from ..render.oxml import set_snap_to_grid
    from ..render.package import normalized_docx

    word = docx.Document(io.BytesIO(document))
    tables = word.tables
    paragraph = word.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = 0
    paragraph.paragraph_format.space_before = Pt(6)
    set_snap_to_grid(paragraph._p.get_or_add_pPr(), False)  # the picture's own height, not whole grid lines
    run = paragraph.add_run()
    picture = run.add_picture(io.BytesIO(chart.png), width=Cm(PICTURE_WIDTH_CM))
    picture._inline.docPr.set("descr", chart.description)
    picture._inline.docPr.set("name", "年度对比图")
    shown = [s.table for s in fmt.sections if s.table]
    after = shown.index(fmt.roles.chart_after) if fmt.roles.chart_after in shown else None
    if after is not None and len(tables) > after:  # a template that lost its tables gets the picture at the end
        tables[after]._tbl.addnext(paragraph._p)
    return normalized_docx(word)
