"""Filling a Word template with a report through docxtpl, in a Jinja sandbox, compiled once.

docxtpl re-reads the template, re-patches its XML and re-compiles the Jinja source for every
report; nearly all of its time goes there. A ``CompiledTemplate`` does that work once and then,
per report, runs only docxtpl's own per-report steps (render each part, resolve line breaks,
fix tables and drawing ids) and writes the package — so its output is the XML docxtpl gives.
Of those steps, the body's tree pass is skipped when it provably changes nothing (see
``canonical``). The steps mirrored here are those of the docxtpl version pyproject.toml pins;
tests/test_engine.py fails when docxtpl changes them.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from pathlib import Path

import jinja2
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.oxml import serialize_part_xml
from docxtpl import DocxTemplate
from lxml import etree
from lxml.etree import XMLSyntaxError

from .. import active, guard
from ..errors import TemplateError
from ..model import Report
from . import canonical, narrowing, oxml, signature, typography
from .context import context
from .package import Member, read_members, write_members, write_package
from .sandbox import environment
from .templates import default_template

TEMPLATE_KIND = "Word（.docx）模板"
_JINJA = re.compile(r"\{[{%#]")
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
# The string properties docxtpl renders (DocxTemplate.render_properties).
_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")


class CompiledTemplate:
    """A Word template read, patched and compiled once, to render any number of reports.

    After docxtpl's steps come the page's own (``layout``): the 落款 placed by indents measured on
    the template (render.signature), numbers kept whole (render.typography), long figures' columns
    narrowed (render.narrowing). Without them the output is exactly docxtpl's."""

    def __init__(self, path: str | Path, layout: bool = True):
        self.path = Path(path)
        self._layout = layout
        guard.check_package(self.path, TEMPLATE_KIND)
        with _template_errors(self.path):
            # Active content (macros, OLE, remote links, fields other than page numbers) never reaches a report.
            self._members, self.removed = active.strip(read_members(guard.read_bytes(self.path, guard.MAX_FILE_BYTES)))
            self._docx = DocxTemplate(io.BytesIO(write_members(self._members)))
            self._docx.init_docx()
            self._env = environment()
            self._body, self._signature = self._docx.patch_xml(self._docx.get_xml()), None
            if layout:
                self._body, self._signature = signature.Slots.prepare(self._body, self._members.get("word/styles.xml"))
            lined = _with_paragraph_lines(self._body)
            self._body_template = self._env.from_string(lined)
            # Where nothing after Jinja can change the body, Jinja's output is the body.
            self._plain_body = self._env.from_string(self._body) if canonical.body_is_plain(self._env, lined) else None
            self._compressed = {name: Member.deflate(name, data) for name, data in self._members.items()}
            self._head, self._tail = _split_at_body(self._members["word/document.xml"])
            part = self._docx.docx.part
            self._parts = {
                target.partname.lstrip("/"): (target, self._docx.patch_xml(self._docx.get_part_xml(target)))
                for rel in part.rels.values() if rel.reltype in (RT.HEADER, RT.FOOTER) and not rel.is_external
                for target in [rel.target_part] if target.blob
            }
            self._footnotes = {
                p.partname.lstrip("/"): (p, self._docx.patch_xml(p.blob.decode("utf-8")))
                for p in part.package.parts if p.content_type == _FOOTNOTES
            }
            core = self._docx.docx.core_properties
            self._properties = {name: getattr(core, name) for name in _PROPERTIES}
            # A part without Jinja renders the same for every report: rendered once, here.
            for parts, render_part in ((self._parts, self._part_xml), (self._footnotes, self._footnotes_xml)):
                for name, (part, source) in list(parts.items()):
                    if not _JINJA.search(source):
                        self._compressed[name] = Member.deflate(name, render_part(part, source, {}))
                        del parts[name]

    def render(self, values: dict, created: str | None = None, owner: str | None = None,
               narrowed: dict | None = None) -> bytes:
        """The filled-in .docx, with fixed zip timestamps so equal input gives equal bytes.

        ``created`` (YYYY-MM-DD) dates the document; without it, the template's dates stay.
        ``owner`` (the agency) is its author and last editor, whoever wrote the template: an
        adopted template must not publish its author's personal name.
        ``narrowed``: figure columns to set narrower (render.narrowing), where the template has them."""
        with _template_errors(self.path):
            block = None
            if self._signature and values.get("signature"):
                placed, block = self._signature.values(values["signature"])
                values = {**values, "signature": placed}
            body = self._document_xml(values)
            if self._layout:
                body = typography.keep_numbers_whole(body)
            replaced = {"word/document.xml": self._signature.fill(body, block) if self._signature else body}
            for name, (part, source) in self._parts.items():
                replaced[name] = self._part_xml(part, source, values)
            for name, (part, source) in self._footnotes.items():
                replaced[name] = self._footnotes_xml(part, source, values)
            if narrowed and self._layout and "word/styles.xml" in self._members:
                replaced["word/styles.xml"] = narrowing.narrow_styles(self._members["word/styles.xml"], narrowed)
            if "docProps/core.xml" in self._members:
                replaced["docProps/core.xml"] = self._core_xml(values, created, owner)
            return write_package([Member.deflate(name, replaced[name]) if name in replaced else member
                                  for name, member in self._compressed.items()])

    def _document_xml(self, values: dict) -> bytes:
        """The body as docxtpl renders it: DocxTemplate.render_xml_part, fix_tables, fix_docpr_ids."""
        docx = self._docx
        docx.current_rendering_part = docx.docx._part
        xml = self._plain_body and canonical.values_are_plain(values) and _utf8(self._plain_body.render(values))
        if not (xml and canonical.rendered_is_plain(xml)):
            body = _after_jinja(self._body_template.render(values))
            docx.docx_ids_index = 1000
            tree = docx.fix_tables(docx.resolve_listing(body))
            docx.fix_docpr_ids(tree)
            xml = etree.tostring(tree, encoding="UTF-8")
        return self._head + _without_inherited_namespaces(xml, self._head) + self._tail

    def _part_xml(self, part, source: str, values: dict) -> bytes:
        """A header or footer as DocxTemplate.render gives it (build_headers_footers_xml, then
        map_headers_footers_xml, which python-docx serializes)."""
        xml = self._docx.render_xml_part(source, part, values, self._env)
        return serialize_part_xml(etree.fromstring(xml.encode("utf-8")))

    def _footnotes_xml(self, part, source: str, values: dict) -> bytes:
        """Footnotes as DocxTemplate.render_footnotes gives them."""
        return self._docx.render_xml_part(source, part, values, self._env).encode("utf-8")

    def _core_xml(self, values: dict, created: str | None, owner: str | None) -> bytes:
        core = self._docx.docx.core_properties
        for name, source in self._properties.items():
            setattr(core, name, _property_text(self._env.from_string(source).render(values)))
        if owner is not None:
            core.author = core.last_modified_by = _property_text(owner)
        element = self._docx.docx.part.package.core_properties._element
        return serialize_part_xml(oxml.dated_core_properties(element, created))


