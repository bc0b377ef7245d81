"""Fifty clerks saving at once: locust against ``govreport serve`` on this machine, then every save counted.

    python bench/web_clerks.py [--clerks 50] [--seconds 30]

Each simulated clerk opens a report of their own (last year's huaian data imported), then keeps
editing a figure and saving, one to three seconds between saves, all at the same time. The server runs as
``govreport serve`` in its own process on the loopback address. Afterwards the database is read
directly: every save that was answered must be there as its own version with the clerk's figure, and
nothing else. Targets: save p95 ≤ 200 ms, 0 lost saves, 0 failed saves. Exit status 1 on a miss.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
from locust import FastHttpUser, between, events, task  # noqa: E402
from locust.env import Environment  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serving import serving  # noqa: E402
from toolkit import datafile  # noqa: E402
from toolkit.web.document import fields  # noqa: E402

HUAIAN = ROOT / "samples" / "huaian-2024.yaml"
FIELDS = fields(datafile.load(HUAIAN))
EDITED = "figures.proactive.licensing.decisions"  # a figure no rule ties to another: every save is valid
saves: dict[int, list[tuple[int, int]]] = {}  # report -> (version, figure) of every answered save
failures: list[str] = []
stopping = False  # set at the end: no new save starts, the ones under way are answered


class Clerk(FastHttpUser):
    wait_time = between(1.0, 3.0)  # a save every two seconds: far more often than anyone types a report

    def on_start(self):
        with self.client.post("/reports", data={"how": "import"}, files={"source": ("huaian-2024.yaml",
                              HUAIAN.read_bytes())}, name="新建", allow_redirects=False, catch_response=True) as made:
            if made.status_code != 303:
                made.failure(f"新建失败：{made.status_code}")
                failures.append(made.text[:200])
                raise RuntimeError("report not created")
            self.report = int(made.headers["location"].rsplit("/", 1)[1])
        self.version, self.count = 1, 0
        saves[self.report] = []

    @task
    def save(self):
        if stopping:
            return
        self.count += 1
        figure = self.report * 100_000 + self.count
        body = {"fields": {**FIELDS, EDITED: str(figure)}, "version": self.version}
        with self.client.post(f"/reports/{self.report}/save", json=body, name="保存", catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"保存失败：{answer.status_code}")
                failures.append(f"{self.report}: {answer.status_code} {answer.text[:200]}")
                return
            self.version = answer.json()["version"]
            saves[self.report].append((self.version, figure))


def lost_saves(database: Path) -> list[str]:
    """Every answered save must be its report's version, holding its figure; no version may be unanswered."""
    lost = []
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        for report, answered in saves.items():
            rows = db.execute("SELECT number, content FROM versions WHERE report_id = ?", (report,))
            stored = dict(rows.fetchall())
            if sorted(stored) != list(range(1, len(answered) + 2)):
                lost.append(f"报告 {report}：应有 {len(answered) + 1} 个版本，实有 {len(stored)} 个")
            for version, figure in answered:
                if version not in stored or f"licensing: {figure} " not in stored[version]:
                    lost.append(f"报告 {report} 第 {version} 版没有保存的数字 {figure}")
    return lost


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clerks", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        with serving(data) as address:
            environment = Environment(user_classes=[Clerk], host=address, events=events)
            runner = environment.create_local_runner()
            runner.start(options.clerks, spawn_rate=options.clerks)
            gevent.sleep(3)  # every clerk has opened a report: from here on they only save
            environment.stats.reset_all()
            gevent.sleep(options.seconds)
            global stopping
            stopping = True
            gevent.sleep(5)  # the saves under way are answered before the clerks leave
            runner.quit()
            runner.greenlet.join()
        stats = environment.stats.get("保存", "POST")
        lost = lost_saves(Path(data) / "govreport.sqlite3")
    p95, median = stats.get_response_time_percentile(0.95), stats.median_response_time
    answered = sum(map(len, saves.values()))
    rows = [
        ("同时保存的办事员", f"{len(saves)} 人", f"{options.clerks} 人", len(saves) == options.clerks),
        ("保存次数（已答复）", f"{answered} 次（{answered / options.seconds:.0f} 次/秒）", "—",
         answered >= options.clerks * options.seconds / 4),
        ("保存耗时 中位数", f"{median:.0f} ms", "—", True),
        ("保存耗时 p95", f"{p95:.0f} ms", "≤ 200 ms", p95 <= 200),
        ("失败的保存", f"{stats.num_failures} 次", "0", stats.num_failures == 0 and not failures),
        ("丢失的保存", f"{len(lost)} 次", "0", not lost),
    ]
    print(f"{options.clerks} 名办事员同时保存 {options.seconds:.0f} 秒（locust，本机回环地址）")
    for name, value, target, met in rows:
        print(f"  {name:<12} {value:>18}   目标 {target:<9} {'达标' if met else '未达标'}")
    for line in (failures + lost)[:10]:
        print(f"    {line}")
    return 0 if all(met for *_, met in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
