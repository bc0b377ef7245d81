"""The render command: checks first, refuses on errors, never overwrites or leaves partial files."""

import docx

from toolkit.cli import cli

from .conftest import SAMPLES, set_figure


def test_render_default_name(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sample = next(p for p in SAMPLES if "taocun" in p.name)
    result = runner.invoke(cli, ["render", str(sample)])
    assert result.exit_code == 0, result.output
    path = tmp_path / "朔州市平鲁区陶村乡人民政府2022年政府信息公开工作年度报告.docx"
    assert docx.Document(path).tables[0].cell(3, 1).text == "19"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_render_refuses_a_report_with_errors(runner, tmp_path, draft_text):
    data = tmp_path / "draft.yaml"
    data.write_text(set_figure(draft_text, "new_received", "natural_person", "3"), encoding="utf-8")
    out = tmp_path / "out.docx"
    result = runner.invoke(cli, ["render", str(data), "-o", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert "未生成" in result.output and "[A]" in result.output
    result = runner.invoke(cli, ["render", str(data), "-o", str(out), "--ignore-errors"])
    assert result.exit_code == 1 and not out.exists() and "--draft" in result.output  # placeholders remain
    result = runner.invoke(cli, ["render", str(data), "-o", str(out), "--ignore-errors", "--draft"])
    assert result.exit_code == 0 and out.exists()
    assert "请勿直接公开发布" in result.output
    assert docx.Document(out).paragraphs[0].text == "征求意见稿"


def test_render_keeps_existing_files(runner, tmp_path):
    out = tmp_path / "out.docx"
    out.write_bytes(b"mine")
    result = runner.invoke(cli, ["render", str(SAMPLES[0]), "-o", str(out)])
    assert result.exit_code == 2 and out.read_bytes() == b"mine"
    assert runner.invoke(cli, ["render", str(SAMPLES[0]), "-o", str(out), "--force"]).exit_code == 0
    assert out.read_bytes().startswith(b"PK")


def test_pdf_without_libreoffice_explains_how_to_get_it(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    out = tmp_path / "out.docx"
    result = runner.invoke(cli, ["render", str(SAMPLES[0]), "-o", str(out), "--pdf", "--pdf-engine", "office"])
    assert result.exit_code == 2
    assert "LibreOffice" in result.output and "apt-get install" in result.output
    assert out.exists() and not out.with_suffix(".pdf").exists()


def test_render_bad_template_is_a_clear_error(runner, tmp_path):
    template = tmp_path / "t.docx"
    template.write_bytes(b"not a docx")
    result = runner.invoke(cli, ["render", str(SAMPLES[0]), "-o", str(tmp_path / "o.docx"), "--template", str(template)])
    assert result.exit_code == 2 and "模板" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o.docx").exists()
