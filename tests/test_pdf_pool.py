"""The LibreOffice pool: every report's PDF, one hung or crashed conversion never stopping the rest."""

import os
import signal
import stat
import subprocess
import tempfile
import time
from dataclasses import replace
from pathlib import Path


import toolkit
from toolkit.render import render
from toolkit.render.pdf import ATTEMPTS, convert_many, find_office

from .conftest import SAMPLES
from .test_office import office  # noqa: F401  (the fixture: LibreOffice required in CI)


def write_reports(folder: Path, names: list[str]) -> list[Path]:
    """One report per agency name, each distinct, from the samples."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, name in enumerate(names):
        report = toolkit.load(SAMPLES[i % len(SAMPLES)]).report
        report = replace(report, agency=replace(report.agency, name=name))
        path = folder / f"{i:03d}.docx"
        path.write_bytes(render(report))
        paths.append(path)
    return paths


def text_of(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "check.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True).stdout


NAMES = ["淮安市甲局", "陶村乡乙办", "某某县丙委员会", "某某区丁局", "某某市戊中心"]


def test_every_report_comes_back_with_its_own_text(office, tmp_path):
    sources = write_reports(tmp_path / "in", NAMES)
    results = {r.source: r for r in convert_many(sources, workers=2)}
    assert set(results) == set(sources)
    for source, name in zip(sources, NAMES):
        result = results[source]
        assert result.error == "" and result.attempts == 1
        assert name in text_of(result.pdf, tmp_path).replace("\n", "")


HANGING_OFFICE = """#!/bin/sh
# LibreOffice that converts the documents before the one named HANGS-HERE.docx, then hangs on it.
real="$1"; shift
before=""
for arg in "$@"; do
  case "$(readlink -f "$arg" 2>/dev/null)" in
    */HANGS-HERE.docx) [ -n "$before" ] && "$real" $options --outdir "$outdir" $before >/dev/null 2>&1; sleep 600; exit 0 ;;
  esac
  case "$arg" in
    *.docx) before="$before $arg" ;;
    --outdir) next_is_outdir=1; continue ;;
    *) if [ -n "$next_is_outdir" ]; then outdir="$arg"; next_is_outdir=""; else options="$options $arg"; fi ;;
  esac
done
exec "$real" $options --outdir "$outdir" $before
"""


def test_a_hanging_document_is_retried_once_then_reported(office, tmp_path):
    sources = write_reports(tmp_path / "in", NAMES[:4])
    hanging = sources[1].with_name("HANGS-HERE.docx")
    sources[1].rename(hanging)
    sources[1] = hanging
    script = tmp_path / "office"
    script.write_text(HANGING_OFFICE.replace('real="$1"; shift', f'real="{find_office()}"'))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    start = time.monotonic()
    results = {r.source: r for r in convert_many(sources, workers=1, stall_seconds=15, office=str(script))}
    assert time.monotonic() - start < 150
    assert results[hanging].pdf is None
    assert results[hanging].attempts == ATTEMPTS and "超时" in results[hanging].error
    for source, name in zip(sources, NAMES[:4]):
        if source != hanging:
            assert name in text_of(results[source].pdf, tmp_path).replace("\n", "")


def office_processes(marker: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().decode("utf-8", "replace")
            except OSError:
                continue
            if marker in command and "soffice" in command:
                pids.append(int(entry.name))
    return pids


def test_a_killed_libreoffice_costs_one_retry(office, tmp_path, monkeypatch):
    names = [f"某某县第{c}局" for c in "一二三四五六七八"[:6]]
    sources = write_reports(tmp_path / "in", names)
    pool_home = tmp_path / "pool"
    pool_home.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(pool_home))
    conversions = convert_many(sources, workers=1)
    results = {(first := next(conversions)).source: first}
    # LibreOffice, at work on the rest, dies as in a crash: its whole session at once.
    killed = office_processes(str(pool_home))
    assert killed, "LibreOffice was never seen running"
    for pid in killed:
        try:
            os.killpg(os.getpgid(pid), signal.SIGKILL)
        except ProcessLookupError:
            pass
    results.update((r.source, r) for r in conversions)
    assert all(r.pdf is not None for r in results.values()), [r.error for r in results.values()]
    assert any(r.attempts == 2 for r in results.values()), [(r.attempts, r.error) for r in results.values()]
    for source, name in zip(sources, names):
        assert name in text_of(results[source].pdf, tmp_path).replace("\n", "")
    assert not office_processes(str(pool_home))


def test_stopping_early_leaves_no_libreoffice_behind(office, tmp_path, monkeypatch):
    sources = write_reports(tmp_path / "in", [f"某某县第{c}局" for c in "一二三四五六七八"[:8]])
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    conversions = convert_many(sources, workers=2)
    next(conversions)
    conversions.close()
    assert not office_processes(str(tmp_path))
    assert not list(tmp_path.glob("govreport-pdf-*"))
