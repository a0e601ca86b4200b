"""Score the parse stage against plans annotated by a careful reader.

An annotation is one JSON file per plan (the format of ``tests/wild/annotations/``, described in
``tests/wild/README.md``): the plan's title, level, region, period, issuer, 文号, the documents
it implements, its measure count, and for a few measures (found by a quote of their text) their
responsible units and deadline years. :func:`score_parse` compares them with the documents and
measures tables; ``scripts/benchmark_wild.py`` prints the result.

Comparison rules, so that form never counts as content: texts are compared in their
:func:`~alignment.clean.content` form after OpenCC t2s (punctuation, width and dashes drop out);
a title matches with or without its issuer in front (呼和浩特市人民政府关于…的实施意见) and its
draft status ((征求意见稿), (试行)); a region
matches when the predicted full path ends with the annotated division (河南省驻马店市西平县 for
西平县, 四川省凉山彝族自治州 for 凉山州); issuers match as sets of bodies; implements match as sets of titles, a 文号 in
parentheses ignored.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from .clean import content, to_simplified
from .gazetteer import load_gazetteer

__all__ = ["FIELDS", "format_parse_report", "read_annotations", "score_parse"]

FIELDS = ("title", "level", "region", "period", "issuer", "docno", "implements")


def read_annotations(folder: Path) -> list[dict]:
    """Every ``*.json`` annotation in ``folder``, sorted by doc_id.

    Parameters
    ----------
    folder
        Folder of annotation JSON files, e.g. ``tests/wild/annotations/``.
    """
    out = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(Path(folder).glob("*.json"))]
    return sorted(out, key=lambda a: a["doc_id"])


def _norm(text) -> str:
    return content(to_simplified(str(text or "")))


_DRAFT = re.compile(r"[(（]\s*(征求意见稿|试行|草案|送审稿|讨论稿)\s*[)）]")


def _title_ok(pred: str, gold: str) -> bool:
    p, g = _norm(_DRAFT.sub("", str(pred or ""))), _norm(_DRAFT.sub("", str(gold or "")))
    if not p or not g:
        return p == g
    short, long_ = sorted((p, g), key=len)
    return p == g or (len(short) >= 6 and long_.endswith(short) and "关于" in long_[: len(long_) - len(short) + 2])


def _issuer_set(text: str) -> set[str]:
    return {_norm(p) for p in re.split(r"[\s、,，]+", str(text or "")) if _norm(p)}


def _upstream_set(items) -> set[str]:
    return {_norm(re.sub(r"[(（][^()（）]*[〔\[]\s*\d{4}.*?[)）]$", "", str(i))) for i in items if _norm(i)}


def _field_ok(name: str, doc: dict, gold: dict) -> bool:
    if name == "title":
        return _title_ok(doc["title"], gold["title"])
    if name == "level":
        return doc["level"] == gold["level"]
    if name == "region":
        p, g = _norm(doc["region"]), _norm(gold["region"])
        if not g or not p:
            return p == g
        full_names = {g} | {place.name for place in load_gazetteer().lookup(g)}  # 凉山州 = 凉山彝族自治州
        return any(p.endswith(n) for n in full_names)
    if name == "period":
        ps, pe = doc["period_start"], doc["period_end"]
        as_int = (lambda v: None if v is None or pd.isna(v) else int(v))
        return (as_int(ps), as_int(pe)) == (gold["period_start"], gold["period_end"])
    if name == "issuer":
        return _issuer_set(doc["issuer"]) == _issuer_set(gold["issuer"])
    if name == "docno":
        return _norm(doc["docno"]) == _norm(gold["docno"])
    if name == "implements":
        pred, want = _upstream_set(doc["implements"]), _upstream_set(gold["implements"])
        matched = lambda a, pool: any(a in b or b in a for b in pool)
        return all(matched(w, pred) for w in want) and all(matched(p, want) for p in pred)
    raise KeyError(name)


def _find_measure(measures: pd.DataFrame, quote: str):
    q = _norm(quote)
    if not q:
        return None
    hits = measures[measures["text"].map(lambda t: q in _norm(t))]
    return hits.iloc[0] if len(hits) else None


def score_parse(documents: pd.DataFrame, measures: pd.DataFrame, annotations: list[dict]) -> dict:
    """Compare parse tables with annotations.

    Parameters
    ----------
    documents
        The documents table of a parse run (:func:`alignment.parsing.parse.parse_corpus`);
        skipped rows count as skipped.
    measures
        The measures table of the same run.
    annotations
        Annotations as :func:`read_annotations` returns them.

    Returns
    -------
    dict
        ``plans`` (annotated), ``skipped`` (annotated plans with no documents row),
        ``measure_count_exact`` (share), ``fields`` ({field: accuracy}), ``units_recall`` (share of
        annotated unit names found in the same role on the matched measure), ``deadline_recall``,
        ``measures_found`` (share of annotated quotes found in some measure), and ``misses``: one
        line per wrong value, for reading.
    """
    docs = {r["doc_id"]: r for r in documents.to_dict("records") if r.get("status", "parsed") == "parsed"}
    misses: list[str] = []
    counts_ok = 0
    field_ok = {f: 0 for f in FIELDS}
    unit_hit = unit_all = dl_hit = dl_all = found = quotes = 0
    skipped = []
    for gold in annotations:
        did = gold["doc_id"]
        doc = docs.get(did)
        if doc is None:
            skipped.append(did)
            misses.append(f"{did}: skipped")
            continue
        if int(doc["n_measures"]) == gold["n_measures"]:
            counts_ok += 1
        else:
            misses.append(f"{did}: n_measures {doc['n_measures']} != {gold['n_measures']}")
        for f in FIELDS:
            if _field_ok(f, doc, gold):
                field_ok[f] += 1
            else:
                pred = (doc["period_start"], doc["period_end"]) if f == "period" else doc[f]
                want = (gold["period_start"], gold["period_end"]) if f == "period" else gold[f]
                misses.append(f"{did}: {f} {pred!r} != {want!r}")
        mine = measures[measures["doc_id"] == did]
        for m in gold.get("measures", []):
            quotes += 1
            row = _find_measure(mine, m["quote"])
            if row is None:
                misses.append(f"{did}: no measure holds {m['quote']!r}")
            found += row is not None
            for role in ("lead_units", "support_units", "responsible_units"):
                for unit in m.get(role, []):
                    unit_all += 1
                    ok = row is not None and _norm(unit) in {_norm(u) for u in row[role]}
                    unit_hit += ok
                    if not ok and row is not None:
                        misses.append(f"{did}: {role} {unit!r} missing from {list(row[role])}")
            for year in m.get("deadline_years", []):
                dl_all += 1
                ok = row is not None and year in {d.get("year") for d in row["deadlines"]}
                dl_hit += ok
                if not ok and row is not None:
                    misses.append(f"{did}: deadline {year} missing from {[d.get('text') for d in row['deadlines']]}")
    n = len(annotations) - len(skipped)
    share = (lambda a, b: a / b if b else 1.0)
    return {
        "plans": len(annotations), "skipped": skipped,
        "measure_count_exact": share(counts_ok, len(annotations)),
        "fields": {f: share(v, len(annotations)) for f, v in field_ok.items()},
        "units_recall": share(unit_hit, unit_all), "units_annotated": unit_all,
        "deadline_recall": share(dl_hit, dl_all), "deadlines_annotated": dl_all,
        "measures_found": share(found, quotes), "parsed": n, "misses": misses,
    }


def format_parse_report(score: dict) -> str:
    """The figures of :func:`score_parse` as a few printable lines.

    Parameters
    ----------
    score
        The dict :func:`score_parse` returns.
    """
    fields = "  ".join(f"{f} {v:.0%}" for f, v in score["fields"].items())
    return "\n".join([
        f"plans {score['plans']}, parsed {score['parsed']}, skipped {len(score['skipped'])}"
        + (f" ({', '.join(score['skipped'])})" if score["skipped"] else ""),
        f"measure count exact: {score['measure_count_exact']:.1%}",
        f"metadata accuracy: {fields}",
        (f"units recall: {score['units_recall']:.1%} of {score['units_annotated']} annotated unit names; "
        f"deadline recall {score['deadline_recall']:.1%} of {score['deadlines_annotated']}; "
        f"annotated measures found {score['measures_found']:.1%}"),
    ])
