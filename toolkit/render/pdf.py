"""Converting .docx reports to PDF with LibreOffice, the office suite most government machines can have.

Starting LibreOffice costs more than converting a report, so many files go through a small pool:
each worker keeps its own LibreOffice profile (so workers run in parallel and beside a user's
open LibreOffice) and hands LibreOffice a chunk of files per start. A document that hangs or
crashes LibreOffice costs one chunk: the files converted before it are kept, the rest go back to
the queue, and the document itself is tried once more on its own, then reported as failed.
"""

from __future__ import annotations

import collections
import math
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import RenderError
from ..output import temporary_folder
from . import fonts, pagination
from .libreoffice import for_libreoffice

INSTALL_HINT = (
    "未找到 LibreOffice，无法转换为 PDF。请先安装：\n"
    "    Debian/Ubuntu/统信/麒麟：sudo apt-get install libreoffice-writer\n"
    "    Windows/macOS：从 https://www.libreoffice.org/download/ 下载安装\n"
    "安装后确认命令 soffice 可以运行；也可用 WPS 或 Word 打开 Word 报告后另存为 PDF。"
)
# Seconds a LibreOffice may go without finishing a document before it is taken as hung.
STALL_SECONDS = 90
ATTEMPTS = 2
_MOST_PER_START = 50
_POLL_SECONDS = 0.05


def find_office() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@dataclass(frozen=True)
class Conversion:
    """One document's PDF, or why there is none."""

    source: Path
    pdf: bytes | None
    error: str = ""
    attempts: int = 1


def docx_to_pdf(docx: bytes, timeout: int = STALL_SECONDS) -> bytes:
    """PDF bytes of one .docx; a table's group labels repeated where a page break cuts them."""
    with temporary_folder("one") as folder:
        source = Path(folder) / "report.docx"
        source.write_bytes(docx)
        result = next(convert_many([source], workers=1, stall_seconds=timeout))
    if result.pdf is None:
        raise RenderError(result.error)
    return result.pdf


def convert_many(sources: Iterable[str | Path], workers: int | None = None, stall_seconds: float = STALL_SECONDS,
                 office: str | None = None) -> Iterator[Conversion]:
    """Each source's PDF as soon as it is ready (not in order), through ``workers`` LibreOffice
    instances (default: one per CPU). Stopping the iteration (or Ctrl-C) stops LibreOffice.

    Where a page break cuts a table's merged group label, the document is converted once more
    with the label restarted on the new page (a second pass over just those documents).
    """
    continued: dict[Path, Path] = {}
    with temporary_folder("continued") as folder:
        for result in _pool(sources, workers, stall_seconds, office):
            redone = result.pdf and pagination.continue_merged_labels(result.source.read_bytes(), result.pdf)
            if not redone:
                yield result
                continue
            copy = Path(folder) / f"{len(continued):07d}.docx"
            copy.write_bytes(redone)
            continued[copy] = result.source
        for result in _pool(list(continued), workers, stall_seconds, office):
            yield replace(result, source=continued[result.source])


def _pool(sources: Iterable[str | Path], workers: int | None, stall_seconds: float,
          office: str | None) -> Iterator[Conversion]:
    office = office or find_office()
    if office is None:
        raise RenderError(INSTALL_HINT)
    pending = collections.deque(_Task(Path(s), number) for number, s in enumerate(sources))
    total = len(pending)
    if not total:
        return
    workers = max(1, min(workers or os.cpu_count() or 1, total))
    results: queue.Queue = queue.Queue()
    stop = threading.Event()
    with temporary_folder("pdf") as folder:
        queue_ = _Queue(pending, workers)
        threads = [threading.Thread(target=_Worker(office, Path(folder) / f"worker-{n}", queue_, results, stop,
                                                   stall_seconds).run, daemon=True) for n in range(workers)]
        for thread in threads:
            thread.start()
        try:
            for _ in range(total):
                yield results.get()
        finally:
            stop.set()
            for thread in threads:
                thread.join()


@dataclass
class _Task:
    source: Path
    number: int
    attempts: int = 0


class _Queue:
    """Files waiting for a worker: chunks sized to keep every worker busy to the end; a file that
    failed once goes alone, so it cannot take others down with it again."""

    def __init__(self, pending: collections.deque, workers: int):
        self._pending, self._workers, self._lock = pending, workers, threading.Lock()

    def take(self) -> list[_Task] | None:
        with self._lock:
            if not self._pending:
                return None
            if self._pending[0].attempts:
                return [self._pending.popleft()]
            size = min(_MOST_PER_START, math.ceil(len(self._pending) / self._workers))
            chunk = []
            while self._pending and len(chunk) < size and not self._pending[0].attempts:
                chunk.append(self._pending.popleft())
            return chunk

    def put_back(self, tasks: list[_Task]) -> None:
        with self._lock:
            self._pending.extendleft(reversed(tasks))


