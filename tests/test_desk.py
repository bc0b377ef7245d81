"""The 政务公开办's desk on both databases: region and accounts, who sees what, the submit gate and
review, the audit log, the dashboard and its workbook, the region's sums and exports."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import shutil
import subprocess
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, select, text, update
from sqlalchemy.exc import DBAPIError

import toolkit
from toolkit import registry
from toolkit.cli import cli
from toolkit.desk import access, accounts, audit, dashboard, database, exports, filing, region, reports, sums
from toolkit.desk.schema import accounts as account_table
from toolkit.desk.schema import audit_log
from toolkit.desk.workflow import APPROVE, COMMENT, REOPEN, RETURN, SAVE, SUBMIT, TransitionRefused
from toolkit.formats import CellRef
from toolkit.model import Agency

from .conftest import ROOT

REQUIRED = os.environ.get("GOVREPORT_REQUIRE_OFFICE") == "1" or os.environ.get("CI") == "true"
OFFICE = "某市人民政府办公室"
# Three levels under the office: two counties, and under each a township and a bureau.
AGENCY_LIST = """机关全称,上级机关,层级,代码
甲县人民政府,,县级人民政府,jiaxian
甲县城关镇人民政府,甲县人民政府,乡镇人民政府,jx-cgz
甲县教育局,甲县人民政府,政府部门,jx-jyj
乙县人民政府,,县级人民政府,yixian
乙县河口乡人民政府,乙县人民政府,乡镇人民政府,yx-hkx
"""
NEW_RECEIVED = CellRef("applications", "new_received", "natural_person")
DISCLOSED = CellRef("applications", "disclosed", "natural_person")


@pytest.fixture
def desk(url, tmp_path):
    """A region set up from the list, every account's first password changed."""
    listing = tmp_path / "名单.csv"
    listing.write_text(AGENCY_LIST, encoding="utf-8")
    engine = database.connect(url)
    synced = region.sync(engine, registry.load(listing), 2025, OFFICE)
    logged = {}
    with engine.begin() as connection:
        for made in synced.accounts:
            first = accounts.login(connection, made.login, made.password)
            logged[made.agency] = accounts.change_password(connection, first.account, made.password, f"{made.login}-Secret-9")
    yield Desk(engine, synced, logged, listing)
    engine.dispose()


@dataclasses.dataclass
class Desk:
    engine: object
    synced: region.Synced
    accounts: dict[str, accounts.Account]
    listing: Path

    @property
    def office(self) -> accounts.Account:
        return self.accounts[OFFICE]

    def region(self) -> region.Region:
        with self.engine.connect() as connection:
            return region.load(connection)

    def report(self, name: str) -> reports.Stored:
        return filing.own_report(self.engine, self.accounts[name])

    def fill(self, name: str, extra: int, *, unbalanced: int = 0) -> tuple[str, int]:
        """The clerk saves the huaian sample as its own report: ``extra`` more requests received and
        disclosed (rule A still holds); ``unbalanced`` more received only (rule A broken)."""
        stored = self.report(name)
        return filing.save(self.engine, self.accounts[name], stored.id, report_text(name, extra, unbalanced),
                           stored.revision)[:2]


def report_text(name: str, extra: int, unbalanced: int = 0) -> str:
    sample = toolkit.load(ROOT / "samples" / "huaian-2024.yaml").report
    figures = dict(sample.figures)
    figures[NEW_RECEIVED] += extra + unbalanced
    figures[DISCLOSED] += extra
    report = dataclasses.replace(sample, agency=Agency(name, None), year=2025, date=dt.date(2026, 1, 20),
                                 figures=figures, source=None, lines={})
    return toolkit.dumps(report)


def last_year_text(name: str) -> str:
    """Last year's report of the same body, ending the year with what this year's carries over
    (rule X1), its own columns still balanced (rule A) by as many more or fewer disclosed."""
    report = toolkit.loads(report_text(name, 0))
    figures = dict(report.figures)
    for column in report.format.tables["applications"].blocks[0].columns:
        if column.sum_of:
            continue
        forward, over = (CellRef("applications", row, column.key) for row in ("carried_forward", "carried_over"))
        figures[CellRef("applications", "disclosed", column.key)] += figures[forward] - figures[over]
        figures[forward] = figures[over]
    return toolkit.dumps(dataclasses.replace(report, year=2024, date=dt.date(2025, 1, 20), figures=figures))


# -- region and accounts ----------------------------------------------------------------------------


