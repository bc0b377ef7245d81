"""Hostile inputs for every command: each refused (or accepted) cleanly, with its message, cheaply.

The files are generated here (tests/hostile/corpus.py), bombs included, in a temporary folder. All
commands run in one child process, which measures each command's time and its own peak memory,
so that an input which exhausts memory or time fails this test instead of the machine.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest

from toolkit.cli import cli

from .hostile import corpus as c

ROOT = Path(__file__).resolve().parent.parent
PEAK_MB = 500  # the bound for any hostile input
SECONDS = 30


@dataclass(frozen=True)
class Case:
    name: str
    args: object  # () -> the command's arguments, making the files it reads
    exit: int
    message: str  # the Chinese message the output must contain


def _cases(folder: Path) -> list[Case]:
    """Every case; its files are made only when ``Case.args`` is called."""
    f = str(folder)
    huaian = str(c.HUAIAN)
    cases = []
    made: dict[str, str] = {}

    def once(name, build):
        if name not in made:
            made[name] = str(build())
        return made[name]

    def t(name, tags):
        return once(name, lambda: c.template_with(folder, name, tags))

    def data(name, edit):
        return once(name, lambda: c.data_file(folder, name, edit))

    def written(name, content):
        def build():
            path = folder / name
            path.write_bytes(content() if callable(content) else content)
            return path
        return once(name, build)

    def special(name, make):
        def build():
            make(folder / name)
            return folder / name
        return once(name, build)

    def add(name, args, exit, message):
        cases.append(Case(name, args, exit, message))

    nested = lambda: t("nested-expression.docx", "{{ " + "(" * 2000 + "1" + ")" * 2000 + " }}")  # noqa: E731
    bomb_list = lambda: t("list-bomb.docx", "{% set s = 'A' * 999999 %}{{ [s] * 2000 }}")  # noqa: E731
    zip_bomb = lambda: once("zip-bomb.docx", lambda: c.zip_bomb_docx(folder, "zip-bomb.docx"))  # noqa: E731
    entities = lambda: once("laughs.docx", lambda: c.entity_docx(folder, "laughs.docx"))  # noqa: E731
    grid = lambda: once("grid-span.docx", lambda: c.grid_span_docx(folder, "grid-span.docx"))  # noqa: E731
    # Templates: nesting, Jinja mistakes, size bombs.
    add("nested expression", lambda: ["template", "check", nested()], 1, "括号嵌套超过 32 层")
    add("nested expression, render", lambda: ["render", huaian, "--template", nested(), "-o", f"{f}/o1.docx"], 2, "有 1 处问题")
    add("25 nested for", lambda: ["template", "check", t("for25.docx", "{% for a in range(2) %}" * 25 + "x" + "{% endfor %}" * 25)],
        1, "嵌套超过 12 层")
    add("200 nested if", lambda: ["template", "check", t("if200.docx", "{% if 1 %}" * 200 + "x" + "{% endif %}" * 200)],
        1, "嵌套超过 12 层")
    add("%c out of range", lambda: ["template", "check", t("percent-c.docx", "{{ '%c' % 1114112 }}")], 1, "数值超出范围")
    add("year + 1", lambda: ["template", "check", t("year-plus.docx", "{{ year + 1 }}{{ title_agency }}")], 1,
        "正文第 1 段（按段落顺序计，含表格中的段落）填写时出错：数据类型不匹配")
    add("division by zero", lambda: ["template", "check", t("zero.docx", "{{ title_agency }}{{ 1 / 0 }}")], 1, "除数为零")
    add("sum of texts", lambda: ["template", "check", t("sum.docx", "{{ ['a', 'b']|sum }}{{ title_agency }}")], 1,
        "数据类型不匹配")
    add("list repeated to 2 GB", lambda: ["template", "check", bomb_list()], 1, "重复后的文字或列表超过上限")
    add("list repeated to 2 GB, render", lambda: ["render", huaian, "--template", bomb_list(), "-o", f"{f}/o2.docx"], 2, "有 1 处问题")
    add("list printed as string", lambda: ["template", "check", t("list-string.docx", "{% set s = 'A' * 999999 %}{{ [s, s]|string }}")],
        1, "超过上限")
    for command in (["template", "check"], ["render", huaian, "--template"], ["template", "adopt"], ["extract"], ["check"]):
        output = ["-o", f"{f}/o3-{len(command)}-{command[0]}.{'yaml' if command[0] == 'extract' else 'docx'}"]
        add(f"zip bomb: {' '.join(command[:2])}", lambda command=command, output=output: [
            *command, zip_bomb(), *(output if command[0] in ("render", "extract") or "adopt" in command else [])],
            2, "“word/document.xml”解压后为 1024 MB，超过上限 64 MB（疑似压缩炸弹）")
    add("20,000 members", lambda: ["template", "check", str(c.many_members_docx(folder, "members.docx"))], 2,
        "压缩包内文件过多（20014 个，上限 10000 个）")
    add("billion laughs template", lambda: ["template", "check", entities()], 2, "“word/document.xml”含有 DTD 或实体声明")
    add("billion laughs copy", lambda: ["extract", entities(), "-o", f"{f}/o4.yaml"], 2, "含有 DTD 或实体声明")
    add("huge gridSpan: extract", lambda: ["extract", grid(), "-o", f"{f}/o5.yaml"], 2, "声称横跨 2000000000 列，超过上限 64 列")
    add("huge gridSpan: check", lambda: ["check", grid()], 2, "声称横跨 2000000000 列")
    add("huge gridSpan: template", lambda: ["template", "check", grid()], 2, "声称横跨 2000000000 列")
    add("a million paragraphs", lambda: ["check", str(c.many_paragraphs_docx(folder, "paragraphs.docx"))], 2, "段落超过 200000 个")
    # PDF.
    add("1 GB flate stream", lambda: ["check", str(c.flate_bomb_pdf(folder, "flate.pdf"))], 2, "PDF 中的数据流解压后超过 64 MB（疑似压缩炸弹）")
    add("PDF with only JavaScript", lambda: ["check", str(c.javascript_pdf(folder, "script.pdf"))], 2, "PDF 中没有文字层")
    add("20,000 empty pages", lambda: ["check", str(c.many_pages_pdf(folder, "pages.pdf"))], 2, "PDF 中没有文字层")
    # Data files.
    add("5,000-digit figure", lambda: ["check", data("digits.yaml", lambda s: c.set_line(s, "licensing", "9" * 5000))], 2,
        "数字有 5000 位，超过上限")
    add("5,000-digit year", lambda: ["check", data("year.yaml", lambda s: c.set_line(s, "year", "9" * 5000))], 2,
        "报告年度应为四位数的年份")
    add("figure past 10^12", lambda: ["check", data("big.yaml", lambda s: c.set_line(s, "licensing", "1000000000001"))], 2,
        "数字 1000000000001 超过上限 1000000000000")
    add("fee 1e400", lambda: ["check", data("fee.yaml", lambda s: c.set_line(s, "fees", "1.0e+400"))], 2, "数字 1.0e+400 超过上限")
    add("1 MB agency name", lambda: ["render", data("name.yaml", lambda s: c.set_line(s, "name", "淮" * 1_000_000)),
                             "-o", f"{f}/o6.docx"], 2, "“机关全称”长 1000000 个字符，超过上限 200 个")
    add("bidi override in a paragraph", lambda: ["check", data("bidi.yaml", lambda s: s.replace("圆满完成了各项任务", "圆满\u202e完成了各项任务"))],
        2, "含有改变文字显示方向的控制字符（U+202E）")
    add("escape in a name", lambda: ["check", data("escape.yaml", lambda s: c.set_line(s, "name", '"淮安市\\e人民政府"'))], 2,
        "含有不可见的控制字符（U+001B）")
    add("line break in --agency", lambda: ["new", "--agency", "某某\n乡人民政府", "--year", "2025", "-o", f"{f}/o7.yaml"], 2,
        "含有换行符（U+000A）")
    add("U+2028 in --agency", lambda: ["new", "--agency", "某某\u2028乡人民政府", "--year", "2025", "-o", f"{f}/o8.yaml"], 2,
        "含有换行符（U+2028）")
    add("100,000 nested flow lists", lambda: ["check", written("flow.yaml", ("year: " + "[" * 100_000 + "]" * 100_000).encode())],
        2, "YAML 嵌套超过 64 层")
    add("3,000 nested mappings", lambda: ["check", written("block.yaml", "".join(" " * i + f"k{i}:\n" for i in range(3000)).encode())],
        2, "YAML 嵌套超过 64 层")
    add("nested lists as an agency list", lambda: ["batch", "new", "--agencies", written("agencies.yaml", ("[" * 100_000).encode()),
                                                    "--year", "2025", "--out", f"{f}/o9"], 2, "YAML 嵌套超过 64 层")
    add("data file over 5 MB", lambda: ["check", data("huge.yaml", lambda s: s + "#" * (6 * c.MB))], 2, "文件过大（6.0 MB，上限 5 MB）")
    # Files that are not files.
    add("a FIFO", lambda: ["check", special("pipe.yaml", os.mkfifo)], 2, "不是普通文件（可能是管道、设备或特殊文件）")
    add("a link to /dev/zero", lambda: ["check", special("zero.yaml", lambda p: os.symlink("/dev/zero", p))], 2, "不是普通文件")
    add("a link to /dev/zero as a template", lambda: ["template", "check", special("devzero.docx", lambda p: os.symlink("/dev/zero", p))], 2, "不是普通文件")
    # Registers.
    add("whole-sheet merge", lambda: ["tally", str(c.whole_sheet_merge_xlsx(folder, "merged.xlsx"))], 2,
        "合并单元格 A1:XFD1048576 覆盖 17179869184 个单元格")
    add("billion laughs sheet", lambda: ["tally", str(c.laughing_xlsx(folder, "laughs.xlsx"))], 2, "含有 DTD 或实体声明")
    add("XXE sheet", lambda: ["tally", str(c.xxe_xlsx(folder, "xxe.xlsx"))], 2, "含有 DTD 或实体声明")
    add("binary register", lambda: ["tally", written("binary.csv", bytes(range(256)) * 40)], 2, "文件内容不是可以识别的表格")
    add("a 200,000-character cell", lambda: ["tally", written("long-cell.csv", ("申请时间,申请人类型\n2024-01-01,\"" + "x" * 200_000 + "\"\n").encode())], 2, "文件内容不是可以识别的表格")
    add("200,000 rows", lambda: ["tally", written("rows.csv", lambda: ("申请时间,申请人类型\n" + "2024-01-01,自然人\n" * 200_000).encode())], 2, "台账超过 100000 行")
    # Published copies with nothing readable.
    add("binary junk as .docx", lambda: ["check", written("junk.docx", bytes(range(256)) * 80)], 2, "不是有效的 Word（.docx）文件")
    add("binary junk as .html", lambda: ["check", written("junk.html", bytes(range(256)) * 80)], 2, "文件中读不出年度报告的任何内容")
    return cases


_CHILD = textwrap.dedent("""
    import gc, json, sys, time
    from click.testing import CliRunner
    from toolkit.cli import cli
    runner, results = CliRunner(), []
    for args in json.loads(sys.stdin.read()):
        gc.collect()
        start = time.monotonic()
        result = runner.invoke(cli, args)
        results.append({"exit": result.exit_code, "output": result.output, "seconds": time.monotonic() - start,
                        "traceback": result.exception is not None and not isinstance(result.exception, SystemExit)})
    status = open("/proc/self/status").read()
    print(json.dumps({"results": results, "peak_mb": int(status.split("VmHWM:")[1].split()[0]) / 1024}))
