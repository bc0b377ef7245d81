"""Reading reports back: our .docx, a filled-in WPS template, the 淮安 PDF, web text and HTML."""

import datetime as dt

import docx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import toolkit
from toolkit import CellRef
from toolkit.cli import cli
from toolkit.extract import extract
from toolkit.extract.normalize import simplify
from toolkit.layout import grid
from toolkit.model import Narrative
from toolkit.render import render

from .conftest import SAMPLES
from .test_properties import consistent_reports

TAOCUN = next(p for p in SAMPLES if "taocun" in p.name)
HUAIAN = next(p for p in SAMPLES if "huaian" in p.name)


def same_figures(a, b):
    return [str(ref) for ref in a.format.iter_cells() if a.value(ref) != b.value(ref)]


def rendered_file(report, tmp_path, name="report.docx"):
    path = tmp_path / name
    path.write_bytes(render(report))
    return path


def test_normalizing_web_copies():
    assert simplify("鄉(xiāng)黨(dǎng)委,政府(一)") == "乡党委，政府（一）"


def test_seed_text_gives_the_sample(shared):
    extraction = extract(shared / "seeds/000_e5b1ce5c85f07eb5.txt")
    report, sample = extraction.report, toolkit.load(TAOCUN).report
    assert extraction.notes == []
    assert (report.agency.name, report.year, report.date) == ("朔州市平鲁区陶村乡人民政府", 2022, dt.date(2022, 12, 15))
    assert same_figures(report, sample) == []
    assert report.value(CellRef("proactive", "normative_documents", "repealed")) == 0  # blank in the copy
    assert report.narrative["overview"].parts[0].title == "（一）强化领导，统筹推进。"
    assert report.narrative == sample.narrative
    # the seed leaves cells blank (must be 0), omits the fee statement and has no title (the name is
    # the signature's, and said so): warnings, no errors
    assert sorted(f.rule for f in toolkit.check(report)) == ["F3", "M2", "T1"]


def test_seed_extract_render_extract_is_stable(shared, tmp_path):
    first = extract(shared / "seeds/000_e5b1ce5c85f07eb5.txt").report
    second = extract(rendered_file(first, tmp_path)).report
    assert same_figures(first, second) == []
    assert second.narrative["overview"] == first.narrative["overview"]
    assert (second.agency.name, second.year, second.date) == (first.agency.name, first.year, first.date)


def test_huaian_pdf_every_figure(shared):
    extraction = extract(shared / "real/huaian-2024.pdf")
    report, sample = extraction.report, toolkit.load(HUAIAN).report
    assert extraction.notes == []
    assert (report.agency.name, report.year) == ("淮安市人民政府", 2024)
    assert same_figures(report, sample) == []
    assert len(report.stated_totals) == 25 + 3 + 6  # every printed total, checked by rule B
    assert [f for f in toolkit.check(report) if f.severity == "error"] == []
    assert report.lead.text.startswith("本报告由淮安市人民政府办公室根据")
    assert report.narrative["problems"].paragraphs == sample.narrative["problems"].paragraphs


def fill_wps_template(path, report, tmp_path):
    """The circulated WPS template, filled in by hand the way a clerk would."""
    document = docx.Document(str(path))
    fmt = report.format
    for table, key in zip(document.tables, ("proactive", "applications", "appeals")):
        for cell in grid(fmt.tables[key]).figure_cells():
            table.cell(cell.row, cell.col).text = str(report.value(cell.ref))
    document.paragraphs[0].text = f"{report.agency.name}{report.year}年政府信息公开工作年度报告"
    for paragraph in document.paragraphs:
        if paragraph.text.startswith("（文字描述"):
            paragraph.text = "本年度工作情况良好。"
    out = tmp_path / "filled.docx"
    document.save(out)
    return out


