"""Reports as the desk stores them: the data file, and its figures, narrative and findings beside it.

The dashboard and the sums read the figures and narrative columns, never the data file, so that a
region of thousands is summed without parsing thousands of YAML files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from .. import api, datafile, rules
from ..errors import ToolkitError
from ..findings import ERROR, WARNING, Finding, count
from ..formats import CellRef
from ..model import Number, Report
from ..registry import Entry
from . import audit
from .accounts import now
from .schema import reports
from .terms import NOT_STARTED


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
    figures: str  # the columns kept beside the data file (see ``columns``)
    sections: str
    updated: object = None  # when it was last saved (None before its first save)

    def report(self) -> Report:
        return datafile.loads(self.data)


def columns(report: Report, findings: list[Finding], data: str | None = None) -> dict:
    """The data file (``data`` as the clerk wrote it, comments and all; else written out from the report)
    and what is kept beside it, from the report and its check."""
    return {
        "data": data if data is not None else datafile.dumps(report),
        "figures": json.dumps({str(ref): None if ref in report.unread else _number_text(report.figures.get(ref, 0))
                               for ref in report.format.iter_input_cells()}),
        "sections": json.dumps({f"{key} {report.format.section(key).heading}": "".join(part.texts())
                                for key, part in report.narrative.items()}, ensure_ascii=False),
        **findings_columns(findings),
    }


def findings_columns(findings: list[Finding]) -> dict:
    return {"findings": json.dumps([f.as_dict() for f in findings], ensure_ascii=False),
            "errors": count(findings, ERROR), "warnings": count(findings, WARNING)}


def blocking(findings: list[Finding]) -> list[Finding]:
    """What keeps a report from being submitted: errors, and the parts still to be written."""
    return [f for f in findings if f.severity == ERROR or f.rule in rules.UNFINISHED_RULES]


def _number_text(value: Number) -> int | str:
    return str(value) if isinstance(value, Decimal) else value


def sum_figures(texts, refs) -> tuple[dict[CellRef, Number], set[CellRef]]:
    """The cell-by-cell sum of many figures columns over the cells ``refs``, and the cells unread in
    any of them (unknown in the sum, never 0). Keys stay text until the end: a region's sum adds
    hundreds of thousands of figures."""
    keys = {str(ref): ref for ref in refs}
    totals: dict[str, Number] = dict.fromkeys(keys, 0)
    unread: set[str] = set()
    for text in texts:
        for key, value in json.loads(text).items():
            if not value or key not in totals:
                if value is None and key in totals:
                    unread.add(key)
                continue
            totals[key] += Decimal(value) if isinstance(value, str) else value
    return {keys[key]: value for key, value in totals.items()}, {keys[key] for key in unread}


def stored(row) -> Stored:
    return Stored(row.id, row.agency_id, row.year, row.status, row.data, row.revision, row.figures, row.sections,
                  row.updated_at)


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



@dataclass
class Imported:
    names: list[str]
    skipped: list[str]  # "file: why", for files not taken


def import_files(engine, paths, year: int) -> Imported:
    """Reports from files (data files or published copies read back) into the desk, each matched to
    its body by the agency name in it or by the file's name. A year before the desk's is taken as
    published (已通过), for year-on-year sums and carry-over; the desk's own year as a draft to go on
    with. A report the desk already holds, past 未开始, is never replaced."""
    from . import region
    from .terms import APPROVED
    from .workflow import SAVE, next_status

    imported = Imported([], [])
    with engine.begin() as connection:
        tree = region.load(connection)
        desk_year = region.year(connection)
        for path in paths:
            try:
                report = api.load_report(path)
            except ToolkitError as exc:
                imported.skipped.append(f"{path}：{exc}")
                continue
            agency = tree.by_name(report.agency.name) or tree.by_name(Path(path).stem)
            if agency is None or agency.is_office:
                imported.skipped.append(f"{path}：机关“{report.agency.name}”不在本区域的机关名单中。")
                continue
            if report.year != year:
                imported.skipped.append(f"{path}：是 {report.year} 年度的报告，不是 {year} 年度。")
                continue
            findings = rules.check(report)
            status = next_status(SAVE, NOT_STARTED, bool(blocking(findings))) if year == desk_year else APPROVED
            held = of_agency(connection, agency.id, year)
            values = {"status": status, "updated_at": now(), **columns(report, findings)}
            if held is None:
                report_id = connection.execute(insert(reports).values(
                    agency_id=agency.id, year=year, revision=1, **values)).inserted_primary_key[0]
            elif held.status == NOT_STARTED:
                report_id = held.id
                connection.execute(update(reports).where(reports.c.id == held.id).values(
                    revision=held.revision + 1, **values))
            else:
                imported.skipped.append(f"{path}：{agency.name}的{year}年度报告已在系统中（{held.status}），未覆盖。")
                continue
            audit.record(connection, None, "report_imported", {"file": Path(path).name, "year": year,
                                                               "status": status},
                         agency_id=agency.id, report_id=report_id)
            imported.names.append(agency.name)
    return imported