_NOT_PROPERTY_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _property_text(text: str) -> str:
    """A document property as the OOXML core properties allow it: no control characters, at most
    255 characters (an agency's name is the author; a hostile one must not stop the report)."""
    return _NOT_PROPERTY_TEXT.sub("", text)[:255]


class _template_errors:
    """Turns what a broken or hostile template raises into a TemplateError naming the file."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, traceback):
        if exc is None:
            return False
        path = self.path
        if (line := _template_line(traceback)) is not None and isinstance(exc, _MISTAKES):
            raise TemplateError(f"模板 {path} 正文第 {max(line - 1, 1)} 段（按段落顺序计，含表格中的段落）填写时出错："
                                f"{_mistake(exc)}。") from None
        if isinstance(exc, (RecursionError, MemoryError, SyntaxError)):
            raise TemplateError(f"模板 {path} 过于复杂（嵌套过深或过大），无法使用。") from None
        if isinstance(exc, jinja2.exceptions.SecurityError):
            raise TemplateError(f"模板 {path} 试图访问不允许的内容（{exc}），已拒绝生成。") from None
        if isinstance(exc, jinja2.exceptions.UndefinedError):
            name = str(exc.message or exc).replace("'dict object' has no attribute ", "").replace(" is undefined", "")
            raise TemplateError(f"模板 {path} 使用了数据中没有的变量：{name}。") from None
        if isinstance(exc, jinja2.exceptions.TemplateSyntaxError):
            raise TemplateError(f"模板 {path} 有语法错误：{exc.message}") from None
        if isinstance(exc, (OSError, KeyError, ValueError, zipfile.BadZipFile, PackageNotFoundError, XMLSyntaxError)):
            raise TemplateError(f"无法读取模板 {path}：不是有效的 Word（.docx）文件（{exc}）。") from None
        return False


# Mistakes a template's expressions can make on report data: {{ year + 1 }} with a text year, a
# division by zero, sum() of texts, '%c' % 1114112 …
_MISTAKES = (TypeError, ArithmeticError, ValueError, LookupError, RecursionError, AttributeError, UnicodeError)
_MISTAKE_WORDS = {
    ZeroDivisionError: "除数为零", OverflowError: "数值超出范围", TypeError: "数据类型不匹配（例如文字与数字相加）",
    RecursionError: "嵌套过深", LookupError: "取不到的元素或键", UnicodeError: "文字编码无效",
}


def _mistake(exc: BaseException) -> str:
    words = next((w for kind, w in _MISTAKE_WORDS.items() if isinstance(exc, kind)), "计算出错")
    return f"{words}（{type(exc).__name__}：{str(exc)[:120]}）"


def _template_line(traceback) -> int | None:
    """The line of the template source the error happened on (Jinja names its frames <template>)."""
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == "<template>":
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def _with_paragraph_lines(xml: str) -> str:
    """docxtpl puts each paragraph on its own line before Jinja (so errors name a line)."""
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)


def _after_jinja(xml: str) -> str:
    """What docxtpl does to Jinja's output before resolving line breaks: paragraphs back on one
    line, escaped braces restored."""
    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
    return xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")


def _utf8(text: str) -> bytes | None:
    """The text in UTF-8, or None when it holds lone surrogates (the full path decides those)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return None


