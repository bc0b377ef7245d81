"""Font faces of a report: the GB/T 9704 names, what stands in for them, and which ones a PDF lost.

A .docx names the official faces (方正小标宋简体, 黑体, 楷体_GB2312, 仿宋_GB2312, 宋体) and records
the common Windows faces as fallbacks for Word and WPS. A Linux server rarely has any of them, so
the PDF conversion maps each face to a free font that keeps the four faces apart (fontconfig
rules handed to LibreOffice); after the conversion the PDF's own font list shows whether a face
still fell back to some other family.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import etree


@dataclass(frozen=True)
class Face:
    """One official face: the name a .docx uses, the Windows face Word and WPS fall back to (none
    when Windows ships the face itself), and the free font (Debian package) that stands in for it
    when a PDF is made on a machine without either."""

    name: str
    role: str
    windows: str
    free: str
    free_weight: str
    package: str


FACES = (
    Face("方正小标宋简体", "标题", "宋体", "Noto Serif CJK SC", "bold", "fonts-noto-cjk"),
    Face("黑体", "一级标题", "", "Noto Sans CJK SC", "regular", "fonts-noto-cjk"),
    Face("楷体_GB2312", "二级标题", "楷体", "AR PL UKai CN", "regular", "fonts-arphic-ukai"),
    Face("仿宋_GB2312", "正文", "仿宋", "FandolFang R", "regular", "texlive-lang-chinese"),
    Face("宋体", "表格、页码", "", "Noto Serif CJK SC", "regular", "fonts-noto-cjk"),
)
# Digits and Latin letters: Times New Roman, or the free face with the same widths, so that a
# figure measured for Times New Roman fits its cell in the PDF too.
LATIN = Face("Times New Roman", "数字和西文", "", "Liberation Serif", "regular", "fonts-liberation2")
# Names under which the same faces come on other machines (Windows, WPS, older Office).
ALIASES = {
    "仿宋_GB2312": ("仿宋", "FangSong_GB2312", "FangSong"),
    "楷体_GB2312": ("楷体", "KaiTi_GB2312", "KaiTi"),
    "黑体": ("SimHei",),
    "宋体": ("SimSun",),
    "方正小标宋简体": ("方正小标宋_GBK", "FZXiaoBiaoSong-B05S"),
}
# Folders of free faces that fontconfig does not search by itself: TeX Live's OpenType fonts
# (FandolFang, a 仿宋 covering GB 2312).
FONT_FOLDERS = ("/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol",)
PACKAGES = tuple(dict.fromkeys(face.package for face in (*FACES, LATIN)))


def face(name: str) -> Face | None:
    return next((f for f in FACES if f.name == name or name in ALIASES.get(f.name, ())), None)


def docx_fallbacks() -> dict[str, str]:
    """The font table's w:altName for each official face that Windows does not ship."""
    return {f.name: f.windows for f in FACES if f.windows}


def fontconfig_rules() -> str:
    """A fontconfig file: the system configuration, then each official face (and its aliases)
    followed by its free stand-in. The stand-in is only *accepted* after the face, so a machine
    that has the real font still uses it."""
    rules = []
    for f in (*FACES, LATIN):
        for name in (f.name, *ALIASES.get(f.name, ())):
            tests = f'<test name="family"><string>{escape(name)}</string></test>'
            weight = '<edit name="weight" mode="assign"><const>bold</const></edit>' if f.free_weight == "bold" else ""
            rules.append(
                f'  <match target="pattern">{tests}'
                f'<edit name="family" mode="append" binding="strong"><string>{escape(f.free)}</string></edit>'
                f"{weight}</match>"
            )
    folders = "".join(f"  <dir>{escape(folder)}</dir>\n" for folder in FONT_FOLDERS if os.path.isdir(folder))
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n' + folders + "\n".join(rules)
        + "\n</fontconfig>\n"
    )


