"""Who published a report and for which year, from wherever the copy says so.

Titles come in either order (机关＋YYYY年… or YYYY年＋机关…), split over two lines, repeated, or
not at all; then the 导语 names the agency ("现公布某某局2022年政府信息公开工作年度报告"), the
统计期限 names the year ("统计期限为2023年1月1日至…", even with 年 lost: "20231月1日"), and the
date below the signature does too. Web copies put page furniture before the title (breadcrumbs,
发布时间, 索引号) and mirror sites inject spam into names: such lines are not the 导语, and an
agency name that is a URL, carries spam or has no word naming a public body is flagged, as is
spam glued to a place or agency name anywhere in the text ("青川县德赢VWIN门户网站").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

_REPORT = r"政府信息公开(?:工作)?年度报告"
_REPORT_LOOSE = r"政府信息公开(?:工作)?(?:年度)?报告"  # 「现将某某街道2019年度政府信息公开工作报告如下」
_TITLE_AGENCY_FIRST = re.compile(rf"^(?P<agency>.*?)(?P<year>(?:19|20)\d{{2}})年度?{_REPORT}$")
_TITLE_YEAR_FIRST = re.compile(rf"^(?P<year>(?:19|20)\d{{2}})年度?(?P<agency>.+?){_REPORT}$")
_IN_SENTENCE = re.compile(rf"(?P<agency>[^，。,；;！!？?]{{2,60}}?)(?P<year>(?:19|20)\d{{2}})年度?{_REPORT_LOOSE}")
_BODY_END = r"(?:人民政府|政府|局|委员会|办公室|办公厅|街道办事处|街道|镇|乡|中心|部|署|厅)"
# Other sentences of a 导语 that name the agency.
_LEAD_NAMES = (
    re.compile(rf"^(?:(?:19|20)\d{{2}}年度?[，,])(?P<agency>[\u4e00-\u9fff]{{2,30}}?{_BODY_END})(?=[^\u4e00-\u9fff]|[以在按根坚紧认深严围全积])"),
    re.compile(rf"^(?P<agency>[\u4e00-\u9fff]{{2,30}}?{_BODY_END})(?:编制了|特编制|现将|现公布|现发布)"),
    re.compile(rf"由(?P<agency>[\u4e00-\u9fff]{{2,30}}?{_BODY_END})(?:[\u4e00-\u9fff]{{0,8}}?)(?:负责)?编制"),
    re.compile(rf"请(?:与|向)(?P<agency>[\u4e00-\u9fff]{{2,30}}?{_BODY_END})(?:[\u4e00-\u9fff]{{0,8}}?)联系"),
)
_BY_AGENCY = re.compile(r"本?年度?报告由(?P<agency>[^，。,《]{2,40}?)(?:根据|依据|按照|编制)")
_PERIOD = re.compile(r"(?:统计期限|统计时间|统计周期|统计区间|数据统计|所列数据)[^。]{0,12}?(?P<year>(?:19|20)\d{2})\s*年?\s*0?1\s*月\s*0?1\s*日")
_YEAR_MENTION = re.compile(r"((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月\s*\d{1,2}\s*日前)")
# What precedes an agency's name inside a sentence: verbs and quotation marks, not the name.
_LEAD_IN = re.compile(r"^.*(?:现公开|现公布|现发布|现将|特编制|编制形成了|编制了|编制|发布|公布|印发|形成了|现面向社会公开|[《“\"：:])")
_NOT_A_NAME = re.compile(r"https?://|www\.|\.(?:com|cn|net|org|gov)\b|[A-Za-z@_#$%&*=+<>{}\[\]]")
_FURNITURE = re.compile(r"^[•·\s]*(?:日期|发布日期|发布时间|时间|来源|浏览次数|点击|字体|字号|作者|索引号|发文机关|文号|分类|"
                        r"主题分类|您现在所在的位置|当前位置|首页|打印|关闭|政府信息公开$)|https?://|^\S{0,12}[:：]\s*$")
# Words that name a public body; a "name" without any of them is probably not one.
_BODY_WORDS = ("政府", "局", "委员会", "委", "办公室", "办公厅", "办", "厅", "街道", "镇", "乡", "中心", "院", "所", "部",
               "署", "处", "站", "管理", "会", "公司", "馆", "队")


# Spam a mirror site glues into the text: Latin words run into Chinese ("德赢VWIN", "uedbet体育_uedbet官网@:").
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9_@]*(?:[\u4e00-\u9fff]{1,3}[A-Za-z0-9_@]+)*[@:：_]*")
# Latin words government texts use in Chinese sentences (政务APP, PDF版, OA系统, H5页面…).
_PLAIN_LATIN = frozenset({"APP", "PC", "PDF", "OA", "WPS", "H", "QQ", "WORD", "EXCEL", "GB", "ICP", "IP", "CA", "AI",
                          "VR", "AR", "ID", "USB", "LED", "EMS", "KPI", "VPN", "GDP", "CPI", "PPP", "PM", "ISO", "TV",
                          "CT", "EXCEL", "HTML", "HTTP", "HTTPS", "WWW", "WIFI", "WLAN", "IPTV", "OFD", "CEB", "XML"})
_GAMBLING = re.compile(r"体育|官网|官方|娱乐|彩票|棋牌|真人|博彩|电竞|登录|入口|网址|赢|bet", re.IGNORECASE)
# Casino and betting brands mirror sites write in Chinese ("…政务公开办公室澳门金沙城中心:印发…").
_CASINO = re.compile(r"澳门[\u4e00-\u9fff]{0,4}?(?:金沙|葡京|威尼斯人|银河|永利|美高梅)[\u4e00-\u9fff]{0,4}?(?:城中心|娱乐|赌场|官网)?|"
                     r"金沙城中心|太阳城(?:集团|娱乐)|百家乐|真人(?:娱乐|视讯)|(?:网上|线上)(?:赌场|博彩)")
_NAME_END = ("省", "市", "县", "区", "州", "旗", "盟", "镇", "乡", "街道", "局", "政府", "办公室", "委员会")
_NAME_NEXT = re.compile(r"^[\u4e00-\u9fff]{1,12}?(?:人民政府|政府|局|委员会|办公室|街道|镇|乡|县|区|市)")
_CJK = re.compile(r"[\u4e00-\u9fff]")


# An agency named only by its kind, its place left out: "县农业农村局在县委、县政府的统筹安排下…".
_UNPLACED_NAME = re.compile(r"(?:^|[，,。；;：:、])(?:(?:19|20)\d{2}年度?[，,]?)?"
                            r"(?P<name>[省市县区镇乡](?!委|政府|人民政府)[\u4e00-\u9fff]{2,10}?(?:局|委员会|办公室|中心))"
                            r"(?=在|按照|根据|认真|坚持|严格|深入|围绕|紧紧|[，,。；;])")


def unplaced_name(lines: list[str]) -> str | None:
    """The agency as the copy names it without its place (县农业农村局), for telling what is missing."""
    return next((m.group("name") for line in lines for m in [_UNPLACED_NAME.search(compact(line))] if m), None)


@dataclass(frozen=True)
class Injected:
    """Spam found glued to a name: the spam itself and the words around it, as the copy has them."""

    spam: str
    context: str


def injected_spam(lines: list[str]) -> list[Injected]:
    """Spam glued to a place or agency name, once per distinct spam text, in the order found.

    A Latin word run into Chinese is spam when it is not a word government texts use and it sits
    next to a name (a place or a body, up to four brand characters between: 青川县德赢VWIN) or
    reads as betting vocabulary; URLs and e-mail addresses in brackets are the copy's own.
    """
    found: dict[str, Injected] = {}
    seen: set[str] = set()
    for line in lines:
        text = compact(line)
        for match in _LATIN_RUN.finditer(text):
            if match.group() in seen:
                continue  # told once, with its first place; mirrors repeat the same spam many times
            start, end = match.span()
            before, after = text[max(0, start - 16):start], text[end:end + 16]  # windows: long lines stay linear
            glued = bool(before and _CJK.match(before[-1])) or bool(after and _CJK.match(after[0]))
            letters = re.sub(r"[^A-Za-z]", "", match.group()).upper()
            if not glued or letters in _PLAIN_LATIN or len(letters) < 3 or _in_address(text, start, end):
                continue
            brand = _brand_before(before)
            spam = brand + match.group()
            start -= len(brand)
            named = bool(brand) or before.endswith(_NAME_END) or bool(_NAME_NEXT.match(after))
            if named or _GAMBLING.search(spam):
                seen.add(match.group())
                found.setdefault(spam.rstrip("@:：_") or spam, Injected(spam, text[max(0, start - 8):end + 8]))
        for match in _CASINO.finditer(text):  # in Chinese, inside any name or cited title
            found.setdefault(match.group(), Injected(match.group(), text[max(0, match.start() - 8):match.end() + 8]))
    return list(found.values())


def _brand_before(before: str) -> str:
    """The Chinese characters between a name's end and a Latin spam word (德赢 in 青川县德赢VWIN)."""
    for width in range(1, 5):
        head, brand = before[:-width], before[-width:]
        if len(head) >= 2 and head.endswith(_NAME_END) and all(_CJK.match(c) for c in brand):
            return brand
    return ""


