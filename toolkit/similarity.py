"""雷同: narrative sections copied from another report checked in the same run.

Reports copied from last year's or from a sibling agency's keep most of their wording. Each
narrative section is compared with the same section of every other report; a pair sharing most
of its text is reported on both sides, with the share of text in common.
"""

from __future__ import annotations

import difflib
import re

from .findings import WARNING, Finding, Location

SHARE = 0.8  # share of text in common from which two sections are taken as copies
MIN_CHARS = 80  # shorter sections ("无。") are alike by nature
_NOISE = re.compile(r"[\s\d，。、；：,.;:（）()“”\"]+")


def _text(section: str) -> str:
    """The wording alone: figures and years differ between copies made from one another."""
    return _NOISE.sub("", section)


def share_in_common(a: str, b: str) -> float:
    """Characters in matching blocks over the longer text's length."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(len(a), len(b), 1)


def copied_sections(reports: list[tuple[str, dict[str, str]]]) -> dict[str, list[Finding]]:
    """Findings by file (sections keyed "key heading"): each narrative section that shares most of its text with another report's."""
    found: dict[str, list[Finding]] = {}
    texts = [(file, {key: _text(t) for key, t in sections.items()}) for file, sections in reports]
    for i, (file, sections) in enumerate(texts):
        for other, other_sections in texts[i + 1:]:
            for name, text in sections.items():
                key, _, heading = name.partition(" ")
                theirs = other_sections.get(name, "")
                if min(len(text), len(theirs)) < MIN_CHARS:
                    continue
                quick = difflib.SequenceMatcher(None, text, theirs, autojunk=False)
                if quick.real_quick_ratio() < SHARE or quick.quick_ratio() < SHARE:
                    continue
                share = share_in_common(text, theirs)
                if share < SHARE:
                    continue
                for here, there in ((file, other), (other, file)):
                    found.setdefault(here, []).append(Finding(
                        rule="S1", severity=WARNING,
                        message=f"「{heading}」与 {there} 的同一部分雷同：{share:.0%} 的文字相同。",
                        location=Location(file=here, key_path=f"sections.{key}"),
                        expected="本机关本年度的实际情况", found=f"{share:.0%} 相同",
                        hint="年度报告应如实反映本年度工作，不应照搬上年或其他机关的报告。"))
    return found
