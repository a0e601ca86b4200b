"""The review queue: the candidate pairs whose answers help most, written for a person to fill.

Strategy (:func:`review_queue`). For an undecided candidate with link probability ``p``: a pair
labelled a link is wrong with probability ``1 - p``; a pair not labelled a link is a missed link
with probability ``p``, and finding a missed link is worth about twice removing a false one for
F1 (it adds a true positive and removes a false negative). So the expected gain is ``1 - p``
for labelled links and ``2p`` for the rest: the largest gains lie near the thresholds, among a
source's close top candidates, and past the top few wherever the model is unsure. Picks are
greedy with diversity: each further pick of the same source counts at half the gain of the
previous one, so the queue spreads over sources. Decided pairs never return, and a pair is asked
once even when both directions are in the queue's plans (a decision holds both ways).

:func:`write_queue` writes it as ``.csv`` or ``.xlsx`` (a drop-down for ``decision``, wrapped
text, both measures' full texts side by side, the shared wording in red bold).
"""
from __future__ import annotations

import heapq
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..matching.text import MIN_SPAN, distinct_spans, match_text, shared_spans
from .decisions import DECISION_CHOICES, pair_key

__all__ = ["QUEUE_COLUMNS", "SAME_SOURCE_DECAY", "queue_for_plans", "queue_table", "review_queue", "shared_wording",
           "write_queue"]

QUEUE_COLUMNS = ("src_measure_id", "tgt_measure_id", "src_doc", "tgt_doc", "src_text", "tgt_text", "score",
                 "label", "shared", "evidence", "decision")
SAME_SOURCE_DECAY = 0.5  # each further pick of one source in a queue counts at this share of the last


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
    picked, per_source, asked = [], {}, set()
    src, tgt = pool["src_measure_id"].to_numpy(), pool["tgt_measure_id"].to_numpy()
    while heap and len(picked) < n:
        neg, k, i = heapq.heappop(heap)
        if pair_key(src[i], tgt[i]) in asked:  # its mirror is in the queue: one answer serves both ways
            continue
        due = gain[i] * decay ** per_source.get(src[i], 0)
        if -neg > due + 1e-12:  # its source was picked since this entry was scored: re-queue
            heapq.heappush(heap, (-due, k, i))
            continue
        picked.append(i)
        asked.add(pair_key(src[i], tgt[i]))
        per_source[src[i]] = per_source.get(src[i], 0) + 1
    return pool.iloc[picked].assign(gain=gain[picked]).reset_index(drop=True)


def queue_for_plans(settings, measures: pd.DataFrame, documents: pd.DataFrame, src_docs: list[str],
                    tgt_docs: list[str], budget: int, progress: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The queue of ``budget`` pairs from the source plans to the target plans, scored as ``run``
    scores them (the project's encoder, the model refitted on its decisions, decisions honoured):
    what ``alignment review --out`` writes and the notebook form shows.

    Parameters
    ----------
    settings : Settings
        The project's settings (encoder, cache, decisions file, thresholds).
    measures, documents : pd.DataFrame
        Today's measures and documents tables.
    src_docs, tgt_docs : list of str
        Source and target plan ids; each target plan is its own block.
    budget : int
        Pairs to ask about.
    progress : bool
        Show progress bars.

    Returns
    -------
    (queue, alignments)
        The queue (:func:`queue_table`) and the alignments it was chosen from.
    """
    from ..matching.align import matcher_for, score_blocks
    from ..matching.pairing import blocks_between
    from ..matching.score import MatchParams
    from .refit import decided_matching

    embed, model = matcher_for(settings.encoder, settings, progress)
    pairs = blocks_between(documents, src_docs, tgt_docs)
    blocks, model, decided = decided_matching(settings, measures, documents, pairs, embed, model, progress)
    al, _ = score_blocks(blocks, model, MatchParams.from_settings(settings, model), decided)
    return queue_table(review_queue(al, budget), measures), al


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
        dv = DataValidation(type="list", formula1=f'"{",".join(DECISION_CHOICES)}"', allow_blank=True,
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
