"""Turning an office's own official-format document into a govreport template.

Offices have the blank official template circulated among agencies, or last year's report as
they typed it, with their letterhead, fonts and spacing. Adoption keeps all of that — page setup,
styles, headers and footers, table formatting — and writes tags where the report's content goes:

* every figure cell, found by its official labels (``tablematch``), gets ``{{ table.row.column }}``;
* the title becomes ``{{ agency }}`` and ``{{ year }}年政府信息公开工作年度报告``;
* text between the title and the first heading becomes the lead loop;
* under each heading, its paragraphs and sub-headed parts become the loops the default template
  has, written in the document's own paragraph and sub-heading formatting;
* the closing name and date become the signature block.

What was there before (placeholders, a filled-in report's text and figures) is reported as
replaced; what has no place in the document is reported, located.
"""

from __future__ import annotations

import copy
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from .. import active, guard
from ..errors import TemplateError
from ..findings import WARNING, Finding, Location
from ..formats import Format
from ..render.package import normalized_docx
from .tablematch import figure_slots, find_tables, squeeze

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_TITLE_LINE = re.compile(r"(工作年度报告|报告格式模板|年度报告)")
_DATE = re.compile(r"^\s*(\d{4}|[〇○零一二三四五六七八九十]{4}|\s*)\s*年\s*\d{0,2}\s*[\d一二三四五六七八九十]*\s*月\s*[\d一二三四五六七八九十]*\s*日\s*$")


@dataclass
class Adoption:
    """The template made, what it replaced, and what could not be placed."""

    content: bytes
    format: Format
    replaced: list[str] = field(default_factory=list)
    unplaced: list[Finding] = field(default_factory=list)


def best_format(document, formats: list[Format]) -> Format:
    """The format whose tables the document holds most figure cells of (the newest on a tie)."""
    def found(fmt: Format) -> int:
        return sum(len(figure_slots(m)) for m in find_tables(document, fmt).values() if m)

    return max(formats, key=found)


def adopt(source, formats: list[Format]) -> Adoption:
    """The source document as a template of the best-matching format (``formats`` newest first)."""
    guard.check_package(Path(source))
    content, removed = active.stripped_package(guard.read_bytes(source, guard.MAX_FILE_BYTES))
    try:
        document = docx.Document(io.BytesIO(content))
    except Exception as exc:  # python-docx raises several unrelated types for a non-.docx file
        raise TemplateError(f"无法读取 {source}：不是有效的 Word（.docx）文件（{exc}）。") from None
    if any(_TAG.search(p.text) for p in _all_paragraphs(document)):
        raise TemplateError(f"{source} 已经含有模板标签，不需要转换；可用 govreport template check {source} 检查。")
    fmt = best_format(document, formats) if len(formats) > 1 else formats[0]
    adoption = Adoption(b"", fmt)
    if removed:
        adoption.replaced.append(f"已移除主动内容（报告中不应含有）：{active.describe(removed)}")
    _Adopter(document, fmt, adoption).run()
    document.core_properties.title = "{{ title }}"
    adoption.content = normalized_docx(document)
    return adoption


def _all_paragraphs(document):
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


