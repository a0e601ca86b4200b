"""Benchmark: what each bundled encoder costs, alone and combined.

1. Encoding throughput: the seed measures (whole texts) encoded with each encoder, weights
   already loaded, in measures/s.
2. ``align`` of the dev pair (000 -> 003) with each encoder name, from a cold cache (weights
   load, every text encoded) and from a warm one (a fresh process would read the vectors from
   disk and load no weights), with the texts each encoder had to encode. A combination's extra
   encoders see whole texts only, so their cost per measure is that of step 1.

Projects the encoding time of a 10,000-measure corpus from (cold - warm) per aligned unit:
encoding grows with the corpus, while matching costs the same whatever the encoder.
Run on demand, with no model hub (every encoder is bundled)::

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/benchmark_encoders.py
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from alignment.config import DEFAULT_ENCODER, ENCODER_E5, ENCODER_SEP, ENCODER_USE
from alignment.matching.align import align_pair, sources_and_targets
from alignment.matching.embed import EmbeddingCache, get_encoder, make_embedder
from alignment.matching.score import MatchParams, score_model_for
from alignment.matching.text import match_text
from alignment.parsing.manifest import load_manifest
from alignment.parsing.parse import parse_corpus

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"  # this repository's own project folder
COMBINED = ENCODER_USE + ENCODER_SEP + ENCODER_E5


def encode_rate(name: str, texts: list[str], batch_size: int) -> float:
    """Measures per second of one encoder on ``texts``, weights loaded beforehand."""
    enc = get_encoder(name)
    enc.encode(texts[:2])
    t0 = time.perf_counter()
    enc.encode(texts, batch_size=batch_size)
    return len(texts) / (time.perf_counter() - t0)


def timed_align(name: str, cache_dir: Path, src, tgt, batch_size: int) -> tuple[float, dict[str, int]]:
    """Wall time of aligning ``src`` with ``tgt`` through a fresh embedder on ``cache_dir``, and
    the texts each encoder held in its cache afterwards."""
    t0 = time.perf_counter()
    cache = EmbeddingCache(cache_dir)
    embed = make_embedder(name, cache, batch_size, progress=False)
    model = score_model_for(name)
    align_pair(src, tgt, embed, model, MatchParams(10, *model.thresholds))
    return time.perf_counter() - t0, {n: len(cache.load(n)) for n in name.split(ENCODER_SEP) if n != "lexical"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", default="000")
    ap.add_argument("--tgt", default="003")
    ap.add_argument("--batch-size", type=int, default=64)
    args = ap.parse_args()
    measures = parse_corpus(load_manifest(RAW), progress=False).measures
    texts = [match_text(t) for t in measures.loc[measures["kind"] == "measure", "text"]]
    print(f"seed measures: {len(texts)}, {sum(map(len, texts)) / len(texts):.0f} characters on average")
    for name in (ENCODER_USE, ENCODER_E5):
        print(f"encode {name:<27} {encode_rate(name, texts, args.batch_size):7.1f} measures/s (weights loaded)")

    src, tgt = sources_and_targets(measures, [args.src], [args.tgt])
    n = len(src) + len(tgt)
    print(f"align {args.src} -> {args.tgt}: {len(src)} measures x {len(tgt)} units")
    for name in dict.fromkeys((ENCODER_USE, ENCODER_E5, COMBINED, DEFAULT_ENCODER)):
        with tempfile.TemporaryDirectory() as tmp:
            cold, encoded = timed_align(name, Path(tmp), src, tgt, args.batch_size)
            warm, _ = timed_align(name, Path(tmp), src, tgt, args.batch_size)
        print(f"align {name:<28} cold {cold:6.2f} s  warm {warm:5.2f} s  texts encoded {encoded}  "
              f"-> encoding 10,000 measures ~{(cold - warm) / n * 10_000 / 60:.1f} min")


if __name__ == "__main__":
    main()
