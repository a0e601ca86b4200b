"""Encoders and the embedding cache."""
import warnings

import numpy as np
import pytest

from alignment.matching.embed import EmbeddingCache, LexicalEncoder, embed_texts, get_encoder


class CountingEncoder:
    name, cacheable = "counting", True

    def __init__(self):
        self.seen, self.calls = [], 0

    def encode(self, texts, batch_size=64, progress=False):
        self.seen += texts
        self.calls += 1
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32) / 10


def test_cache_encodes_only_new_texts(tmp_path):
    enc, cache = CountingEncoder(), EmbeddingCache(tmp_path)
    first = embed_texts(["加强领导", "完善制度"], enc, cache, progress=False)
    second = embed_texts(["完善制度", "加强领导", "新增任务三"], enc, cache, progress=False)
    assert enc.seen == ["加强领导", "完善制度", "新增任务三"]
    np.testing.assert_allclose(second[:2], first[::-1])


def test_lexical_encoder_rows_are_unit_length():
    v = LexicalEncoder().encode(["市场准入负面清单", "负面清单制度", "网络治理"]).toarray()
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, rtol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2]


def test_unknown_encoder_name():
    with pytest.raises(ValueError, match="unknown encoder"):
        get_encoder("word2vec")


@pytest.mark.model
def test_bundled_use_encoder_handles_chinese():
    v = get_encoder("use-multilingual").encode(["全面实施市场准入负面清单制度", "落实统一的市场准入负面清单制度", "加强网络综合治理"])
    assert v.shape == (3, 512) and v[0] @ v[1] > v[0] @ v[2] + 0.3


@pytest.mark.model
def test_sentence_transformers_backend_with_packaged_model():
    enc = get_encoder("st:all-MiniLM-L6-v2")
    v = enc.encode(["rule of law", "legal governance", "weather today"])
    assert v.shape == (3, 384) and v[0] @ v[1] > v[0] @ v[2]


@pytest.mark.model
def test_missing_model_falls_back_with_named_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        enc = get_encoder("st:no-such-org/no-such-model")
    assert enc.name == "use-multilingual"
    assert any("no-such-model" in str(w.message) and "use-multilingual" in str(w.message) for w in caught)


def test_cached_embedder_reads_the_cache_file_once_and_warms_in_one_batch(tmp_path, monkeypatch):
    from alignment.matching.embed import CachedEmbedder

    enc, cache = CountingEncoder(), EmbeddingCache(tmp_path)
    loads = []
    real_load = cache.load
    monkeypatch.setattr(cache, "load", lambda name: loads.append(name) or real_load(name))
    embed = CachedEmbedder(enc, cache, progress=False)
    embed.warm(["加强领导", "完善制度", "新增任务三"])
    v = embed(["完善制度", "加强领导"])
    assert loads == ["counting"] and sorted(enc.seen) == sorted(["加强领导", "完善制度", "新增任务三"])
    assert enc.calls == 1  # warmed in one call; the lookup after it encodes nothing
    np.testing.assert_allclose(v, np.array([[4, 1], [4, 1]], dtype=np.float32) / 10)
    assert embed.encoder_name == "counting"


# --------------------------------------------------------------------------- e5-small and combined encoders

# A measure of the provincial seed 000, its counterpart in the municipal seed 003 (a gold pair),
# and an unrelated measure of 003.
MEASURE = "建立领导干部应知应会党内法规和国家法律清单制度"
PARAPHRASE = "落实领导干部应知应会法律法规清单制度,推动领导干部做尊法学法守法用法的模范"
UNRELATED = "坚决防范和打击暴力恐怖、电信网络新型犯罪,常态化推进扫黑除恶,持续深化平安湘潭建设"


@pytest.mark.model
def test_bundled_e5_encoder_loads_offline_and_ranks_a_chinese_paraphrase_first():
    enc = get_encoder("e5-small")
    assert enc.name == "e5-small" and enc.cacheable and enc._model is None  # nothing loads before encode
    v = enc.encode([MEASURE, PARAPHRASE, UNRELATED], batch_size=2)
    assert v.shape == (3, 384) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, rtol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.03  # e5 cosines are compressed: all plan sentences sit near 0.85


