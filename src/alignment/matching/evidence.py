"""Evidence for candidate pairs: the text entry point of matching, and how links are explained.

:func:`candidate_features` encodes the texts of a block (encoder and character TF-IDF, whole
texts and clauses), delegates the choice of candidates to
:func:`alignment.matching.candidates.align_embeddings`, then measures what each candidate pair
shares: verbatim reuse weighted by rarity, containment each way, and each cosine relative to the
best of its row and column. An ``embed`` with ``extras`` (a
:class:`~alignment.matching.embed.MultiEmbedder`) adds each extra encoder's whole-text cosine.
:func:`evidence_text` says in words why a link was made.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..config import TOP_K
from ..parsing.clean import content
from .candidates import View, align_embeddings, centred
from .embed import Embed
from .score import ScoreModel
from .text import (
    MIN_SPAN,
    bigram_weights,
    bigrams,
    clauses,
    distinct_spans,
    match_text,
    shared_spans,
    span_weight,
    span_weight_set,
)

__all__ = ["EVIDENCE_NAMES", "Evidence", "candidate_features", "evidence_text", "top_signal"]


@dataclass(frozen=True)
class Evidence:
    """Candidates of a block with their evidence.

    ``cols`` (n_src, k): row i holds source i's candidate targets; ``features`` maps each name in
    :func:`alignment.matching.score.features_for` (the encoder) plus ``reuse`` to an (n_src, k)
    array; ``spans[i][c]`` lists the shared spans (>= MIN_SPAN characters, most informative
    first) of source i and its c-th candidate.
    """

    cols: np.ndarray
    features: dict[str, np.ndarray]
    spans: list[list[list[str]]]


def candidate_features(src_texts: list[str], tgt_texts: list[str], embed: Embed, top_k: int = TOP_K) -> Evidence:
    """Candidates and their evidence for every source of a block.

    Parameters
    ----------
    src_texts, tgt_texts
        Texts of the source and target units.
    embed
        Maps a list of texts to row-normalised vectors (dense or sparse). It is called twice
        (whole texts, clauses), each time on sources and targets together so that fitted
        encoders share one vocabulary. If it has ``extras`` (encoder name -> embed), each is
        called once, on whole texts, for the features ``semantic@<name>`` and their
        ``_vs_row_best`` and ``_vs_col_best``; its cosine joins the sum that chooses the
        candidates (on the dev gold the 10 candidates hold 98 of 105 links with or without it).
    top_k
        Candidates per source. They are chosen on whole-text and clause-level similarity
        together, so a long measure still finds the task that carries one of its clauses.

    Returns
    -------
    Evidence
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    n, m = len(src_texts), len(tgt_texts)
    docs_s, docs_t = [match_text(t) for t in src_texts], [match_text(t) for t in tgt_texts]
    vec = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True, dtype=np.float32)
    lex = vec.fit_transform(docs_s + docs_t)
    sem = embed(docs_s + docs_t)
    cs, ct = [clauses(t) for t in src_texts], [clauses(t) for t in tgt_texts]
    flat = [c for g in cs + ct for c in g]
    n_cs = sum(len(g) for g in cs)
    cvec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32)
    clex, csem = cvec.fit_transform(flat), centred(embed(flat))
    counts_s, counts_t = [len(g) for g in cs], [len(g) for g in ct]
    views = {
        "lexical": View.of_pieces(lex[:n], lex[n:], [1] * n, [1] * m),
        "semantic": None,  # the whole-text encoder vectors, which align_embeddings compares itself
        "lexical_clause": View.of_pieces(clex[:n_cs], clex[n_cs:], counts_s, counts_t),
        "semantic_clause": View.of_pieces(csem[:n_cs], csem[n_cs:], counts_s, counts_t),
    }
    for name, extra in (getattr(embed, "extras", None) or {}).items():
        both = centred(extra(docs_s + docs_t))
        views[f"semantic@{name}"] = View.whole(both[:n], both[n:])
    cand = align_embeddings(sem[:n], sem[n:], top_k, views=views)
    cols = cand.cols

    text_s, text_t = [content(d) for d in docs_s], [content(d) for d in docs_t]
    weights = bigram_weights(text_s + text_t)
    grams_s, grams_t = [bigrams(t) for t in text_s], [bigrams(t) for t in text_t]
    mass_s = [span_weight_set(g, weights) for g in grams_s]
    mass_t = [span_weight_set(g, weights) for g in grams_t]
    span_info = np.zeros(cols.shape, np.float32)
    contain_src, contain_tgt, reuse = (np.zeros(cols.shape, np.float32) for _ in range(3))
    spans_out: list[list[list[str]]] = []
    for s in range(n):
        row_spans = []
        for c, j in enumerate(cols[s]):
            spans = shared_spans(text_s[s], text_t[j], 3)
            ranked = sorted(spans, key=lambda sp: -span_weight(sp, weights))
            span_info[s, c] = math.log1p(span_weight(ranked[0], weights)) if ranked else 0.0
            shared = span_weight_set(grams_s[s] & grams_t[j], weights)
            contain_src[s, c] = shared / mass_s[s] if mass_s[s] else 0.0
            contain_tgt[s, c] = shared / mass_t[j] if mass_t[j] else 0.0
            short = min(len(text_s[s]), len(text_t[j])) or 1
            reuse[s, c] = min(1.0, sum(len(sp) for sp in spans if len(sp) >= MIN_SPAN) / short)
            row_spans.append(distinct_spans([sp for sp in ranked if len(sp) >= MIN_SPAN]))
        spans_out.append(row_spans)

    feats = dict(cand.similarity)
    for name in ("lexical", "semantic", *(v for v in views if v.startswith("semantic@"))):
        feats[f"{name}_vs_row_best"] = cand.similarity[name] - cand.row_best[name][:, None]
        feats[f"{name}_vs_col_best"] = cand.similarity[name] - cand.col_best[name][cols]
    feats.update(span_info=span_info, contain_src=contain_src, contain_tgt=contain_tgt, reuse=reuse)
    return Evidence(cols, {k: np.asarray(v, np.float32) for k, v in feats.items()}, spans_out)


