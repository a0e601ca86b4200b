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

import numpy as np
import pandas as pd

from .. import schemas
from ..cascade.coverage import coverage
from .embed import Embed
from .evidence import candidate_features, evidence_text, top_signal
from .score import FEATURES, MatchParams, ScoreModel, label_links
from .text import clauses, match_text

__all__ = ["align_pair", "align_plans", "cached_embedder", "sources_and_targets"]

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
               params: MatchParams = MatchParams(), direction: str = "top-down") -> pd.DataFrame:
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

    Returns
    -------
    pd.DataFrame
        Columns of :data:`alignment.schemas.ALIGNMENTS`; the ``top_k`` best targets of each
        source, ranked by score, labelled and explained.
    """
    cols_out = list(schemas.ALIGNMENTS.columns)
    if src.empty or tgt.empty:
        return pd.DataFrame(columns=cols_out)
    found = candidate_features(src["text"].tolist(), tgt["text"].tolist(), embed, params.top_k)
    cols, feats, spans = found.cols, found.features, found.spans
    x = np.stack([feats[f] for f in FEATURES], axis=-1)
    scores = model(x)
    labels = label_links(scores, params.strong, params.partial, params.top1)
    order = np.argsort(-scores, axis=1, kind="stable")
    src_ids, src_docs = src["measure_id"].to_numpy(), src["doc_id"].to_numpy()
    tgt_ids, tgt_docs = tgt["measure_id"].to_numpy(), tgt["doc_id"].to_numpy()
    out = []
    for i in range(cols.shape[0]):
        for rank, c in enumerate(order[i], start=1):
            j = cols[i, c]
            sig = {name: float(feats[name][i, c]) for name in ("semantic", "semantic_clause", "lexical")}
            out.append((src_ids[i], tgt_ids[j], src_docs[i], tgt_docs[j], direction,
                        float(scores[i, c]), rank, labels[i, c], sig["semantic"], sig["lexical"],
                        float(feats["reuse"][i, c]),
                        evidence_text(spans[i][c], sig, top_signal(model, x[i, c]))))
    return pd.DataFrame(out, columns=cols_out)


def align_plans(measures: pd.DataFrame, pairs: list[tuple[str, str, str]], embed: Embed, model: ScoreModel,
                params: MatchParams = MatchParams(), progress: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Align every (source, target, direction) block and derive coverage.

    Parameters
    ----------
    measures : pd.DataFrame
        The measures table of all plans named in ``pairs``.
    pairs : list of (str, str, str)
        (source ``doc_id``, target ``doc_id``, direction) blocks, e.g. from
        :func:`~alignment.matching.pairing.plan_pairs`.
    embed : Embed
        Texts -> row-normalised vectors; one with a ``warm`` method
        (:class:`~alignment.matching.embed.CachedEmbedder`) encodes every text once up front.
    model : ScoreModel
        Calibrated score model of the encoder.
    params : MatchParams
        Candidates per source (``top_k``) and label thresholds.
    progress : bool
        Show a progress bar over the blocks.

    Returns
    -------
    (alignments, coverage)
        Tables of :data:`alignment.schemas.ALIGNMENTS` and :data:`alignment.schemas.COVERAGE`.
    """
    from tqdm import tqdm

    al_parts, cov_parts = [], []
    if hasattr(embed, "warm"):  # encode every text once, then blocks look vectors up
        used = measures[measures["doc_id"].isin({d for a, b, _ in pairs for d in (a, b)})]["text"]
        embed.warm(sorted({match_text(t) for t in used} | {c for t in used for c in clauses(t)}))
    for a, b, direction in tqdm(pairs, desc="align", unit="pair", disable=not progress):
        src, tgt = sources_and_targets(measures, [a], [b])
        al = align_pair(src, tgt, embed, model, params, direction)
        al_parts.append(al)
        cov_parts.append(coverage(al, src, b))
    al_parts, cov_parts = [p for p in al_parts if len(p)], [p for p in cov_parts if len(p)]
    # a corpus with one plan (or no related pair) has no links: an empty table of the right types
    alignments = pd.concat(al_parts, ignore_index=True) if al_parts else schemas.frame([], schemas.ALIGNMENTS)
    cov = pd.concat(cov_parts, ignore_index=True) if cov_parts else schemas.frame([], schemas.COVERAGE)
    alignments = alignments.astype({"rank": int, "score": float, "semantic": float, "lexical": float,
                                    "reuse": float})
    alignments["score"] = alignments["score"].clip(0.0, 1.0)
    cov["best_score"] = cov["best_score"].astype(float)
    return (schemas.validate(alignments, schemas.ALIGNMENTS, "alignments"),
            schemas.validate(cov, schemas.COVERAGE, "coverage"))


def cached_embedder(encoder_name: str, settings, progress: bool = True):
    """:class:`alignment.embed.CachedEmbedder` for an encoder name and the settings' cache.

    Parameters
    ----------
    encoder_name : str
        ``use-multilingual``, ``lexical`` or ``st:<model id or path>`` (see
        :func:`~alignment.matching.embed.get_encoder`).
    settings : Settings
        Supplies ``cache_dir`` and ``batch_size``.
    progress : bool
        Show progress bars while encoding.
    """
    from .embed import CachedEmbedder, EmbeddingCache, get_encoder

    return CachedEmbedder(get_encoder(encoder_name), EmbeddingCache(settings.cache_dir), settings.batch_size, progress)
