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
