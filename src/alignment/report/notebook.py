"""What the notebooks call: a project's tables and graph in one object, pairs side by side with
their shared wording marked, the review queue with a decision control per pair, and what changed
between two runs. Notebooks stay thin."""
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
from ..schemas import DECISION_VALUES

__all__ = ["Project", "load_project", "mark_shared", "record_decisions", "review_form", "review_queue_for",
           "run_snapshot", "side_by_side", "what_changed"]

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
        rows.append(_pair_row(r.src_measure_id, text[r.src_measure_id], r.tgt_measure_id, text[r.tgt_measure_id],
                              spans, f"{r.label}<br>{r.score:.2f}"))
    head = f"<tr><th>{html.escape(src_doc)}</th><th>{html.escape(tgt_doc)}</th><th>link</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _pair_row(src_id: str, src_text: str, tgt_id: str, tgt_text: str, spans: list[str], note: str) -> str:
    """A table row: both measures (id, text with ``spans`` marked) and ``note`` (HTML)."""
    return (f"<tr><td>{html.escape(src_id)}<br>{mark_shared(src_text, spans)}</td>"
            f"<td>{html.escape(tgt_id)}<br>{mark_shared(tgt_text, spans)}</td><td>{note}</td></tr>")


# --------------------------------------------------------------------------- review


def review_queue_for(project: Project, src_doc: str, tgt_doc: str, budget: int = 20) -> pd.DataFrame:
    """The pairs from one plan to another whose answers help most, as a reviewer sees them: the
    queue ``alignment review --src --tgt --out`` writes, built the same way (the model refitted
    on the project's decisions; decided pairs never return).

    Parameters
    ----------
    project
        The project (its parsed measures and documents, settings and decisions file).
    src_doc, tgt_doc
        The two plans.
    budget
        Pairs to ask about.

    Returns
    -------
    pd.DataFrame
        Columns of :data:`alignment.matching.review.QUEUE_COLUMNS`, best first, ``decision``
        blank.
    """
    from ..cli import _decided_matcher  # to move to matching.review as a public function
    from ..matching.align import cached_embedder, score_blocks
    from ..matching.pairing import direction_of
    from ..matching.review import queue_table, review_queue
    from ..matching.score import MatchParams, score_model_for

    s, measures, documents = project.settings, project.table("measures"), project.table("documents")
    unknown = sorted({src_doc, tgt_doc} - set(documents["doc_id"]))
    if unknown or src_doc == tgt_doc:
        raise ValueError(f"review two different plans of the project, not {src_doc!r} and {tgt_doc!r}"
                         + (f" ({unknown} unknown; known: {sorted(documents['doc_id'])})" if unknown else ""))
    embed = cached_embedder(s.encoder, s, progress=False)
    model = score_model_for(embed.encoder_name, s.calibration_path)
    pairs = [(src_doc, tgt_doc, direction_of(documents, src_doc, tgt_doc))]
    blocks, model, decided = _decided_matcher(s, measures, documents, pairs, embed, model, progress=False)
    al, _ = score_blocks(blocks, model, MatchParams.from_settings(s, model), decided)
    return queue_table(review_queue(al, budget), measures)


def record_decisions(project: Project, table: pd.DataFrame, reviewer: str | None = None) -> int:
    """Record a filled queue in the project's decisions file (``data/review/decisions.csv``),
    which ``alignment run`` honours. The table is checked whole: one bad row and nothing is
    recorded.

    Parameters
    ----------
    project
        The project.
    table
        A queue (:func:`review_queue_for`) with ``decision`` filled in (strong, partial, none,
        or 强, 部分, 无; blank = not reviewed).
    reviewer
        Who decided; default the OS user.

    Returns
    -------
    int
        Decisions recorded.

    Raises
    ------
    alignment.matching.review.ReviewFileError
        A row names an unknown decision or measure.
    """
    from ..matching.review import append_decisions, decisions_from_review, default_reviewer

    new = decisions_from_review(table, project.table("measures"), reviewer or default_reviewer(), "notebook")
    return append_decisions(project.settings.decisions_path, new)


def review_form(project: Project, queue: pd.DataFrame, reviewer: str | None = None):
    """Widgets to review a queue in a notebook: each pair's texts with the shared wording marked,
    the model's label and score, and a decision drop-down; a *Record decisions* button records
    the chosen ones (:func:`record_decisions`) and says how many.

    Parameters
    ----------
    project
        The project.
    queue
        A queue (:func:`review_queue_for`).
    reviewer
        Who decides; default the OS user.

    Returns
    -------
    ipywidgets.VBox
        A heading, one row per pair (HTML, Dropdown), then the button and a status line.
    """
    import ipywidgets as widgets

    from ..matching.review import ReviewFileError

    if queue.empty:
        return widgets.VBox([widgets.HTML("Nothing to review here: every candidate pair is decided.")])
    choices, rows = [], []
    for r in queue.itertuples():
        spans = [p for p in r.shared.split(" ｜ ") if p]
        cells = _pair_row(r.src_measure_id, r.src_text, r.tgt_measure_id, r.tgt_text, spans, f"{r.label}<br>{r.score:.2f}")
        choice = widgets.Dropdown(options=("", *DECISION_VALUES), layout=widgets.Layout(width="7em"))
        choices.append(choice)
        rows.append(widgets.HBox([widgets.HTML(f"<table style='table-layout:fixed;width:100%'>{cells}</table>",
                                               layout=widgets.Layout(flex="1")), choice]))
    button = widgets.Button(description="Record decisions", button_style="primary")
    status = widgets.HTML()

    def record(_):
        table = queue.assign(decision=["" if c.disabled else c.value for c in choices])
        try:
            n = record_decisions(project, table, reviewer)
        except ReviewFileError as exc:
            status.value = html.escape(str(exc))
            return
        for c in choices:
            c.disabled = c.disabled or bool(c.value)  # recorded once, not again on the next click
        status.value = (f"{n} decision{'s' * (n != 1)} recorded in {html.escape(str(project.settings.decisions_path))}; "
                        f"<code>alignment run</code> honours them and refits the score model on them.")

    button.on_click(record)
    head = widgets.HTML(f"<b>{len(queue)} pairs</b>, the most useful first: choose strong, partial or none "
                        f"(blank: not reviewed), then record.")
    return widgets.VBox([head, *rows, widgets.HBox([button, status])])


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
