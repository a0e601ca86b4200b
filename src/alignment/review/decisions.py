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
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from .. import schemas
from ..matching.evaluate import STRENGTHS, norm_quote, normalise_strength

__all__ = [
    "DECISION_CHOICES",
    "DECISION_WORDS",
    "ReviewFileError",
    "append_decisions",
    "clean_reviewer",
    "decisions_from_review",
    "default_reviewer",
    "pair_key",
    "read_decisions",
    "read_review_file",
    "resolve_decisions",
    "text_hash",
]

# What a reviewer may write in the decision column: the gold files' words
# (:func:`~alignment.matching.evaluate.normalise_strength`: case, width, traditional characters ignored).
DECISION_WORDS = STRENGTHS
DECISION_CHOICES = ("strong", "partial", "none", "强", "部分", "无")  # offered in a queue's drop-down


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


def clean_reviewer(name: str) -> str:
    """A reviewer's name as recorded: one line, no control characters.

    Parameters
    ----------
    name : str
        What ``--reviewer`` (or the OS) gave.

    Examples
    --------
    >>> clean_reviewer(" 研究员甲\\n(夜班) ")
    '研究员甲 (夜班)'
    """
    return re.sub(r"\s+", " ", re.sub(r"[\x00-\x1f\x7f]", " ", str(name))).strip() or "unknown"


# --------------------------------------------------------------------------- the decisions file


def read_decisions(path: Path) -> pd.DataFrame:
    """The project's decisions (:data:`alignment.schemas.DECISIONS`); empty if none were made.

    Parameters
    ----------
    path : Path
        ``data/review/decisions.csv`` of the project (``Settings.decisions_path``).

    Raises
    ------
    ReviewFileError
        The file was damaged (edited by hand, re-saved by a spreadsheet, cut short): one line
        naming it, its bad rows, and what to do. Nothing reads or changes it until it is mended.
    """
    path = Path(path)
    if not path.exists():
        return schemas.frame([], schemas.DECISIONS)
    fix = "mend it or restore it from a backup (it is append-only: each row is one decision)"
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReviewFileError(f"decisions file {path} is not UTF-8 text (re-saved by a spreadsheet?); "
                              f"save it as UTF-8 CSV, or {fix}") from None
    if not text.strip():
        return schemas.frame([], schemas.DECISIONS)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise ReviewFileError(f"decisions file {path} cannot be read as CSV ({_one_line(exc)}); {fix}") from None
    columns = list(schemas.DECISIONS.columns)
    if sorted(frame.columns) != sorted(columns):
        missing = [c for c in columns if c not in frame.columns]
        extra = [c for c in frame.columns if c not in columns]
        raise ReviewFileError(f"decisions file {path} has the wrong columns (missing {missing}, unexpected "
                              f"{extra}); {fix}")
    bad = [f"row {n} ({'decision ' + repr(d) if d not in schemas.DECISION_VALUES else 'a blank hash'})"
           for n, d, a, b in zip(range(2, len(frame) + 2), frame["decision"], frame["src_hash"], frame["tgt_hash"])
           if d not in schemas.DECISION_VALUES or not a or not b]
    if bad:
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        raise ReviewFileError(f"decisions file {path}: {', '.join(bad[:5])}{more} cannot be read (cut short or "
                              f"edited?); {fix}")
    return schemas.validate(frame[columns], schemas.DECISIONS, f"decisions file {path}")


def append_decisions(path: Path, new: pd.DataFrame) -> pd.DataFrame:
    """Add decisions to the file at ``path``; earlier rows are never changed. A decision equal to
    its reviewer's latest on that pair (the same file applied twice) is not added again; another
    reviewer's agreeing decision is. Processes take turns (a lock beside the file); the file is replaced atomically with
    Ctrl-C held back, so it is always whole and a reported count is what was recorded.

    Parameters
    ----------
    path : Path
        The project's decisions file (created with its folder if missing).
    new : pd.DataFrame
        Rows of :data:`alignment.schemas.DECISIONS`.

    Returns
    -------
    pd.DataFrame
        The rows added.

    Raises
    ------
    PermissionError
        The file or its folder cannot be written (a read-only file stays read-only).
    """
    import os

    from ..io import atomic_path, file_lock, sigint_held

    new = schemas.validate(new, schemas.DECISIONS, "new decisions")
    if new.empty:
        return new
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not os.access(path, os.W_OK):
        raise PermissionError(13, "read-only; nothing recorded", str(path))
    with file_lock(path):
        old = read_decisions(path)
        theirs = {(*pair_key(a, b), r): d for a, b, d, r in
                  zip(old["src_hash"], old["tgt_hash"], old["decision"], old["reviewer"])}  # each reviewer's latest
        fresh = [theirs.get((*pair_key(a, b), r)) != d for a, b, d, r in
                 zip(new["src_hash"], new["tgt_hash"], new["decision"], new["reviewer"])]
        new = new[fresh].reset_index(drop=True)
        if new.empty:
            return new
        with sigint_held(), atomic_path(path) as tmp:
            pd.concat([old, new], ignore_index=True).to_csv(tmp, index=False, encoding="utf-8")
    return new


