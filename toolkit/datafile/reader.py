"""Reading data files: YAML in, with the line of every value.

Reading is strict — unknown keys, duplicate keys, aliases, wrong types all become located
``Problem``s — because a clerk's typo must never silently turn into a 0 in a statutory table.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from .. import guard
from ..errors import DataFileError, FormatNotFound, Problem
from ..formats import AMOUNT, SIGNED, CellRef, Column, Format, agency_levels, format_for_year, get_format
from ..model import CONTACT_FIELDS, Agency, Lead, Narrative, Part, Report, Signature
from .limits import DIGITS_READ, Limits, character_problem, without_invisible
from .strict_yaml import compose, decode

TOP_LABELS = {
    "format": "报告格式版本",
    "year": "报告年度",
    "date": "成文日期",
    "agency": "机关信息",
    "lead": "导语",
    "sections": "正文各部分",
    "figures": "表格数字",
    "signature": "落款",
}
AGENCY_LABELS = {"name": "机关全称", "level": "机关层级"}
LEAD_LABELS = {"text": "导语全文", "website": "网站名称", "url": "网址", "contact": "联系方式"}
SIGNATURE_LABELS = {"show": "是否显示落款", "name": "署名", "seal": "是否加盖印章"}
NARRATIVE_LABELS = {"paragraphs": "段落", "parts": "分项"}
PART_LABELS = {"title": "小标题", "paragraphs": "段落"}

_PLAIN_INT = re.compile(r"[-+]?\d+")
_CN_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_MAX_AMOUNT_DECIMALS = 4


def load(path: str | Path) -> Report:
    """Read a data file into a ``Report``; raise ``DataFileError`` listing every problem found."""
    path = Path(path)
    return loads(guard.read_bytes(path, guard.MAX_DATA_BYTES), path)


def loads(raw: bytes | str, source: Path | None = None) -> Report:
    text = decode(raw, source) if isinstance(raw, bytes) else raw
    if not text.strip():
        raise DataFileError(source, [Problem("文件是空的，没有任何内容。", hint="可用 govreport new 生成一份空白数据文件。")])
    root = compose(text, source)
    reader = _Reader(source)
    report = reader.report(root)
    if reader.problems:
        raise DataFileError(source, reader.problems)
    return report


class _Reader:
    """Turns a composed YAML tree into a Report, collecting every problem instead of stopping."""

    def __init__(self, source: Path | None):
        self.source = source
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}
        self.limits = Limits()

    def problem(self, node: yaml.Node | None, message: str, path: str | None = None, label: str | None = None,
                hint: str | None = None) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        column = node.start_mark.column + 1 if node is not None else None
        self.problems.append(Problem(message, line, column, path, label, hint))

    # -- generic shapes -------------------------------------------------------------------------

    def mapping(self, node: yaml.Node, path: str, labels: dict[str, str], label: str | None = None,
                ) -> dict[str, yaml.Node]:
        """A mapping's items by key; unknown and duplicate keys are reported and dropped."""
        if node is None or _is_null(node):
            return {}
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, "此处应为若干“键: 值”（映射）。", path, label)
            return {}
        items: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else None
            child = f"{path}.{key}" if path else str(key)
            if key is None:
                self.problem(key_node, "键必须是简单的文字。", path, label)
            elif key in items:
                self.problem(key_node, f"键“{key}”重复出现（第 {items[key].start_mark.line + 1} 行已有）。",
                             child, labels.get(key), hint="删除重复的一项，只保留正确的值。")
            elif key not in labels:
                self.problem(key_node, f"未知的键“{key}”。", child, label, hint=_did_you_mean(key, labels))
            else:
                items[key] = value_node
                self.lines[child] = key_node.start_mark.line + 1
        return items

    def text(self, node: yaml.Node | None, path: str, label: str, required: bool = False,
             paragraph: bool = False) -> str | None:
        """One line of text (a ``paragraph`` may hold line breaks), within the format's length limits."""
        if node is None or _is_null(node):
            if required:
                self.problem(node, f"缺少“{label}”。", path, label)
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, f"“{label}”应为一段文字。", path, label)
            return None
        text = without_invisible(str(node.value)).strip()
        longest = self.limits.max_paragraph if paragraph else self.limits.max_name
        if len(text) > longest:
            self.problem(node, f"“{label}”长 {len(text)} 个字符，超过上限 {longest} 个。", path, label,
                         hint="请确认是否误粘贴了其他内容。")
            return None
        if problem := character_problem(text, one_line=not paragraph):
            self.problem(node, f"“{label}”{problem}。", path, label, hint="请删除该字符后重试。")
            return None
        return text

    def paragraphs(self, node: yaml.Node | None, path: str, label: str) -> list[str]:
        """A list of paragraphs; a single block of text is split at its line breaks."""
        if node is None or _is_null(node):
            return []
        if isinstance(node, yaml.ScalarNode):
            text = self.text(node, path, label, paragraph=True) or ""
            return [line.strip() for line in text.splitlines() if line.strip()]
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"“{label}”应为段落列表（每段一行，以“- ”开头）。", path, label)
            return []
        if len(node.value) > self.limits.max_paragraphs:
            self.problem(node, f"“{label}”有 {len(node.value)} 段，超过上限 {self.limits.max_paragraphs} 段。", path, label)
            return []
        result = []
        for index, item in enumerate(node.value):
            text = self.text(item, f"{path}[{index}]", label, paragraph=True)
            if text:
                self.lines[f"{path}[{len(result)}]"] = item.start_mark.line + 1
                result.append(text)
        return result

    def flag(self, node: yaml.Node | None, path: str, label: str, default: bool) -> bool:
        if node is None or _is_null(node):
            return default
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":bool"):
            return node.value.lower() in ("true", "yes", "on", "y")
        self.problem(node, f"“{label}”应为 true 或 false。", path, label)
        return default

    # -- the report -----------------------------------------------------------------------------

    def report(self, root: yaml.Node) -> Report:
        top = self.mapping(root, "", TOP_LABELS)
        year = self.year(top.get("year"))
        fmt = self.format(top.get("format"), year)
        self.limits = Limits.of(fmt.limits if fmt else None)
        agency_items = self.mapping(top.get("agency"), "agency", AGENCY_LABELS, "机关信息")
        if "agency" not in top:
            self.problem(None, "缺少“agency”（机关信息）。", "agency", "机关信息")
        agency = Agency(
            name=self.text(agency_items.get("name"), "agency.name", "机关全称", required="agency" in top) or "",
            level=self.level(agency_items.get("level")),
        )
        report = Report(
            format=fmt,
            agency=agency,
            year=year or 0,
            date=self.date(top.get("date")),
            lead=self.lead(top.get("lead")) if "lead" in top else None,
            signature=self.signature(top.get("signature")),
            source=self.source,
            lines=self.lines,
        )
        if fmt is not None:
            report.narrative = self.narrative(top.get("sections"), fmt)
            self.figures(top.get("figures"), fmt, report)
        return report

    def year(self, node: yaml.Node | None) -> int | None:
        if node is None:
            self.problem(None, "缺少“year”（报告年度）。", "year", "报告年度", hint="例如 year: 2025")
            return None
        value = str(node.value) if isinstance(node, yaml.ScalarNode) else ""
        if node.tag.endswith(":null"):
            self.problem(node, "没有填写报告年度（year）。", "year", "报告年度", hint="例如 year: 2025")
            return None
        if not (node.tag.endswith(":int") and len(value) <= 4 and _PLAIN_INT.fullmatch(value) and 2000 <= int(value) <= 2100):
            self.problem(node, f"报告年度应为四位数的年份，实际为“{value}”。", "year", "报告年度",
                         hint=_fullwidth_hint(value) or "例如 year: 2025")
            return None
        return int(value)

    def format(self, node: yaml.Node | None, year: int | None) -> Format | None:
        try:
            if node is not None and not _is_null(node):
                return get_format(str(node.value))
            return format_for_year(year) if year else None
        except FormatNotFound as exc:
            self.problem(node, str(exc), "format", "报告格式版本")
            return None

    def level(self, node: yaml.Node | None) -> str | None:
        level = self.text(node, "agency.level", "机关层级")
        if level and level not in agency_levels():
            self.problem(node, f"机关层级“{level}”不在可选范围内。", "agency.level", "机关层级",
                         hint="可选：" + "、".join(agency_levels()))
            return None
        return level

    def date(self, node: yaml.Node | None) -> dt.date | None:
        if node is None or _is_null(node):
            return None
        value = str(node.value).strip()
        match = _CN_DATE.fullmatch(value)
        try:
            if match:
                return dt.date(*map(int, match.groups()))
            if node.tag.endswith(":timestamp"):
                return dt.date.fromisoformat(value[:10])
        except ValueError:
            pass
        self.problem(node, f"成文日期“{value}”无法识别。", "date", "成文日期",
                     hint="写作 2026-01-20 或 2026年1月20日。")
        return None

    def lead(self, node: yaml.Node | None) -> Lead | None:
        if _is_null(node):
            return None
        items = self.mapping(node, "lead", LEAD_LABELS, "导语")
        contact_items = self.mapping(items.get("contact"), "lead.contact", CONTACT_FIELDS, "联系方式")
        contact = {}
        for key, label in CONTACT_FIELDS.items():
            value = self.text(contact_items.get(key), f"lead.contact.{key}", label)
            if value:
                contact[key] = value
        return Lead(
            text=self.text(items.get("text"), "lead.text", "导语全文", paragraph=True),
            website=self.text(items.get("website"), "lead.website", "网站名称"),
            url=self.text(items.get("url"), "lead.url", "网址", paragraph=True),
            contact=contact,
        )

    def signature(self, node: yaml.Node | None) -> Signature:
        items = self.mapping(node, "signature", SIGNATURE_LABELS, "落款")
        return Signature(
            show=self.flag(items.get("show"), "signature.show", "是否显示落款", True),
            name=self.text(items.get("name"), "signature.name", "署名"),
            seal=self.flag(items.get("seal"), "signature.seal", "是否加盖印章", False),
        )

    def narrative(self, node: yaml.Node | None, fmt: Format) -> dict[str, Narrative]:
        headings = {s.key: s.heading for s in fmt.sections}
        items = self.mapping(node, "sections", headings, "正文各部分")
        result = {}
        for key, section_node in items.items():
            path = f"sections.{key}"
            fields = self.mapping(section_node, path, NARRATIVE_LABELS, headings[key])
            parts = []
            parts_node = fields.get("parts")
            if parts_node is not None and not _is_null(parts_node) and not isinstance(parts_node, yaml.SequenceNode):
                self.problem(parts_node, "“parts”应为分项列表（每项以“- title:”开头）。", f"{path}.parts", headings[key])
            elif parts_node is not None and len(parts_node.value) > self.limits.max_parts:
                self.problem(parts_node, f"分项有 {len(parts_node.value)} 个，超过上限 {self.limits.max_parts} 个。",
                             f"{path}.parts", headings[key])
            elif parts_node is not None and not _is_null(parts_node):
                for index, part_node in enumerate(parts_node.value):
                    part_path = f"{path}.parts[{index}]"
                    self.lines[part_path] = part_node.start_mark.line + 1
                    part = self.mapping(part_node, part_path, PART_LABELS, headings[key])
                    if "title" not in part:
                        self.problem(part_node, "分项缺少“title”（小标题）。", part_path, headings[key])
                    title = self.text(part.get("title"), f"{part_path}.title", "小标题")
                    parts.append(Part(title or "", self.paragraphs(part.get("paragraphs"), f"{part_path}.paragraphs", "段落")))
            result[key] = Narrative(self.paragraphs(fields.get("paragraphs"), f"{path}.paragraphs", "段落"), parts)
        return result

    def figures(self, node: yaml.Node | None, fmt: Format, report: Report) -> None:
        tables = {s.table: s.heading for s in fmt.sections if s.table}
        for table_key, table_node in self.mapping(node, "figures", tables, "表格数字").items():
            table = fmt.tables[table_key]
            rows = {row.key: row.name for row in table.rows}
            for row_key, row_node in self.mapping(table_node, f"figures.{table_key}", rows, tables[table_key]).items():
                block = table.block_of(row_key)
                if block.is_single_column:
                    self.figure(row_node, CellRef(table_key, row_key, block.columns[0].key), fmt, report, row_path=True)
                    continue
                path = f"figures.{table_key}.{row_key}"
                columns = {c.key: c.name for c in block.columns}
                for col_key, cell_node in self.mapping(row_node, path, columns, rows[row_key]).items():
                    self.figure(cell_node, CellRef(table_key, row_key, col_key), fmt, report)

    def figure(self, node: yaml.Node, ref: CellRef, fmt: Format, report: Report, row_path: bool = False) -> None:
        path = f"figures.{ref.table}.{ref.row}" if row_path else f"figures.{ref}"
        self.lines[f"figures.{ref}"] = node.start_mark.line + 1
        if _is_null(node) and not fmt.is_derived(ref):
            report.unread.add(ref)  # a figure not known (not read from a published copy): never 0
            return
        value = self.number(node, fmt.column(ref), path, fmt.label(ref))
        if value is None:
            return
        (report.stated_totals if fmt.is_derived(ref) else report.figures)[ref] = value

    def number(self, node: yaml.Node, column: Column, path: str, label: str) -> int | Decimal | None:
        if _is_null(node):
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, "此处应填一个数字。", path, label)
            return None
        value = str(node.value).strip()
        quoted = node.style in ("'", '"')
        if len(value) > DIGITS_READ:
            self.problem(node, f"数字有 {len(value)} 位，超过上限（不超过 {self.limits.max_figure}）。", path, label)
            return None
        number = self.plain_number(node, column, path, label, value, quoted)
        if number is not None and abs(number) > self.limits.max_figure:
            self.problem(node, f"数字 {value} 超过上限 {self.limits.max_figure}。", path, label,
                         hint="请确认是否多输了位数；金额以万元为单位。")
            return None
        return number

    def plain_number(self, node: yaml.Node, column: Column, path: str, label: str, value: str,
                     quoted: bool) -> int | Decimal | None:
        if column.type == AMOUNT:
            try:
                amount = Decimal(value) if not quoted and node.tag.endswith((":int", ":float")) else None
            except InvalidOperation:
                amount = None
            if amount is None or not amount.is_finite():
                self.problem(node, f"应填金额（数字，单位：万元），实际为“{value}”。", path, label,
                             hint=_fullwidth_hint(value) or "不要加引号或单位，例如 12.5")
                return None
            if amount < 0:
                self.problem(node, f"金额不能为负数，实际为 {value}。", path, label)
                return None
            if -amount.as_tuple().exponent > _MAX_AMOUNT_DECIMALS:
                self.problem(node, f"金额最多保留 {_MAX_AMOUNT_DECIMALS} 位小数（1元 = 0.0001万元），实际为 {value}。",
                             path, label)
                return None
            return amount
        if quoted or not node.tag.endswith(":int") or not _PLAIN_INT.fullmatch(value):
            if node.tag.endswith(":float") and not quoted:
                message = f"件数应为整数，实际为 {value}。"
            else:
                message = f"应填整数，实际为“{value}”。"
            self.problem(node, message, path, label, hint=_fullwidth_hint(value) or "只填阿拉伯数字，不加引号和单位；没有则填 0。")
            return None
        number = int(value)
        if number < 0 and column.type != SIGNED:
            self.problem(node, f"件数不能为负数，实际为 {value}。", path, label)
            return None
        return number


def _is_null(node: yaml.Node | None) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")


def _fullwidth_hint(value: str) -> str | None:
    normalized = unicodedata.normalize("NFKC", value)
    if normalized != value and _PLAIN_INT.fullmatch(normalized.replace(".", "", 1).lstrip("-")):
        return f"含有全角字符，请改为半角数字：{normalized}"
    return None


def _did_you_mean(key: str, labels: dict[str, str]) -> str:
    by_label = [k for k, label in labels.items() if key and (key == label or key in label or label.endswith(key))]
    close = by_label or difflib.get_close_matches(key, list(labels), n=1, cutoff=0.6)
    if close:
        return f"是不是“{close[0]}”（{labels[close[0]]}）？"
    return "可用的键：" + "、".join(f"{k}（{v}）" for k, v in list(labels.items())[:12])