class ToyEncoder:
    """Vectors from the counts of a few characters: a stand-in for a model, under any name."""

    cacheable = True

    def __init__(self, name, chars):
        self.name, self.chars, self.seen = name, chars, []

    def encode(self, texts, batch_size=64, progress=False):
        self.seen += texts
        return np.array([[t.count(c) for c in self.chars] + [0.1] for t in texts], dtype=np.float32)


def toy_multi(cache=None):
    from alignment.matching.embed import CachedEmbedder, MultiEmbedder

    primary = CachedEmbedder(ToyEncoder("use-multilingual", "清网调"), cache, progress=False)
    return MultiEmbedder(primary, [CachedEmbedder(ToyEncoder("e5-small", "单治解"), cache, progress=False)])


def test_make_embedder_combines_by_plus_without_loading_anything():
    from alignment.matching.embed import CachedEmbedder, MultiEmbedder, make_embedder

    single = make_embedder("e5-small", None)
    assert isinstance(single, CachedEmbedder) and single.encoder_name == "e5-small"
    multi = make_embedder("use-multilingual+e5-small", None)
    assert isinstance(multi, MultiEmbedder) and multi.encoder_name == "use-multilingual+e5-small"
    assert list(multi.extras) == ["e5-small"] and multi.extras["e5-small"].encoder._model is None
    with pytest.raises(ValueError, match="twice"):
        make_embedder("e5-small+e5-small", None)
    with pytest.raises(ValueError, match="unknown encoder"):
        make_embedder("use-multilingual+word2vec", None)


def test_multi_embedder_gives_primary_vectors_and_warms_extras_on_whole_texts_only(tmp_path):
    from alignment.matching.embed import EmbeddingCache

    embed = toy_multi(EmbeddingCache(tmp_path))
    embed.warm(["负面清单制度,网络治理", "人民调解"], clauses=["负面清单制度", "网络治理"])
    assert sorted(embed.primary.encoder.seen) == sorted(["负面清单制度,网络治理", "人民调解", "负面清单制度", "网络治理"])
    assert sorted(embed.extras["e5-small"].encoder.seen) == sorted(["负面清单制度,网络治理", "人民调解"])
    np.testing.assert_allclose(embed(["人民调解"]), [[0, 0, 1, 0.1]])


def test_features_for_a_combination_and_its_score_model_round_trip():
    from alignment.matching.score import FEATURES, ScoreModel, features_for

    assert features_for("e5-small") == FEATURES
    features = features_for("use-multilingual+e5-small")
    assert features[len(FEATURES):] == ("semantic@e5-small", "semantic@e5-small_vs_row_best",
                                        "semantic@e5-small_vs_col_best")
    model = ScoreModel(tuple(i / 4 for i in range(len(features))), -2.0, features, "use-multilingual+e5-small",
                       "n", (0.6, 0.3, 0.2), tuple(0.5 for _ in features))
    assert ScoreModel.from_dict(model.encoder, model.to_dict()) == model
    with pytest.raises(ValueError, match="semantic@e5-small"):  # a single encoder's entry under a combined name
        ScoreModel.from_dict("use-multilingual+e5-small", ScoreModel((0.0,) * len(FEATURES), 0.0).to_dict())
    with pytest.raises(ValueError, match="weights"):
        ScoreModel((0.0,) * len(FEATURES), 0.0, features)