def test_init_builds_the_three_levels_and_one_account_each(desk):
    tree = desk.region()
    office = tree.office
    assert office.name == OFFICE
    names = lambda ids: [tree.agencies[i].name for i in ids]
    assert names(tree.children[office.id]) == ["甲县人民政府", "乙县人民政府"]
    assert names(tree.children[tree.by_name("甲县人民政府").id]) == ["甲县城关镇人民政府", "甲县教育局"]
    assert tree.depth(tree.by_name("乙县河口乡人民政府").id) == 2
    made = {a.agency: a.login for a in desk.synced.accounts}
    assert made == {OFFICE: "office", "甲县人民政府": "jiaxian", "甲县城关镇人民政府": "jx-cgz", "甲县教育局": "jx-jyj",
                    "乙县人民政府": "yixian", "乙县河口乡人民政府": "yx-hkx"}
    assert desk.synced.reports_created == 5
    assert desk.report("甲县教育局").status == "未开始"
    assert toolkit.loads(desk.report("甲县教育局").data).agency.name == "甲县教育局"


def test_passwords_are_stored_as_scrypt_hashes_never_as_text(desk):
    with desk.engine.connect() as connection:
        stored = dict(connection.execute(select(account_table.c.login, account_table.c.password_hash)).all())
    for made in desk.synced.accounts:
        assert made.password not in stored[made.login]
        assert stored[made.login].startswith("scrypt$16384$8$1$")  # changed at first login: the full cost
        assert accounts.verify_password(f"{made.login}-Secret-9", stored[made.login])
        assert not accounts.verify_password(made.password, stored[made.login])
    initial = accounts.hash_password("Abcdefgh2345", initial=True)
    assert initial.startswith("scrypt$1024$") and accounts.verify_password("Abcdefgh2345", initial)


def test_first_login_must_change_the_password_before_anything_else(url, tmp_path):
    listing = tmp_path / "名单.csv"
    listing.write_text(AGENCY_LIST, encoding="utf-8")
    engine = database.connect(url)
    made = {a.agency: a for a in region.sync(engine, registry.load(listing), 2025, OFFICE).accounts}
    with engine.begin() as connection:
        session = accounts.login(connection, "jx-jyj", made["甲县教育局"].password)
    assert session.account.must_change_password
    with pytest.raises(access.PasswordChangeRequired):
        filing.own_report(engine, session.account)
    with engine.begin() as connection, pytest.raises(accounts.PasswordRejected, match="至少 10 个字符"):
        accounts.change_password(connection, session.account, made["甲县教育局"].password, "short")
    with engine.begin() as connection:
        changed = accounts.change_password(connection, session.account, made["甲县教育局"].password, "a-longer-one-7")
    assert filing.own_report(engine, changed).status == "未开始"
    engine.dispose()


def test_login_is_rate_limited_and_sessions_expire(desk):
    at = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.timezone.utc)
    with desk.engine.begin() as connection:
        for minute in range(accounts.LOGIN_FAILURES_ALLOWED):
            with pytest.raises(accounts.LoginRefused, match="账号或密码不正确"):
                accounts.login(connection, "yixian", "wrong", "10.0.0.9", at + dt.timedelta(minutes=minute))
        with pytest.raises(accounts.LoginRefused, match="失败次数过多"):  # the right password, still refused
            accounts.login(connection, "yixian", "yixian-Secret-9", "10.0.0.9", at + dt.timedelta(minutes=6))
        later = at + accounts.LOGIN_WINDOW + dt.timedelta(minutes=5)
        session = accounts.login(connection, "yixian", "yixian-Secret-9", "10.0.0.9", later)
        assert accounts.session(connection, session.token, later).account.login == "yixian"
        assert accounts.csrf_valid(session, session.csrf_token) and not accounts.csrf_valid(session, "forged")
        assert accounts.session(connection, session.token, later + accounts.SESSION_LIFETIME) is None
        assert accounts.session(connection, "not-a-token", later) is None
        stored = connection.execute(text("SELECT token_hash FROM desk_sessions")).scalars().all()
        assert session.token not in stored
        accounts.logout(connection, session.token)
        assert accounts.session(connection, session.token, later) is None
        # One address guessing through many logins is stopped too, and other addresses are not.
        for number in range(accounts.ADDRESS_FAILURES_ALLOWED):
            with pytest.raises(accounts.LoginRefused, match="账号或密码不正确"):
                accounts.login(connection, f"guess{number}", "123456", "10.6.6.6", later)
        with pytest.raises(accounts.LoginRefused, match="此地址登录失败次数过多"):
            accounts.login(connection, "jiaxian", "jiaxian-Secret-9", "10.6.6.6", later)
        assert accounts.login(connection, "jiaxian", "jiaxian-Secret-9", "10.0.0.10", later).account.login == "jiaxian"


