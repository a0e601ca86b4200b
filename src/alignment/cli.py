"""The ``alignment`` command: one subcommand per stage, plus ``run`` for the whole pipeline."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .config import load_settings

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Parse Chinese implementation plans into measures and align them across levels.")

ConfigOpt = typer.Option(None, "--config", help="YAML file overriding config.Settings fields.")


def _settings(config, **kw):
    return load_settings(config, **kw)


def _fail(msg: str) -> None:
    typer.secho(msg, fg="red", err=True)
    raise typer.Exit(1)


@app.command()
def parse(
    raw_dir: Optional[Path] = typer.Option(None, help="Folder of raw plans (default data/raw/)."),
    out_dir: Optional[Path] = typer.Option(None, help="Where tables go (default data/processed/)."),
    strict: bool = typer.Option(False, help="Stop at the first plan that cannot be read or parsed."),
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Clean and parse every plan in data/raw/ into documents, measures and residue tables."""
    from .ingest import IngestError
    from .manifest import ManifestError, load_manifest
    from .parse import StructureError, parse_corpus, write_parse_result

    s = _settings(config, raw_dir=raw_dir, processed_dir=out_dir)
    try:
        entries = load_manifest(s.raw_dir)
        result = parse_corpus(entries, s.unit_aliases, strict=strict)
    except (ManifestError, IngestError, StructureError) as exc:
        _fail(f"error: {exc}")
    for err in result.errors:
        typer.secho(f"skipped {err}", fg="yellow", err=True)
    if result.measures.empty:
        _fail("error: no plan could be parsed")
    write_parse_result(result, s.processed_dir, s.clean_dir)
    n_res = int((result.residue["kind"] == "unassigned").sum())
    typer.echo(f"{len(result.documents)} plans, {int(result.documents['n_measures'].sum())} measures "
               f"({len(result.measures)} units), {n_res} unassigned residue stretches -> {s.processed_dir}")


def _load_measures(processed_dir: Path):
    from .io import read_table

    path = Path(processed_dir) / "measures.parquet"
    if not path.exists():
        _fail(f"error: {path} not found; run `alignment parse` first")
    return read_table(path), read_table(Path(processed_dir) / "documents.parquet")


def _docs(value: str, known: set[str], flag: str) -> list[str]:
    ids = [d.strip() for d in value.split(",") if d.strip()]
    unknown = [d for d in ids if d not in known]
    if unknown:
        _fail(f"error: {flag} names unknown plan(s) {unknown}; known: {sorted(known)}")
    return ids


@app.command()
def align(
    src: str = typer.Option(..., help="Source (upper) plan id(s), comma-separated."),
    tgt: str = typer.Option(..., help="Target (lower) plan id(s), comma-separated."),
    out: Optional[Path] = typer.Option(None, help="Alignments file (.parquet, CSV mirror beside it)."),
    encoder: Optional[str] = typer.Option(None, help="use-multilingual (default), lexical, or st:<model>."),
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Align the measures of --src plans with the units of --tgt plans (many-to-many)."""
    import pandas as pd

    from . import schemas
    from .io import write_table
    from .match import align_pair, cached_embedder, coverage, sources_and_targets

    s = _settings(config, encoder=encoder)
    measures, documents = _load_measures(s.processed_dir)
    known = set(documents["doc_id"])
    src_ids, tgt_ids = _docs(src, known, "--src"), _docs(tgt, known, "--tgt")
    embed = cached_embedder(s.encoder, s)
    source, target = sources_and_targets(measures, src_ids, tgt_ids)
    al = align_pair(source, target, embed, top_k=s.top_k, strong=s.strong_threshold,
                    partial=s.partial_threshold, top1=s.top1_threshold)
    al = schemas.validate(al, schemas.ALIGNMENTS, "alignments")
    out = out or s.processed_dir / f"alignments_{'+'.join(src_ids)}__{'+'.join(tgt_ids)}.parquet"
    write_table(al, out)
    cov = pd.concat([coverage(al, source, t) for t in tgt_ids], ignore_index=True)
    counts = cov["status"].value_counts().to_dict()
    typer.echo(f"{len(al)} links ({(al['label'] == 'strong').sum()} strong, {(al['label'] == 'partial').sum()} partial)"
               f"; coverage {counts} -> {out}")


@app.command()
def evaluate(
    gold: list[Path] = typer.Option(..., help="Gold CSV file(s) in the shared gold format."),
    encoders: Optional[str] = typer.Option(None, help="Comma-separated encoders (default: the default and baselines)."),
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Score alignments against gold pairs, side by side for the default and baseline encoders."""
    from .config import BASELINE_ENCODERS
    from .evaluate import format_report, gold_doc_pairs, read_gold, score_alignments
    from .match import align_plans, cached_embedder

    s = _settings(config)
    measures, _ = _load_measures(s.processed_dir)
    rows = read_gold(gold)
    prefix_to_doc = {}
    for doc, sf in zip(measures["doc_id"], measures["source_file"]):
        prefix_to_doc.setdefault(Path(sf).name[:3], doc)
    pairs = sorted({(prefix_to_doc[a], prefix_to_doc[b]) for a, b in gold_doc_pairs(rows)
                    if a in prefix_to_doc and b in prefix_to_doc})
    if not pairs:
        _fail("error: the gold file names no plan pair present in the measures table")
    names = encoders.split(",") if encoders else [s.encoder, *[e for e in BASELINE_ENCODERS if e != s.encoder]]
    results = {}
    for name in names:
        al, _ = align_plans(measures, pairs, cached_embedder(name, s, progress=False), s, progress=False)
        results[name] = score_alignments(measures, al, rows)
    typer.echo(format_report(results))


@app.command()
def run(
    strict: bool = typer.Option(False, help="Stop at the first plan that cannot be read or parsed."),
    encoder: Optional[str] = typer.Option(None, help="use-multilingual (default), lexical, or st:<model>."),
    config: Optional[Path] = ConfigOpt,
) -> None:
    """The whole pipeline on data/raw/: parse, align every plan with those above it and its
    siblings, and write alignments and coverage to data/processed/."""
    from .io import write_table
    from .match import align_plans, cached_embedder, plan_pairs

    parse(raw_dir=None, out_dir=None, strict=strict, config=config)
    s = _settings(config, encoder=encoder)
    measures, documents = _load_measures(s.processed_dir)
    pairs = plan_pairs(documents)
    al, cov = align_plans(measures, pairs, cached_embedder(s.encoder, s), s)
    write_table(al, s.processed_dir / "alignments.parquet")
    write_table(cov, s.processed_dir / "coverage.parquet")
    summary = cov.groupby(["src_doc", "tgt_doc", "status"]).size().unstack(fill_value=0)
    typer.echo(f"{len(pairs)} plan pairs aligned; coverage (upper plan -> lower plan):\n{summary.to_string()}")


def main() -> None:  # console-script entry point
    app()


if __name__ == "__main__":
    main()