def test_candidate_features_add_the_extra_encoders_whole_text_cosines():
    from alignment.matching.candidates import centred
    from alignment.matching.evidence import candidate_features
    from alignment.matching.text import match_text

    src = ["全面实施市场准入负面清单制度", "加强网络综合治理,法治政府建设", "完善人民调解工作格局"]
    tgt = ["深入开展网络治理专项行动", "落实负面清单制度", "建设智慧法院,人民调解"]
    embed = toy_multi()
    found = candidate_features(src, tgt, embed, top_k=2)
    names = {"semantic@e5-small", "semantic@e5-small_vs_row_best", "semantic@e5-small_vs_col_best"}
    assert names <= set(found.features)
    extra = embed.extras["e5-small"]
    assert extra.encoder.seen == [match_text(t) for t in src + tgt]  # whole texts, once
    both = centred(extra([match_text(t) for t in src + tgt]))
    sims = both[:3] @ both[3:].T
    np.testing.assert_allclose(found.features["semantic@e5-small"], np.take_along_axis(sims, found.cols, 1), atol=1e-6)
    np.testing.assert_allclose(found.features["semantic@e5-small_vs_row_best"],
                               found.features["semantic@e5-small"] - sims.max(1)[:, None], atol=1e-6)


def test_the_combined_calibration_loads_and_an_uncalibrated_combination_scores_as_its_primary():
    from alignment.matching.score import features_for, score_model_for

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # calibrated: no fallback warning
        model = score_model_for("use-multilingual+e5-small")
    assert model.features == features_for("use-multilingual+e5-small") and len(model.weights) == len(model.features)
    assert score_model_for("e5-small").features == features_for("e5-small")
    with pytest.warns(UserWarning, match="using the one of 'lexical'"):
        borrowed = score_model_for("lexical+e5-small")
    lexical = score_model_for("lexical")
    assert borrowed.features == features_for("lexical+e5-small")
    assert borrowed.weights == lexical.weights + (0.0, 0.0, 0.0) and borrowed.intercept == lexical.intercept


def test_align_pair_scores_with_a_combined_encoder():
    import pandas as pd

    from alignment.matching.align import align_pair
    from alignment.matching.score import MatchParams, score_model_for

    def plan(doc, texts):
        return pd.DataFrame({"measure_id": [f"{doc}:{i}" for i in range(len(texts))], "doc_id": doc, "text": texts})

    model = score_model_for("use-multilingual+e5-small")
    al = align_pair(plan("up", ["全面实施市场准入负面清单制度", "完善人民调解工作格局"]),
                    plan("low", ["落实负面清单制度", "建设智慧法院,人民调解"]), toy_multi(), model,
                    MatchParams(2, *model.thresholds))
    best = al[al["rank"] == 1].set_index("src_measure_id")["tgt_measure_id"]
    assert best["up:0"] == "low:0" and best["up:1"] == "low:1"


@pytest.mark.model
def test_the_default_encoder_finds_a_gold_pair_of_the_seeds_offline(tmp_path):
    """The shipped default (e5-small matching, character n-grams as evidence), end to end on real
    sentences: the gold counterpart is the best target and an asserted link; the unrelated one is not."""
    import pandas as pd

    from alignment.config import DEFAULT_ENCODER
    from alignment.matching.align import align_pair
    from alignment.matching.embed import EmbeddingCache, make_embedder
    from alignment.matching.score import MatchParams, score_model_for

    src = pd.DataFrame({"measure_id": ["000:1", "000:2"], "doc_id": "000",
                        "text": [MEASURE, "加强教育培训。加强市、县法治工作人员培训轮训,三年内实现省内全覆盖。"]})
    tgt = pd.DataFrame({"measure_id": ["003:1", "003:2", "003:3"], "doc_id": "003",
                        "text": [UNRELATED, PARAPHRASE, "健全立法立项、起草、论证、协调、审议机制,推进立法精准选题、精良设计、精炼表达。"]})
    embed = make_embedder(DEFAULT_ENCODER, EmbeddingCache(tmp_path), progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the default is calibrated: no borrowed model
        model = score_model_for(embed.encoder_name)
    al = align_pair(src, tgt, embed, model, MatchParams(3, *model.thresholds)).set_index(
        ["src_measure_id", "tgt_measure_id"])
    assert al.loc[("000:1", "003:2"), "rank"] == 1 and al.loc[("000:1", "003:2"), "label"] in ("strong", "partial")
    assert al.loc[("000:1", "003:1"), "label"] == "candidate"
