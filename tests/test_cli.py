"""The govreport command line, through Click's CliRunner."""

import json
import re

import pytest
import yaml
from click.testing import CliRunner

import toolkit
from toolkit.cli import cli

from .conftest import SAMPLES, set_figure


def test_a_new_draft_checks_as_unfinished_with_every_placeholder_at_its_line(runner, tmp_path):
    draft = tmp_path / "draft.yaml"
    result = runner.invoke(cli, ["new", "--agency", "某某乡人民政府", "--year", "2025", "-o", str(draft)])
    assert result.exit_code == 0, result.output
    text = draft.read_text(encoding="utf-8")
    assert "level: 乡镇人民政府" in text
    placeholder_lines = [n for n, line in enumerate(text.splitlines(), 1) if "【待填写】" in line]
    result = runner.invoke(cli, ["check", str(draft)])
    assert result.exit_code == 1, result.output
    assert "错误 0 个" in result.output and result.output.rstrip().endswith("—— 未完成")
    assert sorted(int(m) for m in re.findall(r"draft\.yaml:(\d+): 警告 \[F1\]", result.output)) == placeholder_lines


@pytest.mark.parametrize(
    ("row", "col", "label"),
    [
        ("new_received", "natural_person", "一、本年新收政府信息公开申请数量 / 自然人"),
        ("carried_over", "legal_service", "二、上年结转政府信息公开申请数量 / 法律服务机构"),
        ("withheld_third_party", "research", "三、本年度办理结果 / （三）不予公开 / 4.保护第三方合法权益 / 科研机构"),
        ("other_unpaid_fee", "other", "三、本年度办理结果 / （六）其他处理 / 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 / 其他"),
        ("carried_forward", "commercial", "四、结转下年度继续办理 / 商业企业"),
    ],
)
def test_a_broken_figure_fails_with_its_label_and_line(runner, tmp_path, draft_text, row, col, label):
    text = set_figure(draft_text, row, col, "3")
    path = tmp_path / "draft.yaml"
    path.write_text(text, encoding="utf-8")
    line = next(i for i, l in enumerate(text.splitlines(), 1) if l.strip() == f"{col}: 3")
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 1, result.output
    assert f"「{label}」= 3（第 {line} 行" in result.output


def test_stated_total_mismatch_names_the_total(runner, tmp_path, draft_text):
    text = draft_text.replace("      other: 0", "      other: 0\n      total: 4", 1)
    path = tmp_path / "draft.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    assert "「一、本年新收政府信息公开申请数量 / 总计」与分项之和不符" in result.output
    assert "应为 0，实为 4" in result.output


def test_samples_are_clean(runner):
    result = runner.invoke(cli, ["check", *map(str, SAMPLES)])
    assert result.exit_code == 0, result.output
    assert "错误 0 个" in result.output


def test_json_output(runner, tmp_path, draft_text):
    path = tmp_path / "draft.yaml"
    path.write_text(set_figure(draft_text, "disclosed", "natural_person", "2"), encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("year: [", encoding="utf-8")
    result = runner.invoke(cli, ["check", "--format", "json", str(path), str(bad)])
    assert result.exit_code == 2
    payload = json.loads(result.stdout)
    assert payload["summary"] == {"result": "无法使用", "files": 2, "unusable": 1, "unfinished": 1, "errors": 1, "warnings": 12,
                                  "partially_checked": 0, "tables_unchecked": 0}
    [finding] = [f for f in payload["files"][0]["findings"] if f["severity"] == "error"]
    assert finding["rule"] == "A" and finding["found"] == "0" and finding["expected"] == "2"
    assert "applications.disclosed.natural_person" in finding["cells"]
    assert payload["files"][1]["status"] == "unusable"


def test_strict_makes_warnings_fail():
    path = next(p for p in SAMPLES if "taocun" in p.name)  # the real report omits the fee statement: F3
    runner = CliRunner()
    assert runner.invoke(cli, ["check", str(path)]).exit_code == 0
    assert runner.invoke(cli, ["check", "--strict", str(path)]).exit_code == 1


def test_new_from_last_year_carries_over(runner, tmp_path):
    last = next(p for p in SAMPLES if "huaian" in p.name)
    draft = tmp_path / "2025.yaml"
    result = runner.invoke(cli, ["new", "--year", "2025", "--from", str(last), "-o", str(draft)])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(draft.read_text(encoding="utf-8"))
    assert data["agency"] == {"name": "淮安市人民政府", "level": "设区的市人民政府"}
    assert data["figures"]["applications"]["carried_over"]["natural_person"] == 103
    assert data["figures"]["applications"]["new_received"]["natural_person"] == 0
    assert data["figures"]["proactive"]["normative_documents"]["in_force"] == 66
    assert data["figures"]["proactive"]["normative_documents"]["issued"] == 0
    result = runner.invoke(cli, ["check", str(draft), "--previous", str(last)])
    assert "[X1]" not in result.output and "[X2]" not in result.output


def test_new_refuses_to_overwrite(runner, tmp_path):
    path = tmp_path / "draft.yaml"
    path.write_text("keep me", encoding="utf-8")
    args = ["new", "--agency", "某局", "--year", "2025", "-o", str(path)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2 and "--force" in result.output
    assert path.read_text(encoding="utf-8") == "keep me"
    assert runner.invoke(cli, [*args, "--force"]).exit_code == 0
    assert toolkit.load(path).report.agency.name == "某局"


def test_new_default_name_and_stdout(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(cli, ["new", "--agency", "某/局", "--year", "2020"]).exit_code == 0
    [written] = tmp_path.glob("*.yaml")
    assert written.name == "某_局2020年政府信息公开工作年度报告.yaml"
    assert toolkit.load(written).report.format.version == "2019"
    result = runner.invoke(cli, ["new", "--agency", "某局", "--year", "2025", "-o", "-"])
    assert result.stdout.startswith("# 某局2025年")


def test_new_needs_an_agency(runner):
    result = runner.invoke(cli, ["new", "--year", "2025"])
    assert result.exit_code == 2 and "--agency" in result.output


def test_previous_with_several_files_is_a_usage_error(runner):
    result = runner.invoke(cli, ["check", "--previous", str(SAMPLES[0]), str(SAMPLES[0]), str(SAMPLES[1])])
    assert result.exit_code == 2


def test_help_is_chinese(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0 and "政府信息公开工作年度报告" in result.output
    assert "退出码" in runner.invoke(cli, ["check", "--help"]).output
