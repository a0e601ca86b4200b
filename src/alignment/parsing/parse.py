"""Parse stage: clean paragraphs -> heading hierarchy and measures (the measures table rows).

Takes a :class:`~alignment.clean.CleanText` and gives one dict per unit (schema
:data:`alignment.schemas.MEASURES`). A measure is the smallest numbered item; a numbered item
that bundles several tasks, each closed by its own responsibility list (牵头单位/责任单位…),
becomes one measure per task. Unnumbered paragraphs are kept as ``preamble``, ``goal`` (under
总体要求-type sections), ``paragraph`` or ``closing`` units. Headings whose marker is lost are
recovered from sequence, and a part that starts mid-plan (a newspaper continuation) gets the
parent headings its later headings imply.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import extract
from .clean import CleanText, content
from .meta import LEVEL_EVIDENCE_CHARS, PERIOD, implemented_documents, infer_level_from_text, infer_meta

__all__ = ["CN", "Marker", "ParseResult", "ParsedPlan", "StructureError", "document_meta", "infer_level", "lead_paragraphs", "match_marker", "parse_corpus", "parse_plan", "parse_structure", "parse_summary", "skipped_document", "title_lines", "unassigned_spans"]

if TYPE_CHECKING:
    import pandas as pd

CN = "一二三四五六七八九十百"
_MARKERS: tuple[tuple[float, str, re.Pattern], ...] = (
    (0.0, "chapter", re.compile(rf"^第([{CN}\d]+)章\s*")),
    (0.5, "section", re.compile(rf"^第([{CN}\d]+)节\s*")),
    (1.0, "cn", re.compile(rf"^([{CN}]+)\s*[、.．]\s*")),
    (2.0, "cn_paren", re.compile(rf"^[(（]\s*([{CN}]+)\s*[)）]\s*")),
    (3.0, "article", re.compile(rf"^第([{CN}\d]+)条\s*")),
    (3.0, "arabic", re.compile(r"^(\d{1,3})\s*[.．、](?!\d)\s*")),
    (4.0, "arabic_paren", re.compile(r"^[(（]\s*(\d{1,3})\s*[)）]\s*")),
    (5.0, "circled", re.compile(r"^([①-⑳])\s*")),
)
# Inline enumeration of tasks: 一是…，二是…
_ENUMERATION = re.compile(rf"^([{CN}]{{1,3}})是")
# Parts that assign no task: aims, principles, scope, the time of an activity, a preface.
_GOAL_TITLES = re.compile(r"(总体要求|指导思想|基本原则|工作原则|主要目标|总体目标|工作目标|发展目标|目标要求|"
                          r"总体思路|工作思路|前言|适用范围|对象和要求|工作对象|活动对象|活动时间|实施时间)")
# The general provisions of a 办法/规定 written in articles (第一条…): its purpose (为…制定本办法),
# scope (本办法适用于…) and principles (…必须坚持…) assign no task.
_GENERAL_PROVISION = re.compile(r"^(为[^。]{0,200}?(?:制定|特制定|现制定)本|本(?:实施)?(?:办法|规定|方案|意见|细则|条例)"
                                r"(?:适用于|所称)|[^。]{0,40}?(?:必须|应当)坚持)")
# A label line that belongs to the item above it: 责任单位:… / 牵头单位:… / 完成时限:…
_LABEL_LINE = re.compile(rf"^\s*(?:{extract.ROLE_WORDS}|完成时限|完成时间|时间要求|时限要求|办结时限)\s*[:：]")
_SENTENCE_END = re.compile(r"[。；;！!？?]")


@dataclass
class Marker:
    rank: float
    style: str
    value: int
    printed: str  # as printed, e.g. '(三)' or '12.'
    rest_offset: int  # where the text after the marker starts


def match_marker(text: str) -> Marker | None:
    """The numbering marker that opens ``text`` (一、 / (一) / 1. / (1) / ① / 第一章 / 第一条).

    Parameters
    ----------
    text
        A paragraph of clean text; only its start is looked at.
    """
    for rank, style, pattern in _MARKERS:
        m = pattern.match(text)
        if not m:
            continue
        raw = m.group(1)
        value = ord(raw) - 0x245F if style == "circled" else extract.cn_to_int(raw)
        if value is None or value == 0:
            continue
        if style == "arabic" and re.match(r"\d+\s*[.．]\s*\d", text):
            continue  # 2.5, a decimal, not a marker
        if style == "cn" and len(raw) > 3:
            continue
        return Marker(rank, style, value, text[: m.end()].strip(), m.end())
    return None


@dataclass
class Para:
    start: int
    end: int
    line: int
    marker: Marker | None
    role: str = ""  # title / heading / leaf / text
    flags: list[str] = field(default_factory=list)


_INLINE_MARKER = re.compile(
    rf"(?<![{CN}\d])(?:[{CN}]{{1,3}}、|[(（][{CN}]{{1,3}}[)）]|\d{{1,2}}[、.．](?!\d)|[(（]\d{{1,2}}[)）])"
)
_CLAUSE_END = "。；;:：!！?？)）"


def _split_run_on_items(text: str, start: int, end: int, line: int) -> list[Para]:
    """Split a paragraph where further items run on in the same line.

    Pages that lost their line breaks (``…。 40.…``, or whole 文库 texts such as
    ``2023年依法治镇工作一、认真贯彻…要点1、认真贯彻…。2、推动…``) hold items inline. An inline
    marker is a cut when it continues the numbering (the next number of its kind, or 1 under a
    new parent) and follows a clause end or a short heading run into it.
    """
    chunk = text[start:end]
    first = match_marker(chunk)
    last: dict[float, int] = {first.rank: first.value} if first else {}
    cuts, since = [], first.rest_offset if first else 0
    for m in _INLINE_MARKER.finditer(chunk):
        if m.start() == 0:
            continue
        mk = match_marker(chunk[m.start():])
        if mk is None:
            continue
        expected = last.get(mk.rank, 0) + 1
        restarts = mk.value == 1 and any(r < mk.rank for r in last)
        before = chunk[since:m.start()]
        heading_run_in = len(before) <= 40 and not _SENTENCE_END.search(before)
        after_clause = chunk[:m.start()].rstrip()[-1:] in _CLAUSE_END
        if (mk.value == expected or restarts) and (after_clause or heading_run_in):
            cuts.append(m.start())
            last = {r: v for r, v in last.items() if r < mk.rank}
            last[mk.rank] = mk.value
            since = m.start() + mk.rest_offset
    # one cut after a clause end is the old '…。 40.' case; a run-in page needs several
    if not cuts or (len(cuts) == 1 and chunk[:cuts[0]].rstrip()[-1:] not in _CLAUSE_END):
        return [Para(start, end, line, first)]
    starts, ends = [0, *cuts], [len(chunk[:c].rstrip()) for c in cuts] + [len(chunk)]
    return [Para(start + a, start + b, line, match_marker(chunk[a:b])) for a, b in zip(starts, ends)
            if chunk[a:b].strip()]


def _paragraphs(clean: CleanText) -> list[Para]:
    paras: list[Para] = []
    for line, start, end in clean.paragraph_lines:
        paras.extend(_split_run_on_items(clean.text, start, end, line))
    return paras


def _title_like(text: str) -> bool:
    """Short and without an inner sentence end: a heading rather than an item with a body."""
    body = text.rstrip("。.:： ")
    return len(body) <= 40 and not _SENTENCE_END.search(body)


def _assign_roles(paras: list[Para], text: str) -> None:
    """Mark every paragraph as title, heading, leaf (a numbered item that holds text) or text."""
    # titles: short unnumbered lines before anything else
    i = 0
    while i < len(paras) and paras[i].marker is None and _title_like(text[paras[i].start:paras[i].end]) \
            and i < 3:
        paras[i].role = "title"
        i += 1
    leaf_rank = _leaf_rank(paras)
    for j, p in enumerate(paras):
        if p.role:
            continue
        body = text[p.start:p.end]
        nxt = next((q for q in paras[j + 1:] if q.marker), None)
        if p.marker is None:
            # a short line standing right before numbered items is a heading whose marker was
            # lost (garbled); its number is recovered from sequence later.
            following = paras[j + 1] if j + 1 < len(paras) else None
            if (j > 0 and _title_like(body) and not body.endswith("。") and not _LABEL_LINE.match(body)
                    and following is not None
                    and following.marker is not None and following.marker.rank >= leaf_rank
                    and paras[j - 1].role in ("leaf", "text", "heading")):
                p.role = "heading"
                p.flags.append("heading_inferred")
            else:
                p.role = "text"
            continue
        children = nxt is not None and nxt.marker.rank > p.marker.rank
        followed_by_text = j + 1 < len(paras) and paras[j + 1].marker is None
        if children or (_title_like(body[p.marker.rest_offset:]) and (followed_by_text or p.marker.rank < leaf_rank)):
            p.role = "heading"
        else:
            p.role = "leaf"
    _recover_first_item(paras, text)
    _absorb_bodies(paras, text)


def _recover_first_item(paras: list[Para], text: str) -> None:
    """An item 2 right after its heading, with a text paragraph between: that paragraph is
    item 1 whose number was lost (a scrape that dropped ``1.``)."""
    for j in range(2, len(paras)):
        p, prev, head = paras[j], paras[j - 1], paras[j - 2]
        if (p.role == "leaf" and p.marker.value == 2 and prev.role == "text" and head.role == "heading"
                and (head.marker is None or head.marker.rank < p.marker.rank)
                and _SENTENCE_END.search(text[prev.start:prev.end]) and not _LABEL_LINE.match(text[prev.start:prev.end])):
            style = p.marker.style
            prev.marker = Marker(p.marker.rank, style, 1, _print_marker(style, 1), 0)
            prev.role = "leaf"
            prev.flags.append("number_inferred")


def _absorb_bodies(paras: list[Para], text: str) -> None:
    """Give items the paragraphs that belong to them.

    A numbered heading with no numbered children but text below it is an item whose title
    stands on its own line (``(一)推进政府机构职能优化协同高效`` then the body): it becomes a
    leaf spanning its body. A leaf takes the label lines after it (``责任单位:…``).
    """
    for j, p in enumerate(paras):
        if p.role not in ("heading", "leaf") or p.marker is None:
            continue
        nxt = next((q for q in paras[j + 1:] if q.marker), None)
        if p.role == "heading" and (nxt is None or nxt.marker.rank <= p.marker.rank):
            body = [q for q in _following_text(paras, j)]
            if body:
                p.role = "leaf"
                p.flags.append("titled_item")
                for q in body:
                    q.role = "body"
                p.end = body[-1].end
                continue
        if p.role == "leaf":
            labels = []
            for q in _following_text(paras, j):
                if not _LABEL_LINE.match(text[q.start:q.end]):
                    break
                labels.append(q)
            for q in labels:
                q.role = "body"
            if labels:
                p.end = labels[-1].end


def _following_text(paras: list[Para], j: int) -> list[Para]:
    """The unnumbered text paragraphs right after paragraph ``j``."""
    out = []
    for q in paras[j + 1:]:
        if q.marker is not None or q.role != "text":
            break
        out.append(q)
    return out


def _leaf_rank(paras: list[Para]) -> float:
    """Rank of the most common numbering style: the level where measures sit."""
    counts: dict[float, int] = {}
    for p in paras:
        if p.marker:
            counts[p.marker.rank] = counts.get(p.marker.rank, 0) + 1
    if not counts:
        return 99.0
    return max(counts, key=lambda r: (counts[r], r))


@dataclass
class Heading:
    rank: float
    number: str  # printed marker, e.g. '(三)', or inferred '(三)'
    value: int
    title: str
    inferred: bool = False


_CN_NUMS = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]


def _cn(n: int) -> str:
    if n <= 10:
        return _CN_NUMS[n]
    tens, ones = divmod(n, 10)
    return (_CN_NUMS[tens] if tens > 1 else "") + "十" + _CN_NUMS[ones]


def _print_marker(style: str, value: int) -> str:
    return {"cn": f"{_cn(value)}、", "cn_paren": f"({_cn(value)})", "arabic": f"{value}.",
            "arabic_paren": f"({value})", "chapter": f"第{_cn(value)}章", "section": f"第{_cn(value)}节",
            "article": f"第{_cn(value)}条", "circled": chr(0x245F + value)}.get(style, str(value))


def _initial_stack(paras: list[Para]) -> list[Heading]:
    """Parents implied for a part that starts mid-plan (a newspaper continuation).

    If numbered items come before the first heading of rank <= r, and that heading is number
    n > 1, those items sit under an inferred heading n-1 of rank r.
    """
    stack: list[Heading] = []
    leaves = [i for i, p in enumerate(paras) if p.role == "leaf"]
    if not leaves:
        return stack
    ranks = sorted({p.marker.rank for p in paras if p.role == "heading" and p.marker})
    for r in ranks:
        first = next(i for i, p in enumerate(paras)
                     if p.role == "heading" and p.marker and p.marker.rank <= r)
        head = paras[first].marker
        # only deeper items need a parent: an item of rank r itself (一、 with its body) is a sibling
        children = [i for i in leaves if paras[i].marker.rank > r]
        if children and children[0] < first and head.rank == r and head.value > 1:
            v = head.value - 1
            stack.append(Heading(r, _print_marker(head.style, v), v, "", inferred=True))
    return stack


def _cut_before_first_sentence(rest: str, para: Para) -> bool:
    """The last item of a page cut off before its first sentence ends (``23.规``): a fragment.

    For an item whose title stands on its own line, the title is that sentence when it ends
    like one (``2.规范事中公示。``), otherwise the body's first sentence is.
    """
    if "titled_item" in para.flags and "\n" in rest:
        title, body = rest.split("\n", 1)
        return not _SENTENCE_END.search(title.rstrip()[-1:]) and not _SENTENCE_END.search(body.rstrip())
    return not _SENTENCE_END.search(rest.rstrip())


_ENUMERATOR = re.compile(rf"(?:^|(?<=[。；;:：!！]))\s*([{CN}]{{1,3}})是(?!否|不是|指)")


def _split_enumeration(body: str) -> list[tuple[int, int, str]]:
    """Cut prose that lists tasks as 一是…二是…三是… into (start, end, label) triples.

    Only a run that counts up from 一是 in order, two or more long, counts; text before 一是
    belongs to the first task. Returns [] when the paragraph lists nothing.
    """
    cuts, expected = [], 1
    for m in _ENUMERATOR.finditer(body):
        if extract.cn_to_int(m.group(1)) == expected:
            cuts.append((m.start(1), f"{m.group(1)}是"))
            expected += 1
    if len(cuts) < 2:
        return []
    out = []
    for k, (start, label) in enumerate(cuts):
        end = cuts[k + 1][0] if k + 1 < len(cuts) else len(body)
        out.append((0 if k == 0 else start, end, label))
    return out


def _split_tasks(body: str) -> list[tuple[int, int, str]]:
    """Cut an item into tasks, each closed by its own responsibility list.

    Returns (start, end, listing) triples relative to ``body``; one triple (no split) when the
    item has fewer than two lists.
    """
    lists = list(extract.RESPONSIBILITY_LIST.finditer(body))
    if len(lists) < 2:
        return [(0, len(body), lists[0].group(0) if lists else "")]
    tasks, start = [], 0
    for m in lists:
        tasks.append((start, m.end(), m.group(0)))
        start = m.end()
    tail = body[start:]
    if re.search(r"[\u4e00-\u9fff]{4}", tail):
        tasks.append((start, len(body), ""))
    else:  # trailing punctuation belongs to the last task
        s, _, listing = tasks[-1]
        tasks[-1] = (s, len(body), listing)
    return tasks


def parse_structure(clean: CleanText, doc_id: str, source_file: str, base_year: int | None = None,
                    unit_aliases: dict[str, str] | None = None) -> list[dict]:
    """Units (measures and unnumbered duty paragraphs) of one cleaned file.

    Parameters
    ----------
    clean
        The cleaned file (:func:`alignment.parsing.clean.clean_text`).
    doc_id, source_file
        The plan the file belongs to and the file's name, written into every row.
    base_year
        The plan's first year: relative deadlines (三年内) count from it.
    unit_aliases
        Variant unit name -> canonical name.

    Returns
    -------
    list of dict
        One per unit in reading order (``seq`` from 0), with every column of
        :data:`alignment.schemas.MEASURES`.
    """
    text = clean.text
    ctx = _FileContext(doc_id, source_file, clean, base_year, unit_aliases)
    paras = _paragraphs(clean)
    _assign_roles(paras, text)
    stack = _initial_stack(paras)
    last_leaf_idx = max((i for i, p in enumerate(paras) if p.role == "leaf"), default=-1)
    units: list[dict] = []
    seen_leaf = False
    text_counter: dict[str, int] = {}
    leaf_rank = _leaf_rank(paras)

    for i, p in enumerate(paras):
        body = text[p.start:p.end]
        if p.role in ("title", "body"):
            continue
        if p.role == "heading":
            if p.marker is None:  # recovered from sequence
                rank = max(leaf_rank - 1.0, 1.0)
                siblings = [h for h in stack if h.rank == rank]
                value = siblings[-1].value + 1 if siblings else 1
                style = {1.0: "cn", 2.0: "cn_paren", 3.0: "arabic"}.get(rank, "cn_paren")
                head = Heading(rank, _print_marker(style, value), value, body, inferred=True)
            else:
                head = Heading(p.marker.rank, p.marker.printed, p.marker.value,
                               body[p.marker.rest_offset:].strip().rstrip("。"))
            stack = [h for h in stack if h.rank < head.rank] + [head]
            continue
        path = " > ".join(f"{h.number}{h.title}" if h.title else f"{h.number}[inferred]" for h in stack)
        numbers = ".".join(re.sub(r"[、.．\s]", "", h.number) for h in stack)
        in_goal = any(_GOAL_TITLES.search(h.title) for h in stack)
        if p.role == "leaf":
            seen_leaf = True
            m = p.marker
            rest = body[m.rest_offset:]
            lead_title = re.split(r"[。\n]", rest, maxsplit=1)[0]
            kind = "goal" if in_goal or _GOAL_TITLES.search(lead_title[:12]) else "measure"
            if kind == "measure" and m.style == "article" and _GENERAL_PROVISION.match(rest):
                kind = "preamble" if rest.startswith("为") else "goal"
            if kind == "measure" and i == last_leaf_idx and _cut_before_first_sentence(rest, p):
                kind = "fragment"
            tasks = _split_tasks(rest) if kind == "measure" else [(0, len(rest), "")]
            for t_idx, (a, b, _listing) in enumerate(tasks, start=1):
                task_no = t_idx if len(tasks) > 1 else 0
                s = p.start + m.rest_offset + a
                e = p.start + m.rest_offset + b
                while s < e and text[s] in "。;；,， ":
                    s += 1
                number = re.sub(r"[、.．\s]", "", m.printed)
                base_id = f"{doc_id}:{numbers}/{number}" if numbers else f"{doc_id}:{number}"
                units.append(ctx.unit(base_id + (f"-t{task_no}" if task_no else ""), _Place(
                    path, numbers, m.printed, task_no, kind, lead_title if t_idx == 1 else "", s, e, p.flags)))
            continue
        # unnumbered text
        enumerated = _split_enumeration(body) if not in_goal else []
        if enumerated:  # 一是…二是…: a task list written as prose (news summaries, short plans)
            seen_leaf = True
            for t_idx, (a, b, label) in enumerate(enumerated, start=1):
                base_id = f"{doc_id}:{numbers}/{label}" if numbers else f"{doc_id}:{label}"
                units.append(ctx.unit(base_id, _Place(path, numbers, label, t_idx, "measure", "",
                                                      p.start + a, p.start + b, p.flags)))
            continue
        if not seen_leaf and not stack:
            kind = "preamble"
        elif in_goal:
            kind = "goal"
        elif i > last_leaf_idx >= 0:
            kind = "closing"
        else:
            kind = "paragraph"
        key = numbers or "top"
        text_counter[key] = text_counter.get(key, 0) + 1
        uid = f"{doc_id}:{numbers}/p{text_counter[key]}" if numbers else f"{doc_id}:p{text_counter[key]}"
        units.append(ctx.unit(uid, _Place(path, numbers, "", 0, kind, "", p.start, p.end, p.flags)))
    for k, u in enumerate(units):
        u["seq"] = k
    return units


@dataclass(frozen=True)
class _Place:
    """Where a unit sits: its headings, number, kind, title and character span."""

    path: str
    numbers: str
    number: str
    task_index: int
    kind: str
    title: str
    start: int
    end: int
    flags: list[str]


@dataclass
class _FileContext:
    """What every unit of one cleaned file shares, and the ids it has handed out."""

    doc_id: str
    source_file: str
    clean: CleanText
    base_year: int | None
    aliases: dict[str, str] | None
    seen_ids: dict[str, int] = field(default_factory=dict)

    def unit(self, uid: str, at: _Place) -> dict:
        """The measures-table row of the unit at ``at`` (fields extracted from its text)."""
        if uid in self.seen_ids:  # numbering slips (two items '12.') keep distinct, stable ids
            self.seen_ids[uid] += 1
            uid = f"{uid}~{self.seen_ids[uid]}"
        else:
            self.seen_ids[uid] = 1
        span = self.clean.text[at.start:at.end].strip()
        units = extract.units_in(span, self.aliases)
        flags = list(at.flags)
        if "\ufffd" in span:
            flags.append("garble_unrecovered")
        if at.kind == "measure" and not re.search(r"[。;；)）\]】]$", span):
            flags.append("truncated")
        return {
            "measure_id": uid, "doc_id": self.doc_id, "source_file": self.source_file, "seq": 0,
            "section_path": at.path, "section_numbers": at.numbers, "number": at.number,
            "task_index": at.task_index, "kind": at.kind, "title": at.title, "text": span,
            "text_original": self.clean.text_original[at.start:at.end].strip(), "char_start": at.start,
            "char_end": at.end, "lead_units": units["lead"], "support_units": units["support"],
            "responsible_units": units["responsible"],
            "deadlines": extract.extract_deadlines(span, self.base_year),
            "targets": extract.extract_targets(span),
            "citations": extract.extract_citations(span),
            "flags": flags,
        }


def title_lines(clean: CleanText) -> list[str]:
    """The title line(s) at the top of a cleaned file.

    Parameters
    ----------
    clean
        The cleaned file (:func:`alignment.parsing.clean.clean_text`).
    """
    paras = _paragraphs(clean)
    _assign_roles(paras, clean.text)
    return [clean.text[p.start:p.end] for p in paras if p.role == "title"]


def unassigned_spans(clean: CleanText, units: list[dict]) -> list[tuple[int, str]]:
    """Stretches of cleaned text that no unit, heading or title holds: (raw line, text).

    Parameters
    ----------
    clean
        The cleaned file (:func:`alignment.parsing.clean.clean_text`).
    units
        The unit rows :func:`parse_structure` made from ``clean``.
    """
    paras = _paragraphs(clean)
    _assign_roles(paras, clean.text)
    covered = [False] * len(clean.text)
    for p in paras:
        if p.role in ("title", "heading"):
            covered[p.start:p.end] = [True] * (p.end - p.start)
    for u in units:
        # the item's number marker sits just before its first unit
        covered[u["char_start"]:u["char_end"]] = [True] * (u["char_end"] - u["char_start"])
    for p in paras:
        if p.marker is not None and p.role == "leaf":
            covered[p.start:p.start + p.marker.rest_offset] = [True] * p.marker.rest_offset
    out = []
    for p in paras:
        chunk = "".join(c for c, cov in zip(clean.text[p.start:p.end], covered[p.start:p.end]) if not cov)
        if re.search(r"[\u4e00-\u9fffA-Za-z0-9]", chunk):
            out.append((p.line, chunk.strip()))
    return out


# --------------------------------------------------------------------------- plans and corpus


class StructureError(ValueError):
    """A file with no plan text at all (nothing a reader would call a plan)."""


def lead_paragraphs(clean: CleanText, limit: int = 40) -> list[str]:
    """Paragraphs before the first numbered item: titles, notices, news leads, the preamble.

    Parameters
    ----------
    clean
        The cleaned file (:func:`alignment.parsing.clean.clean_text`).
    limit
        How many paragraphs, at most, to look through.
    """
    out = []
    for p in _paragraphs(clean)[:limit]:
        body = clean.text[p.start:p.end]
        if p.marker is not None and p.marker.style == "article" and _GENERAL_PROVISION.match(body[p.marker.rest_offset:]):
            out.append(body[p.marker.rest_offset:])  # 第一条 为…制定本办法: the preamble of a 办法
            continue
        if p.marker is not None and p.marker.style in ("chapter", "section") and _title_like(body):
            continue  # 第一章 总则: the articles that follow may still be the preamble
        if p.marker is not None or _ENUMERATION.match(body):
            break
        out.append(body)
    return out


def document_meta(entry, lead: list[str], text: str, fields: list[str] = ()) -> dict:
    """Document-level fields: the manifest's where given, otherwise read from the text.

    Parameters
    ----------
    entry
        The plan (:class:`alignment.parsing.manifest.PlanEntry`); its title, issuer, region,
        level and period, where given, win over the text.
    lead
        Paragraphs before the first numbered item (:func:`lead_paragraphs`).
    text
        The whole clean text of the plan (all its files joined).
    fields
        Page metadata lines the cleaning set aside (文号: …, 发布日期: …).

    Returns
    -------
    dict with title, docno, issuer, level, region, period_start, period_end, implements,
    citations, and ``inferred``: one 'field: evidence' string per field read from the text.
    """
    found = infer_meta(lead, text, fields)
    inferred = []

    def pick(name: str, given: str, value):
        if given:
            return given
        if found.evidence.get(name):
            inferred.append(f"{name}: {found.evidence[name]}")
        return value

    title = pick("title", entry.title, found.title)
    docno = pick("docno", "", found.docno)
    issuer = pick("issuer", entry.issuer, found.issuer)
    region = pick("region", entry.region, found.region)
    level = entry.level or (found.level if found.level != "unknown" or not region
                            else infer_level(region, text))
    if not entry.level and found.evidence.get("level"):
        inferred.append(f"level: {found.evidence['level']}")
    if entry.period:
        m = PERIOD.search(entry.period) or re.search(r"((?:19|20)\d{2})()", entry.period)
        start = int(m.group(1)) if m else None
        end = int(m.group(2)) if m and m.group(2) else start
    else:
        start, end = pick("period", "", (found.period_start, found.period_end))
    implements = implemented_documents(lead, title)
    if implements:
        inferred.append("implements: the lead paragraphs and the title")
    own = {content(title), docno}
    citations: list[str] = []
    for c in extract.extract_citations(text):
        if c["normalized"] not in citations and content(c["normalized"]) not in own and c["normalized"] not in own:
            citations.append(c["normalized"])
    return {"title": title, "docno": docno, "issuer": issuer, "level": level, "region": region,
            "period_start": start, "period_end": end, "implements": implements,
            "citations": citations, "inferred": inferred}


def infer_level(region: str, text: str) -> str:
    """national / provincial / municipal / county / township from a region name's suffix.

    Parameters
    ----------
    region
        Region name, e.g. 四川省巴中市恩阳区; its suffix decides.
    text
        The plan's clean text, read when the region does not tell.
    """
    for level, pattern in _LEVEL_WORDS:
        if region and pattern.search(region):
            return level
    return infer_level_from_text(text[:LEVEL_EVIDENCE_CHARS])[0]


_LEVEL_WORDS = (("national", re.compile(r"^(中共中央|国务院|中央|全国|国家)")),
                ("township", re.compile(r"(乡|镇|街道|苏木)$")),
                ("provincial", re.compile(r"(省|自治区)$")),
                ("municipal", re.compile(r"(市|自治州|州|盟)$")),
                ("county", re.compile(r"(县|区|旗)$")))


@dataclass
class ParsedPlan:
    document: dict
    units: list[dict]
    residue: list[dict]
    cleaned: dict[str, CleanText]


def parse_plan(entry, aliases: dict[str, str] | None = None) -> ParsedPlan:
    """Ingest, clean and parse every file of one plan.

    Parameters
    ----------
    entry
        The plan (:class:`alignment.parsing.manifest.PlanEntry`); its ``files`` are
        read in order as parts of one text.
    aliases
        Variant unit name -> canonical name, or None.

    Raises
    ------
    IngestError
        A file cannot be read as text.
    StructureError
        The files hold no plan: no numbered item and fewer than 20 Chinese characters.
    """
    from .clean import clean_text
    from .ingest import read_raw

    cleaned, raws = {}, []
    for path in entry.files:
        raw = read_raw(path)
        raws.append(raw)
        cleaned[path.name] = clean_text(raw.text)
    whole = "\n".join(c.text for c in cleaned.values())
    hanzi = len(re.findall(r"[\u4e00-\u9fff]", whole))
    if hanzi < 20 and not any(match_marker(c.text[a:b]) for c in cleaned.values() for _, a, b in c.paragraph_lines):
        raise StructureError(f"{', '.join(p.name for p in entry.files)}: no numbered items (一、/(一)/1./第一条) "
                             f"and too little text to be a plan ({hanzi} Chinese characters)")
    # metadata first: the period resolves relative deadlines (三年内) in the units
    first = cleaned[entry.files[0].name]
    page_fields = [text for _, text, reason in first.boilerplate if reason == "publication meta"]
    meta = document_meta(entry, lead_paragraphs(first), whole, page_fields)
    units, residue, flags = [], [], []
    for path, raw in zip(entry.files, raws):
        clean = cleaned[path.name]
        file_units = parse_structure(clean, entry.doc_id, path.name, meta["period_start"], aliases)
        for unit in file_units:  # reading order runs on through the plan's parts
            unit["seq"] += len(units)
        units += file_units
        residue += [{"doc_id": entry.doc_id, "source_file": path.name, "kind": "boilerplate",
                     "reason": reason, "line": line, "text": text} for line, text, reason in clean.boilerplate]
        residue += [{"doc_id": entry.doc_id, "source_file": path.name, "kind": "unassigned",
                     "reason": "not part of any heading or unit", "line": line, "text": text}
                    for line, text in unassigned_spans(clean, file_units)]
        counts = clean.garble_counts()
        if counts["found"]:
            flags.append(f"{path.name}: GBK garble spans found {counts['found']}, repaired {counts['repaired']}, "
                         f"partly repaired {counts['partial']}, left {counts['left']}")
        if clean.pinyin_removed:
            flags.append(f"{path.name}: {clean.pinyin_removed} pinyin readings removed")
        if clean.traditional_share > 0.05:
            flags.append(f"{path.name}: traditional script ({clean.traditional_share:.0%} of hanzi converted)")
        flags += [f"{path.name}: {f}" for f in raw.flags]
    n_measures = sum(u["kind"] == "measure" for u in units)
    if n_measures == 0:
        flags.append("structure doubtful: no numbered measure found (only goals, a preamble or prose); "
                     "kept with its paragraphs as units")
    document = {
        "doc_id": entry.doc_id, "files": [p.name for p in entry.files], "title": meta["title"],
        "docno": meta["docno"], "level": meta["level"], "region": meta["region"], "issuer": meta["issuer"],
        "period_start": meta["period_start"], "period_end": meta["period_end"],
        "source_url": entry.source_url, "implements": meta["implements"],
        "citations": meta["citations"], "n_measures": n_measures, "n_units": len(units),
        "encoding": ";".join(sorted({r.encoding for r in raws})), "inferred": meta["inferred"],
        "flags": flags + entry.notes, "status": "parsed", "reason": "",
    }
    return ParsedPlan(document, units, residue, cleaned)


def skipped_document(entry, reason: str) -> dict:
    """The documents-table row of a plan that could not be parsed: what it is, and why.

    Parameters
    ----------
    entry
        The plan (:class:`alignment.parsing.manifest.PlanEntry`).
    reason
        Why it was skipped; written to the ``reason`` column.
    """
    return {"doc_id": entry.doc_id, "files": [p.name for p in entry.files], "title": entry.title, "docno": "",
            "level": entry.level or "unknown", "region": entry.region, "issuer": entry.issuer,
            "period_start": None, "period_end": None, "source_url": entry.source_url, "implements": [],
            "citations": [], "n_measures": 0, "n_units": 0, "encoding": "", "inferred": [],
            "flags": list(entry.notes), "status": "skipped", "reason": reason}


@dataclass
class ParseResult:
    documents: pd.DataFrame
    measures: pd.DataFrame
    residue: pd.DataFrame
    errors: list[str]
    cleaned: dict[str, CleanText]


def parse_corpus(entries, aliases: dict[str, str] | None = None, strict: bool = False,
                 progress: bool = True) -> ParseResult:
    """Parse every plan; a plan that cannot be used is skipped, reported in ``errors`` and
    recorded in the documents table with status ``skipped`` and its reason (with ``strict``, the
    first one is raised instead).

    Parameters
    ----------
    entries
        The plans, e.g. from :func:`alignment.parsing.manifest.load_manifest`.
    aliases
        Variant unit name -> canonical name, or None.
    strict
        Raise the first IngestError/StructureError instead of skipping that plan.
    progress
        Show a tqdm progress bar.

    Returns
    -------
    ParseResult
        ``documents`` (one row per plan, skipped ones too), ``measures`` and ``residue`` tables,
        validated against their schemas.
    """
    from tqdm import tqdm

    from .. import schemas
    from .ingest import IngestError

    docs, units, residue, errors, cleaned = [], [], [], [], {}
    for entry in tqdm(entries, desc="parse", unit="plan", disable=not progress):
        try:
            if entry.problem:
                raise StructureError(entry.problem)
            plan = parse_plan(entry, aliases)
        except (IngestError, StructureError) as exc:
            if strict:
                raise
            errors.append(f"{entry.doc_id}: {exc}")
            docs.append(skipped_document(entry, str(exc)))
            continue
        docs.append(plan.document)
        units += plan.units
        residue += plan.residue
        cleaned.update(plan.cleaned)
    documents = schemas.frame(docs, schemas.DOCUMENTS)
    measures = schemas.frame(units, schemas.MEASURES)
    residue_df = schemas.frame(residue, schemas.RESIDUE)
    return ParseResult(
        schemas.validate(documents, schemas.DOCUMENTS, "documents"),
        schemas.validate(measures, schemas.MEASURES, "measures"),
        schemas.validate(residue_df, schemas.RESIDUE, "residue"),
        errors, cleaned,
    )


_STYLE_SHOWN = {"chapter": "第一章", "section": "第一节", "cn": "一、", "cn_paren": "(一)", "article": "第一条",
                "arabic": "1.", "arabic_paren": "(1)", "circled": "①"}


def _numbering(units: pd.DataFrame) -> str:
    """The numbering levels a plan's measures sit under, top down: '一、 (一) 1.'."""
    seen: dict[float, str] = {}
    for path, number in zip(units["section_numbers"], units["number"]):
        for printed in [*(path.split(".") if path else []), number]:
            if printed.endswith("是"):
                seen.setdefault(9.0, "一是")
                continue
            m = match_marker(printed if printed[-1:] in "、.)）条章节" or printed[:1] in "(（①" else printed + "、")
            if m:
                seen.setdefault(m.rank, _STYLE_SHOWN[m.style])
    return " ".join(seen[r] for r in sorted(seen)) or "-"


