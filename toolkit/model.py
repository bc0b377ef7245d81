"""The report as data: agency, dates, narrative, table figures, and the totals derived from them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from .formats import CellRef, Format, format_for_year

Number = int | Decimal

PLACEHOLDER = "【待填写】"

# Agency levels a clerk may state; the first three may issue 规章 under the 立法法.
AGENCY_LEVELS = {
    "国务院部门": True,
    "省级人民政府": True,
    "设区的市人民政府": True,
    "县级人民政府": False,
    "乡镇人民政府": False,
    "街道办事处": False,
    "政府部门": False,
    "其他": False,
}

# Name endings that reveal a level when the data file does not state one.
_LEVEL_BY_NAME_ENDING = {
    "乡人民政府": "乡镇人民政府",
    "镇人民政府": "乡镇人民政府",
    "街道办事处": "街道办事处",
    "县人民政府": "县级人民政府",
}

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
    level: str | None = None

    @property
    def effective_level(self) -> str | None:
        if self.level:
            return self.level
        return next((lvl for end, lvl in _LEVEL_BY_NAME_ENDING.items() if self.name.endswith(end)), None)


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
class Report:
    format: Format
    agency: Agency
    year: int
    date: dt.date | None = None
    lead: Lead | None = None
    narrative: dict[str, Narrative] = field(default_factory=dict)
    figures: dict[CellRef, Number] = field(default_factory=dict)
    stated_totals: dict[CellRef, Number] = field(default_factory=dict)
    signature: Signature = field(default_factory=Signature)
    source: Path | None = None
    lines: dict[str, int] = field(default_factory=dict)

    @classmethod
    def blank(cls, agency: str, year: int, format: Format | None = None, level: str | None = None) -> "Report":
        """A yearly draft: every figure 0, every narrative section a placeholder to fill in."""
        fmt = format or format_for_year(year)
        narrative = {
            s.key: Narrative(
                paragraphs=[] if s.parts else [f"{PLACEHOLDER}{s.heading[2:]}。"],
                parts=[Part(title, [f"{PLACEHOLDER}{title[3:]}。"]) for title in s.parts],
            )
            for s in fmt.narrative_sections
        }
        return cls(
            format=fmt,
            agency=Agency(agency, level or Agency(agency).effective_level),
            year=year,
            lead=Lead(),
            narrative=narrative,
            figures={ref: 0 for ref in fmt.iter_input_cells()},
        )

    @property
    def title(self) -> str:
        return f"{self.agency.name}{self.year}年政府信息公开工作年度报告"

    def value(self, ref: CellRef) -> Number:
        """A cell's value: derived totals are computed, omitted figures count as 0."""
        parts = self.format.components(ref)
        if parts:
            return sum((self.value(p) for p in parts), 0)
        return self.figures.get(ref, 0)

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

        上年结转 takes last year's 结转下年度继续办理 column by column; 现行有效件数 starts from
        last year's; the agency details, lead and signature stay as last year's.
        """
        figures = dict(self.figures)
        for col in self.format.tables["applications"].block_of("carried_over").columns:
            forward = CellRef("applications", "carried_forward", col.key)
            if not col.sum_of and previous.format.has_cell(forward):
                figures[CellRef("applications", "carried_over", col.key)] = previous.value(forward)
        for ref in self.format.iter_input_cells():
            if ref.col == "in_force" and previous.format.has_cell(ref):
                figures[ref] = previous.value(ref)
        lead = replace(previous.lead, text=None) if previous.lead else self.lead
        return replace(
            self,
            agency=replace(previous.agency, name=self.agency.name or previous.agency.name),
            lead=lead,
            signature=previous.signature,
            figures=figures,
        )
