"""The application layer and the one public API: what each command does, as functions that return
results and never print, with the types they speak of. ``import toolkit`` exposes exactly this.

The command line and the batch runner both call these, so a draft, a check or a rendered report is
made the same way whether it is asked for once or for a thousand agencies. One module per job:
``sources`` (read any source), ``checking``, ``drafts``, ``rendering``, ``templates``, ``registers``.
"""

from ..datafile import dumps, loads
from ..errors import DataFileError, FormatFileError, FormatNotFound, OutputExists, Problem, ToolkitError
from ..findings import ERROR, WARNING, Finding
from ..formats import CellRef, Format, RoleMissing, check_format_file, format_for_year, get_format, versions
from ..model import Report
from ..publish.outputs import Outputs, output_paths
from .checking import (
    VERDICTS,
    CheckResult,
    add_copied_sections,
    check,
    check_file,
    check_files,
    overall_verdict,
    previous_year_pairs,
)
from .drafts import FormatNotForYear, default_name, draft_text, new_report, write_draft
from .registers import Tallied, tally_draft, tally_into, tally_registers, write_register_template
from .rendering import (
    NATIVE,
    OFFICE,
    PDF_ENGINES,
    Rendered,
    ReportHasErrors,
    ReportUnfinished,
    TemplateRejected,
    UnreadFiguresInReport,
    refuse_existing,
    render_docx,
    pdf_engine_for,
    render_files,
    template_findings,
)
from .sources import (
    DATA_SUFFIXES,
    OPEN_DATA_SUFFIXES,
    Loaded,
    UnreadFigures,
    is_data_file,
    load,
    load_report,
    readable_suffixes,
)
from .templates import Adopted, TemplateCheck, adopt_template, check_template, export_template, template_format

__all__ = [
    "CellRef", "DataFileError", "ERROR", "Finding", "Format", "FormatFileError", "FormatNotFound", "OutputExists",
    "Problem", "Report", "RoleMissing", "ToolkitError", "WARNING", "check_format_file", "dumps", "format_for_year",
    "get_format", "loads", "versions",
    "Adopted", "CheckResult", "VERDICTS", "add_copied_sections", "overall_verdict",
    "previous_year_pairs", "DATA_SUFFIXES", "FormatNotForYear", "Loaded", "NATIVE", "OFFICE", "OPEN_DATA_SUFFIXES",
    "Outputs", "PDF_ENGINES",
    "Rendered", "ReportHasErrors", "ReportUnfinished", "Tallied", "TemplateCheck", "TemplateRejected",
    "UnreadFigures", "UnreadFiguresInReport", "adopt_template", "check", "check_file", "check_files",
    "check_template", "default_name", "draft_text", "export_template", "is_data_file", "load", "load_report",
    "new_report", "output_paths", "pdf_engine_for", "readable_suffixes", "refuse_existing", "render_docx", "render_files",
    "tally_draft", "tally_into", "tally_registers", "template_findings", "template_format", "write_draft",
    "write_register_template",
]