EVIDENCE_NAMES = {
    "lexical": "same wording", "semantic": "same meaning", "lexical_clause": "a clause in the same words",
    "semantic_clause": "a clause with the same meaning", "span_info": "a rare phrase reused verbatim",
    "contain_src": "source wording contained", "contain_tgt": "target wording contained",
}


def top_signal(model: ScoreModel, x: np.ndarray) -> str:
    """Plain-language name of the feature that lifts this pair's score most above a typical
    candidate's (weight x (value - calibration mean)); relative features never explain a link
    on their own, so only absolute evidence is named.

    Parameters
    ----------
    model : ScoreModel
        The model that scored the pair.
    x : np.ndarray
        The pair's feature values, in the order of ``model.features``.
    """
    means = model.means or (0.0,) * len(model.features)
    contrib = {f: w * (v - mu) for f, w, v, mu in zip(model.features, model.weights, x, means)
               if _evidence_name(f)}
    return _evidence_name(max(contrib, key=contrib.get))


def _evidence_name(feature: str) -> str | None:
    """Plain-language name of an absolute feature (an extra encoder's cosine too); None for a relative one."""
    if feature.startswith("semantic@") and not feature.endswith(("_vs_row_best", "_vs_col_best")):
        return f"{EVIDENCE_NAMES['semantic']} ({feature.removeprefix('semantic@')})"
    return EVIDENCE_NAMES.get(feature)


def evidence_text(spans: list[str], signals: dict[str, float], top: str = "", max_spans: int = 3) -> str:
    """Short, human-readable reason for a link: the most informative shared spans and the
    signal that carried it.

    Parameters
    ----------
    spans : list of str
        Shared spans of the pair, most informative first.
    signals : dict of str to float
        The pair's ``semantic``, ``semantic_clause`` and ``lexical`` cosines.
    top : str
        Name of the signal that carried the link (:func:`top_signal`); empty to leave it out.
    max_spans : int
        Most spans shown.

    Examples
    --------
    >>> evidence_text(["市场准入负面清单制度"], {"semantic": 0.81, "semantic_clause": 0.9, "lexical": 0.42},
    ...               "a rare phrase reused verbatim")
    'shared: 市场准入负面清单制度; mainly a rare phrase reused verbatim (sem 0.81 clause 0.90 lex 0.42)'
    """
    head = (f"sem {signals['semantic']:.2f} clause {signals['semantic_clause']:.2f} "
            f"lex {signals['lexical']:.2f}")
    why = f"; mainly {top}" if top else ""
    if spans:
        return f"shared: {'｜'.join(spans[:max_spans])}{why} ({head})"
    return f"no shared wording{why} ({head})"
