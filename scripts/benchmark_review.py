"""Benchmark: what review time buys on gold sets the score model never saw.

For each encoder and each gold file in ``data/gold/`` (leave one set out): the score model is
calibrated on the other sets (:func:`alignment.matching.calibrate.calibrate_encoder`), then the
review loop is simulated on the held-out set (:func:`alignment.review.simulate.simulate`: queues
of 20, answers from the gold, the model refitted after each queue) beside the naive loop (pairs
nearest a threshold, no refit). Prints any-link F1 after 0, 0.5, 1 and 2 decisions per source
measure, the candidate-recall ceiling, and the mean over the held-out sets.

Run on demand (about a minute per encoder once the embedding cache is warm)::

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/benchmark_review.py [--encoders use-multilingual,e5-small]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from alignment.config import load_settings
from alignment.matching.align import block_evidence, cached_embedder
from alignment.matching.calibrate import calibrate_encoder
from alignment.matching.evaluate import gold_plan_pairs, read_gold
from alignment.matching.pairing import direction_of
from alignment.matching.score import MatchParams
from alignment.parsing.manifest import load_manifest
from alignment.parsing.parse import parse_corpus
from alignment.review.simulate import simulate

ROOT = Path(__file__).resolve().parents[1]  # this repository's own project folder
BUDGETS = [0, 0.5, 1, 2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--encoders", default="use-multilingual,e5-small,use-multilingual+e5-small,lexical")
    ap.add_argument("--queue-size", type=int, default=20)
    args = ap.parse_args()
    settings = load_settings(project=ROOT)
    parsed = parse_corpus(load_manifest(settings.raw_dir), progress=False)
    measures, documents = parsed.measures, parsed.documents
    golds = {p.stem: read_gold([p]) for p in sorted((ROOT / "data" / "gold").glob("*_to_*.csv"))}
    print(f"gold sets: {', '.join(f'{k} ({len(v)} rows)' for k, v in golds.items())}; budgets {BUDGETS} "
          f"decisions per source measure; any-link F1, held-out (calibrated on the other sets)")
    for name in args.encoders.split(","):
        t0 = time.perf_counter()
        embed = cached_embedder(name, settings, progress=False)
        curves = {"review": [], "naive": []}
        for held_out, rows in golds.items():
            train = [r for k, v in golds.items() if k != held_out for r in v]
            model, _ = calibrate_encoder(measures, train, gold_plan_pairs(measures, train), embed, settings.top_k,
                                         f"all gold sets but {held_out}")
            pairs = [(a, b, direction_of(documents, a, b)) for a, b in gold_plan_pairs(measures, rows)]
            blocks = block_evidence(measures, pairs, embed, settings.top_k, progress=False)
            params = MatchParams(settings.top_k, *model.thresholds)
            review = simulate(measures, rows, blocks, model, params, BUDGETS, queue_size=args.queue_size)
            naive = simulate(measures, rows, blocks, model, params, BUDGETS, refit=False, queue="nearest",
                             queue_size=args.queue_size)
            curves["review"].append(review["any_f1"].to_numpy())
            curves["naive"].append(naive["any_f1"].to_numpy())
            print(f"{name:<27} {held_out:<18} review {_f(review['any_f1'])}  naive {_f(naive['any_f1'])}  "
                  f"candidate recall {review['candidate_recall'].iat[-1]:.3f}")
        print(f"{name:<27} {'mean':<18} review {_f(np.mean(curves['review'], axis=0))}  "
              f"naive {_f(np.mean(curves['naive'], axis=0))}  ({time.perf_counter() - t0:.0f} s)")


def _f(values) -> str:
    return " ".join(f"{v:.3f}" for v in values)


if __name__ == "__main__":
    main()
