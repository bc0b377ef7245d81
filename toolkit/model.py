"""The report as data: agency, dates, narrative, table figures, and the totals derived from them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from .formats import AgencyLevel, CellRef, Format, format_for_year
from .placeholders import PLACEHOLDER

Number = int | Decimal



def figure_text(value: Number) -> str:
    """A figure as printed: plain decimal notation (1500, never 1.5E+3), no sign on zero."""
    if isinstance(value, Decimal):
        text = format(value, "f")
        return "0" if value.is_zero() else text
    return str(value)

CONTACT_FIELDS = {
    "address": "地址",
    "postcode": "邮编",
    "phone": "电话",
    "fax": "传真",
    "email": "电子邮箱",
}


@dataclass
class Part:
    """A sub-headed part of a narrative section, e.g. 「（一）主动公开」 and its paragraphs."""

    title: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Narrative:
    paragraphs: list[str] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)

    def texts(self) -> list[str]:
        return self.paragraphs + [t for p in self.parts for t in [p.title, *p.paragraphs]]


@dataclass
class Agency:
    name: str
    level: str | None = None  # as stated; Report.level also reads it from the name


@dataclass
class Lead:
    """The 导语 before section 一: given verbatim as ``text``, or built from the other fields."""

    text: str | None = None
    website: str | None = None
    url: str | None = None
    contact: dict[str, str] = field(default_factory=dict)


@dataclass
class Signature:
    """The 落款 after section 六; ``name`` defaults to the agency name."""

    show: bool = True
    name: str | None = None
    seal: bool = False


@dataclass
class Reading:
    """How a report read back from a published copy was found: what the rules about the copy need."""

    year_from: str | None = None  # "title", "lead", "period", "date", "text"; None: not stated
    agency_doubt: str | None = None  # why the agency name read should not be trusted
    renamed_headings: list[tuple[str, str]] = field(default_factory=list)  # (official, as published)
    missing_headings: list[str] = field(default_factory=list)  # absent although later ones are there
    cut_after: str | None = None  # the copy ends in this section: what follows was cut off
    tables_absent: list[str] = field(default_factory=list)  # table sections with no figures as text
    format_by_layout: bool = False  # the format was told by the tables' labels
    titles: list[str] = field(default_factory=list)  # the title lines as the copy prints them
    outline: list[str] = field(default_factory=list)  # the copy's own top-level headings, in order
    level_from: str | None = None  # the body's words the agency's level was taken from ("我镇")
    period_year: int | None = None  # the year the 统计期限 names, whatever the title says
    cited_format: str | None = None  # the version whose document number the copy cites as its own
    agency_from: str | None = None  # where the agency's name was read when not in the title: 导语, 正文开头, 落款


@dataclass
class Report:
    format: Format
    agency: Agency
    year: int | None  # None only for a published copy that states no year
    date: dt.date | None = None
    lead: Lead | None = None
    narrative: dict[str, Narrative] = field(default_factory=dict)
    figures: dict[CellRef, Number] = field(default_factory=dict)
    stated_totals: dict[CellRef, Number] = field(default_factory=dict)
    signature: Signature = field(default_factory=Signature)
    source: Path | None = None
    lines: dict[str, int] = field(default_factory=dict)
    unread: set[CellRef] = field(default_factory=set)  # figures not read: unknown, never 0
    blank_cells: set[CellRef] = field(default_factory=set)  # cells published blank (counted as 0)
    reading: Reading | None = None  # set when the report was read back from a published copy

    @classmethod
    def blank(cls, agency: str, year: int, format: Format | None = None, level: str | None = None) -> "Report":
        """A yearly draft: every figure 0, every narrative section a placeholder to fill in."""
        fmt = format or format_for_year(year)
        bare = fmt.numbering.bare
        narrative = {
            s.key: Narrative(
                paragraphs=[] if s.parts else [f"{PLACEHOLDER}{bare(s.heading)}。"],
                parts=[Part(title, [f"{PLACEHOLDER}{bare(title)}。"]) for title in s.parts],
            )
            for s in fmt.narrative_sections
        }
        found = fmt.level_of(agency, level)
        return cls(
            format=fmt,
            agency=Agency(agency, level or (found.name if found else None)),
            year=year,
            lead=Lead(),
            narrative=narrative,
            figures={ref: 0 for ref in fmt.iter_input_cells()},
        )

    @property
    def level(self) -> AgencyLevel | None:
        """The agency's level as stated, or as its name reveals; None when neither tells."""
        return self.format.level_of(self.agency.name, self.agency.level)

    @property
    def title(self) -> str:
        return f"{self.agency.name}{self.year}年政府信息公开工作年度报告"

    def value(self, ref: CellRef) -> Number:
        """A cell's value: derived totals are computed, omitted figures count as 0."""
        parts = self.format.components(ref)
        if parts:
            return sum((self.value(p) for p in parts), 0)
        return self.figures.get(ref, 0)

    def unread_under(self, ref: CellRef) -> set[CellRef]:
        """The unread figures a cell's value depends on: while any, the value is unknown."""
        return set(self.format.input_cells_under(ref)) & self.unread if self.unread else set()

    def line_of(self, key_path: str) -> int | None:
        """The line of a key in the data file, or of its nearest stated ancestor."""
        while key_path:
            if key_path in self.lines:
                return self.lines[key_path]
            key_path = key_path.rpartition(".")[0]
        return None

    def line_of_cell(self, ref: CellRef) -> int | None:
        return self.line_of(f"figures.{ref}")

    def carried_over_from(self, previous: "Report") -> "Report":
        """This draft with what carries over from last year's report.

        Every cell the format's carry-over equations define starts from their right-hand side
        (上年结转 from last year's 结转下年度继续办理, 现行有效件数 from last year's); the
        agency details, lead and signature stay as last year's.
        """
        figures = dict(self.figures)
        for check in self.format.checks:
            if not check.carry_over:
                continue
            for binding in check.bindings():
                (target, *rest), right = check.sides(binding)
                source = lambda term: previous if term.previous_year else self
                if rest or not all(source(t).format.has_cell(t.ref) for t in right):
                    continue
                figures[target.ref] = sum((t.sign * source(t).value(t.ref) for t in right), 0)
        lead = replace(previous.lead, text=None) if previous.lead else self.lead
        return replace(
            self,
            agency=replace(previous.agency, name=self.agency.name or previous.agency.name),
            lead=lead,
            signature=previous.signature,
            figures=figures,
        )
