"""Linting a customized Word template before it renders anything.

A template passes when its Jinja tags parse, every variable it names exists, no tag is split
where docxtpl cannot heal it, and every statutory heading, table label and figure cell of the
format is still in place. Problems are located as a clerk sees the document — section,
paragraph, table, row, cell — never by XML line.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import docx
import jinja2
from jinja2 import nodes

from .. import active, guard, placeholders
from ..errors import TemplateError
from ..formats import CellRef, Format
from ..model import Narrative, Part, Report
from ..findings import ERROR, WARNING, Finding, Location
from ..render.context import context
from ..render.engine import TEMPLATE_KIND
from .coverage import coverage_findings
from ..render.sandbox import SAFE_METHODS, TemplateRefused, environment
from .tablematch import figure_slots, find_tables, squeeze

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_DOCXTPL_PREFIX = re.compile(r"^(\{%-?)\s*(?:p|tr|tc|r)\s+")


@dataclass(frozen=True)
class _Place:
    """Where a piece of text sits in the document, in words."""

    where: str
    section: str | None

    def describe(self) -> str:
        return f"{self.where}（「{self.section}」部分）" if self.section else self.where


@dataclass(frozen=True)
class _Text:
    place: _Place
    text: str
    table: int | None = None
    row: int | None = None
    col: int | None = None


def lint(template: str | Path, fmt: Format) -> list[Finding]:
    """Every problem of a template for a format; an empty list means it is safe to render with."""
    path = Path(template)
    guard.check_package(path, TEMPLATE_KIND)
    content, removed = active.stripped_package(guard.read_bytes(path, guard.MAX_FILE_BYTES))
    try:
        document = docx.Document(io.BytesIO(content))
    except Exception as exc:  # python-docx raises several unrelated types for a non-.docx file
        raise TemplateError(f"无法读取模板 {path}：不是有效的 Word（.docx）文件（{exc}）。") from None
    texts = list(_iter_texts(document, fmt))
    statutory, places = _statutory_content(document, texts, fmt)
    if not any(_TAG.search(item.text) for item in texts):
        findings = [_untagged(statutory)]
    else:
        findings = _split_tags(texts) + _syntax_and_names(texts, fmt) + statutory + _placeholders(texts)
        if not any(f.rule in ("T1", "T2", "T3") for f in findings):
            findings += coverage_findings(path, fmt, places)
    findings += [_active(item) for item in removed]
    return [f.in_file(str(path)) for f in findings]


UNTAGGED = "T0"
ACTIVE = "T10"


def blocking(findings: list[Finding]) -> list[Finding]:
    """The problems that stop a template from being used: active content is removed when rendering."""
    return [f for f in findings if f.rule != ACTIVE]


def _active(item) -> Finding:
    return Finding(ACTIVE, WARNING, f"模板含有主动内容：{item.what}。生成报告时将被移除。", Location(place=item.part),
                   hint="报告只能含有文字、表格、图片和页码；宏、ActiveX、OLE 对象、外部链接和域代码会被 Word 自动执行或联网获取。"
                        "可用 govreport template adopt 生成不含这些内容的模板。")


def _untagged(statutory: list[Finding]) -> Finding:
    official = not any(f.rule in ("T4", "T5") for f in statutory)
    what = "官方格式的文件（空白模板或已填写的报告）" if official else "Word 文件"
    return _problem(UNTAGGED, f"这是没有任何标签的{what}，不能直接作为模板：报告的内容不会填入。",
                    hint="可用 govreport template adopt 转换为模板。")


def verdict(findings: list[Finding]) -> str:
    """One line a clerk reads first."""
    if any(f.rule == UNTAGGED for f in findings):
        return "这是未加标签的官方格式模板或报告，可用 govreport template adopt 转换为模板。"
    if not blocking(findings) and findings:
        return f"模板可用，但含有 {len(findings)} 处主动内容（宏、外部链接、域代码等），生成报告时将被移除。"
    if not findings:
        return "模板可用：标题、导语、各部分的段落和分项、每个数字、成文日期和落款都会填入报告。"
    refused = [f for f in findings if f.rule == "T2" and "不允许" in f.message or f.rule == "T7"]
    if refused:
        return f"模板被拒绝：它做了填写报告以外的事，或无法填写（共 {len(findings)} 处问题）。"
    return f"模板不能使用：有 {len(findings)} 处问题，报告的内容会缺失或出错。"


def _problem(rule: str, message: str, place: _Place | None = None, hint: str = "") -> Finding:
    return Finding(rule, ERROR, message, Location(place=place.describe() if place else None), hint=hint)


def _iter_texts(document, fmt: Format):
    """Every paragraph and table cell of the body, headers and footers, with its place."""
    headings = {s.heading for s in fmt.sections}
    section = None
    paragraph_number = table_number = 0
    for block in document.iter_inner_content():
        if isinstance(block, docx.text.paragraph.Paragraph):
            paragraph_number += 1
            text = block.text
            if text.strip() in headings:
                section = text.strip()
            yield _Text(_Place(f"正文第 {paragraph_number} 段", section), text)
        else:
            table_number += 1
            for r, row in enumerate(block.rows):
                for c, cell in enumerate(row.cells):
                    place = _Place(f"表格 {table_number} 第 {r + 1} 行第 {c + 1} 列", section)
                    yield _Text(place, "\n".join(p.text for p in cell.paragraphs), table_number, r, c)
    for number, part in enumerate(_header_footer_parts(document), start=1):
        for index, paragraph in enumerate(part.paragraphs, start=1):
            yield _Text(_Place(f"页眉页脚 {number} 第 {index} 段", None), paragraph.text)


def _header_footer_parts(document):
    for section in document.sections:
        for part in (section.header, section.footer, section.even_page_header, section.even_page_footer,
                     section.first_page_header, section.first_page_footer):
            if not part.is_linked_to_previous:
                yield part


def _split_tags(texts: list[_Text]) -> list[Finding]:
    """A tag whose braces fall in different paragraphs or cells cannot be healed by docxtpl."""
    findings = []
    for item in texts:
        rest = _TAG.sub("", item.text)
        if any(mark in rest for mark in ("{{", "}}", "{%", "%}")):
            findings.append(_problem(
                "T1", f"标签不完整：“{item.text.strip()[:40]}”", item.place,
                "一个 {{ }} 或 {% %} 标签必须完整地写在同一段落（同一单元格）内；请删除后重新输入整个标签。"))
    return findings


def _placeholders(texts: list[_Text]) -> list[Finding]:
    """Placeholder text outside the tags (「（文字描述）」, 「格式模板」, 【待填写】 …) would be
    printed as it is in every report the template renders (rule T9)."""
    findings = []
    for item in texts:
        if found := placeholders.find(_TAG.sub("", item.text)):
            findings.append(_problem(
                "T9", f"仍有占位文字“{found}”，它会原样出现在用本模板生成的每一份报告中。", item.place,
                "删除占位文字；报告的内容由标签填入（如 {{ title }}、{%p for p in sections.overview.paragraphs %}）。"))
    return findings


def _tag_lines(texts: list[_Text]) -> tuple[str, list[_Place]]:
    """The template's tags alone, one per line, with the place of each line."""
    lines, places = [], []
    for item in texts:
        for match in _TAG.finditer(item.text):
            tag = _DOCXTPL_PREFIX.sub(r"\1 ", match.group(0).replace("\n", " "))
            lines.append(tag)
            places.append(item.place)
    return "\n".join(lines), places


