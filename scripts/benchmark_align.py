"""Benchmark: align a synthetic four-level corpus (default 1,000 plans, ~100,000 measures).

The corpus is grown from the seed measures: national plans draw and reword seed measures;
each provincial, municipal and county plan rewords most of its parent's measures (drops a
clause, renames the region, adds a clause from elsewhere) and adds some of its own. Every plan
is then aligned bottom-up against each plan above it, in the blocks the pipeline itself makes
(``plan_pairs`` by hierarchy: nested regions), so no all-pairs matrix is ever built.

Prints, per stage, wall time and peak resident memory (the parent process; worker processes
for the matching stage), the matching throughput, and provenance recall@1 on the synthetic
truth (a reworded measure's best link should be the measure it came from).

    .venv/bin/python scripts/benchmark_align.py                      # lexical, full size
    .venv/bin/python scripts/benchmark_align.py --encoder e5-small+lexical --plans 101  # the default encoder
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from alignment.config import load_settings
from alignment.matching.align import align_pair
from alignment.matching.embed import EmbeddingCache, get_encoder, make_embedder
from alignment.matching.pairing import plan_pairs
from alignment.matching.score import MatchParams, score_model_for
from alignment.matching.text import clauses, match_text
from alignment.parsing.manifest import load_manifest
from alignment.parsing.parse import parse_corpus

LEVELS = (("national", 1), ("provincial", 31), ("municipal", 268), ("county", 700))
REGIONS = ("省", "市", "县", "区", "州")
SUFFIX = ("", "省", "市", "县")  # region names nest: p3省 > p3省m12市 > p3省m12市c40县


def _reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reword(text: str, rng: random.Random, pool: list[str]) -> str:
    """A lower plan's version of a measure: one clause dropped, region words changed, one
    clause borrowed from another measure."""
    parts = clauses(text)
    if len(parts) > 2:
        parts.pop(rng.randrange(1, len(parts)))
    parts.append(rng.choice(clauses(rng.choice(pool))))
    out = "".join(parts)
    return out.replace("省", rng.choice(REGIONS)).replace("市县", rng.choice(("县区", "市区", "乡镇")))


def synthetic_corpus(n_plans: int, per_plan: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(documents, measures): ``n_plans`` plans on four levels, each with ``per_plan`` measures;
    measures carry ``origin`` (the parent measure they reword, "" for a local one)."""
    rng = random.Random(seed)
    raw = Path(__file__).resolve().parents[1] / "data" / "raw"
    seeds = parse_corpus(load_manifest(raw), progress=False).measures
    pool = seeds.loc[seeds["kind"] == "measure", "text"].tolist()
    scale = n_plans / sum(n for _, n in LEVELS)
    docs, measures, by_level, rows_of, region_of = [], [], {}, {}, {"": ""}
    for depth, (level, n) in enumerate(LEVELS):
        for k in range(max(1, round(n * scale))):
            doc = f"{level[:1]}{k:04d}"
            parent = rng.choice(by_level[LEVELS[depth - 1][0]]) if depth else ""
            region_of[doc] = region_of[parent] + (f"{level[:1]}{k}{SUFFIX[depth]}" if depth else "")
            docs.append((doc, level, parent, region_of[doc]))
            by_level.setdefault(level, []).append(doc)
            parent_rows = rows_of.get(parent, [])
            rows_of[doc] = []
            for i in range(per_plan):
                if parent_rows and rng.random() < 0.7:
                    src = rng.choice(parent_rows)
                    text, origin = reword(src[2], rng, pool), src[0]
                else:
                    text, origin = reword(rng.choice(pool), rng, pool), ""
                measures.append((f"{doc}:{i + 1}", doc, text, origin))
                rows_of[doc].append(measures[-1])
    documents = pd.DataFrame(docs, columns=["doc_id", "level", "parent", "region"])
    documents["implements"] = [[] for _ in range(len(documents))]
    documents["citations"] = [[] for _ in range(len(documents))]
    frame = pd.DataFrame(measures, columns=["measure_id", "doc_id", "text", "origin"])
    frame["kind"] = "measure"
    return documents, frame


_STATE: dict = {}


