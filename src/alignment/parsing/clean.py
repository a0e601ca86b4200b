"""Clean stage: decoded raw text -> paragraphs of clean text, each step a pure function.

Order matters: page/web furniture goes first (line based), then the byte-shifted GBK garble is
repaired (it needs the injected pinyin as a clue), then pinyin readings are removed, page wraps
joined, widths normalised, and finally traditional characters converted to simplified
(OpenCC ``t2s``) character for character, so that the original text and the converted one share
offsets. :func:`clean_text` runs them all and reports what each did.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache

from .chartables import common_share, gb_bytes, t2s_converter

__all__ = ["DATE_LINE", "LOOSE_DOCNO", "LOST", "ORG_END", "PLAN_GENRES", "PLAN_WORD", "CleanText", "GarbleSpan", "classify_boilerplate", "clean_text", "content", "join_page_wraps", "normalize_width", "repair_gbk_garble", "stands_alone", "starts_with_marker", "strip_chunk_markers", "strip_pinyin", "to_simplified"]

# --------------------------------------------------------------------------- boilerplate

_BOILERPLATE_RULES: tuple[tuple[str, re.Pattern], ...] = (
    ("continuation marker", re.compile(r"^[(（]\s*[上下]\s*[接转轉]\s*第?\s*[\d一二三四五六七八九十]+\s*版\s*[)）]$")),
    ("newspaper byline", re.compile(r"^\S{2,10}(日报|日報|晚报|晚報|时报|時報)\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")),
    ("page header", re.compile(r"^第\s*[\d一二三四五六七八九十]+\s*版")),
    ("breadcrumb", re.compile(r"^(您(现在|当前)?所在的?位置|您?当前(的)?位置|您的位置|所在位置|(网站)?首页\s*[>＞›»])|"
                              r"^[^。，,]{0,30}([>＞›»][^。，,>＞›»]{1,12}){2,}$")),
    ("publication meta", re.compile(r"(发布时间|發布時間|发布日期|阅读次数|閱讀次數|浏览次数|点击数|访问量|上稿单位|信息员|责任编辑|文章来源|来源[:：])")),
    ("print/font widget", re.compile(r"(【\s*字号|字号[:：]?\s*[【\[]?\s*[大中小]|字体\s*[:：]?\s*[(（\[【]\s*[大中小 ]*[)）\]】]|"
                                     r"【\s*打印|打印本页|打印文章|关闭窗口|【\s*关闭|分享到|无障碍|长者助手)")),
    ("site byline", re.compile(r"(www\.|https?://)\S+.{0,40}$")),
    ("content-farm advert", re.compile(r"(本站为你精心整理|由会员分享|可在线阅读|下载后查看|此处隐藏\d+字|"
                                       r"希望能为你的创作提供|范文网|文库)")),
    ("comment widget", re.compile(r"^[-·•\s]*(全部留言|我要留言|网友评论|发表评论|评论|有用\s*\(\s*\d*\s*\)|相关链接|上一篇|下一篇|扫一扫)")),
    ("attachment line", re.compile(r"^附件\s*\d*\s*[:：]")),
    ("page number", re.compile(r"^[-—–\s]*\d{1,3}[-—–\s]*$")),
)
_PUNCT_ONLY = re.compile(r"^[\s\W_]*$")
_HANZI = re.compile(r"[\u4e00-\u9fff]")
_NON_CONTENT = re.compile(r"[^\u4e00-\u9fff0-9A-Za-z%]")


def content(text: str) -> str:
    """Only CJK characters, digits, letters and %: the form in which texts are compared
    (gold quotes, verbatim reuse), so punctuation and width never matter.

    Parameters
    ----------
    text
        Text to reduce, e.g. ``“十四五”规划（2021年）`` -> ``十四五规划2021年``.
    """
    return _NON_CONTENT.sub("", text)


def classify_boilerplate(line: str) -> str | None:
    """Name of the furniture rule ``line`` matches, or None for real content.

    Parameters
    ----------
    line
        One raw line of a decoded file, e.g. ``第3版`` or ``打印本页``.
    """
    s = line.strip()
    if not s:
        return None
    if _PUNCT_ONLY.match(s):
        return "punctuation only"
    parts = [p for p in re.split(r"\s*[|｜]\s*", s) if p]
    if len(parts) >= 3 and all(len(p) <= 10 for p in parts):
        return "navigation bar"
    for reason, pattern in _BOILERPLATE_RULES:
        if pattern.search(s) and (len(s) <= 120 or reason == "continuation marker"):
            return reason
    return None


# --------------------------------------------------------------------------- GBK garble

_TONE = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹ"
_PINYIN_BODY = rf"[a-zü{_TONE}]*[{_TONE}][a-zü{_TONE}]*"
_PINYIN_ANNOTATION = re.compile(rf"(?<=[^\x00-\x7f])\(({_PINYIN_BODY})\)")
_ORPHAN_PINYIN = re.compile(rf"^({_PINYIN_BODY})\)")
_GARBLE_SEED = re.compile(r"[?\ufffd]")
LOST = "\ufffd"  # stands for a character the repair could not recover


@dataclass
class GarbleSpan:
    """One damaged stretch: what was there, what replaced it, and how much was recovered."""

    start: int
    raw: str
    repaired: str
    status: str  # repaired / partial / left
    note: str = ""


@cache
def _reading(char: str) -> frozenset[str]:
    from pypinyin import Style, pinyin

    return frozenset(pinyin(char, style=Style.TONE, heteronym=True)[0])


@lru_cache(maxsize=256)
def _chars_with_lead(lead: int) -> tuple[str, ...]:
    out = []
    for trail in [*range(0x40, 0x7F), *range(0x80, 0xFF)]:
        try:
            out.append(bytes([lead, trail]).decode("gbk"))
        except UnicodeDecodeError:
            pass
    return tuple(out)


@lru_cache(maxsize=4096)
def _guess_lost_char(lead: int | None, reading: str) -> str | None:
    """The one GBK character with this lead byte (if known) and pinyin reading, else None."""
    if lead is None:
        return None
    hits = [c for c in _chars_with_lead(lead) if reading in _reading(c)]
    if len(hits) > 1:  # prefer the one common character among rare homophones
        hits = [c for c in hits if common_share(c) == 1.0]
    return hits[0] if len(hits) == 1 else None


def _shifted_decode(run: str, end: str | None) -> tuple[str, int | None] | None:
    """Re-encode ``run`` (+ ``end``, a single resync byte) and decode it one byte later.

    ASCII inside the run is read as its full-width form (a later width normalisation folded
    them). Returns (decoded text, dangling lead byte or None), or None if it does not decode.
    """
    data = b"".join(gb_bytes(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c) for c in run)
    if end is not None:
        data += end.encode("ascii")
    body = data[1:]
    for dangling in (False, True):
        chunk, lead = (body[:-1], body[-1]) if dangling else (body, None)
        try:
            return chunk.decode("gb18030"), lead
        except UnicodeDecodeError:
            continue
    return None


def _best_repair(text: str, i: int) -> tuple[int, str, str, str] | None:
    """Best reading of the garble that starts after the seed at ``text[i]``.

    Returns (end index, replacement, status, note) or None when nothing decodes plausibly.
    """
    line_end = text.find("\n", i)
    line_end = len(text) if line_end < 0 else line_end
    window_end = min(line_end, i + 48)
    best = None
    for k in range(i + 1, window_end + 1):
        c = text[k] if k < window_end else None
        if c is not None and ord(c) >= 0x80:
            continue
        if c is not None and c.isspace():
            break
        if c == "?" and k > i + 1 and (len(text[i + 1 : k]) < 2 or common_share(text[i + 1 : k]) > 0.7):
            break  # a second loss marker right after clean text ends the search
        run = text[i + 1 : k]
        if len(run) < 2 or common_share(run) > 0.7:
            continue
        # the run stops at a single-byte trail (0x40-0x7e), at a '?' (a lost byte pair) or at
        # the end of the window; ASCII before k is read as full-width.
        if c is not None and "@" <= c <= "~":
            options = [(run, c, k + 1)]
        else:
            options = [(run, None, k)]
        for r, end_char, stop in options:
            got = _shifted_decode(r, end_char)
            if got is None:
                continue
            decoded, lead = got
            stripped = decoded.replace("\u3000", "")
            if len(stripped) < 2 or common_share(stripped) < 0.85:
                continue
            uncommon = len(stripped) - round(common_share(stripped) * len(stripped))
            score = len(stripped) - 4 * uncommon
            if best is None or score > best[0]:
                best = (score, stop, decoded, lead)
        if c == "?":
            break  # '?' marks a lost byte pair: the garble cannot run past it
    if best is None:
        return None
    _, stop, decoded, lead = best
    # the seed plus the first re-encoded byte are a character whose lead byte was lost; at the
    # start of a line that is indentation (full-width space), otherwise a lost character.
    at_line_start = not text[text.rfind("\n", 0, i) + 1 : i].strip()
    prefix = "" if at_line_start else LOST
    status, note = ("repaired", "") if at_line_start else ("partial", "first character lost")
    replacement = prefix + decoded.replace("\u3000", "")
    if lead is not None and stop < len(text) and text[stop] == "?":
        orphan = _ORPHAN_PINYIN.match(text[stop + 1 :])
        if orphan:
            guess = _guess_lost_char(lead, orphan.group(1))
            stop = stop + 1 + orphan.end()
            if guess:
                replacement += guess
                note = (note + "; " if note else "") + f"last character inferred from reading {orphan.group(1)}"
            else:
                replacement += LOST
                status, note = "partial", (note + "; " if note else "") + "last character lost"
        else:
            stop += 1
            replacement += LOST
            status, note = "partial", (note + "; " if note else "") + "last character lost"
    return stop, replacement, status, note


def repair_gbk_garble(text: str) -> tuple[str, list[GarbleSpan]]:
    """Repair text that a decoder read one byte off (GBK bytes shifted by one).

    The garble looks like ``?。ǘ┲饕繕?biāo)`` for ``（二）主要目標(biāo)``: a lost byte (``?``), then
    characters made of the second byte of one character and the first of the next. Re-encoding
    the run with GB18030 and decoding it one byte later recovers the text; a run that does not
    decode to plausible Chinese is kept and flagged, never dropped.

    Parameters
    ----------
    text
        Decoded text, usually one raw line; a garble run never crosses a newline.

    Returns
    -------
    (text, spans)
        Repaired text (unrecoverable characters as U+FFFD) and one :class:`GarbleSpan` per
        damaged stretch found.
    """
    out: list[str] = []
    spans: list[GarbleSpan] = []
    pos = 0
    for m in _GARBLE_SEED.finditer(text):
        i = m.start()
        if i < pos:
            continue
        repair = _best_repair(text, i)
        if repair is not None:
            stop, replacement, status, note = repair
            out.append(text[pos:i])
            out.append(replacement)
            spans.append(GarbleSpan(i, text[i:stop], replacement, status, note))
            pos = stop
            continue
        orphan = _ORPHAN_PINYIN.match(text[i + 1 :])
        prev = text[i - 1] if i else ""
        if orphan or (prev and ord(prev) > 0x7F and i + 1 < len(text) and ord(text[i + 1]) > 0x7F
                      and unicodedata.category(text[i + 1]).startswith("L")):
            stop = i + 1 + (orphan.end() if orphan else 0)
            out.append(text[pos:i])
            out.append(LOST)
            note = f"lost character read as {orphan.group(1)}" if orphan else "lost character"
            spans.append(GarbleSpan(i, text[i:stop], LOST, "left", note))
            pos = stop
    out.append(text[pos:])
    return "".join(out), spans


def strip_pinyin(text: str) -> tuple[str, int]:
    """Remove injected pinyin readings (``關(guān)于`` -> ``關于``); real parentheses stay.

    A reading is a parenthesised lowercase syllable with a tone mark right after a non-ASCII
    character; ``(PPP)``, ``(2021)``, ``(试行)`` do not qualify.

    Parameters
    ----------
    text
        Decoded text, e.g. ``關(guān)于印发``.
    """
    return _PINYIN_ANNOTATION.subn("", text)


# --------------------------------------------------------------------------- width, script

_WIDTH_KEEP = set("〔〕【】《》“”‘’、。·…—")


def normalize_width(text: str) -> str:
    """Full-width digits, letters and ASCII punctuation -> half width; U+3000 -> space.

    Length-preserving (one character for one), so offsets survive. 〔〕 and other CJK-only
    punctuation are kept.

    Parameters
    ----------
    text
        Text with full-width forms, e.g. ``２０２５年ＡＢ`` -> ``2025年AB``.
    """
    return text.translate(_WIDTH_TABLE)


_WIDTH_TABLE = {o: o - 0xFEE0 for o in range(0xFF01, 0xFF5F) if chr(o) not in _WIDTH_KEEP} | {0x3000: 0x20}


def to_simplified(text: str) -> str:
    """Traditional -> simplified with OpenCC, guaranteed to keep the length (and so offsets).

    Phrase-level conversion is kept line by line where it preserves length; a line where it
    would not is converted character by character.

    Parameters
    ----------
    text
        Text in traditional or mixed script; it may hold several lines.
    """
    convert = t2s_converter()
    out = []
    for line in text.split("\n"):
        conv = convert(line)
        if len(conv) != len(line):
            conv = "".join(convert(c) if len(convert(c)) == 1 else c for c in line)
        out.append(conv)
    return "\n".join(out)


# --------------------------------------------------------------------------- page wraps

_TERMINAL = set("。；;！!？?：:」』”\"）)】]")
_HEADING_START = re.compile(
    r"^\s*([一二三四五六七八九十百]+[、.．]|[(（][一二三四五六七八九十百]+[)）]|\d+\s*[.．、](?!\d)"
    r"|[(（]\d+[)）]|[①-⑳]|第[一二三四五六七八九十百\d]+[章节条])"
)


_CN_HEADING = re.compile(r"^\s*([一二三四五六七八九十百]+[、.．]|[(（][一二三四五六七八九十百]+[)）]|第[一二三四五六七八九十百\d]+[章节])")


def starts_with_marker(text: str) -> bool:
    """True when ``text`` opens with a heading or item marker: 一、 (一) 1. (1) ① 第一章 第一节
    第一条.

    Parameters
    ----------
    text
        A paragraph of text, e.g. ``(三)加强队伍建设``.
    """
    return bool(_HEADING_START.match(text))


# Words that end a plan's title (its genre); a title may be followed by (2021—2025年)/(试行).
PLAN_GENRES = "方案|意见|要点|安排|规划|计划|纲要|办法|措施|举措|细则|清单|决定|规定|分工|分解|工作部署"
PLAN_WORD = re.compile(rf"({PLAN_GENRES})(\s*[(（][^()（）]{{1,16}}[)）])*$")
ORG_END = re.compile(r"(人民政府|政府|办公室|办公厅|委员会|党委|党组|领导小组|工作组|[\u4e00-\u9fff]委|局|厅|院|办|中心|署|部)$")
DATE_LINE = re.compile(r"^\s*(?:(?:19|20)\d{2}\s*(?:年?\s*\d{1,2}\s*月\s*\d{1,2}\s*日?|[-./]\d{1,2}[-./]\d{1,2}|\d{2,4})"
                       r"|年?\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*$")  # 2017年5月31日, 2017531, 年12月15日 (year lost)
LOOSE_DOCNO = re.compile(
    r"^\s*(?P<org>[\u4e00-\u9fff]{1,10}?[发办函字])\s*[〔\[［(（【﹝]?\s*(?P<year>(?:19|20)\d{2})\s*[〕\]］)）】﹞]?"
    r"\s*(?P<no>\d{1,4})\s*号?\s*$"
)
_FIELD_LINE = re.compile(r"^[\u4e00-\u9fff ]{2,8}\s*[:：|｜]")
# labels of a government page's information-disclosure table (信息公开), printed on lines of their own
_FIELD_LABEL = re.compile(r"^(索\s*引\s*号|主题分类|发布机[关构]|发文机关|成文日期|发布日期|标\s*题|有效性|统一编号|发文字号|"
                          r"文\s*号|公开方式|公开范围|公开时限|所属分类|效力状态|责任部门|生成日期|文件编号|主\s*题\s*词)\s*$")


def stands_alone(line: str, closing: bool = True) -> bool:
    """A header line of a document that is never part of a wrapped sentence: an issuing body, a
    date, a 文号, a metadata field (发文机关:…) and, when ``closing``, a title complete in itself
    (…实施方案, …的通知), which ends a wrapped title but does not run into the next line.

    Parameters
    ----------
    line
        One paragraph of the document's head, e.g. ``2017年5月31日`` or ``鞍委发〔2017〕10号``.
    closing
        Also count a complete title (…实施方案, …的通知): True (default) for a paragraph
        that the next one might continue, False for one that might continue the previous.
    """
    if len(line.strip()) > 70:
        return False
    s = to_simplified(line.strip())  # 領導小組 is an issuing body too
    return bool((closing and (PLAN_WORD.search(s) or s.endswith("通知"))) or DATE_LINE.match(s)
                or LOOSE_DOCNO.match(s) or _FIELD_LINE.match(s) or _FIELD_LABEL.match(s)
                or (len(s) <= 30 and ORG_END.search(s)))


def join_page_wraps(paragraphs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Join paragraphs that a page or column break cut mid-sentence (``可\\n\\n操作性``).

    Paragraph A is continued by B when A does not end a sentence, B does not open with a
    heading marker, A is neither the first paragraph (the title) nor a short heading, and
    neither is a header line that stands alone (:func:`stands_alone`: a title, issuer, date or
    文号 of a notice that wraps the plan).

    Parameters
    ----------
    paragraphs
        (raw line number, text) per paragraph in reading order; the first is
        taken to be the title.
    """
    out: list[tuple[int, str]] = []
    for line_no, text in paragraphs:
        if out:
            prev_line, prev = out[-1]
            # headings use Chinese-numeral markers (一、 (一) 第一章); a numbered item (1.) can be cut
            short_heading = bool(_CN_HEADING.match(prev)) and len(prev) <= 40
            if (len(out) > 1 and prev.rstrip()[-1:] not in _TERMINAL and not short_heading
                    and not starts_with_marker(text) and not stands_alone(prev)
                    and not stands_alone(text, closing=False)):
                out[-1] = (prev_line, prev.rstrip() + text.strip())
                continue
        out.append((line_no, text))
    return out


