"""Auditing real published copies (../shared/real/web): what is read, what is said to be missing,
and the defects each copy is known to have. Every input here is a real published file."""

from __future__ import annotations

import io
import zipfile

import pytest

import toolkit
from toolkit import api, rules
from toolkit.errors import DataFileError
from toolkit.extract import extract
from toolkit.formats import CellRef

from .conftest import ROOT

SAMPLES = ROOT / "samples"

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


def test_site_spam_next_to_a_name_is_reported(web):
    result = api.check_file(web / "118.txt")  # "政府信息公开载体为青川县德赢VWIN门户网站"
    spam = next(f for f in result.findings if f.rule == "M3")
    assert "“德赢VWIN”" in spam.message and "青川县德赢VWIN门户网站" in spam.message
    assert spam.location.key_path == "agency.name" and spam.severity == "warning"
    assert "M2" in result.rules and result.agency is None  # the copy names no agency: not guessed
    assert any("正文只写“县农业农村局”" in note for note in result.unread)  # but says what it does name
    # 109: the spam inside the agency name is told once, with the name taken from it
    m3 = [f for f in api.check_file(web / "109.txt").findings if f.rule == "M3"]
    assert len(m3) == 1 and m3[0].found == "西柳镇人民政府"


@pytest.mark.parametrize("name", ["104.md", "105.md", "115.txt", "116.txt", "117.txt", "126.txt", "127.txt", "101.pdf"])
def test_addresses_pinyin_and_plain_copies_are_not_spam(web, name):
    # URLs, e-mail addresses and pinyin in brackets are the copy's own text
    assert "M3" not in rule_ids(web / name)


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


# -- narrative numbers and percentages on real reports' data ---------------------------------------


def _huaian_with_applications(new, carried, handled):
    """The real 淮安 2024 report (its data file) with table 三 reduced to one consistent column."""
    report = api.load(SAMPLES / "huaian-2024.yaml").report
    for ref in list(report.figures):
        if ref.table == "applications":
            report.figures[ref] = 0
    report.figures[cell("applications.new_received.natural_person")] = new
    report.figures[cell("applications.carried_over.natural_person")] = carried
    report.figures[cell("applications.disclosed.natural_person")] = handled
    report.figures[cell("applications.carried_forward.natural_person")] = new + carried - handled
    return report


def _overview_says(report, text):
    report.narrative["overview"].paragraphs[2] = text
    return {f.rule: f for f in rules.check(report) if f.rule[0] in "DP"}


def test_received_carried_and_handled_totals_in_the_narrative():
    report = _huaian_with_applications(150, 30, 152)
    assert _overview_says(report, "（二）依申请公开情况。本年新收150件，上年结转30件，办理结果总计152件。") == {}
    found = _overview_says(report, "（二）依申请公开情况。本年新收151件，上年结转31件，办理结果总计153件。")
    assert sorted(found) == ["D1", "D14", "D2"]
    assert (found["D1"].expected.split(" ")[0], found["D1"].found) == ("150", "151")
    assert (found["D14"].expected, found["D14"].found) == ("30", "31")
    assert (found["D2"].expected, found["D2"].found) == ("152", "153")
    assert found["D2"].as_dict()["cells"] == ["applications.total.total"]
    assert all(f.severity == "warning" and f.location.key_path == "sections.overview.paragraphs[2]" for f in found.values())


def test_percentages_in_the_narrative_against_the_table():
    report = api.load(SAMPLES / "huaian-2024.yaml").report  # 3119 new + 34 carried, 3050 handled, 1362 disclosed
    fits = "全年依申请公开办结率96.7%，予以公开率45%，按时办结率100%，网站合格率均为100%。"
    assert _overview_says(report, fits) == {}
    found = _overview_says(report, "全年依申请公开办结率100%，予以公开率50%。")
    assert (found["P2"].expected, found["P2"].found) == ("96.7% 或 97.8%", "100%")
    assert found["P1"].found == "50%" and found["P1"].expected.startswith("44.7%")


