"""Atomic table and text writers, and readers that restore list columns from CSV mirrors.

Every table is written twice, as Parquet (for pandas) and CSV (for spreadsheets), each through a
temporary file in the same folder that is renamed into place, so a crash never leaves a
half-written table.
"""
from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd


@contextmanager
def atomic_path(path: Path):
    """Yield a temporary path beside ``path``; rename it onto ``path`` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _list_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if df[c].dtype == object and df[c].map(lambda v: isinstance(v, (list, dict))).any()]


def to_csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``df`` with list/dict cells as JSON text (the CSV mirror's representation)."""
    out = df.copy()
    for col in _list_columns(df):
        out[col] = df[col].map(lambda v: json.dumps(v, ensure_ascii=False, default=str))
    return out


def write_table(df: pd.DataFrame, path: Path, csv: bool = True) -> list[Path]:
    """Write ``df`` to ``path`` (.parquet) and, with ``csv``, a .csv mirror beside it.

    Returns
    -------
    list of Path
        The files written.
    """
    path = Path(path)
    written = []
    with atomic_path(path.with_suffix(".parquet")) as tmp:
        df.to_parquet(tmp, index=False)
    written.append(path.with_suffix(".parquet"))
    if csv:
        with atomic_path(path.with_suffix(".csv")) as tmp:
            to_csv_frame(df).to_csv(tmp, index=False, encoding="utf-8")
        written.append(path.with_suffix(".csv"))
    return written


def read_table(path: Path, list_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read a table written by :func:`write_table` (Parquet or its CSV mirror)."""
    path = Path(path)
    if path.suffix == ".parquet":
        df = pd.read_parquet(path)
        for col in df.columns:
            if df[col].dtype == object:
                df[col] = df[col].map(_to_python)
        return df
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in list_columns:
        if col in df.columns:
            df[col] = df[col].map(lambda s: json.loads(s) if s else [])
    return df


def _to_python(v):
    """Parquet gives numpy arrays for list cells; turn them (and nested dicts) back into lists."""
    if hasattr(v, "tolist") and not isinstance(v, (str, bytes)):
        v = v.tolist()
    if isinstance(v, list):
        return [_to_python(x) for x in v]
    if isinstance(v, dict):
        return {k: _to_python(x) for k, x in v.items()}
    return v
