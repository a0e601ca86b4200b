"""The ``alignment`` command: one subcommand per stage, plus ``run`` for the whole pipeline."""
from __future__ import annotations

from pathlib import Path

import typer

from .config import load_settings

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Parse Chinese implementation plans into measures and align them across levels.")

ConfigOpt = typer.Option(None, "--config", help="YAML file overriding config.Settings fields.")
GoldOpt = typer.Option(..., exists=True, dir_okay=False, help="Gold CSV file(s) in the shared gold format.")


def _settings(config, **kw):
    return load_settings(config, **kw)


def _fail(msg: str) -> None:
    typer.secho(msg, fg="red", err=True)
    raise typer.Exit(1)


@app.command()
def parse(
    raw_dir: Path | None = typer.Option(None, help="Folder of raw plans (default data/raw/)."),
    out_dir: Path | None = typer.Option(None, help="Where tables go (default data/processed/)."),
    strict: bool = typer.Option(False, help="Stop at the first plan that cannot be read or parsed."),
    config: Path | None = ConfigOpt,
) -> None:
    """Clean and parse every plan in data/raw/ into documents, measures and residue tables."""
    from .ingest import IngestError
    from .manifest import ManifestError, load_manifest
    from .parse import StructureError, parse_corpus, parse_summary, write_parse_result

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
    typer.echo(parse_summary(result))
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


def _matcher(s, encoder_name: str, progress: bool = True):
    """(embed, score model) for an encoder; the model follows the encoder actually loaded."""
    from .match import cached_embedder, score_model_for

    embed = cached_embedder(encoder_name, s, progress)
    return embed, score_model_for(embed.encoder_name, s.calibration_path)


@app.command()
def align(
    src: str = typer.Option(..., help="Source plan id(s), comma-separated (upper plans for coverage)."),
    tgt: str = typer.Option(..., help="Target plan id(s), comma-separated."),
    out: Path | None = typer.Option(None, help="Alignments file (.parquet, CSV mirror beside it)."),
    encoder: str | None = typer.Option(None, help="use-multilingual (default), lexical, or st:<model>."),
    config: Path | None = ConfigOpt,
) -> None:
    """Align the measures of --src plans with the units of --tgt plans (many-to-many)."""
    import pandas as pd

    from . import schemas
    from .io import write_table
    from .match import MatchParams, align_pair, coverage, direction_of, sources_and_targets

    s = _settings(config, encoder=encoder)
    measures, documents = _load_measures(s.processed_dir)
    known = set(documents["doc_id"])
    src_ids, tgt_ids = _docs(src, known, "--src"), _docs(tgt, known, "--tgt")
    embed, model = _matcher(s, s.encoder)
    source, target = sources_and_targets(measures, src_ids, tgt_ids)
    al = align_pair(source, target, embed, model, MatchParams.from_settings(s, model),
                    direction_of(documents, src_ids[0], tgt_ids[0]))
    al = schemas.validate(al, schemas.ALIGNMENTS, "alignments")
    out = out or s.processed_dir / f"alignments_{'+'.join(src_ids)}__{'+'.join(tgt_ids)}.parquet"
    write_table(al, out)
    cov = pd.concat([coverage(al, source, t) for t in tgt_ids], ignore_index=True)
    counts = cov["status"].value_counts().to_dict()
    typer.echo(f"{len(al)} links ({(al['label'] == 'strong').sum()} strong, {(al['label'] == 'partial').sum()} partial)"
               f"; coverage {counts} -> {out}")


def _gold_blocks(measures, documents, gold: list[Path]):
    """Gold rows and the (source, target, direction) blocks they label, by plan id."""
    from .evaluate import gold_plan_pairs, read_gold
    from .match import direction_of

    try:
        rows = read_gold(gold)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        _fail(f"error: cannot read gold file: {exc}")
    pairs = gold_plan_pairs(measures, rows)
    if not pairs:
        _fail("error: the gold file names no plan pair present in the measures table")
    return rows, [(a, b, direction_of(documents, a, b)) for a, b in pairs]


def _encoder_names(s, encoders: str | None) -> list[str]:
    from .config import BASELINE_ENCODERS

    return encoders.split(",") if encoders else [s.encoder, *[e for e in BASELINE_ENCODERS if e != s.encoder]]


