"""Match stage: measures of two plans -> labelled, explained links (alignments) and coverage.

Evidence for a (source, target) pair, each in [0, 1]:

- ``semantic``: best cosine between a source clause and a target clause (encoder vectors), so a
  long bundled measure can match the one task that carries part of it;
- ``lexical``: character 2-3-gram TF-IDF cosine of the whole texts;
- ``reuse``: verbatim reuse, the share of the target clause's characters that lie in spans of
  >= 4 characters shared with the source (in the spirit of Smith-Waterman reuse detectors).

The combined score is a logistic model over those signals (weights in ``config``), calibrated
on the development set; labels come from its thresholds. Matching never builds an all-pairs
matrix of a corpus: it runs per document pair, and within a pair it keeps the top-k targets of
each source using chunked matrix products.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .extract import RESPONSIBILITY_LIST

_CLAUSE_SPLIT = re.compile(r"(?<=[。;；!！?？])")
_NOISE = re.compile(r"[\ufffd]")
MIN_SPAN = 4


def match_text(text: str) -> str:
    """Text used for matching: no responsibility lists (shared unit names are not content)."""
    return _NOISE.sub("", RESPONSIBILITY_LIST.sub("", text)).strip()


def clauses(text: str, min_chars: int = 6) -> list[str]:
    """Sentences of a measure (split at 。；！？), short fragments merged into their neighbour."""
    parts = [p.strip() for p in _CLAUSE_SPLIT.split(match_text(text)) if p.strip()]
    out: list[str] = []
    for p in parts:
        if out and len(re.sub(r"\W", "", p)) < min_chars:
            out[-1] += p
        else:
            out.append(p)
    return out or [match_text(text) or text]


def _content(s: str) -> str:
    return re.sub(r"[^\u4e00-\u9fff0-9A-Za-z%]", "", s)


def shared_spans(a: str, b: str, min_len: int = MIN_SPAN) -> list[str]:
    """Maximal substrings of length >= ``min_len`` that ``a`` and ``b`` share (content chars only),
    longest first, without overlaps in ``b``."""
    a, b = _content(a), _content(b)
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
    """Share of the shorter text's content characters lying in spans shared with the other."""
    ca, cb = _content(a), _content(b)
    if not ca or not cb:
        return 0.0
    short, long_ = (ca, cb) if len(ca) <= len(cb) else (cb, ca)
    covered = sum(len(s) for s in shared_spans(long_, short, min_len))
    return min(1.0, covered / len(short))


SIGNALS = ("lexical", "semantic", "reuse", "semantic_doc", "lexical_clause",
           "lexical_vs_row_best", "semantic_vs_row_best", "lexical_vs_col_best")


@dataclass(frozen=True)
class ScoreModel:
    """Logistic combination of the signals in :data:`SIGNALS`.

    Coefficients were fitted by logistic regression on the development gold (000 -> 003, see
    ``scripts/calibrate.py``); the *_vs_*_best signals are each score minus the best score of
    its row (source) or column (target), which makes the model relative within a plan pair.
    """

    weights: tuple[float, ...] = (2.29, 2.42, 3.53, 2.92, 3.82, 2.05, 3.80, 2.14)
    intercept: float = -6.30

    def __call__(self, features: np.ndarray) -> np.ndarray:
        z = self.intercept + features @ np.asarray(self.weights)
        return 1.0 / (1.0 + np.exp(-z))


def _group_max(sim: np.ndarray, row_groups: np.ndarray, col_starts: np.ndarray, n_rows: int) -> np.ndarray:
    """Max of ``sim`` (clauses x clauses) over clause groups -> (n_src, n_tgt)."""
    by_col = np.maximum.reduceat(sim, col_starts, axis=1)
    out = np.full((n_rows, by_col.shape[1]), -1.0, dtype=np.float32)
    np.maximum.at(out, row_groups, by_col)
    return out


def _starts(groups: list[list[str]]) -> np.ndarray:
    return np.cumsum([0] + [len(g) for g in groups[:-1]])


