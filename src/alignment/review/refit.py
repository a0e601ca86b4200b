"""Active calibration: the score model refitted on a person's decisions.

:func:`refit_model` fits a logistic regression whose Gaussian prior is centred on the shipped
calibration's weights, so a few decisions move it a little and many move it far; the prior's
strength is chosen by cross-validation on the decisions. Decisions are picked near the
thresholds (:mod:`alignment.review.queue`), a sample far from representative, and a refit on
them alone would bend the model to the boundary; the prior is what keeps it honest.
:func:`decided_matching` is what ``align``, ``run`` and ``review`` call: the blocks' evidence,
the project's decisions on today's ids, and the model refitted on them.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..matching.align import Block, block_evidence
from ..matching.embed import Embed
from ..matching.pairing import direction_of
from ..matching.score import MatchParams, ScoreModel
from .decisions import read_decisions, resolve_decisions

__all__ = ["MIN_DECISIONS_FOR_CV", "PRIOR_STRENGTHS", "decided_matching", "decision_features", "refit_model",
           "refit_on_decisions", "refit_report"]


def decision_features(blocks: list[Block], decided: pd.DataFrame, features: tuple[str, ...]):
    """Feature rows and answers of the decided pairs found among the blocks' candidates.

    Parameters
    ----------
    blocks : list of Block
        Blocks with evidence (:func:`alignment.matching.align.block_evidence`).
    decided : pd.DataFrame
        Current decisions (:func:`resolve_decisions`).
    features : tuple of str
        Feature names, in the score model's order.

    Returns
    -------
    (x, linked, groups)
        (n, len(features)) features; 1 where the decision is a link (strong or partial); the
        source measure of each row as the pair was asked (for grouped cross-validation; a
        decision seen in both directions' blocks stays in one fold).
    """
    asked = decided["as_asked"] if "as_asked" in decided else pd.Series(True, index=decided.index)
    # a decision and its mirrored row share a group: the source measure as the pair was asked
    answer = {(s, t): (d, s if a else t) for s, t, d, a in
              zip(decided["src_measure_id"], decided["tgt_measure_id"], decided["decision"], asked)}
    xs, ys, groups = [], [], []
    for blk in blocks:
        if blk.found is None:
            continue
        src_ids, tgt_ids = blk.src["measure_id"].to_numpy(), blk.tgt["measure_id"].to_numpy()
        cols = blk.found.cols
        for i, s in enumerate(src_ids):
            for c, j in enumerate(cols[i]):
                hit = answer.get((s, tgt_ids[j]))
                if hit is not None:
                    xs.append([blk.found.features[f][i, c] for f in features])
                    ys.append(int(hit[0] != "none"))
                    groups.append(hit[1])
    x = np.asarray(xs, dtype=np.float64).reshape(len(xs), len(features))
    return x, np.asarray(ys, dtype=int), np.asarray(groups, dtype=object)


PRIOR_STRENGTHS = (1.0, 10.0, 100.0)  # L2 pulls towards the calibration that cross-validation chooses from
MIN_DECISIONS_FOR_CV = 20


def refit_model(model: ScoreModel, x: np.ndarray, linked: np.ndarray, prior_strength: float | None = None,
                note: str = "", groups: np.ndarray | None = None) -> ScoreModel:
    """The score model refitted on decisions: logistic regression with a Gaussian prior centred
    on ``model``'s weights and intercept (the shipped calibration), so few decisions move it a
    little and many move it far. Returns ``model`` itself when there is nothing to learn from.

    Without ``prior_strength`` the pull is chosen among :data:`PRIOR_STRENGTHS` by the
    cross-validated log-loss on the decisions (folds grouped by ``groups``, the source measure),
    the strongest when there are fewer than :data:`MIN_DECISIONS_FOR_CV` decisions.

    Parameters
    ----------
    model : ScoreModel
        The calibrated model (its weights are the prior mean, its thresholds are kept).
    x : np.ndarray
        (n, len(model.features)) features of decided pairs (:func:`decision_features`).
    linked : np.ndarray
        1 where the decided pair is a link, else 0.
    prior_strength : float or None
        Precision of the prior (higher keeps the refit nearer the calibration); ``None``: chosen
        as above.
    note : str
        Note stored with the refitted model.
    groups : np.ndarray or None
        Source measure of each decision (cross-validation folds); default one group per row.
    """
    if len(linked) == 0:
        return model
    theta0 = np.array([model.intercept, *model.weights], dtype=np.float64)
    design = np.hstack([np.ones((len(x), 1)), np.asarray(x, dtype=np.float64)])
    y = np.asarray(linked, dtype=np.float64)
    if prior_strength is None:
        prior_strength = _chosen_strength(design, y, theta0, groups)
    theta = _map_fit(design, y, theta0, prior_strength)
    return replace(model, weights=tuple(float(w) for w in theta[1:]), intercept=float(theta[0]),
                   note=note or f"refitted on {len(y)} decisions ({int(y.sum())} links; prior strength "
                                f"{prior_strength:g}) from: {model.note}")


def refit_on_decisions(model: ScoreModel, blocks: list[Block], decided: pd.DataFrame) -> ScoreModel:
    """:func:`refit_model` on the decided pairs found among the blocks' candidates.

    Parameters
    ----------
    model : ScoreModel
        The calibrated model.
    blocks : list of Block
        Blocks with evidence holding the decided pairs.
    decided : pd.DataFrame
        Current decisions (:func:`resolve_decisions`).
    """
    if decided is None or decided.empty:
        return model
    x, linked, groups = decision_features(blocks, decided, model.features)
    return refit_model(model, x, linked, groups=groups)


def refit_report(model: ScoreModel, blocks: list[Block], decided: pd.DataFrame, params: MatchParams) -> str:
    """How the calibrated and the refitted model score on the decided pairs, in one line: link
    F1 and accuracy at the run's partial threshold; the refitted model cross-validated (folds
    grouped by source measure, each fold refitted without its own decisions).

    Parameters
    ----------
    model : ScoreModel
        The calibrated model.
    blocks : list of Block
        Blocks with evidence holding the decided pairs.
    decided : pd.DataFrame
        Current decisions (:func:`resolve_decisions`).
    params : MatchParams
        The run's thresholds (settings override the calibrated ones).
    """
    from sklearn.model_selection import GroupKFold

    x, y, groups = decision_features(blocks, decided, model.features)
    if len(y) == 0:
        return "none of the decided pairs is among today's candidates: nothing to refit on"
    cut = params.partial

    def quality(p):
        pred = p >= cut
        tp = int(np.sum(pred & (y == 1)))
        f1 = 2 * tp / (pred.sum() + y.sum()) if pred.sum() + y.sum() else 0.0
        return f"link F1 {f1:.3f}, accuracy {np.mean(pred == (y == 1)):.3f}"

    line = (f"on the decided pairs among today's candidates ({len(y)} rows, a pair aligned both ways counting twice; "
            f"{int(y.sum())} links): calibrated model {quality(model(x))}")
    if len(set(groups)) < 2 or len(set(y)) < 2:
        return line + "; too few decisions to cross-validate a refit"
    cv = np.zeros(len(y))
    for train, test in GroupKFold(n_splits=min(5, len(set(groups)))).split(x, y, groups):
        cv[test] = refit_model(model, x[train], y[train], groups=groups[train])(x[test])
    return line + f"; refitted, cross-validated by source measure: {quality(cv)}"


def _map_fit(design: np.ndarray, y: np.ndarray, theta0: np.ndarray, strength: float) -> np.ndarray:
    """Maximum a posteriori logistic weights under a Gaussian prior N(theta0, 1/strength)."""
    from scipy.optimize import minimize

    def loss(theta):
        z = design @ theta
        p = 1.0 / (1.0 + np.exp(-z))
        diff = theta - theta0
        return (np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * strength * diff @ diff,
                design.T @ (p - y) + strength * diff)

    return minimize(loss, theta0, jac=True, method="L-BFGS-B").x


def _chosen_strength(design: np.ndarray, y: np.ndarray, theta0: np.ndarray, groups) -> float:
    """The prior strength with the lowest grouped cross-validated log-loss."""
    from sklearn.model_selection import GroupKFold

    groups = np.arange(len(y)) if groups is None else np.asarray(groups)
    if len(y) < MIN_DECISIONS_FOR_CV or len(set(groups)) < 3 or len(set(y)) < 2:
        return max(PRIOR_STRENGTHS)
    folds = GroupKFold(n_splits=min(5, len(set(groups))))
    losses = {}
    for strength in PRIOR_STRENGTHS:
        total = 0.0
        for train, test in folds.split(design, y, groups):
            z = design[test] @ _map_fit(design[train], y[train], theta0, strength)
            total += float(np.sum(np.logaddexp(0.0, z) - y[test] * z))
        losses[strength] = total
    return min(losses, key=losses.get)


def decided_matching(settings, measures: pd.DataFrame, documents: pd.DataFrame, pairs: list[tuple[str, str, str]],
                     embed: Embed, model: ScoreModel, progress: bool = True):
    """Evidence of the ``pairs`` blocks, the project's decisions on today's ids, and the score
    model refitted on every decision (those of other plan pairs too, whose blocks are built for
    the refit only).

    Parameters
    ----------
    settings : Settings
        Supplies ``decisions_path`` and ``top_k``.
    measures, documents : pd.DataFrame
        Today's measures and documents tables.
    pairs : list of (str, str, str)
        (source plan, target plan, direction) blocks to align.
    embed : Embed
        The run's embedder.
    model : ScoreModel
        The calibrated score model.
    progress : bool
        Show a progress bar over the blocks.

    Returns
    -------
    (blocks, model, decided)
        Blocks with evidence; the refitted model (``model`` itself when nobody decided anything);
        the decisions (:func:`~alignment.review.decisions.resolve_decisions`), or None.
    """
    decisions = read_decisions(settings.decisions_path)  # a damaged file stops the run before the costly part
    blocks = block_evidence(measures, pairs, embed, settings.top_k, progress)
    if decisions.empty:
        return blocks, model, None
    decided = resolve_decisions(decisions, measures)
    have = {(b.src_doc, b.tgt_doc) for b in blocks}
    elsewhere = sorted({(a, b) for a, b in zip(decided["src_doc"], decided["tgt_doc"])} - have)
    extra = block_evidence(measures, [(a, b, direction_of(documents, a, b)) for a, b in elsewhere], embed,
                           settings.top_k, progress=False)
    return blocks, refit_on_decisions(model, blocks + extra, decided), decided