def test_filled_in_wps_template(shared, tmp_path):
    sample = toolkit.load(HUAIAN).report
    extraction = extract(fill_wps_template(shared / "real/official-template-wps.docx", sample, tmp_path))
    assert extraction.notes == []
    assert same_figures(extraction.report, sample) == []
    assert extraction.report.agency.name == "淮安市人民政府"
    assert [f for f in toolkit.check(extraction.report) if f.severity == "error"] == []


def published_text(rows: list[str]) -> str:
    return "\n".join(["某某县某某局2024年政府信息公开工作年度报告", "一、总体情况", "本年度工作平稳。",
                      "二、主动公开政府信息情况", *rows,
                      "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况",
                      "五、存在的主要问题及改进情况", "无。", "六、其他需要报告的事项", "无。"]) + "\n"


def test_blank_slash_and_dash_cells_are_zero(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text(published_text(["第二十条第（一）项", "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数",
                                     "规章 | / | - | ", "行政规范性文件 | 3 | | 5"]), encoding="utf-8")
    report = extract(path).report
    assert report.value(CellRef("proactive", "regulations", "in_force")) == 0
    assert report.value(CellRef("proactive", "normative_documents", "issued")) == 3
    assert report.value(CellRef("proactive", "normative_documents", "repealed")) == 0
    assert report.value(CellRef("proactive", "normative_documents", "in_force")) == 5


def test_a_row_that_cannot_be_placed_is_reported_and_nothing_shifts(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text(published_text(["第二十条第（一）项", "规章 0 11", "行政规范性文件 8 26 66", "第二十条第（五）项",
                                     "行政许可 447"]), encoding="utf-8")
    extraction = extract(path)
    [note] = [n for n in extraction.notes if "规章" in n]
    assert "读到 2 个数字，应为 3 个" in note
    report = extraction.report
    assert report.value(CellRef("proactive", "regulations", "in_force")) == 0
    assert [report.value(CellRef("proactive", "normative_documents", c)) for c in ("issued", "repealed", "in_force")] == [8, 26, 66]
    assert report.value(CellRef("proactive", "licensing", "decisions")) == 447


def html_of(report, variant=lambda label: label, subtotal=False) -> str:
    """A report as a web page: title, headings, and tables with rowspan/colspan."""
    parts = [f"<html><head><title>年报</title></head><body><h1>{report.title}</h1>"]
    for section in report.format.sections:
        parts.append(f"<p>{section.heading}</p>")
        if not section.table:
            narrative = report.narrative.get(section.key) or Narrative(["无。"])
            parts += [f"<p>{t}</p>" for t in narrative.texts()]
            continue
        layout = grid(report.format.tables[section.table])
        parts.append("<table>")
        for r in range(layout.rows):
            parts.append("<tr>")
            for cell in sorted((c for c in layout.cells if c.row == r), key=lambda c: c.col):
                text = str(report.value(cell.ref)) if cell.ref else variant(cell.text)
                parts.append(f'<td rowspan="{cell.rowspan}" colspan="{cell.colspan}">{text}</td>')
                if subtotal and section.table == "applications" and cell.ref and cell.ref.col == "other":
                    parts.append("<td>9999</td>")  # a 法人或其他组织小计 column some copies add
            parts.append("</tr>")
        parts.append("</table>")
    return "".join(parts) + "</body></html>"


def test_html_with_heji_and_a_subtotal_column(tmp_path):
    sample = toolkit.load(HUAIAN).report
    path = tmp_path / "r.html"
    html = html_of(sample, lambda label: label.replace("总计", "合计") if label else label, subtotal=True)
    path.write_text(html.replace("法人或其他组织</td>", "法人或其他组织</td><td>小计</td>", 1), encoding="utf-8")
    extraction = extract(path)
    assert extraction.notes == []
    assert same_figures(extraction.report, sample) == []


def test_2019_layout(tmp_path):
    report = toolkit.new_report("某某县某某局", 2020)
    report.figures[CellRef("proactive", "licensing", "change")] = -8
    report.figures[CellRef("applications", "other_handling", "natural_person")] = 2
    report.figures[CellRef("applications", "new_received", "natural_person")] = 2
    back = extract(rendered_file(report, tmp_path)).report
    assert back.format.version == "2019" and same_figures(back, report) == []


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(consistent_reports(), st.lists(st.text(alphabet="政务公开工作情况良好本年度推进落实。", min_size=1, max_size=40), min_size=1, max_size=3))
def test_render_then_extract_gives_the_same_data(tmp_path, report, paragraphs):
    report.narrative["problems"] = Narrative([p.strip("。") + "。" for p in paragraphs])
    back = extract(rendered_file(report, tmp_path)).report
    assert same_figures(back, report) == []
    assert (back.agency.name, back.year, back.date, back.format) == (report.agency.name, report.year, report.date, report.format)
    for key, narrative in report.narrative.items():
        assert back.narrative[key] == narrative


def test_extract_command(runner, tmp_path, shared):
    out = tmp_path / "2024.yaml"
    result = runner.invoke(cli, ["extract", str(shared / "real/huaian-2024.pdf"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert same_figures(toolkit.load(out).report, toolkit.load(HUAIAN).report) == []
    bad = tmp_path / "bad.txt"
    bad.write_text(published_text(["第二十条第（一）项", "规章 0 11"]), encoding="utf-8")
    result = runner.invoke(cli, ["extract", str(bad), "-o", str(tmp_path / "bad.yaml")])
    assert result.exit_code == 1 and "未能读取" in result.output
    result = runner.invoke(cli, ["extract", str(shared / "real/huaian-2024.pdf"), "-o", str(out)])
    assert result.exit_code == 2  # exists


def test_check_a_folder_of_published_reports(runner, tmp_path, shared):
    last = toolkit.load(HUAIAN).report
    last.year, last.date = 2023, None
    last.figures[CellRef("applications", "carried_forward", "natural_person")] = 90  # breaks A and the carry-over
    folder = tmp_path / "published"
    folder.mkdir()
    rendered_file(last, folder, "huaian-2023.docx")
    (folder / "huaian-2024.pdf").write_bytes((shared / "real/huaian-2024.pdf").read_bytes())
    (folder / "taocun-2022.txt").write_bytes((shared / "seeds/000_e5b1ce5c85f07eb5.txt").read_bytes())
    result = runner.invoke(cli, ["check", *sorted(map(str, folder.iterdir()))])
    assert result.exit_code == 1
    table = result.output[result.output.index("文件  "):]
    assert "huaian-2023.docx" in table and "huaian-2024.pdf" in table and "taocun-2022.txt" in table
    assert "[X1]" in result.output  # 2024's 上年结转 checked against 2023's 结转下年度
    lines = {line.split()[0]: line for line in table.splitlines()[1:-1]}
    assert "A" in lines["huaian-2023.docx"].split() and "X1" in lines["huaian-2024.pdf"].split()
    assert lines["taocun-2022.txt"].split()[-1] == "F3"


def test_new_from_a_published_pdf_carries_over(runner, tmp_path, shared):
    out = tmp_path / "2025.yaml"
    result = runner.invoke(cli, ["new", "--year", "2025", "--from", str(shared / "real/huaian-2024.pdf"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    draft = toolkit.load(out).report
    assert draft.agency.name == "淮安市人民政府"
    assert draft.value(CellRef("applications", "carried_over", "natural_person")) == 103
    assert draft.value(CellRef("proactive", "normative_documents", "in_force")) == 66


@pytest.mark.parametrize("line", [
    "依托县政务APP、微信公众号和OA系统，提供PDF版和Word版下载，H5页面同步上线。",
    "报告电子版可在县人民政府门户网站（www.example.gov.cn）下载，邮箱:gk@example.com。",
])
def test_latin_words_government_texts_use_are_not_spam(line):
    from toolkit.extract.meta import injected_spam

    assert injected_spam([line]) == []
