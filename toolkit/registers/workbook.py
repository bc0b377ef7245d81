"""An empty register workbook an office can keep from the first request on: the recommended columns,
drop-down lists of the official applicant types, outcomes, case kinds and results, and a notes sheet.

Every choice offered is an official label of the format (or a word the tally reads as one), so a
register kept in it tallies without a single unplaceable row.
"""

from __future__ import annotations

import datetime as dt
import io

from ..formats import Format
from ..output import display_width
from .labels import Labels, register_categories

REQUEST_SHEET, CASE_SHEET, NOTES_SHEET, CHOICES_SHEET = "申请登记", "复议诉讼案件", "填写说明", "选项"
ROWS_PREPARED = 2000  # rows that carry the drop-down lists and date checks
_TITLE_ROW, _HEADER_ROW = 1, 3


def choices(fmt: Format, labels: Labels) -> dict[str, list[str]]:
    """The drop-down choices: each official row or column named by its label below the table's head."""
    applicant_columns, outcome_rows = register_categories(fmt)
    appeals = fmt.tables[fmt.roles.appeals.table] if fmt.roles.appeals else None
    below_head = lambda label: "—".join(label[1:] or label)  # a one-level label is its own choice
    return {
        "applicant": [below_head(c.label) for c in applicant_columns],
        "outcome": [below_head(r.label) for r in outcome_rows] + labels.data["in_progress"][:1],
        "kind": ["—".join(r.label) for r in appeals.rows] if appeals else [],
        "result": [c.name for c in appeals.blocks[0].columns if not c.sum_of] if appeals else [],
    }


