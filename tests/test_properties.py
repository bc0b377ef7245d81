"""Property-based: consistent reports pass; any single-cell break is reported at that cell."""

import datetime as dt

from hypothesis import given, settings, strategies as st

import toolkit
from toolkit import CellRef
from toolkit.model import Narrative, Part

counts = st.integers(min_value=0, max_value=500)


@st.composite
def consistent_reports(draw):
    year = draw(st.sampled_from([2020, 2021, 2024]))
    report = toolkit.new_report("某某市人民政府", year, level="设区的市人民政府")
    report.date = dt.date(year + 1, 1, 20)
    report.narrative = {
        "overview": Narrative(["本年度政府信息公开工作平稳有序。"]),
        "problems": Narrative(["一是公开深度不够。下一步将加强培训。"]),
        "other": Narrative(parts=[Part("（一）收取信息处理费情况", ["本年度依照规定办理信息处理费事项。"])]),
    }
    fmt = report.format
    applications = fmt.tables["applications"]
    result_rows = applications.row("total").sum_of
    for column in applications.blocks[0].columns:
        if column.sum_of:
            continue
        handled = 0
        for row in result_rows:
            value = draw(counts)
            report.figures[CellRef("applications", row, column.key)] = value
            handled += value
        forward = draw(counts)
        carried = draw(st.integers(min_value=0, max_value=handled + forward))
        report.figures[CellRef("applications", "carried_forward", column.key)] = forward
        report.figures[CellRef("applications", "carried_over", column.key)] = carried
        report.figures[CellRef("applications", "new_received", column.key)] = handled + forward - carried
    for ref in fmt.iter_input_cells():
        if ref.table == "appeals" or (ref.table == "proactive" and fmt.column(ref).type == "count"):
            report.figures[ref] = draw(counts)
    return report


@settings(max_examples=60, deadline=None)
@given(consistent_reports())
def test_any_consistent_report_passes(report):
    reloaded = toolkit.loads(toolkit.dumps(report))
    assert toolkit.check(reloaded) == []
    assert all(reloaded.value(ref) == report.value(ref) for ref in report.format.iter_cells())


def _cells_in_equations(fmt):
    return [ref for ref in fmt.iter_input_cells() if ref.table == "applications"]


@settings(max_examples=80, deadline=None)
@given(consistent_reports(), st.data())
def test_a_single_changed_cell_is_reported_at_that_cell(report, data):
    target = data.draw(st.sampled_from(_cells_in_equations(report.format)))
    delta = data.draw(st.integers(min_value=1, max_value=50))
    report.figures[target] = report.figures.get(target, 0) + delta
    reloaded = toolkit.loads(toolkit.dumps(report))
    errors = [f for f in toolkit.check(reloaded) if f.severity == "error"]
    assert errors, target
    line = reloaded.line_of_cell(target)
    label = reloaded.format.label(target)
    assert any(c.ref == str(target) and c.line == line and c.label == label for f in errors for c in f.cells), (
        target, [f.describe() for f in errors])


@settings(max_examples=40, deadline=None)
@given(consistent_reports(), st.data())
def test_a_wrong_stated_total_is_reported_at_that_total(report, data):
    fmt = report.format
    derived = [ref for ref in fmt.iter_cells() if fmt.is_derived(ref)]
    target = data.draw(st.sampled_from(derived))
    report.stated_totals[target] = report.value(target) + data.draw(st.integers(min_value=1, max_value=9))
    reloaded = toolkit.loads(toolkit.dumps(report))
    [finding] = [f for f in toolkit.check(reloaded) if f.severity == "error"]
    assert finding.rule == "B" and finding.cells[0].ref == str(target)
    assert finding.line == reloaded.line_of_cell(target)
