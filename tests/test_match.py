"""Matching on tiny fixtures (hand-made 3-d vectors, no model) and evaluation agreement."""
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from alignment.cascade.coverage import coverage
from alignment.matching.align import align_pair
from alignment.matching.candidates import View, align_embeddings, top_k_candidates
from alignment.matching.evaluate import read_gold, score_alignments
from alignment.matching.pairing import plan_pairs
from alignment.matching.score import FEATURES, MatchParams, ScoreModel, score_model_for
from alignment.matching.text import (
    bigram_weights,
    clauses,
    match_text,
    reuse_share,
    shared_spans,
    span_weight,
)

from .conftest import GOLD_DEV, REFERENCE_SCORER

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


MODEL = score_model_for("use-multilingual")


def test_each_source_finds_its_counterpart_first():
    al = align_pair(SRC, TGT, fake_embed, MODEL, MatchParams(top_k=3))
    best = al[al["rank"] == 1].set_index("src_measure_id")["tgt_measure_id"]
    assert best["up:0"] == "low:1" and best["up:1"] == "low:0"
    first = al[(al["src_measure_id"] == "up:0") & (al["rank"] == 1)].iloc[0]
    assert first["label"] == "strong" and "市场准入负面清单制度" in first["evidence"]
    assert set(al["direction"]) == {"top-down"}


def test_unmatched_source_is_a_gap():
    al = align_pair(SRC, TGT, fake_embed, MODEL, MatchParams(top_k=3))
    cov = coverage(al, SRC, "low").set_index("src_measure_id")
    assert cov.loc["up:2", "status"] == "gap" and cov.loc["up:0", "status"] == "covered"
    assert cov.loc["up:0", "best_tgt_measure_id"] == "low:1"


def test_evidence_signals():
    assert shared_spans("全面实施市场准入负面清单制度", "落实统一的市场准入负面清单制度") == ["市场准入负面清单制度"]
    assert reuse_share("市场准入负面清单制度", "落实统一的市场准入负面清单制度") == 1.0
    assert reuse_share("建设智慧法院", "加强网络综合治理") == 0.0
    assert match_text("加强监督。(牵头单位:市司法局;参加单位:市政府)") == "加强监督。"
    assert clauses("一是加强领导。二是完善制度;三。") == ["一是加强领导。", "二是完善制度;三。"]


def test_rare_shared_span_outweighs_a_common_one():
    docs = ["加强法治建设工作", "推进法治建设", "法治建设示范", "法治建设:清理涉企收费检查摊派", "法治建设:规范涉企收费检查摊派"]
    w = bigram_weights(docs)  # 法治 is in every plan text, 摊派 in two of five
    assert w["法治"] == 0.0 and w["摊派"] > 0.5
    assert span_weight("涉企收费检查摊派", w) > 3 * span_weight("法治建设", w)


