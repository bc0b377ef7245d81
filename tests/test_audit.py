"""Auditing real published copies (../shared/real/web): what is read, what is said to be missing,
and the defects each copy is known to have. Every input here is a real published file."""

from __future__ import annotations

import io
import zipfile

import pytest

from toolkit import api, rules
from toolkit.errors import DataFileError
from toolkit.extract import extract
from toolkit.formats import CellRef

pytestmark = pytest.mark.usefixtures("shared")


@pytest.fixture
def web(shared):
    return shared / "real/web"


def cell(dotted):
    return CellRef.parse(dotted)


def rule_ids(path, **kw):
    return [f.rule for f in api.check_file(path, **kw).findings]


@pytest.mark.parametrize("name, agency, year", [
    ("107.txt", "孝感市人民政府办公室", 2020),  # title over two lines, agency first
    ("119.txt", "浙江省市场监督管理局", 2023),  # year-first title
    ("121.txt", "阿城区机关后勤服务中心", 2021),  # title line duplicated
    ("112.txt", "湛江市人民政府地方志办公室", 2023),  # no title: the 导语 names both
    ("105.md", "上海市人民政府办公厅", 2025),  # year-first title split over two lines
    ("127.txt", "铜官区西湖镇", 2023),  # breadcrumbs before the title
])
def test_year_and_agency_where_the_copy_states_them(web, name, agency, year):
    report = extract(web / name).report
    assert (report.agency.name, report.year) == (agency, year)


def test_year_from_the_statistics_period_and_missing_where_not_stated(web):
    assert extract(web / "108.txt").report.year == 2020  # 统计期限为2020年1月1日至…
    missing = extract(web / "113.txt")
    assert missing.report.year is None and missing.report.agency.name == ""
    assert {"M1", "M2"} <= set(rule_ids(web / "113.txt"))


def test_pipe_rows_with_blank_cells_are_zero_and_reported(web):
    report = extract(web / "113.txt").report
    assert report.figures[cell("proactive.normative_documents.in_force")] == 101
    assert report.figures[cell("applications.new_received.natural_person")] == 0
    assert cell("applications.new_received.commercial") in report.blank_cells
    findings = api.check_file(web / "113.txt").findings
    blank = next(f for f in findings if f.rule == "T1")
    assert "applications.carried_over.natural_person" in blank.as_dict()["cells"]


def test_leading_and_trailing_pipes(web):
    report = extract(web / "110.txt").report
    assert report.figures[cell("applications.new_received.natural_person")] == 3
    assert report.stated_totals[cell("applications.new_received.total")] == 3


def test_one_cell_per_line_with_lone_pipes_is_the_2019_table_in_a_2023_report(web):
    report = extract(web / "111.txt").report
    assert report.format.version == "2019" and report.year == 2023
    assert report.figures[cell("proactive.regulations.made")] == 0
    error = next(f for f in api.check_file(web / "111.txt").findings if f.rule == "L1")
    assert (error.severity, error.expected, error.found) == ("error", "2021", "2019")


def test_one_cell_per_line_without_pipes_keeps_figures_alone_on_a_line(web):
    report = extract(web / "114.txt").report
    assert report.figures[cell("proactive.regulations.issued")] == 0
    assert report.figures[cell("proactive.licensing.decisions")] == 0
    assert cell("proactive.penalty.decisions") in report.unread  # cut off, not 0


def test_tab_indented_cells_in_traditional_script(web):
    report = extract(web / "115.txt").report
    assert report.figures[cell("proactive.licensing.decisions")] == 951


def test_broken_markdown_tables_are_read_by_label(web):
    report = extract(web / "103.txt").report
    assert report.unread == set()
    assert report.figures[cell("applications.new_received.natural_person")] == 705
    assert report.stated_totals[cell("applications.total.total")] == 718
    assert report.figures[cell("appeals.litigation_after_review.upheld")] == 8
    assert [f for f in api.check_file(web / "103.txt").findings if f.severity == "error"] == []


