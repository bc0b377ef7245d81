"""Reports as the desk stores them: the data file, and its figures, narrative and findings beside it.

The dashboard and the sums read the figures and narrative columns, never the data file, so that a
region of thousands is summed without parsing thousands of YAML files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from .. import api, datafile, rules
from ..errors import ToolkitError
from ..findings import Finding
from ..formats import CellRef
from ..model import Number, Report
from ..registry import Entry
from . import audit
from .schema import reports
from .workflow import NOT_STARTED


class ReportNotFound(ToolkitError):
    """No such report, or not one the account may see: the same answer, so ids reveal nothing."""

    def __init__(self):
        super().__init__("没有找到该报告，或无权查看。")


@dataclass(frozen=True)
class Stored:
    id: int
    agency_id: int
    year: int
    status: str
    data: str
    revision: int

    def report(self) -> Report:
        return datafile.loads(self.data)


def columns(report: Report, findings: list[Finding]) -> dict:
    """What is kept beside the data file, from the report and its check."""
    return {
        "data": datafile.dumps(report),
        "figures": json.dumps({str(ref): None if ref in report.unread else _number_text(report.figures.get(ref, 0))
                               for ref in report.format.iter_input_cells()}),
        "sections": json.dumps({f"{key} {report.format.section(key).heading}": "".join(part.texts())
                                for key, part in report.narrative.items()}, ensure_ascii=False),
        "findings": json.dumps([f.as_dict() for f in findings], ensure_ascii=False),
    }


def _number_text(value: Number) -> int | str:
    return str(value) if isinstance(value, Decimal) else value


def figures(text: str) -> dict[CellRef, Number | None]:
    """The figures column read back; None marks a figure that was not read."""
    return {CellRef.parse(ref): None if value is None else Decimal(value) if isinstance(value, str) else value
            for ref, value in json.loads(text).items()}


def stored(row) -> Stored:
    return Stored(row.id, row.agency_id, row.year, row.status, row.data, row.revision)


def get(connection: Connection, report_id: int) -> Stored:
    row = connection.execute(select(reports).where(reports.c.id == report_id)).first()
    if row is None:
        raise ReportNotFound()
    return stored(row)


def of_agency(connection: Connection, agency_id: int, year: int) -> Stored | None:
    row = connection.execute(select(reports).where(reports.c.agency_id == agency_id, reports.c.year == year)).first()
    return stored(row) if row else None


def parse(text: str) -> Report:
    """A data file as sent to the desk; DataFileError names the line and field of what is wrong."""
    return datafile.loads(text)


def create_missing(connection: Connection, region, year: int, entries: dict[str, Entry]) -> int:
    """A blank report of the year for every active body that has none, carried over from its report
    of the year before when the desk holds one."""
    have = set(connection.execute(select(reports.c.agency_id).where(reports.c.year == year)).scalars())
    created = 0
    for agency in region.agencies.values():
        if agency.is_office or agency.retired or agency.id in have:
            continue
        last = of_agency(connection, agency.id, year - 1)
        draft = api.new_report(agency.name, year, level=agency.level, entry=entries.get(agency.name),
                               previous=last.report() if last else None)
        report_id = connection.execute(insert(reports).values(
            agency_id=agency.id, year=year, status=NOT_STARTED, revision=0,
            **columns(draft, rules.check(draft)))).inserted_primary_key[0]
        audit.record(connection, None, "report_created", {"year": year, "carried_over": last is not None},
                     agency_id=agency.id, report_id=report_id)
        created += 1
    return created

