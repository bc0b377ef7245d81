"""The web form's server time, measured side by side in one run on this machine.

    python bench/web.py [--runs N]

In the app itself (an ASGI wrapper times each request from its arrival to its last byte): the form
page of a full report (the huaian sample, every table filled), a check after one edit, a save; beside
them, re-rendering the Word file after the same edit (a Word download: the data file read, checked, rendered and sent,
which a check must be far cheaper than; the library's rendering alone is shown beside it). Each figure is the median of
``--runs`` requests after a warm-up. Targets: form page ≤ 150 ms, check ≤ 30 ms and ≥ 10× cheaper than
the Word file. The exit status is 1 when one is missed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from starlette.testclient import TestClient  # noqa: E402

import toolkit.api  # noqa: E402
from toolkit import datafile  # noqa: E402
from toolkit.formats import CellRef  # noqa: E402
from toolkit.web import create_app  # noqa: E402
from toolkit.web.document import fields  # noqa: E402

HUAIAN = ROOT / "samples" / "huaian-2024.yaml"


class Timed:
    """The wrapped app, remembering how long each request took inside the server."""

    def __init__(self, app):
        self.app, self.last = app, 0.0

    async def __call__(self, scope, receive, send):
        start = time.perf_counter()
        await self.app(scope, receive, send)
        self.last = time.perf_counter() - start


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        timed = Timed(create_app(Path(folder)))
        with TestClient(timed) as client:
            created = client.post("/reports", data={"how": "import"},
                                  files={"source": (HUAIAN.name, HUAIAN.read_bytes())}, follow_redirects=False)
            report_url = created.headers["location"]
            report = datafile.load(HUAIAN)
            form = fields(report)

            def server_time(call) -> list[float]:
                times = []
                for i in range(runs + 3):
                    response = call(i)
                    assert response.status_code == 200, response.text[:300]
                    times.append(timed.last)
                return times[3:]

            page = server_time(lambda i: client.get(report_url))

            def one_edit(i):
                edited = {**form, "figures.applications.disclosed.natural_person": str(1288 + i % 7)}
                return client.post(report_url + "/check", json={"fields": edited})

            check = server_time(one_edit)
            version = [1]

            def one_save(i):
                response = client.post(report_url + "/save", json={"fields": {**form, "lead.url": f"第{i}次"},
                                                                   "version": version[0]})
                version[0] = response.json()["version"]
                return response

            save = server_time(one_save)

            def one_download(i):  # the saved report after one more edit, as Word
                one_save(i)
                return client.get(report_url + "/download/docx")

            download = server_time(one_download)[: max(5, runs // 3)]
    word = []
    edited = CellRef("applications", "disclosed", "natural_person")
    for i in range(max(5, runs // 3)):
        report.figures[edited] = 1288 + i  # an edit, as the check had: nothing rendered before is reused
        start = time.perf_counter()
        toolkit.api.render_docx(report)
        word.append(time.perf_counter() - start)

    page_ms, check_ms, save_ms, download_ms, word_ms = map(median_ms, (page, check, save, download, word))
    ratio = download_ms / check_ms
    rows = [
        ("表单页面（完整报告）", f"{page_ms:.1f} ms", "≤ 150 ms", page_ms <= 150),
        ("修改一格后检查", f"{check_ms:.1f} ms", "≤ 30 ms", check_ms <= 30),
        ("修改后重新生成 Word（服务器）", f"{download_ms:.1f} ms", "—", True),
        ("Word ÷ 检查", f"{ratio:.1f}×", "≥ 10×", ratio >= 10),
        ("其中 Word 排版本身（库）", f"{word_ms:.1f} ms", "—", True),
        ("排版 ÷ 检查", f"{word_ms / check_ms:.1f}×", "—", True),
        ("保存（一个版本）", f"{save_ms:.1f} ms", "—", True),
    ]
    print(f"服务器内耗时（中位数，{runs} 次）")
    for name, value, target, met in rows:
        print(f"  {name:<22} {value:>10}   目标 {target:<9} {'达标' if met else '未达标'}")
    return 0 if all(met for *_, met in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
