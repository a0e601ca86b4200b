"""The score model: a calibrated logistic combination of evidence, and the labels it gives.

:class:`ScoreModel` turns the evidence of a candidate pair (:data:`FEATURES`) into a link
probability; one is fitted per encoder by :mod:`alignment.matching.calibrate` and shipped in
``calibration.json`` (a project's ``data/interim/calibration.json`` overrides it). A combined
encoder (``use-multilingual+e5-small``) has more features (:func:`features_for`).
:func:`label_links` turns probabilities into strong / partial / candidate.
"""
from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from ..config import DEFAULT_ENCODER, DEFAULT_THRESHOLDS, ENCODER_SEP, TOP_K

__all__ = [
    "FEATURES",
    "PACKAGED_CALIBRATION",
    "MatchParams",
    "ScoreModel",
    "features_for",
    "label_links",
    "read_calibrations",
    "score_model_for",
]

FEATURES = (
    "lexical", "semantic", "lexical_clause", "semantic_clause", "span_info", "contain_src",
    "contain_tgt", "lexical_vs_row_best", "semantic_vs_row_best", "lexical_vs_col_best",
    "semantic_vs_col_best",
)


def features_for(encoder: str) -> tuple[str, ...]:
    """Features of an encoder's score model: :data:`FEATURES`, then for each extra encoder ``E``
    of a combination ``primary+E+...`` its whole-text cosine ``semantic@E`` and that cosine
    relative to its row and column best (as ``semantic_vs_row_best`` and ``semantic_vs_col_best``).

    Parameters
    ----------
    encoder : str
        Encoder name, e.g. ``use-multilingual`` or ``use-multilingual+e5-small``.

    Examples
    --------
    >>> features_for("use-multilingual+e5-small")[len(FEATURES):]
    ('semantic@e5-small', 'semantic@e5-small_vs_row_best', 'semantic@e5-small_vs_col_best')
    """
    extras = encoder.split(ENCODER_SEP)[1:]
    return FEATURES + tuple(f"semantic@{e}{rel}" for e in extras for rel in ("", "_vs_row_best", "_vs_col_best"))


@dataclass(frozen=True)
class ScoreModel:
    """Logistic combination of the encoder's features (:func:`features_for`): ``score = sigmoid(b + w . x)``.

    Fitted by :func:`alignment.calibrate.fit_score_model` on hand-labelled pairs and stored in
    ``calibration.json`` (packaged defaults; ``alignment calibrate`` writes a user file).
    """

    weights: tuple[float, ...]
    intercept: float
    features: tuple[str, ...] = FEATURES
    encoder: str = ""
    note: str = ""
    # label thresholds (strong, partial, top1) chosen with the model by cross-validation
    thresholds: tuple[float, float, float] = DEFAULT_THRESHOLDS
    # mean of each feature over the calibration candidates: the baseline for explanations
    means: tuple[float, ...] = ()

    def __post_init__(self):
        if len(self.weights) != len(self.features) or len(self.means) not in (0, len(self.features)):
            raise ValueError(f"score model of {self.encoder!r}: {len(self.weights)} weights and "
                             f"{len(self.means)} means for {len(self.features)} features")

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
        """The model stored in one entry of a calibration file (the inverse of :meth:`to_dict`).

        Parameters
        ----------
        encoder : str
            Encoder name the entry is stored under.
        d : dict
            The entry: ``weights`` by feature, ``intercept``, optional ``thresholds``, ``means``, ``note``.
        """
        w, features = d["weights"], features_for(encoder)
        missing = [f for f in features if f not in w]
        if missing:
            raise ValueError(f"calibration for {encoder!r} lacks features {missing}; "
                             f"rerun `alignment calibrate --encoders {encoder}`")
        t = d.get("thresholds", {})
        thresholds = tuple(float(t.get(k, v)) for k, v in zip(("strong", "partial", "top1"), cls.thresholds))
        means = d.get("means", {})
        return cls(tuple(float(w[f]) for f in features), float(d["intercept"]), features, encoder,
                   d.get("note", ""), thresholds, tuple(float(means.get(f, 0.0)) for f in features))