def _in_address(text: str, start: int, end: int) -> bool:
    """Part of a web or e-mail address: the copy's own link, not spam."""
    around = text[max(0, start - 12):end + 12]
    return bool(re.search(r"https?|www\.|\.(?:com|cn|net|org|gov)|@[A-Za-z0-9]", around))


@dataclass
class Metadata:
    agency: str | None = None
    agency_as_written: str | None = None  # when it differs: what the copy had around the name
    year: int | None = None
    year_from: str | None = None  # "title", "lead", "period", "date", "text"
    title_lines: int = 0  # lines at the top that are the title and page furniture
    titles: list[str] = field(default_factory=list)  # each title line as printed
    agency_from: str | None = None  # where the name was read: 标题, 首行, 导语


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def read_metadata(top: list[str]) -> Metadata:
    """Agency and year from the lines before the first heading (title, page furniture, 导语)."""
    meta = Metadata()
    _read_titles(meta, top)
    if not meta.agency and meta.year_from == "title":  # 标题 / 某某镇人民政府 / 标题: the name between title lines
        name = next((compact(line) for line in top[:meta.title_lines] if _is_name(compact(line))), None)
        if name:
            _set_agency(meta, name, "标题")
    if not meta.agency and meta.title_lines == 0 and top and _is_name(compact(top[0])):
        _set_agency(meta, compact(top[0]), "首行")  # a copy whose first line is the agency's short name
        meta.title_lines = 1
    _read_lead(meta, top[meta.title_lines:meta.title_lines + 6])
    if meta.year is None:
        period = next((m for line in top for m in [_PERIOD.search(compact(line))] if m), None)
        if period:
            meta.year, meta.year_from = int(period.group("year")), "period"
    return meta


