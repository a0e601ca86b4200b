"""Review in a notebook: the queue of two plans as a form, a decision drop-down per pair, and the
chosen decisions recorded in the project's decisions file, as ``alignment review`` records them."""
from __future__ import annotations

import html

import pandas as pd

from ..config import REVIEW_QUEUE_SIZE
from ..report.notebook import Project, pair_row
from ..schemas import DECISION_VALUES
from .decisions import ReviewFileError, append_decisions, decisions_from_review, default_reviewer
from .queue import queue_for_plans

__all__ = ["record_decisions", "review_form", "review_queue_for"]


def review_queue_for(project: Project, src_doc: str, tgt_doc: str, budget: int = REVIEW_QUEUE_SIZE) -> pd.DataFrame:
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
        Columns of :data:`alignment.review.queue.QUEUE_COLUMNS`, best first, ``decision``
        blank.
    """
    s, measures, documents = project.settings, project.table("measures"), project.table("documents")
    unknown = sorted({src_doc, tgt_doc} - set(documents["doc_id"]))
    if unknown or src_doc == tgt_doc:
        raise ValueError(f"review two different plans of the project, not {src_doc!r} and {tgt_doc!r}"
                         + (f" ({unknown} unknown; known: {sorted(documents['doc_id'])})" if unknown else ""))
    table, _ = queue_for_plans(s, measures, documents, [src_doc], [tgt_doc], budget, progress=False)
    return table


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
    alignment.review.decisions.ReviewFileError
        A row names an unknown decision or measure.
    """
    new = decisions_from_review(table, project.table("measures"), reviewer or default_reviewer(), "notebook")
    return len(append_decisions(project.settings.decisions_path, new))


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

    if queue.empty:
        return widgets.VBox([widgets.HTML("Nothing to review here: every candidate pair is decided.")])
    choices, rows = [], []
    for r in queue.itertuples():
        spans = [p for p in r.shared.split(" ｜ ") if p]
        cells = pair_row(r.src_measure_id, r.src_text, r.tgt_measure_id, r.tgt_text, spans, f"{r.label}<br>{r.score:.2f}")
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
