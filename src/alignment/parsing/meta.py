"""Document metadata read from a plan's text: title, 文号, issuer, period, region, level.

Scraped plans arrive wrapped in page furniture, 印发 notices (关于印发《…》的通知, 现将《…》印发给你们)
and news leads (近日，市委印发了《…》). Each field is taken from the strongest evidence first and
says where it came from, so a researcher can check it:

=========  ===========================================================================
field      evidence, strongest first
=========  ===========================================================================
title      the 《…》 a 印发 sentence names; a title line before the body (a line that ends
           in a plan word: 方案/意见/要点/安排/规划/计划/纲要/办法/措施…, or 关于印发…的通知
           without 《》); never a breadcrumb, 文号, date or site line
docno      a line that is only a 文号 (brackets repaired: 株县发20174 -> 株县发〔2017〕4号);
           a 发文字号/文号 field
issuer     the body before 关于印发 in a notice title; the signature above the date; body
           lines above the notice title; the subject of a 印发 news lead; a 发文机关 field
period     the title ((2021—2025年), 2020年度); never an upstream title's period
region     a division named at the head of the issuer or title, resolved with the gazetteer
           (:mod:`alignment.parsing.gazetteer`); else the division of the plan's level named most
level      the region's level (乡/镇/街道 = township); else 我省/我市/我县/我镇 in the text;
           else the level of the units the text names (省委/市政府/县直…)
=========  ===========================================================================

:func:`infer_meta` is pure: it takes the lead paragraphs (those before the first numbered
item) and the whole text, and returns values with their evidence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import extract
from .clean import DATE_LINE, LOOSE_DOCNO, ORG_END, PLAN_GENRES, PLAN_WORD, content
from .gazetteer import PROVINCE_ABBREVIATIONS, TOWNSHIP_SUFFIX, load_gazetteer

__all__ = ["LEVEL_EVIDENCE_CHARS", "PERIOD", "PLAN_WORD", "PlanMeta", "implemented_documents", "infer_level_from_text", "infer_meta"]

PERIOD = re.compile(r"((?:19|20)\d{2})\s*年?\s*[—\-－–~～至到]+\s*((?:19|20)\d{2})\s*年?")
_YEAR_PLAN = re.compile(r"((?:19|20)\d{2})\s*年度?(?![—\-－–~～至到\d])")
_DOCNO_FIELD = re.compile(r"(?:发文字号|发文文号|文号)[\s:：|｜]*([^|｜\s]+)")
_ISSUER_FIELD = re.compile(r"(?:发文机关|发文单位|制发机构|发布机构|责任部门)[\s:：|｜]*([^|｜:：]+?)\s*(?:[|｜]|$)")
_TITLE_FIELD = re.compile(r"^(?:标\s*题|名\s*称)[\s:：|｜]*([^|｜]+?)\s*[|｜]*\s*$")
_ORG_SUFFIX = re.compile(ORG_END.pattern.rstrip("$"))
# 根据/贯彻落实 … 印发的《X》: an upstream text, not the plan
_UPSTREAM_CUE = re.compile(r"(贯彻|落实|根据|依据|按照|遵照|对照)")
_NOTICE = re.compile(r"^(?P<issuer>.*?)关于(?:印发|转发|征求)(?P<title>.+?)(?:意见)?的\s*(?:通\s*知|函)")
# 现将省委办公厅、省政府办公厅印发的《X》(川委办〔2017〕15号)转发你们: the plan is the forwarded X
_FORWARDED = re.compile(r"(?P<orgs>[\u4e00-\u9fff、 ]{2,40}?)印发的\s*《(?P<title>[^《》]{4,80})》\s*"
                        r"(?:[(（](?P<docno>[^()（）]{4,30})[)）])?[^。]{0,20}转发")
# a plan named without 《》 in a news lead: 出台2018年法治政府建设工作要点(及任务分解)
_NEWS_TITLE = re.compile(rf"(?:印发|出台|制定|发布)了?(?P<title>[^，。,;；《》\s]{{4,40}}?(?:{PLAN_GENRES}))")
# an annual work plan whose genre word the page dropped: 2023年依法治镇工作
_YEAR_WORK = re.compile(r"^(?:19|20)\d{2}\s*年度?[\u4e00-\u9fff]{2,24}工作$")
_COPY_TAG = re.compile(r"\s*[(（](?:最新|精选|范文|通用|完整版|最新版|word版|可编辑|推荐)[)）]\s*$")
# How much of a plan's text is read for its level: the opening parts say it, and reading a long
# plan to the end costs more than a third of parsing time.
LEVEL_EVIDENCE_CHARS = 8000
_FIVE_YEAR = {"十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030)}
# 印发了《X》 / 关于印发《X》的通知 / 现将《X》印发给你们 / 《X》已经…同意，现印发给你们
_ISSUED = re.compile(r"印\s*发(?:了|的)?\s*《([^《》]{4,80})》|《([^《》]{4,80})》[^《》。]{0,30}?印发给")
_NEWS_ISSUER = re.compile(
    r"(?:^|[,，。;；]|近日|日前|最近|近期)\s*(?P<orgs>[\u4e00-\u9fff、 ]{2,40}?)(?:于)?(?:近日|日前|最近|近期)?[,，]?"
    r"(?:联合)?(?:正式)?印发(?:了)?\s*《"
)
# How a plan speaks of its own place; 全 is not the 全 of 健全/安全/完全 (健全市县…).
_ALL = r"(?<![健安完齐周])全"
_MY_LEVEL = (("provincial", rf"我省|{_ALL}省|我区(?=.{{0,200}}自治区)|自治区实际"),
             ("municipal", rf"我市|{_ALL}市|我州|{_ALL}州|我盟"),
             ("county", rf"我县|{_ALL}县|我区|{_ALL}区|我旗|{_ALL}旗"),
             ("township", rf"我镇|{_ALL}镇|我乡|{_ALL}乡|我街道|本街道"))
# Units a plan names by level: 省委, 省司法厅, 市政府, 市司法局, 县委, 县教育局 (not 市场监管局, 城市…).
_UNIT_LEVEL = (("provincial", r"省(?:委|政府|直|级|[\u4e00-\u9fff]{1,5}?厅)"),
               ("municipal", r"(?<![城都超县])市(?!场)(?:委|政府|直|级|[\u4e00-\u9fff]{1,5}?局)"),
               ("county", r"县(?:委|政府|直|[\u4e00-\u9fff]{1,5}?局)"),
               ("national", r"(?:党中央|国务院)(?:要求|部署)"))


@dataclass
class PlanMeta:
    """Fields read from a plan's text; ``evidence`` maps each field found to where it came from."""

    title: str = ""
    docno: str = ""
    issuer: str = ""
    period_start: int | None = None
    period_end: int | None = None
    region: str = ""
    level: str = "unknown"
    evidence: dict[str, str] = field(default_factory=dict)