def _unit(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_top_k_candidates_in_chunks_equal_one_pass_and_brute_force():
    rng = np.random.default_rng(0)
    s, t = _unit(rng.normal(size=(7, 4))), _unit(rng.normal(size=(5, 4)))
    ps, pt = _unit(rng.normal(size=(16, 4))), _unit(rng.normal(size=(9, 4)))  # pieces (clauses)
    counts_s, counts_t = [1, 3, 2, 4, 1, 3, 2], [2, 1, 3, 1, 2]
    views = {"whole": View.of_pieces(s, t, [1] * 7, [1] * 5), "pieces": View.of_pieces(ps, pt, counts_s, counts_t)}
    one_pass, chunked = top_k_candidates(views, 3), top_k_candidates(views, 3, max_cells=20)
    for key in one_pass:
        np.testing.assert_allclose(np.sort(one_pass[key], axis=-1), np.sort(chunked[key], axis=-1), rtol=1e-6)
    bs, bt = np.cumsum([0, *counts_s]), np.cumsum([0, *counts_t])
    brute = np.array([[(ps[bs[i]:bs[i + 1]] @ pt[bt[j]:bt[j + 1]].T).max() for j in range(5)] for i in range(7)])
    total = s @ t.T + brute
    for i in range(7):
        assert set(one_pass["cols"][i]) == set(np.argsort(-total[i])[:3])
        np.testing.assert_allclose(one_pass["pieces"][i], brute[i, one_pass["cols"][i]], rtol=1e-5)
    np.testing.assert_allclose(one_pass["pieces_col_best"], brute.max(0), rtol=1e-5)
    np.testing.assert_allclose(one_pass["whole_row_best"], (s @ t.T).max(1), rtol=1e-5)


def test_align_embeddings_ranks_centred_vectors_like_brute_force():
    rng = np.random.default_rng(1)
    s, t = _unit(rng.normal(size=(6, 5))), _unit(rng.normal(size=(8, 5)))
    found = align_embeddings(s, t, top_k=3)
    both = np.vstack([s, t]) - np.vstack([s, t]).mean(0)
    both /= np.linalg.norm(both, axis=1, keepdims=True)
    brute = both[:6] @ both[6:].T
    for i in range(6):
        assert set(found.cols[i]) == set(np.argsort(-brute[i])[:3])
        np.testing.assert_allclose(found.similarity["semantic"][i], brute[i, found.cols[i]], rtol=1e-5)
    np.testing.assert_allclose(found.row_best["semantic"], brute.max(1), rtol=1e-5)
    np.testing.assert_allclose(found.col_best["semantic"], brute.max(0), rtol=1e-5)


def test_the_text_entry_point_delegates_to_the_array_one():
    from alignment.matching.evidence import candidate_features

    src, tgt = ["全面实施市场准入负面清单制度。", "加强网络综合治理。"], ["落实负面清单。", "推进网络治理。", "健全调解制度。"]
    evidence = candidate_features(src, tgt, fake_embed, top_k=2)
    sem = fake_embed([match_text(x) for x in src + tgt])
    direct = align_embeddings(sem[:2], sem[2:], top_k=2)
    for i in range(2):  # the semantic cosines of the text path are the array path's, for its candidates
        for c, j in enumerate(evidence.cols[i]):
            k = list(direct.cols[i]).index(j) if j in direct.cols[i] else None
            if k is not None:
                assert evidence.features["semantic"][i, c] == pytest.approx(direct.similarity["semantic"][i, k])
    assert evidence.cols.shape == (2, 2) and len(evidence.spans) == 2 and len(evidence.spans[0]) == 2
    assert "负面清单" in evidence.spans[0][list(evidence.cols[0]).index(0)][0]


def test_score_model_round_trip_and_errors():
    model = ScoreModel(tuple(float(i) for i in range(len(FEATURES))), -1.0, FEATURES, "x", "n", (0.7, 0.4, 0.2),
                       tuple(0.5 for _ in FEATURES))
    again = ScoreModel.from_dict("x", model.to_dict())
    assert again == model
    broken = model.to_dict()
    del broken["weights"]["span_info"]
    with pytest.raises(ValueError, match="span_info"):
        ScoreModel.from_dict("x", broken)
    # an uncalibrated encoder borrows the model of the default's matching encoder, and says so
    with pytest.warns(UserWarning, match="no calibration for encoder 'st:some-model'; using the one of 'e5-small'"):
        assert score_model_for("st:some-model").weights == score_model_for("e5-small").weights


def test_params_take_calibrated_thresholds_unless_set():
    from alignment.config import load_settings

    p = MatchParams.from_settings(load_settings(), MODEL)
    assert (p.strong, p.partial, p.top1) == MODEL.thresholds
    p = MatchParams.from_settings(load_settings(partial_threshold=0.9), MODEL)
    assert p.partial == 0.9 and p.strong == MODEL.thresholds[0]


DOCS = pd.DataFrame({
    "doc_id": ["ln", "as", "ta", "hn", "xt", "ln2"],
    "level": ["provincial", "municipal", "county", "provincial", "municipal", "provincial"],
    "region": ["辽宁省", "辽宁省鞍山市", "辽宁省鞍山市台安县", "湖南省", "湖南省湘潭市", "辽宁省"],
    "implements": [["法治中国建设规划"], [], [], [], ["法治中国建设规划(2020—2025年)"], []],
    "citations": [[], [], [], [], [], []],
})


def test_plan_pairs_all_follow_levels_both_ways():
    pairs = plan_pairs(DOCS, "all")
    assert ("ln", "as", "top-down") in pairs and ("as", "ln", "bottom-up") in pairs
    assert ("ta", "ln", "bottom-up") in pairs and ("ln", "ln2", "sibling") in pairs and ("ln2", "ln", "sibling") in pairs
    assert not any(a == "as" and b == "ln" and d == "top-down" for a, b, d in pairs)
    assert len(pairs) == 6 * 5


def test_plan_pairs_by_hierarchy_keep_nested_regions_and_shared_upstream_texts():
    pairs = {(a, b) for a, b, _ in plan_pairs(DOCS, "hierarchy")}
    assert {("ln", "ta"), ("as", "ta"), ("hn", "xt"), ("ln", "ln2")} <= pairs
    assert ("ln", "xt") in pairs  # both implement 法治中国建设规划
    assert ("as", "xt") not in pairs and ("ta", "hn") not in pairs and ("ln2", "xt") not in pairs
    assert plan_pairs(DOCS, "auto", all_pairs_max_plans=3) == plan_pairs(DOCS, "hierarchy")
    with pytest.raises(ValueError, match="pairing"):
        plan_pairs(DOCS, "nearest")


@pytest.mark.model
def test_evaluate_agrees_with_reference_scorer(corpus, tmp_path):
    """Our evaluation and shared/tools/score_alignment.py give the same numbers on the dev set."""
    from alignment.config import load_settings
    from alignment.matching.align import align_plans, cached_embedder

    s = load_settings(interim_dir=tmp_path)
    model = score_model_for("lexical")
    al, _ = align_plans(corpus.measures, [("000", "003", "top-down")], cached_embedder("lexical", s, False), model,
                        MatchParams.from_settings(s, model), progress=False)
    gold_path = GOLD_DEV
    ours = score_alignments(corpus.measures, al, read_gold([gold_path]))
    corpus.measures.to_parquet(tmp_path / "m.parquet")
    al.to_csv(tmp_path / "a.csv", index=False)
    out = subprocess.run([sys.executable, str(REFERENCE_SCORER), "--measures",
                          str(tmp_path / "m.parquet"), "--alignments", str(tmp_path / "a.csv"),
                          "--gold", str(gold_path), "--json"], capture_output=True, text=True, check=True)
    ref = json.loads(out.stdout)
    assert ours["unmapped_quotes"] == ref["unmapped_quotes"] == 0
    for key in ("any_link", "strong_link", "gap"):
        assert ours[key]["f"] == pytest.approx(ref[key]["f"])
    assert ours["mrr"] == pytest.approx(ref["mrr"]) and ours["recall_at_1"] == pytest.approx(ref["recall_at_1"])