def pair_key(a: str, b: str) -> tuple[str, str]:
    """A pair's identity whichever way round it was asked (of measure ids or of text hashes).

    Parameters
    ----------
    a, b : str
        The two sides.
    """
    return (a, b) if a <= b else (b, a)


def _one_line(exc: BaseException) -> str:
    return " ".join(f"{exc.__class__.__name__}: {exc}".split())


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
    unordered = [pair_key(a, b) for a, b in zip(decisions["src_hash"], decisions["tgt_hash"])]
    latest = decisions.assign(_pair=unordered).drop_duplicates("_pair", keep="last").drop(columns="_pair")
    latest = latest.rename(columns={"src_doc": "asked_src_doc", "tgt_doc": "asked_tgt_doc"})
    swapped = latest.rename(columns={"src_hash": "tgt_hash", "tgt_hash": "src_hash"})[latest.columns]
    both = pd.concat([latest.assign(mirrored=False), swapped.assign(mirrored=True)], ignore_index=True)
    ids = pd.DataFrame({"measure_id": measures["measure_id"], "doc_id": measures["doc_id"],
                        "hash": measures["text"].map(text_hash)})
    out = both.drop(columns=["src_measure_id", "tgt_measure_id"])
    out = out.merge(ids.rename(columns={"measure_id": "src_measure_id", "doc_id": "src_doc", "hash": "src_hash"}),
                    on="src_hash")
    out = out.merge(ids.rename(columns={"measure_id": "tgt_measure_id", "doc_id": "tgt_doc", "hash": "tgt_hash"}),
                    on="tgt_hash")
    out = out[out["src_doc"] != out["tgt_doc"]]
    # the row as asked: plans as recorded (a verbatim copy hashes alike both ways, so row order cannot
    # tell), or, where those plans are gone, the decision's own order
    docs = set(measures["doc_id"])
    known = out["asked_src_doc"].isin(docs) & out["asked_tgt_doc"].isin(docs)
    same = (out["src_doc"] == out["asked_src_doc"]) & (out["tgt_doc"] == out["asked_tgt_doc"])
    out["as_asked"] = same.where(known, ~out["mirrored"])
    out = out.sort_values("as_asked", kind="stable")
    return out[cols].drop_duplicates(["src_measure_id", "tgt_measure_id"], keep="last").reset_index(drop=True)


# --------------------------------------------------------------------------- reading a filled queue


def read_review_file(path: Path) -> pd.DataFrame:
    """A filled review queue as text columns, numbered as a spreadsheet numbers its rows (header
    = row 1; blank rows kept; column names stripped). ``.xlsx``: the first sheet with the queue's
    columns (a notes sheet in front does not matter); ``.csv``: UTF-8, UTF-16 or GB18030 (what
    Excel saves on Chinese Windows), separated by commas, tabs (Excel's "Unicode text") or
    semicolons.

    Parameters
    ----------
    path : Path
        The file the researcher filled.

    Raises
    ------
    ReviewFileError
        The file is missing or cannot be read as a table; one line that names it.
    """
    path = Path(path)
    if path.is_dir():
        raise ReviewFileError(f"{path} is a folder; give the review file (.xlsx or .csv) you filled")
    if not path.is_file():
        raise ReviewFileError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv"):
        raise ReviewFileError(f"{path}: a review file is .csv or .xlsx, not {path.suffix or 'without suffix'}")
    try:
        if suffix == ".csv":
            return _read_csv_queue(path)
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False, engine="openpyxl")
    except ReviewFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - pandas/openpyxl raise many kinds on damaged files
        raise ReviewFileError(f"{path}: cannot be read as a table ({_one_line(exc)})") from None
    frames = [f.rename(columns=lambda c: str(c).strip()) for f in sheets.values()]
    for frame in frames:
        if {"src_measure_id", "tgt_measure_id", "decision"} <= set(frame.columns):
            return frame
    return frames[0]  # none has the columns: the first, refused for what it lacks


