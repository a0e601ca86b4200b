"""Atomic table and text writers, all-or-nothing output sets, and readers that restore list
columns from CSV mirrors.

Every table is written twice, as Parquet (for pandas) and CSV (for spreadsheets). A command
writes the whole set of tables it makes through an :class:`OutputSet`: into a staging folder
first, swapped into place only when every table is written, with Ctrl-C held back during the
swap. ``_runs.json`` in the output folder records which run wrote each table and which
measures it was computed from, so a reader refuses a mixed set (:func:`check_outputs`).
A crash or Ctrl-C leaves the previous complete set.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Self

import pandas as pd

__all__ = ["RUNS_FILE", "OutputError", "OutputSet", "atomic_path", "check_outputs", "ensure_writable", "file_lock", "read_runs",
           "read_table", "sigint_held", "to_csv_frame", "write_table", "write_text"]


@contextmanager
def atomic_path(path: Path):
    """Yield a temporary path beside ``path``; rename it onto ``path`` only if the block succeeds
    (a replaced file keeps its permissions).

    Parameters
    ----------
    path : Path
        The file to write; its folder is created if missing.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp makes 0600: a new file follows the umask like any file, a replaced one keeps its mode
        # (a decisions file shared by a group stays group-writable)
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@contextmanager
def file_lock(path: Path):
    """Hold an exclusive lock on ``path`` (a ``.lock`` file beside it) for the block, so two
    processes that read, change and rewrite the same file take turns instead of losing each
    other's rows. Blocks until the lock is free (POSIX ``flock``; ``msvcrt`` on Windows).

    Parameters
    ----------
    path : Path
        The file to guard; its folder must exist.
    """
    lock = Path(path).with_name(Path(path).name + ".lock")
    with open(lock, "a+b") as fh:
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            fh.seek(0)
            while True:
                try:
                    msvcrt.locking(fh.fileno(), msvcrt.LK_LOCK, 1)
                    break
                except OSError:  # LK_LOCK gives up after 10 s: keep waiting
                    continue
            try:
                yield
            finally:
                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8, atomically (see :func:`atomic_path`).

    Parameters
    ----------
    path : Path
        The file to write.
    text : str
        Its whole content.
    """
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _list_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if df[c].dtype == object and df[c].map(lambda v: isinstance(v, (list, dict))).any()]


def to_csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``df`` with list/dict cells as JSON text (the CSV mirror's representation).

    Parameters
    ----------
    df : pd.DataFrame
        Any table.
    """
    out = df.copy()
    for col in _list_columns(df):
        out[col] = df[col].map(lambda v: json.dumps(v, ensure_ascii=False, default=str))
    return out