def test_reinit_adds_and_retires_agencies_and_keeps_every_report(desk, tmp_path):
    desk.fill("甲县教育局", 3)
    kept = desk.report("甲县教育局")
    updated = tmp_path / "名单-更新.csv"
    # 甲县教育局 leaves the list, 甲县卫生健康局 joins, 乙县河口乡 moves under 甲县.
    updated.write_text(AGENCY_LIST.replace("甲县教育局,甲县人民政府,政府部门,jx-jyj\n", "")
                       .replace("乙县河口乡人民政府,乙县人民政府", "乙县河口乡人民政府,甲县人民政府")
                       + "甲县卫生健康局,甲县人民政府,政府部门,jx-wjj\n", encoding="utf-8")
    synced = region.sync(desk.engine, registry.load(updated), 2025)
    assert (synced.added, synced.retired, synced.moved) == (["甲县卫生健康局"], ["甲县教育局"], ["乙县河口乡人民政府"])
    assert [a.login for a in synced.accounts] == ["jx-wjj"]
    with desk.engine.connect() as connection:
        still = reports.of_agency(connection, kept.agency_id, 2025)
    assert still.data == kept.data and still.revision == 1
    with desk.engine.begin() as connection, pytest.raises(accounts.LoginRefused):
        accounts.login(connection, "jx-jyj", "jx-jyj-Secret-9")
    tree = desk.region()
    assert tree.agencies[tree.by_name("乙县河口乡人民政府").id].parent_id == tree.by_name("甲县人民政府").id
    board = dashboard.dashboard(desk.engine, desk.office, today=dt.date(2026, 1, 5))
    assert "甲县教育局" not in [row.name for row in board.rows]
    assert "甲县卫生健康局" in [row.name for row in board.rows]
    # Listed again: back with its report and account as they were; the office renamed keeps its account.
    restored = region.sync(desk.engine, registry.load(desk.listing), 2025, "某市人民政府办公室（政务公开办）")
    assert desk.region().office.name == "某市人民政府办公室（政务公开办）"
    with desk.engine.begin() as connection:
        assert accounts.login(connection, "office", "office-Secret-9").account.agency_id == desk.office.agency_id
    assert "甲县教育局" in restored.restored and not [a for a in restored.accounts if a.login == "jx-jyj"]
    assert desk.report("甲县教育局").data == kept.data


def test_a_list_that_cannot_make_a_tree_is_refused_at_its_lines(url, tmp_path):
    listing = tmp_path / "名单.csv"
    listing.write_text("机关全称,上级机关\n甲局,丙局\n乙局,丁局\n丁局,乙局\n甲局,\n", encoding="utf-8")
    engine = database.connect(url)
    with pytest.raises(toolkit.DataFileError) as refused:
        region.sync(engine, registry.load(listing), 2025, OFFICE)
    message = str(refused.value)
    assert "名单.csv:2: 上级机关“丙局”不在名单中" in message
    assert "名单.csv:3: “乙局”的上级机关形成循环" in message and "名单.csv:4: “丁局”的上级机关形成循环" in message
    assert "名单.csv:5: 机关“甲局”重复出现（另见第 2 行）" in message
    with engine.connect() as connection:
        assert region.load(connection).agencies == {}  # nothing half made
    engine.dispose()


# -- who sees what ------------------------------------------------------------------------------------


def test_a_clerk_reaches_no_other_agency_and_the_office_only_its_subtree(desk):
    tree = desk.region()
    acts = ("view", SAVE, SUBMIT, RETURN, APPROVE, REOPEN, COMMENT, *access.REGION_ACTS)
    for name, account in desk.accounts.items():
        for agency in tree.agencies.values():
            granted = {act for act in acts if access.allowed(account, act, agency.id, tree)}
            if account.is_office:
                expected = set() if agency.is_office else {"view", RETURN, APPROVE, REOPEN, COMMENT}
                expected |= set(access.REGION_ACTS)
            else:
                expected = {"view", SAVE, SUBMIT} if agency.name == name else set()
            assert granted == expected, (name, agency.name)
    # Through the operations, with another agency's report id: not found, and nothing changed.
    other = desk.report("乙县河口乡人民政府")
    clerk = desk.accounts["甲县教育局"]
    for attempt in (lambda: filing.open_report(desk.engine, clerk, other.id),
                    lambda: filing.save(desk.engine, clerk, other.id, report_text("乙县河口乡人民政府", 1), 0),
                    lambda: filing.submit(desk.engine, clerk, other.id),
                    lambda: filing.comment(desk.engine, clerk, other.id, "report", "看看"),
                    lambda: filing.approve(desk.engine, clerk, other.id)):
        with pytest.raises(reports.ReportNotFound):
            attempt()
    for attempt in (lambda: dashboard.dashboard(desk.engine, clerk),
                    lambda: sums.region_sum(desk.engine, clerk, clerk.agency_id, "本级"),
                    lambda: exports.open_data_csv(desk.engine, clerk, tree.office.id)):
        with pytest.raises(access.AccessDenied):
            attempt()
    # A county's clerk cannot review the township under it either.
    county = desk.accounts["甲县人民政府"]
    with pytest.raises(reports.ReportNotFound):
        filing.open_report(desk.engine, county, desk.report("甲县城关镇人民政府").id)
    assert desk.report("乙县河口乡人民政府").revision == 0
    # A clerk's data file must be its own agency's report.
    mine = desk.report("甲县教育局")
    with pytest.raises(access.AccessDenied, match="与本报告"):
        filing.save(desk.engine, clerk, mine.id, report_text("乙县河口乡人民政府", 1), mine.revision)