def test_cells_the_conversion_lost_are_unread_never_zero(web):
    report = extract(web / "105.md").report
    assert cell("proactive.regulations.issued") in report.unread  # "| 规章 | 22 | 235 |": one figure lost
    assert cell("proactive.regulations.issued") not in report.figures
    assert report.figures[cell("applications.new_received.natural_person")] == 1259


def test_printed_zero_totals_in_table_four(web):
    report = extract(web / "101.pdf").report
    assert report.figures[cell("appeals.reconsideration.upheld")] == 10
    totals = {f.location.key_path: f for f in api.check_file(web / "101.pdf").findings if f.rule == "B"}
    assert totals["figures.appeals.reconsideration.total"].expected == "11"
    assert totals["figures.appeals.litigation_after_review.total"].expected == "5"


def test_narrative_numbers_against_the_tables(web):
    d1 = next(f for f in api.check_file(web / "102.pdf").findings if f.rule == "D1")
    assert (d1.found, d1.expected.split(" ")[0]) == ("17", "95")
    assert "D1" in rule_ids(web / "110.txt")  # 受理2件 vs 3
    d13 = next(f for f in api.check_file(web / "109.txt").findings if f.rule == "D13")
    assert (d13.found, d13.expected) == ("0", "32")


def test_suspicious_and_renamed(web):
    spam = next(f for f in api.check_file(web / "109.txt").findings if f.rule == "M3")
    assert "uedbet" in spam.message and spam.found == "西柳镇人民政府"
    renamed = next(f for f in api.check_file(web / "108.txt").findings if f.rule == "H1")
    assert (renamed.expected, renamed.found) == ("一、总体情况", "一、工作基本情况")
    assert "H3" in rule_ids(web / "106.txt")  # tables published as images


def test_cut_copies_and_consistent_reports_give_no_errors(web, shared):
    for path in [*sorted(web.glob("1[12][2-9].txt")), shared / "real/huaian-2024.pdf",
                 *shared.glob("seeds/*.txt")]:
        result = api.check_file(path)
        assert result.usable and result.count("error") == 0, (path, [f.describe() for f in result.findings])


def test_unread_cells_never_feed_a_rule(web):
    report = extract(web / "110.txt").report  # cut inside table 三
    findings, skipped = rules.audit(report)
    assert not any(f.rule in ("A", "B") for f in findings)
    assert any(s.rule == "A" for s in skipped)
    assert all(cell(c) in report.unread for s in skipped if s.rule == "A" for c in s.cells)


def test_two_years_checked_together_apply_the_cross_year_rules(web, monkeypatch):
    seen = []
    original = rules.audit
    monkeypatch.setattr(rules, "audit", lambda report, previous=None: seen.append(previous) or original(report, previous))
    list(api.check_files([web / "101.pdf", web / "102.pdf"]))
    assert any(previous is not None and previous.year == 2023 for previous in seen)


def test_copied_sections_are_reported_with_the_share_in_common(web, tmp_path):
    copy = tmp_path / "copy.txt"
    copy.write_bytes((web / "112.txt").read_bytes())
    results = list(api.check_files([web / "112.txt", copy]))
    same = next(f for f in results[0].findings if f.rule == "S1")
    assert "100%" in same.message


def test_zip_bomb_is_refused_in_seconds(tmp_path):
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b"<w:t>" + b"0" * (1024 * 1024) + b"</w:t>"
            for _ in range(300):
                member.write(block)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(DataFileError, match="压缩"):
        extract(bomb)


def test_entities_are_not_expanded(tmp_path):
    lol = tmp_path / "lol.docx"
    entities = '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)) + "]>"
    with zipfile.ZipFile(lol, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("word/document.xml", f'<?xml version="1.0"?>{entities}<d>&i;</d>')
    with pytest.raises(DataFileError):
        extract(lol)


def test_oversized_text_is_refused(tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as out:
        out.write(io.BytesIO(b"x" * (21 * 1024 * 1024)).getvalue())
    with pytest.raises(DataFileError, match="过大"):
        extract(big)