def test_year_on_year_change_needs_last_years_report(web):
    last, this = extract(web / "101.pdf").report, extract(web / "102.pdf").report  # 21 → 95 new applications
    stated = "2024年，区政府办代表区政府受理政府信息公开申请95件，同比增长{}%。"
    this.narrative["overview"].paragraphs[4] = stated.format("352.4")
    assert not [f for f in rules.check(this, last) if f.rule == "P3"]
    this.narrative["overview"].paragraphs[4] = stated.format("35")
    assert not [f for f in rules.check(this) if f.rule == "P3"]  # without last year the table cannot tell
    p3 = next(f for f in rules.check(this, last) if f.rule == "P3")
    assert (p3.expected, p3.found, p3.severity) == ("增长352.4%", "增长35%", "warning")
    assert [c.previous_year for c in p3.cells] == [False, True]
    this.narrative["overview"].paragraphs[4] = stated.format("352").replace("增长", "下降")
    assert next(f for f in rules.check(this, last) if f.rule == "P3").found == "下降352%"


def test_percentages_on_unread_figures_are_not_judged(web):
    report = extract(web / "120.txt").report  # "申请答复率达100%", cut before the tables
    findings, skipped = rules.audit(report)
    assert not [f for f in findings if f.rule == "P2"]
    assert any(s.rule == "P2" for s in skipped)


def test_a_state_council_bureau_may_issue_rules(web):
    report = extract(web / "116.txt").report  # 国家机关事务管理局: its name ends in 局 like a county's
    assert (report.agency.name, report.level.name) == ("国家机关事务管理局", "国务院部门")
    local = extract(web / "119.txt").report  # 浙江省市场监督管理局: a provincial department
    assert local.level.name == "政府部门"
    for copy in (report, local):
        regulations = cell("proactive.regulations.issued")
        copy.figures[regulations] = 2
        copy.unread.discard(regulations)
    assert not [f for f in rules.check(report) if f.rule == "E1"]
    e1 = [f for f in rules.check(local) if f.rule == "E1"]
    assert len(e1) == 1 and "政府部门没有规章制定权" in e1[0].message and (e1[0].expected, e1[0].found) == ("0", "2")
    branch = api.new_report("国家税务总局南京市税务局", 2025)  # a local branch of a State Council body
    assert branch.level.name == "政府部门"


def test_an_edited_copy_among_many_reports_is_found_and_unrelated_reports_are_not(tmp_path):
    from toolkit.rules.similarity import copied_sections

    huaian = toolkit.load(ROOT / "samples" / "huaian-2024.yaml").report
    taocun = toolkit.load(ROOT / "samples" / "taocun-2022.yaml").report
    sections = lambda report: {f"{k} {report.format.section(k).heading}": "".join(n.texts())
                               for k, n in report.narrative.items()}
    original = sections(huaian)
    edited = {name: text.replace("政务公开", "信息公开", 3).replace("持续", "不断", 2) for name, text in original.items()}
    found = copied_sections([("a", original), ("b", sections(taocun)), ("c", edited)])
    assert "b" not in found
    [overview] = [f for f in found["c"] if f.key_path == "sections.overview"]
    assert overview.rule == "S1" and "与 a" in overview.message and int(overview.found.split("%")[0]) >= 90


def test_own_outline_title_printed_twice_and_agency_named_under_the_first_heading(web):
    own = {f.rule: f for f in api.check_file(web / "104.md").findings}
    assert "L3" in own and "H1" not in own and "一、总体情况 / 二、工作机制保障" in own["L3"].found
    assert "重复" in next(f for f in api.check_file(web / "121.txt").findings if f.rule == "M4").message
    report = extract(web / "108.txt").report  # 「…由两城镇人民政府党政办公室编制」 under 一、
    assert report.agency.name == "两城镇人民政府"
    said = next(f for f in api.check_file(web / "108.txt").findings if f.rule == "M2")
    assert said.message == "原文标题中没有机关名称，按正文开头取为“两城镇人民政府”。"
