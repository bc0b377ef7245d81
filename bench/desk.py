"""The desk at a province's size, on SQLite and PostgreSQL side by side in one run.

    python bench/desk.py [--agencies 3000] [--postgres URL]

A region of 3,000 bodies under one office (30 counties of 99 bodies each) is set up from an agency
list with ``desk init``'s own code; each body's report is then stored as a clerk's save stores it
(figures from the samples, varied per body) with a spread of statuses, 70 % approved. Measured:
the office's dashboard of the whole region (target ≤ 500 ms) and the 全域 sum of every approved
report with all rules checked on it (target ≤ 2 s), each the median of a few runs; the sum is also
compared with one computed here from the stored figures. PostgreSQL comes from ``--postgres`` or
GOVREPORT_TEST_POSTGRES (a scratch database is made there and dropped); without one the run
fails, as the targets are for both databases. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text, update  # noqa: E402

import toolkit  # noqa: E402
from toolkit import registry  # noqa: E402
from toolkit.desk import accounts, dashboard, database, region, reports, sums  # noqa: E402
from toolkit.desk.schema import reports as report_table  # noqa: E402
from toolkit.desk.terms import APPROVED, FILLING, HAS_ERRORS, NOT_STARTED, RETURNED, SUBMITTED  # noqa: E402
from toolkit.model import Agency  # noqa: E402

DASHBOARD_MS, SUM_MS = 500, 2000
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


def median_ms(function, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def measure(url: str, count: int, folder: Path) -> dict:
    engine = database.connect(url)
    start = time.perf_counter()
    region.sync(engine, registry.load(agency_list(folder, count)), 2025, "示例省人民政府办公厅")
    init_s = time.perf_counter() - start
    samples = [toolkit.load(path) for path in sorted((ROOT / "samples").glob("*.yaml"))]  # all in the 2021 format
    approved = fill(engine, samples)
    with engine.connect() as connection:
        office = accounts.operator(connection)
    board_ms, board = median_ms(lambda: dashboard.dashboard(engine, office), 5)
    sum_ms, summed = median_ms(lambda: sums.region_sum(engine, office, office.agency_id, sums.WHOLE), 3)
    fmt = summed.report.format
    expected = {ref: sum(r.value(ref) for r in approved.values()) for ref in fmt.iter_cells()}
    right = all(summed.report.value(ref) == expected[ref] for ref in fmt.iter_cells())
    engine.dispose()
    return {"init_s": init_s, "rows": len(board.rows), "board_ms": board_ms, "sum_ms": sum_ms,
            "summed": len(summed.included), "outstanding": len(summed.outstanding), "right": right}


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
    options = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="govreport-bench-desk-") as folder:
        results["SQLite"] = measure(database.database_url(Path(folder) / "data"), options.agencies, Path(folder))
        if options.postgres:
            url, drop = scratch_postgres(options.postgres)
            try:
                results["PostgreSQL"] = measure(url, options.agencies, Path(folder))
            finally:
                drop()
    missed = not options.postgres
    print(f"{options.agencies} 个机关（{COUNTIES} 个县，三级）")
    print(f"{'':12}{'建立区域':>10}{'工作台':>12}{'全域汇总':>12}  汇总份数  结果")
    for name, r in results.items():
        ok_board, ok_sum = r["board_ms"] <= DASHBOARD_MS, r["sum_ms"] <= SUM_MS
        missed |= not (ok_board and ok_sum and r["right"] and r["rows"] == options.agencies)
        print(f"{name:12}{r['init_s']:>9.1f}s{r['board_ms']:>10.0f}ms{r['sum_ms']:>10.0f}ms  {r['summed']:>8}  "
              f"{'正确' if r['right'] else '错误'}"
              f"{'' if ok_board else f'  工作台超过 {DASHBOARD_MS} ms'}{'' if ok_sum else f'  汇总超过 {SUM_MS} ms'}")
    if not options.postgres:
        print("PostgreSQL：未测量（请用 --postgres 或 GOVREPORT_TEST_POSTGRES 给出服务器地址）")
    print(f"目标：工作台 ≤ {DASHBOARD_MS} ms，全域汇总 ≤ {SUM_MS} ms（均为中位数）")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
