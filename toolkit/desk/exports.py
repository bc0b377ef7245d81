"""What the office takes away: the approved reports as Word and PDF in one .zip, and the region's
open data as one CSV."""

from __future__ import annotations

import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from .. import api, batch
from ..errors import ToolkitError
from ..output import safe_filename
from ..publish import opendata
from . import region, reports
from .access import require
from .accounts import Account
from .schema import reports as report_table
from .terms import APPROVED


@dataclass
class Exported:
    path: Path
    reports: int = 0
    failed: list[str] = field(default_factory=list)  # "机关：原因", for what could not be rendered or converted


def _approved(engine: Engine, account: Account, node_id: int, year: int | None) -> list[reports.Stored]:
    with engine.connect() as connection:
        tree = region.load(connection)
        require(account, "export", node_id, tree)
        year = year or region.year(connection)
        ids = set(tree.subtree(node_id))
        rows = connection.execute(select(report_table).where(report_table.c.year == year,
                                                             report_table.c.status == APPROVED)
                                  .order_by(report_table.c.agency_id))
        return [reports.stored(row) for row in rows if row.agency_id in ids]


def reports_zip(engine: Engine, account: Account, node_id: int, output: Path, *, year: int | None = None,
                pdf: bool = True, force: bool = False, workers: int | None = None) -> Exported:
    """Every approved report of the node's subtree as .docx (and .pdf, through the LibreOffice pool)."""
    api.refuse_existing([output], force)
    exported = Exported(output)
    with tempfile.TemporaryDirectory(prefix="govreport-desk-") as folder:
        documents = []
        for stored in _approved(engine, account, node_id, year):
            report = stored.report()
            try:
                content = api.render_docx(report)
            except ToolkitError as exc:
                exported.failed.append(f"{report.agency.name}：{exc}")
                continue
            path = Path(folder) / safe_filename(report.title, ".docx")
            path.write_bytes(content)
            documents.append(path)
        if pdf:
            for outcome in batch.write_pdfs(documents, force=True, workers=workers):
                if outcome.status == batch.FAILED:
                    exported.failed.append(f"{outcome.subject}：{outcome.message}")
        exported.reports = len(documents)
        _zip_atomically(output, sorted(p for p in Path(folder).iterdir() if p.suffix in (".docx", ".pdf")))
    return exported


def _zip_atomically(output: Path, members: list[Path]) -> None:
    """The archive written beside its place and renamed into it: a province's PDFs never held in memory,
    and no half-written .zip left behind."""
    partial = output.with_name(f".{output.name}.partial")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as bundle:
            for path in members:
                bundle.write(path, path.name)
        os.replace(partial, output)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ToolkitError(f"无法写入 {output}：{exc.strerror or exc}") from None


def open_data_csv(engine: Engine, account: Account, node_id: int, year: int | None = None) -> bytes:
    """The approved reports' figures, one line per cell as the open data CSV is written, under one header."""
    parts = [opendata.to_csv(stored.report()).decode("utf-8") for stored in _approved(engine, account, node_id, year)]
    if not parts:
        return ("\ufeff" + ",".join(opendata.CSV_FIELDS) + "\r\n").encode("utf-8")
    head, *rest = parts
    return (head + "".join(part.split("\r\n", 1)[1] for part in rest)).encode("utf-8")
