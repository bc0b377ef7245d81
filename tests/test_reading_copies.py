"""Copies as the web prints them, in the wording and layouts the audit must read: each case below
is a line or a sentence of a published copy, quoted by the issue that reported it misread, set in
an otherwise plain report. Tables in every layout are proved on the generated corpus
(test_layout_corpus.py); here: blanks and group labels placed by position, prose never a table,
figures with full-width digits, who and which year from the lead and the body, outline and title."""

from __future__ import annotations

from decimal import Decimal

import pytest

from toolkit import api
from toolkit.extract import extract
from toolkit.formats import CellRef

HEADINGS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


def copy(tmp_path, top: list[str], sections: dict[int, list[str]] | None = None, closing=("2025年1月20日",),
         headings=HEADINGS) -> tuple:
    sections = sections or {}
    lines = [*top]
    for number, heading in enumerate(headings):
        lines += [heading, *sections.get(number, ["本年度工作平稳有序。"])]
    path = tmp_path / "copy.txt"
    path.write_text("\n".join([*lines, *closing]) + "\n", encoding="utf-8")
    checked = api.check_file(path)
    return extract(path), {f.rule: f for f in checked.findings}


TITLE = ["某某县某某局2024年政府信息公开工作年度报告"]
TABLE_TWO = ["第二十条第（一）项 |", "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |", "规章 | 0 | 0 | 0 |",
             "行政规范性文件 | 3 | 0 | 12 |", "第二十条第（五）项 |", "信息内容 | 本年处理决定数量 |", "行政许可 | 7 |",
             "第二十条第（六）项 |", "信息内容 | 本年处理决定数量 |", "行政处罚 | 2 |", "行政强制 | 0 |",
             "第二十条第（八）项 |", "信息内容 | 本年收费金额（单位：万元） |", "行政事业性收费 | 0 |"]


def test_blank_cells_between_separators_and_group_labels_keep_their_columns(tmp_path):
    rows = ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 |",
            "自然人 | 法人或其他组织 | 总计 |", "商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |",
            "三、本年度办理结果 | （一）予以公开 | 41 | 3 |  |  | 1 |  | ",
            "（四）无法提供 | 1.本机关不掌握相关政府信息 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |"]
    extraction, findings = copy(tmp_path, TITLE, {2: rows})
    report = extraction.report
    disclosed = [report.figures.get(CellRef("applications", "disclosed", c)) for c in
                 ("natural_person", "commercial", "research", "public_interest", "legal_service", "other")]
    assert disclosed == [41, 3, 0, 0, 1, 0]
    assert {c for t, r, c in report.blank_cells if r == "disclosed"} == {"research", "public_interest", "other", "total"}
    assert report.figures[CellRef("applications", "unavailable_not_held", "natural_person")] == 2
    assert findings["T2"].expected == "45" and "T1" in findings


def test_full_width_figures_keep_every_digit(tmp_path):
    rows = [line.replace("行政事业性收费 | 0", "行政事业性收费 | １２３４５．６７").replace("行政许可 | 7", "行政许可 | ７")
            for line in TABLE_TWO]
    report = copy(tmp_path, TITLE, {1: rows})[0].report
    assert report.figures[CellRef("proactive", "fees", "amount")] == Decimal("12345.67")
    assert report.figures[CellRef("proactive", "licensing", "decisions")] == 7


def test_prose_numbers_are_never_a_tables_figures(tmp_path):
    extraction, findings = copy(tmp_path, TITLE, {1: ["本年度公开行政处罚信息31条、行政许可信息120条。"]})
    report = extraction.report
    assert not [ref for ref in report.figures if ref.table == "proactive"]
    assert CellRef("proactive", "penalty", "decisions") in report.unread
    assert "H3" in findings  # said: the table is not published as text


def test_a_sentence_naming_old_labels_does_not_decide_the_format(tmp_path):
    prose = ["本年新制作数量和对外公开总数量均有增加，其他对外管理服务事项和政府集中采购信息及时公开。"]
    extraction, findings = copy(tmp_path, ["某某县某某局2023年政府信息公开工作年度报告"], {1: prose})
    assert extraction.report.format.version == "2021" and "L1" not in findings


def test_agency_between_two_title_lines_and_its_level_from_the_body(tmp_path):
    top = ["2022年政府信息公开工作年度报告", "某某镇人民政府", "2022年政府信息公开工作年度报告"]
    rules_made = [line.replace("规章 | 0 | 0 | 0", "规章 | 2 | 0 | 2") for line in TABLE_TWO]
    extraction, findings = copy(tmp_path, top, {1: rules_made}, closing=("2023年1月20日",))
    assert (extraction.report.agency.name, extraction.report.year) == ("某某镇人民政府", 2022)
    assert "E1" in findings and "M2" not in findings