class _Worker:
    """One LibreOffice profile, started on one chunk of files after another."""

    def __init__(self, office: str, home: Path, tasks: _Queue, results: queue.Queue, stop: threading.Event,
                 stall_seconds: float):
        self.office, self.home, self.tasks, self.results, self.stop = office, home, tasks, results, stop
        self.stall_seconds = stall_seconds
        self.profile = (home / "profile").as_uri()

    def run(self) -> None:
        while not self.stop.is_set():
            chunk = self.tasks.take()
            if chunk is None:
                return
            try:
                self._convert(chunk)
            except Exception as exc:  # a broken worker must still account for its files
                for task in chunk:
                    self.results.put(Conversion(task.source, None, f"无法转换 PDF：{exc}", task.attempts + 1))

    def _convert(self, chunk: list[_Task]) -> None:
        inbox, outbox = self.home / "in", self.home / "out"
        for folder in (inbox, outbox):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
        inputs = []
        for task in chunk:
            # LibreOffice reads its own copy (render.libreoffice), kept under the source's name, through a
            # numbered link: the PDF comes out numbered, whatever the names of the sources.
            copy = inbox / f"{task.number:07d}" / task.source.name
            copy.parent.mkdir()
            _write_libreoffice_copy(task.source, copy)
            link = inbox / f"{task.number:07d}.docx"
            link.symlink_to(copy)
            inputs.append(link)
        command = [self.office, f"-env:UserInstallation={self.profile}", "--headless", "--norestore", "--nologo",
                   "--nodefault", "--nolockcheck", "--convert-to", "pdf", "--outdir", str(outbox), *map(str, inputs)]
        scratch = self.home / "tmp"  # LibreOffice's own temporary files, removed with the pool even if it is killed
        scratch.mkdir(exist_ok=True)
        with open(self.home / "log.txt", "wb+") as log:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                       start_new_session=True,
                                       env={**fonts.office_environment(self.home), "TMPDIR": str(scratch)})
            watchdog = _watch_for_parent_death(process)
            try:
                left, problem = self._follow(process, chunk, outbox)
            finally:
                watchdog.kill()
                watchdog.wait()
            log.seek(0)
            detail = log.read().decode("utf-8", "replace").strip()[-300:]
        if not left:
            return
        if problem is None:  # LibreOffice ended normally without these PDFs: it could not read them
            failed, rest = left, []
            problem = f"LibreOffice 无法转换此文件{f'：{detail}' if detail else ''}"
        else:  # it hung on, or died in, the first file it had not finished; the rest were not reached
            failed, rest = left[:1], left[1:]
        retry = []
        for task in failed:
            task.attempts += 1
            if task.attempts >= ATTEMPTS:
                self.results.put(Conversion(task.source, None, problem, task.attempts))
            else:
                retry.append(task)
        self.tasks.put_back(retry + rest)

    def _follow(self, process: subprocess.Popen, chunk: list[_Task], outbox: Path) -> tuple[list[_Task], str | None]:
        """Hands on each PDF as LibreOffice finishes it; the files left, and what went wrong."""
        left = list(chunk)
        last_progress = time.monotonic()
        while True:
            finished = process.poll() is not None
            for task in list(left):
                pdf = _finished_pdf(outbox / f"{task.number:07d}.pdf")
                if pdf is not None:
                    left.remove(task)
                    self.results.put(Conversion(task.source, pdf, "", task.attempts + 1))
                    last_progress = time.monotonic()
            if finished or not left:
                break
            if self.stop.is_set():
                _kill(process)
                return [], None
            if time.monotonic() - last_progress > self.stall_seconds:
                _kill(process)
                return left, f"LibreOffice 转换超时（{self.stall_seconds:g} 秒无进展），已终止"
            time.sleep(_POLL_SECONDS)
        process.wait()
        if process.returncode != 0 and left:
            code = process.returncode
            return left, f"LibreOffice 异常退出（{f'信号 {-code}' if code < 0 else f'退出码 {code}'}）"
        return left, None


def _write_libreoffice_copy(source: Path, copy: Path) -> None:
    """The file as LibreOffice must read it; a file that is no .docx goes as it is, for LibreOffice to refuse."""
    try:
        copy.write_bytes(for_libreoffice(source.read_bytes()))
    except (OSError, zipfile.BadZipFile, ValueError, KeyError):
        copy.unlink(missing_ok=True)
        copy.symlink_to(source.resolve())


def _finished_pdf(path: Path) -> bytes | None:
    """The PDF once LibreOffice has written all of it (its last line is %%EOF)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF") else None


def _watch_for_parent_death(process: subprocess.Popen) -> subprocess.Popen:
    """A watcher that kills LibreOffice's process group if this process dies without doing so
    (SIGKILL, a crash). The parent-death signal reaches only the launcher LibreOffice starts with,
    not soffice.bin, which the launcher starts in turn."""
    script = f"while kill -0 {os.getpid()} 2>/dev/null; do sleep 0.5; done; kill -KILL -{process.pid} 2>/dev/null"
    return subprocess.Popen(["sh", "-c", script], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def _kill(process: subprocess.Popen) -> None:
    """LibreOffice and whatever it started (it runs in its own session)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
