"""雷同: narrative sections copied from another report checked in the same run.

Reports copied from last year's or from a sibling agency's keep most of their wording. Each
narrative section is compared with the same section of the other reports; sections sharing most
of their text form a group, and each member is reported with the share it has in common.

Comparing every pair would grow with the square of the number of reports (a county checks
hundreds at once), so candidates are found through a small sketch of each text — its smallest
shingle hashes — and each candidate is measured against one member of the group only.
"""

from __future__ import annotations

import difflib
import heapq
import re
from collections import defaultdict

from ..findings import WARNING, Finding, Location

SHARE = 0.8  # share of text in common from which two sections are taken as copies
MIN_CHARS = 80  # shorter sections ("无。") are alike by nature
SHINGLE = 5  # characters in one shingle
SKETCH = 8  # smallest shingle hashes kept per text: texts that share one are candidates
_NOISE = re.compile(r"[\s\d，。、；：,.;:（）()“”\"]+")


def _text(section: str) -> str:
    """The wording alone: figures and years differ between copies made from one another."""
    return _NOISE.sub("", section)


def share_in_common(a: str, b: str) -> float:
    """Characters in matching blocks over the longer text's length."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(len(a), len(b), 1)


def _shingles(text: str) -> frozenset[int]:
    return frozenset(hash(text[i:i + SHINGLE]) for i in range(len(text) - SHINGLE + 1))


def _alike(a: frozenset[int], b: frozenset[int]) -> bool:
    """A cheap first test: shingles in common over the larger set, a lower bound of the share."""
    return len(a & b) >= (SHARE - 0.15) * max(len(a), len(b))


def copied_sections(reports: list[tuple[str, dict[str, str]]]) -> dict[str, list[Finding]]:
    """Findings by file (sections keyed "key heading"): each narrative section that shares most of its
    text with the same section of another report."""
    found: dict[str, list[Finding]] = {}
    by_section: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for file, sections in reports:
        for name, text in sections.items():
            text = _text(text)
            if len(text) >= MIN_CHARS:
                by_section[name].append((file, text))
    for name, texts in by_section.items():
        for group in _groups(texts):
            _report_group(name, group, found)
    return found


def _groups(texts: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Files whose texts are alike, grouped; each text measured against a group's first member."""
    leader: dict[int, int] = {}  # text index → index of its group's first member
    first_by_text: dict[str, int] = {}
    first_by_hash: dict[int, int] = {}
    shingles: dict[int, frozenset[int]] = {}
    for index, (_, text) in enumerate(texts):
        if text in first_by_text:  # the same words: the commonest copy, found without measuring
            leader[index] = leader[first_by_text[text]]
            continue
        first_by_text[text] = index
        shingles[index] = _shingles(text)
        leader[index] = index
        for value in heapq.nsmallest(SKETCH, shingles[index]):
            candidate = first_by_hash.setdefault(value, index)
            if candidate != index and leader[candidate] == candidate and _alike(shingles[index], shingles[candidate]):
                leader[index] = candidate
                break
    groups: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for index, group in leader.items():
        groups[group].append(texts[index])
    return [members for members in groups.values() if len({file for file, _ in members}) > 1]


def _report_group(name: str, group: list[tuple[str, str]], found: dict[str, list[Finding]]) -> None:
    key, _, heading = name.partition(" ")
    (first_file, first_text), *rest = group
    shares = {first_file: 1.0}
    for file, text in rest:
        shares[file] = 1.0 if text == first_text else share_in_common(text, first_text)
    copies = [file for file in shares if file == first_file or shares[file] >= SHARE]
    if len(copies) < 2:
        return
    for file in copies:
        other = first_file if file != first_file else next(f for f in copies if f != first_file)
        share = shares[file] if file != first_file else shares[other]
        more = f"等 {len(copies) - 1} 份报告" if len(copies) > 2 else ""
        found.setdefault(file, []).append(Finding(
            rule="S1", severity=WARNING,
            message=f"「{heading}」与 {other}{more}的同一部分雷同：{share:.0%} 的文字相同。",
            location=Location(file=file, key_path=f"sections.{key}"),
            expected="本机关本年度的实际情况", found=f"{share:.0%} 相同",
            hint="年度报告应如实反映本年度工作，不应照搬上年或其他机关的报告。"))
