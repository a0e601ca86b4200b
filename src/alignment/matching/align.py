"""Match stage: measures of two plans -> labelled, explained links (alignments).

Matching runs in blocks (one source plan against one target plan, or a few) and in two steps,
so it never builds an all-pairs matrix of a corpus:

1. **Candidates** (:mod:`~alignment.matching.candidates`). Whole-text and clause vectors
   (character n-gram TF-IDF and the encoder) are multiplied in memory-bounded chunks of
   sources; each source keeps its ``top_k`` targets by the sum of four similarities:

   - ``lexical``, ``semantic``: whole-text cosines (character 2-3-gram TF-IDF; encoder);
   - ``lexical_clause``, ``semantic_clause``: best clause-to-clause cosine, so a long bundled
     measure can match the one task that carries part of it.
2. **Evidence** (:mod:`~alignment.matching.evidence`). Each candidate pair gets the rest of
   :data:`~alignment.matching.score.FEATURES`:

   - ``span_info``: verbatim reuse in the spirit of Smith-Waterman reuse detectors: the
     informativeness of the longest shared character span, counted in character bigrams
     weighted by rarity in the block (a shared "法治建设" counts little, a shared
     "涉企收费检查摊派" much);
   - ``contain_src``, ``contain_tgt``: rarity-weighted share of each side's bigrams that the
     other side also has;
   - relative evidence: the whole-text cosines minus the best of their source (row) or target
     (column). (Ranks within a row are deliberately not used: they would give every source's
     best target a flat bonus and assert links where a plan has no counterpart.)

   A logistic :class:`~alignment.matching.score.ScoreModel` per encoder, calibrated on
   hand-labelled gold pairs (:mod:`alignment.matching.calibrate`), turns them into the link
   probability ``score``.

Labels: ``strong`` from ``strong_threshold``, ``partial`` from ``partial_threshold`` (and a
source's best target from ``top1_threshold``), else ``candidate``. Which plans are aligned is
decided by :mod:`~alignment.matching.pairing`; coverage is derived by :mod:`alignment.cascade.coverage`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import schemas
from ..cascade.coverage import coverage
from ..config import TOP_K
from .embed import Embed
from .evidence import Evidence, candidate_features, evidence_text, top_signal
from .score import MatchParams, ScoreModel, label_links
from .text import clauses, match_text, reuse_share

__all__ = ["Block", "align_pair", "align_plans", "apply_decisions", "block_evidence", "cached_embedder", "matcher_for", "rank_links",
           "score_block", "score_blocks", "sources_and_targets"]

def sources_and_targets(measures: pd.DataFrame, src_docs: list[str], tgt_docs: list[str]):
    """Numbered measures of the source plans; the units of the target plans that can carry
    duties: measures, goals and closing paragraphs (a preamble only states why the plan exists).

    Parameters
    ----------
    measures : pd.DataFrame
        The measures table (:data:`alignment.schemas.MEASURES`) holding both sides.
    src_docs, tgt_docs : list of str
        ``doc_id`` of the source plans and of the target plans.
    """
    src = measures[measures["doc_id"].isin(src_docs) & (measures["kind"] == "measure")]
    tgt = measures[measures["doc_id"].isin(tgt_docs) & (measures["kind"] != "preamble")]
    return src.reset_index(drop=True), tgt.reset_index(drop=True)


def align_pair(src: pd.DataFrame, tgt: pd.DataFrame, embed: Embed, model: ScoreModel,
               params: MatchParams = MatchParams(), direction: str = "top-down",
               decided: pd.DataFrame | None = None) -> pd.DataFrame:
    """Alignments from the measures ``src`` to the units ``tgt`` (one plan each, or a few).

    Parameters
    ----------
    src : pd.DataFrame
        Source measures, rows of the measures table (e.g. from :func:`sources_and_targets`);
        ``measure_id``, ``doc_id`` and ``text`` are used.
    tgt : pd.DataFrame
        Target units, with the same columns.
    embed : Embed
        Texts -> row-normalised vectors, e.g. from :func:`cached_embedder`.
    model : ScoreModel
        Calibrated score model of the encoder (:func:`~alignment.matching.score.score_model_for`).
    params : MatchParams
        Candidates per source (``top_k``) and label thresholds.
    direction : str
        ``top-down``, ``bottom-up`` or ``sibling``; copied into the ``direction`` column.
    decided : pd.DataFrame or None
        A person's decisions on pairs (:func:`alignment.review.decisions.resolve_decisions`):
        a decided pair takes the decided label whatever its score (see :func:`score_block`).

    Returns
    -------
    pd.DataFrame
        Columns of :data:`alignment.schemas.ALIGNMENTS`; the ``top_k`` best targets of each
        source, ranked by score, labelled and explained.
    """
    if src.empty or tgt.empty:
        return schemas.frame([], schemas.ALIGNMENTS)
    found = candidate_features(src["text"].tolist(), tgt["text"].tolist(), embed, params.top_k)
    return score_block(src, tgt, found, model, params, direction, decided)


def score_block(src: pd.DataFrame, tgt: pd.DataFrame, found: Evidence, model: ScoreModel,
                params: MatchParams = MatchParams(), direction: str = "top-down",
                decided: pd.DataFrame | None = None) -> pd.DataFrame:
    """Score, label and explain the candidates of one block; honour a person's decisions.

    A decided pair (``decided`` row with both ids in the block) takes the decided label
    (``strong``, ``partial`` or ``none``), ``reviewed=True`` and the score of certainty (1 for a
    confirmed link, 0 for a rejected pair); its evidence says who decided and what the model
    had scored. A confirmed link that is not among the candidates is added to them.

    Parameters
    ----------
    src, tgt : pd.DataFrame
        The block's source measures and target units (as :func:`align_pair`).
    found : Evidence
        Their candidates and evidence (:func:`~alignment.matching.evidence.candidate_features`).
    model : ScoreModel
        Score model; its ``features`` are read from ``found``.
    params : MatchParams
        Label thresholds.
    direction : str
        Direction of the block, copied into the table.
    decided : pd.DataFrame or None
        Decisions with ``src_measure_id``, ``tgt_measure_id``, ``decision``, ``reviewer``.

    Returns
    -------
    pd.DataFrame
        Columns of :data:`alignment.schemas.ALIGNMENTS`.
    """
    cols, feats, spans = found.cols, found.features, found.spans
    x = np.stack([feats[f] for f in model.features], axis=-1)
    scores = model(x)
    labels = label_links(scores, params.strong, params.partial, params.top1)
    src_ids, src_docs = src["measure_id"].to_numpy(), src["doc_id"].to_numpy()
    tgt_ids, tgt_docs = tgt["measure_id"].to_numpy(), tgt["doc_id"].to_numpy()
    out = []
    for i in range(cols.shape[0]):
        for c in range(cols.shape[1]):
            j = cols[i, c]
            sig = {name: float(feats[name][i, c]) for name in ("semantic", "semantic_clause", "lexical")}
            out.append((src_ids[i], tgt_ids[j], src_docs[i], tgt_docs[j], direction,
                        float(scores[i, c]), 0, labels[i, c], sig["semantic"], sig["lexical"],
                        float(feats["reuse"][i, c]),
                        evidence_text(spans[i][c], sig, top_signal(model, x[i, c])), False))
    al = pd.DataFrame(out, columns=list(schemas.ALIGNMENTS.columns))
    if decided is not None and len(decided):
        al = apply_decisions(al, decided, src, tgt, direction)
    return rank_links(al)


def apply_decisions(al: pd.DataFrame, decided: pd.DataFrame, src: pd.DataFrame, tgt: pd.DataFrame,
                    direction: str) -> pd.DataFrame:
    """``al`` with the decided pairs of its block relabelled (see :func:`score_block`).

    Parameters
    ----------
    al : pd.DataFrame
        Alignments of one block.
    decided : pd.DataFrame
        Decisions (``src_measure_id``, ``tgt_measure_id``, ``decision``, ``reviewer``).
    src, tgt : pd.DataFrame
        The block's source measures and target units (for confirmed links outside the candidates).
    direction : str
        Direction of the block.
    """
    here = decided[decided["src_measure_id"].isin(set(src["measure_id"]))
                   & decided["tgt_measure_id"].isin(set(tgt["measure_id"]))]
    if here.empty:
        return al
    al = al.copy()
    key = pd.MultiIndex.from_frame(al[["src_measure_id", "tgt_measure_id"]])
    text_of = dict(zip(tgt["measure_id"], tgt["text"])) | dict(zip(src["measure_id"], src["text"]))
    doc_of = dict(zip(tgt["measure_id"], tgt["doc_id"])) | dict(zip(src["measure_id"], src["doc_id"]))
    extra = []
    for s, t, decision, who in zip(here["src_measure_id"], here["tgt_measure_id"], here["decision"], here["reviewer"]):
        score = 0.0 if decision == "none" else 1.0
        rows = np.flatnonzero(key == (s, t))
        if len(rows):
            r = rows[0]
            al.iat[r, al.columns.get_loc("evidence")] = (f"reviewed by {who}: {decision} "
                                                          f"(model {al['score'].iat[r]:.2f}); {al['evidence'].iat[r]}")
            al.iat[r, al.columns.get_loc("score")] = score
            al.iat[r, al.columns.get_loc("label")] = decision
            al.iat[r, al.columns.get_loc("reviewed")] = True
        elif decision != "none":
            extra.append((s, t, doc_of[s], doc_of[t], direction, score, 0, decision, 0.0, 0.0,
                          reuse_share(match_text(text_of[s]), match_text(text_of[t])),
                          f"reviewed by {who}: {decision} (not among the matcher's candidates)", True))
    if extra:
        al = pd.concat([al, pd.DataFrame(extra, columns=al.columns)], ignore_index=True)
    return al


def rank_links(al: pd.DataFrame) -> pd.DataFrame:
    """``al`` sorted by source, then score (best first), with ``rank`` 1.. within each source and target plan.

    Parameters
    ----------
    al : pd.DataFrame
        Alignments of one block.
    """
    order = {s: i for i, s in enumerate(pd.unique(al["src_measure_id"]))}  # sources keep their order
    al = al.assign(_s=al["src_measure_id"].map(order)).sort_values(
        ["_s", "score"], ascending=[True, False], kind="stable").drop(columns="_s")
    al["rank"] = al.groupby(["src_measure_id", "tgt_doc"]).cumcount() + 1
    return al.reset_index(drop=True)


@dataclass(frozen=True)
class Block:
    """One aligned block: source measures of one plan, target units of another, their evidence."""

    src: pd.DataFrame
    tgt: pd.DataFrame
    src_doc: str
    tgt_doc: str
    direction: str
    found: Evidence | None  # None when either side is empty


def block_evidence(measures: pd.DataFrame, pairs: list[tuple[str, str, str]], embed: Embed,
                   top_k: int = TOP_K, progress: bool = True) -> list[Block]:
    """Candidates and evidence of every (source, target, direction) block: the costly half of
    matching, computed once so that scoring can be repeated (after a refit, in a simulation).

    Parameters
    ----------
    measures : pd.DataFrame
        The measures table of all plans named in ``pairs``.
    pairs : list of (str, str, str)
        (source ``doc_id``, target ``doc_id``, direction) blocks, e.g. from
        :func:`~alignment.matching.pairing.plan_pairs`; each target plan is its own block, so
        every source keeps ``top_k`` candidates in each target plan.
    embed : Embed
        Texts -> row-normalised vectors; one with a ``warm`` method
        (:class:`~alignment.matching.embed.CachedEmbedder`) encodes every text once up front.
    top_k : int
        Candidates per source in each block.
    progress : bool
        Show a progress bar over the blocks.
    """
    from tqdm import tqdm

    if hasattr(embed, "warm"):  # encode every text once, then blocks look vectors up
        used = measures[measures["doc_id"].isin({d for a, b, _ in pairs for d in (a, b)})]["text"]
        embed.warm(sorted({match_text(t) for t in used}), sorted({c for t in used for c in clauses(t)}))
    blocks = []
    for a, b, direction in tqdm(pairs, desc="align", unit="pair", disable=not progress):
        src, tgt = sources_and_targets(measures, [a], [b])
        found = (candidate_features(src["text"].tolist(), tgt["text"].tolist(), embed, top_k)
                 if len(src) and len(tgt) else None)
        blocks.append(Block(src, tgt, a, b, direction, found))
    return blocks


def score_blocks(blocks: list[Block], model: ScoreModel, params: MatchParams = MatchParams(),
                 decided: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Alignments and coverage of blocks from :func:`block_evidence` (see :func:`score_block`).

    Parameters
    ----------
    blocks : list of Block
        Blocks with their evidence.
    model : ScoreModel
        Score model (calibrated, or refitted on decisions).
    params : MatchParams
        Label thresholds.
    decided : pd.DataFrame or None
        A person's decisions on pairs, honoured in every block.

    Returns
    -------
    (alignments, coverage)
        Tables of :data:`alignment.schemas.ALIGNMENTS` and :data:`alignment.schemas.COVERAGE`.
    """
    al_parts, cov_parts = [], []
    for blk in blocks:
        if blk.found is None:
            al = schemas.frame([], schemas.ALIGNMENTS)
        else:
            al = score_block(blk.src, blk.tgt, blk.found, model, params, blk.direction, decided)
        al_parts.append(al)
        cov_parts.append(coverage(al, blk.src, blk.tgt_doc, blk.direction))
    al_parts, cov_parts = [p for p in al_parts if len(p)], [p for p in cov_parts if len(p)]
    # a corpus with one plan (or no related pair) has no links: an empty table of the right types
    alignments = pd.concat(al_parts, ignore_index=True) if al_parts else schemas.frame([], schemas.ALIGNMENTS)
    cov = pd.concat(cov_parts, ignore_index=True) if cov_parts else schemas.frame([], schemas.COVERAGE)
    alignments = alignments.astype({"rank": int, "score": float, "semantic": float, "lexical": float,
                                    "reuse": float, "reviewed": bool})
    alignments["score"] = alignments["score"].clip(0.0, 1.0)
    cov = cov.astype({"best_score": float, "reviewed": bool})
    return (schemas.validate(alignments, schemas.ALIGNMENTS, "alignments"),
            schemas.validate(cov, schemas.COVERAGE, "coverage"))


