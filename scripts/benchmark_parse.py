"""Benchmark: clean + parse a synthetic corpus built by reshuffling seed sections.

Prints raw MB/s and measures/s on one core (cleaning, metadata and structure). Run on demand: ``python scripts/benchmark_parse.py
[--plans 1000]``; not part of the tests.
"""
from __future__ import annotations

import argparse
import random
import re
import time
from pathlib import Path

from alignment.parsing.clean import clean_text
from alignment.parsing.ingest import decode_bytes
from alignment.parsing.meta import infer_meta
from alignment.parsing.parse import lead_paragraphs, parse_structure

SEEDS = Path(__file__).resolve().parents[1] / "data" / "raw"  # this repository's own project folder


def synthetic_plans(n: int, seed: int = 0) -> list[str]:
    """Plans made of seed parts (一、/二、… blocks) drawn at random and renumbered in order."""
    rng = random.Random(seed)
    blocks = []
    for path in sorted(SEEDS.glob("0*.txt")):
        text, _, _ = decode_bytes(path.read_bytes(), path.name)
        parts = re.split(r"\n(?=\s*[一二三四五六七八九十]+、)", text)
        blocks += [p for p in parts[1:] if len(p) > 200]
    cn = "一二三四五六七八九十"
    plans = []
    for _ in range(n):
        chosen = rng.sample(blocks, k=min(len(blocks), rng.randint(3, 6)))
        body = [re.sub(r"^\s*[一二三四五六七八九十]+、", f"{cn[i]}、", b.lstrip("\n"), count=1)
                for i, b in enumerate(chosen)]
        plans.append("某市法治建设实施方案\n\n为贯彻落实《法治中国建设规划(2020—2025年)》,制定本方案。\n\n" + "\n\n".join(body))
    return plans


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plans", type=int, default=1000)
    a = ap.parse_args()
    plans = synthetic_plans(a.plans)
    mb = sum(len(p.encode("utf-8")) for p in plans) / 1e6
    t0 = time.process_time()
    n_measures = 0
    for i, raw in enumerate(plans):
        clean = clean_text(raw)
        infer_meta(lead_paragraphs(clean), clean.text)
        units = parse_structure(clean, f"b{i}", f"b{i}.txt")
        n_measures += sum(u["kind"] == "measure" for u in units)
    cpu = time.process_time() - t0
    print(f"plans {len(plans)}  raw {mb:.1f} MB  measures {n_measures}")
    print(f"CPU time {cpu:.1f} s  ->  {mb / cpu:.2f} MB/s per core, {n_measures / cpu:.0f} measures/s per core")


if __name__ == "__main__":
    main()
