"""Real-client tests: LibreOffice opens every rendered report and prints every heading, label and figure."""

import os
import re
import shutil
import subprocess

import pytest

import toolkit
from toolkit.cli import cli
from toolkit.layout import grid
from toolkit.render import docx_to_pdf, find_office, render

from .conftest import SAMPLES

REQUIRED = os.environ.get("GOVREPORT_REQUIRE_OFFICE") == "1" or os.environ.get("CI") == "true"


@pytest.fixture(scope="module")
def office():
    if find_office() is None or shutil.which("pdftotext") is None:
        if REQUIRED:
            pytest.fail("LibreOffice and pdftotext must be installed for these tests (see .ci/run)")
        pytest.skip("LibreOffice or pdftotext is not installed")


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True).stdout


def assert_in_order(haystack: str, needles: list[str]) -> None:
    position = 0
    for needle in needles:
        found = haystack.find(needle, position)
        assert found >= 0, f"not found after position {position}: {needle!r}"
        position = found + len(needle)


def figure_rows(report, table_key):
    """The figures of each printed table row, in order."""
    layout = grid(report.format.tables[table_key])
    rows = {}
    for cell in sorted(layout.figure_cells(), key=lambda c: (c.row, c.col)):
        rows.setdefault(cell.row, []).append(str(report.value(cell.ref)))
    return list(rows.values())


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_libreoffice_prints_everything_in_order(office, sample, tmp_path):
    report = toolkit.load(sample)
    text = pdf_text(docx_to_pdf(render(report)), tmp_path)
    squeezed = re.sub(r"\s+", "", text)
    headings = [s.heading for s in report.format.sections]
    assert_in_order(squeezed, [report.agency.name, f"{report.year}年政府信息公开工作年度报告", *headings])
    for section in report.format.sections:
        if section.table:
            layout = grid(report.format.tables[section.table])
            labels = [c.text for c in sorted(layout.label_cells(), key=lambda c: (c.row, c.col))]
            start = squeezed.index(section.heading)
            assert_in_order(squeezed[start:], [re.sub(r"\s+", "", label) for label in labels])
            lines = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]
            after = next(i for i, line in enumerate(lines) if line.replace(" ", "") == section.heading)
            for values in figure_rows(report, section.table):
                row = " ".join(values)
                found = next((i for i in range(after, len(lines)) if lines[i] == row or lines[i].endswith(" " + row)), None)
                assert found is not None, f"{section.table}: row {row!r} not printed after line {after}"
                after = found + 1
    for texts in (n.texts() for n in report.narrative.values()):
        for paragraph in texts:
            assert re.sub(r"\s+", "", paragraph)[:20] in squeezed


def test_render_command_writes_docx_and_pdf(office, runner, tmp_path):
    sample = next(p for p in SAMPLES if "huaian" in p.name)
    out = tmp_path / "报告.docx"
    result = runner.invoke(cli, ["render", str(sample), "-o", str(out), "--pdf"])
    assert result.exit_code == 0, result.output
    assert out.exists() and out.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    assert "3119" in pdf_text(out.with_suffix(".pdf").read_bytes(), tmp_path)
