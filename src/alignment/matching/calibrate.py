"""Calibrate stage: hand-labelled gold pairs -> a :class:`~alignment.match.ScoreModel` per encoder.

Takes the measures table and gold rows (format of :mod:`alignment.evaluate`), builds the
candidate pairs the matcher would build for each gold plan pair, labels each candidate from
the gold (linked or not), and fits a logistic regression over the encoder's features
(:func:`alignment.matching.score.features_for`: more for a combined encoder).
Cross-validation groups candidates by source measure, so every fold scores measures the model
did not see; its report is the honest estimate of how the calibration transfers.
"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from .align import sources_and_targets
from .evaluate import gold_links, score_alignments
from .evidence import candidate_features
from .score import MatchParams, ScoreModel, features_for, label_links

__all__ = ["THRESHOLD_GRID", "calibrate_encoder", "choose_thresholds", "cross_validate", "feature_columns", "fit_score_model",
           "labelled_alignments", "labelled_candidates", "write_calibration"]


def labelled_candidates(measures: pd.DataFrame, gold_rows: list[dict], doc_pairs: list[tuple[str, str]],
                        embed, top_k: int = 10) -> pd.DataFrame:
    """Candidate pairs of the gold plan pairs with their features and gold labels.

    Parameters
    ----------
    measures : pd.DataFrame
        The measures table.
    gold_rows : list of dict
        Gold rows from :func:`alignment.matching.evaluate.read_gold`.
    doc_pairs : list of (str, str)
        (source, target) plan ids to build candidates for, e.g. from
        :func:`alignment.matching.evaluate.gold_plan_pairs`.
    embed : Embed
        Texts -> row-normalised vectors of the encoder being calibrated; its ``encoder_name``
        (if any) selects the features (:func:`~alignment.matching.score.features_for`).
    top_k : int
        Candidates per source measure.

    Returns
    -------
    pd.DataFrame
        One row per candidate: ``src_measure_id``, ``tgt_measure_id``, ``src_doc``, ``tgt_doc``,
        the feature columns, ``linked`` and ``strong`` (0/1 from the gold). Only sources the
        gold labels are kept.
    """
    items, _ = gold_links(measures, gold_rows)
    features = features_for(getattr(embed, "encoder_name", ""))
    parts = []
    for a, b in doc_pairs:
        src, tgt = sources_and_targets(measures, [a], [b])
        src = src[src["measure_id"].isin(items)].reset_index(drop=True)
        if src.empty or tgt.empty:
            continue
        found = candidate_features(src["text"].tolist(), tgt["text"].tolist(), embed, top_k)
        cols, feats = found.cols, found.features
        frame = pd.DataFrame({f: feats[f].ravel() for f in features})
        frame.insert(0, "src_measure_id", np.repeat(src["measure_id"].to_numpy(), cols.shape[1]))
        frame.insert(1, "tgt_measure_id", tgt["measure_id"].to_numpy()[cols.ravel()])
        frame.insert(2, "src_doc", a)
        frame.insert(3, "tgt_doc", b)
        frame["linked"] = [int(t in items[s]["any"]) for s, t in zip(frame["src_measure_id"], frame["tgt_measure_id"])]
        frame["strong"] = [int(t in items[s]["strong"]) for s, t in zip(frame["src_measure_id"], frame["tgt_measure_id"])]
        parts.append(frame)
    if not parts:
        raise ValueError("no gold source measure could be matched to the measures table")
    return pd.concat(parts, ignore_index=True)


def fit_score_model(frame: pd.DataFrame, encoder: str, c: float = 1.0, note: str = "",
                    features: tuple[str, ...] | None = None) -> ScoreModel:
    """Logistic regression of ``linked`` on the feature columns of ``frame``.

    Parameters
    ----------
    frame : pd.DataFrame
        Labelled candidates from :func:`labelled_candidates` (feature columns and ``linked``).
    encoder : str
        Encoder name the model is stored under.
    c : float
        Inverse regularisation strength (scikit-learn's ``C``).
    note : str
        Free text kept with the model in the calibration file.
    features : tuple of str or None
        Feature columns to fit on; default all of ``frame``'s (:func:`feature_columns`).
    """
    from sklearn.linear_model import LogisticRegression

    if frame["linked"].nunique() < 2:
        raise ValueError("the gold gives no linked (or no unlinked) candidate pair; cannot calibrate")
    features = tuple(features or feature_columns(frame))
    x = frame[list(features)].to_numpy()
    lr = LogisticRegression(C=c, max_iter=5000).fit(x, frame["linked"].to_numpy())
    return ScoreModel(tuple(float(w) for w in lr.coef_[0]), float(lr.intercept_[0]), features, encoder, note,
                      means=tuple(float(v) for v in x.mean(axis=0)))


_NOT_FEATURES = ("src_measure_id", "tgt_measure_id", "src_doc", "tgt_doc", "linked", "strong")


def feature_columns(frame: pd.DataFrame) -> tuple[str, ...]:
    """The feature columns of labelled candidates (:func:`labelled_candidates`), in order.

    Parameters
    ----------
    frame : pd.DataFrame
        Labelled candidates.
    """
    return tuple(c for c in frame.columns if c not in _NOT_FEATURES)


def labelled_alignments(frame: pd.DataFrame, scores: np.ndarray, params: MatchParams) -> pd.DataFrame:
    """An alignments-like table (``src_measure_id``, ``tgt_measure_id``, ``score``, ``label``)
    for scored candidates, labelled with the thresholds of ``params``.

    Parameters
    ----------
    frame : pd.DataFrame
        Candidates with ``src_measure_id`` and ``tgt_measure_id`` (e.g. :func:`labelled_candidates`).
    scores : np.ndarray
        One link probability per row of ``frame``.
    params : MatchParams
        Label thresholds ``strong``, ``partial`` and ``top1``.
    """
    out = frame[["src_measure_id", "tgt_measure_id"]].copy()
    out["score"] = scores
    out["label"] = "candidate"
    for idx in out.groupby("src_measure_id").indices.values():
        out.iloc[idx, out.columns.get_loc("label")] = label_links(
            scores[idx][None, :], params.strong, params.partial, params.top1)[0]
    return out


def cross_validate(frame: pd.DataFrame, measures: pd.DataFrame, gold_rows: list[dict], params: MatchParams,
                   folds: int = 6, c: float = 1.0, features: tuple[str, ...] | None = None) -> tuple[dict, np.ndarray]:
    """Out-of-fold scores (folds grouped by source measure) and the metrics they reach.

    Parameters
    ----------
    frame : pd.DataFrame
        Labelled candidates from :func:`labelled_candidates`.
    measures : pd.DataFrame
        The measures table (maps gold quotes to measures).
    gold_rows : list of dict
        Gold rows from :func:`alignment.matching.evaluate.read_gold`.
    params : MatchParams
        Label thresholds applied to the out-of-fold scores.
    folds : int
        Number of folds (at most the number of source measures).
    c : float
        Inverse regularisation strength passed to :func:`fit_score_model`.
    features : tuple of str or None
        Feature columns to fit on; default all of ``frame``'s (:func:`feature_columns`).

    Returns
    -------
    (metrics, scores)
        ``metrics`` as :func:`alignment.evaluate.score_alignments`; ``scores`` one per row.
    """
    from sklearn.model_selection import GroupKFold

    features = tuple(features or feature_columns(frame))
    scores = np.zeros(len(frame))
    groups = frame["src_measure_id"].to_numpy()
    for train, test in GroupKFold(n_splits=min(folds, len(set(groups)))).split(frame, groups=groups):
        model = fit_score_model(frame.iloc[train], "cv", c, features=features)
        scores[test] = model(frame.iloc[test][list(features)].to_numpy())
    al = labelled_alignments(frame, scores, params)
    return score_alignments(measures, al, gold_rows), scores


THRESHOLD_GRID = {"strong": (0.4, 0.5, 0.6, 0.7, 0.8), "partial": (0.2, 0.25, 0.3, 0.35, 0.4, 0.5),
                  "top1": (0.1, 0.15, 0.2, 0.3, 0.4, 0.5)}


def choose_thresholds(frame: pd.DataFrame, scores: np.ndarray, measures: pd.DataFrame,
                      gold_rows: list[dict], top_k: int) -> tuple[tuple[float, float, float], dict]:
    """(strong, partial, top1) maximising any-link F1 + strong-link F1 + gap F1 of ``scores``
    (out-of-fold scores, so the choice is not fitted to in-sample scores).

    Parameters
    ----------
    frame : pd.DataFrame
        Labelled candidates from :func:`labelled_candidates`.
    scores : np.ndarray
        Out-of-fold scores, one per row of ``frame`` (from :func:`cross_validate`).
    measures : pd.DataFrame
        The measures table.
    gold_rows : list of dict
        Gold rows from :func:`alignment.matching.evaluate.read_gold`.
    top_k : int
        ``top_k`` of the :class:`MatchParams` tried (does not change the candidates).

    Returns
    -------
    (thresholds, metrics at those thresholds)
    """
    best = None
    for partial in THRESHOLD_GRID["partial"]:
        for top1 in (t for t in THRESHOLD_GRID["top1"] if t <= partial):
            for strong in (t for t in THRESHOLD_GRID["strong"] if t >= partial):
                r = score_alignments(measures, labelled_alignments(frame, scores, MatchParams(top_k, strong, partial, top1)),
                                     gold_rows)
                objective = r["any_link"]["f"] + r["strong_link"]["f"] + r["gap"]["f"]
                if best is None or objective > best[0] + 1e-9:
                    best = (objective, (strong, partial, top1), r)
    return best[1], best[2]


def calibrate_encoder(measures: pd.DataFrame, gold_rows: list[dict], doc_pairs: list[tuple[str, str]], embed,
                      top_k: int, source: str = "gold") -> tuple[ScoreModel, dict]:
    """The calibrated score model of one encoder and its cross-validated metrics: candidates
    labelled from the gold, thresholds chosen on out-of-fold scores, weights fitted on all.

    Parameters
    ----------
    measures : pd.DataFrame
        The measures table.
    gold_rows : list of dict
        Gold rows (:func:`alignment.matching.evaluate.read_gold`).
    doc_pairs : list of (str, str)
        The (source, target) plan ids the gold labels.
    embed : Embed
        The encoder's embedder; its ``encoder_name`` names the model.
    top_k : int
        Candidates per source measure.
    source : str
        What the gold is, for the model's note (e.g. the file names).

    Returns
    -------
    (model, metrics)
        The model with its chosen thresholds, and the metrics of :func:`cross_validate` at them.
    """
    frame = labelled_candidates(measures, gold_rows, doc_pairs, embed, top_k)
    _, scores = cross_validate(frame, measures, gold_rows, MatchParams(top_k))
    thresholds, metrics = choose_thresholds(frame, scores, measures, gold_rows, top_k)
    note = (f"fit on {source}: {len(frame)} candidates, {int(frame['linked'].sum())} linked; cross-validated "
            f"any-link F1 {metrics['any_link']['f']:.3f}")
    name = getattr(embed, "encoder_name", "")
    return replace(fit_score_model(frame, name, note=note), thresholds=thresholds), metrics


def write_calibration(path: Path, models: list[ScoreModel]) -> None:
    """Add or replace the models' entries in the calibration file at ``path`` (atomically).

    Parameters
    ----------
    path : Path
        Calibration JSON file (e.g. ``Settings.calibration_path``); created if missing.
    models : list of ScoreModel
        Models to store, each under its ``encoder`` name.
    """
    from ..io import write_text

    path = Path(path)
    table = json.loads(path.read_text("utf-8")) if path.exists() else {}
    table.update({m.encoder: m.to_dict() for m in models})
    write_text(path, json.dumps(table, ensure_ascii=False, indent=1) + "\n")
