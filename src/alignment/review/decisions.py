"""Review decisions: the project's append-only record of what a person decided on candidate
pairs, and the filled review queues it is read from.

The researcher fills the ``decision`` column of a queue (:mod:`alignment.review.queue`) with
``strong`` / ``partial`` / ``none`` (or 强 / 部分 / 无). :func:`decisions_from_review` checks the
file whole (refused with row numbers, nothing recorded) and :func:`append_decisions` adds its
rows to ``data/review/decisions.csv`` (:data:`alignment.schemas.DECISIONS`). A decision names
both measures by id *and* by a hash of their text (:func:`text_hash`), so it survives a
re-parse that renumbers measures; a later decision on the same pair overrides an earlier one.
:func:`resolve_decisions` maps the latest decision of every text pair onto today's measure ids,
which the matcher honours (:func:`alignment.matching.align.apply_decisions`).
"""
from __future__ import annotations

import getpass
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from .. import schemas
from ..matching.evaluate import norm_quote

__all__ = [
    "DECISION_WORDS",
    "ReviewFileError",
    "append_decisions",
    "decisions_from_review",
    "default_reviewer",
    "read_decisions",
    "read_review_file",
    "resolve_decisions",
    "text_hash",
]

# What a reviewer may write in the decision column, and what it means.
DECISION_WORDS = {"strong": "strong", "强": "strong", "partial": "partial", "部分": "partial",
                  "none": "none", "无": "none"}


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
    """The latest decision on every text pair, on today's measure ids, both ways.

    A decision applies to every pair of current measures whose texts hash as the decided
    ones (so renumbering does not lose it); one whose text changed no longer applies. A link
    is a shared task, so a decision on (a, b) also answers (b, a), the pair the run aligns in
    the other direction; the latest decision on either order is the one that holds.

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
        ``reviewer``, ``decided_at``, ``as_asked`` (False on the mirrored row of a decision):
        one row per current measure pair.
    """
    cols = ["src_measure_id", "tgt_measure_id", "src_doc", "tgt_doc", "decision", "reviewer", "decided_at", "as_asked"]
    if decisions.empty or measures.empty:
        return pd.DataFrame(columns=cols)
    unordered = [tuple(sorted(p)) for p in zip(decisions["src_hash"], decisions["tgt_hash"])]
    latest = decisions.assign(_pair=unordered).drop_duplicates("_pair", keep="last").drop(columns="_pair")
    swapped = latest.rename(columns={"src_hash": "tgt_hash", "tgt_hash": "src_hash"})[latest.columns]
    latest = pd.concat([latest.assign(as_asked=True), swapped.assign(as_asked=False)], ignore_index=True)
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