def test_level_from_self_references_when_no_name_tells_it(tmp_path):
    top = ["2023年政府信息公开工作年度报告"]
    body = ["2023年，我镇坚持依法公开。我镇门户网站发布信息120条。"]
    rules_made = [line.replace("规章 | 0 | 0 | 0", "规章 | 1 | 0 | 1") for line in TABLE_TWO]
    extraction, findings = copy(tmp_path, top, {0: body, 1: rules_made}, closing=("2024年1月20日",))
    assert extraction.report.agency.level == "乡镇人民政府"
    assert "我镇" in findings["E1"].message


@pytest.mark.parametrize("lead, agency", [
    ("交通运输部编制了本报告。", "交通运输部"),
    ("本报告由某某局编制，统计期限为2024年1月1日至12月31日。", "某某局"),
    ("如对本报告有疑问，请与某某区人力资源和社会保障局联系。", "某某区人力资源和社会保障局"),
    ("现将某某街道2024年度政府信息公开工作报告如下。", "某某街道"),
    ("2024年，某某区商务局认真贯彻落实《条例》。", "某某区商务局"),
])
def test_agency_named_in_the_lead(tmp_path, lead, agency):
    extraction, findings = copy(tmp_path, ["2024年政府信息公开工作年度报告", lead])
    assert extraction.report.agency.name == agency
    assert findings["M2"].message == f"原文标题中没有机关名称，按导语取为“{agency}”。"  # the inference, said


def test_a_cited_notice_is_not_the_agency(tmp_path):
    lead = "根据《某某省人民政府办公厅关于做好2024年政府信息公开工作年度报告编制工作的通知》要求编制本报告。"
    extraction, findings = copy(tmp_path, ["2024年政府信息公开工作年度报告", lead])
    assert extraction.report.agency.name == "" and "M2" in findings


def test_outline_used_before_2019_is_an_outdated_format(tmp_path):
    old = ["一、概述", "二、主动公开政府信息情况", "三、依申请公开政府信息情况", "四、政府信息公开的收费及减免情况",
           "五、因政府信息公开申请行政复议、提起行政诉讼的情况", "六、政府信息公开工作存在的主要问题及改进情况",
           "七、其他需要报告的事项"]
    findings = copy(tmp_path, TITLE, headings=old)[1]
    assert findings["L2"].severity == "error" and "一、概述" in findings["L2"].found
    assert "H1" not in findings and "H2" not in findings


def test_five_sections_instead_of_six(tmp_path):
    five = HEADINGS[:4] + ["五、存在的主要问题、改进情况及其他需要报告的事项"]
    findings = copy(tmp_path, TITLE, headings=five)[1]
    assert "5 个部分" in findings["L3"].message and "H2" not in findings


@pytest.mark.parametrize("top, said", [
    (["某某县某某局2024年2024年度政府信息公开工作年度报告"], "写了 2 次"),
    (["某某县某某局2024年政府信息公开工作年度报告", "某某县某某局2024年政府信息公开工作年度报告"], "重复"),
    (["某某县某某局2023年政府信息公开工作年度报告", "本报告统计期限为2024年1月1日至2024年12月31日。"], "统计期限为2024年"),
])
def test_title_printed_twice_or_with_a_wrong_year(tmp_path, top, said):
    assert said in copy(tmp_path, top)[1]["M4"].message


def test_a_plain_title_gives_no_title_finding(tmp_path):
    top = [*TITLE, "本报告统计期限为2024年1月1日至2024年12月31日。"]
    assert "M4" not in copy(tmp_path, top)[1]


def test_spam_inside_a_cited_notice_title(tmp_path):
    lead = ("根据《国务院办公厅政府信息与政务公开办公室澳门金沙城中心:印发〈中华人民共和国政府信息公开工作年度报告格式〉"
            "的通知》要求，编制本报告。")
    findings = copy(tmp_path, [*TITLE, lead])[1]
    assert "澳门金沙城中心" in findings["M3"].message


def test_a_cited_format_not_in_force_for_the_year(tmp_path):
    lead = "本报告按照《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函〔2019〕60号）编制。"
    findings = copy(tmp_path, ["某某县某某局2022年政府信息公开工作年度报告", lead], closing=("2023年1月20日",))[1]
    assert findings["L4"].found == "国办公开办函〔2019〕60号" and findings["L4"].expected == "国办公开办函〔2021〕30号"
    lead_2021 = lead.replace("〔2019〕60号", "〔2021〕30号")
    assert "L4" not in copy(tmp_path, ["某某县某某局2022年政府信息公开工作年度报告", lead_2021], closing=("2023年1月20日",))[1]


def test_a_number_stated_for_two_kinds_together_is_not_one_kinds(tmp_path):
    rows = ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 |",
            "三、本年度办理结果 | （一）予以公开 | 40 | 0 | 0 | 0 | 0 | 0 | 40 |",
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形） | 2 | 0 | 0 | 0 | 0 | 0 | 2 |"]
    said = ["本年度予以公开及部分公开42件。"]
    findings = copy(tmp_path, TITLE, {0: said, 2: rows})[1]
    assert "D7" not in findings and "D6" not in findings
    wrong = copy(tmp_path, TITLE, {0: ["本年度部分公开5件。"], 2: rows})[1]
    assert wrong["D7"].found == "5"
