"""Rendering and checking speed, measured side by side in one run on this machine.

    python bench/run.py [--reports N]

Prints per-report milliseconds of (a) the plain docxtpl loop, (b) govreport's batch rendering in
one process, (c) the same on all cores, (d) the floor of rewriting the template's zip; then peak
memory of 10- and 1,000-report batches, ``govreport --help`` start-up, and ``govreport check`` on
1,000 data files — each against its target. Exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import toolkit  # noqa: E402
from toolkit import batch  # noqa: E402
from toolkit.render import default_template  # noqa: E402
from toolkit.render.context import context  # noqa: E402
from toolkit.render.engine import environment  # noqa: E402

SAMPLES = sorted((ROOT / "samples").glob("*-20??.yaml"))
GOVREPORT = [sys.executable, "-m", "toolkit"]


def data_folder(folder: Path, count: int) -> Path:
    """``count`` data files cycling through the samples, under distinct names."""
    folder.mkdir(parents=True)
    for i in range(count):
        shutil.copyfile(SAMPLES[i % len(SAMPLES)], folder / f"report-{i:04d}.yaml")
    return folder


def per_report_ms(seconds: float, count: int) -> float:
    return seconds / count * 1000


def plain_docxtpl(reports, out: Path) -> float:
    """(a) A new DocxTemplate, render, save — per report, as the docxtpl documentation shows."""
    from docxtpl import DocxTemplate

    start = time.perf_counter()
    for i, report in enumerate(reports):
        template = DocxTemplate(default_template(report.format.version))
        template.render(context(report), jinja_env=environment(), autoescape=True)
        template.save(out / f"plain-{i}.docx")
    return time.perf_counter() - start


def govreport_batch(folder: Path, out: Path, workers: int) -> float:
    """(b, c) Load, check and render every data file, written atomically, as `batch render` does."""
    out.mkdir()
    jobs = batch.render_jobs(folder, out)
    start = time.perf_counter()
    outcomes = list(batch.run(jobs, workers))
    elapsed = time.perf_counter() - start
    failed = [o for o in outcomes if o.status != batch.DONE]
    if failed:
        raise SystemExit(f"batch failed: {failed[0]}")
    return elapsed


def zip_floor(count: int, out: Path) -> float:
    """(d) Read the template's members and write them to a new zip, nothing else."""
    data = default_template("2021").read_bytes()
    start = time.perf_counter()
    for i in range(count):
        with zipfile.ZipFile(io.BytesIO(data)) as source, \
                zipfile.ZipFile(out / f"floor-{i}.docx", "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                target.writestr(info, source.read(info.filename))
    return time.perf_counter() - start


def peak_memory_mb(count: int, work: Path) -> float:
    """Peak resident memory of one process rendering a batch of ``count`` reports."""
    folder = data_folder(work / f"memory-{count}", count)
    code = (
        "import resource, sys; from pathlib import Path; sys.path.insert(0, sys.argv[3]);"
        "from toolkit import batch;"
        "out = Path(sys.argv[2]); out.mkdir();"
        "list(batch.run(batch.render_jobs(Path(sys.argv[1]), out), 1));"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(folder), str(work / f"memory-out-{count}"), str(ROOT)],
                          capture_output=True, text=True, check=True)
    return int(done.stdout.strip()) / 1024


def startup_seconds(runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([*GOVREPORT, "--help"], capture_output=True, check=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def check_seconds(work: Path, count: int = 1000) -> float:
    folder = data_folder(work / "check", count)
    files = sorted(str(p) for p in folder.iterdir())
    start = time.perf_counter()
    done = subprocess.run([*GOVREPORT, "check", *files], capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"check failed: {done.stdout[-500:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200, help="reports per rendering measurement")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    rows, missed = [], []

    def target(name: str, value: str, ok: bool, goal: str) -> None:
        rows.append((name, value, goal, "ok" if ok else "MISSED"))
        if not ok:
            missed.append(name)

    with tempfile.TemporaryDirectory(prefix="govreport-bench-") as tmp:
        work = Path(tmp)
        folder = data_folder(work / "data", args.reports)
        reports = [toolkit.load(p) for p in sorted(folder.iterdir())]
        plain_count = min(40, args.reports)
        (work / "plain").mkdir()
        (work / "floor").mkdir()
        govreport_batch(folder, work / "warm", 1)  # first use compiles the template; measured runs reuse it
        a = per_report_ms(plain_docxtpl(reports[:plain_count], work / "plain"), plain_count)
        b = per_report_ms(govreport_batch(folder, work / "one", 1), args.reports)
        c = per_report_ms(govreport_batch(folder, work / "all", cores), args.reports)
        d = per_report_ms(zip_floor(args.reports, work / "floor"), args.reports)
        small, large = peak_memory_mb(10, work), peak_memory_mb(1000, work)
        help_time = startup_seconds()
        check_time = check_seconds(work)

    print(f"Machine: {cores} CPU cores, Python {sys.version.split()[0]}; {args.reports} reports per batch\n")
    print("Per report (ms):")
    print(f"  (a) plain docxtpl loop               {a:8.1f}")
    print(f"  (b) govreport batch, one process     {b:8.1f}")
    print(f"  (c) govreport batch, {cores} processes     {c:8.1f}")
    print(f"  (d) floor: rewrite the template zip  {d:8.1f}\n")
    target("a/b: one process vs plain docxtpl", f"{a / b:.1f}x", a / b >= 8, ">= 8x")
    target("b/d: one process vs zip floor", f"{b / d:.1f}x", b / d <= 3, "<= 3x")
    target(f"b/c: scaling on {cores} cores", f"{b / c:.2f}x", b / c >= 0.85 * cores or cores == 1, f">= {0.85 * cores:.2f}x")
    target("peak memory 1,000 vs 10 reports", f"{large:.0f} / {small:.0f} MB = {large / small:.2f}x", large / small <= 1.5, "<= 1.5x")
    target("govreport --help start-up", f"{help_time:.3f} s", help_time < 0.3, "< 0.3 s")
    target("govreport check, 1,000 files", f"{check_time:.2f} s", check_time < 5, "< 5 s")
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'result':>24}  {'target':>8}")
    for name, value, goal, verdict in rows:
        print(f"{name:<{width}}  {value:>24}  {goal:>8}  {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