def _title(text: str):
    return _TITLE_AGENCY_FIRST.match(text) or _TITLE_YEAR_FIRST.match(text)


def _read_titles(meta: Metadata, top: list[str]) -> None:
    """Title lines, in either order of agency and year, over one line or two, repeated or not."""
    for index, line in enumerate(top[:8]):
        text = compact(line)
        match = _title(text)
        following = compact(top[index + 1]) if index + 1 < len(top) else ""
        joined = text + following if not _title(following) else ""
        if not match and joined and (split := _title(joined)):
            match, index, text = split, index + 1, joined  # a title printed over two lines
        if match:
            meta.titles.append(text)
            agency = match.group("agency") or _name_above(top[:index])
            if meta.year is None:
                meta.year, meta.year_from = int(match.group("year")), "title"
                _set_agency(meta, agency, "标题")
            meta.title_lines = index + 1
        elif meta.year is None and _FURNITURE.search(text):
            meta.title_lines = index + 1


def _read_lead(meta: Metadata, lead: list[str]) -> None:
    """The agency and year the 导语 names: 「现公布某某局2022年…年度报告」, 「本报告由某某局编制」,
    「交通运输部编制了…」, 「2024年，某某局…」, 「请与某某局联系」 — never a notice it cites."""
    for line in lead:
        text = compact(line)
        matches = [*_IN_SENTENCE.finditer(text), *_BY_AGENCY.finditer(text), *(p.search(text) for p in _LEAD_NAMES)]
        matches = [m for m in matches if m]
        named = [m for m in matches if _names_a_body(_LEAD_IN.sub("", m.group("agency")))]
        if named and not meta.agency:
            _set_agency(meta, named[0 if named[0].re in _LEAD_NAMES else -1].group("agency"), "导语")
        dated = [m for m in matches if "year" in m.groupdict() and m.group("year")]
        if dated and meta.year is None:
            meta.year, meta.year_from = int(dated[-1].group("year")), "lead"


