"""PDF straight from the report data, typeset in this process by Typst: milliseconds a report.

The markup (render.typeset) follows the same layout as the Word template, a merged group label
printed again where a page break cuts it, as the LibreOffice path does; Typst writes a tagged PDF
(headings, paragraphs, tables with their header cells) and render.tagging adds the row headers.

Typst is given only the files of the faces a report uses (found once through fontconfig) and one
compiler serves every report of a process, so fonts are read once, not once per report.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

from ..errors import RenderError
from ..layout import grid
from ..model import Report
from . import fonts, tagging, typeset
from .templates import cache_folder

# Every PDF claims PDF/UA-1, which Typst checks as it writes; PDF/A-2 level A (tagged, so an
# archived report stays readable by screen readers) when asked for.
UA = "ua-1"
PDFA = "a-2a"


@functools.lru_cache(maxsize=None)
def _installed() -> dict[str, tuple[str, ...]]:
    """Font files of the official faces (any name they go by) and their free stand-ins, by the
    family name asked for, as fontconfig lists them. Italics are left out: a report has none, and
    bold only where a stand-in is used in bold (the title)."""
    wanted = {}
    for face in (*fonts.FACES, fonts.LATIN):
        for name in (face.name, *fonts.ALIASES.get(face.name, ())):
            wanted[name.lower()] = (name, True)
        wanted.setdefault(face.free.lower(), (face.free, face.free_weight == "bold"))
    found: dict[str, set[str]] = {}
    if shutil.which("fc-list"):
        listing = subprocess.run(["fc-list", "-f", "%{family}\t%{style}\t%{file}\n"], capture_output=True,
                                 text=True, check=False).stdout
        folders = [f for f in fonts.FONT_FOLDERS if Path(f).is_dir()]
        if folders and shutil.which("fc-scan"):  # the folders fonts.py adds to fontconfig's for LibreOffice
            listing += subprocess.run(["fc-scan", "-f", "%{family}\t%{style}\t%{file}\n", *folders],
                                      capture_output=True, text=True, check=False).stdout
        for line in listing.splitlines():
            families, style, file = (line.split("\t") + ["", ""])[:3]
            if not file or "italic" in style.lower() or "oblique" in style.lower():
                continue
            for family in families.split(","):
                name, bold_too = wanted.get(family.strip().lower(), (None, False))
                if name and (bold_too or "bold" not in style.lower()):
                    found.setdefault(name, set()).add(file)
    return {name: tuple(sorted(files)) for name, files in found.items()}


def missing_faces() -> list[fonts.Fallback]:
    """The faces of which neither the official font nor its free stand-in is installed: the PDF
    shows them in some other face."""
    installed = _installed()
    missing = []
    for face in (*fonts.FACES, fonts.LATIN):
        names = (face.name, *fonts.ALIASES.get(face.name, ()), face.free)
        if not any(name in installed for name in names):
            missing.append(fonts.Fallback(face.name, face.role, names, tuple(installed)))
    return missing


@functools.lru_cache(maxsize=None)
def font_folder() -> Path:
    """A folder of links to the font files of ``_installed``: Typst reads these, not every font
    on the machine."""
    files = sorted({file for files in _installed().values() for file in files})
    folder = cache_folder().parent / "fonts" / hashlib.sha256("\n".join(files).encode()).hexdigest()[:16]
    if not folder.is_dir():
        staging = folder.with_name(f"{folder.name}.{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for number, file in enumerate(files):
            (staging / f"{number:02d}-{Path(file).name}").symlink_to(file)
        try:
            staging.rename(folder)
        except OSError:  # another process made it first
            shutil.rmtree(staging, ignore_errors=True)
    return folder


_ONE_AT_A_TIME = threading.Lock()


@functools.lru_cache(maxsize=None)
def _compiler():
    import typst

    return typst.Compiler(font_paths=[str(font_folder())], ignore_system_fonts=True)


def started() -> bool:
    """Whether this process has started Typst, whose worker threads a forked child would not have
    (a child forked after it must be a fresh process instead)."""
    return _compiler.cache_info().currsize > 0


def _explained(error: str) -> str:
    """Typst's error in the words of the report."""
    missing = re.search(r'the text `"(.+?)"` could not be displayed', error)
    if missing:
        shown = "、".join(f"“{ch}”（U+{ord(ch):04X}）" for ch in dict.fromkeys(missing.group(1)))
        return (f"报告中的字符 {shown} 没有可用的字体显示，无法生成带标签的 PDF。请安装含这些字符的字体"
                "（如 fonts-noto-cjk-extra），或改用常用字，或改由办公软件生成 PDF。")
    return f"PDF 排版失败：{error}"


def report_pdf(report: Report, draft: bool = False, pdfa: bool = False) -> bytes:
    """The report's PDF: tagged, fonts embedded and subset; PDF/A-2a with ``pdfa``."""
    import typst

    source = typeset.markup(report, draft, archival=pdfa).encode("utf-8")
    try:
        with _ONE_AT_A_TIME:  # one compiler serves the process; a web server's threads take turns
            pdf = _compiler().compile(input=source, format="pdf", pdf_standards=[PDFA, UA] if pdfa else [UA])
    except typst.TypstError as exc:
        error = RenderError(_explained(str(exc)))
        error.remedy = "office_pdf"
        raise error from None
    return tagging.tag_row_headers(pdf, [grid(report.format.tables[s.table]) for s in report.format.sections if s.table])
