"""Figure of merit of the parser on real plan pages it was not written for (``tests/wild/``).

Parses every plan of the wild corpus as a new user would (no manifest fields but the source URL)
and prints: measure-count exact-match rate, accuracy of each metadata field, responsible-unit
recall on the annotated measures, plans skipped, and parse speed. Run on demand:
``python scripts/benchmark_wild.py [--misses]``; the test suite asserts floors on the same figures.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from alignment.parsing.manifest import load_manifest
from alignment.parsing.parse import parse_corpus
from alignment.parsing.parse_eval import format_parse_report, read_annotations, score_parse

WILD = Path(__file__).resolve().parents[1] / "tests" / "wild"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--misses", action="store_true", help="List every wrong value.")
    ap.add_argument("--wild", type=Path, default=WILD, help="Folder with plans/ and annotations/.")
    a = ap.parse_args()
    entries = load_manifest(a.wild / "plans")
    mb = sum(f.stat().st_size for e in entries for f in e.files) / 1e6
    t0 = time.process_time()
    result = parse_corpus(entries, progress=False)
    cpu = time.process_time() - t0
    score = score_parse(result.documents, result.measures, read_annotations(a.wild / "annotations"))
    if a.misses:
        print("\n".join(score["misses"]) or "no misses")
    for err in result.errors:
        print(f"skipped {err}")
    print(f"parse speed: {mb:.2f} MB in {cpu:.2f} s CPU = {mb / cpu:.2f} MB/s (one core, metadata included)")
    print(format_parse_report(score))


if __name__ == "__main__":
    main()
