"""Review stage: a person's decisions on candidate pairs, the queue that asks for them, and the
score model refitted on them (active calibration).

The loop (``alignment review``):

1. :func:`review_queue` picks the pairs whose answers help most (strategy below) and
   :func:`write_queue` writes them as ``.csv`` or ``.xlsx`` (drop-down, wrapped text, shared
   wording marked) with a blank ``decision`` column.
2. The researcher fills ``decision`` with ``strong`` / ``partial`` / ``none`` (or 强 / 部分 / 无).
   :func:`decisions_from_review` checks the file whole (refused with row numbers, nothing
   recorded) and :func:`append_decisions` adds its rows to the project's append-only
   ``data/review/decisions.csv`` (:data:`alignment.schemas.DECISIONS`). A decision names both
   measures by id *and* by a hash of their text (:func:`text_hash`), so it survives a re-parse
   that renumbers measures; a later decision on the same pair overrides an earlier one.
3. :func:`resolve_decisions` maps the latest decision of every text pair onto today's measure
   ids; the matcher gives a decided pair the decided label (``reviewed=True``), and
   :func:`refit_model` refits the score model on all decisions, starting from the shipped
   calibration (a logistic regression whose prior is centred on the calibrated weights), so the
   pairs nobody reviewed improve too.

Queue strategy (:func:`review_queue`). For an undecided candidate with link probability ``p``:
a pair labelled a link is wrong with probability ``1 - p``; a pair not labelled a link is a
missed link with probability ``p``, and finding a missed link is worth about twice removing a
false one for F1 (it adds a true positive and removes a false negative). So the expected gain
is ``1 - p`` for labelled links and ``2p`` for the rest: the largest gains lie near the
thresholds, among a source's close top candidates, and past the top few wherever the model is
unsure. Picks are greedy with diversity: each further pick of the same source counts at half
the gain of the previous one, so the queue spreads over sources. Decided pairs never return.
"""
from __future__ import annotations

import getpass
import hashlib
import heapq
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from .. import schemas
from .align import Block
from .evaluate import norm_quote
from .score import ScoreModel
from .text import MIN_SPAN, distinct_spans, match_text, shared_spans

__all__ = [
    "DECISION_WORDS",
    "QUEUE_COLUMNS",
    "ReviewFileError",
    "append_decisions",
    "decision_features",
    "decisions_from_review",
    "default_reviewer",
    "queue_table",
    "read_decisions",
    "read_review_file",
    "refit_model",
    "resolve_decisions",
    "review_queue",
    "shared_wording",
    "text_hash",
    "write_queue",
]

# What a reviewer may write in the decision column, and what it means.
DECISION_WORDS = {"strong": "strong", "强": "strong", "partial": "partial", "部分": "partial",
                  "none": "none", "无": "none"}
QUEUE_COLUMNS = ("src_measure_id", "tgt_measure_id", "src_doc", "tgt_doc", "src_text", "tgt_text", "score",
                 "label", "shared", "evidence", "decision")
SAME_SOURCE_DECAY = 0.5  # each further pick of one source in a queue counts at this share of the last


class ReviewFileError(ValueError):
    """A review file that cannot be recorded; the message names the file and the bad rows."""


def text_hash(text: str) -> str:
    """Hash of a measure's text that survives re-parsing: compared in the form gold quotes are
    (:func:`~alignment.matching.evaluate.norm_quote`: simplified, content characters only).

    Parameters
    ----------
    text : str
        A measure's text.

    Examples
    --------
    >>> text_hash("加强法治建设。") == text_hash(" 加強法治建設 ")
    True
    """
    return hashlib.sha1(norm_quote(text).encode("utf-8")).hexdigest()[:16]