def _is_title(line: str) -> bool:
    s = line.strip()
    return 4 <= len(s) <= 70 and not re.search(r"[。；;！!？?:：]", s) and bool(PLAN_WORD.search(s))


def _is_org(name: str) -> bool:
    name = name.strip()
    return 2 <= len(name) <= 30 and bool(ORG_END.search(name)) and not re.search(r"[。，,:：《》]", name)


def _orgs(line: str) -> list[str]:
    """Issuing bodies printed on one line ('中共株洲县委 株洲县人民政府', also glued together as
    '中共张掖市委张掖市人民政府'), or [] if not all are."""
    parts = [p for p in re.split(r"[\s、]+", line.strip()) if p]
    if not parts or not all(_is_org(p) for p in parts):
        return []
    out = []
    for part in parts:  # a second body's full name opens with 中共 or a place: split there
        gz = load_gazetteer()
        cuts = [m.end() for m in _ORG_SUFFIX.finditer(part) if m.end() < len(part)]
        for cut in cuts:
            head, tail = part[:cut], part[cut:]
            if _is_org(head) and _is_org(tail) and (re.match(r"中共|[省市县区州旗][委政人]", tail)
                                                    or any(o == 0 for o, _, _ in gz.places_in(tail[:12]))):
                out += [head, tail]
                break
        else:
            out.append(part)
    return out


