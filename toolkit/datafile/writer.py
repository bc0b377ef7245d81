"""Writing data files: every key present, each annotated with its official label."""

from __future__ import annotations

from decimal import Decimal

import yaml

from ..formats import CellRef
from ..model import CONTACT_FIELDS, Lead, Narrative, Report, figure_text
from ..output import display_width


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, (int, Decimal)):
        return figure_text(value)
    dumped = yaml.safe_dump(str(value), allow_unicode=True, default_flow_style=True, width=1 << 30)
    return dumped.removesuffix("\n").removesuffix("\n...")


def _comment(line: str, comment: str, width: int = 40) -> str:
    pad = max(1, width - display_width(line))
    return f"{line}{' ' * pad}# {comment}"


def dumps(report: Report) -> str:
    """The report as an annotated data file: every key present, each with its official label."""
    fmt = report.format
    out = [
        f"# {report.title if report.year else report.agency.name + '政府信息公开工作年度报告'}（数据文件）",
        f"# 格式：{fmt.document}。编辑后运行 govreport check 检查，govreport render 生成 Word 报告。",
        "# 表格数字：未填写的按 0 计；各“总计”由程序自动计算，无需填写（如填写，将与计算结果核对）。",
        "",
        _comment(f'format: "{fmt.version}"', f"报告格式版本（{fmt.document}）"),
        _comment(f"year: {_scalar(report.year)}", "报告年度" if report.year else "报告年度：原文中未能读取，请填写，例如 2025"),
        _comment(f"date: {report.date.isoformat() if report.date else 'null'}", "成文日期，例如 2026-01-20"),
        "agency:",
        _comment(f"  name: {_scalar(report.agency.name)}", "机关全称（用于标题和落款）"),
        _comment(f"  level: {_scalar(report.agency.level)}", "机关层级，如：乡镇人民政府、政府部门（可选值见 README）"),
    ]
    out += _dump_lead(report.lead)
    signature = report.signature
    out += [
        _comment("signature:", "落款"),
        _comment(f"  show: {'true' if signature.show else 'false'}", "是否在文末显示落款"),
        _comment(f"  name: {_scalar(signature.name)}", "署名；为空时使用机关全称"),
        _comment(f"  seal: {'true' if signature.seal else 'false'}", "是否加盖印章（影响落款位置）"),
        "",
        _comment("sections:", "正文各部分（叙述文字）"),
    ]
    for section in fmt.sections:
        narrative = report.narrative.get(section.key)
        if section.table is None or (narrative and narrative.texts()):
            out += _dump_narrative(section.key, section.heading, narrative)
    out += ["", _comment("figures:", "表格数字")]
    for section in fmt.sections:
        if section.table:
            out += _dump_table(report, section.table, section.heading)
    return "\n".join(out) + "\n"


def _dump_lead(lead: Lead | None) -> list[str]:
    if lead is None:
        return ["lead: null" + " " * 29 + "# 导语：不需要导语时为 null"]
    out = [
        _comment("lead:", "导语（位于“一、总体情况”之前）；不需要导语时改为 lead: null"),
        _comment(f"  text: {_scalar(lead.text)}", "导语全文；为空时按以下信息自动生成"),
        _comment(f"  website: {_scalar(lead.website)}", "发布本报告的网站名称"),
        _comment(f"  url: {_scalar(lead.url)}", "网址"),
        "  contact:",
    ]
    out += [_comment(f"    {key}: {_scalar(lead.contact.get(key))}", label) for key, label in CONTACT_FIELDS.items()]
    return out


def _dump_narrative(key: str, heading: str, narrative: Narrative | None) -> list[str]:
    narrative = narrative or Narrative()
    out = [_comment(f"  {key}:", heading)]
    out.append("    paragraphs:" + ("" if narrative.paragraphs else " []"))
    out += [f"      - {_scalar(p)}" for p in narrative.paragraphs]
    out.append("    parts:" + ("" if narrative.parts else " []"))
    for part in narrative.parts:
        out.append(f"      - title: {_scalar(part.title)}")
        out.append("        paragraphs:" + ("" if part.paragraphs else " []"))
        out += [f"          - {_scalar(p)}" for p in part.paragraphs]
    return out


def _dump_table(report: Report, table_key: str, heading: str) -> list[str]:
    fmt = report.format
    table = fmt.tables[table_key]
    out = [_comment(f"  {table_key}:", heading)]
    for block in table.blocks:
        if block.title:
            out.append(f"    # {block.title}")
        for row in block.rows:
            # Totals are derived; they are written only where the data states them, to be checked.
            cells = [CellRef(table_key, row.key, c.key) for c in block.columns]
            cells = [ref for ref in cells if not fmt.is_derived(ref) or ref in report.stated_totals]
            if not cells:
                continue
            if block.is_single_column:
                out.append(_comment(f"    {row.key}: {_figure(report, cells[0])}", f"{row.name} — {block.columns[0].name}"))
                continue
            out.append(_comment(f"    {row.key}:", row.name))
            out += [_comment(f"      {ref.col}: {_figure(report, ref)}", fmt.column(ref).name) for ref in cells]
    return out


def _figure(report: Report, ref: CellRef) -> str:
    if ref in report.unread or (ref not in report.stated_totals and report.unread_under(ref)):
        return "null"  # not read: unknown, never 0
    return str(report.stated_totals[ref] if ref in report.stated_totals else report.value(ref))
