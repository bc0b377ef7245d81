"""The desk over HTTP: clerks in browsers' shoes (locust) saving and submitting through ``govreport serve``,
on SQLite and PostgreSQL side by side in one run, then every save counted in the database.

    python bench/desk_clerks.py [--agencies 3000] [--clerks 200] [--seconds 60] [--postgres URL]

A region is set up from an agency list with ``desk init``'s own code (bench/desk.py's list: counties
and their bodies); the server runs as ``govreport serve`` in its own process on the loopback address.
Each simulated clerk goes the whole way a person does: the login page and its CSRF cookie, the
first-login password change, its own report opened in the web form, then saves from the form (a JSON
call carrying the session's CSRF token), a figure changed each time, one to four seconds apart; after a few
saves it submits (the form's 提交审核: saved, then through the gate) and is done. Afterwards the
database is read directly: each report holds the revision and the figure its clerk was last told were
saved, and every acknowledged submission is 已提交. Targets: save p95 ≤ 300 ms, 0 failed, 0 lost.
PostgreSQL comes from ``--postgres`` or GOVREPORT_TEST_POSTGRES (a scratch database, dropped after);
without one the run fails, as the targets are for both. Exit status 1 on a miss.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
from locust import FastHttpUser, between, events, task  # noqa: E402
from locust.env import Environment  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.desk import agency_list, scratch_postgres  # noqa: E402
from bench.serving import serving  # noqa: E402
from toolkit import datafile, registry  # noqa: E402
from toolkit.desk import database, region, reports  # noqa: E402
from toolkit.desk.terms import SUBMITTED  # noqa: E402
from toolkit.formats import CellRef  # noqa: E402
from toolkit.web.document import figure_field, fields  # noqa: E402

SAVE_P95_MS = 300
RECEIVED, DISCLOSED = CellRef("applications", "new_received", "other"), CellRef("applications", "disclosed", "other")
WRITTEN = "本年度工作情况已如实说明。"  # what the clerk writes where the draft says 【待填写】
_CSRF, _FORM = re.compile(r'name="csrf" value="([^"]+)"'), re.compile(r'data-version="(\d+)" data-csrf="([^"]+)"')


class Run:
    """One database's run: the accounts handed out, and what the server acknowledged."""

    def __init__(self, logins: list[tuple[str, str]]):
        self.logins = logins
        self.saved: dict[int, tuple[int, int]] = {}  # report -> (revision, figure) of its last answered save
        self.submitted: set[int] = set()
        self.failures: list[str] = []
        self.stopping = False
        self.ready = self.gone = 0  # clerks logged in with their report open; clerks who could not


run: Run | None = None


