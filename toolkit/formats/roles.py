"""The roles a format's rows, columns, tables and sections play for the features that rely on them.

Keys and labels are the format's own business: a new format may rename every one of them. What a
feature needs — the row of requests received, the column that totals the applicants, the section
that states fees — it asks of the format's ``roles:`` block, never by a key spelled in code. A
format that declares no such role keeps working; the feature that needs it says so and stops.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ToolkitError


@dataclass(frozen=True)
class RequestRoles:
    """Table 三: the applications, and the rows and column by which a year balances."""

    table: str
    received: str  # row: requests received in the year
    carried_over: str  # row: carried over from last year
    outcomes_total: str  # row: what was handled; its ``sum_of`` are the outcome rows
    carried_forward: str  # row: carried forward to next year
    applicants_total: str  # column: all applicants; its ``sum_of`` are the applicant types


@dataclass(frozen=True)
class AppealRoles:
    """Table 四: administrative reconsideration and litigation."""

    table: str
    total: str  # column: all results of a kind of case
    pending: str  # column: cases not concluded at the end of the year


@dataclass(frozen=True)
class SectionRoles:
    problems: str  # the section on problems and improvements
    other: str  # the section of other matters, where fees are stated


@dataclass(frozen=True)
class Roles:
    requests: RequestRoles | None = None
    appeals: AppealRoles | None = None
    sections: SectionRoles | None = None
    subtotal_words: tuple[str, ...] = ()  # words of a total printed where a table has none: 小计, 合计
    chart_after: str | None = None  # the table the comparison chart follows in a page

    def need(self, role: str, feature: str, format_version: str):
        """The role, or RoleMissing naming the feature it disables."""
        value = getattr(self, role)
        if not value:
            raise RoleMissing(format_version, role, feature)
        return value


class RoleMissing(ToolkitError):
    """A feature that needs a role the format does not declare."""

    def __init__(self, format_version: str, role: str, feature: str):
        self.format_version, self.role, self.feature = format_version, role, feature
        super().__init__(f"格式 {format_version} 没有在 roles 中声明“{role}”（{ROLE_NAMES[role]}），"
                         f"无法{feature}。请在格式文件的 roles 中补上这一项。")


ROLE_NAMES = {
    "requests": "申请办理情况表及其新收、上年结转、办理结果总计、结转下年度各行和申请人总计列",
    "appeals": "行政复议、行政诉讼表及其总计列、尚未审结列",
    "sections": "存在的主要问题、其他需要报告的事项两个部分",
    "subtotal_words": "表格中非官方的合计行用词",
    "chart_after": "对比图放在哪个表格之后",
}

# The shape of each role block: its fields, and what each names (for the format checker).
ROLE_BLOCKS = {"requests": RequestRoles, "appeals": AppealRoles, "sections": SectionRoles}
ROW, COLUMN, TABLE, SECTION = "row", "column", "table", "section"
NAMES = {
    RequestRoles: {"table": TABLE, "received": ROW, "carried_over": ROW, "outcomes_total": ROW,
                   "carried_forward": ROW, "applicants_total": COLUMN},
    AppealRoles: {"table": TABLE, "total": COLUMN, "pending": COLUMN},
    SectionRoles: {"problems": SECTION, "other": SECTION},
}


def parse_roles(data: dict | None) -> Roles:
    """Roles from a format file's ``roles:`` block (already checked by the format checker)."""
    data = data or {}
    blocks = {name: kind(**data[name]) for name, kind in ROLE_BLOCKS.items() if name in data}
    return Roles(**blocks, subtotal_words=tuple(data.get("subtotal_words", ())), chart_after=data.get("chart_after"))


__all__ = ["AppealRoles", "RequestRoles", "RoleMissing", "Roles", "SectionRoles", "parse_roles"]
