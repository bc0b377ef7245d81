"""Active content in Word packages: found in templates, removed from every report we publish.

A report is opened by citizens on their own machines. Whatever in it Word (or LibreOffice, when we
convert it) would run or fetch by itself — macros, ActiveX controls, embedded or linked OLE
objects, altChunks, an attached template on a network share, remote images, fields that include
other files or talk to other programs (INCLUDETEXT, INCLUDEPICTURE, DDE, LINK …) — has no place
in a statutory report. The only fields kept are page numbers. Hyperlinks stay: they are followed
only when a reader clicks them.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from lxml import etree

_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_MACRO_MAIN = b"application/vnd.ms-word.document.macroEnabled.main+xml"
_PLAIN_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_MACRO_TEMPLATE = b"application/vnd.ms-word.template.macroEnabledTemplate.main+xml"

# Relationship types (their last path segment) that make Word run, embed or fetch something.
_ACTIVE_RELATIONSHIPS = {
    "vbaProject": "宏（VBA 工程）",
    "wordVbaData": "宏（VBA 数据）",
    "keyMapCustomizations": "宏快捷键",
    "control": "ActiveX 控件",
    "activeXControlBinary": "ActiveX 控件",
    "oleObject": "OLE 对象",
    "package": "嵌入的文档",
    "aFChunk": "外来内容块（altChunk）",
    "attachedTemplate": "附加模板",
    "subDocument": "子文档",
    "frame": "外部框架",
}
_KEPT_EXTERNAL = {"hyperlink"}  # followed only on a reader's click
# Elements that hold such content in the document's own XML, removed with everything in them.
_ACTIVE_ELEMENTS = {
    f"{{{_W}}}altChunk": "外来内容块（altChunk）",
    f"{{{_W}}}object": "OLE 对象或 ActiveX 控件",
    f"{{{_W}}}control": "ActiveX 控件",
    f"{{{_W}}}subDoc": "子文档",
    f"{{{_W}}}attachedTemplate": "附加模板",
    f"{{{_W}}}updateFields": "打开时自动更新域",
    f"{{{_W}}}docVars": "文档变量",
}
_KEPT_FIELDS = {"PAGE", "NUMPAGES", "SECTIONPAGES"}
_FIELD_WORD = re.compile(r"[A-Za-z]+")
_XML_PART = re.compile(r"^word/[^/]+\.xml$")


@dataclass(frozen=True)
class ActiveItem:
    """One piece of active content: the part it is in and what it is, in words."""

    part: str
    what: str

    def describe(self) -> str:
        return f"{self.what}（{self.part}）"


def strip(members: dict[str, bytes]) -> tuple[dict[str, bytes], list[ActiveItem]]:
    """The package's members without active content, and what was removed."""
    found: list[ActiveItem] = []
    members = dict(members)
    removed_targets: set[str] = set()
    removed_ids: dict[str, set[str]] = {}
    for name in [n for n in members if n.endswith(".rels")]:
        members[name], targets, removed_ids[name] = _strip_relationships(name, members[name], found)
        removed_targets |= targets
    for name in list(members):
        if name in removed_targets or _is_macro_part(name):
            if name not in removed_targets:
                found.append(ActiveItem(name, "宏（VBA 工程）"))
            del members[name]
            members.pop(_rels_of(name), None)
    for name in [n for n in members if _XML_PART.match(n)]:
        members[name] = _strip_xml(name, members[name], removed_ids.get(_rels_of(name), set()), found)
    if "[Content_Types].xml" in members:
        members["[Content_Types].xml"] = _content_types(members["[Content_Types].xml"], set(members))
    return members, found


def find(members: dict[str, bytes]) -> list[ActiveItem]:
    return strip(members)[1]


def _is_macro_part(name: str) -> bool:
    base = posixpath.basename(name).lower()
    return base.startswith("vbaproject") or base.startswith("vbadata") or name.startswith("word/activeX/")


def _rels_of(name: str) -> str:
    folder, base = posixpath.split(name)
    return posixpath.join(folder, "_rels", base + ".rels")


def _source_folder(rels_name: str) -> str:
    """The folder a .rels file's relative targets start from (word/_rels/document.xml.rels → word)."""
    return posixpath.dirname(posixpath.dirname(rels_name))