def _align_block(block: tuple[str, list[str]]) -> pd.DataFrame:
    doc, upper = block
    src = _STATE["by_doc"][doc]
    tgt = pd.concat([_STATE["by_doc"][u] for u in upper], ignore_index=True)
    return align_pair(src, tgt, _STATE["embed"], _STATE["model"], _STATE["params"], "bottom-up")


def upward_blocks(documents: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """The pipeline's own blocking (``plan_pairs`` by hierarchy), bottom-up: each plan with
    one plan above it per block."""
    return [(a, [b]) for a, b, d in plan_pairs(documents, "hierarchy") if d == "bottom-up"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plans", type=int, default=1000)
    ap.add_argument("--per-plan", type=int, default=100)
    ap.add_argument("--encoder", default="lexical")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    stages = []

    def stage(name: str, t0: float, extra: str = "") -> None:
        stages.append((name, time.perf_counter() - t0, _peak_mb(), extra))
        print(f"{name:<10} {stages[-1][1]:8.1f} s  peak {stages[-1][2]:7.0f} MB  {extra}", flush=True)

    _reset_peak()
    t0 = time.perf_counter()
    documents, measures = synthetic_corpus(args.plans, args.per_plan)
    stage("synthesise", t0, f"{len(documents)} plans, {len(measures)} measures, levels "
          f"{documents['level'].value_counts().to_dict()}")

    settings = load_settings(project=Path(__file__).resolve().parents[1])  # the repository's project folder
    model = score_model_for(args.encoder)
    params = MatchParams.from_settings(settings, model)
    blocks = upward_blocks(documents)
    if args.encoder == "lexical":
        embed = get_encoder("lexical").encode  # fitted per block, like the pipeline
    else:
        # Encode every text once (whole measures and clauses; a combination's extras whole texts
        # only), as a run warms its cache; blocks then look vectors up.
        _reset_peak()
        t0 = time.perf_counter()
        embed = make_embedder(args.encoder, EmbeddingCache(Path(tempfile.mkdtemp())), progress=True)
        whole = sorted({match_text(t) for t in measures["text"]})
        pieces = sorted({c for t in measures["text"] for c in clauses(t)})
        embed.warm(whole, pieces)
        stage("embed", t0, f"{len(whole)} texts and {len(pieces)} clauses, "
              f"{len(measures) / (time.perf_counter() - t0):.1f} measures/s")

    _reset_peak()
    t0 = time.perf_counter()
    by_doc = {d: g.reset_index(drop=True) for d, g in measures.groupby("doc_id")}
    _STATE.update(embed=embed, by_doc=by_doc, model=model, params=params)  # inherited by forked workers
    with mp.get_context("fork").Pool(args.workers) as pool:
        parts = pool.map(_align_block, blocks, chunksize=8)
    elapsed = time.perf_counter() - t0
    n_src = sum(len(by_doc[d]) for d, _ in blocks)
    n_measures = documents.loc[documents["level"] != "national", "doc_id"].map(lambda d: len(by_doc[d])).sum()
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    stage("match", t0, f"{len(blocks)} blocks, {n_measures} measures aligned with each plan above them "
          f"({n_src} measure-blocks), {n_measures / elapsed:.0f} measures/s, worker peak {child_peak:.0f} MB each")

    _reset_peak()
    t0 = time.perf_counter()
    al = pd.concat(parts, ignore_index=True)
    best = al.sort_values("score", ascending=False).drop_duplicates("src_measure_id").merge(measures[["measure_id", "origin"]], left_on="src_measure_id",
                                     right_on="measure_id")
    derived = best[best["origin"] != ""]
    origin = dict(zip(measures["measure_id"], measures["origin"]))

    def lineage(mid: str) -> set[str]:  # the origin and the measures it was itself reworded from
        out = set()
        while mid:
            out.add(mid)
            mid = origin[mid]
        return out

    hit = [t in lineage(o) for t, o in zip(derived["tgt_measure_id"], derived["origin"])]
    stage("collect", t0, f"{len(al)} alignment rows; provenance recall@1 {np.mean(hit):.3f} on {len(derived)} "
          f"reworded measures (their best link over all upper plans is a measure they descend from)")
    total = sum(s[1] for s in stages)
    print(f"total {total:.1f} s (encoder {args.encoder}, {args.workers} workers)")


if __name__ == "__main__":
    main()