PACKAGED_CALIBRATION = "calibration.json"


def read_calibrations(path: Path | None = None) -> dict[str, dict]:
    """Calibrations by encoder name: the packaged file, overlaid by ``path`` if it exists.

    Parameters
    ----------
    path : Path or None
        A user calibration file (e.g. ``Settings.calibration_path``); ignored if missing.
    """
    table = json.loads(resources.files("alignment").joinpath(PACKAGED_CALIBRATION).read_text("utf-8"))
    if path is not None and Path(path).exists():
        table.update(json.loads(Path(path).read_text("utf-8")))
    return table


def score_model_for(encoder: str, path: Path | None = None,
                    fallback: str = DEFAULT_ENCODER.split(ENCODER_SEP)[0]) -> ScoreModel:
    """The calibrated model of ``encoder``; an uncalibrated encoder borrows a model with a
    warning (run ``alignment calibrate`` to fit one).

    An uncalibrated combination ``primary+E`` borrows the model of its primary (or, if that
    has none, of ``fallback``) with weight 0 on the features of ``E``: it scores as its primary
    alone, and its features are always :func:`features_for` ``(encoder)``. (It warns rather
    than raises because ``alignment calibrate`` loads a model before it fits one.)

    Parameters
    ----------
    encoder : str
        Encoder name, as in the settings.
    path : Path or None
        A user calibration file overlaying the packaged one (see :func:`read_calibrations`).
    fallback : str
        Encoder whose model is borrowed when ``encoder`` has none.
    """
    table = read_calibrations(path)
    if encoder in table:
        return ScoreModel.from_dict(encoder, table[encoder])
    primary = encoder.split(ENCODER_SEP)[0]
    lender = primary if primary != encoder and primary in table else fallback
    warnings.warn(f"no calibration for encoder {encoder!r}; using the one of {lender!r}"
                  f"{' (its extra encoders weighted 0)' if primary != encoder else ''}. Fit one with "
                  f"`alignment calibrate --gold FILE --encoders {encoder}`.", stacklevel=2)
    base, features = ScoreModel.from_dict(lender, table[lender]), features_for(encoder)
    weights, means = dict(zip(base.features, base.weights)), dict(zip(base.features, base.means))
    return ScoreModel(tuple(weights.get(f, 0.0) for f in features), base.intercept, features, encoder,
                      f"borrowed from {lender!r}", base.thresholds, tuple(means.get(f, 0.0) for f in features))


def label_links(scores: np.ndarray, strong: float, partial: float, top1: float) -> np.ndarray:
    """'strong' / 'partial' / 'candidate' for an (n_src, k) score array.

    A source's best target is asserted (partial) from ``top1`` upward, since most upper
    measures are carried somewhere; any other target needs ``partial``.

    Parameters
    ----------
    scores : np.ndarray
        (n_src, k) link probabilities of each source's candidates.
    strong : float
        Score from which a link is strong.
    partial : float
        Score from which a link is partial.
    top1 : float
        Score from which a source's best target is partial.

    Examples
    --------
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
    """What :func:`alignment.matching.align.align_pair` needs besides data: candidates per source and label thresholds."""

    top_k: int = TOP_K
    strong: float = DEFAULT_THRESHOLDS[0]
    partial: float = DEFAULT_THRESHOLDS[1]
    top1: float = DEFAULT_THRESHOLDS[2]

    @classmethod
    def from_settings(cls, s, model: ScoreModel | None = None) -> MatchParams:
        """Thresholds set in ``s`` win; unset ones come from the model's calibration.

        Parameters
        ----------
        s : Settings
            Supplies ``top_k`` and the ``*_threshold`` settings (``None`` = unset).
        model : ScoreModel or None
            Its calibrated thresholds fill unset ones; without it, the package defaults.
        """
        strong, partial, top1 = model.thresholds if model else (cls.strong, cls.partial, cls.top1)
        pick = (lambda v, d: d if v is None else v)
        return cls(s.top_k, pick(s.strong_threshold, strong), pick(s.partial_threshold, partial),
                   pick(s.top1_threshold, top1))