def pair_signals(src_texts: list[str], tgt_texts: list[str], embed, top_k: int = 10) -> dict[str, np.ndarray]:
    """Signals for every (source, target) pair of two plans.

    ``embed`` maps a list of texts to unit vectors. ``reuse`` is computed only for each source's
    ``top_k`` targets by the other signals (0 elsewhere), which keeps the work linear in k.

    Returns
    -------
    dict of (len(src_texts), len(tgt_texts)) float arrays, one per name in :data:`SIGNALS`.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    n, m = len(src_texts), len(tgt_texts)
    cs, ct = [clauses(t) for t in src_texts], [clauses(t) for t in tgt_texts]
    flat_s, flat_t = [c for g in cs for c in g], [c for g in ct for c in g]
    rows_s = np.repeat(np.arange(n), [len(g) for g in cs])
    starts_t = _starts(ct)
    docs_s, docs_t = [match_text(t) for t in src_texts], [match_text(t) for t in tgt_texts]
    # one call per side pair, so fitted encoders (lexical) share one vocabulary
    v = embed(flat_s + flat_t)
    semantic = _group_max(v[: len(flat_s)] @ v[len(flat_s):].T, rows_s, starts_t, n)
    d = embed(docs_s + docs_t)
    semantic_doc = d[:n] @ d[n:].T
    vec = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True).fit(docs_s + docs_t)
    lexical = (vec.transform(docs_s) @ vec.transform(docs_t).T).toarray()
    cvec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True).fit(flat_s + flat_t)
    lexical_clause = _group_max((cvec.transform(flat_s) @ cvec.transform(flat_t).T).toarray(), rows_s, starts_t, n)
    signals = {
        "lexical": lexical, "semantic": semantic, "semantic_doc": semantic_doc,
        "lexical_clause": lexical_clause,
        "lexical_vs_row_best": lexical - lexical.max(1, keepdims=True),
        "semantic_vs_row_best": semantic - semantic.max(1, keepdims=True),
        "lexical_vs_col_best": lexical - lexical.max(0, keepdims=True),
    }
    reuse = np.zeros((n, m), dtype=np.float32)
    prelim = lexical + semantic
    k = min(top_k, m)
    for i in range(n):
        for j in np.argpartition(-prelim[i], k - 1)[:k] if k else []:
            reuse[i, j] = max(reuse_share(a, b) for a in cs[i] for b in ct[j])
    signals["reuse"] = reuse
    return {name: np.asarray(signals[name], dtype=np.float32) for name in SIGNALS}


def evidence_text(src: str, tgt: str, signals: dict[str, float], max_spans: int = 3) -> str:
    """Short, human-readable reason for a link: shared spans, else the strongest signal."""
    spans = [sp for sp in shared_spans(match_text(src), match_text(tgt)) if len(sp) >= MIN_SPAN][:max_spans]
    head = f"sem {signals['semantic']:.2f} lex {signals['lexical']:.2f} reuse {signals['reuse']:.2f}"
    if spans:
        return f"shared: {'｜'.join(spans)} ({head})"
    return f"no shared wording; semantic match ({head})"


def label_links(scores: np.ndarray, strong: float, partial: float, top1: float) -> np.ndarray:
    """'strong' / 'partial' / 'candidate' for a (n_src, n_tgt) score matrix.

    A source's best target is asserted (partial) from ``top1`` upward, since most upper
    measures are carried somewhere; any other target needs ``partial``.
    """
    labels = np.full(scores.shape, "candidate", dtype=object)
    best = scores == scores.max(axis=1, keepdims=True)
    labels[(scores >= partial) | (best & (scores >= top1))] = "partial"
    labels[scores >= strong] = "strong"
    return labels


def align_pair(src: pd.DataFrame, tgt: pd.DataFrame, embed, model: ScoreModel | None = None,
               top_k: int = 10, strong: float = 0.6, partial: float = 0.28, top1: float = 0.05) -> pd.DataFrame:
    """Alignments from the measures ``src`` to the units ``tgt`` (one plan each, or a few).

    Returns
    -------
    pd.DataFrame
        Columns of :data:`alignment.schemas.ALIGNMENTS`; the ``top_k`` best targets of each
        source, ranked, labelled and explained.
    """
    from .schemas import ALIGNMENTS

    cols = list(ALIGNMENTS.columns)
    if src.empty or tgt.empty:
        return pd.DataFrame(columns=cols)
    model = model or ScoreModel()
    sig = pair_signals(src["text"].tolist(), tgt["text"].tolist(), embed, top_k)
    features = np.stack([sig[k] for k in SIGNALS], axis=-1)
    scores = model(features)
    labels = label_links(scores, strong, partial, top1)
    k = min(top_k, len(tgt))
    rows = []
    src_text, tgt_text = src["text"].tolist(), tgt["text"].tolist()
    for i in range(len(src)):
        order = np.argsort(-scores[i], kind="stable")[:k]
        for rank, j in enumerate(order, start=1):
            s = {name: float(sig[name][i, j]) for name in ("semantic", "lexical", "reuse")}
            rows.append({
                "src_measure_id": src["measure_id"].iat[i], "tgt_measure_id": tgt["measure_id"].iat[j],
                "src_doc": src["doc_id"].iat[i], "tgt_doc": tgt["doc_id"].iat[j],
                "score": float(scores[i, j]), "rank": rank, "label": labels[i, j],
                "semantic": s["semantic"], "lexical": s["lexical"], "reuse": s["reuse"],
                "evidence": evidence_text(src_text[i], tgt_text[j], s) if labels[i, j] != "candidate" else
                f"sem {s['semantic']:.2f} lex {s['lexical']:.2f}",
            })
    return pd.DataFrame(rows, columns=cols)


def coverage(alignments: pd.DataFrame, src_measures: pd.DataFrame, tgt_doc: str) -> pd.DataFrame:
    """covered / partial / gap for each source measure in one lower plan, with its best link.

    Returns
    -------
    pd.DataFrame
        Columns of :data:`alignment.schemas.COVERAGE`.
    """
    from .schemas import COVERAGE

    al = alignments[alignments["tgt_doc"] == tgt_doc]
    rows = []
    for mid, doc in zip(src_measures["measure_id"], src_measures["doc_id"]):
        links = al[(al["src_measure_id"] == mid) & al["label"].isin(["strong", "partial"])]
        if links.empty:
            rows.append({"src_measure_id": mid, "src_doc": doc, "tgt_doc": tgt_doc, "status": "gap",
                         "best_tgt_measure_id": "", "best_score": 0.0, "evidence": ""})
            continue
        best = links.sort_values("score", ascending=False).iloc[0]
        status = "covered" if (links["label"] == "strong").any() else "partial"
        rows.append({"src_measure_id": mid, "src_doc": doc, "tgt_doc": tgt_doc, "status": status,
                     "best_tgt_measure_id": best["tgt_measure_id"], "best_score": float(best["score"]),
                     "evidence": best["evidence"]})
    return pd.DataFrame(rows, columns=list(COVERAGE.columns))


LEVEL_RANK = {"national": 0, "provincial": 1, "municipal": 2, "county": 3, "unknown": 4}


def plan_pairs(documents: pd.DataFrame) -> list[tuple[str, str]]:
    """(upper, lower) plan pairs to align: each plan against every plan above it, and plans of
    the same level against each other both ways (siblings implementing shared upstream texts)."""
    pairs = []
    docs = list(zip(documents["doc_id"], documents["level"]))
    for a, la in docs:
        for b, lb in docs:
            if a != b and LEVEL_RANK.get(la, 4) <= LEVEL_RANK.get(lb, 4):
                pairs.append((a, b))
    return pairs


def sources_and_targets(measures: pd.DataFrame, src_docs: list[str], tgt_docs: list[str]):
    """Numbered measures of the source plans; every unit of the target plans (closing and goal
    paragraphs also carry duties)."""
    src = measures[measures["doc_id"].isin(src_docs) & (measures["kind"] == "measure")]
    tgt = measures[measures["doc_id"].isin(tgt_docs)]
    return src.reset_index(drop=True), tgt.reset_index(drop=True)


def align_plans(measures: pd.DataFrame, pairs: list[tuple[str, str]], embed, settings,
                progress: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Align every (upper, lower) pair and derive coverage.

    Returns
    -------
    (alignments, coverage)
        Tables of :data:`alignment.schemas.ALIGNMENTS` and :data:`alignment.schemas.COVERAGE`.
    """
    from tqdm import tqdm

    from . import schemas

    al_parts, cov_parts = [], []
    for a, b in tqdm(pairs, desc="align", unit="pair", disable=not progress):
        src, tgt = sources_and_targets(measures, [a], [b])
        al = align_pair(src, tgt, embed, top_k=settings.top_k, strong=settings.strong_threshold,
                        partial=settings.partial_threshold, top1=settings.top1_threshold)
        al_parts.append(al)
        cov_parts.append(coverage(al, src, b))
    cols_al, cols_cov = list(schemas.ALIGNMENTS.columns), list(schemas.COVERAGE.columns)
    alignments = pd.concat(al_parts, ignore_index=True) if al_parts else pd.DataFrame(columns=cols_al)
    cov = pd.concat(cov_parts, ignore_index=True) if cov_parts else pd.DataFrame(columns=cols_cov)
    alignments["rank"] = alignments["rank"].astype(int)
    for col in ("score", "semantic", "lexical", "reuse"):
        alignments[col] = alignments[col].astype(float).clip(lower=-1.0)
    alignments["score"] = alignments["score"].clip(0.0, 1.0)
    cov["best_score"] = cov["best_score"].astype(float)
    return (schemas.validate(alignments, schemas.ALIGNMENTS, "alignments"),
            schemas.validate(cov, schemas.COVERAGE, "coverage"))


def cached_embedder(encoder_name: str, settings, progress: bool = True):
    """``embed(texts) -> vectors`` for an encoder name, backed by the on-disk cache."""
    from .embed import EmbeddingCache, embed_texts, get_encoder

    encoder = get_encoder(encoder_name)
    cache = EmbeddingCache(settings.cache_dir)
    return lambda texts: embed_texts(texts, encoder, cache, settings.batch_size, progress)