# -- gate, review, audit ------------------------------------------------------------------------------


def test_submit_gate_return_resubmit_approve_and_the_audit_log(desk):
    name = "甲县城关镇人民政府"
    clerk, office = desk.accounts[name], desk.office
    status, revision = desk.fill(name, 4, unbalanced=7)
    assert status == "有错误"
    report_id = desk.report(name).id
    with pytest.raises(filing.SubmitBlocked) as blocked:
        filing.submit(desk.engine, clerk, report_id)
    rule_a = [f for f in blocked.value.findings if f.rule == "A"]
    assert rule_a and rule_a[0].location.key_path.startswith("figures.applications")
    assert any(cell.label == "三、本年度办理结果 / （七）总计 / 自然人" for f in rule_a for cell in f.cells)
    assert desk.report(name).status == "有错误"
    with pytest.raises(TransitionRefused):
        filing.approve(desk.engine, office, report_id)  # nothing submitted to approve
    # A stale save is refused, the stored one stays.
    with pytest.raises(filing.StaleRevision):
        filing.save(desk.engine, clerk, report_id, report_text(name, 4), revision - 1)
    assert desk.fill(name, 4) == ("填写中", revision + 1)
    assert filing.submit(desk.engine, clerk, report_id) == "已提交"
    opened = filing.open_report(desk.engine, office, report_id)
    assert opened.warnings and all(f["severity"] == "warning" for f in opened.warnings)  # kept for the reviewer
    with pytest.raises(TransitionRefused, match="不能再保存"):
        desk.fill(name, 5)
    with pytest.raises(filing.CommentRefused, match="须写明审核意见"):
        filing.return_report(desk.engine, office, report_id, "  ")
    with pytest.raises(filing.CommentRefused, match="不是本报告中"):
        filing.comment(desk.engine, office, report_id, "figures.applications.nowhere.x", "？")
    filing.comment(desk.engine, office, report_id, "sections.problems", "问题写得太笼统。")
    filing.return_report(desk.engine, office, report_id, "自然人申请数与上年差异大，请核实。", f"figures.{NEW_RECEIVED}")
    seen = filing.open_report(desk.engine, clerk, report_id)
    assert seen.stored.status == "退回"
    assert [(c.label, c.text, c.login) for c in seen.comments] == [
        ("五、存在的主要问题及改进情况", "问题写得太笼统。", "office"),
        ("一、本年新收政府信息公开申请数量 / 自然人", "自然人申请数与上年差异大，请核实。", "office")]
    assert desk.fill(name, 6)[0] == "填写中"
    assert desk.report(name).data == report_text(name, 6)  # kept as the clerk wrote it, comments and all
    assert filing.submit(desk.engine, clerk, report_id) == "已提交"
    filing.approve(desk.engine, office, report_id)
    assert desk.report(name).status == "已通过"

    with desk.engine.connect() as connection:
        log = audit.entries(connection, report_id=report_id)
    assert [e.action for e in log] == ["report_created", "saved", "submit_blocked", "saved", "submitted", "commented",
                                       "commented", "returned", "saved", "submitted", "approved"]
    assert [e.login for e in log][1:3] == ["jx-cgz", "jx-cgz"] and log[-1].login == "office" and log[0].login is None
    first_save = log[1].detail["changes"]
    assert {"field": f"figures.{NEW_RECEIVED}", "label": "一、本年新收政府信息公开申请数量 / 自然人",
            "from": "0", "to": str(toolkit.load(ROOT / "samples/huaian-2024.yaml").report.figures[NEW_RECEIVED] + 11)} in first_save
    assert any("[A]" in error for error in log[2].detail["errors"])
    assert "「一、本年新收政府信息公开申请数量 / 自然人」0→" in audit.describe(log[1].detail)
    assert audit.describe(log[-1].detail) == "原：已提交；新：已通过；版本：3"
    assert log[-1].detail == {"from": "已提交", "to": "已通过", "revision": 3}
    # No account, and no one with the database, can change or remove what the log says.
    assert not [name for name in dir(audit) if name.startswith(("update", "delete", "remove", "edit"))]
    for statement in (update(audit_log).values(action="approved"), delete(audit_log)):
        with pytest.raises(DBAPIError, match="append-only"), desk.engine.begin() as connection:
            connection.execute(statement)
    with desk.engine.connect() as connection:
        assert len(audit.entries(connection, report_id=report_id)) == len(log)