def _title(lead: list[str]) -> tuple[str, str]:
    for para in lead:
        for m in _ISSUED.finditer(para):
            name = (m.group(1) or m.group(2)).strip()
            clause = re.split(r"[。；;!！?？,，]", para[:m.start()])[-1]
            if PLAN_WORD.search(name) and not _UPSTREAM_CUE.search(clause):
                return name, "the 《》 of a 印发 notice or news lead"
    for para in lead:  # the 标题 field of a disclosure table: the plan, or the notice naming it
        f = _TITLE_FIELD.match(para.strip())
        value = f.group(1).strip() if f else ""
        notice = _NOTICE.match(value)
        if notice and PLAN_WORD.search(notice.group("title").strip("《》 ")):
            return notice.group("title").strip("《》 "), "the 标题 field"
        if value and _is_title(value) and "印发" not in value:
            return value, "the 标题 field"
    for i, para in enumerate(lead):
        s = para.strip()
        if _is_title(s) and not _NOTICE.match(s) and "印发" not in s:
            after = lead[i + 1].strip() if i + 1 < len(lead) else ""
            if PERIOD.fullmatch(after.strip("()（） ")):  # 吉林市法治政府建设实施方案 / (2021—2025年)
                s += after
            return s, "a title line before the body"
    for para in lead:
        m = _NOTICE.match(para.strip())
        if m and PLAN_WORD.search(m.group("title").strip("《》 ")):
            return m.group("title").strip("《》 "), "a 关于印发…的通知 line"
    named = [m.group("title") for para in lead for m in _NEWS_TITLE.finditer(para)
             if not _UPSTREAM_CUE.search(re.split(r"[。；;!！?？,，]", para[:m.start()])[-1])]
    if named:  # 日前，梁子湖区出台2018年法治政府建设工作要点: the fullest name the news gives
        return max(named, key=len), "the plan a news lead says was issued"
    if lead and _YEAR_WORK.match(lead[0].strip()):
        return lead[0].strip(), "a first line naming a year's work"
    return "", ""


