"""What the notebooks call: a project's tables and graph in one object, pairs side by side with
their shared wording marked, and what changed between two runs (the review form is in
:mod:`alignment.review.form`). Notebooks stay thin."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import networkx as nx
import pandas as pd

from ..config import Settings, load_settings
from ..io import read_table

__all__ = ["Project", "load_project", "mark_shared", "pair_row", "run_snapshot", "side_by_side", "what_changed"]

TABLES = ("documents", "measures", "residue", "alignments", "coverage", "coverage_summary", "gaps", "innovations",
          "drift", "unit_load")


@dataclass
class Project:
    """A project folder's settings and its processed tables (read on first use)."""

    settings: Settings
    _cache: dict = field(default_factory=dict, repr=False)

    def table(self, name: str) -> pd.DataFrame:
        """One processed table by name (``measures``, ``gaps``...).

        Parameters
        ----------
        name
            A table of :data:`TABLES`.
        """
        if name not in self._cache:
            self._cache[name] = read_table(self.settings.processed_dir / f"{name}.parquet")
        return self._cache[name]

    @cached_property
    def graph(self) -> nx.DiGraph:
        """The cascade graph, rebuilt from the tables."""
        from ..cascade.graph import build_cascade

        return build_cascade(self.table("documents"), self.table("measures"), self.table("alignments"))


def load_project(project: str | Path | None = None, **overrides) -> Project:
    """The project folder ``project`` (default: the one holding the current directory).

    Parameters
    ----------
    project
        A project folder.
    **overrides
        Settings fields (encoder, thresholds...).
    """
    return Project(load_settings(project=project, **overrides))


def mark_shared(text: str, spans: list[str]) -> str:
    """HTML of ``text`` with every shared span in <mark>.

    Parameters
    ----------
    text
        A measure's text.
    spans
        Shared wording (content characters, as evidence lists them).

    >>> mark_shared("落实统一的市场准入负面清单制度。", ["市场准入负面清单制度"])
    '落实统一的<mark>市场准入负面清单制度</mark>。'
    """
    marked = [False] * len(text)
    for span in {s for s in spans if s}:
        pattern = "[^\\w]*".join(map(re.escape, span))  # spans skip punctuation
        for m in re.finditer(pattern, text):
            marked[m.start():m.end()] = [True] * (m.end() - m.start())
    out, i = [], 0
    while i < len(text):  # runs of marked and unmarked characters, escaped piece by piece
        j = i
        while j < len(text) and marked[j] == marked[i]:
            j += 1
        piece = html.escape(text[i:j])
        out.append(f"<mark>{piece}</mark>" if marked[i] else piece)
        i = j
    return "".join(out)


def side_by_side(project: Project, src_doc: str, tgt_doc: str, labels: tuple[str, ...] = ("strong", "partial"),
                 limit: int = 20) -> str:
    """An HTML table of the links from one plan to another, both texts side by side, the shared
    wording marked.

    Parameters
    ----------
    project
        The project.
    src_doc, tgt_doc
        The two plans.
    labels
        Which links to show.
    limit
        How many (best first).
    """
    al = project.table("alignments")
    al = al[(al["src_doc"] == src_doc) & (al["tgt_doc"] == tgt_doc) & al["label"].isin(labels)]
    text = dict(zip(project.table("measures")["measure_id"], project.table("measures")["text"]))
    rows = []
    for r in al.sort_values("score", ascending=False).head(limit).itertuples():
        spans = r.evidence.split("shared: ", 1)[1].split(";")[0].split("｜") if r.evidence.startswith("shared") else []
        rows.append(pair_row(r.src_measure_id, text[r.src_measure_id], r.tgt_measure_id, text[r.tgt_measure_id],
                              spans, f"{r.label}<br>{r.score:.2f}"))
    head = f"<tr><th>{html.escape(src_doc)}</th><th>{html.escape(tgt_doc)}</th><th>link</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def pair_row(src_id: str, src_text: str, tgt_id: str, tgt_text: str, spans: list[str], note: str) -> str:
    """A table row: both measures (id, text with ``spans`` marked) and ``note`` (HTML)."""
    return (f"<tr><td>{html.escape(src_id)}<br>{mark_shared(src_text, spans)}</td>"
            f"<td>{html.escape(tgt_id)}<br>{mark_shared(tgt_text, spans)}</td><td>{note}</td></tr>")


def run_snapshot(project: Project) -> dict[str, pd.DataFrame]:
    """Copies of the documents, measures and gaps tables, to compare with a later run.

    Parameters
    ----------
    project
        The project.
    """
    return {name: project.table(name).copy() for name in ("documents", "measures", "gaps")}


def what_changed(before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Plans added, removed or re-parsed between two runs, with measures and gaps before and after.

    Parameters
    ----------
    before, after
        :func:`run_snapshot` of each run.

    Returns
    -------
    pd.DataFrame
        One row per plan that changed: doc_id, change, measures_before, measures_after,
        gaps_before, gaps_after (gaps of the plan as the lower plan).
    """
    def counts(s):
        return (s["documents"].set_index("doc_id")["n_measures"].to_dict(),
                s["gaps"].groupby("lower_doc").size().to_dict())

    (m0, g0), (m1, g1) = counts(before), counts(after)
    rows = []
    for doc in sorted(set(m0) | set(m1)):
        change = "added" if doc not in m0 else "removed" if doc not in m1 else \
            "changed" if (m0[doc], g0.get(doc, 0)) != (m1[doc], g1.get(doc, 0)) else ""
        if change:
            rows.append({"doc_id": doc, "change": change, "measures_before": m0.get(doc, 0),
                         "measures_after": m1.get(doc, 0), "gaps_before": g0.get(doc, 0), "gaps_after": g1.get(doc, 0)})
    return pd.DataFrame(rows, columns=["doc_id", "change", "measures_before", "measures_after", "gaps_before",
                                       "gaps_after"])