def test_a_submitted_report_with_placeholders_is_held_back(desk):
    clerk = desk.accounts["乙县人民政府"]
    stored = desk.report("乙县人民政府")
    with pytest.raises(filing.SubmitBlocked) as blocked:
        filing.submit(desk.engine, clerk, stored.id)  # the blank draft: 【待填写】 everywhere
    assert {f.rule for f in blocked.value.findings} >= {"F1"}
    assert desk.report("乙县人民政府").status == "有错误"


# -- dashboard -----------------------------------------------------------------------------------------


def test_dashboard_counts_deadlines_overdue_filters_and_xlsx(desk):
    desk.fill("甲县教育局", 1)
    filing.submit(desk.engine, desk.accounts["甲县教育局"], desk.report("甲县教育局").id)
    desk.fill("乙县河口乡人民政府", 0, unbalanced=2)
    # 2 February: the bureau's deadline (1月31日) has passed; the governments' (3月31日) has not.
    board = dashboard.dashboard(desk.engine, desk.office, today=dt.date(2026, 2, 2))
    rows = {row.name: row for row in board.rows}
    assert [row.name for row in board.rows] == ["甲县人民政府", "甲县城关镇人民政府", "甲县教育局", "乙县人民政府",
                                                "乙县河口乡人民政府"]
    assert rows["甲县教育局"].deadline == dt.date(2026, 1, 31) and not rows["甲县教育局"].overdue  # submitted
    assert rows["甲县城关镇人民政府"].deadline == dt.date(2026, 3, 31) and not rows["甲县城关镇人民政府"].overdue
    assert rows["乙县河口乡人民政府"].status == "有错误" and rows["乙县河口乡人民政府"].errors >= 1
    assert board.counts[OFFICE] == Counter({"未开始": 3, "已提交": 1, "有错误": 1})
    assert board.counts["甲县人民政府"] == Counter({"未开始": 2, "已提交": 1})
    assert board.counts["乙县人民政府"] == Counter({"未开始": 1, "有错误": 1})
    late = dashboard.dashboard(desk.engine, desk.office, today=dt.date(2026, 4, 1), overdue_only=True, sort="name")
    assert [row.name for row in late.rows] == sorted(["甲县人民政府", "甲县城关镇人民政府", "乙县人民政府", "乙县河口乡人民政府"])
    only = dashboard.dashboard(desk.engine, desk.office, desk.region().by_name("乙县人民政府").id, status="有错误")
    assert [row.name for row in only.rows] == ["乙县河口乡人民政府"] and set(only.counts) == {"乙县人民政府"}
    by_status = dashboard.dashboard(desk.engine, desk.office, sort="status", search="甲县")
    assert [row.status for row in by_status.rows] == ["未开始", "未开始", "已提交"]

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(dashboard.to_xlsx(dashboard.dashboard(desk.engine, desk.office,
                                                                             today=dt.date(2026, 4, 1)))))
    sheet = [tuple(cell for cell in row) for row in book["各机关"].iter_rows(values_only=True)]
    assert sheet[0] == dashboard.HEADER
    by_name = {row[0]: row for row in sheet[1:]}
    assert by_name["甲县教育局"][1:6] == ("甲县人民政府", "政府部门", "已提交", dt.datetime(2026, 1, 31), None)
    assert by_name["乙县河口乡人民政府"][3:6] == ("有错误", dt.datetime(2026, 3, 31), "是")
    assert book["各机关"]["A6"].fill.fgColor.rgb.endswith("FFC7CE")
    summary = list(book["汇总"].iter_rows(values_only=True))
    assert summary[0] == ("机关（含下级）", "未开始", "填写中", "有错误", "已提交", "退回", "已通过", "合计")
    assert summary[1] == (OFFICE, 3, 0, 1, 1, 0, 0, 5)


# -- sums and exports ----------------------------------------------------------------------------------


def _approve(desk, name: str, extra: int) -> None:
    desk.fill(name, extra)
    report_id = desk.report(name).id
    filing.submit(desk.engine, desk.accounts[name], report_id)
    filing.approve(desk.engine, desk.office, report_id)


