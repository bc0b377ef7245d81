"""Every consistency rule, with a passing and a failing case."""

import datetime as dt
from decimal import Decimal

import pytest

import toolkit
from toolkit import CellRef
from toolkit.model import Narrative, Part

APPLICANTS = ["natural_person", "commercial", "research", "public_interest", "legal_service", "other"]


def ref(dotted: str) -> CellRef:
    return CellRef.parse(dotted)


def consistent(year: int = 2025, agency: str = "某某市某某局", **kw) -> toolkit.Report:
    """A filled-in report that breaks no rule: 5 new + 1 carried = 4 handled + 2 carried forward."""
    report = toolkit.new_report(agency, year, **kw)
    report.date = dt.date(year + 1, 1, 20)
    report.narrative["overview"] = Narrative(["本年度共收到政府信息公开申请5件，办结4件，结转下年度2件。"])
    report.narrative["problems"] = Narrative(["一是公开深度不够。下一步将加强培训。"])
    report.narrative["other"] = Narrative(parts=[Part("（一）收取信息处理费情况", ["本年度未收取信息处理费。"])])
    figures = {
        "applications.new_received.natural_person": 5,
        "applications.carried_over.natural_person": 1,
        "applications.disclosed.natural_person": 3,
        "applications.rejected_duplicate.natural_person": 1,
        "applications.carried_forward.natural_person": 2,
        "appeals.reconsideration.upheld": 1,
    }
    for dotted, value in figures.items():
        report.figures[ref(dotted)] = value
    return toolkit.loads(toolkit.dumps(report))  # through the file, so findings carry lines


def findings(report, previous=None, rule=None):
    found = toolkit.check(report, previous)
    return [f for f in found if rule is None or f.rule == rule]


def test_consistent_report_is_clean():
    assert findings(consistent()) == []
    assert findings(consistent(2020)) == []


def test_rule_a_names_the_column_and_the_lines():
    report = consistent()
    report.figures[ref("applications.new_received.natural_person")] = 6
    [finding] = findings(report, rule="A")
    assert finding.severity == "error"
    assert "自然人" in finding.message and (finding.found, finding.expected) == ("7", "6")
    assert finding.involves(ref("applications.new_received.natural_person"))
    assert finding.line == report.line_of_cell(ref("applications.new_received.natural_person"))
    labels = [c.label for c in finding.cells]
    assert "三、本年度办理结果 / （七）总计 / 自然人" in labels


def test_rule_b_stated_totals_are_checked():
    report = consistent()
    report.stated_totals[ref("applications.new_received.total")] = 5
    assert findings(report) == []
    report.stated_totals[ref("applications.new_received.total")] = 9
    [finding] = findings(report, rule="B")
    assert (finding.expected, finding.found) == ("5", "9")
    assert finding.cells[0].label == "一、本年新收政府信息公开申请数量 / 总计"
    report.stated_totals = {ref("applications.total.natural_person"): 3}
    [finding] = findings(report, rule="B")
    assert finding.expected == "4" and len(finding.cells) == 1 + 21
    report.stated_totals = {ref("appeals.litigation_direct.total"): 1}
    [finding] = findings(report, rule="B")
    assert "行政诉讼 / 未经复议直接起诉 / 总计" in finding.message


def test_rule_x1_carry_over_matches_last_year():
    last, this = consistent(2024), consistent(2025)
    this.figures[ref("applications.carried_over.natural_person")] = 2
    this.figures[ref("applications.new_received.natural_person")] = 4
    this.narrative["overview"].paragraphs = ["本年度依申请公开工作平稳有序。"]
    assert findings(this, last) == []
    this.figures[ref("applications.carried_over.natural_person")] = 1
    this.figures[ref("applications.new_received.natural_person")] = 5
    [finding] = findings(this, last, rule="X1")
    assert finding.severity == "error" and (finding.found, finding.expected) == ("1", "2")
    assert any(c.previous_year for c in finding.cells)
    assert findings(this, rule="X1") == []  # needs last year's report