_BODY = re.compile(rb"<w:body\b.*</w:body>|<w:body\s*/>", re.S)


def _split_at_body(document_xml: bytes) -> tuple[bytes, bytes]:
    """The document part before and after its body, to put each report's body between."""
    match = _BODY.search(document_xml)
    if match is None:
        raise ValueError("word/document.xml 中没有正文（w:body）")
    return document_xml[: match.start()], document_xml[match.end():]


_DECLARATION = re.compile(rb'\s+xmlns(?::[\w.-]+)?="[^"]*"')


def _without_inherited_namespaces(body: bytes, head: bytes) -> bytes:
    """The body's start tag without the namespace declarations the document root already makes.

    The body is serialized on its own, so it declares every namespace; inside the document, as
    python-docx writes it, the root's declarations serve.
    """
    end = body.index(b">")
    start_tag = _DECLARATION.sub(lambda m: b"" if m.group(0).strip() in head else m.group(0), body[:end])
    return start_tag + body[end:]


@functools.lru_cache(maxsize=32)
def _compiled(path: str, modified: float, size: int) -> CompiledTemplate:
    return CompiledTemplate(path)


def compile_template(template: str | Path) -> CompiledTemplate:
    """The compiled template for a file, reused until the file changes."""
    path = Path(template)
    try:
        stat = path.stat()
    except OSError as exc:
        raise TemplateError(f"无法读取模板 {path}：{exc.strerror or exc}") from None
    return _compiled(str(path.resolve()), stat.st_mtime, stat.st_size)


def render(report: Report, template: str | Path | None = None) -> bytes:
    """The report as .docx bytes, filled into ``template`` (default: the format's own)."""
    created = report.date.isoformat() if report.date else None  # the 成文日期 dates the file
    values = context(report)
    compiled = compile_template(template or default_template(report.format.version))
    return compiled.render(values, created, owner=report.agency.name,
                           narrowed=narrowing.narrowed_columns(report.format, values))
