"""A throwaway PostgreSQL server for the desk's tests, so that the README's test command needs no set-up.

GOVREPORT_TEST_POSTGRES names an existing server instead. Otherwise the Debian package's initdb makes a
cluster in a temporary folder, listening on a Unix socket only; as root it runs as the postgres user,
which the package creates.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


def _bin_dir() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return os.path.dirname(found[-1]) if found else None


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def postgres_url() -> Iterator[str | None]:
    """Yield a server URL, or None when neither a server is named nor one can be started."""
    named = os.environ.get("GOVREPORT_TEST_POSTGRES")
    if named:
        yield named
        return
    bin_dir = _bin_dir()
    if bin_dir is None:
        yield None
        return
    folder = tempfile.mkdtemp(prefix="govreport-pg-")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data = os.path.join(folder, "data")
    pg_ctl = os.path.join(bin_dir, "pg_ctl")
    run = lambda command: subprocess.run(_as_server_user(command), check=True, capture_output=True)  # noqa: E731
    run([os.path.join(bin_dir, "initdb"), "-D", data, "-A", "trust", "-U", "postgres"])
    run([pg_ctl, "-D", data, "-o", f"-k {folder} -c listen_addresses=''", "-l", os.path.join(folder, "log"), "-w", "start"])
    try:
        yield f"postgresql://postgres@/postgres?host={folder}"
    finally:
        subprocess.run(_as_server_user([pg_ctl, "-D", data, "-m", "fast", "-w", "stop"]), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
