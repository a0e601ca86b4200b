"""Text of a measure as the matcher sees it, and the lexical evidence two texts share.

Pure string functions: the text used for matching (no responsibility lists), its clauses,
maximal shared spans, verbatim reuse, and the rarity weights of character bigrams in a block.
"""
from __future__ import annotations

import math
import re
from collections import Counter

from ..parsing.clean import content
from ..parsing.extract import RESPONSIBILITY_LIST

__all__ = ["MIN_SPAN", "bigram_weights", "bigrams", "clauses", "distinct_spans", "match_text", "reuse_share",
           "shared_spans", "span_weight", "span_weight_set"]

_CLAUSE_SPLIT = re.compile(r"(?<=[。;；!！?？])")


_NOISE = re.compile(r"[\ufffd]")


MIN_SPAN = 4  # shortest shared span shown as evidence and counted as reuse


def match_text(text: str) -> str:
    """Text used for matching: no responsibility lists (shared unit names are not content).

    Parameters
    ----------
    text : str
        A measure's text.
    """
    return _NOISE.sub("", RESPONSIBILITY_LIST.sub("", text)).strip()


def clauses(text: str, min_chars: int = 6) -> list[str]:
    """Sentences of a measure (split at 。；！？), short fragments merged into their neighbour.

    Parameters
    ----------
    text : str
        A measure's text.
    min_chars : int
        Fragments with fewer word characters are merged into the clause before them.
    """
    parts = [p.strip() for p in _CLAUSE_SPLIT.split(match_text(text)) if p.strip()]
    out: list[str] = []
    for p in parts:
        if out and len(re.sub(r"\W", "", p)) < min_chars:
            out[-1] += p
        else:
            out.append(p)
    return out or [match_text(text) or text]


def shared_spans(a: str, b: str, min_len: int = MIN_SPAN) -> list[str]:
    """Maximal substrings of length >= ``min_len`` that ``a`` and ``b`` share (content chars only),
    longest first, without overlaps in ``b``.

    Parameters
    ----------
    a, b : str
        The two texts.
    min_len : int
        Shortest span returned.

    Examples
    --------
    >>> shared_spans("全面实施市场准入负面清单制度", "落实统一的市场准入负面清单制度")
    ['市场准入负面清单制度']
    """
    a, b = content(a), content(b)
    if len(a) < min_len or len(b) < min_len:
        return []
    grams = {a[i:i + min_len] for i in range(len(a) - min_len + 1)}
    spans, i = [], 0
    while i <= len(b) - min_len:
        if b[i:i + min_len] in grams:
            j = i + min_len
            while j < len(b) and b[i:j + 1] in a:
                j += 1
            spans.append(b[i:j])
            i = j
        else:
            i += 1
    return sorted(spans, key=len, reverse=True)


def reuse_share(a: str, b: str, min_len: int = MIN_SPAN) -> float:
    """Share of the shorter text's content characters lying in spans shared with the other.

    Parameters
    ----------
    a, b : str
        The two texts.
    min_len : int
        Shortest shared span counted.
    """
    ca, cb = content(a), content(b)
    if not ca or not cb:
        return 0.0
    short, long_ = (ca, cb) if len(ca) <= len(cb) else (cb, ca)
    covered = sum(len(s) for s in shared_spans(long_, short, min_len))
    return min(1.0, covered / len(short))


def bigrams(s: str) -> set[str]:
    """The character bigrams of ``s``.

    Parameters
    ----------
    s : str
        A text.
    """
    return {s[i:i + 2] for i in range(len(s) - 1)}


def bigram_weights(docs: list[str]) -> dict[str, float]:
    """Rarity of each character bigram over ``docs`` (content text), scaled to [0, 1]:
    ``log(N / df) / log(N)``; a bigram in every document weighs 0. Unseen bigrams weigh 1.

    Parameters
    ----------
    docs : list of str
        Content texts of the block (fewer than two give no weights).
    """
    n = len(docs)
    if n < 2:
        return {}
    df = Counter(g for d in docs for g in bigrams(d))
    scale = math.log(n)
    return {g: math.log(n / c) / scale for g, c in df.items()}


def span_weight(span: str, weights: dict[str, float]) -> float:
    """Informativeness of a span: the summed rarity of its bigrams.

    Parameters
    ----------
    span : str
        A shared span.
    weights : dict of str to float
        Bigram rarities from :func:`bigram_weights`.
    """
    return sum(weights.get(span[i:i + 2], 1.0) for i in range(len(span) - 1))


def span_weight_set(grams: set[str], weights: dict[str, float]) -> float:
    """Summed rarity of a set of bigrams.

    Parameters
    ----------
    grams : set of str
        Bigrams, e.g. from :func:`bigrams`.
    weights : dict of str to float
        Bigram rarities from :func:`bigram_weights`.
    """
    return sum(weights.get(g, 1.0) for g in grams)


def distinct_spans(spans: list[str]) -> list[str]:
    """Spans in order, dropping repeats and spans inside an earlier one.

    Parameters
    ----------
    spans : list of str
        Spans, most important first.

    Examples
    --------
    >>> distinct_spans(["落实重大行政决策", "重大行政决策", "制度改革", "制度改革"])
    ['落实重大行政决策', '制度改革']
    """
    kept: list[str] = []
    for sp in spans:
        if not any(sp in k for k in kept):
            kept.append(sp)
    return kept