def test_whole_region_sum_is_the_cell_by_cell_sum_of_the_approved_reports(desk):
    approved = {"甲县人民政府": 1, "甲县城关镇人民政府": 20, "乙县河口乡人民政府": 300}
    for name, extra in approved.items():
        _approve(desk, name, extra)
    desk.fill("甲县教育局", 5)
    filing.submit(desk.engine, desk.accounts["甲县教育局"], desk.report("甲县教育局").id)  # submitted, not approved
    result = sums.region_sum(desk.engine, desk.office, desk.region().office.id, "全域")
    assert sorted(result.included) == sorted(approved)
    assert not result.complete
    assert [(o.name, o.status) for o in result.outstanding] == [("甲县教育局", "已提交"), ("乙县人民政府", "未开始")]
    assert [(c.name, c.bodies, c.approved, c.complete) for c in result.children] == [
        ("甲县人民政府", 3, 2, False), ("乙县人民政府", 2, 1, False)]
    parts = [toolkit.loads(report_text(name, extra)) for name, extra in approved.items()]
    fmt = result.report.format
    for ref in fmt.iter_cells():  # every cell, the derived totals included
        assert result.report.value(ref) == sum(part.value(ref) for part in parts), ref
    fees = CellRef("proactive", "fees", "amount")
    assert result.report.value(fees) == 3 * Decimal("96171.6")
    base = toolkit.loads(report_text("x", 0)).figures[NEW_RECEIVED]
    assert result.report.value(NEW_RECEIVED) == 3 * base + 1 + 20 + 300
    assert not [f for f in result.findings if f.severity == "error"]  # rule A holds on the sum
    # The data file written from the sum reads back with the same figures.
    again = toolkit.loads(toolkit.dumps(result.report))
    assert {ref: again.value(ref) for ref in fmt.iter_cells()} == {ref: result.report.value(ref) for ref in fmt.iter_cells()}
    own = sums.region_sum(desk.engine, desk.office, desk.region().by_name("甲县人民政府").id, "本级")
    assert own.included == ["甲县人民政府"] and own.report.value(NEW_RECEIVED) == parts[0].value(NEW_RECEIVED)
    county = sums.region_sum(desk.engine, desk.office, desk.region().by_name("乙县人民政府").id, "全域")
    assert county.included == ["乙县河口乡人民政府"] and [o.name for o in county.outstanding] == ["乙县人民政府"]
    # 雷同: the same narrative in every saved report.
    copied = sums.copies(desk.engine, desk.office, desk.region().office.id)
    assert set(copied) == {*approved, "甲县教育局"} and all(f.rule == "S1" for fs in copied.values() for f in fs)


def test_year_on_year_against_last_years_sum(desk, tmp_path):
    for name in ("甲县人民政府", "乙县人民政府"):
        (tmp_path / f"{name}.yaml").write_text(last_year_text(name), encoding="utf-8")
    imported = reports.import_files(desk.engine, sorted(tmp_path.glob("*.yaml")), 2024)
    assert sorted(imported.names) == ["乙县人民政府", "甲县人民政府"] and not imported.skipped
    _approve(desk, "甲县人民政府", 10)
    result = sums.region_sum(desk.engine, desk.office, desk.region().office.id, "全域")
    rows = {ref: (now, last) for ref, _, now, last in result.year_on_year()}
    base = toolkit.loads(report_text("甲县人民政府", 0)).value(NEW_RECEIVED)
    assert rows[NEW_RECEIVED] == (base + 10, 2 * base)
    again = reports.import_files(desk.engine, [tmp_path / "甲县人民政府.yaml"], 2024)
    assert again.names == [] and "已在系统中（已通过），未覆盖" in again.skipped[0]


def test_exports_open_data_csv_and_word_zip(desk, tmp_path):
    _approve(desk, "甲县教育局", 2)
    _approve(desk, "乙县河口乡人民政府", 3)
    root = desk.region().office.id
    lines = exports.open_data_csv(desk.engine, desk.office, root).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("agency,year,format,table,row,column")
    assert len(lines) == 1 + 2 * sum(1 for _ in toolkit.get_format("2021").iter_cells())
    new_received = [line for line in lines if ",applications,new_received,natural_person," in line]
    base = toolkit.loads(report_text("x", 0)).figures[NEW_RECEIVED]
    assert [line.split(",")[0] + ":" + line.rsplit(",", 1)[1] for line in new_received] == [
        f"甲县教育局:{base + 2}", f"乙县河口乡人民政府:{base + 3}"]
    archive = exports.reports_zip(desk.engine, desk.office, root, tmp_path / "报告.zip", pdf=False)
    assert archive.reports == 2 and not archive.failed
    with zipfile.ZipFile(tmp_path / "报告.zip") as bundle:
        assert sorted(bundle.namelist()) == ["乙县河口乡人民政府2025年政府信息公开工作年度报告.docx",
                                             "甲县教育局2025年政府信息公开工作年度报告.docx"]
    with pytest.raises(toolkit.OutputExists):
        exports.reports_zip(desk.engine, desk.office, root, tmp_path / "报告.zip", pdf=False)