""")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile-inputs")
    cases = _cases(folder)
    child = subprocess.run([sys.executable, "-c", _CHILD], input=json.dumps([case.args() for case in cases]),
                           capture_output=True, text=True, cwd=folder, timeout=1800,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert child.returncode == 0, child.stderr[-3000:]
    outcome = json.loads(child.stdout.splitlines()[-1])
    return folder, dict(zip([case.name for case in cases], zip(cases, outcome["results"]))), outcome["peak_mb"]


def _names():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        return [case.name for case in _cases(Path(folder))]


NAMES = _names()


@pytest.mark.parametrize("name", NAMES)
def test_hostile_input_is_handled_with_its_message(corpus, name):
    _, results, _ = corpus
    case, result = results[name]
    assert not result["traceback"] and "Traceback" not in result["output"], result["output"][-1500:]
    assert "内部错误" not in result["output"], result["output"][-800:]
    assert result["exit"] == case.exit, (result["exit"], result["output"][-800:])
    assert case.message in result["output"], result["output"][-800:]
    assert result["seconds"] < SECONDS, result["seconds"]


def test_hostile_inputs_stay_within_memory(corpus):
    assert corpus[2] < PEAK_MB, corpus[2]


def test_nothing_is_written_beside_a_refused_input(corpus):
    folder, _, _ = corpus
    assert not [p.name for p in folder.glob("o*") if p.name.startswith("o") and p.name[1:2].isdigit()]
    assert not list(folder.glob(".*.tmp"))


def test_figures_print_in_plain_notation(runner, tmp_path):
    data = c.data_file(tmp_path, "fees.yaml", lambda s: c.set_line(s, "fees", "1.5e+3"))
    out = tmp_path / "report.docx"
    result = runner.invoke(cli, ["render", str(data), "-o", str(out), "--csv", "--html"])
    assert result.exit_code == 0, result.output
    csv = out.with_suffix(".csv").read_text(encoding="utf-8-sig")
    assert ",fees,amount," in csv and re.search(r",fees,amount,[^\n]*,1500\r?$", csv, re.M), csv[:500]
    assert "E+" not in csv and "E+" not in out.with_suffix(".html").read_text(encoding="utf-8")
    cells = [cell.text for table in docx.Document(out).tables for row in table.rows for cell in row.cells]
    assert "1500" in cells and not [text for text in cells if "E+" in text]


def test_open_data_cells_are_safe_in_spreadsheets(runner, tmp_path):
    data = c.data_file(tmp_path, "formula.yaml", lambda s: c.set_line(s, "name", "'=HYPERLINK(\"http://x\",\"点击\")人民政府'"))
    out = tmp_path / "report.docx"
    result = runner.invoke(cli, ["render", str(data), "-o", str(out), "--csv", "--ignore-errors"])
    assert result.exit_code == 0, result.output
    rows = out.with_suffix(".csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    assert rows and all(row.startswith("\"'=HYPERLINK(\"\"http://x\"\",") for row in rows), rows[0]
    read_back = runner.invoke(cli, ["check", str(out.with_suffix(".csv")), "--format", "json"])
    assert '"agency": "=HYPERLINK(\\"http://x\\",\\"点击\\")人民政府"' in read_back.output, read_back.output[:600]


def test_long_agency_name_gives_a_file_name_within_255_bytes(runner, tmp_path):
    data = c.data_file(tmp_path, "long.yaml", lambda s: c.set_line(s, "name", "淮" * 190 + "人民政府"))
    with runner.isolated_filesystem(temp_dir=tmp_path):
        result = runner.invoke(cli, ["render", str(data), "--ignore-errors"])
        assert result.exit_code == 0, result.output
        produced = Path(re.search(r"已生成：(.+\.docx)", result.output).group(1))
        assert produced.exists() and len(produced.name.encode()) <= 255 and produced.name.startswith("淮" * 60)
