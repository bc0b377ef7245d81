"""One check pipeline: ``check`` and ``batch check`` give every file the same verdict and the same exit
code, pair last year's report the same way (agency and year) and both find 雷同.

Every file is a real published report from ../shared/real/web, or a data file made here."""

from __future__ import annotations

import json
import shutil

import pytest

import toolkit
from toolkit import api
from toolkit.cli import cli
from toolkit.cli.present import exit_code

pytestmark = pytest.mark.usefixtures("shared")


@pytest.fixture(scope="module")
def web_files():
    from tests.conftest import SHARED

    readable = api.readable_suffixes()
    return sorted(p for p in (SHARED / "real/web").iterdir() if p.suffix.lower() in readable)


def _batch_rows(output: str) -> dict[str, list[str]]:
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("文件") and line.rstrip().endswith("结果"))
    return {line.split()[0]: line.split() for line in lines[start + 1:] if line and not line.startswith("共 ")}


def test_check_and_batch_check_agree_on_every_real_file(runner, web_files, tmp_path):
    assert len(web_files) >= 20
    single = runner.invoke(cli, ["check", "--format", "json", *map(str, web_files)])
    by_file = {f["file"].rsplit("/", 1)[-1]: f for f in json.loads(single.output)["files"]}
    batch = runner.invoke(cli, ["batch", "check", str(web_files[0].parent), "-j", "1"])
    rows = _batch_rows(batch.output)
    assert set(rows) == set(by_file)
    for name, row in rows.items():
        assert row[-1] == by_file[name]["result"], name
    verdicts = {f["result"] for f in by_file.values()}
    assert {"未核查表格", "仅部分核查", "通过", "未通过"} <= verdicts  # the corpus exercises every verdict
    assert single.exit_code == batch.exit_code == 1

    # One file at a time: the same verdict gives the same exit code under both commands.
    for path in web_files:
        folder = tmp_path / path.stem
        folder.mkdir()
        shutil.copy(path, folder / path.name)
        alone = runner.invoke(cli, ["check", str(path)])
        batched = runner.invoke(cli, ["batch", "check", str(folder), "-j", "1"])
        verdict = by_file[path.name]["result"]
        assert alone.exit_code == batched.exit_code == exit_code(verdict), (path.name, verdict)
        assert _batch_rows(batched.output)[path.name][-1] == verdict


def test_check_and_batch_check_agree_on_the_sample_data_files(runner):
    from tests.conftest import ROOT, SAMPLES

    single = runner.invoke(cli, ["check", "--format", "json", *map(str, SAMPLES)])
    by_file = {f["file"].rsplit("/", 1)[-1]: f["result"] for f in json.loads(single.output)["files"]}
    batch = runner.invoke(cli, ["batch", "check", str(ROOT / "samples"), "-j", "1"])
    rows = _batch_rows(batch.output)
    assert {name: row[-1] for name, row in rows.items() if name in by_file} == by_file
    assert single.exit_code == exit_code(json.loads(single.output)["summary"]["result"])


def test_a_copy_whose_tables_were_not_read_does_not_pass_anywhere(runner, web_files, tmp_path):
    unread = next(p for p in web_files if p.name == "116.txt")
    result = api.check_file(unread)
    assert (result.figures_read, result.verdict()) == (0, "未核查表格")
    folder = tmp_path / "one"
    folder.mkdir()
    shutil.copy(unread, folder / unread.name)
    for args in (["check", str(unread)], ["batch", "check", str(folder)]):
        outcome = runner.invoke(cli, args)
        assert outcome.exit_code == 1 and "未核查表格" in outcome.output, args


def _finished(agency: str, year: int, received: int, forward: int, carried: int = 0) -> str:
    report = toolkit.new_report(agency, year, previous=None)
    for narrative in report.narrative.values():
        narrative.paragraphs = [f"{agency}{year}年度依法做好政府信息公开工作，各项工作有序推进。"] if not narrative.parts else []
        for part in narrative.parts:
            part.paragraphs = [f"{agency}{year}年度{part.title}工作按要求落实，未收取信息处理费，相关情况如实公开。"]
    ref = toolkit.CellRef
    report.figures.update({
        ref("applications", "new_received", "natural_person"): received,
        ref("applications", "carried_over", "natural_person"): carried,
        ref("applications", "disclosed", "natural_person"): received + carried - forward,
        ref("applications", "carried_forward", "natural_person"): forward,
    })
    import datetime as dt

    report.date = dt.date(year + 1, 1, 20)
    return toolkit.dumps(report)


def test_both_pair_last_year_by_agency_and_year_not_by_file_name(runner, tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    # Last year carried 2 forward; this year says 0 were carried over: cross-year rule X1 fails.
    (folder / "a.yaml").write_text(_finished("洪泽县水利局", 2024, 5, 2), encoding="utf-8")
    (folder / "zz-other-name.yaml").write_text(_finished("洪泽县水利局", 2025, 3, 0), encoding="utf-8")
    together = runner.invoke(cli, ["check", *sorted(map(str, folder.iterdir()))])
    batch = runner.invoke(cli, ["batch", "check", str(folder)])
    for output in (together.output, batch.output):
        assert "[X1]" in output and "zz-other-name.yaml" in output
    rows = _batch_rows(batch.output)
    assert rows["zz-other-name.yaml"][-1] == "未通过" and rows["a.yaml"][-1] == "通过"
    assert together.exit_code == batch.exit_code == 1

    # Last year's folder given apart: paired by agency and year as well.
    last, this = tmp_path / "last", tmp_path / "this"
    last.mkdir(), this.mkdir()
    shutil.move(folder / "a.yaml", last / "x.yaml")
    shutil.move(folder / "zz-other-name.yaml", this / "y.yaml")
    apart = runner.invoke(cli, ["batch", "check", str(this), "--previous", str(last)])
    assert "[X1]" in apart.output and apart.exit_code == 1


def test_both_find_copied_sections(runner, tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    same = _finished("洪泽县水利局", 2025, 3, 0)
    (folder / "a.yaml").write_text(same, encoding="utf-8")
    (folder / "b.yaml").write_text(same.replace("洪泽县水利局", "洪泽县交通运输局"), encoding="utf-8")
    together = runner.invoke(cli, ["check", str(folder / "a.yaml"), str(folder / "b.yaml")])
    batch = runner.invoke(cli, ["batch", "check", str(folder)])
    copied = [line for line in together.output.splitlines() if "雷同" in line]
    assert copied, together.output
    assert [line for line in batch.output.splitlines() if "雷同" in line] == copied


def test_an_unforeseen_failure_of_one_file_is_that_file_unusable(runner, tmp_path, monkeypatch):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.yaml").write_text(_finished("洪泽县水利局", 2025, 3, 0), encoding="utf-8")
    (folder / "b.yaml").write_text(_finished("洪泽县交通运输局", 2025, 4, 1), encoding="utf-8")
    check_file = api.check_file

    def failing(path, *args, **kwargs):
        if path.name == "b.yaml":
            raise RuntimeError("模拟的内部错误")
        return check_file(path, *args, **kwargs)

    monkeypatch.setattr(api, "check_file", failing)
    result = runner.invoke(cli, ["batch", "check", str(folder), "-j", "1"])
    rows = _batch_rows(result.output)
    assert (rows["a.yaml"][-1], rows["b.yaml"][-1]) == ("通过", "无法使用")
    assert result.exit_code == 2 and "模拟的内部错误" in result.output