class Clerk(FastHttpUser):
    # A save every one to four seconds: under the server's 5 s keep-alive, so no call is sent on a
    # connection the server is just closing (that would count as a failed save the server never saw).
    wait_time = between(1.0, 4.0)

    def _fail(self, answer, what: str) -> None:
        answer.failure(f"{what}：{answer.status_code}")
        run.failures.append(f"{self.login} {what}: {answer.status_code} {(answer.text or str(answer.error))[:160]}")
        raise RuntimeError(what)

    def on_start(self):
        self.login, password = run.logins.pop()
        try:
            self._open(password)
        except Exception as exc:  # a clerk who could not start: counted and shown, never hidden
            run.failures.append(f"{self.login} 未能开始：{exc!r}")
            run.gone += 1
            raise

    def _open(self, password: str) -> None:
        token = _CSRF.search(self.client.get("/desk/login", name="登录页").text).group(1)
        with self.client.post("/desk/login", data={"csrf": token, "login": self.login, "password": password},
                              name="登录", allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 303:
                self._fail(answer, "登录")
        token = _CSRF.search(self.client.get("/desk/password", name="修改密码页").text).group(1)
        new = f"{self.login}-Secret-9"
        self.client.post("/desk/password", data={"csrf": token, "old": password, "new": new, "again": new},
                         name="修改密码", allow_redirects=False)
        with self.client.get("/desk", name="工作台", allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 303:
                self._fail(answer, "打开本机关报告")
            self.report = int(answer.headers["location"].rsplit("/", 1)[1])
        version, self.csrf = _FORM.search(self.client.get(f"/desk/reports/{self.report}", name="填报页").text).groups()
        self.version = int(version)
        data = self.client.get(f"/desk/reports/{self.report}/data", name="数据文件").text
        self.fields = {k: WRITTEN if isinstance(v, str) and "【待填写】" in v else v
                       for k, v in fields(datafile.loads(data)).items()}
        self.figure, self.left = 0, 3 + self.report % 6  # saves before it submits
        run.ready += 1

    @task
    def save(self):
        if run.stopping or self.left < 0:
            return
        self.figure += 1
        final = self.left == 0
        self.left -= 1
        body = {"fields": {**self.fields, figure_field(RECEIVED): str(self.figure),
                           figure_field(DISCLOSED): str(self.figure)}, "version": self.version, "final": final}
        with self.client.post(f"/desk/reports/{self.report}/form/save", json=body, headers={"X-CSRF-Token": self.csrf},
                              name="提交" if final else "保存", catch_response=True) as answer:
            if answer.status_code != 200:
                self._fail(answer, "提交" if final else "保存")
            reply = answer.json()
            self.version = reply["version"]
            run.saved[self.report] = (self.version, self.figure)
            if final:
                if reply["state"] != SUBMITTED:
                    self._fail(answer, f"提交被拒：{reply['refused']}")
                run.submitted.add(self.report)


def lost_saves(url: str) -> list[str]:
    """Each report as its clerk was last told: its revision, its figure; submitted when so answered."""
    lost = []
    engine = database.connect(url)
    with engine.connect() as connection:
        for report_id, (revision, figure) in run.saved.items():
            stored = reports.get(connection, report_id)
            if stored.revision != revision or stored.report().figures[RECEIVED] != figure:
                lost.append(f"报告 {report_id}：应为第 {revision} 版、数字 {figure}，"
                            f"实为第 {stored.revision} 版、数字 {stored.report().figures[RECEIVED]}")
            if (report_id in run.submitted) != (stored.status == SUBMITTED):
                lost.append(f"报告 {report_id}：状态 {stored.status}，与答复不符")
    engine.dispose()
    return lost


def measure(url: str, data: Path, folder: Path, agencies: int, clerks: int, seconds: float) -> dict:
    global run
    engine = database.connect(url)
    synced = region.sync(engine, registry.load(agency_list(folder, agencies)), 2025, "示例省人民政府办公厅")
    engine.dispose()
    run = Run([(a.login, a.password) for a in synced.accounts if a.login != "office"][-clerks:])
    given = [] if url.startswith("sqlite") else ["--database", url]
    with serving(data, *given) as address:
        environment = Environment(user_classes=[Clerk], host=address, events=events)
        runner = environment.create_local_runner()
        runner.start(clerks, spawn_rate=min(clerks, 20))
        deadline = time.monotonic() + 600
        while run.ready + run.gone < clerks and time.monotonic() < deadline:
            gevent.sleep(0.5)
        environment.stats.reset_all()  # the logins (scrypt, on purpose slow) are not what is measured
        gevent.sleep(seconds)
        run.stopping = True
        gevent.sleep(5)  # the calls under way are answered before the clerks leave
        runner.quit()
        runner.greenlet.join()
    saving, submitting = environment.stats.get("保存", "POST"), environment.stats.get("提交", "POST")
    return {"clerks": run.ready, "saves": saving.num_requests, "submits": len(run.submitted),
            "p95_ms": saving.get_response_time_percentile(0.95) or float("inf"),
            "submit_p95_ms": submitting.get_response_time_percentile(0.95) or 0,
            "median_ms": saving.median_response_time, "failed": list(run.failures), "lost": lost_saves(url)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agencies", type=int, default=3000)
    parser.add_argument("--clerks", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--postgres", default=os.environ.get("GOVREPORT_TEST_POSTGRES"))
    options = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="govreport-bench-desk-http-") as folder:
        data = Path(folder) / "data"
        shape = (options.agencies, options.clerks, options.seconds)
        results["SQLite"] = measure(database.database_url(data), data, Path(folder), *shape)
        if options.postgres:
            url, drop = scratch_postgres(options.postgres)
            try:
                results["PostgreSQL"] = measure(url, Path(folder) / "data-pg", Path(folder), *shape)
            finally:
                drop()
    missed = not options.postgres
    print(f"{options.agencies} 个机关，{options.clerks} 名填报人经网页（登录、CSRF、表单）同时保存并提交 "
          f"{options.seconds:.0f} 秒（locust，本机回环地址）")
    print(f"{'':12}{'填报人':>6}{'保存次数':>8}{'提交':>6}{'保存中位数':>10}{'保存 p95':>10}{'提交 p95':>10}  失败  丢失")
    for name, r in results.items():
        ok = r["p95_ms"] <= SAVE_P95_MS and not r["failed"] and not r["lost"] and r["clerks"] == options.clerks
        missed |= not ok
        print(f"{name:12}{r['clerks']:>6}{r['saves']:>10}{r['submits']:>7}{r['median_ms']:>10.0f}ms"
              f"{r['p95_ms']:>8.0f}ms{r['submit_p95_ms']:>8.0f}ms  {len(r['failed']):>4}  {len(r['lost']):>4}"
              f"{'' if ok else '  未达标'}")
        for line in (r["failed"] + r["lost"])[:5]:
            print(f"    {line}")
    if not options.postgres:
        print("PostgreSQL：未测量（请用 --postgres 或 GOVREPORT_TEST_POSTGRES 给出服务器地址）")
    print(f"目标：保存 p95 ≤ {SAVE_P95_MS} ms，0 失败，0 丢失")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
