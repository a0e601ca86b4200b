"""Evaluate stage: score an alignments table against hand-labelled gold pairs.

Gold format (UTF-8 CSV): ``src_doc,src_id,src_quote,tgt_doc,tgt_quote,strength,note``; quotes
are 10-30 characters copied from the plans, ``strength`` is strong / partial / none. A quote is
mapped to the measure whose text contains it after both are normalised (pinyin readings
removed, OpenCC t2s, only CJK, digits, letters and % kept). Documents are named by the raw file
prefix (``000``), matched against each measure's ``source_file``.

Metrics: any-link and strong-link precision/recall/F1, recall@1, recall@3 and MRR over source
measures that have gold links, and gap precision/recall/F1 (source measures without links).
"""
from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from pathlib import Path

import pandas as pd

from ..parsing.chartables import t2s_converter
from ..parsing.clean import content, strip_pinyin

__all__ = ["GOLD_COLUMNS", "STRENGTHS", "GoldError", "file_prefixes", "format_report", "gold_doc_pairs", "gold_links",
           "gold_plan_pairs", "norm_quote", "normalise_strength", "read_gold", "score_alignments"]

_PINYIN_ANY = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")


def norm_quote(s: str) -> str:
    """Comparable form of a quote or measure text.

    Parameters
    ----------
    s : str
        A gold quote or a measure text (``None`` counts as empty).
    """
    s = _PINYIN_ANY.sub("", strip_pinyin(s or "")[0])
    return content(t2s_converter()(s))


class GoldError(ValueError):
    """A gold file that cannot be scored; the message names the file, row and problem."""


GOLD_COLUMNS = ("src_doc", "src_quote", "tgt_doc", "tgt_quote", "strength")
# How people write a strength (gold files) or a decision (review files): case, spaces, width,
# traditional characters and these Chinese words do not matter (see normalise_strength).
STRENGTHS = {"strong": "strong", "partial": "partial", "none": "none", "强": "strong", "部分": "partial",
             "部份": "partial", "无": "none", "弱": "partial"}


def normalise_strength(word: str) -> str | None:
    """``strong``, ``partial`` or ``none`` for a word a person wrote, or None if it is none of them.

    Parameters
    ----------
    word : str
        A cell of a gold file's ``strength`` or a review file's ``decision`` column.

    Examples
    --------
    >>> [normalise_strength(w) for w in ("Strong ", "ｎｏｎｅ", "強", "部份", "maybe")]
    ['strong', 'none', 'strong', 'partial', None]
    """
    import unicodedata

    w = unicodedata.normalize("NFKC", str(word)).strip().lower()
    return STRENGTHS.get(w) or STRENGTHS.get(t2s_converter()(w))


def read_gold(paths: list[Path]) -> list[dict]:
    """Rows of one or more gold files; each row gets ``pool``, the target docs its file labels.

    ``strength`` is normalised (``Strong``, ``strong ``, 强 -> ``strong``).

    Parameters
    ----------
    paths : list of Path
        Gold CSV files (UTF-8, format in the module docstring).

    Raises
    ------
    GoldError
        A file that cannot be read, lacks a column, has a row cut short (fewer fields than
        the header) or a strength that is not strong / partial / none; every bad row is named.
    """
    rows = []
    for path in map(Path, paths):
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            raise GoldError(f"gold file {path}: cannot be read ({exc.strerror})") from None
        except UnicodeDecodeError:
            raise GoldError(f"gold file {path}: not UTF-8 text; save it as UTF-8 CSV") from None
        reader = csv.reader(io.StringIO(text, newline=""))
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in GOLD_COLUMNS if c not in header]
        if missing:
            raise GoldError(f"gold file {path.name}: lacks column(s) {missing}; the header must hold {', '.join(GOLD_COLUMNS)}")
        file_rows, bad = [], []
        for row_no, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) < len(header):
                bad.append(f"row {row_no} has {len(values)} of {len(header)} fields (cut short?)")
                continue
            row = {h: v.strip() for h, v in zip(header, values)}
            strength = normalise_strength(row["strength"])
            if strength is None:
                bad.append(f"row {row_no} has strength {row['strength']!r} (use strong, partial or none)")
                continue
            if not row["src_quote"] or (strength != "none" and not row["tgt_quote"]):
                bad.append(f"row {row_no} has an empty quote")
                continue
            row["strength"] = strength
            file_rows.append(row)
        if bad:
            more = f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""
            raise GoldError(f"gold file {path.name}: " + "; ".join(bad[:5]) + more)
        pool = sorted({r["tgt_doc"] for r in file_rows if r["tgt_doc"]})
        for r in file_rows:
            r["pool"] = pool
        rows += file_rows
    return rows