def align_plans(measures: pd.DataFrame, pairs: list[tuple[str, str, str]], embed: Embed, model: ScoreModel,
                params: MatchParams = MatchParams(), progress: bool = True,
                decided: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Align every (source, target, direction) block and derive coverage:
    :func:`block_evidence` then :func:`score_blocks`.

    Parameters
    ----------
    measures : pd.DataFrame
        The measures table of all plans named in ``pairs``.
    pairs : list of (str, str, str)
        (source ``doc_id``, target ``doc_id``, direction) blocks.
    embed : Embed
        Texts -> row-normalised vectors.
    model : ScoreModel
        Calibrated score model of the encoder.
    params : MatchParams
        Candidates per source (``top_k``) and label thresholds.
    progress : bool
        Show a progress bar over the blocks.
    decided : pd.DataFrame or None
        A person's decisions on pairs, honoured in every block (see :func:`score_block`).

    Returns
    -------
    (alignments, coverage)
        Tables of :data:`alignment.schemas.ALIGNMENTS` and :data:`alignment.schemas.COVERAGE`.
    """
    return score_blocks(block_evidence(measures, pairs, embed, params.top_k, progress), model, params, decided)


def cached_embedder(encoder_name: str, settings, progress: bool = True):
    """The ``embed`` of an encoder name (one, or several joined by ``+``) on the settings' cache
    (:func:`~alignment.matching.embed.make_embedder`).

    Parameters
    ----------
    encoder_name : str
        ``use-multilingual``, ``e5-small``, ``lexical``, ``st:<model id or path>`` (see
        :func:`~alignment.matching.embed.get_encoder`), or a combination such as
        ``use-multilingual+e5-small``.
    settings : Settings
        Supplies ``cache_dir`` and ``batch_size``.
    progress : bool
        Show progress bars while encoding.
    """
    from .embed import EmbeddingCache, make_embedder

    return make_embedder(encoder_name, EmbeddingCache(settings.cache_dir), settings.batch_size, progress)


def matcher_for(encoder_name: str, settings, progress: bool = True):
    """(embed, score model) of an encoder name on the settings' cache and calibration file; the
    model follows the encoder actually loaded (after a fallback).

    Parameters
    ----------
    encoder_name : str
        An encoder name or a combination (:func:`cached_embedder`).
    settings : Settings
        Supplies ``cache_dir``, ``batch_size`` and ``calibration_path``.
    progress : bool
        Show progress bars while encoding.

    Raises
    ------
    ValueError
        An unknown encoder name.
    """
    from .score import score_model_for

    embed = cached_embedder(encoder_name, settings, progress)
    return embed, score_model_for(embed.encoder_name, settings.calibration_path)
