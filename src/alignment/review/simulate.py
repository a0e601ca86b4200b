"""What review time buys: the review loop run against a gold set instead of a person.

:func:`simulate` starts from the matcher's links and, for each budget (decisions per source
measure the gold labels, cumulative), asks :func:`~alignment.review.queue.review_queue` for the
next pairs in queues of ``queue_size`` (as a researcher would fill one queue, apply it and ask
for the next), answers them from the gold (:func:`gold_answer`), refits the score model on every
decision so far and relabels; after each budget it scores the links as ``alignment evaluate``
does, beside the share of gold links among the candidates (review can confirm only what the
matcher proposes). Nothing touches the project's decisions file: decisions live in memory.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import REVIEW_QUEUE_SIZE
from ..matching.align import Block, score_blocks
from ..matching.evaluate import gold_links, score_alignments
from ..matching.score import MatchParams, ScoreModel
from .queue import review_queue
from .refit import refit_on_decisions

__all__ = ["QUEUE_SIZE", "candidate_recall", "gold_answer", "nearest_threshold_queue", "simulate"]

QUEUE_SIZE = REVIEW_QUEUE_SIZE  # decisions per simulated queue: about one sitting of review


def gold_answer(items: dict[str, dict], src: str, tgt: str) -> str:
    """The decision a careful reader gives a pair, read from the gold.

    Parameters
    ----------
    items : dict
        Gold by source measure (:func:`~alignment.matching.evaluate.gold_links`).
    src, tgt : str
        Source and target measure ids.
    """
    if tgt in items[src]["strong"]:
        return "strong"
    return "partial" if tgt in items[src]["any"] else "none"


def candidate_recall(alignments: pd.DataFrame, items: dict[str, dict]) -> float:
    """Share of gold links among the matcher's candidates (any label): what review can reach.

    Parameters
    ----------
    alignments : pd.DataFrame
        Alignments (``src_measure_id``, ``tgt_measure_id``).
    items : dict
        Gold by source measure (:func:`~alignment.matching.evaluate.gold_links`).
    """
    pairs = set(zip(alignments["src_measure_id"], alignments["tgt_measure_id"]))
    gold = [(s, t) for s, it in items.items() for t in it["any"]]
    return sum(p in pairs for p in gold) / len(gold) if gold else 0.0


def nearest_threshold_queue(alignments: pd.DataFrame, n: int, params: MatchParams) -> pd.DataFrame:
    """The naive queue, for comparison: the ``n`` undecided pairs whose scores lie nearest a
    label threshold.

    Parameters
    ----------
    alignments : pd.DataFrame
        Alignments, decisions applied.
    n : int
        Pairs to ask about.
    params : MatchParams
        The thresholds.
    """
    pool = alignments[~alignments["reviewed"].astype(bool)]
    p = pool["score"].to_numpy(dtype=float)
    dist = np.min([np.abs(p - t) for t in (params.strong, params.partial, params.top1)], axis=0)
    return pool.iloc[np.argsort(dist, kind="stable")[:max(n, 0)]]


def simulate(measures: pd.DataFrame, gold_rows: list[dict], blocks: list[Block], model: ScoreModel,
             params: MatchParams, budgets: list[float], refit: bool = True, queue: str = "gain",
             queue_size: int = QUEUE_SIZE) -> pd.DataFrame:
    """Links after each review budget, with decisions answered from the gold.

    Parameters
    ----------
    measures : pd.DataFrame
        The measures table.
    gold_rows : list of dict
        Gold rows (:func:`~alignment.matching.evaluate.read_gold`).
    blocks : list of Block
        The gold plan pairs with their evidence (:func:`~alignment.matching.align.block_evidence`).
    model : ScoreModel
        The calibrated score model.
    params : MatchParams
        Label thresholds.
    budgets : list of float
        Decisions per gold source measure, cumulative (e.g. 0, 0.5, 1, 2).
    refit : bool
        Refit the score model on the decisions after each queue (active calibration).
    queue : str
        ``gain`` (:func:`~alignment.review.queue.review_queue`) or ``nearest`` (the naive
        :func:`nearest_threshold_queue`).
    queue_size : int
        Decisions per queue; the model is refitted and the next queue chosen after each.

    Returns
    -------
    pd.DataFrame
        One row per budget: ``budget``, ``decisions``, ``any_f1``, ``strong_f1``, ``recall_at_1``,
        ``gap_f1``, ``candidate_recall``.
    """
    if queue not in ("gain", "nearest"):
        raise ValueError(f"queue {queue!r}: gain or nearest")
    items, _ = gold_links(measures, gold_rows)
    decided = pd.DataFrame(columns=["src_measure_id", "tgt_measure_id", "decision", "reviewer"])
    current, rows = model, []
    alignments, _ = score_blocks(blocks, current, params)
    for budget in sorted(budgets):
        want = round(budget * len(items))
        while len(decided) < want:
            asked = alignments[alignments["src_measure_id"].isin(items)]
            n = min(want - len(decided), max(queue_size, 1))
            picked = review_queue(asked, n) if queue == "gain" else nearest_threshold_queue(asked, n, params)
            if picked.empty:  # every candidate decided
                break
            answers = pd.DataFrame({"src_measure_id": picked["src_measure_id"], "tgt_measure_id": picked["tgt_measure_id"],
                                    "decision": [gold_answer(items, s, t) for s, t in
                                                 zip(picked["src_measure_id"], picked["tgt_measure_id"])],
                                    "reviewer": "gold"})
            decided = pd.concat([decided, answers], ignore_index=True)
            if refit:
                current = refit_on_decisions(model, blocks, decided)
            alignments, _ = score_blocks(blocks, current, params, decided)
        r = score_alignments(measures, alignments, gold_rows)
        rows.append({"budget": budget, "decisions": len(decided), "any_f1": r["any_link"]["f"],
                     "strong_f1": r["strong_link"]["f"], "recall_at_1": r["recall_at_1"], "gap_f1": r["gap"]["f"],
                     "candidate_recall": candidate_recall(alignments, items)})
    return pd.DataFrame(rows)