# --------------------------------------------------------------------------- all steps


@dataclass
class CleanText:
    """Cleaned plan text: paragraphs joined by newlines, original and simplified aligned."""

    text: str
    text_original: str
    paragraph_lines: list[tuple[int, int, int]]  # (raw line number, start, end) per paragraph
    boilerplate: list[tuple[int, str, str]] = field(default_factory=list)  # (line, text, reason)
    garble: list[GarbleSpan] = field(default_factory=list)
    pinyin_removed: int = 0
    traditional_share: float = 0.0

    def garble_counts(self) -> dict[str, int]:
        c = {"found": len(self.garble), "repaired": 0, "partial": 0, "left": 0}
        for span in self.garble:
            c[span.status] += 1
        return c


def clean_text(raw: str) -> CleanText:
    """Run every cleaning step on one decoded file.

    Parameters
    ----------
    raw
        The whole decoded text of one file (:attr:`alignment.parsing.ingest.RawText.text`);
        any line endings.

    Returns
    -------
    CleanText
        ``text`` (simplified) and ``text_original`` have equal length; ``paragraph_lines`` maps
        each paragraph to its first raw line; the report fields say what was removed/repaired.
    """
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    kept: list[tuple[int, str]] = []
    boilerplate: list[tuple[int, str, str]] = []
    garble: list[GarbleSpan] = []
    pinyin_removed = 0
    for line_no, line in enumerate(raw.split("\n"), start=1):
        reason = classify_boilerplate(line)
        if reason:
            boilerplate.append((line_no, line.strip(), reason))
            continue
        if not line.strip():
            continue
        repaired, spans = repair_gbk_garble(line)
        garble.extend(spans)
        repaired, n = strip_pinyin(repaired)
        pinyin_removed += n
        text = re.sub(r"[ \t\u3000\xa0]+", " ", repaired).strip()
        if text:
            kept.extend(_split_inline_furniture(line_no, text, boilerplate))
    kept = strip_chunk_markers(kept, boilerplate)
    paragraphs = join_page_wraps(kept)
    original = normalize_width("\n".join(p for _, p in paragraphs))
    simplified = to_simplified(original)
    lines, pos = [], 0
    for (line_no, _), para in zip(paragraphs, original.split("\n")):
        lines.append((line_no, pos, pos + len(para)))
        pos += len(para) + 1
    changed = sum(map(str.__ne__, original, simplified))
    cjk = len(_HANZI.findall(original)) or 1
    return CleanText(simplified, original, lines, boilerplate, garble, pinyin_removed, changed / cjk)