def _syntax_and_names(texts: list[_Text], fmt: Format) -> list[Finding]:
    source, places = _tag_lines(texts)
    try:
        tree = environment().parse(source)
    except jinja2.TemplateSyntaxError as exc:
        place = places[exc.lineno - 1] if exc.lineno and exc.lineno <= len(places) else None
        return [_problem("T2", f"模板语法错误：{exc.message}", place, "检查 {% for %}/{% endfor %}、{% if %}/{% endif %} 是否成对。")]
    except TemplateRefused as exc:
        place = places[exc.lineno - 1] if exc.lineno and exc.lineno <= len(places) else None
        return [_problem("T2", str(exc), place, "模板只能用 {{ 变量 }}、{%p for %}、{%p if %} 填写报告内容。")]
    findings = []
    for name, lineno in _unknown_names(tree, schema_context(fmt)):
        findings.append(_problem("T3", f"未知的变量“{name}”", places[lineno - 1] if lineno <= len(places) else None,
                                 "可用的变量见 README 的“模板中的变量”一节。"))
    return findings


def schema_context(fmt: Format) -> dict:
    """A context with every list filled once, so that loop variables have a shape to check."""
    report = Report.blank("某机关", fmt.first_year, fmt)
    report.narrative = {s.key: Narrative(["段落"], [Part("小标题", ["段落"])]) for s in fmt.sections}
    values = context(report)
    values["lead"] = ["导语"]
    return values


class _Unknown(Exception):
    pass


_ANY = object()  # a value of unknown shape (set by {% set %} or a Jinja global): any attribute goes


def _unknown_names(tree: nodes.Template, schema: dict) -> list[tuple[str, int]]:
    """Dotted names the template uses that the schema lacks, with their tag line."""
    found: list[tuple[str, int]] = []

    def resolve(node, scope):
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            raise _Unknown(node.name)
        if isinstance(node, nodes.Getattr) or (isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const)):
            key = node.attr if isinstance(node, nodes.Getattr) else node.arg.value
            value = resolve(node.node, scope)
            if value is _ANY and not str(key).startswith("_"):
                return _ANY
            if isinstance(value, dict) and key in value:
                return value[key]
            if isinstance(value, (str, dict)) and key in SAFE_METHODS:
                return _ANY
            raise _Unknown(f"{_dotted(node.node)}.{key}")
        return _ANY

    def visit(node, scope):
        if isinstance(node, nodes.For):
            visit(node.iter, scope)
            try:
                items = resolve(node.iter, scope)
            except _Unknown:
                items = None
            inner = dict(scope)
            for target in _names(node.target):
                inner[target] = items[0] if isinstance(items, list) and items else _ANY
            inner["loop"] = _ANY
            for child in node.body + node.else_:
                visit(child, inner)
        elif isinstance(node, nodes.Assign):
            visit(node.node, scope)
            for target in _names(node.target):
                scope[target] = _ANY
        elif isinstance(node, (nodes.Getattr, nodes.Getitem)) or (isinstance(node, nodes.Name) and node.ctx == "load"):
            try:
                resolve(node, scope)
            except _Unknown as unknown:
                found.append((str(unknown), node.lineno))
            if isinstance(node, nodes.Getitem):
                visit(node.arg, scope)
        else:
            for child in node.iter_child_nodes():
                visit(child, scope)

    visit(tree, {**{name: _ANY for name in environment().globals}, **schema})
    return found


