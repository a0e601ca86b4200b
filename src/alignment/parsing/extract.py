"""Field extractors used by the parse stage: responsibility lists, deadlines, targets, citations.

Each takes clean simplified text and returns plain lists/dicts, so the parse stage can store
them in the measures table as they are.
"""
from __future__ import annotations

import re

from .clean import ORG_END

__all__ = ["CN_DIGITS", "DOCNO", "RESPONSIBILITY_LIST", "ROLE_WORDS", "cn_to_int", "extract_citations", "extract_deadlines", "extract_implements", "extract_targets", "normalize_docno", "normalize_unit", "parse_responsibility", "repair_unclosed_titles", "split_units", "units_in"]

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}


def cn_to_int(s: str) -> int | None:
    """'三十五' -> 35, '十' -> 10, '两' -> 2, '12' -> 12; None if not a number.

    Parameters
    ----------
    s
        A number in Chinese numerals (up to 百) or ASCII digits; outer spaces are ignored.
    """
    s = s.strip()
    if s.isdigit():
        return int(s)
    if not s or any(c not in CN_DIGITS and c not in "十百" for c in s):
        return None
    total, current = 0, 0
    for c in s:
        if c == "百":
            total += (current or 1) * 100
            current = 0
        elif c == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = current * 10 + CN_DIGITS[c] if current else CN_DIGITS[c]
    return total + current


# --------------------------------------------------------------------------- units

ROLE_WORDS = "牵头单位|牵头部门|责任单位|责任部门|责任主体|参加单位|参与单位|配合单位|协办单位|主办单位"
_ROLE = rf"({ROLE_WORDS})"
RESPONSIBILITY_LIST = re.compile(
    rf"[(\[【]\s*{_ROLE}\s*[:：][^()\[\]【】]*?(?:\([^()]*\)[^()\[\]【】]*?)*[)\]】]"
)
_ROLE_SPLIT = re.compile(rf"{_ROLE}\s*[:：]")
_DUTY_SUFFIX = re.compile(r"(等?(?:按|根据)?(?:职责)?(?:分工)?(?:分别|各自|具体)?(?:负责落实|负责|抓好落实)|等)$")
_LEAD_ROLES = {"牵头单位", "牵头部门", "主办单位"}
_SUPPORT_ROLES = {"参加单位", "参与单位", "配合单位", "协办单位"}


def normalize_unit(name: str, aliases: dict[str, str] | None = None) -> str:
    """Canonical unit name: no spaces or duty phrases (按职责分工负责), aliases applied.

    Parameters
    ----------
    name
        A unit name as printed, e.g. ``市司法局按职责分工负责`` -> ``市司法局``.
    aliases
        Variant unit name -> canonical name (e.g. ``市法制办`` -> ``市司法局``); None for none.
    """
    name = re.sub(r"\s+", "", name).strip("。.;；,，、")
    name = _DUTY_SUFFIX.sub("", name)
    return (aliases or {}).get(name, name)


def split_units(listing: str, aliases: dict[str, str] | None = None) -> list[str]:
    """'市委办公室、市委组织部,各县市区' -> ['市委办公室', '市委组织部', '各县市区'].

    Parameters
    ----------
    listing
        Unit names separated by 、 , or ; (half or full width); separators inside
        brackets do not split.
    aliases
        Variant unit name -> canonical name (e.g. ``市法制办`` -> ``市司法局``); None for none.
    """
    depth, parts, buf = 0, [], []
    for c in listing:  # split on separators outside brackets: 党组(党委) stays whole
        depth += c in "(（"
        depth -= c in ")）" and depth > 0
        if c in "、,，;；" and depth == 0:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(c)
    parts.append("".join(buf))
    out = []
    for part in parts:
        unit = normalize_unit(part, aliases)
        if unit and unit not in out:
            out.append(unit)
    return out


def _roles_in(body: str, aliases: dict[str, str] | None, out: dict[str, list[str]]) -> None:
    """Add the units of labelled text ('牵头单位:A、B;参加单位:C') to ``out``.

    Two conventions inside a label are honoured: roles written after the names
    ('责任单位:A、B分别牵头,C参加,D按职责分别负责'), and a note that the first unit leads
    ('…、各单位各部门。排序第一的单位为牵头单位').
    """
    roles = list(_ROLE_SPLIT.finditer(body))
    for i, m in enumerate(roles):
        end = roles[i + 1].start() if i + 1 < len(roles) else len(body)
        listing, _, note = body[m.end():end].partition("。")
        key = "lead" if m.group(1) in _LEAD_ROLES else "support" if m.group(1) in _SUPPORT_ROLES else "responsible"
        if key == "responsible" and _verb_roles(listing, aliases, out):
            continue
        units = split_units(listing, aliases)
        out[key] += [u for u in units if u not in out[key]]
        if units and _FIRST_LEADS.search(note) and units[0] not in out["lead"]:
            out["lead"].append(units[0])


