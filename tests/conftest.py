import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
GOLD_DEV = ROOT / "data" / "gold" / "dev_000_to_003.csv"  # the development gold set, kept with the data
REFERENCE_SCORER = ROOT / "tests" / "reference" / "score_alignment.py"
SEED = {p.name[:3]: p for p in RAW.glob("0*.txt")}


@pytest.fixture(scope="session")
def seed_text():
    """Raw text of a seed by its 3-digit prefix."""
    return lambda prefix: SEED[prefix].read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def corpus():
    """The seed corpus parsed once (documents, measures, residue)."""
    from alignment.parsing.manifest import load_manifest
    from alignment.parsing.parse import parse_corpus

    return parse_corpus(load_manifest(RAW), progress=False)


@pytest.fixture(scope="session")
def corpus_graph(corpus):
    """The cascade graph of the seeds, aligned with the lexical encoder (no model needed)."""
    from alignment.cascade.graph import build_cascade
    from alignment.matching.align import align_plans
    from alignment.matching.embed import get_encoder
    from alignment.matching.pairing import plan_pairs
    from alignment.matching.score import MatchParams, score_model_for

    model = score_model_for("lexical")
    pairs = plan_pairs(corpus.documents)
    alignments, _ = align_plans(corpus.measures, pairs, get_encoder("lexical").encode, model,
                                MatchParams(10, *model.thresholds), progress=False)
    return build_cascade(corpus.documents, corpus.measures, alignments)
