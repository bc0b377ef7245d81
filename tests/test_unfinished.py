"""Unfinished reports are visible: checked as 未完成, rendered only as marked drafts; outputs by suffix."""

import re
import subprocess

import docx
import pytest

from toolkit.cli import cli

from .conftest import SAMPLES, set_figure
from .test_office import office  # noqa: F401  (fixture: LibreOffice and pdftotext present)

HUAIAN = next(p for p in SAMPLES if "huaian" in p.name)


def nameless(tmp_path):
    text = HUAIAN.read_text(encoding="utf-8").replace("name: 淮安市人民政府", "name: ''", 1)
    path = tmp_path / "nameless.yaml"
    path.write_text(text, encoding="utf-8")
    line = next(n for n, l in enumerate(text.splitlines(), 1) if l.strip().startswith("name: ''"))
    return path, line


def test_an_empty_agency_name_is_unfinished_at_its_line(runner, tmp_path):
    path, line = nameless(tmp_path)
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    assert f"nameless.yaml:{line}: 警告 [F0]" in result.output and result.output.rstrip().endswith("—— 未完成")


def test_render_refuses_unfinished_unless_draft(runner, tmp_path):
    path, _ = nameless(tmp_path)
    out = tmp_path / "out.docx"
    result = runner.invoke(cli, ["render", str(path), "-o", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert "尚未完成" in result.output and "[F0]" in result.output
    result = runner.invoke(cli, ["render", str(path), "-o", str(out), "--draft"])
    assert result.exit_code == 0, result.output
    document = docx.Document(out)
    assert document.paragraphs[0].text == "征求意见稿"
    assert document.core_properties.title.startswith("【征求意见稿】")
    assert document.tables[1].cell(3, 1).text  # the figures are still there


def test_a_placeholder_in_the_lead_is_listed_too(runner, tmp_path, draft_text):
    text = draft_text.replace("  text: null", "  text: 【待填写】导语", 1)
    path = tmp_path / "d.yaml"
    path.write_text(text, encoding="utf-8")
    line = next(n for n, l in enumerate(text.splitlines(), 1) if "【待填写】导语" in l)
    result = runner.invoke(cli, ["check", str(path)])
    assert re.search(rf"d\.yaml:{line}: 警告 \[F1\] 仍有未填写的占位文字：“【待填写】导语”", result.output)


@pytest.mark.usefixtures("office")
def test_output_kind_follows_the_suffix(runner, tmp_path):
    pdf = tmp_path / "报告.pdf"
    result = runner.invoke(cli, ["render", str(HUAIAN), "-o", str(pdf)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["报告.pdf"]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "淮安市人民政府" in text
    result = runner.invoke(cli, ["render", str(HUAIAN), "-o", str(tmp_path / "报告.txt")])
    assert result.exit_code == 2 and "不支持的输出文件类型" in result.output


@pytest.mark.usefixtures("office")
def test_pdf_is_added_beside_an_unchanged_docx_without_force(runner, tmp_path):
    out = tmp_path / "报告.docx"
    assert runner.invoke(cli, ["render", str(HUAIAN), "-o", str(out)]).exit_code == 0
    before = out.stat().st_mtime_ns
    result = runner.invoke(cli, ["render", str(HUAIAN), "-o", str(out), "--pdf"])
    assert result.exit_code == 0, result.output
    assert out.with_suffix(".pdf").read_bytes().startswith(b"%PDF") and out.stat().st_mtime_ns == before
    assert "未改动" in result.output
    changed = tmp_path / "changed.yaml"
    changed.write_text(set_figure(HUAIAN.read_text(encoding="utf-8"), "fees", None, "1.5"), encoding="utf-8")
    out.with_suffix(".pdf").unlink()
    result = runner.invoke(cli, ["render", str(changed), "-o", str(out), "--pdf"])
    assert result.exit_code == 2 and "文件已存在" in result.output
    assert out.stat().st_mtime_ns == before and not out.with_suffix(".pdf").exists()
