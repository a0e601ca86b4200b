"""Every path and default of the pipeline, derived from one project root.

Stage commands read their defaults from here; a YAML file passed with ``--config`` (or the
``ALIGNMENT_CONFIG`` environment variable) overrides any field of :class:`Settings`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJ_ROOT / "data"
RAW_DATA_DIR = DATA_DIR / "raw"
INTERIM_DATA_DIR = DATA_DIR / "interim"
PROCESSED_DATA_DIR = DATA_DIR / "processed"
FIGURES_DIR = PROJ_ROOT / "figures"
MANIFEST_NAME = "manifest.csv"

# File types the ingest stage reads; anything else in data/raw/ is listed and skipped.
RAW_SUFFIXES = (".txt", ".text", ".htm", ".html", ".docx", ".pdf")

# Encoder names understood by alignment.embed.get_encoder.
ENCODER_USE = "use-multilingual"  # bundled offline USE v3 (numpy only)
ENCODER_LEXICAL = "lexical"  # character n-gram TF-IDF
ENCODER_ST_PREFIX = "st:"  # "st:<model id or path>" = any sentence-transformers model
DEFAULT_ENCODER = ENCODER_USE
# The one-line change for users with internet: DEFAULT_ENCODER = "st:BAAI/bge-small-zh-v1.5"
BASELINE_ENCODERS = (ENCODER_LEXICAL,)


@dataclass(frozen=True)
class Settings:
    """Tunable defaults of every stage (paths, model, matching thresholds)."""

    raw_dir: Path = RAW_DATA_DIR
    interim_dir: Path = INTERIM_DATA_DIR
    processed_dir: Path = PROCESSED_DATA_DIR
    figures_dir: Path = FIGURES_DIR
    encoder: str = DEFAULT_ENCODER
    batch_size: int = 64
    # Matching: candidates per source measure, and label thresholds on the link probability.
    # None = the thresholds calibrated with the encoder's score model (alignment calibrate).
    top_k: int = 10
    # Which plans are aligned with each other: "all", "hierarchy" (nested regions or a shared
    # upstream text) or "auto" (all pairs up to all_pairs_max_plans plans, else hierarchy).
    pairing: str = "auto"
    all_pairs_max_plans: int = 30
    strong_threshold: float | None = None
    partial_threshold: float | None = None
    top1_threshold: float | None = None  # a source's best target is asserted from this score up
    # Unit-name aliases (variant -> canonical); extend in YAML for new regions.
    unit_aliases: dict = field(
        default_factory=lambda: {
            "市国安局": "市国家安全局",
            "市中级法院": "市中级人民法院",
            "市检察院": "市人民检察院",
            "市政府办": "市政府办公室",
        }
    )

    @property
    def cache_dir(self) -> Path:
        return self.interim_dir / "embeddings"

    @property
    def clean_dir(self) -> Path:
        return self.interim_dir / "clean"

    @property
    def calibration_path(self) -> Path:
        """Score models fitted by ``alignment calibrate``; they override the packaged ones."""
        return self.interim_dir / "calibration.json"


def load_settings(path: str | os.PathLike | None = None, **overrides) -> Settings:
    """Defaults, then the YAML file (``path`` or ``$ALIGNMENT_CONFIG``), then ``overrides``.

    Returns
    -------
    Settings
        Paths are resolved relative to the project root when given relative.
    """
    settings = Settings()
    path = path or os.environ.get("ALIGNMENT_CONFIG")
    values: dict = {}
    if path:
        import yaml

        with open(path, encoding="utf-8") as fh:
            values = yaml.safe_load(fh) or {}
        unknown = set(values) - {f.name for f in fields(Settings)}
        if unknown:
            raise ValueError(f"{path}: unknown settings {sorted(unknown)}")
    values.update({k: v for k, v in overrides.items() if v is not None})
    for key in ("raw_dir", "interim_dir", "processed_dir", "figures_dir"):
        if key in values:
            p = Path(values[key])
            values[key] = p if p.is_absolute() else (Path.cwd() / p)
    return replace(settings, **values)
