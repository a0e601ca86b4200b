"""Which plans are aligned with which: blocks along the hierarchy of plans, with directions.

Two related plans of different levels are aligned both ways (``top-down`` and ``bottom-up``),
related plans of one level as ``sibling``; :func:`plan_pairs` decides what is related.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..parsing.clean import content
from ..schemas import level_rank

__all__ = ["blocks_between", "direction_of", "plan_pairs", "related_plans", "upstream_names"]

_PARENTHESES = re.compile(r"[(（][^()（）]*[)）]")


def upstream_names(docs) -> set[str]:
    """Comparable names of cited or implemented documents: titles without 《》 or bracketed
    years and 文号 (法治中国建设规划(2020—2025年) -> 法治中国建设规划).

    Parameters
    ----------
    docs : list, tuple or np.ndarray
        A plan's ``implements`` or ``citations`` cell: dicts with ``normalized`` or ``text``, or
        strings; anything else gives an empty set.
    """
    out = set()
    for d in docs if isinstance(docs, (list, tuple, np.ndarray)) else []:
        text = d.get("normalized", d.get("text", "")) if isinstance(d, dict) else str(d)
        name = content(_PARENTHESES.sub("", text))
        if len(name) >= 4:
            out.add(name)
    return out


_rank = level_rank


def related_plans(a: dict, b: dict) -> bool:
    """Whether two plans belong in one alignment block: one's region contains the other's (a
    national plan contains every region), or they implement or cite a common upstream text.
    ``a``/``b`` are rows of the documents table as dicts.

    Parameters
    ----------
    a, b : dict
        The two plans (``level``, ``region``, ``implements`` and ``citations`` are used).
    """
    ra, rb = str(a.get("region") or ""), str(b.get("region") or "")
    if "national" in (a.get("level"), b.get("level")):
        return True
    if ra and rb and (ra.startswith(rb) or rb.startswith(ra)):
        return True
    upstream_a, upstream_b = upstream_names(a.get("implements")), upstream_names(b.get("implements"))
    cited_a = upstream_a | upstream_names(a.get("citations"))
    cited_b = upstream_b | upstream_names(b.get("citations"))
    return bool(upstream_a & cited_b or upstream_b & cited_a)


def plan_pairs(documents: pd.DataFrame, pairing: str = "auto", all_pairs_max_plans: int = 30) -> list[tuple[str, str, str]]:
    """(source, target, direction) blocks to align.

    Two related plans of different levels are aligned both ways: ``top-down`` (upper measures ->
    lower units: what the lower plan carries or leaves out) and ``bottom-up`` (lower measures ->
    upper units: where a local task comes from); related plans of the same level are aligned
    both ways as ``sibling``. ``pairing`` says which plans are related: ``all`` (every pair),
    ``hierarchy`` (:func:`related_plans`: nested regions or shared upstream texts, which keeps a
    corpus of thousands of plans to blocks along its hierarchy) or ``auto`` (``all`` up to
    ``all_pairs_max_plans`` plans, else ``hierarchy``).

    Parameters
    ----------
    documents : pd.DataFrame
        The documents table; only plans with status ``parsed`` are paired.
    pairing : str
        ``auto``, ``all`` or ``hierarchy`` (see above).
    all_pairs_max_plans : int
        With ``auto``: the most plans for which every pair is aligned.
    """
    if pairing not in ("auto", "all", "hierarchy"):
        raise ValueError(f"pairing must be 'auto', 'all' or 'hierarchy', not {pairing!r}")
    rows = [d for d in documents.to_dict("records") if d.get("status", "parsed") == "parsed"]
    if pairing == "auto":
        pairing = "all" if len(rows) <= all_pairs_max_plans else "hierarchy"
    pairs = []
    for i, a in enumerate(rows):
        for b in rows[i + 1:]:
            if pairing == "hierarchy" and not related_plans(a, b):
                continue
            ra, rb = _rank(a["level"]), _rank(b["level"])
            upper, lower = (a, b) if ra <= rb else (b, a)
            if ra == rb:
                pairs += [(a["doc_id"], b["doc_id"], "sibling"), (b["doc_id"], a["doc_id"], "sibling")]
            else:
                pairs += [(upper["doc_id"], lower["doc_id"], "top-down"), (lower["doc_id"], upper["doc_id"], "bottom-up")]
    return pairs


def direction_of(documents: pd.DataFrame, src_doc: str, tgt_doc: str) -> str:
    """'top-down', 'bottom-up' or 'sibling' for aligning ``src_doc`` onto ``tgt_doc``, by level.

    Parameters
    ----------
    documents : pd.DataFrame
        The documents table (``doc_id`` and ``level`` are used).
    src_doc, tgt_doc : str
        ``doc_id`` of the source and the target plan.
    """
    level = dict(zip(documents["doc_id"], documents["level"]))
    ra, rb = _rank(level.get(src_doc)), _rank(level.get(tgt_doc))
    return "top-down" if ra < rb else "bottom-up" if ra > rb else "sibling"


def blocks_between(documents: pd.DataFrame, src_docs: list[str], tgt_docs: list[str]) -> list[tuple[str, str, str]]:
    """(source, target, direction) blocks from each named source plan to each other named target
    plan, one block per target plan (so every source keeps its candidates in each).

    Parameters
    ----------
    documents : pd.DataFrame
        The documents table (levels give the directions, :func:`direction_of`).
    src_docs, tgt_docs : list of str
        ``doc_id`` of the source plans and of the target plans.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["p", "c"], "level": ["provincial", "county"]})
    >>> blocks_between(docs, ["p"], ["p", "c"])
    [('p', 'c', 'top-down')]
    """
    return [(a, b, direction_of(documents, a, b)) for a in src_docs for b in tgt_docs if a != b]
