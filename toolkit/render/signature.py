"""The 落款 of GB/T 9704 7.3.5, placed by paragraph alignment and indents measured on the template.

Unsealed, the name ends two characters from the right margin and the date begins two characters
right of the name's first character (a longer date ends two from the margin instead, and the name
moves left with it). Sealed, the date ends four characters from the margin and the name is
centred on it. A name is broken (between words, into even lines) only when it does not fit.

The characters are those of the template's own signature paragraph (its size and character
spacing) on the template's own page, so an adopted template's 落款 lands on the same marks as
the default template's. A template is prepared once: its name and date paragraphs get indents
and an alignment to be filled in per report, keep-with-next from the last lines of the text above
down to the name (the block never leaves its date alone on a page, nor itself alone on one), and
the date's paragraph the same measure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from .geometry import em_width, split_words

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = {"w": _W}
_Q = lambda tag: f"{{{_W}}}{tag}"  # noqa: E731 - a qualified-name helper
# Characters the 落款 keeps free on the right: unsealed name, sealed date (GB/T 9704 7.3.5).
NAME_RIGHT, SEALED_DATE_RIGHT, DATE_STEP = 2, 4, 2
# A name starts at least this many characters from the left margin, or it is broken.
LEFT_MARGIN_CHARS = 2
# Values filled in per report: placeholders a rendered body cannot otherwise contain.
_SLOTS = ("name-left", "name-right", "date-left", "date-right")
_ALIGN_SLOT = "govreport-name-jc"
_SLOT = re.compile(rb"govreport-(?:name|date)-[a-z-]+")
_LAST_KEEP = '<w:keepNext w:val="govreport-last"/>'
_JINJA_TAG = re.compile(r"\{[{%].*?[%}]\}", re.S)
_A4 = (11906, 1587, 1474)  # page width, left and right margins (twips) when a template states none
_DEFAULT_HALF_POINTS = 21


@dataclass(frozen=True)
class Measure:
    """The template's line: how wide a character of its 落款 is, and how many fit the type area."""

    char_twips: float
    chars: float


@dataclass(frozen=True)
class Block:
    """The 落款 laid out: the name's lines, its alignment, and both paragraphs' indents in characters."""

    name_lines: tuple[str, ...]
    name_align: str
    name_indents: tuple[float, float]
    date_indents: tuple[float, float]


# Word and LibreOffice set a little space (a fifth of a character) where Chinese meets digits.
_AUTOSPACE = 0.2
_SCRIPT_CHANGE = re.compile(r"(?<=[0-9A-Za-z])(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])(?=[0-9A-Za-z])")


def printed_width(text: str) -> float:
    """Width in characters as printed: digits half a character, plus the space between scripts."""
    return em_width(text) + _AUTOSPACE * len(_SCRIPT_CHANGE.findall(text))


def layout(name: str, date: str, sealed: bool, chars: float) -> Block:
    """The 落款 on a line of ``chars`` characters."""
    names = tuple(split_words(name, chars - NAME_RIGHT - LEFT_MARGIN_CHARS))
    widest = max(printed_width(line) for line in names)
    date_width = printed_width(date)
    if sealed:
        # Centred on the date; a name too wide for that moves the pair left, to end 右空二字.
        centre = min(chars - SEALED_DATE_RIGHT - date_width / 2, chars - NAME_RIGHT - widest / 2)
        half = widest / 2 + 0.5  # half a character to spare on each side: a centred line never wraps
        return Block(names, "center", (centre - half, chars - centre - half),
                     (0, chars - centre - date_width / 2))
    shift = max(0.0, date_width + DATE_STEP - widest) if date else 0.0
    name_right = NAME_RIGHT + shift
    return Block(names, "right", (0, name_right), (0, name_right + widest - DATE_STEP - date_width))