_CHUNK_MARKER = re.compile(r"^(\d{1,3})[、.]\s*")


def strip_chunk_markers(lines: list[tuple[int, str]], boilerplate: list) -> list[tuple[int, str]]:
    """Remove the page numbers a document-sharing site puts before each chunk of a text.

    Such pages (文库, 原创力…) cut a document into chunks numbered ``1、 2、 3、`` at line starts,
    each later chunk going on mid-sentence. They are told from real items by that: two or
    more lines numbered in sequence, every one after the first continuing a long line (a page
    of text, not a label line) that had not ended its sentence. The markers go to ``boilerplate`` and each chunk is joined to the one
    before it.

    Parameters
    ----------
    lines
        (raw line number, text) per kept line, in reading order.
    boilerplate
        List of (line, text, reason) that removed markers are appended to (changed in place).
    """
    marked = [(i, int(m.group(1)), m) for i, (_, t) in enumerate(lines) if (m := _CHUNK_MARKER.match(t))]
    if len(marked) < 2:
        return lines
    run = [marked[0]]
    for item in marked[1:]:
        if item[1] == run[-1][1] + 1:
            run.append(item)
    if len(run) < 2 or any(lines[i - 1][1].rstrip()[-1:] in _TERMINAL or len(lines[i - 1][1]) < 100
                           for i, _, _ in run[1:]) \
            or any(starts_with_marker(lines[i][1][m.end():]) for i, _, m in run[1:]):
        return lines
    out: list[tuple[int, str]] = []
    continued = {i: m for i, _, m in run}
    for i, (line_no, text) in enumerate(lines):
        m = continued.get(i)
        if m is None:
            out.append((line_no, text))
            continue
        boilerplate.append((line_no, m.group(0).strip(), "page-chunk marker of a document-sharing site"))
        if i == run[0][0] or not out:
            out.append((line_no, text[m.end():]))
        else:  # the chunk goes on with the sentence the previous chunk left open
            out[-1] = (out[-1][0], out[-1][1] + text[m.end():])
    return out


_INLINE_FURNITURE = re.compile(r"^[-·•]\s*(有用\s*\(\s*\d*\s*\)|评论|全部留言)\s*")


def _split_inline_furniture(line_no: int, text: str, boilerplate: list) -> list[tuple[int, str]]:
    """Peel a widget label glued to the front of a content line (``- 有用()  53.…``)."""
    m = _INLINE_FURNITURE.match(text)
    if m and m.end() < len(text):
        boilerplate.append((line_no, m.group(0).strip(), "comment widget"))
        return [(line_no, text[m.end():].strip())]
    return [(line_no, text)]
