"""Which format a copy follows, and where its sections start — both from the format data alone.

The format is told by its labels: every format's table labels are known, and a copy's tables
carry the labels of the format they were drawn in. Headings are found by each format's own
headings and numbering pattern ("三、" starts section 三; "（十一）" is a part title, never a
heading), tolerant of local wording.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field

from ..formats import Format, format_for_year, get_format, latest, versions
from .normalize import canonical, without_sentences
from .sources import CELL, Line

_MIN_LABEL = 4  # shorter labels (其他, 总计, 规章) occur in any text
_MIN_PRESENT = 2  # one such label may be a word of the narrative ("规范性文件") rather than a table
_LOOSE_NUMBER = re.compile(r"^([一二三四五六七八九十]+)[.．,，:：]")


@functools.cache
def _labels(version: str) -> frozenset[str]:
    fmt = get_format(version)
    labels = set()
    for table in fmt.tables.values():
        for block in table.blocks:
            labels.update([block.title] if block.title else [])
            labels.update(part for column in block.columns for part in column.label)
            labels.update(part for row in block.rows for part in row.label)
    return frozenset(c for c in map(canonical, labels) if len(c) >= _MIN_LABEL)


def labels_present(text: str) -> set[str]:
    """Every known format's labels that occur in ``text``, a longer label hiding those inside it."""
    known = sorted(set().union(*(_labels(v) for v in versions())), key=len, reverse=True)
    present = set()
    for label in known:
        if label in text:
            present.add(label)
            text = text.replace(label, "\0")
    return present


def detect_format(lines: list[Line], year: int | None) -> tuple[Format, bool]:
    """(format, told by the tables' labels): the format whose labels the copy uses, else the year's."""
    cells = [line for line in lines if line.kind == CELL]  # where the copy keeps cells, only they are the tables
    table_text = [line.text for line in cells] or [without_sentences(line.text) for line in lines]  # a sentence's words are no table's
    present = labels_present(canonical("".join(table_text)))
    default = format_for_year(year) if year else latest()
    shared = frozenset.intersection(*(_labels(v) for v in versions()))
    if len(present - shared) < _MIN_PRESENT:  # too few labels that tell the formats apart
        return default, False
    scores = {v: len(present & _labels(v)) - len(present - _labels(v)) for v in versions()}
    best = max(scores.values())
    tied = [v for v, score in scores.items() if score == best]
    version = default.version if default.version in tied else max(tied, key=lambda v: get_format(v).first_year)
    return get_format(version), True


@dataclass
class Headings:
    found: dict[str, int] = field(default_factory=dict)  # section key -> line index
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (official heading, as published)


def _number(fmt: Format, text: str) -> str | None:
    match = fmt.numbering.heading.match(_LOOSE_NUMBER.sub(r"\1、", text))
    return match.group(0) if match else None


def find_headings(lines: list[Line], start: int, fmt: Format) -> Headings:
    """Each section heading, in order: its number and wording, or its number alone on a short line
    that is no table label (「一、工作基本情况」 for 「一、总体情况」, reported as renamed)."""
    result, position = Headings(), start
    row_labels = _labels(fmt.version)
    for section in fmt.sections:
        number = _number(fmt, section.heading)
        wanted = canonical(fmt.numbering.bare(section.heading))
        for index in range(position, len(lines)):
            line = lines[index]
            text = re.sub(r"\s+", "", line.text)
            if line.kind == CELL or _number(fmt, text) != number:
                continue
            bare = canonical(fmt.numbering.bare(_LOOSE_NUMBER.sub(r"\1、", text)))
            similar = difflib.SequenceMatcher(None, bare, wanted).ratio() >= 0.5 or wanted in bare
            short = len(text) <= 30 and not text.endswith(("。", "；", "，")) and not any(
                label in canonical(text) or canonical(text) in label for label in row_labels)
            if similar or short:
                result.found[section.key] = index
                if not similar:
                    result.renamed.append((section.heading, text))
                position = index + 1
                break
    return result


def first_heading(lines: list[Line]) -> int:
    """Where the body starts: the first line numbered like a heading of any known format."""
    formats = [get_format(v) for v in versions()]
    for index, line in enumerate(lines):
        text = re.sub(r"\s+", "", line.text)
        if line.kind != CELL and any(_number(f, text) == _number(f, f.sections[0].heading) for f in formats):
            return index
    return len(lines)


_NUMERALS = "一二三四五六七八九十"


def outline(lines: list[Line], start: int, fmt: Format) -> list[str]:
    """The copy's own top-level headings, in order: short lines numbered 一、 二、 三、 … upwards
    that are no table label — whatever they say, so that an outline of its own can be told."""
    found: list[str] = []
    row_labels = _labels(fmt.version)
    for line in lines[start:]:
        text = re.sub(r"\s+", "", line.text)
        number = _number(fmt, text)
        if line.kind == CELL or not number or len(text) > 40 or text.endswith(("。", "；", "，", "：")):
            continue
        if numeral_value(number) > (numeral_value(found[-1]) if found else 0) and canonical(text) not in row_labels:
            found.append(text)
    return found


def numeral_value(heading: str) -> int:
    """1 for 一、…, 10 for 十、…; 0 for anything else."""
    numeral = re.match(rf"[{_NUMERALS}]+", heading)
    return _NUMERALS.index(numeral.group()) + 1 if numeral and len(numeral.group()) == 1 else 0


def cited_format(texts: list[str]) -> Format | None:
    """The format whose document number the copy cites as its own (「…（国办公开办函〔2019〕60号）…」)."""
    text = re.sub(r"\s+", "", "".join(texts))
    for version in versions():
        fmt = get_format(version)
        issuer, *numbers = re.findall(r"[\u4e00-\u9fff]+|\d+", fmt.document)[:3]
        if len(numbers) == 2 and re.search(rf"{issuer}\W{{0,2}}{numbers[0]}\W{{0,2}}{numbers[1]}号", text):
            return fmt
    return None
