"""Benchmark: the cascade graph and its tables for the 1,000-plan synthetic corpus.

The corpus is the one ``benchmark_align.py`` grows (four levels, ~100,000 measures). Instead of
running the matcher (that is ``benchmark_align.py``'s job), each reworded measure is linked to
the measure it came from (strong) and to one other measure of its parent plan (partial), and
coverage is derived from those links: about as many links as the matcher asserts. Prints time
and peak memory of building the graph and of each table.

    .venv/bin/python scripts/benchmark_cascade.py [--plans 1000] [--per-plan 100]
"""
from __future__ import annotations

import argparse
import random
import time

import pandas as pd
from benchmark_align import _peak_mb, _reset_peak, synthetic_corpus

from alignment import schemas
from alignment.cascade import analytics
from alignment.cascade.graph import build_cascade, edges_table, nodes_table

UNITS = ("司法局", "政府办公室", "公安局", "财政局", "党委组织部", "人民法院", "市场监管局")
PREFIX = {"national": "", "provincial": "省", "municipal": "市", "county": "县"}


def tables(n_plans: int, per_plan: int, seed: int = 0):
    """(documents, measures, alignments, coverage) of the synthetic corpus, in the schemas' form."""
    rng = random.Random(seed)
    docs, measures = synthetic_corpus(n_plans, per_plan, seed)
    level = dict(zip(docs["doc_id"], docs["level"]))
    parent = dict(zip(docs["doc_id"], docs["parent"]))
    doc_rows = [{"doc_id": d.doc_id, "files": [f"{d.doc_id}.txt"], "title": f"{d.region or '全国'}法治建设实施方案",
                 "docno": "", "level": d.level, "region": d.region, "issuer": "", "period_start": 2021,
                 "period_end": 2025, "source_url": "", "implements": [], "citations": [], "n_measures": per_plan,
                 "n_units": per_plan, "encoding": "utf-8", "inferred": [], "flags": [], "status": "parsed",
                 "reason": ""} for d in docs.itertuples()]
    m_rows = []
    for k, m in enumerate(measures.itertuples()):
        part = "一二三四五"[k % 5]
        year = rng.choice((2022, 2023, 2024, 2025))
        lead = [PREFIX[level[m.doc_id]] + rng.choice(UNITS)] if rng.random() < 0.6 else []
        m_rows.append({"measure_id": m.measure_id, "doc_id": m.doc_id, "source_file": f"{m.doc_id}.txt", "seq": k,
                       "section_path": f"{part}、第{part}部分", "section_numbers": part, "number": f"{k}.",
                       "task_index": 0, "kind": "measure", "title": "", "text": m.text, "text_original": m.text,
                       "char_start": 0, "char_end": len(m.text), "lead_units": lead, "support_units": [],
                       "responsible_units": [], "deadlines": [{"text": f"到{year}年", "year": year, "date": None,
                                                               "relative_years": None}],
                       "targets": [], "citations": [], "flags": []})
    by_doc = measures.groupby("doc_id")["measure_id"].apply(list).to_dict()
    al_rows, covered = [], {}
    for m in measures.itertuples():
        if not m.origin:
            continue
        up = parent[m.doc_id]
        other = rng.choice(by_doc[up])
        for tgt, label, score in ((m.origin, "strong", 0.9), (other, "partial", 0.45)):
            al_rows.append({"src_measure_id": tgt, "tgt_measure_id": m.measure_id, "src_doc": up, "tgt_doc": m.doc_id,
                            "direction": "top-down", "score": score, "rank": 1, "label": label, "semantic": 0.5,
                            "lexical": 0.5, "reuse": 0.3, "evidence": ""})
            covered.setdefault((up, m.doc_id, tgt), label)
    cov_rows = []
    for d, up in parent.items():
        if not up:
            continue
        for mid in by_doc[up]:
            label = covered.get((up, d, mid))
            cov_rows.append({"src_measure_id": mid, "src_doc": up, "tgt_doc": d, "direction": "top-down",
                             "status": {"strong": "covered", "partial": "partial"}.get(label, "gap"),
                             "best_tgt_measure_id": "", "best_score": 0.0, "evidence": ""})
    return (schemas.frame(doc_rows, schemas.DOCUMENTS), schemas.frame(m_rows, schemas.MEASURES),
            schemas.frame(al_rows, schemas.ALIGNMENTS), schemas.frame(cov_rows, schemas.COVERAGE))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plans", type=int, default=1000)
    ap.add_argument("--per-plan", type=int, default=100)
    a = ap.parse_args()
    documents, measures, alignments, coverage = tables(a.plans, a.per_plan)
    print(f"corpus: {len(documents)} plans, {len(measures)} measures, {len(alignments)} links, "
          f"{len(coverage)} coverage rows")
    _reset_peak()
    start = t0 = time.perf_counter()
    G = build_cascade(documents, measures, alignments)
    print(f"graph      {time.perf_counter() - t0:7.1f} s  peak {_peak_mb():6.0f} MB  "
          f"{G.number_of_nodes()} nodes, {G.number_of_edges()} edges")
    for name, make in (("coverage_summary", lambda: analytics.coverage_summary(G, coverage)),
                       ("gaps", lambda: analytics.gaps(G, coverage)),
                       ("innovations", lambda: analytics.innovations(G, alignments)),
                       ("drift", lambda: analytics.drift(G)), ("unit_load", lambda: analytics.unit_load(G)),
                       ("node/edge tables", lambda: pd.concat([nodes_table(G), edges_table(G)]))):
        t0 = time.perf_counter()
        table = make()
        print(f"{name:<17}{time.perf_counter() - t0:6.1f} s  peak {_peak_mb():6.0f} MB  {len(table)} rows")
    print(f"total {time.perf_counter() - start:.1f} s, peak {_peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