def office_environment(folder: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for a LibreOffice process that converts reports: fontconfig reads the rules
    written into ``folder``. Give it to the process when it starts."""
    path = Path(folder) / "govreport-fonts.conf"
    path.write_text(fontconfig_rules(), encoding="utf-8")
    environment = dict(os.environ if base is None else base)
    environment["FONTCONFIG_FILE"] = str(path)
    return environment


@dataclass(frozen=True)
class Fallback:
    """An official face that the PDF does not show in its own font nor in its free stand-in."""

    face: str
    role: str
    expected: tuple[str, ...]
    found: tuple[str, ...]

    def message(self) -> str:
        return (f"PDF 中{self.role}的字体“{self.face}”未找到，已由其他字体代替"
                f"（请安装 {face(self.face).package if face(self.face) else self.face} 或该字体本身）")


_SUBSET = re.compile(r"^[A-Z]{6}\+")


def pdf_fonts(pdf: bytes) -> list[str]:
    """PostScript names of the fonts a PDF uses, as pdffonts lists them, without the subset prefix
    or the CMap a CID font's name may carry (Typst writes "FandolFang-Regular-Identity-H")."""
    if shutil.which("pdffonts") is None:
        return []
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        listing = subprocess.run(["pdffonts", file.name], capture_output=True, text=True, check=False).stdout
    names = [line.split()[0] for line in listing.splitlines()[2:] if line.strip()]
    return list(dict.fromkeys(_SUBSET.sub("", name).removesuffix("-Identity-H") for name in names))


def _compact(name: str) -> str:
    return re.sub(r"[\s_-]", "", name).lower()


def _stem(postscript: str) -> str:
    """The family part of a PostScript name. LibreOffice names a face of a CJK collection after
    the collection's first face (NotoSerifCJKjp for the SC face), so the region is dropped."""
    return re.sub(r"cjk(sc|tc|jp|kr|hk)$", "cjk", _compact(postscript.split("-")[0]))


@lru_cache(maxsize=None)
def _postscript_name(family: str) -> str | None:
    """The PostScript name of an installed family, or None when fontconfig would substitute it."""
    if shutil.which("fc-match") is None:
        return None
    with tempfile.TemporaryDirectory(prefix="govreport-fc-") as folder:
        done = subprocess.run(["fc-match", "-f", "%{family}|%{postscriptname}", family], capture_output=True,
                              text=True, check=False, env=office_environment(Path(folder)))
    families, _, postscript = done.stdout.partition("|")
    return postscript if _compact(family) in {_compact(f) for f in families.split(",")} else None


def expected_fonts(official: str) -> tuple[str, ...]:
    """PostScript-name stems that show the face in a PDF: its own, its aliases', its stand-in's."""
    f = face(official)
    names = (official, *ALIASES.get(f.name if f else official, ())) + ((f.free,) if f else ())
    stems = []
    for name in names:
        postscript = _postscript_name(name)
        if postscript:
            stems.append(_stem(postscript))
    return tuple(dict.fromkeys(stems))


def used_faces(docx: bytes) -> list[str]:
    """The East-Asian faces of the paragraphs that carry text in a .docx body, styles followed."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        styles = etree.fromstring(package.read("word/styles.xml"))
        body = etree.fromstring(package.read("word/document.xml"))
    default = styles.find(f"{w}docDefaults/{w}rPrDefault/{w}rPr/{w}rFonts")
    by_id = {s.get(f"{w}styleId"): s for s in styles.iter(f"{w}style")}

    def style_face(style_id: str | None) -> str | None:
        seen = set()
        while style_id and style_id in by_id and style_id not in seen:
            seen.add(style_id)
            style = by_id[style_id]
            fonts = style.find(f"{w}rPr/{w}rFonts")
            if fonts is not None and fonts.get(f"{w}eastAsia"):
                return fonts.get(f"{w}eastAsia")
            based = style.find(f"{w}basedOn")
            style_id = based.get(f"{w}val") if based is not None else None
        return default.get(f"{w}eastAsia") if default is not None else None

    normal = next((s.get(f"{w}styleId") for s in by_id.values()
                   if s.get(f"{w}type") == "paragraph" and s.get(f"{w}default") == "1"), None)
    faces = []
    for paragraph in body.iter(f"{w}p"):
        style = paragraph.find(f"{w}pPr/{w}pStyle")
        paragraph_face = style_face(style.get(f"{w}val") if style is not None else normal)
        for run in paragraph.iter(f"{w}r"):
            if not "".join(t.text or "" for t in run.iter(f"{w}t")).strip():
                continue
            fonts = run.find(f"{w}rPr/{w}rFonts")
            run_style = run.find(f"{w}rPr/{w}rStyle")
            run_face = (fonts.get(f"{w}eastAsia") if fonts is not None else None) or (
                style_face(run_style.get(f"{w}val")) if run_style is not None else None)
            faces.append(run_face or paragraph_face)
    return [name for name in dict.fromkeys(faces) if name]


def fallbacks(docx: bytes, pdf: bytes) -> list[Fallback]:
    """The faces the .docx uses that its PDF shows neither in the face itself nor its stand-in."""
    found = pdf_fonts(pdf)
    if not found:
        return []
    present = {_stem(name) for name in found}
    missing = []
    for name in used_faces(docx):
        expected = expected_fonts(name)
        if not any(stem in present for stem in expected):
            f = face(name)
            missing.append(Fallback(name, f.role if f else "文字", expected, tuple(found)))
    return missing