_FIRST_LEADS = re.compile(r"(排序|排在|列)第一(位|个)?的?(单位|部门)?为牵头")


def parse_responsibility(listing: str, aliases: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Units of one list like '(牵头单位:A、B;参加单位:C)'.

    Parameters
    ----------
    listing
        One list with its brackets, e.g. ``(牵头单位:市司法局;参加单位:各县区)``.
    aliases
        Variant unit name -> canonical name (e.g. ``市法制办`` -> ``市司法局``); None for none.

    Returns
    -------
    dict with keys ``lead``, ``support``, ``responsible`` (lists of unit names).
    """
    out = {"lead": [], "support": [], "responsible": []}
    _roles_in(listing.strip()[1:-1], aliases, out)
    return out


# A list cut off by the end of a page: '(责任单位:县委办、县政府办、县委' (its last name may be cut too)
_OPEN_LIST = re.compile(rf"[(\[【]\s*{_ROLE}\s*[:：][^()\[\]【】]*$")
# A label line after the item: '责任单位:县政府办公室、县司法局' / '牵头单位:…' on its own line
_ROLE_LINE = re.compile(rf"(?m)^\s*({_ROLE}\s*[:：].*)$")
# Roles written after the names: '(市政府办公室、市审改办牵头,市级各有关部门按职责分工负责)'
_VERB_ROLES = re.compile(r"[(（]([^()（）]{2,160}?(?:牵头|负责|配合|参与|协助)[^()（）]{0,60}?)[)）]")
_VERB_SEGMENT = re.compile(r"^(?P<names>.+?)(?:分别|共同)?(?P<verb>牵头|配合|参与|参加|协助|(?:等?按职责分工|按职责|分别|具体)*负责(?:落实)?)$")
# A bare list of bodies closing an item: '(省委宣传部、省法制办)'
_BARE_LIST = re.compile(r"[(（]([^()（）:：]{2,160})[)）]\s*[。;；]?\s*$")


def _verb_roles(body: str, aliases: dict[str, str] | None, out: dict[str, list[str]]) -> bool:
    """Add units of '(A、B牵头,C配合)'; False (nothing added) unless every segment names units."""
    found: dict[str, list[str]] = {"lead": [], "support": [], "responsible": []}
    segments = [s for s in re.split(r"[,，;；]", body.rstrip("。 ")) if s.strip()]
    if not any(_VERB_SEGMENT.match(seg.strip()) for seg in segments):
        return False
    for seg in segments:
        m = _VERB_SEGMENT.match(seg.strip())
        if not m or len(m.group("names")) > 60 or re.search(r"[。:：]", m.group("names")):
            return False
        verb = m.group("verb")
        key = "lead" if verb == "牵头" else "support" if (verb in ("配合", "参与", "参加", "协助")) else \
            "responsible"
        found[key] += split_units(m.group("names"), aliases)
    for key, units in found.items():
        out[key] += [u for u in units if u not in out[key]]
    return any(found.values())


def units_in(text: str, aliases: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Every responsible unit a measure's text names, in any of the forms plans use.

    Forms: a bracketed labelled list (牵头单位:…;参加单位:…), a list cut off by the end of the
    page, a label line after the item (责任单位:…), roles written after the names
    ((A、B牵头,C参加,D按职责分工负责): 牵头 leads, 参加/配合 supports, 负责 is responsible), and a
    bare list of bodies closing the item ((省委宣传部、省法制办): responsible).

    Parameters
    ----------
    text
        Clean simplified text of one measure.
    aliases
        Variant unit name -> canonical name (e.g. ``市法制办`` -> ``市司法局``); None for none.

    Returns
    -------
    dict with keys ``lead``, ``support``, ``responsible`` (lists of unit names).
    """
    out: dict[str, list[str]] = {"lead": [], "support": [], "responsible": []}
    for listing in RESPONSIBILITY_LIST.finditer(text):
        _roles_in(listing.group(0).strip()[1:-1], aliases, out)
    cut = _OPEN_LIST.search(text)
    if cut:
        body = cut.group(0)[1:]
        body = body[: max(body.rfind("、"), body.rfind(","), body.rfind("，"))]  # the last name may be cut
        _roles_in(body, aliases, out)
    for line in _ROLE_LINE.finditer(text):
        _roles_in(line.group(1), aliases, out)
    for m in _VERB_ROLES.finditer(text):
        if not _ROLE_SPLIT.search(m.group(1)):
            _verb_roles(m.group(1), aliases, out)
    bare = _BARE_LIST.search(text)
    if bare and not any(out.values()):
        names = split_units(bare.group(1), aliases)
        if names and all(ORG_END.search(n) and len(n) <= 24 for n in names):
            out["responsible"] += names
    return out


# --------------------------------------------------------------------------- deadlines

_NUM = r"[\d一二两三四五六七八九十]+"
_DEADLINE = re.compile(
    r"(?P<text>(?:到|至|在|于)?(?P<year>(?:19|20)\d{2})\s*年"
    r"(?:(?P<month>\d{1,2})\s*月)?(?P<when>年?底前?|年?末前?|上半年|下半年|前|内|以前)?)"
    r"|(?P<rel>(?P<n>" + _NUM + r")\s*年内)"
)


def extract_deadlines(text: str, base_year: int | None = None) -> list[dict]:
    """Deadlines such as 到2025年, 2022年底前, 2023年6月底前, 三年内.

    Only years introduced as a target (到/至 …年, …年底前, …年前) count; a bare date in a
    citation does not. ``三年内`` resolves against ``base_year`` (the plan's first year).

    Parameters
    ----------
    text
        Clean simplified text, e.g. one measure's.
    base_year
        The plan's first year (e.g. 2021), from which 三年内 counts; None leaves the year of
        such relative deadlines None.

    Returns
    -------
    list of dict: ``text``, ``year`` (int or None), ``date`` (ISO end date or None),
    ``relative_years`` (int or None).
    """
    out = []
    for m in _DEADLINE.finditer(text):
        if m.group("rel"):
            n = cn_to_int(m.group("n"))
            if not n or n > 20:
                continue
            year = base_year + n if base_year else None
            out.append({"text": m.group("rel"), "year": year,
                        "date": f"{year}-12-31" if year else None, "relative_years": n})
            continue
        s = m.group("text")
        introduced = s[0] in "到至" or m.group("when") not in (None, "内")
        if not introduced:
            continue
        # a year inside a period or document number (2021—2025年, 〔2022〕) is not a deadline
        if text[max(0, m.start() - 1):m.start()] in ("—", "-", "〔", "[", "～", "~"):
            continue
        year, month = int(m.group("year")), m.group("month")
        when = m.group("when") or ""
        if month:
            date = f"{year}-{int(month):02d}-{28 if int(month) == 2 else 30 if int(month) in (4, 6, 9, 11) else 31}"
        elif "上半年" in when:
            date = f"{year}-06-30"
        elif when in ("前", "以前"):
            date = f"{year - 1}-12-31"
        else:
            date = f"{year}-12-31"
        out.append({"text": s, "year": year, "date": date, "relative_years": None})
    return out


# --------------------------------------------------------------------------- targets

_CMP_BEFORE = {"不少于": ">=", "不低于": ">=", "至少": ">=", "不超过": "<=", "不高于": "<=", "低于": "<",
               "超过": ">", "达到": ">=", "达": ">=", "高于": ">", "少于": "<"}
_UNITS = "学时|课时|小时|次|人|名|个|家|项|件|天|日|期|场|轮|万元|亿元|元|所|批|篇|门|类|%"
_TARGET = re.compile(
    rf"(?P<per>每(?:年|季度|半年|月|人每年|人))?(?P<cmp>不少于|不低于|至少|不超过|不高于|低于|超过|达到|达|高于|少于)?"
    rf"(?P<num>\d+(?:\.\d+)?|[一二两三四五六七八九十百]+)\s*(?P<unit>{_UNITS})(?P<suffix>以上|以下|以内|左右)?"
)


def extract_targets(text: str) -> list[dict]:
    """Quantitative targets: 100%, 不少于60学时, 3人以上, 85%以上, 每年至少2次.

    Parameters
    ----------
    text
        Clean simplified text, e.g. one measure's.

    Returns
    -------
    list of dict: ``text``, ``value`` (float), ``unit``, ``comparator`` (=, >=, <=, >, <),
    ``per`` (e.g. '每年' or '').
    """
    out = []
    for m in _TARGET.finditer(text):
        num = m.group("num")
        value = float(num) if num[0].isdigit() else cn_to_int(num)
        if value is None:
            continue
        unit = m.group("unit")
        # Chinese-numeral hits need a comparator or 'per' to be a target (一次, 两个 are prose)
        if not num[0].isdigit() and not (m.group("cmp") or m.group("per") or m.group("suffix")):
            continue
        if unit in ("日", "年") and not m.group("cmp"):
            continue  # dates, not targets
        prev = text[max(0, m.start() - 1):m.start()]
        if prev and (prev.isdigit() or prev in ".〔["):  # "" is in every string: check it is there
            continue
        cmp = _CMP_BEFORE.get(m.group("cmp") or "", "=")
        suffix = m.group("suffix") or ""
        if suffix == "以上":
            cmp = ">="
        elif suffix in ("以下", "以内"):
            cmp = "<="
        out.append({"text": m.group(0), "value": float(value), "unit": unit, "comparator": cmp,
                    "per": m.group("per") or ""})
    return out


# --------------------------------------------------------------------------- citations

_TITLE = re.compile(r"《([^《》]{2,80})》")
DOCNO = re.compile(
    r"(?P<org>[\u4e00-\u9fff]{1,10}?[发办函字令规])\s*[〔\[［(（【﹝]\s*(?P<year>(?:19|20)\d{2})\s*[〕\]］)）】﹞]"
    r"\s*(?P<no>\d{1,4})\s*号"
)


def repair_unclosed_titles(text: str) -> str:
    """Close a 《 that the next 《 shows was left open: 《A、《B》 -> 《A》、《B》 (same length).

    Parameters
    ----------
    text
        Text that cites 《…》 titles, e.g. a preamble.
    """
    return re.sub(r"《([^《》]{2,80}?)[、和及与]《", lambda m: f"《{m.group(1)}》《", text)


_JOINERS = re.compile(r"^(?:根据|依据|按照|和|与|及|或|并|的|见|印发)+")


def normalize_docno(m: re.Match) -> str:
    """'鞍委发[2017]10号' -> '鞍委发〔2017〕10号' (leading joiners such as 和 dropped).

    Parameters
    ----------
    m
        A match of :data:`DOCNO` (groups ``org``, ``year`` and ``no``).
    """
    org = _JOINERS.sub("", m.group("org"))
    return f"{org}〔{m.group('year')}〕{int(m.group('no'))}号"


def extract_citations(text: str) -> list[dict]:
    """Cited documents: 《…》 titles and 文号 such as 中法委发〔2022〕5号 or 鞍委发[2017]10号.

    Parameters
    ----------
    text
        Clean simplified text: one measure or a whole plan.

    Returns
    -------
    list of dict: ``kind`` ('title' or 'docno'), ``text`` as printed, ``normalized`` (titles
    without inner 〈〉, 文号 with 〔〕 brackets).
    """
    out, seen = [], set()
    text = repair_unclosed_titles(text)
    for m in _TITLE.finditer(text):
        norm = re.sub(r"[〈〉<>]", "", m.group(1)).strip()
        if norm not in seen:
            seen.add(norm)
            out.append({"kind": "title", "text": m.group(0), "normalized": norm})
    for m in DOCNO.finditer(text):
        norm = normalize_docno(m)
        if norm not in seen:
            seen.add(norm)
            out.append({"kind": "docno", "text": m.group(0), "normalized": norm})
    return out


_IMPLEMENTS = re.compile(r"(贯彻|落实|根据|依据|按照|实施)[^。;；]{0,60}?《")


def extract_implements(preamble: str) -> list[str]:
    """Upstream documents the opening paragraph says the plan implements (为贯彻落实《…》, 根据《…》).

    Parameters
    ----------
    preamble
        One opening paragraph of the plan (clean simplified text), e.g.
        ``为贯彻落实《法治政府建设实施纲要(2021—2025年)》,结合我市实际…``.

    Returns
    -------
    list of str: normalised titles, each followed by its 文号 in parentheses when printed.
    """
    preamble = repair_unclosed_titles(preamble)
    # the cue (贯彻, 根据…) must stand outside the titles: 《…实施纲要》《…》 cites, it does not implement
    masked = re.sub(r"《[^《》]*》", lambda t: "《" + "_" * (len(t.group(0)) - 2) + "》", preamble)
    m = _IMPLEMENTS.search(masked)
    if not m:
        return []
    scope = preamble[m.start():]
    stop = re.search(r"(结合|制定本|特制定|现提出|提出如下)", scope)
    scope = scope[: stop.start()] if stop else scope
    out = []
    for t in _TITLE.finditer(scope):
        title = re.sub(r"[〈〉<>]", "", t.group(1)).strip()
        after = scope[t.end(): t.end() + 24]
        no = DOCNO.match(after.lstrip("(（ "))
        out.append(f"{title}({normalize_docno(no)})" if no else title)
    return out