def _names(target: nodes.Node) -> list[str]:
    """The names a for-loop or set target binds: ``p`` or ``key, value``."""
    if isinstance(target, nodes.Name):
        return [target.name]
    return [name.name for name in target.find_all(nodes.Name)]


def _dotted(node) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_dotted(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return f"{_dotted(node.node)}.{node.arg.value}"
    return "…"


def _statutory_content(document, texts: list[_Text], fmt: Format) -> tuple[list[Finding], dict[str, str]]:
    """Every heading, and every table cell for cell; with the places a coverage finding points at."""
    findings, places = [], {}
    for item in texts:
        for section in fmt.sections:
            if item.table is None and squeeze(item.text) == squeeze(section.heading):
                places.setdefault(section.heading, item.place.describe())
    for section in fmt.sections:
        if section.heading not in places:
            findings.append(_problem("T4", f"缺少法定标题「{section.heading}」。",
                                     hint="标题须单独成段，文字与官方格式一致；整个部分被删除的，请从 govreport template export "
                                          "导出的模板中复制该部分的标题和标签。"))
    for key, match in find_tables(document, fmt).items():
        heading = fmt.table_section(key).heading
        if match is None:
            findings.append(_problem("T5", f"缺少「{heading}」的表格。",
                                     hint="请从 govreport template export 导出的模板中复制整张表格。"))
            continue
        for mismatch in match.mismatches:
            findings.append(_problem("T5", f"「{heading}」的表格{mismatch.message}。", _Place(mismatch.place, heading),
                                     "不能增删表格的行、列或单元格；表格名称须与官方格式一致。"))
        for ref, slot in figure_slots(match).items():
            place = _Place(slot.place(match.number), heading)
            if f"{{{{{ref}}}}}" in squeeze(slot.text):
                places[str(ref)] = place.describe()
            else:
                findings.append(_problem("T6", f"「{fmt.label(ref)}」的单元格缺少数字标签 {{{{ {ref} }}}}。", place))
    return findings, places


def variables_reference(fmt: Format) -> str:
    """Markdown listing every template variable of a format with its official label."""
    lines = [
        f"# 模板变量（格式 {fmt.version}，{fmt.document}）",
        "",
        "由 `govreport template variables` 生成。表格中的每个数字单元格写作 `{{ 表.行.列 }}`。",
        "",
        "| 变量 | 含义 |",
        "|---|---|",
        *(f"| `{name}` | {meaning} |" for name, meaning in GENERAL_VARIABLES),
    ]
    for section in fmt.sections:
        lines.append(f"| `sections.{section.key}.paragraphs`、`sections.{section.key}.parts` | 「{section.heading}」的段落和分项 |")
    for table_key, table in fmt.tables.items():
        lines += ["", f"## {fmt.table_section(table_key).heading}", "", "| 变量 | 官方名称 |", "|---|---|"]
        for row, column in table.iter_cells():
            ref = f"{table_key}.{row.key}.{column.key}"
            lines.append(f"| `{{{{ {ref} }}}}` | {fmt.label(CellRef.parse(ref))} |")
    return "\n".join(lines) + "\n"


GENERAL_VARIABLES = (
    ("{{ agency }}", "机关全称"),
    ("{{ title_agency }}", "标题中的机关全称：一行排不下时在词语之间换行"),
    ("{{ year }}", "报告年度，如 2025"),
    ("{{ title }}", "报告标题：机关全称 + 年度 + “政府信息公开工作年度报告”"),
    ("{{ date }}", "成文日期，如 2026年1月20日（未填写时为空）"),
    ("{{ format_document }}", "格式文件文号，如 国办公开办函〔2021〕30号"),
    ("lead", "导语段落列表：`{%p for p in lead %}` … `{{ p }}` … `{%p endfor %}`"),
    ("signature", "落款；不显示落款时为空：`{%p if signature %}` … `{%p endif %}`"),
    ("{{ signature.name }}、{{ signature.date }}", "署名、成文日期"),
    ("{{ signature.name_line }}、{{ signature.date_line }}", "署名行、日期行：按 GB/T 9704 以对齐方式和缩进排好位置，署名过长时分行"),
    ("part.title、part.paragraphs", "在 `{%p for part in sections.X.parts %}` 中：分项的小标题和段落"),
)
