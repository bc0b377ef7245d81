"""The web form over HTTP (Starlette's TestClient): every route, the data file through the form byte for
byte, findings at their fields in the CLI's words, stale saves, uploads good and bad, versions, downloads."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest

import toolkit
from toolkit import datafile
from toolkit.formats import CellRef
from toolkit.layout import grid

from .conftest import ROOT
from .test_office import office, pdf_text  # noqa: F401  (the fixture: LibreOffice must be there in CI)
from .test_new_format import NEW_COLUMN, NEW_ROW, new_format  # noqa: F401  (the fixture: a format added as data)
from .test_tally import requests_for, write_register

HUAIAN = ROOT / "samples" / "huaian-2024.yaml"
TAOCUN = ROOT / "samples" / "taocun-2022.yaml"
TOTAL = "figures.applications.total.natural_person"


@pytest.fixture
def client(tmp_path):
    from starlette.testclient import TestClient

    from toolkit.web import create_app

    with TestClient(create_app(tmp_path / "data")) as test_client:
        yield test_client


class FormPage(HTMLParser):
    """What a browser would submit from the form page, and the attributes of every named control."""

    def __init__(self, html: str):
        super().__init__()
        self.fields: dict[str, object] = {}
        self.controls: dict[str, dict] = {}  # by data-field or name
        self.tables: dict[str, list[list[dict]]] = {}
        self._textarea = self._select = self._table = None
        self._cell = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("data-table"):
            self._table = self.tables.setdefault(a["data-table"], [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("th", "td") and self._table is not None:
            self._cell = {"tag": tag, "text": "", "rowspan": int(a.get("rowspan", 1)),
                          "colspan": int(a.get("colspan", 1)), "scope": a.get("scope")}
            self._table[-1].append(self._cell)
        if tag == "input":
            key = a.get("data-field") or a.get("name")
            if key:
                self.controls[key] = a
            if self._cell is not None:
                self._cell["input"] = a
            if not a.get("name"):
                return
            if a.get("type") == "checkbox":
                self.fields[a["name"]] = "checked" in a
            elif a.get("type") != "file":
                self.fields[a["name"]] = a.get("value") or ""
        elif tag == "textarea":
            self._textarea = a["name"]
            self.controls[a["name"]] = a
            self.fields[a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]
            self._options = []
        elif tag == "option" and self._select:
            self._options.append({"selected": "selected" in a, "value": a.get("value"), "text": ""})

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data
        if self._cell is not None:
            self._cell["text"] += data
        if self._select and self._options:
            self._options[-1]["text"] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            chosen = next((o for o in self._options if o["selected"]), self._options[0])
            self.fields[self._select] = chosen["value"] if chosen["value"] is not None else chosen["text"]
            self._select = None
        elif tag in ("th", "td"):
            self._cell = None
        elif tag == "table":
            self._table = None


def page(client, report_id: int) -> FormPage:
    response = client.get(f"/reports/{report_id}")
    assert response.status_code == 200
    return FormPage(response.text)


def import_file(client, path: Path, name: str | None = None) -> int:
    response = client.post("/reports", data={"how": "import"}, files={"source": (name or path.name, path.read_bytes())},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def save(client, report_id: int, fields: dict, version: int, final: bool = False):
    return client.post(f"/reports/{report_id}/save", json={"fields": fields, "version": version, "final": final})


# -- the pages ------------------------------------------------------------------------------------------


def test_the_list_page_offers_every_way_to_start(client):
    text = client.get("/").text
    assert "还没有报告" in text
    for words in ("空白报告", "由上一年度的报告结转", "打开已有的报告"):
        assert words in text


def test_a_blank_report_opens_as_a_form_of_its_format(client):
    response = client.post("/reports", data={"how": "blank", "agency": "某某县某某乡人民政府", "year": "2025"},
                           follow_redirects=False)
    assert response.status_code == 303
    form = page(client, 1)
    fmt = toolkit.format_for_year(2025)
    assert form.fields["agency.name"] == "某某县某某乡人民政府"
    assert form.fields["agency.level"] == "乡镇人民政府"  # told by the name, as the CLI tells it
    for ref in fmt.iter_cells():
        control = form.controls[f"figures.{ref}"]
        assert control["aria-label"] == fmt.label(ref)
        if fmt.is_derived(ref):
            assert "readonly" in control and not control.get("name")  # computed, never typed
        else:
            assert control["value"] == "0"
    assert form.controls[TOTAL]["aria-label"] == "三、本年度办理结果 / （七）总计 / 自然人"
    assert form.fields["sections.overview.parts[0].title"] == "（一）主动公开"
    assert form.fields["sections.overview.parts[0].paragraphs[0]"] == "【待填写】主动公开。"
    assert "2025" in client.get("/").text


def test_a_new_format_file_gives_a_new_form(client, new_format):  # noqa: F811
    response = client.post("/reports", data={"how": "blank", "agency": "某某县某某局", "year": "2031"},
                           follow_redirects=False)
    assert response.status_code == 303
    form = page(client, 1)
    column, row = NEW_COLUMN["key"], NEW_ROW["key"]
    assert form.controls[f"figures.applications.new_received.{column}"]["aria-label"] == \
        "一、本年新收政府信息公开申请数量 / 网络平台"
    assert form.controls[f"figures.applications.{row}.natural_person"]["aria-label"] == \
        "三、本年度办理结果 / （六）其他处理 / 4.转送其他行政机关处理 / 自然人"
    total = form.controls[f"figures.applications.total.{column}"]
    assert f"figures.applications.{row}.{column}" in total["data-parts"].split()
    assert f"figures.applications.new_received.{column}" in form.controls["figures.applications.new_received.total"][
        "data-parts"].split()
    laid = grid(new_format.tables["applications"])
    html = slots(form.tables["applications"])
    assert (max(r for r, _ in html) + 1, max(c for _, c in html) + 1) == (laid.rows, laid.cols)
    fields = {**form.fields, f"figures.applications.new_received.{column}": "3"}
    result = client.post("/reports/1/check", json={"fields": fields}).json()
    assert any(f["rule"] == "A" and f"figures.applications.total.{column}" in f["fields"] for f in result["findings"])


def test_a_blank_report_needs_an_agency_and_a_year(client):
    response = client.post("/reports", data={"how": "blank", "agency": "", "year": "2025"})
    assert response.status_code == 400 and "请填写机关全称" in response.text
    response = client.post("/reports", data={"how": "blank", "agency": "某某乡人民政府", "year": "二〇二五"})
    assert response.status_code == 400 and "报告年度应为 2019 至 2100 之间的年份" in response.text
    assert 'value="某某乡人民政府"' in response.text  # what was typed is still there


def slots(rows: list[list[dict]]) -> dict[tuple[int, int], dict]:
    """Every slot of an HTML table with the cell covering it, rowspans and colspans resolved."""
    taken: dict[tuple[int, int], dict] = {}
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            for i in range(cell["rowspan"]):
                for j in range(cell["colspan"]):
                    taken[r + i, c + j] = cell
            c += cell["colspan"]
    return taken


@pytest.mark.parametrize("sample", [HUAIAN, TAOCUN], ids=lambda p: p.stem)
def test_the_form_tables_are_the_word_tables(client, sample):
    """Same rows, columns, merges and labels as the Word report: slot by slot, against the .docx."""
    report = toolkit.load(sample).report
    form = page(client, import_file(client, sample))
    document = docx.Document(io.BytesIO(toolkit.api.render_docx(report)))
    word_tables = document.tables
    for key, table in report.format.tables.items():
        laid = grid(table)
        html = slots(form.tables[key])
        assert max(r for r, _ in html) + 1 == laid.rows and max(c for _, c in html) + 1 == laid.cols
        word = next(t for t in word_tables if len(t.rows) == laid.rows and len(t.columns) == laid.cols
                    and t.cell(0, 0).text.strip() == (html[0, 0]["text"].strip()))
        for (r, c), cell in html.items():
            printed = word.cell(r, c).text.strip()
            if cell["tag"] == "th":
                assert cell["text"].strip().replace("\n", "") == printed.replace("\n", ""), (key, r, c)
            else:
                field = cell["input"]["data-field"]
                ref = CellRef.parse(field.removeprefix("figures."))
                assert printed == str(report.value(ref)), (key, r, c, field)
                if report.format.is_derived(ref):
                    assert "readonly" in cell["input"]
                else:
                    assert cell["input"]["value"] == printed
        merged = {(r, c) for (r, c), cell in html.items() if cell["rowspan"] > 1 or cell["colspan"] > 1}
        word_merged = {(r, c) for r in range(laid.rows) for c in range(laid.cols)
                       if any(word.cell(r, c)._tc is word.cell(r2, c2)._tc for r2, c2 in
                              ((r + 1, c), (r, c + 1), (r - 1, c), (r, c - 1))
                              if 0 <= r2 < laid.rows and 0 <= c2 < laid.cols)}
        assert merged == word_merged, key


# -- the data file through the form ----------------------------------------------------------------------


@pytest.mark.parametrize("sample", [HUAIAN, TAOCUN], ids=lambda p: p.stem)
def test_a_data_file_comes_back_byte_for_byte_through_the_form(client, sample):
    report_id = import_file(client, sample)
    form = page(client, report_id)
    response = save(client, report_id, form.fields, 1)
    assert response.status_code == 200 and response.json()["version"] == 2
    exported = client.get(f"/reports/{report_id}/download/yaml")
    assert exported.status_code == 200
    assert exported.content == sample.read_bytes()
    assert "filename*=UTF-8''" in exported.headers["content-disposition"]


def test_figures_typed_in_the_form_reach_the_data_file(client):
    report_id = import_file(client, HUAIAN)
    fields = page(client, report_id).fields
    fields["figures.applications.new_received.commercial"] = "１,２３４"  # as WPS pastes it
    fields["figures.proactive.fees.amount"] = "12.5"
    fields["sections.other.paragraphs[1]"] = "新加的一段。"
    assert save(client, report_id, fields, 1).status_code == 200
    report = datafile.loads(client.get(f"/reports/{report_id}/download/yaml").content)
    assert report.figures[CellRef("applications", "new_received", "commercial")] == 1234
    assert str(report.figures[CellRef("proactive", "fees", "amount")]) == "12.5"
    assert report.narrative["other"].paragraphs[-1] == "新加的一段。"


# -- checks while typing -------------------------------------------------------------------------------


def test_a_mismatched_total_is_found_at_its_cell_in_the_cli_words(client):
    report_id = import_file(client, HUAIAN)
    fields = page(client, report_id).fields
    fields["figures.applications.disclosed.natural_person"] = "1300"  # 12 more than published
    result = client.post(f"/reports/{report_id}/check", json={"fields": fields}).json()
    assert result["errors"] == 1 and not result["final_ready"]
    (finding,) = [f for f in result["findings"] if f["rule"] == "A"]
    assert TOTAL in finding["fields"]
    assert "figures.applications.carried_forward.natural_person" in finding["fields"]
    assert "figures.applications.disclosed.natural_person" not in finding["fields"]  # a part, not the total
    report = toolkit.load(HUAIAN).report
    report.figures[CellRef("applications", "disclosed", "natural_person")] = 1300
    (cli,) = [f for f in toolkit.check(report) if f.rule == "A"]
    said = cli.describe().split("\n")
    assert finding["text"] == said[0].split(": ", 1)[1]
    assert finding["text"].startswith("错误 [A] 本列勾稽关系")
    assert finding["detail"] == [line.strip() for line in said[1:]]


def test_a_finding_on_a_paragraph_names_that_paragraph(client):
    report_id = import_file(client, HUAIAN)
    fields = page(client, report_id).fields
    fields["figures.applications.new_received.natural_person"] = "3006"  # the text says 3119 received
    result = client.post(f"/reports/{report_id}/check", json={"fields": fields}).json()
    (d1,) = [f for f in result["findings"] if f["rule"] == "D1"]
    assert d1["fields"][0] == "sections.overview.paragraphs[2]"
    assert d1["severity"] == "warning" and result["warnings"] >= 1


def test_a_value_that_is_no_number_is_refused_at_its_cell(client):
    report_id = import_file(client, HUAIAN)
    fields = page(client, report_id).fields
    fields["figures.applications.new_received.research"] = "三件"
    for path in ("check", "save"):
        response = client.post(f"/reports/{report_id}/{path}", json={"fields": fields, "version": 1})
        assert response.status_code == 422
        (problem,) = response.json()["problems"]
        assert problem["field"] == "figures.applications.new_received.research"
        assert problem["label"] == "一、本年新收政府信息公开申请数量 / 科研机构"
        assert "应填整数" in problem["message"]
    assert len(client.get(f"/reports/{report_id}/versions").text.split("第 2 版")) == 1  # nothing saved


# -- 定稿, saves, versions -------------------------------------------------------------------------------


def test_final_is_refused_with_errors_but_the_save_is_kept(client):
    report_id = import_file(client, HUAIAN)
    fields = page(client, report_id).fields
    fields["figures.applications.disclosed.natural_person"] = "1300"
    body = save(client, report_id, fields, 1, final=True).json()
    assert body["final"] is False and body["version"] == 2
    assert body["refused"].startswith("未能定稿：报告有 1 个错误") and "已按原样保存为草稿" in body["refused"]
    fields["figures.applications.disclosed.natural_person"] = "1288"
    body = save(client, report_id, fields, 2, final=True).json()
    assert body["final"] is True and body["refused"] is None
    listing = client.get("/").text
    assert "定稿 · 第 3 版" in listing


def test_final_is_refused_while_placeholders_remain(client):
    client.post("/reports", data={"how": "blank", "agency": "某某县某某乡人民政府", "year": "2025"})
    body = save(client, 1, page(client, 1).fields, 1, final=True).json()
    assert body["final"] is False and "尚未填写（【待填写】或缺机关全称）" in body["refused"]


def test_a_stale_save_is_refused_and_nothing_is_overwritten(client):
    report_id = import_file(client, HUAIAN)
    first_tab, second_tab = page(client, report_id).fields, page(client, report_id).fields
    first_tab["agency.name"] = "淮安市人民政府（第一个窗口）"
    assert save(client, report_id, first_tab, 1).status_code == 200
    second_tab["agency.name"] = "淮安市人民政府（第二个窗口）"
    response = save(client, report_id, second_tab, 1)
    assert response.status_code == 409
    body = response.json()
    assert body["stale"] and body["latest"] == 2
    assert "已在别处（另一个窗口或同事）保存为第 2 版" in body["message"] and "仍保留在本页" in body["message"]
    kept = datafile.loads(client.get(f"/reports/{report_id}/download/yaml").content)
    assert kept.agency.name == "淮安市人民政府（第一个窗口）"


def test_every_save_is_a_version_that_can_be_viewed_and_restored(client):
    report_id = import_file(client, HUAIAN)
    fields = page(client, report_id).fields
    for version, agency in ((1, "甲"), (2, "乙")):
        fields["agency.name"] = agency
        assert save(client, report_id, fields, version).status_code == 200
    listing = client.get(f"/reports/{report_id}/versions").text
    for number, note in ((1, "导入 huaian-2024.yaml"), (2, "保存"), (3, "保存")):
        assert f"第 {number} 版" in listing and note in listing
    view = client.get(f"/reports/{report_id}/versions/2")
    assert view.status_code == 200 and "甲2024年政府信息公开工作年度报告" in view.text
    old = client.get(f"/reports/{report_id}/versions/1/data")
    assert old.content == HUAIAN.read_bytes()
    restored = client.post(f"/reports/{report_id}/versions/1/restore", data={"based_on": "3"}, follow_redirects=False)
    assert restored.status_code == 303
    assert client.get(f"/reports/{report_id}/download/yaml").content == HUAIAN.read_bytes()
    assert "恢复第 1 版" in client.get(f"/reports/{report_id}/versions").text
    stale = client.post(f"/reports/{report_id}/versions/2/restore", data={"based_on": "3"})
    assert stale.status_code == 409 and "保存为第 4 版" in stale.text


def test_an_unknown_report_or_version_is_a_page_not_a_traceback(client):
    for path in ("/reports/99", "/reports/99/versions", "/nowhere"):
        response = client.get(path)
        assert response.status_code == 404 and "没有这份报告或这个版本" in response.text
    import_file(client, HUAIAN)
    assert client.get("/reports/1/versions/7").status_code == 404


# -- starting from what the clerk has ----------------------------------------------------------------------


def test_carry_over_from_last_years_data_file(client):
    response = client.post("/reports", data={"how": "carry", "year": "2025"},
                           files={"source": ("huaian-2024.yaml", HUAIAN.read_bytes())}, follow_redirects=False)
    assert response.status_code == 303
    fields = page(client, 1).fields
    assert fields["year"] == "2025" and fields["agency.name"] == "淮安市人民政府"
    assert fields["figures.applications.carried_over.natural_person"] == "103"  # last year's 结转下年度
    assert fields["figures.proactive.regulations.in_force"] == "11"
    assert fields["figures.applications.new_received.natural_person"] == "0"


def test_a_carried_over_report_is_checked_against_last_year(client):
    client.post("/reports", data={"how": "carry", "year": "2025"},
                files={"source": ("huaian-2024.yaml", HUAIAN.read_bytes())})
    fields = {**page(client, 1).fields, "figures.applications.carried_over.natural_person": "100"}
    result = client.post("/reports/1/check", json={"fields": fields}).json()
    (x1,) = [f for f in result["findings"] if f["rule"] == "X1"]
    assert x1["text"].startswith("错误 [X1] 本年“上年结转”应等于上年报告的“结转下年度继续办理”")
    assert "figures.applications.carried_over.natural_person" in x1["fields"]
    assert any("103（上年报告" in line for line in x1["detail"])
    assert not [f for f in client.post("/reports/1/check", json={"fields": page(client, 1).fields}).json()["findings"]
                if f["rule"].startswith("X")]


def test_a_database_of_an_older_version_is_migrated_at_start(tmp_path):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    from toolkit.web.storage import Storage

    folder = tmp_path / "data"
    folder.mkdir()
    engine = create_engine(f"sqlite:///{folder / 'govreport.sqlite3'}")
    config = Config()
    config.set_main_option("script_location", str(ROOT / "toolkit" / "web" / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.exec_driver_sql("INSERT INTO reports (id, title, version, final, updated) "
                                   "VALUES (1, '旧报告', 1, 0, '2026-01-01 00:00:00')")
        connection.exec_driver_sql("INSERT INTO versions VALUES (1, 1, '2026-01-01 00:00:00', ?, 0, '新建')",
                                   (HUAIAN.read_text(encoding="utf-8"),))
    engine.dispose()
    storage = Storage(folder)
    assert storage.previous(1) is None and storage.version(1).content == HUAIAN.read_text(encoding="utf-8")
    assert storage.save(1, 1, "旧报告", "新内容").number == 2
    with sqlite3.connect(folder / "govreport.sqlite3") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchone() == ("0002",)


def test_unread_figures_stay_unread_never_zero(client, tmp_path):
    """A figure not read (null in the data file) shows as unread; what is carried from it is unread too."""
    text = HUAIAN.read_text(encoding="utf-8")
    unread = text.replace("      natural_person: 103               # 自然人",
                          "      natural_person: null              # 自然人", 1)
    assert unread != text
    source = tmp_path / "2024.yaml"
    source.write_text(unread, encoding="utf-8")
    report_id = import_file(client, source)
    control = page(client, report_id).controls["figures.applications.carried_forward.natural_person"]
    assert control["value"] == "" and control["data-unread"] == "1" and control["placeholder"] == "未读取"
    response = client.post("/reports", data={"how": "carry", "year": "2025"},
                           files={"source": ("2024.yaml", source.read_bytes())}, follow_redirects=False)
    new_id = int(response.headers["location"].rsplit("/", 1)[1])
    form = page(client, new_id)
    carried = form.controls["figures.applications.carried_over.natural_person"]
    assert carried["value"] == "" and carried.get("data-unread") == "1"
    assert form.controls["figures.applications.carried_over.commercial"]["value"] == "0"
    fields = {**form.fields, "unread.applications.carried_over.natural_person": True}
    checked = client.post(f"/reports/{new_id}/check", json={"fields": fields}).json()
    assert checked["unread"] == 1 and not checked["final_ready"]
    body = save(client, new_id, fields, 1, final=True).json()
    assert "有 1 个数字未读取" in body["refused"]
    assert "carried_over:" in client.get(f"/reports/{new_id}/download/yaml").text
    assert "natural_person: null" in client.get(f"/reports/{new_id}/download/yaml").text
    refused = client.get(f"/reports/{new_id}/download/docx")
    assert refused.status_code == 409 and "个数字为空（null，未读取），未生成" in refused.text


def test_a_published_word_copy_is_read_back_into_the_form(client, tmp_path):
    report = toolkit.load(HUAIAN).report
    published = tmp_path / "淮安2024.docx"
    published.write_bytes(toolkit.api.render_docx(report))
    form = page(client, import_file(client, published))
    for ref in report.format.iter_input_cells():
        assert form.fields[f"figures.{ref}"] == str(report.figures.get(ref, 0)), ref


def test_the_real_published_pdf_is_read_into_the_form(client, shared):
    form = page(client, import_file(client, shared / "real" / "huaian-2024.pdf"))
    report = toolkit.load(HUAIAN).report
    assert form.fields["agency.name"] == "淮安市人民政府"
    for ref in report.format.iter_input_cells():
        if ref.table == "applications":
            assert form.fields[f"figures.{ref}"] == str(report.figures.get(ref, 0)), ref


def test_a_copy_that_states_no_year_asks_for_it(client):
    copy = "某某乡人民政府政府信息公开工作年度报告\n\n一、总体情况\n本乡认真落实条例。\n".encode()
    refused = client.post("/reports", data={"how": "import"}, files={"source": ("年报.txt", copy)})
    assert refused.status_code == 400 and "原文中没有写明报告年度" in refused.text
    opened = client.post("/reports", data={"how": "import", "year": "2024"}, files={"source": ("年报.txt", copy)},
                         follow_redirects=False)
    assert opened.status_code == 303
    form = page(client, 1)
    assert form.fields["year"] == "2024"
    assert "本乡认真落实条例。" in form.fields.values()
    unread = [name for name, control in form.controls.items() if control.get("data-unread")]
    assert len(unread) == sum(1 for _ in toolkit.format_for_year(2024).iter_input_cells())  # no table: all unread
    assert all(form.fields[name] == "" for name in unread)
    assert "有 " in client.get("/reports/1/versions").text and "处未能读取" in client.get("/reports/1/versions").text


@pytest.mark.parametrize("name, content, message", [
    ("报告.exe", b"MZ", "不支持的报告文件类型“.exe”"),
    ("报告.docx", b"", "文件是空的（0 字节），未读取"),
    ("报告.docx", b"PK\x03\x04 not really a zip", "不是有效的 Word（.docx）文件"),
    ("报告.yaml", "format: 2021\nyear: 二〇二四\n".encode(), "报告.yaml:2"),
    ("报告.yaml", b"\xff\xfe\x00garbage", "报告.yaml"),
])
def test_bad_uploads_get_the_cli_messages(client, name, content, message):
    response = client.post("/reports", data={"how": "import"}, files={"source": (name, content)})
    assert response.status_code == 400
    assert message in response.text and "Traceback" not in response.text
    assert "还没有报告" in response.text  # nothing was created


def test_a_zip_bomb_is_refused_before_it_is_read(client):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<" + b"a" * (80 * 1024 * 1024))
    response = client.post("/reports", data={"how": "import"}, files={"source": ("bomb.docx", bomb.getvalue())})
    assert response.status_code == 400 and "疑似压缩炸弹" in response.text


def test_an_upload_past_the_limit_is_refused_while_it_arrives(client, monkeypatch):
    from toolkit.web import uploads

    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 3 * uploads.MB)
    big = b"x" * (4 * uploads.MB)
    response = client.post("/reports", data={"how": "import"}, files={"source": ("大文件.txt", big)})
    assert response.status_code == 400 and "文件过大（超过上限 3 MB），未读取" in response.text


def test_tables_three_and_four_from_an_uploaded_register(client, tmp_path):
    huaian = toolkit.load(HUAIAN).report
    register = write_register(tmp_path / "台账.xlsx", requests_for(huaian, 2024))
    client.post("/reports", data={"how": "blank", "agency": "淮安市人民政府", "year": "2024"})
    response = client.post("/reports/1/tally", files={"register": ("台账.xlsx", register.read_bytes())})
    assert response.status_code == 200
    body = response.json()
    expected = {f"figures.{ref}": huaian.value(ref) for ref in huaian.format.iter_input_cells()
                if ref.table == "applications"}
    assert {k: v for k, v in body["figures"].items() if k.startswith("figures.applications.")} == expected
    assert "已从台账 台账.xlsx 统计2024年度的表三、表四" in body["message"]
    bad = client.post("/reports/1/tally", files={"register": ("台账.xls", b"old")})
    assert bad.status_code == 400 and "请在 Excel 或 WPS 中“另存为” .xlsx" in bad.json()["message"]


# -- outputs -------------------------------------------------------------------------------------------


def test_word_download_reads_back_to_the_figures_saved(client, tmp_path):
    report_id = import_file(client, HUAIAN)
    fields = page(client, report_id).fields
    huaian = toolkit.load(HUAIAN).report
    new, disclosed = (CellRef("applications", row, "commercial") for row in ("new_received", "disclosed"))
    fields[f"figures.{new}"] = str(huaian.figures[new] + 7)
    fields[f"figures.{disclosed}"] = str(huaian.figures[disclosed] + 7)  # both sides of rule A move by 7
    assert client.post(f"/reports/{report_id}/check", json={"fields": fields}).json()["errors"] == 0
    assert save(client, report_id, fields, 1).status_code == 200
    response = client.get(f"/reports/{report_id}/download/docx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    path = tmp_path / "back.docx"
    path.write_bytes(response.content)
    back = toolkit.api.load(path).report
    for ref in huaian.format.iter_input_cells():
        typed = huaian.figures.get(ref, 0) + (7 if ref in (new, disclosed) else 0)
        assert back.figures.get(ref, 0) == typed, ref


def test_every_download_kind(client):
    report_id = import_file(client, HUAIAN)
    html = client.get(f"/reports/{report_id}/download/html")
    assert "淮安市人民政府2024年政府信息公开工作年度报告" in html.text and "447228" in html.text
    rows = json.loads(client.get(f"/reports/{report_id}/download/json").content)
    assert "447228" in json.dumps(rows)
    csv = client.get(f"/reports/{report_id}/download/csv").content.decode("utf-8-sig").splitlines()
    total = toolkit.load(HUAIAN).report.value(CellRef.parse(TOTAL.removeprefix("figures.")))
    (line,) = [line for line in csv if ",applications,total,natural_person," in line]
    assert line.endswith(f",{total}") and "三、本年度办理结果 / （七）总计 / 自然人" in line
    missing = client.get(f"/reports/{report_id}/download/exe")
    assert missing.status_code == 404 and "不支持的下载类型" in missing.text


def test_pdf_download(client, office, tmp_path):  # noqa: F811
    report_id = import_file(client, HUAIAN)
    response = client.get(f"/reports/{report_id}/download/pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    assert "淮安市人民政府" in text and "447228" in text


def test_an_unfinished_report_downloads_as_a_marked_draft_and_errors_refuse(client):
    client.post("/reports", data={"how": "blank", "agency": "某某县某某乡人民政府", "year": "2025"})
    draft = docx.Document(io.BytesIO(client.get("/reports/1/download/docx").content))
    assert "征求意见稿" in "\n".join(p.text for p in draft.paragraphs)
    fields = page(client, 1).fields
    fields["figures.applications.new_received.other"] = "5"
    save(client, 1, fields, 1)
    refused = client.get("/reports/1/download/docx")
    assert refused.status_code == 409 and "报告有 1 个错误，未生成" in refused.text and "[A]" in refused.text


def test_word_with_the_agency_template(client):
    report_id = import_file(client, HUAIAN)
    from toolkit.render import default_template

    template = default_template("2021").read_bytes()
    response = client.post(f"/reports/{report_id}/download/docx", files={"template": ("本单位模板.docx", template)})
    assert response.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "淮安市人民政府\n2024年政府信息公开工作年度报告" in text
    bad = client.post(f"/reports/{report_id}/download/docx", files={"template": ("模板.docx", b"PK\x03\x04no")})
    assert bad.status_code == 409 and "模板.docx" in bad.text


def test_live_preview_is_the_report_web_page(client):
    report_id = import_file(client, HUAIAN)
    fields = page(client, report_id).fields
    fields["agency.name"] = "淮安市人民政府（预览）"
    html = client.post(f"/reports/{report_id}/preview", json={"fields": fields}).json()["html"]
    assert "淮安市人民政府（预览）2024年政府信息公开工作年度报告" in html and "447228" in html


# -- the server -------------------------------------------------------------------------------------------


def test_pages_carry_a_policy_and_fetch_nothing_from_elsewhere(client):
    response = client.get("/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    web = ROOT / "toolkit" / "web"
    for path in [*web.glob("templates/*.html"), *web.glob("static/*")]:
        assert "http://" not in path.read_text() and "https://" not in path.read_text(), path
    assert client.get("/static/form.js").status_code == 200


def test_a_post_from_another_site_is_refused(client):
    response = client.post("/reports", data={"how": "blank", "agency": "某乡", "year": "2025"},
                           headers={"origin": "http://evil.example"})
    assert response.status_code == 403
    assert client.get("/").text.count("/reports/1") == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "toolkit", "serve", "--port", str(port), "--data", str(data)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(process.stderr.read())


def test_serve_prints_its_address_and_keeps_reports_in_the_data_folder(tmp_path):
    import httpx2 as httpx

    port = free_port()
    server = start_server(tmp_path / "年报", port)
    try:
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(base + "/").status_code == 200
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=20)
    assert f"填报网页已启动：{base}" in err and f"报告保存在：{tmp_path / '年报'}" in err
    assert (tmp_path / "年报" / "govreport.sqlite3").is_file()


def test_killing_the_server_mid_save_keeps_the_database_valid(tmp_path):
    """Saves streamed at a server killed (SIGKILL) while they arrive: every answered save is there, at most the
    one in flight besides, the versions have no gap, and the database opens clean."""
    import threading

    import httpx2 as httpx

    port = free_port()
    data = tmp_path / "data"
    server = start_server(data, port)
    base = f"http://127.0.0.1:{port}"
    answered = []
    try:
        with httpx.Client(base_url=base, follow_redirects=True) as http:
            created = http.post("/reports", data={"how": "import"},
                                files={"source": ("huaian-2024.yaml", HUAIAN.read_bytes())})
            assert created.status_code == 200
            fields = FormPage(http.get("/reports/1").text).fields
            threading.Timer(1.5, os.kill, (server.pid, signal.SIGKILL)).start()
            version = 1
            for n in range(10_000):
                fields["agency.name"] = f"淮安市人民政府{n}"
                try:
                    answer = http.post("/reports/1/save", json={"fields": fields, "version": version})
                    version = answer.json()["version"]
                except httpx.HTTPError:
                    break
                answered.append(version)
    finally:
        server.kill()
        server.communicate()
    assert len(answered) > 5  # it was saving when it was killed
    database = sqlite3.connect(data / "govreport.sqlite3")
    assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    numbers = [n for (n,) in database.execute("SELECT number FROM versions WHERE report_id = 1 ORDER BY number")]
    assert numbers == list(range(1, numbers[-1] + 1))
    assert answered[-1] <= numbers[-1] <= answered[-1] + 1
    assert database.execute("SELECT version FROM reports WHERE id = 1").fetchone() == (numbers[-1],)
    content = database.execute("SELECT content FROM versions WHERE number = ?", (answered[-1],)).fetchone()[0]
    assert datafile.loads(content).agency.name == f"淮安市人民政府{len(answered) - 1}"
    database.close()
    restarted = start_server(data, port)  # and the app opens it again
    try:
        assert httpx.get(base + "/reports/1").status_code == 200
    finally:
        restarted.send_signal(signal.SIGINT)
        restarted.communicate(timeout=20)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is in the standard library from 3.11")
def test_every_page_script_and_style_is_installed_with_the_package():
    import fnmatch
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    patterns = config["package-data"]["toolkit.web"]
    web = ROOT / "toolkit" / "web"
    shipped = [p.relative_to(web).as_posix() for p in web.rglob("*") if p.is_file() and p.suffix != ".py"
               and "__pycache__" not in p.parts]
    assert shipped and all(any(fnmatch.fnmatch(name, pattern) for pattern in patterns) for name in shipped), shipped
    assert {"toolkit.web.migrations", "toolkit.web.migrations.versions"} <= set(config["packages"])