def _pad(text: str, width: int) -> str:
    """``text`` cut or padded to ``width`` terminal columns (a hanzi takes two)."""
    out, used = "", 0
    for c in text:
        w = 2 if unicodedata.east_asian_width(c) in "WF" else 1
        if used + w > width:
            break
        out, used = out + c, used + w
    return out + " " * (width - used)


def parse_summary(result: ParseResult, limit: int = 40) -> str:
    """One line per plan: measures, numbering levels, fields read from the text, warnings;
    then the files that were skipped and why. At most ``limit`` plans are listed.

    Parameters
    ----------
    result
        What :func:`parse_corpus` returned.
    limit
        Most parsed plans to list.
    """
    lines = [f"{'plan':<10} {'measures':>8}  {_pad('numbering', 16)} {_pad('read from the text', 44)} warnings / title"]
    docs = result.documents[result.documents["status"] == "parsed"]
    for doc in docs.head(limit).itertuples():
        units = result.measures[result.measures["doc_id"] == doc.doc_id]
        inferred = " ".join(i.split(":")[0] for i in doc.inferred).replace("implements", "impl") or "-"
        kinds = units["flags"].explode().value_counts()
        warnings = [f.split(":")[0] if "structure doubtful" in f else f for f in doc.flags
                    if "structure doubtful" in f or "garble" in f]
        warnings += [f"{int(kinds[k])} {k}" for k in ("truncated", "garble_unrecovered", "number_inferred") if k in kinds]
        fragments = int((units["kind"] == "fragment").sum())
        warnings += [f"{fragments} fragment"] if fragments else []
        tail = "; ".join(warnings) if warnings else f"{doc.level} {doc.region} {doc.title}".strip()
        lines.append(f"{doc.doc_id:<10} {doc.n_measures:>8}  {_pad(_numbering(units[units['kind'] == 'measure']), 16)} "
                     f"{_pad(inferred, 44)} {_pad(tail, 70).rstrip()}")
    if len(docs) > limit:
        lines.append(f"... and {len(docs) - limit} more plans (documents.csv has every one)")
    lines += [f"skipped {err}" for err in result.errors]
    return "\n".join(lines)