def file_prefixes(source_file: str) -> list[str]:
    """Gold names of the raw files behind a unit: the 3-character file-name prefixes.

    Parameters
    ----------
    source_file : str
        A ``source_file`` cell of the measures table: one or more paths, ``;``- or ``,``-separated.

    Examples
    --------
    >>> file_prefixes("data/raw/002_1c94.txt;001_2724.txt")
    ['002', '001']
    """
    parts = (Path(p.strip()).name for p in str(source_file).replace(";", ",").split(","))
    return [p[:3] for p in parts if p]


def _measures_by_file(measures: pd.DataFrame) -> dict[str, list[tuple[str, str]]]:
    by_file: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for mid, sf, text in zip(measures["measure_id"], measures["source_file"], measures["text"]):
        for prefix in file_prefixes(sf):
            by_file[prefix].append((str(mid), norm_quote(str(text))))
    return by_file


def gold_links(measures: pd.DataFrame, gold_rows: list[dict]) -> tuple[dict[str, dict], int]:
    """Gold as {source measure id: {'any': set, 'strong': set, 'pool': set}} and the number of
    quotes that could not be mapped to a measure.

    Parameters
    ----------
    measures : pd.DataFrame
        The measures table (``measure_id``, ``source_file`` and ``text`` are used).
    gold_rows : list of dict
        Gold rows from :func:`read_gold`.
    """
    by_file = _measures_by_file(measures)

    def locate(doc: str, quote: str) -> list[str]:
        q = norm_quote(quote)
        return [mid for mid, t in by_file.get(doc, []) if q and q in t]

    items: dict[str, dict] = {}
    unmapped = 0
    for r in gold_rows:
        src = locate(r["src_doc"], r["src_quote"])
        if not src:
            unmapped += 1
            continue
        item = items.setdefault(src[0], {"any": set(), "strong": set(), "pool": set()})
        item["pool"].update(r["pool"])
        if r["strength"] in ("strong", "partial") and r["tgt_quote"]:
            tgt = locate(r["tgt_doc"], r["tgt_quote"])
            target = tgt[0] if tgt else ("UNMAPPED", r["tgt_quote"])
            unmapped += not tgt
            item["any"].add(target)
            if r["strength"] == "strong":
                item["strong"].add(target)
    return items, unmapped


