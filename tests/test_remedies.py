"""Errors carry data; faces choose words. The library names what would help by its meaning, and the
command line turns it into the option of the command at hand — or into nothing, when that command
has no such option. No module outside cli/ names a command-line option."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import yaml

import toolkit
from toolkit.cli import cli

PACKAGE = Path(toolkit.__file__).parent


def _options(command: click.Command) -> set[str]:
    found = {opt for p in command.params if isinstance(p, click.Option) for opt in p.opts + p.secondary_opts}
    for sub in getattr(command, "commands", {}).values():
        found |= _options(sub)
    return found


def _strings(path: Path):
    """(line, text) of every string a module holds: messages, hints, docstrings."""
    if path.suffix == ".py":
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield node.lineno, node.value
    else:
        stack = [yaml.safe_load(path.read_text(encoding="utf-8"))]
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                stack += [*value.keys(), *value.values()]
            elif isinstance(value, list):
                stack += value
            elif isinstance(value, str):
                yield None, value


def test_no_module_outside_the_command_line_names_an_option():
    options = _options(cli)
    assert {"--force", "--allow-format-mismatch", "--draft", "-o"} <= options
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, sorted(options, key=len, reverse=True)))
                         + r")(?![\w-])")
    named = []
    for path in sorted([*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.yaml")]):
        if "cli" in path.relative_to(PACKAGE).parts:
            continue
        for line, text in _strings(path):
            named += [f"{path.relative_to(PACKAGE)}:{line}: {m.group(1)}" for m in pattern.finditer(text)]
    assert not named, "\n".join(named)


def test_the_scan_would_see_an_option_named_in_a_message(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('raise ValueError("请加 --force 覆盖")\n', encoding="utf-8")
    assert any("--force" in text for _, text in _strings(module))


def test_an_error_carries_its_remedy_and_each_command_words_it(runner, tmp_path):
    out = tmp_path / "2025.yaml"
    assert runner.invoke(cli, ["new", "--agency", "某某乡人民政府", "--year", "2025", "-o", str(out)]).exit_code == 0
    again = runner.invoke(cli, ["new", "--agency", "某某乡人民政府", "--year", "2025", "-o", str(out)])
    assert again.exit_code == 2 and "文件已存在" in again.output and "如需覆盖，请加 --force" in again.output

    mismatch = runner.invoke(cli, ["new", "--agency", "某某乡人民政府", "--year", "2025", "--format", "2019", "-o", "-"])
    assert mismatch.exit_code == 2 and "--allow-format-mismatch" in mismatch.output

    # tally has no --allow-format-mismatch: it is told what is wrong, never an option it lacks.
    register = tmp_path / "台账.csv"
    register.write_text("编号,收到申请日期,申请人类型,答复日期,办理结果\n1,2025-03-01,自然人,2025-03-20,予以公开\n",
                        encoding="utf-8")
    tallied = runner.invoke(cli, ["tally", str(register), "--year", "2025", "--format", "2019",
                                  "-o", str(tmp_path / "t.yaml"), "--agency", "某某乡人民政府"])
    assert tallied.exit_code == 2, tallied.output
    assert "不适用于2025年度报告" in tallied.output and "--allow-format-mismatch" not in tallied.output


def test_render_words_each_gate_as_its_own_option(runner, tmp_path, draft_text):
    data = tmp_path / "draft.yaml"
    data.write_text(draft_text, encoding="utf-8")
    unfinished = runner.invoke(cli, ["render", str(data), "-o", str(tmp_path / "a.docx")])
    assert unfinished.exit_code == 1 and "尚未完成" in unfinished.output and "或加 --draft 生成" in unfinished.output
    chart = runner.invoke(cli, ["render", str(data), "-o", str(tmp_path / "a.docx"), "--chart", "--draft"])
    assert chart.exit_code == 2 and "需要上一年度的报告" in chart.output and "--previous" in chart.output


def test_a_finding_names_its_remedy_for_the_command_at_hand(runner, tmp_path):
    copy = tmp_path / "copy.txt"
    copy.write_text("政府信息公开工作年度报告\n一、总体情况\n我局依法做好政府信息公开工作。\n", encoding="utf-8")
    result = runner.invoke(cli, ["check", str(copy), "--year", "2025"])
    assert "[M2]" in result.output and "可以：可用 --agency 指定机关全称" in result.output
    finding = next(f for f in toolkit.api.check_file(copy, year=2025).findings if f.rule == "M2")
    assert finding.remedy == "agency" and "--" not in finding.describe()
