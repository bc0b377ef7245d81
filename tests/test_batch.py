"""Batch work over an agency registry: all succeed, one failure stops none, reruns are identical."""

import hashlib

import docx

import pytest
import yaml

import toolkit
from toolkit import registry
from toolkit.cli import cli

from .conftest import ROOT

AGENCIES = ROOT / "samples" / "agencies.csv"


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_sample_registry_has_a_county():
    loaded = registry.load(AGENCIES)
    assert loaded.problems == [] and len(loaded.agencies) >= 20
    levels = {a.level for a in loaded.agencies}
    assert levels == {"乡镇人民政府", "政府部门"}


def test_batch_new_render_check(runner, tmp_path):
    drafts, reports = tmp_path / "drafts", tmp_path / "reports"
    result = runner.invoke(cli, ["batch", "new", "--agencies", str(AGENCIES), "--year", "2025", "--out", str(drafts), "--docx", "-j", "2"])
    assert result.exit_code == 0, result.output
    agencies = registry.load(AGENCIES).agencies
    assert len(list(drafts.glob("*.yaml"))) == len(agencies) == len(list(drafts.glob("*.docx")))
    first = toolkit.load(drafts / f"{agencies[0].stem}.yaml").report
    assert first.agency.level == "乡镇人民政府" and first.lead.contact["phone"] == "0349-6000001"
    assert docx.Document(drafts / f"{agencies[0].stem}.docx").paragraphs[0].text == "征求意见稿"
    result = runner.invoke(cli, ["batch", "check", str(drafts)])
    assert result.exit_code == 1, result.output  # blank drafts are not finished reports
    assert f"{agencies[0].name}" in result.output and "未完成 22" in result.output
    result = runner.invoke(cli, ["batch", "render", str(drafts), "--out", str(reports), "--agencies", str(AGENCIES)])
    assert result.exit_code == 1 and "失败 22" in result.output and "尚未完成" in result.output
    assert not reports.exists() or not list(reports.glob("*.docx"))
    result = runner.invoke(cli, ["batch", "render", str(drafts), "--out", str(reports), "--agencies", str(AGENCIES),
                                 "--draft"])
    assert result.exit_code == 0, result.output
    assert "未完成 22 份" in result.output and "警告 " in result.output
    assert len(list(reports.glob("*.docx"))) == len(agencies)


def test_one_bad_row_and_one_bad_file_stop_nothing(runner, tmp_path):
    agencies = tmp_path / "agencies.csv"
    rows = AGENCIES.read_text(encoding="utf-8").splitlines()
    rows.insert(3, ",nameless,乡镇人民政府")
    rows.insert(5, "示例县某某局,x,不存在的层级")
    agencies.write_text("\n".join(rows) + "\n", encoding="utf-8")
    drafts = tmp_path / "drafts"
    result = runner.invoke(cli, ["batch", "new", "--agencies", str(agencies), "--year", "2025", "--out", str(drafts)])
    assert result.exit_code == 1
    assert "缺少机关全称" in result.output and "不存在的层级" in result.output and ":4:" in result.output
    assert len(list(drafts.glob("*.yaml"))) == 22 and "失败 2" in result.output
    broken = sorted(drafts.glob("*.yaml"))[0]
    broken.write_text(broken.read_text(encoding="utf-8").replace("year: 2025", "year: [2025"), encoding="utf-8")
    result = runner.invoke(cli, ["batch", "render", str(drafts), "--out", str(tmp_path / "reports"), "--draft"])
    assert result.exit_code == 1
    assert f"失败：{broken.name}" in result.output and "YAML 格式错误" in result.output
    assert len(list((tmp_path / "reports").glob("*.docx"))) == 21
    result = runner.invoke(cli, ["batch", "check", str(drafts)])
    assert result.exit_code == 2 and "无法使用 1" in result.output and "未完成 21" in result.output


def test_reruns_keep_files_and_give_identical_bytes(runner, tmp_path):
    args = ["batch", "new", "--agencies", str(AGENCIES), "--year", "2025", "--docx"]
    assert runner.invoke(cli, [*args, "--out", str(tmp_path / "a"), "-j", "2"]).exit_code == 0
    assert runner.invoke(cli, [*args, "--out", str(tmp_path / "b"), "-j", "1"]).exit_code == 0
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    before = digest(tmp_path / "a")
    result = runner.invoke(cli, [*args, "--out", str(tmp_path / "a")])
    assert result.exit_code == 0 and "跳过 22" in result.output
    assert digest(tmp_path / "a") == before
    assert not [p for p in (tmp_path / "a").iterdir() if p.name.startswith(".")]  # no temporary files left


def test_previous_year_carries_over(runner, tmp_path):
    last, this = tmp_path / "2024", tmp_path / "2025"
    assert runner.invoke(cli, ["batch", "new", "--agencies", str(AGENCIES), "--year", "2024", "--out", str(last)]).exit_code == 0
    stem = registry.load(AGENCIES).agencies[0].stem
    path = last / f"{stem}.yaml"
    data = path.read_text(encoding="utf-8")
    lines = data.splitlines()
    start = next(i for i, l in enumerate(lines) if l.strip().startswith("carried_forward:"))
    lines[start + 1] = lines[start + 1].replace("natural_person: 0", "natural_person: 4")
    start = next(i for i, l in enumerate(lines) if l.strip().startswith("new_received:"))
    lines[start + 1] = lines[start + 1].replace("natural_person: 0", "natural_person: 4")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["batch", "new", "--agencies", str(AGENCIES), "--year", "2025", "--out", str(this), "--previous", str(last)])
    assert result.exit_code == 0, result.output
    carried = yaml.safe_load((this / f"{stem}.yaml").read_text(encoding="utf-8"))
    assert carried["figures"]["applications"]["carried_over"]["natural_person"] == 4


@pytest.mark.parametrize("name", ["../../etc/passwd", "CON", "a/b\\c:d*e?f", "  .hidden. "])
def test_file_names_are_safe(tmp_path, name):
    path = tmp_path / "agencies.csv"
    path.write_text(f"机关全称\n{name}\n{name}\n", encoding="utf-8")
    loaded = registry.load(path)
    stems = [a.stem for a in loaded.agencies]
    assert len(set(stems)) == 2
    for stem in stems:
        assert "/" not in stem and "\\" not in stem and ".." not in stem and not stem.startswith(".")
        assert (tmp_path / f"{stem}.yaml").resolve().parent == tmp_path.resolve()


def test_gbk_registry_from_excel(tmp_path):
    path = tmp_path / "agencies.csv"
    path.write_bytes("机关全称,层级\n示例县某某乡人民政府,乡镇人民政府\n".encode("gbk"))
    assert registry.load(path).agencies[0].name == "示例县某某乡人民政府"


def test_yaml_registry_with_chinese_keys(tmp_path):
    path = tmp_path / "agencies.yaml"
    path.write_text("- name: 示例县某某乡人民政府\n  level: 乡镇人民政府\n  phone: '0349-1'\n"
                    "- 机关全称: 示例县某某局\n  层级: 政府部门\n- 层级: 政府部门\n", encoding="utf-8")
    loaded = registry.load(path)
    assert [a.name for a in loaded.agencies] == ["示例县某某乡人民政府", "示例县某某局"]
    assert loaded.agencies[0].contact == {"phone": "0349-1"} and loaded.agencies[1].level == "政府部门"
    [problem] = loaded.problems
    assert problem.line == 6 and "机关全称" in problem.message