def default_reviewer() -> str:
    """The OS user name, the default ``--reviewer``."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        return "unknown"


# --------------------------------------------------------------------------- the decisions file


def read_decisions(path: Path) -> pd.DataFrame:
    """The project's decisions (:data:`alignment.schemas.DECISIONS`); empty if none were made.

    Parameters
    ----------
    path : Path
        ``data/review/decisions.csv`` of the project (``Settings.decisions_path``).
    """
    path = Path(path)
    if not path.exists():
        return schemas.frame([], schemas.DECISIONS)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return schemas.validate(frame, schemas.DECISIONS, f"decisions file {path}")


def append_decisions(path: Path, new: pd.DataFrame) -> int:
    """Add decisions to the file at ``path``; earlier rows are never changed. The file is
    replaced atomically, so an interrupted write leaves the old file whole.

    Parameters
    ----------
    path : Path
        The project's decisions file (created with its folder if missing).
    new : pd.DataFrame
        Rows of :data:`alignment.schemas.DECISIONS`.

    Returns
    -------
    int
        Number of rows added.
    """
    from ..io import atomic_path

    new = schemas.validate(new, schemas.DECISIONS, "new decisions")
    if new.empty:
        return 0
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    old = read_decisions(path)
    with atomic_path(path) as tmp:
        pd.concat([old, new], ignore_index=True).to_csv(tmp, index=False, encoding="utf-8")
    return len(new)


def resolve_decisions(decisions: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """The latest decision on every text pair, on today's measure ids.

    A decision applies to every pair of current measures whose texts hash as the decided
    ones (so renumbering does not lose it); one whose text changed no longer applies.

    Parameters
    ----------
    decisions : pd.DataFrame
        Rows of :data:`alignment.schemas.DECISIONS`, oldest first.
    measures : pd.DataFrame
        Today's measures table (``measure_id``, ``doc_id``, ``text``).

    Returns
    -------
    pd.DataFrame
        ``src_measure_id``, ``tgt_measure_id``, ``src_doc``, ``tgt_doc``, ``decision``,
        ``reviewer``, ``decided_at``: one row per current measure pair.
    """
    cols = ["src_measure_id", "tgt_measure_id", "src_doc", "tgt_doc", "decision", "reviewer", "decided_at"]
    if decisions.empty or measures.empty:
        return pd.DataFrame(columns=cols)
    latest = decisions.drop_duplicates(["src_hash", "tgt_hash"], keep="last")
    ids = pd.DataFrame({"measure_id": measures["measure_id"], "doc_id": measures["doc_id"],
                        "hash": measures["text"].map(text_hash)})
    out = latest.drop(columns=["src_measure_id", "tgt_measure_id", "src_doc", "tgt_doc"])
    out = out.merge(ids.rename(columns={"measure_id": "src_measure_id", "doc_id": "src_doc", "hash": "src_hash"}),
                    on="src_hash")
    out = out.merge(ids.rename(columns={"measure_id": "tgt_measure_id", "doc_id": "tgt_doc", "hash": "tgt_hash"}),
                    on="tgt_hash")
    out = out[out["src_doc"] != out["tgt_doc"]]
    return out[cols].drop_duplicates(["src_measure_id", "tgt_measure_id"], keep="last").reset_index(drop=True)


# --------------------------------------------------------------------------- reading a filled queue


def read_review_file(path: Path) -> pd.DataFrame:
    """A filled review queue as text columns: ``.xlsx`` (first sheet) or ``.csv`` (UTF-8, or
    GB18030 as Excel saves it on Chinese Windows).

    Parameters
    ----------
    path : Path
        The file the researcher filled.

    Raises
    ------
    ReviewFileError
        The file is missing or cannot be read as a table.
    """
    path = Path(path)
    if not path.is_file():
        raise ReviewFileError(f"{path}: no such file")
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        if path.suffix.lower() != ".csv":
            raise ReviewFileError(f"{path}: a review file is .csv or .xlsx, not {path.suffix or 'without suffix'}")
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
            except UnicodeDecodeError:
                continue
        raise ReviewFileError(f"{path}: neither UTF-8 nor GB18030 text")
    except ReviewFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - pandas/openpyxl raise many kinds on damaged files
        raise ReviewFileError(f"{path}: cannot be read as a table ({exc.__class__.__name__}: {exc})") from None


def decisions_from_review(frame: pd.DataFrame, measures: pd.DataFrame, reviewer: str, source: str,
                          decided_at: str | None = None) -> pd.DataFrame:
    """Decision rows (:data:`alignment.schemas.DECISIONS`) from a filled review queue; rows
    with a blank ``decision`` are not reviewed and skipped.

    The file is checked whole: an unknown decision word, an id that names no measure, or a
    missing column refuses the file, naming every bad row (as the spreadsheet numbers it,
    header = row 1).

    Parameters
    ----------
    frame : pd.DataFrame
        The file's table, all columns text (:func:`read_review_file`).
    measures : pd.DataFrame
        Today's measures table: ids must name its measures; texts give the hashes when the
        file has no ``src_text`` / ``tgt_text``.
    reviewer : str
        Who decided.
    source : str
        Name of the file, recorded with each decision.
    decided_at : str or None
        ISO time of the decisions; default now (UTC).

    Raises
    ------
    ReviewFileError
        The file cannot be recorded; nothing is.
    """
    frame = frame.rename(columns=lambda c: str(c).strip())
    missing = [c for c in ("src_measure_id", "tgt_measure_id", "decision") if c not in frame.columns]
    if missing:
        raise ReviewFileError(f"{source}: missing column(s) {', '.join(missing)}; a review file needs "
                              f"src_measure_id, tgt_measure_id and decision (as `alignment review --out` writes it)")
    text_of = dict(zip(measures["measure_id"].astype(str), measures["text"]))
    doc_of = dict(zip(measures["measure_id"].astype(str), measures["doc_id"]))
    problems, rows = [], []
    decided_at = decided_at or datetime.now(UTC).isoformat(timespec="seconds")
    for n, r in enumerate(frame.to_dict("records"), start=2):
        word = str(r.get("decision", "")).strip()
        if not word:
            continue
        decision = DECISION_WORDS.get(word.lower())
        s, t = str(r["src_measure_id"]).strip(), str(r["tgt_measure_id"]).strip()
        bad = []
        if decision is None:
            bad.append(f"unknown decision {word!r} (use strong, partial or none; 强, 部分 or 无)")
        for role, mid in (("src_measure_id", s), ("tgt_measure_id", t)):
            if mid not in text_of:
                bad.append(f"{role} {mid!r} names no measure of this project")
        if bad:
            problems.append(f"row {n}: {'; '.join(bad)}")
            continue
        src_text = str(r.get("src_text", "")).strip() or text_of[s]
        tgt_text = str(r.get("tgt_text", "")).strip() or text_of[t]
        rows.append((decided_at, reviewer, s, t, doc_of[s], doc_of[t], text_hash(src_text), text_hash(tgt_text),
                     decision, source))
    if problems:
        shown = problems[:20] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20 else [])
        raise ReviewFileError(f"{source}: refused, nothing recorded: " + " | ".join(shown))
    return schemas.frame(rows, schemas.DECISIONS)


# --------------------------------------------------------------------------- active calibration


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
        source measure of each row (for grouped cross-validation).
    """
    answer = {(s, t): d for s, t, d in zip(decided["src_measure_id"], decided["tgt_measure_id"], decided["decision"])}
    xs, ys, groups = [], [], []
    for blk in blocks:
        if blk.found is None:
            continue
        src_ids, tgt_ids = blk.src["measure_id"].to_numpy(), blk.tgt["measure_id"].to_numpy()
        cols = blk.found.cols
        for i, s in enumerate(src_ids):
            for c, j in enumerate(cols[i]):
                d = answer.get((s, tgt_ids[j]))
                if d is not None:
                    xs.append([blk.found.features[f][i, c] for f in features])
                    ys.append(int(d != "none"))
                    groups.append(s)
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