def test_rule_x1_across_format_versions():
    last, this = consistent(2020), consistent(2021)
    this.figures[ref("applications.carried_over.natural_person")] = 2
    this.figures[ref("applications.new_received.natural_person")] = 4
    this.narrative["overview"].paragraphs = ["本年度依申请公开工作平稳有序。"]
    assert findings(this, last) == []


def test_rule_x2_in_force_documents_is_a_warning():
    last, this = consistent(2024), consistent(2025)
    last.figures[ref("proactive.normative_documents.in_force")] = 10
    this.figures.update({ref("proactive.normative_documents.issued"): 3, ref("proactive.normative_documents.repealed"): 1,
                         ref("proactive.normative_documents.in_force"): 12})
    assert findings(this, last, rule="X2") == []
    this.figures[ref("proactive.normative_documents.in_force")] = 13
    [finding] = findings(this, last, rule="X2")
    assert (finding.rule, finding.severity) == ("X2", "warning")
    assert "行政规范性文件" in finding.message


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        ("共收到政府信息公开申请7件", "D1"),
        ("办结政府信息公开申请5件", "D2"),
        ("结转下年度继续办理3件", "D3"),
        ("政府信息公开行政复议2件", "D4"),
        ("政府信息公开行政诉讼1件", "D5"),
    ],
)
def test_rule_d_narrative_numbers(sentence, rule):
    report = consistent()
    assert findings(report, rule=rule) == []
    report.narrative["overview"].paragraphs.append(f"本年度{sentence}。")
    [finding] = findings(report, rule=rule)
    assert finding.severity == "warning" and sentence[-2:] in finding.message


def test_rule_d_accepts_new_plus_carried_over():
    report = consistent()
    report.narrative["overview"].paragraphs = ["全年共受理政府信息公开申请 6 件（含上年结转1件）。"]
    assert findings(report, rule="D1") == []


def test_rule_e1_township_reporting_regulations():
    report = consistent(agency="某某县某某镇人民政府")
    assert findings(report) == []
    report.figures[ref("proactive.regulations.issued")] = 1
    [finding] = findings(report, rule="E1")
    assert "规章" in finding.message and "乡镇人民政府" in finding.message
    city = consistent(agency="某某市人民政府", level="设区的市人民政府")
    city.figures[ref("proactive.regulations.issued")] = 1
    assert findings(city, rule="E1") == []


def test_rule_e2_fee_in_yuan_instead_of_wan_yuan():
    report = consistent(agency="某某县某某镇人民政府")
    report.figures[ref("proactive.fees.amount")] = Decimal("12.5")
    assert findings(report) == []
    report.figures[ref("proactive.fees.amount")] = Decimal("125000")
    [finding] = findings(report, rule="E2")
    assert "万元" in finding.message


def test_rule_e3_unpaid_fee_but_no_fee_reported():
    report = consistent()
    report.figures[ref("applications.other_unpaid_fee.natural_person")] = 1
    report.figures[ref("applications.disclosed.natural_person")] = 2
    assert findings(report, rule="E3")
    report.narrative["other"].parts[0].paragraphs = ["本年度发出收费通知1件，申请人逾期未缴纳信息处理费。"]
    assert findings(report, rule="E3") == []


def test_completeness_rules():
    draft = toolkit.loads(toolkit.dumps(toolkit.new_report("某某乡人民政府", 2025)))
    rules = {f.rule for f in findings(draft)}
    assert rules == {"F1", "F4"} and all(f.severity == "warning" for f in findings(draft))
    report = consistent()
    report.narrative["problems"] = Narrative(["无。"])
    assert [f.rule for f in findings(report)] == ["F2"]
    report = consistent()
    report.narrative["other"] = Narrative(["无"])
    assert {f.rule for f in findings(report)} == {"F2", "F3"}
    report = consistent()
    report.date = dt.date(2026, 5, 1)
    assert [f.rule for f in findings(report)] == ["F5"]
    report = consistent(level="政府部门")
    report.date = dt.date(2026, 2, 15)
    assert [f.rule for f in findings(report)] == ["F5"]


def test_fee_statement_is_not_required_in_2019_format():
    report = consistent(2020)
    report.narrative["other"] = Narrative(["本年度无其他需要报告的事项。"])
    assert findings(report) == []
