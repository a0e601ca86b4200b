"""Match stage: measures of two plans -> labelled, explained links (alignments) and coverage.

Matching runs in blocks (one source plan against one target plan, or a few) and in two steps,
so it never builds an all-pairs matrix of a corpus:

1. **Candidates.** Whole-text and clause vectors (character n-gram TF-IDF and the encoder) are
   multiplied in memory-bounded chunks of sources; each source keeps its ``top_k`` targets by
   the sum of four similarities:

   - ``lexical``, ``semantic``: whole-text cosines (character 2-3-gram TF-IDF; encoder);
   - ``lexical_clause``, ``semantic_clause``: best clause-to-clause cosine, so a long bundled
     measure can match the one task that carries part of it.
2. **Evidence.** Each candidate pair gets the rest of :data:`FEATURES`:

   - ``span_info``: verbatim reuse in the spirit of Smith-Waterman reuse detectors: the
     informativeness of the longest shared character span, counted in character bigrams
     weighted by rarity in the block (a shared "法治建设" counts little, a shared
     "涉企收费检查摊派" much);
   - ``contain_src``, ``contain_tgt``: rarity-weighted share of each side's bigrams that the
     other side also has;
   - relative evidence: the whole-text cosines minus the best of their source (row) or target
     (column). (Ranks within a row are deliberately not used: they would give every source's
     best target a flat bonus and assert links where a plan has no counterpart.)

   A logistic :class:`ScoreModel` per encoder, calibrated on hand-labelled gold pairs
   (:mod:`alignment.calibrate`), turns them into the link probability ``score``.

Labels: ``strong`` from ``strong_threshold``, ``partial`` from ``partial_threshold`` (and a
source's best target from ``top1_threshold``), else ``candidate``.
"""
from __future__ import annotations

import json
import math
import re
import warnings
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .clean import content
from .extract import RESPONSIBILITY_LIST
from .schemas import LEVEL_RANK

_CLAUSE_SPLIT = re.compile(r"(?<=[。;；!！?？])")
_NOISE = re.compile(r"[\ufffd]")
MIN_SPAN = 4  # shortest shared span shown as evidence and counted as reuse

FEATURES = (
    "lexical", "semantic", "lexical_clause", "semantic_clause", "span_info", "contain_src",
    "contain_tgt", "lexical_vs_row_best", "semantic_vs_row_best", "lexical_vs_col_best",
    "semantic_vs_col_best",
)


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


def shared_spans(a: str, b: str, min_len: int = MIN_SPAN) -> list[str]:
    """Maximal substrings of length >= ``min_len`` that ``a`` and ``b`` share (content chars only),
    longest first, without overlaps in ``b``.

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
    """Share of the shorter text's content characters lying in spans shared with the other."""
    ca, cb = content(a), content(b)
    if not ca or not cb:
        return 0.0
    short, long_ = (ca, cb) if len(ca) <= len(cb) else (cb, ca)
    covered = sum(len(s) for s in shared_spans(long_, short, min_len))
    return min(1.0, covered / len(short))


def _bigrams(s: str) -> set[str]:
    return {s[i:i + 2] for i in range(len(s) - 1)}


def bigram_weights(docs: list[str]) -> dict[str, float]:
    """Rarity of each character bigram over ``docs`` (content text), scaled to [0, 1]:
    ``log(N / df) / log(N)``; a bigram in every document weighs 0. Unseen bigrams weigh 1."""
    n = len(docs)
    if n < 2:
        return {}
    df = Counter(g for d in docs for g in _bigrams(d))
    scale = math.log(n)
    return {g: math.log(n / c) / scale for g, c in df.items()}


def span_weight(span: str, weights: dict[str, float]) -> float:
    """Informativeness of a span: the summed rarity of its bigrams."""
    return sum(weights.get(span[i:i + 2], 1.0) for i in range(len(span) - 1))


