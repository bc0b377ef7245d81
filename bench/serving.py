"""`govreport serve` in a process of its own on a free loopback port, for the load benchmarks."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(data: str | Path, *options: str) -> Iterator[str]:
    """The server's address once it accepts connections; stopped as Ctrl-C stops it on leaving."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "toolkit", "serve", "--port", str(port), "--data", str(data),
                               *options], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=30)
