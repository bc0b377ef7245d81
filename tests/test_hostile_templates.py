"""Hostile templates: each is refused by both ``template check`` and ``render``, cleanly and cheaply.

Every template is the exported one with one paragraph replaced by an attack. All of them run in
one child process that measures each command's time and the process's peak memory, so that a
template which exhausts memory or time fails this test instead of the machine.
"""

import json
import subprocess
import sys
import textwrap

import docx
import pytest

from toolkit.render import default_template

from .conftest import ROOT, SAMPLES

HUAIAN = next(p for p in SAMPLES if "huaian" in p.name)

ATTACKS = [
    "{% include 'word/document.xml' %}",
    "{% import 'x' as m %}{{ m }}",
    "{% from 'x' import y %}{{ y }}",
    "{% extends 'base' %}",
    "{% for i in range(10**6) %}{% endfor %}",
    "{{ 'A'*10**9 }}",
    '{{ "x" * 10**9 }}',
    "{{ [1] * 10**9 }}",
    "{% for i in range(9999) %}{% for j in range(9999) %}{% endfor %}{% endfor %}",
    "{% for i in range(9999) %}{% for j in range(9999) %}{{ j }}{% endfor %}{% endfor %}",
    "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "{% for x in lead recursive %}{{ loop(lead) }}{% endfor %}",
    "{{ 'x'|center(10**9) }}",
    "{{ '%s'|format('x') }}",
    "{{ '{:>999999999}'.format(1) }}",
    "{{ '%999999999s' % 'x' }}",
    "{{ range(9999)|join('A'*100000) }}",
    "{{ 'ab'|replace('a', 'B'*999999) * 2 }}",
    "{{ 'x'.ljust(10**9) }}",
    "{{ (10**10)**(10**10) }}",
    "{% set a = 'A'*999999 %}{{ a~a~a~a~a~a~a~a~a~a~a~a }}",
    "{% for i in range(9999) %}{{ 'A'*999999 }}{% endfor %}",
    "{{ agency.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ lipsum(10**6) }}",
    "{{ lead.append(1) }}",
    "{% autoescape false %}</w:t></w:r></w:p>{% endautoescape %}",
    "{{ 'x'|wordwrap(10**9) }}",
]

_CHILD = textwrap.dedent("""
    import gc, json, resource, sys, time
    from click.testing import CliRunner
    from toolkit.cli import cli
    from toolkit.render import engine
    runner, results = CliRunner(), []
    for template in sys.argv[2:]:
        engine._compiled.cache_clear()  # compiled templates are cached per file; only the attack's own cost counts
        gc.collect()
        for args in (["template", "check", template], ["render", sys.argv[1], "--template", template, "-o", template + ".out.docx"]):
            start = time.monotonic()
            result = runner.invoke(cli, args)
            results.append({"args": args, "exit": result.exit_code, "output": result.output,
                            "seconds": time.monotonic() - start, "traceback": result.exception is not None
                            and not isinstance(result.exception, SystemExit)})
    # VmHWM is this process's own peak; ru_maxrss would carry over the parent's from before exec.
    status = open("/proc/self/status").read()
    peak_kb = int(status.split("VmHWM:")[1].split()[0]) if "VmHWM:" in status else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"results": results, "peak_mb": peak_kb / 1024}))
""")

PEAK_MB = 300  # measured ~100 MB: the interpreter, python-docx, docxtpl, one template and its budgets
SECONDS = 15  # per command: compiling, a probe render or two, all refused within the budget of 5 s


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    paths = []
    for number, attack in enumerate(ATTACKS):
        document = docx.Document(default_template("2021"))
        next(p for p in document.paragraphs if p.text == "{{ title_agency }}").text = attack
        path = folder / f"hostile-{number:02d}.docx"
        document.save(path)
        paths.append(str(path))
    child = subprocess.run([sys.executable, "-c", _CHILD, str(HUAIAN), *paths], capture_output=True, text=True,
                           cwd=ROOT, timeout=900)
    assert child.returncode == 0, child.stderr[-3000:]
    return json.loads(child.stdout.splitlines()[-1])


def test_at_least_twenty_attacks():
    assert len(ATTACKS) >= 20


@pytest.mark.parametrize("number", range(len(ATTACKS)))
def test_hostile_template_is_refused_by_check_and_render(outcome, number):
    check, rendering = outcome["results"][2 * number: 2 * number + 2]
    attack = ATTACKS[number]
    assert check["exit"] == 1 and "未通过" in check["output"], (attack, check["output"][-500:])
    assert check["output"].splitlines()[0].startswith(("模板被拒绝", "模板不能使用")), attack
    assert rendering["exit"] == 2 and rendering["output"].startswith("错误：") or "错误：" in rendering["output"], \
        (attack, rendering["output"][-500:])
    assert rendering["exit"] == 2, (attack, rendering["output"][-500:])
    for result in (check, rendering):
        assert not result["traceback"] and "Traceback" not in result["output"], (attack, result["output"][-800:])
        assert result["seconds"] < SECONDS, (attack, result["seconds"])
    assert not (ROOT / "x").exists()


def test_hostile_templates_stay_within_memory(outcome):
    assert outcome["peak_mb"] < PEAK_MB, outcome["peak_mb"]


ALLOWED = [
    ("{{ agency|upper }}{{ year|int + 1 }}", "淮安市人民政府2025"),
    ("{% for p in lead %}{{ loop.index }}{% endfor %}", "1"),
    ("{{ agency.strip() }}{{ '%.1f' % 2 }}", "淮安市人民政府2.0"),
    ("{{ sections.overview.parts|length }}{{ (lead|join('、'))[:4] }}", None),
    ("{% for i in range(3) %}{{ i }}{% endfor %}{{ 'ab' ~ 'cd' }}", "012abcd"),
    ("{% set n = applications.total.total|int %}{{ n * 2 }}", None),
]


@pytest.mark.parametrize("tags, shown", ALLOWED)
def test_what_filling_a_report_needs_is_allowed(tmp_path, tags, shown):
    import io

    import toolkit
    from toolkit.render import render
    from toolkit.office_templates.lint import lint

    document = docx.Document(default_template("2021"))
    next(p for p in document.paragraphs if p.text == "{{ title_agency }}").text = "{{ agency }}" + tags
    path = tmp_path / "t.docx"
    document.save(path)
    assert lint(path, toolkit.get_format("2021")) == []
    report = toolkit.load(HUAIAN).report
    first = docx.Document(io.BytesIO(render(report, path))).paragraphs[0].text
    assert first.startswith("淮安市人民政府")
    if shown:
        assert first == "淮安市人民政府" + shown
    elif "applications" in tags:
        assert first == f"淮安市人民政府{2 * report.value(toolkit.CellRef.parse('applications.total.total'))}"
