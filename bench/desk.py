"""The desk at a province's size, on SQLite and PostgreSQL side by side in one run.

    python bench/desk.py [--agencies 3000] [--postgres URL]

A region of 3,000 bodies under one office (30 counties of 99 bodies each) is set up from an agency
list with ``desk init``'s own code; each body's report is then stored as a clerk's save stores it
(figures from the samples, varied per body) with a spread of statuses, 70 % approved. Measured:
the office's dashboard of the whole region (target ≤ 500 ms) and the 全域 sum of every approved
report with all rules checked on it (target ≤ 2 s), each the median of a few runs; the sum is also
compared with one computed here from the stored figures. Then 200 clerks save their own reports
concurrently for 60 s (threads, each saving every 5–25 s as a clerk typing into a form that saves as
it goes, each save a changed figure): p95 save ≤ 300 ms, and afterwards every acknowledged save is
in the database (revision and figure as last saved: 0 lost or corrupted). PostgreSQL comes from ``--postgres`` or
GOVREPORT_TEST_POSTGRES (a scratch database is made there and dropped); without one the run
fails, as the targets are for both databases. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text, update  # noqa: E402

import toolkit  # noqa: E402
from toolkit import registry  # noqa: E402
from toolkit.desk import accounts, dashboard, database, filing, region, reports, sums  # noqa: E402
from toolkit.desk.schema import reports as report_table  # noqa: E402
from toolkit.desk.terms import APPROVED, FILLING, HAS_ERRORS, NOT_STARTED, RETURNED, SUBMITTED  # noqa: E402
from toolkit.formats import CellRef  # noqa: E402
from toolkit.model import Agency  # noqa: E402

DASHBOARD_MS, SUM_MS, SAVE_P95_MS = 500, 2000, 300
CLERKS, THINK_SECONDS = 200, (5.0, 25.0)
RECEIVED, DISCLOSED = CellRef("applications", "new_received", "other"), CellRef("applications", "disclosed", "other")
COUNTIES = 30
# Of every 10 bodies: 7 approved, one each submitted, being filled, and one of the rest in turn.
SPREAD = [APPROVED] * 7 + [SUBMITTED, FILLING, None]
OTHERS = [NOT_STARTED, HAS_ERRORS, RETURNED]


def agency_list(folder: Path, count: int) -> Path:
    counties = [f"示例省第{n:02d}县人民政府" for n in range(1, COUNTIES + 1)]
    lines = ["机关全称,上级机关,层级"] + [f"{c},,县级人民政府" for c in counties]
    lines += [f"示例省第{n:04d}号机关,{counties[n % COUNTIES]},政府部门" for n in range(1, count - COUNTIES + 1)]
    path = folder / "名单.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def fill(engine, samples: list[toolkit.Report]) -> dict:
    """Every body's report stored as a save stores it, with its status; returns the approved figures."""
    with engine.connect() as connection:
        tree = region.load(connection)
    approved = {}
    with engine.begin() as connection:
        bodies = [a for a in tree.agencies.values() if not a.is_office]
        for number, agency in enumerate(sorted(bodies, key=lambda a: a.id)):
            sample = samples[number % len(samples)]
            figures = {ref: value + (number % 7 if isinstance(value, int) and ref.table == "proactive" else 0)
                       for ref, value in sample.figures.items()}
            report = dataclasses.replace(sample, agency=Agency(agency.name, agency.level), year=2025, figures=figures,
                                         source=None, lines={})
            status = SPREAD[number % 10] or OTHERS[number // 10 % 3]
            connection.execute(update(report_table).where(report_table.c.agency_id == agency.id).values(
                status=status, revision=1, **reports.columns(report, [])))
            if status == APPROVED:
                approved[agency.name] = report
    return approved


def clerks_saving(engine, seconds: float) -> dict:
    """CLERKS threads, each saving its own report until the time is up; then every report is read
    back and compared with what its clerk was told was saved."""
    with engine.connect() as connection:
        tree = region.load(connection)
        editable = [r for r in (reports.stored(row) for row in connection.execute(
            report_table.select().where(report_table.c.status.in_([FILLING, RETURNED, HAS_ERRORS]))
            .order_by(report_table.c.id)))][:CLERKS]
        clerks = {stored.id: accounts.account_of(connection, login) for stored, login in
                  ((stored, connection.execute(text("SELECT login FROM desk_accounts WHERE agency_id = :a"),
                                               {"a": stored.agency_id}).scalar_one()) for stored in editable)}
    # The first-login password change is not what is measured here.
    clerks = {key: dataclasses.replace(account, must_change_password=False) for key, account in clerks.items()}
    latencies, failures, acknowledged = [], [], {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def clerk(stored: reports.Stored) -> None:
        report, revision, rng = stored.report(), stored.revision, random.Random(stored.id)
        while True:
            time.sleep(rng.uniform(*THINK_SECONDS) * (0.2 if revision == stored.revision else 1))
            if time.monotonic() >= stop:
                return
            report.figures[RECEIVED] += 1
            report.figures[DISCLOSED] += 1
            data = toolkit.dumps(report)
            start = time.perf_counter()
            try:
                _, revision, _ = filing.save(engine, clerks[stored.id], stored.id, data, revision)
            except Exception as exc:  # a lost save: counted and shown, never hidden
                with lock:
                    failures.append(f"{tree.agencies[stored.agency_id].name}: {exc}")
                return
            with lock:
                latencies.append((time.perf_counter() - start) * 1000)
                acknowledged[stored.id] = (revision, report.figures[RECEIVED])

    threads = [threading.Thread(target=clerk, args=(stored,)) for stored in editable]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as connection:
        lost = 0
        for report_id, (revision, received) in acknowledged.items():
            stored = reports.get(connection, report_id)
            lost += stored.revision != revision or stored.report().figures[RECEIVED] != received
    latencies.sort()
    return {"clerks": len(editable), "saves": len(latencies), "failed": failures, "lost": lost,
            "p95_ms": latencies[int(len(latencies) * 0.95)] if latencies else float("inf")}


def median_ms(function, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def measure(url: str, count: int, folder: Path, seconds: float) -> dict:
    engine = database.connect(url)
    start = time.perf_counter()
    region.sync(engine, registry.load(agency_list(folder, count)), 2025, "示例省人民政府办公厅")
    init_s = time.perf_counter() - start
    samples = [toolkit.load(path).report for path in sorted((ROOT / "samples").glob("*.yaml"))]  # all in the 2021 format
    approved = fill(engine, samples)
    with engine.connect() as connection:
        office = accounts.operator(connection)
    board_ms, board = median_ms(lambda: dashboard.dashboard(engine, office), 5)
    sum_ms, summed = median_ms(lambda: sums.region_sum(engine, office, office.agency_id, sums.WHOLE), 3)
    fmt = summed.report.format
    expected = {ref: sum(r.value(ref) for r in approved.values()) for ref in fmt.iter_cells()}
    right = all(summed.report.value(ref) == expected[ref] for ref in fmt.iter_cells())
    saving = clerks_saving(engine, seconds)
    engine.dispose()
    return {"init_s": init_s, "rows": len(board.rows), "board_ms": board_ms, "sum_ms": sum_ms,
            "summed": len(summed.included), "outstanding": len(summed.outstanding), "right": right, **saving}


def scratch_postgres(url: str):
    """A database of its own on the server, dropped afterwards."""
    server = create_engine(database.database_url(None, url), isolation_level="AUTOCOMMIT")
    name = f"desk_bench_{uuid.uuid4().hex[:10]}"
    with server.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))

    def drop():
        with server.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        server.dispose()

    return database.database_url(None, str(server.url.set(database=name))), drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agencies", type=int, default=3000)
    parser.add_argument("--postgres", default=os.environ.get("GOVREPORT_TEST_POSTGRES"))
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the clerks save")
    options = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="govreport-bench-desk-") as folder:
        results["SQLite"] = measure(database.database_url(Path(folder) / "data"), options.agencies, Path(folder),
                                     options.seconds)
        if options.postgres:
            url, drop = scratch_postgres(options.postgres)
            try:
                results["PostgreSQL"] = measure(url, options.agencies, Path(folder), options.seconds)
            finally:
                drop()
    missed = not options.postgres
    print(f"{options.agencies} 个机关（{COUNTIES} 个县，三级）")
    print(f"{'':12}{'建立区域':>10}{'工作台':>12}{'全域汇总':>12}  汇总份数  结果  {'保存 p95':>10}  保存次数  丢失")
    for name, r in results.items():
        ok_board, ok_sum, ok_save = r["board_ms"] <= DASHBOARD_MS, r["sum_ms"] <= SUM_MS, r["p95_ms"] <= SAVE_P95_MS
        lost = r["lost"] + len(r["failed"])
        missed |= not (ok_board and ok_sum and ok_save and r["right"] and r["rows"] == options.agencies) or lost > 0
        print(f"{name:12}{r['init_s']:>9.1f}s{r['board_ms']:>10.0f}ms{r['sum_ms']:>10.0f}ms  {r['summed']:>8}  "
              f"{'正确' if r['right'] else '错误'}  {r['p95_ms']:>8.0f}ms  {r['saves']:>8}  {lost:>4}"
              f"{'' if ok_board else f'  工作台超过 {DASHBOARD_MS} ms'}{'' if ok_sum else f'  汇总超过 {SUM_MS} ms'}"
              f"{'' if ok_save else f'  保存超过 {SAVE_P95_MS} ms'}")
        for failure in r["failed"][:5]:
            print(f"    保存失败：{failure}")
    if not options.postgres:
        print("PostgreSQL：未测量（请用 --postgres 或 GOVREPORT_TEST_POSTGRES 给出服务器地址）")
    print(f"目标：工作台 ≤ {DASHBOARD_MS} ms，全域汇总 ≤ {SUM_MS} ms（均为中位数）；"
          f"{CLERKS} 个填报人同时保存 {options.seconds:.0f} 秒，p95 ≤ {SAVE_P95_MS} ms，0 丢失")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
