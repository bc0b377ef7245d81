"""Running the app: where reports are kept by default, and uvicorn serving it on this machine."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def default_data_folder() -> Path:
    """The user's data folder, as each system keeps it (XDG on Linux)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "govreport"


def address(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def serve(host: str, port: int, data_folder: Path, database: str | None = None) -> None:
    """Serve until stopped (Ctrl+C); every save is committed before it is answered."""
    import uvicorn

    from .app import create_app

    uvicorn.run(create_app(data_folder, database), host=host, port=port, log_level="warning", access_log=False)