def _strip_relationships(name: str, xml: bytes, found: list[ActiveItem]) -> tuple[bytes, set[str], set[str]]:
    """The relationships without active ones; the parts and the ids removed with them."""
    root = _parse(xml)
    if root is None:
        return xml, set(), set()
    targets, ids, source = set(), set(), _source_folder(name)
    for rel in list(root):
        kind = rel.get("Type", "").rsplit("/", 1)[-1]
        external = rel.get("TargetMode") == "External"
        if kind in _KEPT_EXTERNAL or not (external or kind in _ACTIVE_RELATIONSHIPS):
            continue
        what = _ACTIVE_RELATIONSHIPS.get(kind, "外部链接")
        if external:
            what += f"，指向外部地址 {rel.get('Target', '')[:80]}" if kind in _ACTIVE_RELATIONSHIPS else \
                f"（{kind}），指向外部地址 {rel.get('Target', '')[:80]}"
        else:
            targets.add(posixpath.normpath(posixpath.join(source, rel.get("Target", ""))).lstrip("/"))
        found.append(ActiveItem(name, what))
        ids.add(rel.get("Id"))
        root.remove(rel)
    return (_serialize(root) if ids else xml), targets, ids


def _strip_xml(name: str, xml: bytes, removed_ids: set[str], found: list[ActiveItem]) -> bytes:
    """A part without active elements, fields other than page numbers, and references to
    relationships removed."""
    if not (removed_ids or any(tag.encode().split(b"}")[1] in xml for tag in _ACTIVE_ELEMENTS)
            or b"instrText" in xml or b"fldSimple" in xml):
        return xml
    root = _parse(xml)
    if root is None:
        return xml
    changed = False
    for element in list(root.iter(*_ACTIVE_ELEMENTS)):
        found.append(ActiveItem(name, _ACTIVE_ELEMENTS[element.tag]))
        element.getparent().remove(element)
        changed = True
    changed |= _strip_fields(name, root, found)
    for element in root.iter():
        for attribute, value in list(element.attrib.items()):
            if attribute.startswith(f"{{{_R}}}") and value in removed_ids:
                del element.attrib[attribute]
                changed = True
    return _serialize(root) if changed else xml


def _strip_fields(name: str, root, found: list[ActiveItem]) -> bool:
    """Fields other than page numbers lose their codes and keep the text last shown."""
    changed = False
    for simple in list(root.iter(f"{{{_W}}}fldSimple")):
        instruction = simple.get(f"{{{_W}}}instr", "")
        if _field_kept(instruction):
            continue
        found.append(ActiveItem(name, f"域 {instruction.strip()[:60]}"))
        parent, index = simple.getparent(), simple.getparent().index(simple)
        for offset, child in enumerate(list(simple)):
            parent.insert(index + offset, child)
        parent.remove(simple)
        changed = True
    # Complex fields: begin, instruction runs, separate, result, end; they nest, and may span paragraphs.
    stack: list[dict] = []
    for element in list(root.iter(f"{{{_W}}}fldChar", f"{{{_W}}}instrText", f"{{{_W}}}delInstrText")):
        kind = element.get(f"{{{_W}}}fldCharType")
        if kind == "begin":
            stack.append({"marks": [element], "instruction": ""})
        elif not stack:
            continue
        elif kind is None:
            stack[-1]["marks"].append(element)
            stack[-1]["instruction"] += element.text or ""
        else:
            stack[-1]["marks"].append(element)
            if kind == "end":
                field = stack.pop()
                if not _field_kept(field["instruction"]):
                    found.append(ActiveItem(name, f"域 {field['instruction'].strip()[:60]}"))
                    for mark in field["marks"]:
                        mark.getparent().remove(mark)
                    changed = True
    return changed


def _field_kept(instruction: str) -> bool:
    word = _FIELD_WORD.search(instruction)
    return bool(word) and word.group(0).upper() in _KEPT_FIELDS


def _content_types(xml: bytes, names: set[str]) -> bytes:
    root = _parse(xml)
    if root is None:
        return xml
    for override in list(root.iter(f"{{{_CT}}}Override")):
        if override.get("PartName", "").lstrip("/") not in names:
            root.remove(override)
    return _serialize(root).replace(_MACRO_MAIN, _PLAIN_MAIN).replace(_MACRO_TEMPLATE, _PLAIN_MAIN)


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _parse(xml: bytes):
    try:
        return etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError:
        return None


def _serialize(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def stripped_package(data: bytes) -> tuple[bytes, list[ActiveItem]]:
    """A .docx's bytes without active content (the same bytes when there was none), and what was removed."""
    from .render.package import read_members, write_members

    members, found = strip(read_members(data))
    return (write_members(members) if found else data), found


def describe(found: list[ActiveItem]) -> str:
    """What was removed, in one line: each kind once, with how often."""
    counts: dict[str, int] = {}
    for item in found:
        counts[item.describe()] = counts.get(item.describe(), 0) + 1
    return "；".join(f"{what}{f' ×{n}' if n > 1 else ''}" for what, n in counts.items())