def refit_report(model: ScoreModel, blocks: list[Block], decided: pd.DataFrame) -> str:
    """How the calibrated and the refitted model score on the decided pairs, in one line: link
    F1 and accuracy at the partial threshold; the refitted model cross-validated (folds grouped
    by source measure, each fold refitted without its own decisions).

    Parameters
    ----------
    model : ScoreModel
        The calibrated model.
    blocks : list of Block
        Blocks with evidence holding the decided pairs.
    decided : pd.DataFrame
        Current decisions (:func:`resolve_decisions`).
    """
    from sklearn.model_selection import GroupKFold

    x, y, groups = decision_features(blocks, decided, model.features)
    if len(y) == 0:
        return "none of the decided pairs is among today's candidates: nothing to refit on"
    cut = model.thresholds[1]

    def quality(p):
        pred = p >= cut
        tp = int(np.sum(pred & (y == 1)))
        f1 = 2 * tp / (pred.sum() + y.sum()) if pred.sum() + y.sum() else 0.0
        return f"link F1 {f1:.3f}, accuracy {np.mean(pred == (y == 1)):.3f}"

    line = f"on the {len(y)} decided pairs among today's candidates ({int(y.sum())} links): calibrated model {quality(model(x))}"
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


# --------------------------------------------------------------------------- the queue


def review_queue(alignments: pd.DataFrame, n: int, decay: float = SAME_SOURCE_DECAY) -> pd.DataFrame:
    """The ``n`` undecided candidate pairs whose answers help most (strategy in the module doc).

    Parameters
    ----------
    alignments : pd.DataFrame
        Alignments (:data:`alignment.schemas.ALIGNMENTS`), decisions already applied.
    n : int
        Pairs to ask about.
    decay : float
        Share of the gain a source's next pick keeps (diversity across sources).

    Returns
    -------
    pd.DataFrame
        The chosen alignments rows, best first, with a ``gain`` column.
    """
    pool = alignments[~alignments["reviewed"].astype(bool)]
    if n <= 0 or pool.empty:
        return pool.iloc[:0].assign(gain=pd.Series(dtype=float))
    p = pool["score"].to_numpy(dtype=float)
    linked = pool["label"].isin(["strong", "partial"]).to_numpy()
    gain = np.where(linked, 1.0 - p, 2.0 * p)
    order = np.argsort(-gain, kind="stable")
    heap = [(-gain[i], k, i) for k, i in enumerate(order)]
    heapq.heapify(heap)
    picked, per_source = [], {}
    src = pool["src_measure_id"].to_numpy()
    while heap and len(picked) < n:
        neg, k, i = heapq.heappop(heap)
        due = gain[i] * decay ** per_source.get(src[i], 0)
        if -neg > due + 1e-12:  # its source was picked since this entry was scored: re-queue
            heapq.heappush(heap, (-due, k, i))
            continue
        picked.append(i)
        per_source[src[i]] = per_source.get(src[i], 0) + 1
    return pool.iloc[picked].assign(gain=gain[picked]).reset_index(drop=True)


