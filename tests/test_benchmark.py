"""The scale benchmark's synthetic corpus keeps the hierarchy it claims (the benchmark itself
runs on demand: `make benchmark`)."""
import importlib.util

from .conftest import ROOT


def _benchmark():
    spec = importlib.util.spec_from_file_location("benchmark_align", ROOT / "scripts" / "benchmark_align.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_synthetic_corpus_is_four_levels_and_blocks_follow_it():
    bench = _benchmark()
    docs, measures = bench.synthetic_corpus(n_plans=20, per_plan=6)
    assert list(docs["level"].unique()) == ["national", "provincial", "municipal", "county"]
    assert len(measures) == 6 * len(docs) and measures["measure_id"].is_unique
    parent = dict(zip(docs["doc_id"], docs["parent"]))
    doc_of = dict(zip(measures["measure_id"], measures["doc_id"]))
    derived = measures[measures["origin"] != ""]
    assert len(derived) > 0
    assert all(doc_of[o] == parent[d] for o, d in zip(derived["origin"], derived["doc_id"]))
    blocks = bench.upward_blocks(docs)
    county = docs.loc[docs["level"] == "county", "doc_id"].iat[0]
    above = {tgt[0] for src, tgt in blocks if src == county}
    assert above == {parent[county], parent[parent[county]], parent[parent[parent[county]]]}
    assert not any(src in set(docs.loc[docs["level"] == "national", "doc_id"]) for src, _ in blocks)