@dataclass(frozen=True)
class ScoreModel:
    """Logistic combination of :data:`FEATURES` for one encoder: ``score = sigmoid(b + w . x)``.

    Fitted by :func:`alignment.calibrate.fit_score_model` on hand-labelled pairs and stored in
    ``calibration.json`` (packaged defaults; ``alignment calibrate`` writes a user file).
    """

    weights: tuple[float, ...]
    intercept: float
    features: tuple[str, ...] = FEATURES
    encoder: str = ""
    note: str = ""
    # label thresholds (strong, partial, top1) chosen with the model by cross-validation
    thresholds: tuple[float, float, float] = (0.6, 0.35, 0.35)
    # mean of each feature over the calibration candidates: the baseline for explanations
    means: tuple[float, ...] = ()

    def __call__(self, x: np.ndarray) -> np.ndarray:
        z = self.intercept + np.asarray(x, dtype=np.float64) @ np.asarray(self.weights)
        return 1.0 / (1.0 + np.exp(-z))

    def to_dict(self) -> dict:
        return {"weights": {f: round(w, 4) for f, w in zip(self.features, self.weights)},
                "intercept": round(self.intercept, 4),
                "thresholds": dict(zip(("strong", "partial", "top1"), self.thresholds)),
                "means": {f: round(v, 4) for f, v in zip(self.features, self.means)}, "note": self.note}

    @classmethod
    def from_dict(cls, encoder: str, d: dict) -> ScoreModel:
        w = d["weights"]
        missing = set(FEATURES) - set(w)
        if missing:
            raise ValueError(f"calibration for {encoder!r} lacks features {sorted(missing)}; "
                             f"rerun `alignment calibrate`")
        t = d.get("thresholds", {})
        thresholds = tuple(float(t.get(k, v)) for k, v in zip(("strong", "partial", "top1"), cls.thresholds))
        means = d.get("means", {})
        return cls(tuple(float(w[f]) for f in FEATURES), float(d["intercept"]), FEATURES, encoder,
                   d.get("note", ""), thresholds, tuple(float(means.get(f, 0.0)) for f in FEATURES))


PACKAGED_CALIBRATION = "calibration.json"


def read_calibrations(path: Path | None = None) -> dict[str, dict]:
    """Calibrations by encoder name: the packaged file, overlaid by ``path`` if it exists."""
    table = json.loads(resources.files("alignment").joinpath(PACKAGED_CALIBRATION).read_text("utf-8"))
    if path is not None and Path(path).exists():
        table.update(json.loads(Path(path).read_text("utf-8")))
    return table


def score_model_for(encoder: str, path: Path | None = None, fallback: str = "use-multilingual") -> ScoreModel:
    """The calibrated model of ``encoder``; an uncalibrated encoder borrows ``fallback``'s
    model with a warning (run ``alignment calibrate`` to fit one)."""
    table = read_calibrations(path)
    if encoder in table:
        return ScoreModel.from_dict(encoder, table[encoder])
    warnings.warn(f"no calibration for encoder {encoder!r}; using the one of {fallback!r}. Fit one with "
                  f"`alignment calibrate --gold FILE --encoders {encoder}`.", stacklevel=2)
    return ScoreModel.from_dict(encoder, table[fallback])


def centred(vectors):
    """Dense vectors minus their mean, re-normalised; sparse (lexical) vectors unchanged.

    Plans of one field share a common direction in any sentence encoder ("all about 法治"),
    which compresses cosines; removing the block's mean spreads them (Mu & Viswanath's
    "all-but-the-top" post-processing, first step). On the dev pair this lifts the average
    precision of the whole-text USE cosine from 0.40 to 0.51.
    """
    if hasattr(vectors, "toarray") or len(vectors) < 2:
        return vectors
    x = np.asarray(vectors, dtype=np.float32)
    x = x - x.mean(axis=0, keepdims=True)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def _dense_dot(a, b) -> np.ndarray:
    """a @ b.T as a dense float32 array, for dense or scipy-sparse rows."""
    out = a @ b.T
    return np.asarray(out.toarray() if hasattr(out, "toarray") else out, dtype=np.float32)


@dataclass(frozen=True)
class View:
    """One way of cutting texts into pieces, with their vectors.

    Rows ``src_bounds[i]:src_bounds[i + 1]`` of ``src`` are the pieces of source unit ``i``;
    ``tgt_starts[j]`` is the first row of target unit ``j`` in ``tgt`` (every unit has at least
    one piece). A unit pair's similarity is the best cosine between their pieces.
    """

    src: object
    tgt: object
    src_bounds: np.ndarray
    tgt_starts: np.ndarray

    @classmethod
    def of_pieces(cls, src, tgt, src_counts: list[int], tgt_counts: list[int]) -> View:
        return cls(src, tgt, np.cumsum([0, *src_counts]), np.cumsum([0, *tgt_counts[:-1]]))

    def unit_max(self, start: int, stop: int) -> np.ndarray:
        """(stop - start, n_tgt) best piece-to-piece cosine of source units start..stop."""
        lo = self.src_bounds[start]
        sims = _dense_dot(self.src[lo:self.src_bounds[stop]], self.tgt)
        by_tgt = np.maximum.reduceat(sims, self.tgt_starts, axis=1)
        return np.maximum.reduceat(by_tgt, self.src_bounds[start:stop] - lo, axis=0)