def queue_table(queue: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """The queue as the researcher sees it (:data:`QUEUE_COLUMNS`): both full texts, the shared
    wording, the model's score and label, and a blank ``decision``.

    Parameters
    ----------
    queue : pd.DataFrame
        Rows chosen by :func:`review_queue`.
    measures : pd.DataFrame
        The measures table (texts by ``measure_id``).
    """
    text_of = dict(zip(measures["measure_id"], measures["text"]))
    out = queue.assign(src_text=queue["src_measure_id"].map(text_of), tgt_text=queue["tgt_measure_id"].map(text_of))
    out["shared"] = [" ｜ ".join(shared_wording(a, b)) for a, b in zip(out["src_text"], out["tgt_text"])]
    out["score"] = out["score"].round(3)
    out["decision"] = ""
    return out[list(QUEUE_COLUMNS)].reset_index(drop=True)


def shared_wording(a: str, b: str) -> list[str]:
    """Spans of at least :data:`~alignment.matching.text.MIN_SPAN` characters the two texts
    share, longest first, none inside another.

    Parameters
    ----------
    a, b : str
        Two measures' texts.
    """
    return distinct_spans(shared_spans(match_text(a), match_text(b), MIN_SPAN))


def write_queue(table: pd.DataFrame, path: Path) -> Path:
    """Write a queue (:func:`queue_table`) as ``.csv`` (UTF-8 with BOM, so Excel reads it) or
    ``.xlsx`` (a drop-down for ``decision``, wrapped text, shared wording in red bold).

    Parameters
    ----------
    table : pd.DataFrame
        The queue table.
    path : Path
        Output file; its suffix picks the format.
    """
    from ..io import atomic_path

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValueError(f"--out {path}: a review queue is written as .csv or .xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        if suffix == ".csv":
            table.to_csv(tmp, index=False, encoding="utf-8-sig")
        else:
            _write_xlsx(table, Path(tmp))
    return path


def _write_xlsx(table: pd.DataFrame, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell.text import InlineFont
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "review"
    cols = list(table.columns)
    ws.append(cols)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    mark = InlineFont(b=True, color="C00000")
    widths = {"src_text": 60, "tgt_text": 60, "evidence": 40, "shared": 30, "decision": 12}
    for r, row in enumerate(table.itertuples(index=False), start=2):
        spans = [s for s in row.shared.split(" ｜ ") if s] if "shared" in cols else []
        for c, name in enumerate(cols, start=1):
            value = getattr(row, name)
            cell = ws.cell(row=r, column=c)
            cell.value = _marked(value, spans, mark) if name in ("src_text", "tgt_text") and spans else value
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for c, name in enumerate(cols, start=1):
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = widths.get(name, 14)
    if "decision" in cols and len(table):
        letter = ws.cell(row=1, column=cols.index("decision") + 1).column_letter
        dv = DataValidation(type="list", formula1='"strong,partial,none,强,部分,无"', allow_blank=True,
                            showErrorMessage=True, errorTitle="decision",
                            error="strong, partial or none (强, 部分, 无); blank = not reviewed")
        ws.add_data_validation(dv)
        dv.add(f"{letter}2:{letter}{len(table) + 1}")
    ws.freeze_panes = "A2"
    wb.save(path)


def _marked(text: str, spans: list[str], font):
    """``text`` as rich text with every occurrence of ``spans`` in ``font``."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock

    # spans are compared on content characters: punctuation may sit between them in the text
    patterns = [r"\W*".join(map(re.escape, s)) for s in spans]
    hits = sorted({(m.start(), m.end()) for p in patterns for m in re.finditer(p, text)})
    parts, pos = [], 0
    for a, b in hits:
        if a < pos:
            continue
        if a > pos:
            parts.append(text[pos:a])
        parts.append(TextBlock(font, text[a:b]))
        pos = b
    if pos < len(text):
        parts.append(text[pos:])
    return CellRichText(parts) if any(isinstance(p, TextBlock) for p in parts) else text