class _Adopter:
    def __init__(self, document, fmt: Format, adoption: Adoption):
        self.document, self.fmt, self.adoption = document, fmt, adoption
        self.blocks = list(document.iter_inner_content())
        self.numbers = {}
        count = 0
        for block in self.blocks:
            if isinstance(block, Paragraph):
                count += 1
                self.numbers[id(block._p)] = count

    def where(self, paragraph: Paragraph) -> str:
        return f"正文第 {self.numbers.get(id(paragraph._p), '?')} 段"

    def unplaced(self, message: str, place: str | None = None, hint: str = "") -> None:
        self.adoption.unplaced.append(Finding("A1", WARNING, message, Location(place=place), hint=hint))

    def run(self) -> None:
        self.tables()
        headings = self.headings()
        if not headings:
            self.unplaced("找不到任何法定标题，无法放置各部分的文字。", hint="标题须单独成段，如“一、总体情况”。")
            return
        first = min(headings.values(), key=self.blocks.index)
        body_style = self.body_format()
        signature = self.signature()
        self.title_and_lead(first, body_style)
        order = sorted(headings.items(), key=lambda item: self.blocks.index(item[1]))
        for n, (section, heading) in enumerate(order):
            start = self.blocks.index(heading) + 1
            end = self.blocks.index(order[n + 1][1]) if n + 1 < len(order) else len(self.blocks)
            content = [b for b in self.blocks[start:end] if signature is None or not _in(b, signature)]
            self.section(section, heading, content, body_style)
        self.close(signature, body_style)

    # -- tables ------------------------------------------------------------------------------------

    def tables(self) -> None:
        for key, match in find_tables(self.document, self.fmt).items():
            heading = self.fmt.table_section(key).heading
            if match is None:
                self.unplaced(f"找不到「{heading}」的表格，其中的数字无处填写。")
                continue
            for mismatch in match.mismatches:
                self.unplaced(f"「{heading}」的表格{mismatch.message}。", mismatch.place,
                              "请对照官方格式修正该表格后再转换。")
            filled = 0
            labels = {slot.row: slot.tc for cell, slot in match.slots.items() if not cell.is_figure}
            for ref, slot in figure_slots(match).items():
                if squeeze(slot.text) and not squeeze(slot.text).startswith("{{"):
                    filled += 1
                # An empty cell has no run to take formatting from: the nearest label cell above lends it.
                lender = labels[max((r for r in labels if r <= slot.row), default=min(labels))] if labels else None
                _set_cell_text(slot.tc, f"{{{{ {ref} }}}}", lender)
            if filled:
                self.adoption.replaced.append(f"「{heading}」表格中的 {filled} 个数字已替换为数字标签。")

    # -- the text ----------------------------------------------------------------------------------

    def headings(self) -> dict:
        found = {}
        for block in self.blocks:
            if isinstance(block, Paragraph):
                for section in self.fmt.sections:
                    if squeeze(block.text) == squeeze(section.heading) and section.key not in found:
                        found[section.key] = block
        for section in self.fmt.sections:
            if section.key not in found:
                self.unplaced(f"找不到法定标题「{section.heading}」，该部分的文字无处填写。",
                              hint="标题须单独成段，文字与官方格式一致。")
        return {self.fmt.section(key): block for key, block in found.items()}

    def narrative(self, blocks) -> list[Paragraph]:
        return [b for b in blocks if isinstance(b, Paragraph) and b.text.strip()]

    def body_format(self) -> Paragraph | None:
        """The paragraph whose formatting body text takes: the commonest style among plain text."""
        heads = {squeeze(s.heading) for s in self.fmt.sections}
        texts = [p for p in self.narrative(self.blocks) if squeeze(p.text) not in heads and not self.is_part_title(p, None)]
        if not texts:
            return None
        style = Counter(p.style.name for p in texts).most_common(1)[0][0]
        long = [p for p in texts if p.style.name == style]
        return max(long[:5], key=lambda p: len(p.text))

    def is_part_title(self, paragraph: Paragraph, body: Paragraph | None) -> bool:
        text = paragraph.text.strip()
        if not self.fmt.numbering.part.match(text) or len(text) > 40:
            return False
        return len(text) <= 20 or body is None or paragraph.style.name != body.style.name

    def title_and_lead(self, first_heading: Paragraph, body: Paragraph | None) -> None:
        before = self.narrative(self.blocks[: self.blocks.index(first_heading)])
        titles = [p for p in before if _TITLE_LINE.search(p.text)]
        if not titles:
            self.unplaced("找不到报告标题（含“年度报告”的一段），未写入机关名称和年度。", self.where(first_heading),
                          "请在第一个标题之前写入 {{ agency }} 和 {{ year }}年政府信息公开工作年度报告。")
            lead = before
        else:
            line = titles[0]
            index = before.index(line)
            agency = before[index - 1] if index and before[index - 1].style.name == line.style.name \
                and not _TITLE_LINE.search(before[index - 1].text) else None
            old = " ".join(p.text.strip() for p in (agency, line) if p)
            if agency is None:
                _insert_before(line, line, "{{ agency }}")
            else:
                _set_text(agency, "{{ agency }}")
            _set_text(line, "{{ year }}年政府信息公开工作年度报告")
            self.adoption.replaced.append(f"标题“{old}”已替换为 {{{{ agency }}}}{{{{ year }}}}年政府信息公开工作年度报告。")
            lead = before[index + 1:]
        style = lead[0] if lead else body
        if lead:
            self.adoption.replaced.append(f"导语（{len(lead)} 段）已替换为导语标签。")
        for paragraph in lead:
            _remove(paragraph)
        self.loop(first_heading, "p in lead", ["{{ p }}"], style)

    def loop(self, anchor, head: str, lines: list[str], style: Paragraph | None, after: bool = False):
        """``{%p for head %}`` lines ``{%p endfor %}`` placed before (or after) ``anchor``."""
        texts = [f"{{%p for {head} %}}", *lines, "{%p endfor %}"]
        return _place(anchor, texts, style, after)

    def section(self, section, heading: Paragraph, blocks, body: Paragraph | None) -> None:
        texts = self.narrative(blocks)
        own_body = next((p for p in texts if not self.is_part_title(p, body)), body)
        part_titles = [p for p in texts if self.is_part_title(p, body)]
        subheading = part_titles[0] if part_titles else self.any_part_title(body) or own_body
        placeholders = [p.text.strip() for p in texts if p.text.strip().startswith("（") and p.text.strip().endswith("）")
                        and not self.fmt.numbering.part.match(p.text.strip())]
        if placeholders:
            self.adoption.replaced.append(f"「{section.heading}」的占位文字“{placeholders[0]}”已替换为段落标签。")
        elif texts:
            parts = f"、{len(part_titles)} 个分项" if part_titles else ""
            self.adoption.replaced.append(f"「{section.heading}」的 {len(texts) - len(part_titles)} 段文字{parts}已替换为标签。")
        for paragraph in texts:
            _remove(paragraph)
        narrative = f"sections.{section.key}"
        last = self.loop(heading, f"p in {narrative}.paragraphs", ["{{ p }}"], own_body, after=True)
        table = next((b for b in blocks if not isinstance(b, Paragraph)), None)
        anchor = table._tbl if table is not None else last
        _place(anchor, [f"{{%p for part in {narrative}.parts %}}"], own_body, after=True, then=[
            ("{{ part.title }}", subheading),
            ("{%p for p in part.paragraphs %}", own_body), ("{{ p }}", own_body), ("{%p endfor %}", own_body),
            ("{%p endfor %}", own_body)])

    def any_part_title(self, body: Paragraph | None) -> Paragraph | None:
        return next((p for p in self.narrative(self.blocks) if self.is_part_title(p, body)), None)

    # -- the close ---------------------------------------------------------------------------------

    def signature(self):
        """The closing name and date paragraphs (and the blank line before them), if the document has them."""
        tail = [b for b in self.blocks if isinstance(b, Paragraph)][-8:]
        for i in range(len(tail) - 1, 0, -1):
            if _DATE.match(tail[i].text.replace("\u3000", " ")) and tail[i - 1].text.strip() and len(tail[i - 1].text.strip()) <= 40:
                name, date = tail[i - 1], tail[i]
                blank = tail[i - 2] if i >= 2 and not tail[i - 2].text.strip() else None
                return blank, name, date
        return None

    def close(self, signature, body: Paragraph | None) -> None:
        if signature is None:
            last = [b for b in self.blocks if isinstance(b, Paragraph)][-1]
            style = _flush_left(body)
            _place(last._p, ["{%p if signature %}", "", "{{ signature.name_line }}", "{{ signature.date_line }}",
                             "{%p endif %}"], style, after=True)
            self.adoption.replaced.append("文末没有落款，已在文末加入落款标签（署名、成文日期）。")
            return
        blank, name, date = signature
        padded = name.alignment not in (WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.CENTER)
        old = f"{name.text.strip()} {date.text.strip()}"
        _set_text(name, "{{ signature.name_line }}" if padded else "{{ signature.name }}")
        _set_text(date, "{{ signature.date_line }}" if padded else "{{ signature.date }}")
        first = blank or name
        _place(first._p, ["{%p if signature %}"], first, after=False)
        _place(date._p, ["{%p endif %}"], date, after=True)
        self.adoption.replaced.append(f"落款“{old}”已替换为落款标签。")


