"""The format definitions against the statutory text in the shared specification."""

import re

import pytest

from toolkit import CellRef, format_for_year, get_format, versions
from toolkit.errors import FormatNotFound


def spec_table_labels(spec: str, heading: str) -> list[str]:
    section = spec[spec.index(heading):]
    section = section[: section.index("\n#### ", 10) if "\n#### " in section[10:] else len(section)]
    return re.findall(r"`([^`]+)`", section)


def test_versions_and_year_mapping():
    assert versions() == ["2019", "2021"]
    assert format_for_year(2019).version == "2019"
    assert format_for_year(2020).version == "2019"
    assert format_for_year(2021).version == "2021"
    assert format_for_year(2030).version == "2021"
    with pytest.raises(FormatNotFound):
        format_for_year(2010)
    with pytest.raises(FormatNotFound):
        get_format("2022")


def test_2021_applications_rows_match_spec_character_for_character(shared):
    spec = (shared / "spec/annual-report-format.md").read_text(encoding="utf-8")
    quoted = spec_table_labels(spec, "#### 2.4.2")
    table = get_format("2021").tables["applications"]
    for row in table.rows:
        for label in row.label:
            assert label in quoted, label
    assert table.corner in quoted
    assert len(table.rows) == 25
    assert [c.name for c in table.blocks[0].columns] == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    assert table.row("withheld_security_stability").label[-1] == "3.危及“三安全一稳定”"
    assert "、行政机关不再处理" in table.row("other_unpaid_fee").label[-1]


def test_2021_proactive_and_appeals_labels_match_spec(shared):
    spec = (shared / "spec/annual-report-format.md").read_text(encoding="utf-8")
    quoted = spec_table_labels(spec, "#### 2.4.1")
    proactive = get_format("2021").tables["proactive"]
    for block in proactive.blocks:
        assert block.title in quoted
        assert all(c.name in quoted for c in block.columns)
        assert all(r.label[0] in quoted for r in block.rows)
    appeals = get_format("2021").tables["appeals"]
    quoted_t4 = spec_table_labels(spec, "#### 2.4.3")
    assert [c.name for c in appeals.blocks[0].columns] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert all(part in quoted_t4 for row in appeals.rows for part in row.label)


def test_headings_are_the_official_six(shared):
    spec = (shared / "spec/annual-report-format.md").read_text(encoding="utf-8")
    block = spec[spec.index("### 2.2"):spec.index("### 2.3")]
    official = re.findall(r"^([一二三四五六]、.+)$", block, re.M)
    for version in versions():
        assert [s.heading for s in get_format(version).sections] == official


def test_2019_differences():
    old, new = get_format("2019"), get_format("2021")
    assert len(old.tables["applications"].rows) == 23
    assert old.tables["applications"].row("other_handling").label == ("三、本年度办理结果", "（六）其他处理")
    assert [b.title for b in old.tables["proactive"].blocks][-1] == "第二十条第（九）项"
    assert old.tables["proactive"].row("normative_documents").label == ("规范性文件",)
    assert old.column(CellRef("proactive", "licensing", "change")).type == "signed"
    assert new.column(CellRef("proactive", "fees", "amount")).type == "amount"


def test_labels_and_derivation():
    fmt = get_format("2021")
    assert fmt.label(CellRef("applications", "total", "natural_person")) == "三、本年度办理结果 / （七）总计 / 自然人"
    assert fmt.label(CellRef("proactive", "licensing", "decisions")) == "第二十条第（五）项 / 行政许可"
    assert fmt.is_derived(CellRef("applications", "total", "natural_person"))
    assert fmt.is_derived(CellRef("appeals", "reconsideration", "total"))
    assert not fmt.is_derived(CellRef("applications", "disclosed", "other"))
    assert len(fmt.input_cells_under(CellRef("applications", "total", "total"))) == 21 * 6
    assert sum(1 for _ in fmt.iter_cells()) == 10 + 25 * 7 + 15
