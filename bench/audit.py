"""How well the audit reads and judges published copies, measured on real and generated ones.

    python bench/audit.py [--copies N] [--seed S]

Real copies (../shared/real/web): copies read, cells read and unread, the defects known to be in
them (listed in their index) found, and false errors — errors no known defect explains. Generated
copies (tests/layout_corpus.py, N per format, random seed unless given): cells printed, read right,
read wrong, left unread. The exit status is 1 when a known defect is missed, a false error is
given or a generated cell is read wrong.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import toolkit  # noqa: E402
from toolkit import rules  # noqa: E402
from toolkit.errors import ToolkitError  # noqa: E402
from toolkit.extract import extract  # noqa: E402
from toolkit.findings import ERROR  # noqa: E402
from toolkit.formats import get_format  # noqa: E402

from tests.layout_corpus import BLANK, corpus, random_report  # noqa: E402

WEB = ROOT.parent / "shared" / "real" / "web"
SAMPLES = sorted((ROOT / "samples").glob("*-20??.yaml"))

# The defects the index of ../shared/real/web lists for each copy: (rule, where the finding points
# or None for anywhere, what the index says).
KNOWN = {
    "101.pdf": [("B", "figures.appeals.reconsideration.total", "行政复议总计印为 0"),
                ("B", "figures.appeals.litigation_after_review.total", "复议后起诉总计印为 0")],
    "102.pdf": [("D1", None, "正文受理 17 件，表三本年新收 95")],
    "104.md": [("L3", None, "自拟章节结构，未用规定的六个部分")],
    "106.txt": [("H3", None, "表二至表四未以文字发布")],
    "108.txt": [("H1", None, "标题「一、工作基本情况」")],
    "109.txt": [("M3", None, "机关名称中夹带广告"), ("D13", None, "正文现行有效规范性文件 0 件，表二为 32")],
    "110.txt": [("D1", None, "正文受理 2 件，表三为 3")],
    "111.txt": [("L1", None, "2023 年度报告使用 2019 年格式的表二")],
    "113.txt": [("T1", None, "表三空白格")],
    "118.txt": [("M3", None, "机关名称旁的网站广告")],
    "121.txt": [("M4", None, "标题重复")],
    "125.txt": [("H3", None, "表二、表三未以文字发布")],
}


def real_copies() -> tuple[dict, list[str]]:
    figures = dict.fromkeys(("副本", "未能读取", "已读格", "未读格", "已知问题", "已发现", "误报错误"), 0)
    lines = []
    for path in sorted(p for p in WEB.iterdir() if p.name != "index.md"):
        try:
            report = extract(path).report
        except ToolkitError:
            figures["未能读取"] += 1
            lines.append(f"  {path.name}: 未能读取")
            continue
        findings, _ = rules.audit(report)
        figures["副本"] += 1
        figures["已读格"] += len(report.figures) + len(report.stated_totals)
        figures["未读格"] += len(report.unread)
        known = KNOWN.get(path.name, [])
        explained = set()
        for rule, where, said in known:
            match = [f for f in findings if f.rule == rule and (where is None or f.location.key_path == where)]
            figures["已知问题"] += 1
            figures["已发现"] += bool(match)
            explained.update(id(f) for f in match)
            if not match:
                lines.append(f"  {path.name}: 未发现已知问题 [{rule}] {said}")
        for finding in findings:
            if finding.severity == ERROR and id(finding) not in explained and finding.rule not in {r for r, _, _ in known}:
                figures["误报错误"] += 1
                lines.append(f"  {path.name}: 误报错误 [{finding.rule}] {finding.message}")
    return figures, lines


def generated_copies(per_format: int, seed: int) -> dict:
    rng = random.Random(seed)
    reports = [toolkit.load(path).report for path in SAMPLES]
    reports += [random_report(get_format(version), rng) for version in ("2019", "2021") for _ in range(3)]
    figures = dict.fromkeys(("副本", "印出的格", "读对", "读错", "未读"), 0)
    with tempfile.TemporaryDirectory() as folder:
        for copy in corpus(reports, per_format, seed):
            path = Path(folder) / copy.name
            path.write_bytes(copy.content)
            report = extract(path).report
            path.unlink()
            figures["副本"] += 1
            for ref, printed in copy.printed.items():
                figures["印出的格"] += 1
                read = report.stated_totals.get(ref) if report.format.is_derived(ref) else report.figures.get(ref)
                if read is None:
                    figures["未读"] += 1
                elif (printed is BLANK) == (ref in report.blank_cells) and (printed is BLANK or read == printed):
                    figures["读对"] += 1
                else:
                    figures["读错"] += 1
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description="测量审核对真实副本和生成副本的读取与判断。")
    parser.add_argument("--copies", type=int, default=2000, help="每种格式生成的副本数")
    parser.add_argument("--seed", type=int, default=None, help="生成副本的随机种子（默认随机）")
    options = parser.parse_args()
    seed = options.seed if options.seed is not None else random.randrange(1 << 30)

    start = time.perf_counter()
    real, details = real_copies()
    print(f"真实副本（{WEB}）：" + "，".join(f"{k} {v}" for k, v in real.items()) +
          f"（{time.perf_counter() - start:.1f} 秒）")
    print("\n".join(details))
    start = time.perf_counter()
    generated = generated_copies(options.copies, seed)
    print(f"生成副本（种子 {seed}，每种格式 {options.copies} 份）：" + "，".join(f"{k} {v}" for k, v in generated.items()) +
          f"（{time.perf_counter() - start:.1f} 秒）")
    missed = real["已知问题"] - real["已发现"]
    failed = missed or real["误报错误"] or generated["读错"]
    print("未达标" if failed else "达标：已知问题全部发现，无误报错误，生成副本无读错的格。")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
