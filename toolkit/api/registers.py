"""Tables 三 and 四 counted from the registers an office keeps."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .. import datafile
from ..errors import ToolkitError
from ..formats import Format, format_for_year, get_format
from ..model import Report
from ..output import write_atomic
from .drafts import new_report, write_draft
from .rendering import refuse_existing
from .sources import is_data_file
from .templates import template_format

if TYPE_CHECKING:
    from ..registers.tally import Tally


@dataclass
class Tallied:
    """A year counted from a register, as a report: a new draft or the updated data file."""

    tally: Tally
    report: Report
    written: Path | None = None


def tally_registers(registers: list[Path], years: list[int] | None = None, *, format_version: str | None = None,
                    labels: Path | None = None, skip_bad_rows: bool = False) -> list[Tallied]:
    """Each year's tables 三 and 四 from the registers (every year they cover when ``years`` is None),
    each as a draft report of that year's format."""
    from ..registers.tally import Labels, count, read_checked

    words = Labels.load(labels)
    fmt = get_format(format_version) if format_version else None
    registers_by_format = {}

    def register_for(year_format: Format):
        if year_format.version not in registers_by_format:
            registers_by_format[year_format.version] = read_checked(registers, year_format, words, skip_bad_rows)
        return registers_by_format[year_format.version]

    if years is None:
        from ..formats import latest, versions

        first = min(get_format(v).first_year for v in versions())
        years = [y for y in register_for(fmt or latest()).years() if y >= first]
    results = []
    for year in years:
        register = register_for(fmt or format_for_year(year))
        tally = count(register, year)
        draft = Report.blank("", year, tally.format)
        draft.figures.update(tally.figures)
        results.append(Tallied(tally, draft))
    return results


def tally_into(data_file: Path, registers: list[Path], year: int | None = None, *, labels: Path | None = None,
               skip_bad_rows: bool = False) -> Tallied:
    """Count the data file's year and write the figures into it, leaving the rest of it as it was."""
    from ..registers.update import update_figures

    if not is_data_file(data_file):
        raise ToolkitError(f"统计结果只能写入 YAML 数据文件（.yaml），{data_file.name} 不是。可改为生成新的数据文件。")
    raw = data_file.read_bytes() if data_file.is_file() else None
    if raw is None:
        raise ToolkitError(f"数据文件不存在：{data_file}。可先用 govreport new 生成，或改为生成新的数据文件。")
    report = datafile.loads(raw, data_file)
    if year is not None and year != report.year:
        raise ToolkitError(f"{data_file} 是 {report.year} 年度的数据文件，与要统计的 {year} 年度不符。")
    tallied, = tally_registers(registers, [report.year], format_version=report.format.version, labels=labels,
                               skip_bad_rows=skip_bad_rows)
    write_atomic(data_file, update_figures(raw, data_file, tallied.tally.figures), force=True)
    return Tallied(tallied.tally, datafile.load(data_file), data_file)


def tally_draft(registers: list[Path], year: int, output: Path, *, agency: str | None = None,
                format_version: str | None = None, labels: Path | None = None, skip_bad_rows: bool = False,
                force: bool = False) -> Tallied:
    """A new data file for the year with the counted figures and everything else blank."""
    refuse_existing([output], force)
    tallied, = tally_registers(registers, [year], format_version=format_version, labels=labels,
                               skip_bad_rows=skip_bad_rows)
    draft = new_report(agency, year, tallied.tally.format.version)
    draft.figures.update(tallied.tally.figures)
    write_draft(draft, output, force)
    return Tallied(tallied.tally, draft, output)


def write_register_template(dest: Path, format_version: str | None = None, force: bool = False) -> Path:
    """An empty register workbook with the recommended columns and the official choices."""
    from ..registers.workbook import template_workbook

    return write_atomic(dest, template_workbook(template_format(format_version)), force=force)
