"""A new statutory format is a new data file: a synthetic format goes through every command unchanged.

The synthetic format is the 2021 format with one more applicant column and one more outcome row,
written into a folder named by GOVREPORT_FORMATS, as an office would add a format before a release.
"""

import docx
import pytest
import yaml

import toolkit
from toolkit.cli import cli
from toolkit.formats import FORMATS_PATH_VARIABLE, get_format
from toolkit.layout import grid

SOURCE = get_format("2021")
NEW_COLUMN = {"key": "platform", "label": ["申请人情况", "法人或其他组织", "网络平台"]}
NEW_ROW = {"key": "other_transferred", "label": ["三、本年度办理结果", "（六）其他处理", "4.转送其他行政机关处理"]}


@pytest.fixture
def new_format(tmp_path, monkeypatch):
    from importlib import resources

    data = yaml.safe_load(resources.files("toolkit.formats").joinpath("2021.yaml").read_text(encoding="utf-8"))
    data.update(version="2031", first_year=2031, document="国办公开办函〔2031〕1号（测试用）")
    table = data["tables"]["applications"]
    total_column = table["columns"][-1]
    table["columns"].insert(-1, NEW_COLUMN)
    total_column["sum_of"].append(NEW_COLUMN["key"])
    total_row = next(r for r in table["rows"] if r["key"] == "total")
    table["rows"].insert(table["rows"].index(total_row), NEW_ROW)
    total_row["sum_of"].append(NEW_ROW["key"])
    for check in data["checks"]:
        if "col" in check.get("each", {}):
            check["each"]["col"].append(NEW_COLUMN["key"])
    folder = tmp_path / "formats"
    folder.mkdir()
    (folder / "2031.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv(FORMATS_PATH_VARIABLE, str(folder))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return get_format("2031")


def finished_report(fmt):
    report = toolkit.new_report("某某县某某局", 2031)
    assert report.format is fmt
    for narrative in report.narrative.values():
        narrative.paragraphs = ["本年度工作情况如下。"] if not narrative.parts else []
        for part in narrative.parts:
            part.paragraphs = ["已按要求落实，未收取信息处理费。"]
    report.figures.update({
        toolkit.CellRef("applications", "new_received", "platform"): 3,
        toolkit.CellRef("applications", "other_transferred", "platform"): 2,
        toolkit.CellRef("applications", "carried_forward", "platform"): 1,
        toolkit.CellRef("applications", "new_received", "natural_person"): 5,
        toolkit.CellRef("applications", "disclosed", "natural_person"): 5,
    })
    import datetime as dt

    report.date = dt.date(2032, 1, 20)
    return report


def test_new_check_render_extract_with_a_format_added_as_data(runner, tmp_path, new_format):
    assert "2031" in toolkit.versions()
    # new: the draft lists the new column and row with their official labels
    draft = tmp_path / "draft.yaml"
    result = runner.invoke(cli, ["new", "--agency", "某某县某某局", "--year", "2031", "-o", str(draft)])
    assert result.exit_code == 0, result.output
    text = draft.read_text(encoding="utf-8")
    assert "platform: 0" in text and "# 网络平台" in text and "4.转送其他行政机关处理" in text

    # check: a finished report passes; a broken new column is reported by its label
    data = tmp_path / "2031.yaml"
    data.write_text(toolkit.dumps(finished_report(new_format)), encoding="utf-8")
    result = runner.invoke(cli, ["check", str(data)])
    assert result.exit_code == 0, result.output
    broken = tmp_path / "broken.yaml"
    broken.write_text(data.read_text(encoding="utf-8").replace("platform: 3", "platform: 4", 1), encoding="utf-8")
    result = runner.invoke(cli, ["check", str(broken)])
    assert result.exit_code == 1 and "“网络平台”列" in result.output

    # template: built from the format data, and it passes its own lint
    built = tmp_path / "template.docx"
    result = runner.invoke(cli, ["template", "export", str(built), "--format", "2031"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(cli, ["template", "check", str(built), "--format", "2031"]).exit_code == 0
    layout = grid(new_format.tables["applications"])
    table = docx.Document(built).tables[1]
    assert (len(table.rows), len(table.columns)) == (layout.rows, layout.cols)

    # render: the new cells carry their figures
    out = tmp_path / "report.docx"
    result = runner.invoke(cli, ["render", str(data), "-o", str(out)])
    assert result.exit_code == 0, result.output
    texts = [[cell.text for cell in row.cells] for row in docx.Document(out).tables[1].rows]
    assert any("网络平台" in row for row in texts)
    transferred = next(row for row in texts if "4.转送其他行政机关处理" in row)
    assert transferred[-2:] == ["2", "2"]  # 网络平台 and 总计

    # extract: read back into the same format, figure for figure
    loaded = toolkit.api.load(out)
    assert loaded.unread == [] and loaded.report.format.version == "2031"
    original = finished_report(new_format)
    for ref in new_format.iter_cells():
        assert loaded.report.value(ref) == original.value(ref), ref
