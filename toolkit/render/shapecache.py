"""Table shapes kept between runs: the search for a table's column widths takes a fifth of a
second, more than typesetting the whole report, and its result depends only on the format's
table and the code that searches. A shape is kept in the user's cache folder under a hash of both."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Callable

from ..layout import Grid
from .. import output
from ..output import write_atomic
from . import geometry
from .geometry import TableGeometry
from .templates import cache_folder


@functools.lru_cache(maxsize=None)
def _code_version() -> str:
    """The search and the character widths it measures with."""
    return hashlib.sha256(b"".join(Path(m.__file__).read_bytes() for m in (geometry, output))).hexdigest()


def remembered(layout: Grid, settings: tuple, search: Callable[[], TableGeometry]) -> TableGeometry:
    """The shape of ``layout`` under ``settings`` from the cache, else ``search()``, then kept."""
    key = hashlib.sha256(f"{_code_version()}|{settings!r}|{layout!r}".encode()).hexdigest()[:24]
    path = cache_folder().parent / "shapes" / f"{key}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return TableGeometry(tuple(data["widths"]), data["figure_scale"], tuple(data["stranded"]),
                             data["height_lines"], {(r, c): v for r, c, v in data["indents"]})
    except (OSError, ValueError, KeyError, TypeError):
        pass
    shape = search()
    data = {"widths": list(shape.widths), "figure_scale": shape.figure_scale, "stranded": list(shape.stranded),
            "height_lines": shape.height_lines, "indents": [[r, c, v] for (r, c), v in shape.indents.items()]}
    try:
        write_atomic(path, json.dumps(data).encode("utf-8"), force=True)
    except OSError:  # a read-only home only costs the search next time
        pass
    return shape
