"""Matching on tiny fixtures (hand-made 3-d vectors, no model) and evaluation agreement."""
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from alignment.evaluate import read_gold, score_alignments
from alignment.match import (align_pair, clauses, coverage, label_links, match_text, plan_pairs,
                             reuse_share, shared_spans)

from .conftest import SHARED

VECS = {"负面清单": [1, 0, 0], "网络治理": [0, 1, 0], "调解": [0, 0, 1]}


def fake_embed(texts):
    """3-d vectors by topic keyword: enough to test matching without a model."""
    out = []
    for t in texts:
        v = np.array([VECS[k] for k in VECS if k in t] or [[0.3, 0.3, 0.3]], dtype=float).sum(0)
        out.append(v / np.linalg.norm(v))
    return np.array(out, dtype=np.float32)


def frame(doc, texts):
    return pd.DataFrame({"measure_id": [f"{doc}:{i}" for i in range(len(texts))], "doc_id": doc,
                         "text": texts, "kind": "measure"})


SRC = frame("up", ["全面实施市场准入负面清单制度。(责任单位:省发改委)", "加强网络综合治理,网络治理常态化。",
                   "完善人民调解工作格局。"])
TGT = frame("low", ["深入开展网络治理专项行动。", "落实统一的市场准入负面清单制度,清理隐性壁垒。", "建设智慧法院。"])


def test_each_source_finds_its_counterpart_first():
    al = align_pair(SRC, TGT, fake_embed, top_k=3)
    best = al[al["rank"] == 1].set_index("src_measure_id")["tgt_measure_id"]
    assert best["up:0"] == "low:1" and best["up:1"] == "low:0"
    assert al.loc[(al["src_measure_id"] == "up:0") & (al["rank"] == 1), "label"].iat[0] == "strong"
    assert "市场准入负面清单制度" in al.loc[(al["src_measure_id"] == "up:0") & (al["rank"] == 1), "evidence"].iat[0]


def test_unmatched_source_is_a_gap():
    al = align_pair(SRC, TGT, fake_embed, top_k=3)
    cov = coverage(al, SRC, "low").set_index("src_measure_id")
    assert cov.loc["up:2", "status"] == "gap" and cov.loc["up:0", "status"] == "covered"


def test_evidence_signals():
    assert shared_spans("全面实施市场准入负面清单制度", "落实统一的市场准入负面清单制度") == ["市场准入负面清单制度"]
    assert reuse_share("市场准入负面清单制度", "落实统一的市场准入负面清单制度") == 1.0
    assert reuse_share("建设智慧法院", "加强网络综合治理") == 0.0
    assert match_text("加强监督。(牵头单位:市司法局;参加单位:市政府)") == "加强监督。"
    assert clauses("一是加强领导。二是完善制度;三。") == ["一是加强领导。", "二是完善制度;三。"]


def test_labels_thresholds_and_many_to_many():
    scores = np.array([[0.9, 0.5, 0.1], [0.2, 0.1, 0.05]])
    labels = label_links(scores, strong=0.6, partial=0.3, top1=0.15)
    assert labels.tolist() == [["strong", "partial", "candidate"], ["partial", "candidate", "candidate"]]


def test_plan_pairs_follow_levels():
    docs = pd.DataFrame({"doc_id": ["p", "c", "k", "p2"], "level": ["provincial", "municipal", "county", "provincial"]})
    pairs = plan_pairs(docs)
    assert ("p", "c") in pairs and ("c", "p") not in pairs and ("p", "p2") in pairs and ("p2", "p") in pairs


@pytest.mark.model
def test_evaluate_agrees_with_reference_scorer(corpus, tmp_path):
    """Our evaluation and shared/tools/score_alignment.py give the same numbers on the dev set."""
    from alignment.config import load_settings
    from alignment.match import align_plans, cached_embedder

    s = load_settings(interim_dir=tmp_path)
    al, _ = align_plans(corpus.measures, [("000", "003")], cached_embedder("lexical", s, False), s, progress=False)
    gold_path = SHARED / "gold" / "dev_000_to_003.csv"
    ours = score_alignments(corpus.measures, al, read_gold([gold_path]))
    corpus.measures.to_parquet(tmp_path / "m.parquet")
    al.to_csv(tmp_path / "a.csv", index=False)
    out = subprocess.run([sys.executable, str(SHARED / "tools" / "score_alignment.py"), "--measures",
                          str(tmp_path / "m.parquet"), "--alignments", str(tmp_path / "a.csv"),
                          "--gold", str(gold_path), "--json"], capture_output=True, text=True, check=True)
    ref = json.loads(out.stdout)
    assert ours["unmapped_quotes"] == ref["unmapped_quotes"] == 0
    for key in ("any_link", "strong_link", "gap"):
        assert ours[key]["f"] == pytest.approx(ref[key]["f"])
    assert ours["mrr"] == pytest.approx(ref["mrr"]) and ours["recall_at_1"] == pytest.approx(ref["recall_at_1"])