class Slots:
    """A template's 落款 paragraphs, prepared to take each report's alignment and indents."""

    def __init__(self, measure: Measure, slots: int):
        self.measure = measure
        self.slots = slots  # how many placeholders the prepared 落款 holds

    @classmethod
    def prepare(cls, body: str, styles: bytes | None) -> tuple[str, Slots | None]:
        """The body with its 落款 prepared, and the slots to fill; the body as it was (and None)
        when it has no name and date paragraphs."""
        try:
            root = etree.fromstring(body.encode("utf-8"))
        except etree.XMLSyntaxError:  # Jinja with a raw < or &: left as it is
            return body, None
        paragraphs = list(root.iter(_Q("p")))
        name = next((p for p in reversed(paragraphs) if "signature.name" in _text(p)), None)
        if name is None:
            return body, None
        after = paragraphs[paragraphs.index(name) + 1:]
        date = next((p for p in after if re.search(r"signature\.date|\{\{\s*date\s*\}\}", _text(p))), None)
        if date is None:
            return body, None
        measure = _measure(root, name, styles)
        _place(name, "name", _ALIGN_SLOT)
        _place(date, "date", "right")
        _keep_with_next(name)
        _keep_text_above(name)
        text = etree.tostring(root, encoding="unicode").replace(
            _LAST_KEEP, "{% if loop.last %}<w:keepNext/>{% endif %}")
        # lxml writes a > in text as &gt;: Jinja reads its own tags unescaped.
        text = _JINJA_TAG.sub(lambda m: m.group(0).replace("&gt;", ">"), text)
        return text, cls(measure, text.count("govreport-"))

    def values(self, signature: dict) -> tuple[dict, Block]:
        """The report's signature values with the name broken as this template's line requires."""
        block = layout(signature["name"], signature["date"], signature["sealed"], self.measure.chars)
        return {**signature, "name_line": "\n".join(block.name_lines)}, block

    def fill(self, xml: bytes, block: Block | None) -> bytes:
        """The rendered body with the report's alignment and indents in the prepared paragraphs."""
        twips = lambda chars: str(round(max(0.0, chars) * self.measure.char_twips))  # noqa: E731
        hundredths = lambda chars: str(round(max(0.0, chars) * 100))  # noqa: E731
        align, indents = ("left", (0, 0, 0, 0)) if block is None else (
            block.name_align, (*block.name_indents, *block.date_indents))
        values = {_ALIGN_SLOT: align}
        for slot, chars in zip(_SLOTS, indents):
            values[f"govreport-{slot}"], values[f"govreport-{slot}-chars"] = twips(chars), hundredths(chars)
        # The slots stand in the 落款, near the end: found from there, only that tail is rewritten.
        first = len(xml)
        for _ in range(self.slots if block is not None else 0):
            first = xml.rfind(b"govreport-", 0, first)
        if block is None or first == -1:
            first = xml.find(b"govreport-")
            if first == -1:
                return xml
        return xml[:first] + _SLOT.sub(lambda m: values[m.group(0).decode()].encode(), xml[first:])


def _text(p) -> str:
    return "".join(t.text or "" for t in p.iter(_Q("t")))


def _p_pr(p):
    p_pr = p.find(_Q("pPr"))
    if p_pr is None:
        p_pr = etree.SubElement(p, _Q("pPr"))
        p.insert(0, p_pr)
    return p_pr


# The schema's order of the paragraph properties this module sets, among their neighbours.
_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
          "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
          "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
          "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
          "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange")


def _set(p_pr, tag: str, attributes: dict[str, str]) -> None:
    """Replace (or add, in schema order) the paragraph property ``tag``."""
    old = p_pr.find(_Q(tag))
    if old is not None:
        p_pr.remove(old)
    element = etree.Element(_Q(tag), {_Q(k): v for k, v in attributes.items()})
    rank = _ORDER.index(tag)
    later = next((i for i, child in enumerate(p_pr)
                  if etree.QName(child).localname in _ORDER and _ORDER.index(etree.QName(child).localname) > rank), None)
    if later is None:
        p_pr.append(element)
    else:
        p_pr.insert(later, element)


