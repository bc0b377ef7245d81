"""The table reader against generated copies: every layout real copies come in, figures known.

The reader is right when it gives back exactly the cells each copy prints — every figure with
its digits, every blank as a blank, nothing unread and nothing else — over hundreds of copies per
format. The seed is fixed here; LAYOUT_SEED=random (or a number) draws other copies.
"""

import os
import random

import pytest

import toolkit
from toolkit.extract import extract
from toolkit.formats import get_format

from .conftest import SAMPLES
from .layout_corpus import BLANK, LAYOUTS, corpus, random_report

PER_FORMAT = 500


def _seed() -> int:
    wanted = os.environ.get("LAYOUT_SEED", "22")
    return random.randrange(1 << 30) if wanted == "random" else int(wanted)


def wrong_cells(copy, report) -> list[str]:
    """Every cell read otherwise than the copy prints it, and every cell read that it does not print."""
    wrong = []
    for ref, printed in copy.printed.items():
        read = report.stated_totals.get(ref, report.figures.get(ref)) if report.format.is_derived(ref) else report.figures.get(ref)
        if printed is BLANK:
            if ref not in report.blank_cells:
                wrong.append(f"{ref}: 空白，读作 {read}")
        elif read is None or read != printed or ref in report.blank_cells:
            wrong.append(f"{ref}: {printed}，读作 {read}")
    return wrong


@pytest.fixture(scope="module")
def copies():
    seed = _seed()
    rng = random.Random(seed)
    reports = [toolkit.load(path).report for path in SAMPLES]
    reports += [random_report(get_format(version), rng) for version in ("2019", "2021") for _ in range(3)]
    return seed, corpus(reports, PER_FORMAT, seed)


def test_every_generated_layout_reads_back_exactly(copies, tmp_path):
    seed, generated = copies
    assert {c.name.split("-")[0] for c in generated} == {"2019", "2021"}
    assert len(generated) >= 2 * PER_FORMAT and {c.layout for c in generated} == set(LAYOUTS)
    failures = []
    for copy in generated:
        path = tmp_path / copy.name
        path.write_bytes(copy.content)
        extraction = extract(path)
        report = extraction.report
        problems = wrong_cells(copy, report)
        if report.format.version != copy.name.split("-")[0]:
            problems.append(f"format {report.format.version}")
        unread = {str(ref) for ref in report.unread}
        if unread:
            problems.append(f"unread {sorted(unread)[:3]}")
        if problems:
            failures.append(f"{copy.name}: {problems[:4]} {extraction.notes[:2]}")
        path.unlink()
    assert failures == [], f"seed {seed}: {len(failures)} of {len(generated)} copies misread\n" + "\n".join(failures[:15])