def _undouble(title: str) -> str:
    """A title a page printed twice or more, glued (度乡普法工作计划度乡普法工作计划) -> once; a
    copy site's tag after it ((最新), (精选)) dropped."""
    title = _COPY_TAG.sub("", title)
    for n in (3, 2):
        if len(title) % n == 0 and title == title[: len(title) // n] * n:
            return title[: len(title) // n]
    return title


def _docno(lead: list[str], fields: list[str]) -> tuple[str, str]:
    for para in lead:
        m = LOOSE_DOCNO.match(para) or extract.DOCNO.match(para.strip())
        if m:  # a 文号 line, or one the next line ran into (苏办发〔2012〕30号 2012年6月11日各市…)
            return extract.normalize_docno(m), "a 文号 line"
    for para in [*lead, *fields]:
        f = _DOCNO_FIELD.search(para)
        if f:
            m = extract.DOCNO.search(f.group(1)) or LOOSE_DOCNO.match(f.group(1))
            if m:
                return extract.normalize_docno(m), "the 发文字号 field"
    return "", ""


def _orgs_above(lead: list[str], i: int) -> list[str]:
    """The issuing bodies on the lines right above paragraph ``i`` (a signature, a letterhead)."""
    names, j = [], i - 1
    while j >= 0 and _orgs(lead[j]):
        names = _orgs(lead[j]) + names
        j -= 1
    return list(dict.fromkeys(names))


def _issuer(lead: list[str], title: str, fields: list[str]) -> tuple[str, str]:
    for para in lead:
        m = _NOTICE.match(para.strip())
        if m and _orgs(m.group("issuer")):
            return " ".join(_orgs(m.group("issuer"))), "the notice title"
    for i, para in enumerate(lead):
        names = _orgs_above(lead, i) if DATE_LINE.match(para) else []
        if names:
            return " ".join(names), "the signature above the date"
    for i, para in enumerate(lead):
        if _NOTICE.match(para.strip()) or (title and content(title) in content(para) and i):
            names = _orgs_above(lead, i)
            if names:
                return " ".join(names), "the lines above the notice title"
            break
    for para in lead:
        m = _NEWS_ISSUER.search(para)
        if m:
            names = [p for p in re.split(r"[、\s]+", m.group("orgs")) if p]
            if names and all(_is_org(n) for n in names):
                return " ".join(names), "the subject of a 印发 news lead"
    if title:
        m = re.match(r"^(.{2,30}?)关于", title)
        if m and _orgs(m.group(1)):
            return " ".join(_orgs(m.group(1))), "the head of the title"
    for para in [*lead, *fields]:
        f = _ISSUER_FIELD.search(para)
        if f and _orgs(f.group(1)):
            return " ".join(_orgs(f.group(1))), "the 发文机关 field"
    return "", ""


def _period(title: str, lead: list[str]) -> tuple[int | None, int | None, str]:
    own = _outside_titles(title)  # 贯彻落实《法治中国建设规划(2020—2025年)》实施方案: not its own period
    m = PERIOD.search(own)
    if m:
        return int(m.group(1)), int(m.group(2)), "the title"
    years = _YEAR_PLAN.findall(own)
    if len(years) == 1:
        return int(years[0]), int(years[0]), "the title"
    for para in lead:  # a period printed on its own line under the title: (2017-2020年)
        m = PERIOD.fullmatch(para.strip("()（） "))
        if m:
            return int(m.group(1)), int(m.group(2)), "a period line under the title"
    for para in lead[-3:]:  # 2022年是…之年: the opening of an annual work plan
        m = re.match(r"((?:19|20)\d{2})年是", para.strip())
        if m:
            return int(m.group(1)), int(m.group(1)), "an annual plan's opening (20XX年是…)"
    for para in lead:  # 统筹推进“十四五”时期…, 制定本方案: a five-year plan's period
        m = re.search(r"(十[三四五]五)[”\"]?\s*(?:时期|期间)", _outside_titles(para))
        if m and re.search(r"制定本|特制定|现制定", para):
            return (*_FIVE_YEAR[m.group(1)], "the five-year-plan period its preamble names")
    return None, None, ""


def _outside_titles(text: str) -> str:
    """Text with every 《…》 blanked: places and periods inside cited titles are not the plan's."""
    return re.sub(r"《[^《》]*》", lambda m: " " * len(m.group(0)), text)


def infer_level_from_text(text: str) -> tuple[str, str]:
    """Level from how the plan speaks of itself (我县, 全市: each worth two) and of its units
    (县委, 市政府: one each); the best score must be at least 2 and ahead of the rest.

    Parameters
    ----------
    text
        The plan's clean text, with cited titles blanked (their 全省 is another text's).

    Returns
    -------
    (level, evidence)
        ``("unknown", "")`` when the text does not say.
    """
    mine = {lvl: len(re.findall(p, text)) for lvl, p in _MY_LEVEL}
    units = {lvl: len(re.findall(p, text)) for lvl, p in _UNIT_LEVEL}
    score = {lvl: 2 * mine.get(lvl, 0) + units.get(lvl, 0) for lvl in {*mine, *units}}
    ranked = sorted(score, key=lambda lvl: (-score[lvl], lvl))
    best = ranked[0]
    if score[best] < 2 or score[best] == score[ranked[1]]:
        return "unknown", ""
    if mine.get(best):
        return best, f"the text speaks of itself as {re.search(dict(_MY_LEVEL)[best], text).group(0)}"
    return best, "the level of the units it names"


def _place_at_head(name: str, context: str) -> tuple[str, str]:
    """(region path, level) of the division(s) a name opens with: 巴中市恩阳区… -> 四川省巴中市恩阳区."""
    gz = load_gazetteer()
    name = re.sub(r"^(中共|中国共产党)", "", name.strip())
    # full names, or short ones of 3+ characters (凉山州 for 凉山彝族自治州, 内蒙古)
    hits = [(o, n, p) for o, n, p in gz.places_in(name[:24], full_names_only=False) if n == p.name or len(n) >= 3]
    chain = []
    pos = 0
    for off, matched, place in hits:
        if off != pos:
            break
        same = [p for o, _, p in hits if o == off]
        pick = place if len(same) == 1 else gz.resolve(place.name, name + context)
        if pick is None and chain:
            pick = next((p for p in same if gz.contains(chain[-1], p)), None)
        if pick is not None and (not chain or chain[-1] != pick):
            chain.append(pick)
        pos = off + len(matched)
    tail = re.match(r"([\u4e00-\u9fff]{1,8}?(?:镇|乡|街道|苏木))", name[pos:])
    if tail and re.search(r"[全各本我在该城村]|乡镇", tail.group(1)):
        tail = None  # 全镇, 城乡, 乡村: words, not a township's name
    if chain and tail:
        return gz.path(chain[-1]) + tail.group(1), "township"
    if chain:
        return gz.path(chain[-1]), chain[-1].level
    if not hits and tail and pos == 0 and TOWNSHIP_SUFFIX.search(tail.group(1)):
        return tail.group(1), "township"
    return "", ""


def _most_named_place(text: str, level: str) -> tuple[str, str, str]:
    """(region path, its level, evidence) from how a plan names its own place when its head
    names none. A place the plan names as its own (法治义乌) also sets the level: 全市 is said in
    a county-level city too."""
    gz = load_gazetteer()
    outside = _outside_titles(text)[:4000]
    for m in re.finditer(r"法治([\u4e00-\u9fff]{2,6}?)(?:建设|、)|结合([\u4e00-\u9fff]{2,6}?)(?:工作)?实际", outside):
        name = m.group(1) or m.group(2)  # 法治浙江建设, 法治义乌、平安义乌, 结合湘潭实际
        hits = gz.lookup(name) or [p for suffix in "市县区" for p in gz.lookup(name + suffix)]
        if len(hits) == 1 and (level in ("unknown", hits[0].level) or hits[0].level != "provincial"):
            return gz.path(hits[0]), hits[0].level, f"the place it names in {m.group(0)}"
    for scope, where in ((outside, "the text"), (text[:4000], "the titles it cites")):
        counts: dict[str, int] = {}
        for _, _, place in gz.places_in(scope):
            # short names (和县) turn up inside ordinary words: only full names of 3+ characters count
            if level in ("unknown", place.level) and len(place.name) >= 3 and len(gz.lookup(place.name)) == 1:
                counts[gz.path(place)] = counts.get(gz.path(place), 0) + 1
        if counts:
            return max(counts, key=counts.get), level, f"the division of its level {where} names most"
    if level == "provincial":  # its own province's documents: 黔府发〔2004〕29号
        provinces = [PROVINCE_ABBREVIATIONS.get(m.group("org")[0]) for m in extract.DOCNO.finditer(text[:4000])]
        provinces = [p for p in provinces if p]
        if provinces and len(set(provinces)) == 1:
            return provinces[0], level, "the province of the provincial 文号 it cites"
    return "", level, ""


def infer_meta(lead: list[str], text: str, fields: list[str] = ()) -> PlanMeta:
    """Metadata of one plan from its lead paragraphs (before the first numbered item) and text.

    Parameters
    ----------
    lead
        Clean paragraphs before the plan's first numbered item, in order.
    text
        The whole clean text (for level and region when the lead names none).
    fields
        Page metadata lines the cleaning set aside as furniture (文号: … 发布日期: …): read for
        the 文号 and issuer fields only.

    Returns
    -------
    PlanMeta
        Every field found, and in ``evidence`` the rule that found it.
    """
    meta = PlanMeta()
    ev = meta.evidence
    meta.title, src = _title(lead)
    meta.title = _undouble(meta.title)
    if src:
        ev["title"] = src
    meta.docno, src = _docno(lead, fields)
    if src:
        ev["docno"] = src
    meta.issuer, src = _issuer(lead, meta.title, fields)
    if src:
        ev["issuer"] = src
    fwd = next((m for m in map(_FORWARDED.search, lead) if m), None)
    if fwd and content(fwd.group("title")) == content(meta.title):
        orgs = [o for o in re.split(r"[、\s]+", fwd.group("orgs").replace("现将", "")) if _is_org(o)]
        docno = extract.DOCNO.search(fwd.group("docno") or "")
        if orgs:
            meta.issuer, ev["issuer"] = " ".join(orgs), "the bodies that issued the forwarded text"
        if docno:
            meta.docno, ev["docno"] = extract.normalize_docno(docno), "the 文号 of the forwarded text"
    meta.period_start, meta.period_end, src = _period(meta.title, lead)
    if src:
        ev["period"] = src
    for name, what in ((meta.issuer.split(" ")[-1] if meta.issuer else "", "issuer"), (meta.title, "title")):
        region, level = _place_at_head(name, text[:2000]) if name else ("", "")
        if region:
            meta.region, meta.level = region, level
            ev["region"] = ev["level"] = f"the {what}"
            break
    if not meta.region:
        meta.level, src = infer_level_from_text(_outside_titles(text[:LEVEL_EVIDENCE_CHARS]))
        if src:
            ev["level"] = src
        if meta.level != "national":
            meta.region, level, src = _most_named_place(text, meta.level)
            if meta.region:
                ev["region"] = src
            if level != meta.level:
                meta.level, ev["level"] = level, src
    return meta


def implemented_documents(lead: list[str], title: str) -> list[str]:
    """Upstream documents the plan says it implements: in its lead (为贯彻落实《…》, 根据《…》)
    and its title (贯彻落实《…》实施方案); the plan's own title is never one of them.

    Parameters
    ----------
    lead
        Clean paragraphs before the plan's first numbered item, in order.
    title
        The plan's own title (never returned as an upstream document).
    """
    own = content(title)
    out: list[str] = []
    for para in lead:
        for name in extract.extract_implements(para):
            # an upstream text may share the plan's title (关于加快推进法治政府建设的实施意见): its 文号 tells
            if name not in out and (content(name) != own or "〕" in name):
                out.append(name)
    tm = re.search(r"贯彻(?:落实)?《?([^《》]{4,40}?)》?(?:的)?(?:实施方案|实施意见|工作方案|行动方案)", title)
    if tm and not any(content(tm.group(1).split("(")[0]) in content(i) for i in out):
        out.append(tm.group(1))
    return out
