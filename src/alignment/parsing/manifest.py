"""The manifest of ``data/raw/``: which files make which plan, and what is known about it.

``data/raw/manifest.csv`` (UTF-8, header row) has one row per plan:

============  ==================================================================================
column        meaning
============  ==================================================================================
doc_id        short id used everywhere (``000``, ``ln-2021``); letters, digits, ``-``, ``_``
files         the plan's file(s) in data/raw/, ``;``-separated, in reading order
title         plan title (blank: taken from the text)
level         national / provincial / municipal / county / township (blank: inferred)
region        e.g. 辽宁省 (blank: inferred from title/text)
issuer        issuing body (optional)
period        e.g. 2021-2025 (blank: inferred from the title)
source_url    where it came from (optional)
============  ==================================================================================

A file in ``data/raw/`` that no row names still runs as its own plan, with ``doc_id`` taken from
the file name (the part before the first ``_``) and everything else inferred.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..config import MANIFEST_NAME, RAW_SUFFIXES
from ..schemas import LEVELS

__all__ = ["COLUMNS", "MANIFEST_LEVELS", "ManifestError", "PlanEntry", "doc_id_from_filename", "load_manifest"]

COLUMNS = ("doc_id", "files", "title", "level", "region", "issuer", "period", "source_url")
MANIFEST_LEVELS = (*(lvl for lvl in LEVELS if lvl != "unknown"), "")  # blank: inferred


class ManifestError(ValueError):
    """The plans folder or its manifest cannot be used at all; the message names the file and problem."""


@dataclass
class PlanEntry:
    """One plan to parse; ``problem`` set means it is recorded as skipped, with that reason."""

    doc_id: str
    files: list[Path]
    title: str = ""
    level: str = ""
    region: str = ""
    issuer: str = ""
    period: str = ""
    source_url: str = ""
    from_manifest: bool = True
    notes: list[str] = field(default_factory=list)
    problem: str = ""


def doc_id_from_filename(path: Path) -> str:
    """doc_id of a file that no manifest row names: its name up to the first ``_``, with runs of
    characters other than letters, digits, hanzi, ``_`` and ``-`` made ``-`` (``doc`` if none is left).

    Parameters
    ----------
    path
        A plan file, e.g. ``data/raw/ln-2021_辽宁法治政府.docx`` -> ``ln-2021``.
    """
    stem = path.stem
    head = stem.split("_", 1)[0]
    return re.sub(r"[^0-9A-Za-z\u4e00-\u9fff_-]+", "-", head or stem).strip("-") or "doc"


def _read_rows(path: Path) -> list[tuple[int, dict]]:
    """Rows of the manifest with their line numbers, in whatever encoding Excel saved it."""
    from .ingest import IngestError, decode_bytes

    try:
        text, _, _ = decode_bytes(path.read_bytes(), path.name)
    except IngestError as exc:
        raise ManifestError(f"{path}: {exc.reason}; save it as UTF-8 CSV") from None
    except OSError as exc:
        raise ManifestError(f"{path}: cannot be read ({exc.strerror})") from None
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    missing = {"doc_id", "files"} - {(f or "").strip() for f in reader.fieldnames or []}
    if missing:
        raise ManifestError(f"{path}: missing column(s) {sorted(missing)}; the header must be {','.join(COLUMNS)}")
    rows = []
    for row_no, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() if isinstance(v, str) else "" for k, v in row.items()}
        if any(row.values()):  # blank lines (a trailing empty row) are nothing
            rows.append((row_no, row))
    return rows


def _inside(raw_dir: Path, f: Path) -> bool:
    return raw_dir in f.resolve().parents


def load_manifest(raw_dir: Path) -> list[PlanEntry]:
    """Plans of ``raw_dir``: manifest rows first, then one entry per file no row names.

    A row or file that cannot be used (a missing file, a path or link leading outside
    ``raw_dir``, a repeated doc_id or file, an unsupported file type) becomes an entry with its
    ``problem`` set: it is reported and recorded as skipped, and every other plan still runs.
    An unknown level is noted and inferred instead.

    Parameters
    ----------
    raw_dir
        The plans folder (e.g. ``data/raw/``): plan files and, optionally, its
        ``manifest.csv``.

    Raises
    ------
    ManifestError
        ``raw_dir`` is missing or not a folder; the manifest cannot be read or lacks the
        ``doc_id``/``files`` columns.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        what = "is a file, not a folder" if raw_dir.exists() else "does not exist"
        raise ManifestError(f"plans folder {raw_dir} {what}; put your plans in data/raw/ or pass --raw-dir")
    raw_dir = raw_dir.resolve()
    path = raw_dir / MANIFEST_NAME
    entries: list[PlanEntry] = []
    named: dict[Path, int] = {}
    ids: dict[str, int] = {}
    for row_no, row in (_read_rows(path) if path.exists() else []):
        entries.append(_entry(row, row_no, raw_dir, named, ids))
    for f in sorted(raw_dir.iterdir()):
        if f.name == MANIFEST_NAME or f.name.startswith((".", "~$")) or f.resolve() in named or not f.is_file():
            continue
        doc_id = doc_id_from_filename(f)
        n = 2
        while doc_id in ids:  # zz, zz-2, zz-3: a repeated file-name prefix
            doc_id = f"{doc_id_from_filename(f)}-{n}"
            n += 1
        ids[doc_id] = 0
        entry = PlanEntry(doc_id, [f], from_manifest=False, notes=["not in manifest"])
        if not _inside(raw_dir, f):
            entry.problem = f"{f.name}: a link to a file outside {raw_dir}; copy the file in instead"
        elif f.suffix.lower() not in RAW_SUFFIXES:
            entry.problem = (f"{f.name}: unsupported file type {f.suffix or '(none)'!r}; "
                             f"plans are read from {', '.join(RAW_SUFFIXES)}")
        entries.append(entry)
    return entries


