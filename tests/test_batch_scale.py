"""Batches at province scale: PDFs through the LibreOffice pool, a job's cost independent of the
batch, Ctrl-C that stops at once and says what was done."""

import os
import pickle
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from toolkit import batch
from toolkit.registry import load as load_registry

from .conftest import ROOT, SAMPLES
from .test_office import office  # noqa: F401  (the fixture: LibreOffice required in CI)
from .test_pdf_pool import office_processes

_NAME_LINE = re.compile(r"^(  name: )(\S+)", re.M)


def agency(number: int) -> str:
    return "示例省" + "".join("零一二三四五六七八九"[int(d)] for d in f"{number:04d}") + "号机关"


def data_folder(folder: Path, count: int) -> tuple[Path, Path]:
    """``count`` data files, each for its own agency, and the agency list naming them."""
    folder.mkdir()
    texts = [p.read_text(encoding="utf-8") for p in SAMPLES]
    rows = ["机关全称,代码,层级"]
    for i in range(count):
        text = _NAME_LINE.sub(lambda m: m.group(1) + agency(i), texts[i % len(texts)], count=1)
        (folder / f"r{i:04d}.yaml").write_text(text, encoding="utf-8")
        rows.append(f"{agency(i)},a{i:04d},政府部门")
    agencies = folder.parent / "agencies.csv"
    agencies.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder, agencies


def govreport(*args, **options):
    return subprocess.run([sys.executable, "-m", "toolkit", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, **options)


def test_batch_render_pdf_writes_every_agencys_pdf(office, tmp_path):
    folder, agencies = data_folder(tmp_path / "data", 6)
    done = govreport("batch", "render", folder, "--out", tmp_path / "out", "--agencies", agencies, "--pdf", "--pdf-engine", "office", "-j", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "共 12 项：完成 12，跳过 0，失败 0" in done.stdout
    for i in range(6):
        pdf = tmp_path / "out" / f"r{i:04d}.pdf"
        text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True).stdout
        assert agency(i) in text.replace(" ", "").replace("\n", "")
    again = govreport("batch", "render", folder, "--out", tmp_path / "out", "--pdf", "--pdf-engine", "office")
    assert "完成 0，跳过 12" in again.stdout


def test_a_jobs_payload_does_not_grow_with_the_agency_list(tmp_path):
    sizes = []
    for count in (5, 500):
        folder, agencies = data_folder(tmp_path / f"data-{count:04d}", count)
        jobs = batch.render_jobs(folder, tmp_path / "out", load_registry(agencies))
        sizes.append(len(pickle.dumps(jobs.jobs[0])))
    assert sizes[0] == sizes[1]


def test_ctrl_c_stops_a_batch_at_once_and_says_what_was_done(tmp_path):
    folder, agencies = data_folder(tmp_path / "data", 2000)
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "toolkit", "batch", "render", str(folder), "--out", str(out),
                                "--agencies", str(agencies), "-j", "2"], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob("*.docx"))) < 20:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    interrupted = time.monotonic()
    stdout, stderr = process.communicate(timeout=60)
    stopped = time.monotonic() - interrupted
    assert process.returncode == 130, stdout + stderr
    assert stopped < 10
    assert "Traceback" not in stderr and "Aborted" not in stderr
    written = sorted(out.glob("*.docx"))
    summary = re.search(r"共 2000 项：完成 (\d+)，跳过 0，失败 0，未处理 (\d+)", stdout)
    assert summary, stdout
    assert int(summary.group(1)) == len(written) < 2000 and int(summary.group(2)) == 2000 - len(written)
    assert "已中断" in stderr
    assert not [p for p in out.iterdir() if p.suffix != ".docx"]  # no temporary files left
    for path in written:
        with zipfile.ZipFile(path) as package:
            assert package.testzip() is None
    assert not [p for p in Path("/proc").iterdir() if p.name.isdigit() and _child_of(p, process.pid)]


def _child_of(proc: Path, parent: int) -> bool:
    try:
        fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return int(fields[1]) == parent


def test_ctrl_c_during_pdf_conversion_stops_libreoffice(office, tmp_path):
    folder, agencies = data_folder(tmp_path / "data", 30)
    out, temporary = tmp_path / "out", tmp_path / "tmp"
    temporary.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "toolkit", "batch", "render", str(folder), "--out", str(out),
                                "--pdf", "--pdf-engine", "office", "-j", "2"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True, env={**os.environ, "TMPDIR": str(temporary)})
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not list(out.glob("*.pdf")):
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    interrupted = time.monotonic()
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130 and time.monotonic() - interrupted < 10, stdout + stderr
    pdfs = sorted(out.glob("*.pdf"))
    assert re.search(rf"共 60 项：完成 {30 + len(pdfs)}，跳过 0，失败 0，未处理 {30 - len(pdfs)}", stdout), stdout
    assert not [p for p in out.iterdir() if p.suffix not in (".docx", ".pdf")]
    for pdf in pdfs:
        assert pdf.read_bytes().rstrip().endswith(b"%%EOF")
    assert not office_processes(str(temporary))
    assert not list(temporary.iterdir())