def _names_a_body(text: str) -> bool:
    """A public body's name, not the title of a notice or document it cites (「…关于做好…」), nor
    a name without its place (县农业农村局: said apart, by ``unplaced_name``)."""
    return (any(word in text for word in _BODY_WORDS) and not re.search(r"关于|印发|通知|《|》|条例|意见", text)
            and not re.match(r"[省市县区镇乡](?!委|政府|人民政府)", text))


def lead_agency(lines: list[str]) -> str | None:
    """The agency the opening sentences of the body name, for copies whose 导语 comes under 一、."""
    meta = Metadata()
    _read_lead(meta, lines)
    return meta.agency


def _name_above(lines: list[str]) -> str:
    """The agency name on the lines above a year-first title line. A long name is broken between
    words over two or three lines, each upper line ending in a place (省, 市, 州, 县 …)."""
    parts = [compact(lines[-1])] if lines else []
    for line in reversed(lines[-3:-1]):
        if not re.fullmatch(r"[\u4e00-\u9fff]{2,20}(?:省|市|州|县|区|旗|盟|镇|乡|街道)", compact(line)):
            break
        parts.insert(0, compact(line))
    return "".join(parts)


def period_year(lines: list[str]) -> int | None:
    """The year a 统计期限 sentence anywhere in the text names."""
    for line in lines:
        match = _PERIOD.search(compact(line))
        if match:
            return int(match.group("year"))
    return None


def year_mentioned(lines: list[str]) -> int | None:
    """The year the text speaks of most ("2023年，我局…"), for copies that state it nowhere else."""
    counts = Counter(int(m) for line in lines for m in _YEAR_MENTION.findall(compact(line)))
    if not counts:
        return None
    (year, n), *rest = counts.most_common()
    return year if not rest or rest[0][1] < n else None


def _set_agency(meta: Metadata, written: str, where: str) -> None:
    written = written.strip("，。,：:《》“”\" ")
    name = _LEAD_IN.sub("", written)
    name = re.split(_NOT_A_NAME, name)[-1] if _NOT_A_NAME.search(name) else name
    name = re.sub(r"^[^\u4e00-\u9fff]+", "", name)
    if not name:
        return
    meta.agency, meta.agency_from = name, where
    if name != written and _NOT_A_NAME.search(written):
        meta.agency_as_written = written


def is_furniture(text: str) -> bool:
    """A web page's line around the report (breadcrumbs, 发布时间, 索引号), not part of it."""
    return bool(_FURNITURE.search(text))


def _is_name(text: str) -> bool:
    return 2 <= len(text) <= 40 and not re.search(r"[，。,；;]", text) and text.endswith(_BODY_WORDS)


def spam_problem(found: list[Injected]) -> str | None:
    """The spam a mirror site glued to names in the copy, as a reviewer should be told it."""
    if not found:
        return None
    shown = "、".join(f"“{i.spam}”（原文“…{i.context}…”）" for i in found[:3])
    return (f"原文中地名或机关名称旁夹带了疑似镜像网站插入的广告文字：{shown}。"
            "此副本不是机关网站的原文，机关名称和内容可能被改动，请核对。")


def name_problem(name: str | None, written: str | None) -> str | None:
    """Why an agency name read from a copy should not be taken on trust, or None."""
    if written and _NOT_A_NAME.search(written):
        return f"原文中机关名称处夹带了网址或无关文字“{written}”，已取“{name}”，请核对。"
    if name and _NOT_A_NAME.search(name):
        return f"机关名称“{name}”含有网址或无关字符，不像机关名称。"
    if name and not any(word in name for word in _BODY_WORDS):
        return f"机关名称“{name}”中没有表示机关的字样（如局、委、办、政府、街道、镇、乡），请核对。"
    return None


# The body's words for its own agency, and the level they tell; 我局, 我委 and 我市 tell none (a
# 局 may be a State Council bureau, a 市 may or may not make rules).
_SELF_REFERENCES = (("镇", "乡镇人民政府"), ("乡", "乡镇人民政府"), ("街道", "街道办事处"), ("县", "县级人民政府"))


def self_reference_level(lines: list[str]) -> tuple[str, str] | None:
    """(level, the words it was told by) from how the body speaks of its agency: 我镇, 本街道…"""
    text = "".join(compact(line) for line in lines)
    counts = {(word, level): len(re.findall(rf"[我本]{word}(?![长区道办])", text)) for word, level in _SELF_REFERENCES}
    (word, level), count = max(counts.items(), key=lambda item: item[1])
    return (level, f"我{word}") if count >= 2 else None