def _entry(row: dict, row_no: int, raw_dir: Path, named: dict[Path, int], ids: dict[str, int]) -> PlanEntry:
    where = f"{MANIFEST_NAME} row {row_no}"
    doc_id = row.get("doc_id", "")
    fields_ = {k: row.get(k, "") for k in ("title", "region", "issuer", "period", "source_url")}
    entry = PlanEntry(doc_id or f"row{row_no}", [], **fields_)
    problems = []
    if not re.fullmatch(r"[0-9A-Za-z\u4e00-\u9fff_+-]+", doc_id):
        problems.append(f"doc_id {doc_id!r} is empty or has characters other than letters, digits, - _ +")
        entry.doc_id = f"row{row_no}"
    elif doc_id in ids:
        problems.append(f"doc_id {doc_id!r} is already used by row {ids[doc_id]}")
        entry.doc_id = f"{doc_id}-row{row_no}"
    ids[entry.doc_id] = row_no
    for part in row.get("files", "").split(";"):
        part = part.strip()
        if not part:
            continue
        f = raw_dir / part
        if not _inside(raw_dir, f):
            problems.append(f"file {part!r} is outside {raw_dir}")
        elif not f.is_file():
            problems.append(f"file {part!r} does not exist in {raw_dir}")
        elif f.resolve() in named:
            problems.append(f"file {part!r} is already listed by row {named[f.resolve()]}")
        else:
            named[f.resolve()] = row_no
            entry.files.append(f)
            if f.suffix.lower() not in RAW_SUFFIXES:
                problems.append(f"file {part!r} has unsupported type {f.suffix!r}; plans are read from "
                                f"{', '.join(RAW_SUFFIXES)}")
    if not row.get("files", "").strip():
        problems.append(f"no files listed for doc_id {doc_id!r}")
    level = row.get("level", "").lower()
    if level not in MANIFEST_LEVELS:
        entry.notes.append(f"{where}: unknown level {level!r} (use {', '.join(MANIFEST_LEVELS[:-1])}); inferred instead")
        level = ""
    entry.level = level
    if problems:
        entry.problem = f"{where}: " + "; ".join(problems)
    return entry
