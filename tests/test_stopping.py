"""Every way of stopping is clean: SIGTERM as Ctrl-C, children die with a killed parent, what a
killed run left behind is removed by the next, and a re-run completes every incomplete output set."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from toolkit import registry

from .conftest import ROOT

AGENCIES = ROOT / "samples" / "agencies.csv"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def govreport(*args, **options) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "toolkit", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=ENV, **options)


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_sigterm_stops_a_batch_like_ctrl_c_and_a_rerun_completes_it(tmp_path):
    drafts, reports = tmp_path / "drafts", tmp_path / "reports"
    made = govreport("batch", "new", "--agencies", AGENCIES, "--year", "2025", "--out", drafts)
    assert made.wait(timeout=300) == 0, made.stderr.read()
    run = govreport("batch", "render", drafts, "--out", reports, "--draft", "--html", "-j", "2")
    deadline = time.monotonic() + 120
    while not list(reports.glob("*.docx")) and time.monotonic() < deadline:
        time.sleep(0.05)
    run.send_signal(signal.SIGTERM)
    start = time.monotonic()
    _, errors = run.communicate(timeout=60)
    assert time.monotonic() - start < 15
    assert run.returncode == 130, errors[-2000:]
    assert "已中断" in errors and "Traceback" not in errors
    assert not [p for p in reports.iterdir() if p.name.endswith(".tmp")]
    agencies = registry.load(AGENCIES).agencies
    done = sorted(reports.glob("*.docx"))
    assert 0 < len(done) < len(agencies) or len(done) == len(agencies)
    done[0].with_suffix(".html").unlink()  # an output set left incomplete
    rerun = govreport("batch", "render", drafts, "--out", reports, "--draft", "--html", "-j", "2")
    _, errors = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, errors[-2000:]
    assert len(list(reports.glob("*.docx"))) == len(list(reports.glob("*.html"))) == len(agencies)
    assert done[0].with_suffix(".html").read_text(encoding="utf-8").count("政府信息公开工作年度报告") >= 1


def test_sigterm_stops_a_single_command_with_exit_130(tmp_path):
    script = textwrap.dedent("""
        import os, signal, sys, time
        from toolkit.cli import cli
        import toolkit.api as api
        def slow(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(30)
        api.check_files = slow
        cli(["check", sys.argv[1]], prog_name="govreport")
    """)
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script, str(ROOT / "samples" / "huaian-2024.yaml")],
                          capture_output=True, text=True, env=ENV, timeout=60)
    assert time.monotonic() - start < 20
    assert done.returncode == 130 and "已中止。" in done.stderr and "Traceback" not in done.stderr


def test_a_child_dies_with_its_killed_parent():
    script = textwrap.dedent("""
        import subprocess, sys, time
        from toolkit import guard
        child = subprocess.Popen(["sleep", "120"], preexec_fn=guard.die_with_parent)
        print(child.pid, flush=True)
        time.sleep(120)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=ENV)
    child = int(parent.stdout.readline())
    os.kill(child, 0)  # running
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError("the child outlived its killed parent")


def test_leftovers_of_a_killed_run_are_removed_by_the_next(tmp_path):
    dead, alive = dead_pid(), os.getpid()
    system_temp = Path(tempfile.gettempdir())
    abandoned_folder = system_temp / f"govreport-pdf-{dead}-abandoned"
    running_folder = system_temp / f"govreport-pdf-{alive}-running"
    for folder in (abandoned_folder, running_folder):
        (folder / "worker-0").mkdir(parents=True, exist_ok=True)
    out = tmp_path / "out"
    out.mkdir()
    abandoned_file = out / f".report.docx.{dead}.k3j2h1ab.tmp"
    running_file = out / f".report.docx.{alive}.a1b2c3d4.tmp"
    for path in (abandoned_file, running_file):
        path.write_bytes(b"half")
    try:
        script = "import sys; from toolkit.output import temporary_folder, write_atomic\n" \
                 "write_atomic(sys.argv[1], b'whole')\nwith temporary_folder('pdf') as folder: pass\n"
        subprocess.run([sys.executable, "-c", script, str(out / "report.docx")], check=True, env=ENV, timeout=60)
        assert (out / "report.docx").read_bytes() == b"whole"
        assert not abandoned_file.exists() and not abandoned_folder.exists()
        assert running_file.exists() and running_folder.exists()  # a run still going keeps its own
    finally:
        import shutil

        shutil.rmtree(running_folder, ignore_errors=True)
        shutil.rmtree(abandoned_folder, ignore_errors=True)


def test_libreoffice_dies_with_a_killed_parent(tmp_path):
    from toolkit.render import find_office

    if find_office() is None:
        import pytest

        from .test_active_content import REQUIRED

        if REQUIRED:
            pytest.fail("LibreOffice must be installed for this test (see .ci/run)")
        pytest.skip("LibreOffice is not installed")
    drafts = tmp_path / "drafts"
    made = govreport("batch", "new", "--agencies", AGENCIES, "--year", "2025", "--out", drafts, "--docx")
    assert made.wait(timeout=300) == 0, made.stderr.read()
    # Twenty-two reports in one LibreOffice start: it is still at work when its parent is killed.
    parent = govreport("batch", "render", drafts, "--out", tmp_path / "reports", "--draft", "--pdf",
                       "--pdf-engine", "office", "-j", "1")
    marker = f"govreport-pdf-{parent.pid}-"

    def office_processes(program=""):
        found = []
        for entry in Path("/proc").iterdir():
            try:
                command = (entry / "cmdline").read_bytes().decode("utf-8", "replace") if entry.name.isdigit() else ""
            except OSError:
                continue
            if marker in command and program in command:
                found.append(int(entry.name))
        return found

    deadline = time.monotonic() + 120
    while not office_processes("soffice.bin") and time.monotonic() < deadline and parent.poll() is None:
        time.sleep(0.05)
    assert office_processes("soffice.bin"), "LibreOffice never started"
    time.sleep(1)  # soffice.bin at work: the launcher's parent-death signal does not reach it
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 3
    while office_processes() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert office_processes() == []


def test_the_web_server_shuts_down_gracefully_on_sigterm(tmp_path):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = govreport("serve", "--port", port, "--data", tmp_path / "data")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        raise AssertionError("the server never listened")
    start = time.monotonic()
    server.send_signal(signal.SIGTERM)
    _, errors = server.communicate(timeout=30)
    assert server.returncode == 0 and time.monotonic() - start < 5, errors[-1000:]
    assert "Traceback" not in errors and (tmp_path / "data").is_dir()