def score_alignments(measures: pd.DataFrame, alignments: pd.DataFrame, gold_rows: list[dict]) -> dict:
    """All metrics for one alignments table.

    Parameters
    ----------
    measures : pd.DataFrame
        The measures table (maps gold quotes to measures).
    alignments : pd.DataFrame
        Alignments to score (``src_measure_id``, ``tgt_measure_id``, ``score`` and ``label`` are used).
    gold_rows : list of dict
        Gold rows from :func:`read_gold`.

    Returns
    -------
    dict with src_items, unmapped_quotes, any_link/strong_link ({p, r, f}), recall_at_1,
    recall_at_3, mrr, gap ({p, r, f, gold, pred}).
    """
    items, unmapped = gold_links(measures, gold_rows)
    by_file = _measures_by_file(measures)
    pool_ids = {doc: {mid for mid, _ in rows} for doc, rows in by_file.items()}
    al = alignments[alignments["src_measure_id"].astype(str).isin(items)]
    pred_any, pred_strong, ranked = defaultdict(set), defaultdict(set), defaultdict(list)
    for s, t, sc, lab in zip(al["src_measure_id"], al["tgt_measure_id"], al["score"], al["label"]):
        s, t, lab = str(s), str(t), str(lab).strip().lower()
        if not any(t in pool_ids.get(d, ()) for d in items[s]["pool"]):
            continue
        ranked[s].append((float(sc), t))
        if lab in ("strong", "partial"):
            pred_any[s].add(t)
        if lab == "strong":
            pred_strong[s].add(t)

    def prf(pred, key):
        tp = sum(len(pred[s] & items[s][key]) for s in items)
        npred = sum(len(pred[s]) for s in items)
        ngold = sum(len(items[s][key]) for s in items)
        p = tp / npred if npred else 0.0
        r = tp / ngold if ngold else 0.0
        return {"p": p, "r": r, "f": 2 * p * r / (p + r) if p + r else 0.0}

    r1 = r3 = mrr = 0.0
    with_links = [s for s in items if items[s]["any"]]
    for s in with_links:
        order = [t for _, t in sorted(ranked[s], key=lambda x: -x[0])]
        pos = next((i + 1 for i, t in enumerate(order) if t in items[s]["any"]), None)
        if pos:
            r1 += pos <= 1
            r3 += pos <= 3
            mrr += 1 / pos
    n = max(len(with_links), 1)
    gold_gap = {s for s in items if not items[s]["any"]}
    pred_gap = {s for s in items if not pred_any[s]}
    tp = len(gold_gap & pred_gap)
    gp = tp / len(pred_gap) if pred_gap else 0.0
    gr = tp / len(gold_gap) if gold_gap else 0.0
    return {
        "src_items": len(items), "unmapped_quotes": unmapped,
        "any_link": prf(pred_any, "any"), "strong_link": prf(pred_strong, "strong"),
        "recall_at_1": r1 / n, "recall_at_3": r3 / n, "mrr": mrr / n,
        "gap": {"p": gp, "r": gr, "f": 2 * gp * gr / (gp + gr) if gp + gr else 0.0,
                "gold": len(gold_gap), "pred": len(pred_gap)},
    }


def gold_doc_pairs(gold_rows: list[dict]) -> list[tuple[str, str]]:
    """(source file prefix, target file prefix) pairs a gold set labels.

    Parameters
    ----------
    gold_rows : list of dict
        Gold rows from :func:`read_gold`.
    """
    return sorted({(r["src_doc"], r["tgt_doc"]) for r in gold_rows if r["src_doc"] and r["tgt_doc"]})


def gold_plan_pairs(measures: pd.DataFrame, gold_rows: list[dict]) -> list[tuple[str, str]]:
    """The labelled pairs as (source plan id, target plan id), through the measures' files;
    pairs naming a file that no plan holds are left out.

    Parameters
    ----------
    measures : pd.DataFrame
        The measures table (``doc_id`` and ``source_file`` are used).
    gold_rows : list of dict
        Gold rows from :func:`read_gold`.
    """
    doc_of: dict[str, str] = {}
    for doc, sf in zip(measures["doc_id"], measures["source_file"]):
        for prefix in file_prefixes(sf):
            doc_of.setdefault(prefix, doc)
    return sorted({(doc_of[a], doc_of[b]) for a, b in gold_doc_pairs(gold_rows) if a in doc_of and b in doc_of})


def format_report(results: dict[str, dict]) -> str:
    """Side-by-side table, one column per encoder.

    Parameters
    ----------
    results : dict of str to dict
        Metrics from :func:`score_alignments` by encoder name, in column order.
    """
    names = list(results)
    rows = [("any-link P", lambda r: r["any_link"]["p"]), ("any-link R", lambda r: r["any_link"]["r"]),
            ("any-link F1", lambda r: r["any_link"]["f"]), ("strong P", lambda r: r["strong_link"]["p"]),
            ("strong R", lambda r: r["strong_link"]["r"]), ("strong F1", lambda r: r["strong_link"]["f"]),
            ("recall@1", lambda r: r["recall_at_1"]), ("recall@3", lambda r: r["recall_at_3"]),
            ("MRR", lambda r: r["mrr"]), ("gap P", lambda r: r["gap"]["p"]), ("gap R", lambda r: r["gap"]["r"]),
            ("gap F1", lambda r: r["gap"]["f"])]
    width = max(18, *(len(n) + 2 for n in names))
    lines = ["metric".ljust(14) + "".join(n.rjust(width) for n in names)]
    for label, get in rows:
        lines.append(label.ljust(14) + "".join(f"{get(results[n]):.3f}".rjust(width) for n in names))
    first = results[names[0]]
    lines.append(f"source measures {first['src_items']}, unmapped gold quotes {first['unmapped_quotes']}")
    return "\n".join(lines)