def template_workbook(fmt: Format, labels: Labels | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    labels = labels or Labels.load()
    lists = choices(fmt, labels)
    requests, cases = labels.data["columns"], labels.data["case_columns"]
    sheets = {
        REQUEST_SHEET: [(requests["number"][0], 14, None), (requests["received"][0], 13, "date"),
                        ("申请人姓名或名称", 22, None), (requests["applicant_type"][0], 28, "applicant"),
                        ("申请内容", 36, None), (requests["answered"][0], 13, "date"),
                        (requests["outcome"][0], 60, "outcome"), ("备注", 24, None)],
        CASE_SHEET: [(cases["number"][0], 16, None), (cases["kind"][0], 26, "kind"),
                     (cases["received"][0], 13, "date"), (cases["concluded"][0], 13, "date"),
                     (cases["result"][0], 14, "result"), ("涉及的申请编号", 16, None), ("备注", 24, None)],
    }
    titles = {REQUEST_SHEET: "政府信息公开申请登记台账", CASE_SHEET: "政府信息公开行政复议、行政诉讼案件台账"}
    book = Workbook()
    book.remove(book.active)
    choice_sheet = book.create_sheet(CHOICES_SHEET)
    ranges = {}
    for column, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(column)
        for row, value in enumerate(values, start=1):
            choice_sheet.cell(row, column, value)
        ranges[name] = f"'{CHOICES_SHEET}'!${letter}$1:${letter}${len(values)}"
    choice_sheet.sheet_state = "hidden"

    thin = Side(style="thin", color="808080")
    for sheet_name, columns in sheets.items():
        ws = book.create_sheet(sheet_name, index=len(book.sheetnames) - 1)
        ws.cell(_TITLE_ROW, 1, titles[sheet_name]).font = Font(name="宋体", size=16, bold=True)
        ws.merge_cells(start_row=_TITLE_ROW, start_column=1, end_row=_TITLE_ROW, end_column=len(columns))
        ws.cell(_TITLE_ROW, 1).alignment = Alignment(horizontal="center", vertical="center")
        ws.row_dimensions[_TITLE_ROW].height = 30
        ws.cell(_TITLE_ROW + 1, 1, "填报单位：　　　　　　　　　　每件一行；带下拉箭头的列请从列表中选择；日期写作 2025-03-05。")
        ws.merge_cells(start_row=_TITLE_ROW + 1, start_column=1, end_row=_TITLE_ROW + 1, end_column=len(columns))
        for column, (name, width, kind) in enumerate(columns, start=1):
            cell = ws.cell(_HEADER_ROW, column, name)
            cell.font = Font(name="宋体", bold=True)
            cell.fill = PatternFill("solid", fgColor="D9E1F2")
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            letter = get_column_letter(column)
            ws.column_dimensions[letter].width = width
            cells = f"{letter}{_HEADER_ROW + 1}:{letter}{_HEADER_ROW + ROWS_PREPARED}"
            if kind == "date":
                check = DataValidation(type="date", operator="between", formula1="DATE(2008,1,1)",
                                       formula2="DATE(2100,12,31)", allow_blank=True, showErrorMessage=True,
                                       errorTitle="日期", error="请填写日期，例如 2025-03-05。")
            elif kind:
                check = DataValidation(type="list", formula1=f"={ranges[kind]}", allow_blank=True,
                                       showErrorMessage=True, errorTitle=name, error="请从下拉列表中选择。")
            else:
                continue
            check.add(cells)
            ws.add_data_validation(check)
        ws.freeze_panes = ws.cell(_HEADER_ROW + 1, 1)
        ws.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4  # spreadsheet programs otherwise print on Letter
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True

    notes = book.create_sheet(NOTES_SHEET, index=len(book.sheetnames) - 1)
    notes.column_dimensions["A"].width = 70
    notes.page_setup.paperSize = notes.PAPERSIZE_A4
    notes.page_setup.fitToWidth, notes.page_setup.fitToHeight = 1, 0
    notes.sheet_properties.pageSetUpPr.fitToPage = True
    for row, line in enumerate(_notes(fmt, requests, cases), start=1):
        cell = notes.cell(row, 1, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.font = Font(name="宋体", size=14 if row == 1 else 11, bold=row == 1)
        # Row heights are not computed by every spreadsheet program: size them for the wrapped text.
        notes.row_dimensions[row].height = 18 * (display_width(line) // 62 + 1) + 4
    book.active = 0
    book.properties.title = titles[REQUEST_SHEET]
    book.properties.created = dt.datetime(2000, 1, 1)  # reproducible bytes: no timestamp of the moment
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def _notes(fmt: Format, requests: dict, cases: dict) -> list[str]:
    name = lambda columns, role: f"“{columns[role][0]}”"
    return [
        "填写说明",
        f"本台账按《中华人民共和国政府信息公开工作年度报告格式》（{fmt.document}）设计，"
        "年底可用 govreport tally 命令由本台账直接生成年度报告第三、四部分的表格数字。",
        f"一、“{REQUEST_SHEET}”工作表：每收到一件政府信息公开申请登记一行，同一申请只登记一次，{name(requests, 'number')}不得重复。",
        f"二、{name(requests, 'received')}填收到申请的日期；{name(requests, 'answered')}填作出答复（办结）的日期，尚未答复的留空。",
        f"三、{name(requests, 'applicant_type')}从下拉列表选择；法人或其他组织须选具体类别（商业企业、科研机构等）。",
        f"四、{name(requests, 'outcome')}从下拉列表选择，与年度报告表三的办理结果一一对应；尚未答复的选“办理中”。"
        "部分公开的只选“部分公开”，不再计其他情形。",
        "五、年度统计规则：收到日期在本年度的计入“本年新收”；以前年度收到、本年1月1日尚未答复的计入“上年结转”；"
        "本年度内答复的按办理结果计入；12月31日尚未答复的计入“结转下年度继续办理”。因此各列勾稽关系和相邻年度的结转数自然一致。",
        f"六、“{CASE_SHEET}”工作表：每件行政复议、行政诉讼案件登记一行。{name(cases, 'result')}在审结后填写，"
        f"未审结的选“尚未审结”并将{name(cases, 'concluded')}留空。本年度审结的按结果计入，年底尚未审结的计入“尚未审结”；"
        "以前年度收到、本年度仍在办理的案件也计入本年度。",
        "七、不要合并数据区域的单元格，不要在表格中间插入小计行；可在表格右侧增加本单位需要的列，统计时会被忽略。",
        "八、台账中无法对应到法定栏目的行（如办理结果填“转办”），统计时会逐条指出所在工作表、行号和列名，不会被猜测计入。",
    ]
