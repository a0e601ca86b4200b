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
import re
from dataclasses import dataclass, field
from pathlib import Path

from .config import MANIFEST_NAME, RAW_SUFFIXES
from .schemas import LEVELS

COLUMNS = ("doc_id", "files", "title", "level", "region", "issuer", "period", "source_url")
MANIFEST_LEVELS = (*(lvl for lvl in LEVELS if lvl != "unknown"), "")  # blank: inferred


class ManifestError(ValueError):
    """The manifest cannot be used; the message names the file, row and problem."""


@dataclass
class PlanEntry:
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


def doc_id_from_filename(path: Path) -> str:
    stem = path.stem
    head = stem.split("_", 1)[0]
    return re.sub(r"[^0-9A-Za-z\u4e00-\u9fff_-]+", "-", head or stem).strip("-") or "doc"


def load_manifest(raw_dir: Path) -> list[PlanEntry]:
    """Plans of ``raw_dir``: manifest rows first, then one entry per file no row names.

    Raises
    ------
    ManifestError
        Missing file, unknown level, a path outside ``raw_dir``, a duplicate doc_id or file,
        a missing column.
    """
    raw_dir = Path(raw_dir).resolve()
    path = raw_dir / MANIFEST_NAME
    entries: list[PlanEntry] = []
    named: set[Path] = set()
    if path.exists():
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = {"doc_id", "files"} - set(reader.fieldnames or [])
            if missing:
                raise ManifestError(f"{path.name}: missing column(s) {sorted(missing)}; expected {', '.join(COLUMNS)}")
            for row_no, row in enumerate(reader, start=2):
                entries.append(_entry(row, row_no, raw_dir, path.name, named))
        ids = [e.doc_id for e in entries]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ManifestError(f"{path.name}: duplicate doc_id {dup}")
    taken = {e.doc_id for e in entries}
    for f in sorted(raw_dir.iterdir()):
        if f.name == MANIFEST_NAME or f.name.startswith(".") or f.resolve() in named or not f.is_file():
            continue
        if f.suffix.lower() not in RAW_SUFFIXES:
            continue
        doc_id = doc_id_from_filename(f)
        while doc_id in taken:
            doc_id += "+"
        taken.add(doc_id)
        entries.append(PlanEntry(doc_id, [f], from_manifest=False, notes=["not in manifest"]))
    return entries


def _entry(row: dict, row_no: int, raw_dir: Path, name: str, named: set[Path]) -> PlanEntry:
    where = f"{name} row {row_no}"
    doc_id = (row.get("doc_id") or "").strip()
    if not re.fullmatch(r"[0-9A-Za-z\u4e00-\u9fff_+-]+", doc_id):
        raise ManifestError(f"{where}: doc_id {doc_id!r} is empty or has characters other than letters, digits, - _ +")
    files = []
    for part in (row.get("files") or "").split(";"):
        part = part.strip()
        if not part:
            continue
        f = (raw_dir / part).resolve()
        if raw_dir not in f.parents:
            raise ManifestError(f"{where}: file {part!r} is outside {raw_dir}")
        if not f.is_file():
            raise ManifestError(f"{where}: file {part!r} does not exist in {raw_dir}")
        if f in named:
            raise ManifestError(f"{where}: file {part!r} is already listed by another row")
        named.add(f)
        files.append(f)
    if not files:
        raise ManifestError(f"{where}: no files listed for doc_id {doc_id!r}")
    level = (row.get("level") or "").strip().lower()
    if level not in MANIFEST_LEVELS:
        raise ManifestError(f"{where}: unknown level {level!r}; use one of {', '.join(MANIFEST_LEVELS[:-1])} or leave it blank")
    return PlanEntry(doc_id, files, **{k: (row.get(k) or "").strip() for k in
                                       ("title", "region", "issuer", "period", "source_url")}, level=level)
