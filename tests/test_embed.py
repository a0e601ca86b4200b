"""Encoders and the embedding cache."""
import warnings

import numpy as np
import pytest

from alignment.matching.embed import EmbeddingCache, LexicalEncoder, embed_texts, get_encoder


class CountingEncoder:
    name, cacheable = "counting", True

    def __init__(self):
        self.seen = []

    def encode(self, texts, batch_size=64, progress=False):
        self.seen += texts
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
    np.testing.assert_allclose(v, np.array([[4, 1], [4, 1]], dtype=np.float32) / 10)
    assert embed.encoder_name == "counting"