def _place(p, slot: str, align: str) -> None:
    """Indents (both forms, so that Word, WPS and LibreOffice agree) and alignment to be filled in."""
    p_pr = _p_pr(p)
    _set(p_pr, "ind", {"left": f"govreport-{slot}-left", "leftChars": f"govreport-{slot}-left-chars",
                       "right": f"govreport-{slot}-right", "rightChars": f"govreport-{slot}-right-chars",
                       "firstLine": "0", "firstLineChars": "0"})
    _set(p_pr, "jc", {"val": align})


def _keep_with_next(p) -> None:
    _set(_p_pr(p), "keepNext", {})


def _keep_text_above(name) -> None:
    """Keep-with-next on the blank lines above the name and on the text that ends before them: the
    last paragraph of each loop there (its last lines; widow control keeps two)."""
    depth = 0  # for-loops open around the paragraph, counted walking backwards
    node = name
    while True:
        depth += _loops_closed(node.getprevious().tail if node.getprevious() is not None else node.getparent().text)
        node = node.getprevious()
        if node is None or node.tag != _Q("p"):
            return
        text = _text(node).strip()
        if not text:
            _keep_with_next(node)
        elif re.fullmatch(r"\{\{[^{}]*\}\}", text) and depth > 0:
            p_pr = _p_pr(node)
            old = p_pr.find(_Q("keepNext"))
            if old is None:
                _set(p_pr, "keepNext", {"val": "govreport-last"})
        elif not text.startswith("{{"):
            return  # static text: the heading of the last section


def _loops_closed(text: str | None) -> int:
    """Walking backwards over Jinja text: +1 for each loop end, -1 for each loop start."""
    text = text or ""
    return len(re.findall(r"\{%-?\s*endfor", text)) - len(re.findall(r"\{%-?\s*for\s", text))


def _measure(body, name, styles: bytes | None) -> Measure:
    """Character width of the name paragraph's text and characters per line of the type area."""
    sect = body.find(f"{{{_W}}}sectPr")
    size = sect.find(_Q("pgSz")) if sect is not None else None
    margins = sect.find(_Q("pgMar")) if sect is not None else None
    width = int(size.get(_Q("w"))) if size is not None and size.get(_Q("w")) else _A4[0]
    left = int(margins.get(_Q("left"))) if margins is not None and margins.get(_Q("left")) else _A4[1]
    right = int(margins.get(_Q("right"))) if margins is not None and margins.get(_Q("right")) else _A4[2]
    half_points, spacing = _run_format(name, styles)
    char_twips = half_points * 10 + spacing
    return Measure(char_twips, (width - left - right) / char_twips)


def _run_format(p, styles: bytes | None) -> tuple[float, float]:
    """(size in half-points, character spacing in twips) of the paragraph's first text run, from
    the run, its paragraph style (and the styles it is based on) or the document defaults."""
    chain = []
    run = next((r for r in p.iter(_Q("r")) if _text(r)), None)
    if run is not None and run.find(_Q("rPr")) is not None:
        chain.append(run.find(_Q("rPr")))
    if styles:
        root = etree.fromstring(styles)
        by_id = {s.get(_Q("styleId")): s for s in root.iter(_Q("style"))}
        style = p.find(f"{_Q('pPr')}/{_Q('pStyle')}")
        style_id = style.get(_Q("val")) if style is not None else next(
            (s.get(_Q("styleId")) for s in by_id.values() if s.get(_Q("type")) == "paragraph" and s.get(_Q("default")) == "1"),
            None)
        seen = set()
        while style_id in by_id and style_id not in seen:
            seen.add(style_id)
            chain.append(by_id[style_id].find(_Q("rPr")))
            based = by_id[style_id].find(_Q("basedOn"))
            style_id = based.get(_Q("val")) if based is not None else None
        chain.append(root.find(f"{_Q('docDefaults')}/{_Q('rPrDefault')}/{_Q('rPr')}"))
    found = lambda tag: next((float(e.get(_Q("val"))) for r in chain if r is not None  # noqa: E731
                              for e in [r.find(_Q(tag))] if e is not None and e.get(_Q("val"))), None)
    size = found("sz") or _DEFAULT_HALF_POINTS
    spacing = found("spacing") or 0.0
    return size, spacing