def top_k_candidates(views: dict[str, View], top_k: int, max_cells: int = 2**25) -> dict[str, np.ndarray]:
    """Each source's ``top_k`` targets by the summed similarity of all ``views``.

    Sources are processed in chunks sized so that no piece-by-piece block exceeds
    ``max_cells`` cells: memory stays bounded whatever the corpus size.

    Returns
    -------
    dict of arrays: ``cols`` (n_src, k), the candidate targets of each source; per view name, its
    similarity (n_src, k), ``<name>_row_best`` (n_src,) and ``<name>_col_best`` (n_tgt,) the
    best similarity over all targets / all sources.
    """
    first = next(iter(views.values()))
    n, m = len(first.src_bounds) - 1, len(first.tgt_starts)
    k = min(top_k, m)
    pieces = max(v.src_bounds[-1] / max(n, 1) * v.tgt.shape[0] for v in views.values())
    chunk = int(max(1, min(n, max_cells // max(pieces, 1))))
    out = {"cols": np.zeros((n, k), np.int64)}
    for name in views:
        out[name] = np.zeros((n, k), np.float32)
        out[f"{name}_row_best"] = np.zeros(n, np.float32)
        out[f"{name}_col_best"] = np.full(m, -1.0, np.float32)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        sims = {name: v.unit_max(start, stop) for name, v in views.items()}
        total = sum(sims.values())
        idx = np.argpartition(-total, k - 1, axis=1)[:, :k] if k < m else np.tile(np.arange(m), (stop - start, 1))
        out["cols"][start:stop] = idx
        for name, sim in sims.items():
            out[name][start:stop] = np.take_along_axis(sim, idx, 1)
            out[f"{name}_row_best"][start:stop] = sim.max(1)
            np.maximum(out[f"{name}_col_best"], sim.max(0), out=out[f"{name}_col_best"])
    return out


def candidate_features(src_texts: list[str], tgt_texts: list[str], embed, top_k: int = 10,
                       ) -> tuple[np.ndarray, dict[str, np.ndarray], list[list[str]]]:
    """Candidates and their evidence for every source of a block.

    ``embed`` maps a list of texts to row-normalised vectors (dense or sparse); it is called
    twice (whole texts, clauses), each time on sources and targets together so that fitted
    encoders share one vocabulary. Candidates are chosen on whole-text and clause-level
    similarity together, so a long measure still finds the task that carries one of its clauses.

    Returns
    -------
    (cols, features, spans)
        ``cols`` (n_src, k): row i holds source i's candidate targets; ``features`` maps each name in
        :data:`FEATURES` plus ``reuse`` to an (n_src, k) array; ``spans`` holds, per candidate
        (row-major), the shared spans of >= MIN_SPAN chars, most informative first.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    n, m = len(src_texts), len(tgt_texts)
    docs_s, docs_t = [match_text(t) for t in src_texts], [match_text(t) for t in tgt_texts]
    vec = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True, dtype=np.float32)
    lex = vec.fit_transform(docs_s + docs_t)
    sem = centred(embed(docs_s + docs_t))
    cs, ct = [clauses(t) for t in src_texts], [clauses(t) for t in tgt_texts]
    flat = [c for g in cs + ct for c in g]
    n_cs = sum(len(g) for g in cs)
    cvec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32)
    clex, csem = cvec.fit_transform(flat), centred(embed(flat))
    counts_s, counts_t = [len(g) for g in cs], [len(g) for g in ct]
    views = {
        "lexical": View.of_pieces(lex[:n], lex[n:], [1] * n, [1] * m),
        "semantic": View.of_pieces(sem[:n], sem[n:], [1] * n, [1] * m),
        "lexical_clause": View.of_pieces(clex[:n_cs], clex[n_cs:], counts_s, counts_t),
        "semantic_clause": View.of_pieces(csem[:n_cs], csem[n_cs:], counts_s, counts_t),
    }
    cand = top_k_candidates(views, top_k)
    cols = cand["cols"]

    text_s, text_t = [content(d) for d in docs_s], [content(d) for d in docs_t]
    weights = bigram_weights(text_s + text_t)
    grams_s, grams_t = [_bigrams(t) for t in text_s], [_bigrams(t) for t in text_t]
    mass_s = [span_weight_set(g, weights) for g in grams_s]
    mass_t = [span_weight_set(g, weights) for g in grams_t]
    span_info = np.zeros(cols.shape, np.float32)
    contain_src, contain_tgt, reuse = (np.zeros(cols.shape, np.float32) for _ in range(3))
    spans_out: list[list[str]] = []
    for s in range(n):
        for c, j in enumerate(cols[s]):
            spans = shared_spans(text_s[s], text_t[j], 3)
            ranked = sorted(spans, key=lambda sp: -span_weight(sp, weights))
            span_info[s, c] = math.log1p(span_weight(ranked[0], weights)) if ranked else 0.0
            shared = span_weight_set(grams_s[s] & grams_t[j], weights)
            contain_src[s, c] = shared / mass_s[s] if mass_s[s] else 0.0
            contain_tgt[s, c] = shared / mass_t[j] if mass_t[j] else 0.0
            short = min(len(text_s[s]), len(text_t[j])) or 1
            reuse[s, c] = min(1.0, sum(len(sp) for sp in spans if len(sp) >= MIN_SPAN) / short)
            spans_out.append(distinct_spans([sp for sp in ranked if len(sp) >= MIN_SPAN]))

    feats = {name: cand[name] for name in views}
    for name in ("lexical", "semantic"):
        feats[f"{name}_vs_row_best"] = cand[name] - cand[f"{name}_row_best"][:, None]
        feats[f"{name}_vs_col_best"] = cand[name] - cand[f"{name}_col_best"][cols]
    feats.update(span_info=span_info, contain_src=contain_src, contain_tgt=contain_tgt, reuse=reuse)
    return cols, {k: np.asarray(v, np.float32) for k, v in feats.items()}, spans_out


def distinct_spans(spans: list[str]) -> list[str]:
    """Spans in order, dropping repeats and spans inside an earlier one.

    >>> distinct_spans(["落实重大行政决策", "重大行政决策", "制度改革", "制度改革"])
    ['落实重大行政决策', '制度改革']
    """
    kept: list[str] = []
    for sp in spans:
        if not any(sp in k for k in kept):
            kept.append(sp)
    return kept


def span_weight_set(grams: set[str], weights: dict[str, float]) -> float:
    """Summed rarity of a set of bigrams."""
    return sum(weights.get(g, 1.0) for g in grams)


EVIDENCE_NAMES = {
    "lexical": "same wording", "semantic": "same meaning", "lexical_clause": "a clause in the same words",
    "semantic_clause": "a clause with the same meaning", "span_info": "a rare phrase reused verbatim",
    "contain_src": "source wording contained", "contain_tgt": "target wording contained",
}


def top_signal(model: ScoreModel, x: np.ndarray) -> str:
    """Plain-language name of the feature that lifts this pair's score most above a typical
    candidate's (weight x (value - calibration mean)); relative features never explain a link
    on their own, so only absolute evidence is named."""
    means = model.means or (0.0,) * len(model.features)
    contrib = {f: w * (v - mu) for f, w, v, mu in zip(model.features, model.weights, x, means)
               if f in EVIDENCE_NAMES}
    return EVIDENCE_NAMES[max(contrib, key=contrib.get)]


def evidence_text(spans: list[str], signals: dict[str, float], top: str = "", max_spans: int = 3) -> str:
    """Short, human-readable reason for a link: the most informative shared spans and the
    signal that carried it.

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


def label_links(scores: np.ndarray, strong: float, partial: float, top1: float) -> np.ndarray:
    """'strong' / 'partial' / 'candidate' for an (n_src, k) score array.

    A source's best target is asserted (partial) from ``top1`` upward, since most upper
    measures are carried somewhere; any other target needs ``partial``.

    >>> label_links(np.array([[0.9, 0.5, 0.1], [0.2, 0.1, 0.05]]), 0.6, 0.3, 0.15).tolist()
    [['strong', 'partial', 'candidate'], ['partial', 'candidate', 'candidate']]
    """
    labels = np.full(scores.shape, "candidate", dtype=object)
    best = scores == scores.max(axis=1, keepdims=True)
    labels[(scores >= partial) | (best & (scores >= top1))] = "partial"
    labels[scores >= strong] = "strong"
    return labels


@dataclass(frozen=True)
class MatchParams:
    """What :func:`align_pair` needs besides data: candidates per source and label thresholds."""

    top_k: int = 10
    strong: float = 0.6
    partial: float = 0.35
    top1: float = 0.35

    @classmethod
    def from_settings(cls, s, model: ScoreModel | None = None) -> MatchParams:
        """Thresholds set in ``s`` win; unset ones come from the model's calibration."""
        strong, partial, top1 = model.thresholds if model else (cls.strong, cls.partial, cls.top1)
        pick = (lambda v, d: d if v is None else v)
        return cls(s.top_k, pick(s.strong_threshold, strong), pick(s.partial_threshold, partial),
                   pick(s.top1_threshold, top1))


def align_pair(src: pd.DataFrame, tgt: pd.DataFrame, embed, model: ScoreModel,
               params: MatchParams = MatchParams(), direction: str = "top-down") -> pd.DataFrame:
    """Alignments from the measures ``src`` to the units ``tgt`` (one plan each, or a few).

    Returns
    -------
    pd.DataFrame
        Columns of :data:`alignment.schemas.ALIGNMENTS`; the ``top_k`` best targets of each
        source, ranked by score, labelled and explained.
    """
    from .schemas import ALIGNMENTS

    cols_out = list(ALIGNMENTS.columns)
    if src.empty or tgt.empty:
        return pd.DataFrame(columns=cols_out)
    cols, feats, spans = candidate_features(src["text"].tolist(), tgt["text"].tolist(), embed, params.top_k)
    x = np.stack([feats[f] for f in FEATURES], axis=-1)
    scores = model(x)
    labels = label_links(scores, params.strong, params.partial, params.top1)
    order = np.argsort(-scores, axis=1, kind="stable")
    src_ids, src_docs = src["measure_id"].to_numpy(), src["doc_id"].to_numpy()
    tgt_ids, tgt_docs = tgt["measure_id"].to_numpy(), tgt["doc_id"].to_numpy()
    k = cols.shape[1]
    out = []
    for i in range(cols.shape[0]):
        for rank, c in enumerate(order[i], start=1):
            j = cols[i, c]
            sig = {name: float(feats[name][i, c]) for name in ("semantic", "semantic_clause", "lexical")}
            out.append((src_ids[i], tgt_ids[j], src_docs[i], tgt_docs[j], direction,
                        float(scores[i, c]), rank, labels[i, c], sig["semantic"], sig["lexical"],
                        float(feats["reuse"][i, c]),
                        evidence_text(spans[i * k + c], sig, top_signal(model, x[i, c]))))
    return pd.DataFrame(out, columns=cols_out)


def coverage(alignments: pd.DataFrame, src_measures: pd.DataFrame, tgt_doc: str) -> pd.DataFrame:
    """covered / partial / gap for each source measure in one target plan, with its best link.

    Returns
    -------
    pd.DataFrame
        Columns of :data:`alignment.schemas.COVERAGE`.
    """
    from .schemas import COVERAGE

    al = alignments[(alignments["tgt_doc"] == tgt_doc) & alignments["label"].isin(["strong", "partial"])]
    best = al.sort_values("score", ascending=False).drop_duplicates("src_measure_id").set_index("src_measure_id")
    has_strong = set(al.loc[al["label"] == "strong", "src_measure_id"])
    direction = alignments["direction"].iat[0] if len(alignments) else "top-down"
    rows = []
    for mid, doc in zip(src_measures["measure_id"], src_measures["doc_id"]):
        if mid not in best.index:
            rows.append((mid, doc, tgt_doc, direction, "gap", "", 0.0, ""))
            continue
        b = best.loc[mid]
        rows.append((mid, doc, tgt_doc, direction, "covered" if mid in has_strong else "partial",
                     b["tgt_measure_id"], float(b["score"]), b["evidence"]))
    return pd.DataFrame(rows, columns=list(COVERAGE.columns))




_PARENTHESES = re.compile(r"[(（][^()（）]*[)）]")


def upstream_names(docs) -> set[str]:
    """Comparable names of cited or implemented documents: titles without 《》 or bracketed
    years and 文号 (法治中国建设规划(2020—2025年) -> 法治中国建设规划)."""
    out = set()
    for d in docs if isinstance(docs, (list, tuple, np.ndarray)) else []:
        text = d.get("normalized", d.get("text", "")) if isinstance(d, dict) else str(d)
        name = content(_PARENTHESES.sub("", text))
        if len(name) >= 4:
            out.add(name)
    return out


def _rank(level) -> int:
    """Rank of a plan level from the top (national = 0); an unknown level ranks last."""
    return LEVEL_RANK.get(level, LEVEL_RANK["unknown"])


def related_plans(a: dict, b: dict) -> bool:
    """Whether two plans belong in one alignment block: one's region contains the other's (a
    national plan contains every region), or they implement or cite a common upstream text.
    ``a``/``b`` are rows of the documents table as dicts."""
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
    """'top-down', 'bottom-up' or 'sibling' for aligning ``src_doc`` onto ``tgt_doc``, by level."""
    level = dict(zip(documents["doc_id"], documents["level"]))
    ra, rb = _rank(level.get(src_doc)), _rank(level.get(tgt_doc))
    return "top-down" if ra < rb else "bottom-up" if ra > rb else "sibling"


def sources_and_targets(measures: pd.DataFrame, src_docs: list[str], tgt_docs: list[str]):
    """Numbered measures of the source plans; the units of the target plans that can carry
    duties: measures, goals and closing paragraphs (a preamble only states why the plan exists)."""
    src = measures[measures["doc_id"].isin(src_docs) & (measures["kind"] == "measure")]
    tgt = measures[measures["doc_id"].isin(tgt_docs) & (measures["kind"] != "preamble")]
    return src.reset_index(drop=True), tgt.reset_index(drop=True)


def align_plans(measures: pd.DataFrame, pairs: list[tuple[str, str, str]], embed, model: ScoreModel,
                params: MatchParams = MatchParams(), progress: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Align every (source, target, direction) block and derive coverage.

    Returns
    -------
    (alignments, coverage)
        Tables of :data:`alignment.schemas.ALIGNMENTS` and :data:`alignment.schemas.COVERAGE`.
    """
    from tqdm import tqdm

    from . import schemas

    al_parts, cov_parts = [], []
    if hasattr(embed, "warm"):  # encode every text once, then blocks look vectors up
        used = measures[measures["doc_id"].isin({d for a, b, _ in pairs for d in (a, b)})]["text"]
        embed.warm(sorted({match_text(t) for t in used} | {c for t in used for c in clauses(t)}))
    for a, b, direction in tqdm(pairs, desc="align", unit="pair", disable=not progress):
        src, tgt = sources_and_targets(measures, [a], [b])
        al = align_pair(src, tgt, embed, model, params, direction)
        al_parts.append(al)
        cov_parts.append(coverage(al, src, b))
    cols_al, cols_cov = list(schemas.ALIGNMENTS.columns), list(schemas.COVERAGE.columns)
    alignments = pd.concat(al_parts, ignore_index=True) if al_parts else pd.DataFrame(columns=cols_al)
    cov = pd.concat(cov_parts, ignore_index=True) if cov_parts else pd.DataFrame(columns=cols_cov)
    alignments = alignments.astype({"rank": int, "score": float, "semantic": float, "lexical": float,
                                    "reuse": float})
    alignments["score"] = alignments["score"].clip(0.0, 1.0)
    cov["best_score"] = cov["best_score"].astype(float)
    return (schemas.validate(alignments, schemas.ALIGNMENTS, "alignments"),
            schemas.validate(cov, schemas.COVERAGE, "coverage"))


def cached_embedder(encoder_name: str, settings, progress: bool = True):
    """:class:`alignment.embed.CachedEmbedder` for an encoder name and the settings' cache."""
    from .embed import CachedEmbedder, EmbeddingCache, get_encoder

    return CachedEmbedder(get_encoder(encoder_name), EmbeddingCache(settings.cache_dir), settings.batch_size, progress)