def test_exported_zip_has_a_pdf_of_each_approved_report(desk, tmp_path):
    if not shutil.which("soffice") and not REQUIRED:
        pytest.skip("LibreOffice is not installed")
    _approve(desk, "甲县教育局", 2)
    archive = exports.reports_zip(desk.engine, desk.office, desk.region().office.id, tmp_path / "报告.zip", workers=1)
    assert archive.reports == 1 and not archive.failed
    with zipfile.ZipFile(tmp_path / "报告.zip") as bundle:
        pdf = bundle.read("甲县教育局2025年政府信息公开工作年度报告.pdf")
    (tmp_path / "r.pdf").write_bytes(pdf)
    words = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True).stdout
    assert "甲县教育局" in words and "政府信息公开工作年度报告" in words


# -- the command line ----------------------------------------------------------------------------------


def test_cli_init_status_sum_export(url, tmp_path, runner):
    listing = tmp_path / "名单.csv"
    listing.write_text(AGENCY_LIST, encoding="utf-8")
    out = tmp_path / "账号.csv"
    given = ["--database", url]
    done = runner.invoke(cli, ["desk", "init", "--agencies", str(listing), "--year", "2025", "--office", OFFICE,
                               "-o", str(out), *given])
    assert done.exit_code == 0, done.output
    rows = [line.split(",") for line in out.read_text(encoding="utf-8-sig").splitlines()]
    assert rows[0] == ["机关全称", "账号", "初始密码"] and len(rows) == 7 and rows[1][:2] == [OFFICE, "office"]
    assert all(len(row[2]) == 12 for row in rows[1:])
    again = runner.invoke(cli, ["desk", "init", "--agencies", str(listing), "--year", "2025", "-o", str(out), *given])
    assert again.exit_code == 2 and "文件已存在" in again.output and "--force" in again.output
    again = runner.invoke(cli, ["desk", "init", "--agencies", str(listing), "--year", "2025", "-o", str(out), "--force",
                                *given])
    assert again.exit_code == 0 and "没有新建账号" in again.output and len(out.read_text(encoding="utf-8-sig").splitlines()) == 7

    engine = database.connect(url)
    with engine.begin() as connection:
        clerk = accounts.login(connection, "jx-jyj", rows[4][2]).account
        clerk = accounts.change_password(connection, clerk, rows[4][2], "jx-jyj-Secret-9")
    stored = filing.own_report(engine, clerk)
    filing.save(engine, clerk, stored.id, report_text("甲县教育局", 2), 0)
    filing.submit(engine, clerk, stored.id)
    with engine.connect() as connection:
        operator = accounts.operator(connection)
    filing.approve(engine, operator, stored.id)
    engine.dispose()

    shown = runner.invoke(cli, ["desk", "status", *given, "-o", str(tmp_path / "状态.xlsx")])
    assert shown.exit_code == 0, shown.output
    assert "甲县教育局" in shown.output and "已通过" in shown.output and (tmp_path / "状态.xlsx").stat().st_size > 0
    summed = runner.invoke(cli, ["desk", "sum", *given, "--node", "甲县人民政府", "-o", str(tmp_path / "全域.yaml")])
    assert summed.exit_code == 0, summed.output
    assert "已汇总 1 份已通过的报告" in summed.output and "尚未汇总 2 个机关" in summed.output
    assert toolkit.load(tmp_path / "全域.yaml").report.figures[NEW_RECEIVED] == toolkit.loads(report_text("x", 2)).figures[NEW_RECEIVED]
    refused = runner.invoke(cli, ["desk", "sum", *given, "--scope", "本级"])
    assert refused.exit_code == 2 and "本身没有报送报告" in refused.output
    unknown = runner.invoke(cli, ["desk", "sum", *given, "--node", "丙县人民政府"])
    assert unknown.exit_code == 2 and "不在本区域的机关名单中" in unknown.output
    logged = runner.invoke(cli, ["desk", "log", *given, "--agency", "甲县教育局"])
    assert logged.exit_code == 0, logged.output
    assert [line.split()[2:4] for line in logged.output.splitlines()[1:]] == [
        ["（命令）", "新增机关"], ["（命令）", "建立报告"], ["jx-jyj", "登录"], ["jx-jyj", "修改密码"], ["jx-jyj", "保存"],
        ["jx-jyj", "提交"], ["office", "通过"]]
    exported = runner.invoke(cli, ["desk", "export", *given, "--csv", str(tmp_path / "开放数据.csv")])
    assert exported.exit_code == 0 and "甲县教育局" in (tmp_path / "开放数据.csv").read_text(encoding="utf-8-sig")


def test_cli_reports_an_unreachable_database_in_chinese(runner, tmp_path):
    done = runner.invoke(cli, ["desk", "status", "--database", "postgresql://nobody@127.0.0.1:9/none"])
    assert done.exit_code == 2 and "无法连接数据库" in done.output and "Traceback" not in done.output


# -- the database ----------------------------------------------------------------------------------------