def _read_csv_queue(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    encodings = ("utf-16",) if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        header = text.lstrip("\ufeff").split("\n", 1)[0]
        sep = next((c for c in (",", "\t", ";") if c in header), ",")  # Excel's "Unicode text" is tab-separated
        try:
            frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=False)
            return frame.rename(columns=lambda c: str(c).strip())
        except pd.errors.EmptyDataError:
            return pd.DataFrame(columns=["src_measure_id", "tgt_measure_id", "decision"])
        except (pd.errors.ParserError, ValueError) as exc:
            raise ReviewFileError(f"{path}: cannot be read as a table ({_one_line(exc)}); save it as a "
                                  f"comma-separated CSV or .xlsx") from None
    raise ReviewFileError(f"{path}: neither UTF-8, UTF-16 nor GB18030 text; save it as CSV UTF-8 or .xlsx")


def decisions_from_review(frame: pd.DataFrame, measures: pd.DataFrame, reviewer: str, source: str,
                          decided_at: str | None = None) -> pd.DataFrame:
    """Decision rows (:data:`alignment.schemas.DECISIONS`) from a filled review queue; rows
    with a blank ``decision`` are not reviewed and skipped.

    The file is checked whole; any of these refuses it, naming every bad row (as the
    spreadsheet numbers it, header = row 1): an unknown decision word; an id that names no
    measure, or a preamble (never aligned); two measures of one plan; a ``src_text`` or
    ``tgt_text`` that is not today's text of its id (a file sorted by one column, a cell edited,
    or a queue written before a re-parse: make a new queue); the same pair decided two ways. A
    missing column, or two columns named ``decision``, refuses it too. The same decision twice
    is recorded once.

    Parameters
    ----------
    frame : pd.DataFrame
        The file's table, all columns text (:func:`read_review_file`).
    measures : pd.DataFrame
        Today's measures table (``measure_id``, ``doc_id``, ``text``, ``kind``).
    reviewer : str
        Who decided (:func:`clean_reviewer` makes it one line).
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
    doubled = sorted({re.sub(r"\.\d+$", "", c) for c in frame.columns if re.fullmatch(r".+\.\d+", c)}
                     & set(frame.columns))
    if doubled:
        raise ReviewFileError(f"{source}: two columns are named {', '.join(doubled)}; keep one")
    missing = [c for c in ("src_measure_id", "tgt_measure_id", "decision") if c not in frame.columns]
    if missing:
        raise ReviewFileError(f"{source}: missing column(s) {', '.join(missing)}; a review file needs "
                              f"src_measure_id, tgt_measure_id and decision (as `alignment review --out` writes it)")
    text_of = dict(zip(measures["measure_id"].astype(str), measures["text"]))
    doc_of = dict(zip(measures["measure_id"].astype(str), measures["doc_id"]))
    kind_of = dict(zip(measures["measure_id"].astype(str), measures["kind"])) if "kind" in measures else {}
    problems, rows, seen = [], [], {}
    decided_at = decided_at or datetime.now(UTC).isoformat(timespec="seconds")
    reviewer = clean_reviewer(reviewer)
    for n, r in enumerate(frame.to_dict("records"), start=2):
        word = str(r.get("decision", "")).strip()
        if not word:
            continue
        decision = normalise_strength(word)
        s, t = str(r["src_measure_id"]).strip(), str(r["tgt_measure_id"]).strip()
        bad = []
        if decision is None:
            bad.append(f"unknown decision {word!r} (use strong, partial or none; 强, 部分 or 无)")
        for role, mid in (("src_measure_id", s), ("tgt_measure_id", t)):
            if mid not in text_of:
                bad.append(f"{role} {mid!r} names no measure of this project")
            elif kind_of.get(mid) == "preamble":
                bad.append(f"{role} {mid!r} is a preamble, which is never aligned")
        if s in doc_of and t in doc_of and doc_of[s] == doc_of[t]:
            bad.append(f"both measures are in plan {doc_of[s]}; a decision joins measures of two plans")
        for role, mid in (("src_text", s), ("tgt_text", t)):
            shown = str(r.get(role, "")).strip()
            if shown and mid in text_of and text_hash(shown) != text_hash(text_of[mid]):
                bad.append(f"{role} is not today's text of {mid} (sorted by one column, edited, or written before "
                           f"a re-parse? make a new queue)")
        if not bad:
            key = pair_key(text_hash(text_of[s]), text_hash(text_of[t]))  # what a decision is recorded on
            if key in seen and seen[key][1] != decision:
                bad.append(f"decides the pair of row {seen[key][0]} (the same texts) differently")
            elif key in seen:
                continue  # the same decision twice: once is enough
            seen[key] = (n, decision)
        if bad:
            problems.append(f"row {n}: {'; '.join(bad)}")
            continue
        rows.append((decided_at, reviewer, s, t, doc_of[s], doc_of[t], text_hash(text_of[s]), text_hash(text_of[t]),
                     decision, source))
    if problems:
        shown = problems[:20] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20 else [])
        raise ReviewFileError(f"{source}: refused, nothing recorded: " + " | ".join(shown))
    return schemas.frame(rows, schemas.DECISIONS)
