"""Coverage: what a lower plan carries of an upper plan's measures, and what it leaves out.

Takes alignments of one block and gives, per source measure, covered / partial / gap with its
best link (schema :data:`alignment.schemas.COVERAGE`).
"""
from __future__ import annotations

import pandas as pd

from ..schemas import COVERAGE

__all__ = ["coverage"]

def coverage(alignments: pd.DataFrame, src_measures: pd.DataFrame, tgt_doc: str,
             direction: str | None = None) -> pd.DataFrame:
    """covered / partial / gap for each source measure in one target plan, with its best link:
    a strong link before a partial one, then the higher score (a confirmed partial link scores 1
    but does not stand for a strong one).

    Parameters
    ----------
    alignments : pd.DataFrame
        Alignments of one block (:data:`alignment.schemas.ALIGNMENTS`).
    src_measures : pd.DataFrame
        The block's source measures (``measure_id`` and ``doc_id`` are used).
    tgt_doc : str
        ``doc_id`` of the target plan.
    direction : str or None
        The block's direction; default that of its alignments (``top-down`` when it has none).

    Returns
    -------
    pd.DataFrame
        Columns of :data:`alignment.schemas.COVERAGE`.
    """
    al = alignments[(alignments["tgt_doc"] == tgt_doc) & alignments["label"].isin(["strong", "partial"])]
    best = (al.assign(_strong=al["label"] == "strong").sort_values(["_strong", "score"], ascending=False)
            .drop_duplicates("src_measure_id").set_index("src_measure_id"))
    has_strong = set(al.loc[al["label"] == "strong", "src_measure_id"])
    direction = direction or (alignments["direction"].iat[0] if len(alignments) else "top-down")
    reviewed = alignments.get("reviewed", pd.Series(False, index=alignments.index)).astype(bool)
    rejected = set(alignments.loc[(alignments["tgt_doc"] == tgt_doc) & reviewed & (alignments["label"] == "none"),
                                  "src_measure_id"])
    rows = []
    for mid, doc in zip(src_measures["measure_id"], src_measures["doc_id"]):
        if mid not in best.index:
            rows.append((mid, doc, tgt_doc, direction, "gap", "", 0.0, "", mid in rejected))
            continue
        b = best.loc[mid]
        rows.append((mid, doc, tgt_doc, direction, "covered" if mid in has_strong else "partial",
                     b["tgt_measure_id"], float(b["score"]), b["evidence"], bool(b.get("reviewed", False))))
    return pd.DataFrame(rows, columns=list(COVERAGE.columns))