def test_migrations_make_exactly_the_schema_and_leave_other_tables_alone(url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from toolkit.desk.schema import metadata

    # The web form's own tables and Alembic history, already in the database.
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE reports (id INTEGER PRIMARY KEY, body TEXT)"))
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
        connection.execute(text("INSERT INTO alembic_version VALUES ('web0001')"))
        connection.execute(text("INSERT INTO reports VALUES (1, '草稿')"))
    engine.dispose()
    desk_engine = database.connect(url)
    database.upgrade(desk_engine)  # a second upgrade finds nothing to do
    with desk_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "version_table": "desk_alembic_version",
            "include_name": lambda name, kind, _: kind != "table" or name.startswith("desk_")})
        assert compare_metadata(context, metadata) == []
        assert connection.execute(text("SELECT version_num FROM desk_alembic_version")).scalar() == "0001_desk"
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "web0001"
        assert connection.execute(text("SELECT body FROM reports")).scalar() == "草稿"
    desk_engine.dispose()


def test_a_new_year_starts_from_last_years_approved_reports(desk):
    _approve(desk, "甲县教育局", 4)
    last = toolkit.loads(report_text("甲县教育局", 4))
    synced = region.sync(desk.engine, registry.load(desk.listing), 2026)
    assert synced.reports_created == 5 and not synced.accounts and not synced.added
    new = desk.report("甲县教育局")  # the desk's year is now 2026
    assert (new.year, new.status) == (2026, "未开始")
    draft = new.report()
    for column in ("natural_person", "legal_service"):
        assert draft.figures[CellRef("applications", "carried_over", column)] == \
            last.figures[CellRef("applications", "carried_forward", column)]
    with desk.engine.connect() as connection:
        assert reports.of_agency(connection, new.agency_id, 2025).status == "已通过"


def test_a_list_saved_by_excel_in_gbk_with_english_headers(url, tmp_path):
    listing = tmp_path / "名单.csv"
    listing.write_bytes("name,parent,level\n丙县人民政府,,县级人民政府\n丙县<审计>局,丙县人民政府,\n".encode("gbk"))
    engine = database.connect(url)
    synced = region.sync(engine, registry.load(listing), 2025)
    with engine.connect() as connection:
        tree = region.load(connection)
    assert tree.office.name == region.DEFAULT_OFFICE
    assert tree.agencies[tree.by_name("丙县<审计>局").parent_id].name == "丙县人民政府"
    assert [a.login for a in synced.accounts] == ["office", "u00002", "u00003"]
    engine.dispose()


def test_a_save_that_cannot_be_read_is_refused_and_nothing_is_stored(desk):
    name = "乙县人民政府"
    stored = desk.report(name)
    broken = report_text(name, 0).replace("figures:", "figures: [", 1)
    with pytest.raises(toolkit.DataFileError):
        filing.save(desk.engine, desk.accounts[name], stored.id, broken, stored.revision)
    negative = report_text(name, 0).replace(f"natural_person: {toolkit.loads(report_text(name, 0)).figures[NEW_RECEIVED]}",
                                            "natural_person: -3", 1)
    with pytest.raises(toolkit.DataFileError, match="自然人"):
        filing.save(desk.engine, desk.accounts[name], stored.id, negative, stored.revision)
    assert desk.report(name).data == stored.data and desk.report(name).revision == 0


def test_cli_import_and_reset_password(desk, runner, tmp_path):
    url = str(desk.engine.url.render_as_string(hide_password=False))
    (tmp_path / "甲县人民政府.yaml").write_text(last_year_text("甲县人民政府"), encoding="utf-8")
    (tmp_path / "丙县人民政府.yaml").write_text(last_year_text("丙县人民政府"), encoding="utf-8")
    done = runner.invoke(cli, ["desk", "import", str(tmp_path / "甲县人民政府.yaml"), str(tmp_path / "丙县人民政府.yaml"),
                               "--year", "2024", "--database", url])
    assert done.exit_code == 1
    assert "未导入：" in done.output and "机关“丙县人民政府”不在本区域的机关名单中" in done.output
    assert "已导入 1 份 2024 年度报告" in done.output
    reset = runner.invoke(cli, ["desk", "reset-password", "jx-jyj", "--database", url])
    assert reset.exit_code == 0, reset.output
    password = reset.output.strip().rsplit("：", 1)[1]
    with desk.engine.begin() as connection:
        assert accounts.login(connection, "jx-jyj", password).account.must_change_password
        with pytest.raises(accounts.LoginRefused):
            accounts.login(connection, "jx-jyj", "jx-jyj-Secret-9")
    unknown = runner.invoke(cli, ["desk", "reset-password", "nobody", "--database", url])
    assert unknown.exit_code == 2 and "没有账号“nobody”" in unknown.output