def _in(block, signature) -> bool:
    return any(p is not None and block._element is p._p for p in signature)


# -- paragraph surgery -----------------------------------------------------------------------------


def _set_text(paragraph: Paragraph, text: str) -> None:
    """One run holding ``text``, formatted as the paragraph's first run (or its paragraph mark)."""
    _set_p_text(paragraph._p, text)


def _first_run_format(element):
    return next((copy.deepcopy(r_pr) for r_pr in element.iter(qn("w:rPr")) if r_pr.getparent().tag == qn("w:r")), None)


def _set_p_text(p, text: str, lender=None) -> None:
    r_pr = _first_run_format(p)
    if r_pr is None and lender is not None:
        r_pr = _first_run_format(lender)
    if r_pr is None:
        mark = p.find(f"{qn('w:pPr')}/{qn('w:rPr')}")
        r_pr = copy.deepcopy(mark) if mark is not None else None
    for child in list(p):
        if child.tag != qn("w:pPr"):
            p.remove(child)
    if not text:
        return
    run = p.add_r()
    if r_pr is not None:
        for unwanted in ("w:ins", "w:del", "w:moveFrom", "w:moveTo", "w:rPrChange"):
            for element in r_pr.findall(qn(unwanted)):
                r_pr.remove(element)
        run.insert(0, r_pr)
    run.text = text