@app.command()
def evaluate(
    gold: list[Path] = GoldOpt,
    encoders: str | None = typer.Option(None, help="Comma-separated encoders (default: the default and baselines)."),
    config: Path | None = ConfigOpt,
) -> None:
    """Score alignments against gold pairs, side by side for the default and baseline encoders."""
    from .evaluate import format_report, score_alignments
    from .match import MatchParams, align_plans

    s = _settings(config)
    measures, documents = _load_measures(s.processed_dir)
    rows, blocks = _gold_blocks(measures, documents, gold)
    results = {}
    for name in _encoder_names(s, encoders):
        embed, model = _matcher(s, name, progress=False)
        al, _ = align_plans(measures, blocks, embed, model, MatchParams.from_settings(s, model), progress=False)
        results[name] = score_alignments(measures, al, rows)
    typer.echo(format_report(results))


@app.command()
def calibrate(
    gold: list[Path] = GoldOpt,
    encoders: str | None = typer.Option(None, help="Comma-separated encoders (default: the default and baselines)."),
    out: Path | None = typer.Option(None, help="Calibration file to update (default data/interim/calibration.json)."),
    config: Path | None = ConfigOpt,
) -> None:
    """Fit each encoder's score model on gold pairs; print its cross-validated scores."""
    from dataclasses import replace

    from .calibrate import (
        choose_thresholds,
        cross_validate,
        fit_score_model,
        labelled_candidates,
        write_calibration,
    )
    from .evaluate import format_report
    from .match import MatchParams, cached_embedder

    s = _settings(config)
    measures, documents = _load_measures(s.processed_dir)
    rows, blocks = _gold_blocks(measures, documents, gold)
    models, results = [], {}
    for name in _encoder_names(s, encoders):
        embed = cached_embedder(name, s, progress=False)
        frame = labelled_candidates(measures, rows, [(a, b) for a, b, _ in blocks], embed, s.top_k)
        _, scores = cross_validate(frame, measures, rows, MatchParams(s.top_k))
        thresholds, results[name] = choose_thresholds(frame, scores, measures, rows, s.top_k)
        note = (f"fit on {', '.join(p.name for p in gold)}: {len(frame)} candidates, "
                f"{int(frame['linked'].sum())} linked; cross-validated any-link F1 "
                f"{results[name]['any_link']['f']:.3f}")
        models.append(replace(fit_score_model(frame, embed.encoder_name, note=note), thresholds=thresholds))
    out = out or s.calibration_path
    write_calibration(out, models)
    typer.echo("cross-validated (folds grouped by source measure), at the chosen thresholds:\n"
               + format_report(results))
    for mdl in models:
        typer.echo(f"{mdl.encoder}: thresholds strong/partial/top1 = {mdl.thresholds}")
    typer.echo(f"score models -> {out}")


@app.command()
def run(
    strict: bool = typer.Option(False, help="Stop at the first plan that cannot be read or parsed."),
    encoder: str | None = typer.Option(None, help="use-multilingual (default), lexical, or st:<model>."),
    config: Path | None = ConfigOpt,
) -> None:
    """The whole pipeline on data/raw/: parse, align every plan with the plans above it (both ways)
    and its siblings, and write alignments and coverage to data/processed/."""
    from .io import write_table
    from .match import MatchParams, align_plans, plan_pairs

    parse(raw_dir=None, out_dir=None, strict=strict, config=config)
    s = _settings(config, encoder=encoder)
    measures, documents = _load_measures(s.processed_dir)
    try:
        pairs = plan_pairs(documents, s.pairing, s.all_pairs_max_plans)
    except ValueError as exc:
        _fail(f"error: {exc}")
    embed, model = _matcher(s, s.encoder)
    al, cov = align_plans(measures, pairs, embed, model, MatchParams.from_settings(s, model))
    write_table(al, s.processed_dir / "alignments.parquet")
    write_table(cov, s.processed_dir / "coverage.parquet")
    top_down = cov[cov["direction"] != "bottom-up"]
    summary = top_down.groupby(["src_doc", "tgt_doc", "status"]).size().unstack(fill_value=0)
    typer.echo(f"{len(pairs)} plan blocks aligned; coverage of each plan's measures in the plans below "
               f"and beside it:\n{summary.to_string()}")


def main() -> None:  # console-script entry point
    app()


if __name__ == "__main__":
    main()