def write_table(df: pd.DataFrame, path: Path, csv: bool = True) -> list[Path]:
    """Write ``df`` to ``path`` (.parquet) and, with ``csv``, a .csv mirror beside it.

    Parameters
    ----------
    df : pd.DataFrame
        The table.
    path : Path
        Where to write; the suffix is replaced by ``.parquet`` and ``.csv``.
    csv : bool
        Also write the CSV mirror.

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
    """Read a table written by :func:`write_table` (Parquet or its CSV mirror).

    Parameters
    ----------
    path : Path
        A ``.parquet`` file, or anything else read as CSV.
    list_columns : tuple of str
        CSV only: columns whose JSON text is turned back into lists (Parquet restores them itself).
    """
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


# --------------------------------------------------------------------------- output sets

RUNS_FILE = "_runs.json"
interrupted_after_commit = False  # Ctrl-C came while a set was being swapped in (and was held back)


class OutputError(RuntimeError):
    """Outputs that cannot be written, or a set of tables from different runs."""


@contextmanager
def sigint_held():
    """Hold Ctrl-C back until the block ends (a swap of files must not stop halfway); a Ctrl-C
    that came meanwhile is raised after it, marked as coming after the outputs were complete."""
    caught: list = []
    try:
        previous = signal.signal(signal.SIGINT, lambda *a: caught.append(a))
    except ValueError:  # not the main thread: nothing to hold
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            global interrupted_after_commit
            interrupted_after_commit = True
            raise KeyboardInterrupt("after the new outputs were complete")


def read_runs(folder: Path) -> dict:
    """The run record of an output folder: {table name: {"run": id, "measures_run": id}}.

    Parameters
    ----------
    folder : Path
        The output folder; a missing or unreadable record gives ``{}``.
    """
    path = Path(folder) / RUNS_FILE
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


class OutputSet:
    """The tables one command writes, staged and swapped into ``folder`` together.

    >>> import pandas as pd, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with OutputSet(folder) as out:
    ...     _ = out.write_table(pd.DataFrame({"a": [1]}), "documents")
    >>> sorted(p.name for p in folder.iterdir())
    ['_runs.json', 'documents.csv', 'documents.parquet']
    """

    def __init__(self, folder: Path, measures_run: str | None = None):
        self.folder = Path(folder)
        self.run_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        self.measures_run = measures_run  # the measures a derived table was computed from
        self.tables: list[str] = []
        self.files: list[str] = []
        self.staging: Path | None = None

    def __enter__(self) -> Self:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.folder))
        except OSError as exc:
            raise OutputError(f"cannot write to {self.folder}: {exc.strerror}") from None
        return self

    def write_table(self, df: pd.DataFrame, name: str) -> list[Path]:
        """Stage table ``name`` (Parquet + CSV); returns the final paths it will have.

        Parameters
        ----------
        df : pd.DataFrame
            The table.
        name : str
            Table name, used as the file stem (e.g. ``measures``).
        """
        try:
            write_table(df, self.staging / f"{name}.parquet")
        except OSError as exc:
            raise OutputError(f"cannot write {name} to {self.folder}: {exc.strerror}") from None
        self.tables.append(name)
        return [self.folder / f"{name}.parquet", self.folder / f"{name}.csv"]

    def add_files(self, *names: str) -> None:
        """Swap in, with the tables, files written into :attr:`staging` by other writers
        (graph exports, a workbook).

        Parameters
        ----------
        *names : str
            File names inside :attr:`staging`.
        """
        self.files.extend(names)

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self._commit()
        finally:
            if self.staging is not None:
                shutil.rmtree(self.staging, ignore_errors=True)

    def _commit(self) -> None:
        runs = read_runs(self.folder)
        measures_run = self.run_id if "measures" in self.tables else self.measures_run
        for name in self.tables:
            runs[name] = {"run": self.run_id, "measures_run": measures_run}
        with sigint_held():
            for name in self.tables:
                for suffix in (".parquet", ".csv"):
                    os.replace(self.staging / f"{name}{suffix}", self.folder / f"{name}{suffix}")
            for name in self.files:
                os.replace(self.staging / name, self.folder / name)
            write_text(self.folder / RUNS_FILE, json.dumps(runs, indent=1, sort_keys=True))


def ensure_writable(folder: Path) -> None:
    """Fail early, before any work, when ``folder`` cannot take outputs.

    Parameters
    ----------
    folder : Path
        The output folder; created if missing.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise OutputError(f"cannot write to {folder}: {exc.strerror}") from None


def check_outputs(folder: Path, names: tuple[str, ...]) -> str | None:
    """The run of the measures that tables ``names`` in ``folder`` were made from.

    Parameters
    ----------
    folder : Path
        The output folder.
    names : tuple of str
        Table names that must exist and come from the current measures.

    Raises
    ------
    OutputError
        A table is missing, or the tables come from different parses (a table made from
        earlier measures than the current ones).
    """
    folder = Path(folder)
    runs = read_runs(folder)
    missing = [n for n in names if not (folder / f"{n}.parquet").exists()]
    if missing:
        raise OutputError(f"{folder} has no {', '.join(missing)} table; run `alignment run` first (it makes every "
                          "table; `alignment parse` makes only documents, measures and residue)")
    basis = {n: runs.get(n, {}).get("measures_run") for n in names}
    current = runs.get("measures", {}).get("run")
    stale = [n for n, b in basis.items() if current and b != current]
    if stale:
        raise OutputError(f"{', '.join(stale)} in {folder} were made from earlier measures than the current ones; "
                          "rerun `alignment run` (or the stage that makes them)")
    return current