def _set_cell_text(tc, text: str, lender=None) -> None:
    paragraphs = tc.findall(qn("w:p"))
    for extra in paragraphs[1:]:
        tc.remove(extra)
    _set_p_text(paragraphs[0], text, lender)


def _paragraph_like(style: Paragraph | None, text: str, body):
    if style is None:
        p = body.makeelement(qn("w:p"), {})
    else:
        p = copy.deepcopy(style._p)
        for section_properties in p.findall(f"{qn('w:pPr')}/{qn('w:sectPr')}"):
            section_properties.getparent().remove(section_properties)
        for name in list(p.attrib):  # w14:paraId and w14:textId must stay unique in the document
            if name.startswith("{http://schemas.microsoft.com/office/word/2010/wordml}"):
                del p.attrib[name]
    _set_p_text(p, text)
    return p


def _place(anchor, texts: list[str], style: Paragraph | None, after: bool = False, then=()):
    """Paragraphs formatted like ``style`` inserted before or after ``anchor``; returns the last."""
    element = anchor._p if isinstance(anchor, Paragraph) else anchor
    made = [_paragraph_like(style, text, element.getparent()) for text in texts]
    made += [_paragraph_like(fmt, text, element.getparent()) for text, fmt in then]
    for p in made:
        if after:
            element.addnext(p)
            element = p
        else:
            element.addprevious(p)
    return made[-1]


def _insert_before(anchor: Paragraph, style: Paragraph, text: str) -> None:
    anchor._p.addprevious(_paragraph_like(style, text, anchor._p.getparent()))


def _remove(paragraph: Paragraph) -> None:
    paragraph._p.getparent().remove(paragraph._p)


def _flush_left(body: Paragraph | None) -> Paragraph | None:
    """Body formatting without indents, left aligned: the signature's padded lines count from the margin."""
    if body is None:
        return None
    p = copy.deepcopy(body._p)
    paragraph = Paragraph(p, body._parent)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    ind = p.find(f"{qn('w:pPr')}/{qn('w:ind')}")
    if ind is not None:
        ind.getparent().remove(ind)
    paragraph.paragraph_format.first_line_indent = 0
    paragraph.paragraph_format.left_indent = 0
    return paragraph


