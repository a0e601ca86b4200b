"""The ``alignment`` command: one subcommand per stage, plus ``run`` for the whole pipeline.

Every command works on a project folder (:mod:`alignment.config`): the one holding the current
directory, or ``--project DIR``. Bad input gets one line naming the file (and row) and what to
do: exit 1 when nothing could be done, 0 with warnings otherwise; ``--debug`` shows the
traceback. Outputs are written as one set (:class:`alignment.io.OutputSet`): Ctrl-C or a crash
keeps the previous complete set.
"""
from __future__ import annotations

import sys
from pathlib import Path

import typer

from .config import REVIEW_QUEUE_SIZE

__all__ = ["app", "cli", "main"]

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Parse Chinese implementation plans into measures and align them across levels.")

ConfigOpt = typer.Option(None, "--config", help="YAML file overriding settings (after the project's alignment.yaml).")
TablesOpt = typer.Option(None, "--processed-dir", help="Folder of the parsed tables (default: the project's "
                         "data/processed/; the --out-dir given to parse).")
GoldOpt = typer.Option(..., help="Gold CSV file(s) in the shared gold format.")


class UserError(Exception):
    """A problem the user can fix; its message is the one line they see."""


@app.callback()
def _options(
    ctx: typer.Context,
    project: Path | None = typer.Option(None, "--project", help="Project folder (default: the one holding the "
                                        "current directory: the nearest with alignment.yaml or data/raw/)."),
    debug: bool = typer.Option(False, "--debug", help="Show the full traceback of an error."),
) -> None:
    """Parse Chinese implementation plans into measures and align them across levels."""
    ctx.obj = {"project": project, "debug": debug}


def _settings(ctx: typer.Context, config: Path | None, **overrides):
    from .config import load_settings

    return load_settings(config, project=(ctx.obj or {}).get("project"), **overrides)


def _warn(msg: str) -> None:
    typer.secho(msg, fg="yellow", err=True)


# --------------------------------------------------------------------------- init


@app.command()
def init(directory: Path = typer.Argument(..., help="Folder to make (or an empty one to fill)."),
         force: bool = typer.Option(False, help="Fill a folder that already holds files."),
         notebooks: bool = typer.Option(False, help="Copy the five analysis notebooks into DIR/notebooks/.")) -> None:
    """Make a project folder: data/raw/ with a manifest template, data/processed/, figures/ and
    alignment.yaml with every setting at its default (and, with --notebooks, the notebooks)."""
    from .config import PROJECT_FILE, settings_template
    from .parsing.manifest import COLUMNS, MANIFEST_NAME

    directory = directory.resolve()
    notebooks_source = Path(__file__).resolve().parents[2] / "notebooks"  # they ship with the repository
    if notebooks and not notebooks_source.is_dir():
        raise UserError("the notebooks ship with the plan-alignment repository (its notebooks/ folder), which "
                        "this installation does not have; copy them from there")
    if (directory / PROJECT_FILE).exists():
        raise UserError(f"{directory} is already a project folder ({PROJECT_FILE} exists)")
    if directory.exists() and any(directory.iterdir()) and not force:
        raise UserError(f"{directory} is not empty; pass --force to make it a project folder anyway")
    for sub in ("data/raw", "data/interim", "data/processed", "figures"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    manifest = directory / "data" / "raw" / MANIFEST_NAME
    if not manifest.exists():
        manifest.write_text(",".join(COLUMNS) + "\n", encoding="utf-8")
    (directory / PROJECT_FILE).write_text(settings_template(), encoding="utf-8")
    if notebooks:
        import shutil

        shutil.copytree(notebooks_source, directory / "notebooks", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    typer.echo(f"project folder {directory}: put plans in data/raw/ (one manifest.csv row each, or none), then "
               f"`cd {directory} && alignment run`")


# --------------------------------------------------------------------------- parse


def _parse(s, strict: bool):
    """Parse the project's plans and print the skipped files and the per-plan summary."""
    from .io import ensure_writable
    from .parsing.manifest import load_manifest
    from .parsing.parse import parse_corpus, parse_summary

    entries = load_manifest(s.raw_dir)
    ensure_writable(s.processed_dir)
    result = parse_corpus(entries, s.unit_aliases, strict=strict)
    for err in result.errors:
        _warn(f"skipped {err}")
    if result.measures.empty:
        n = len(result.documents)
        raise UserError(f"no plan could be parsed in {s.raw_dir}: "
                        + (f"{n} file(s) skipped (reasons above)" if n else "the folder has no plan files"))
    typer.echo(parse_summary(result))
    return result


def _stage_parse(out, result, clean_dir: Path) -> None:
    from .io import write_text

    for name in ("documents", "measures", "residue"):
        out.write_table(getattr(result, name), name)
    for file_name, clean in result.cleaned.items():
        write_text(clean_dir / f"{file_name}.clean.txt", clean.text)
        write_text(clean_dir / f"{file_name}.original.txt", clean.text_original)


@app.command()
def parse(
    ctx: typer.Context,
    raw_dir: Path | None = typer.Option(None, help="Folder of raw plans (default: the project's data/raw/)."),
    out_dir: Path | None = typer.Option(None, help="Where tables go (default: the project's data/processed/)."),
    strict: bool = typer.Option(False, help="Stop at the first plan that cannot be read or parsed."),
    config: Path | None = ConfigOpt,
) -> None:
    """Clean and parse every plan in data/raw/ into documents, measures and residue tables."""
    from .io import OutputSet

    s = _settings(ctx, config, raw_dir=raw_dir, processed_dir=out_dir)
    result = _parse(s, strict)
    with OutputSet(s.processed_dir) as out:
        _stage_parse(out, result, s.clean_dir)
    parsed = result.documents["status"] == "parsed"
    n_res = int((result.residue["kind"] == "unassigned").sum())
    typer.echo(f"{int(parsed.sum())} plans, {int(result.documents['n_measures'].sum())} measures "
               f"({len(result.measures)} units), {n_res} unassigned residue stretches"
               + (f", {int((~parsed).sum())} skipped" if (~parsed).any() else "") + f" -> {s.processed_dir}")


# --------------------------------------------------------------------------- align, evaluate, calibrate


def _read_tables(processed_dir: Path, names: tuple[str, ...]) -> tuple[dict, str | None]:
    """The named tables of one run (refused when mixed with an earlier run's) and that run's id."""
    from .io import check_outputs, read_table

    run_id = check_outputs(processed_dir, names)
    return {n: read_table(Path(processed_dir) / f"{n}.parquet") for n in names}, run_id


def _graph(tables: dict):
    """The cascade graph of a run's documents, measures and alignments tables."""
    from .cascade.graph import build_cascade

    return build_cascade(tables["documents"], tables["measures"], tables["alignments"])


def _load_measures(processed_dir: Path):
    from .io import check_outputs, read_table

    check_outputs(processed_dir, ("documents", "measures"))
    return read_table(Path(processed_dir) / "measures.parquet"), read_table(Path(processed_dir) / "documents.parquet")


def _docs(value: str, documents, flag: str) -> list[str]:
    ids = [d.strip() for d in value.split(",") if d.strip()]
    known = set(documents.loc[documents["status"] == "parsed", "doc_id"]) if "status" in documents else set(documents["doc_id"])
    if not ids:
        raise UserError(f"{flag} names no plan; give plan ids separated by commas, e.g. {flag} {min(known, default='000')}")
    unknown = [d for d in ids if d not in known]
    if unknown:
        raise UserError(f"{flag} names unknown plan(s) {unknown}; known: {sorted(known)}")
    return ids


def _matcher(s, encoder_name: str, progress: bool = True):
    """(embed, score model) for an encoder; the model follows the encoder actually loaded."""
    from .matching.align import matcher_for

    try:
        return matcher_for(encoder_name, s, progress)
    except ValueError as exc:  # unknown encoder name
        raise UserError(str(exc)) from None


def _table_path(out: Path) -> Path:
    if out.suffix.lower() not in ("", ".parquet", ".csv"):
        raise UserError(f"--out {out}: tables are written as .parquet with a .csv beside it; "
                        f"give a name ending in .parquet (e.g. {out.with_suffix('.parquet').name})")
    return out.with_suffix(".parquet")


@app.command()
def align(
    ctx: typer.Context,
    src: str = typer.Option(..., help="Source plan id(s), comma-separated (upper plans for coverage)."),
    tgt: str = typer.Option(..., help="Target plan id(s), comma-separated."),
    out: Path | None = typer.Option(None, help="Alignments file (.parquet, CSV mirror beside it)."),
    encoder: str | None = typer.Option(None, help="e5-small+lexical (default), e5-small, use-multilingual, lexical, st:<model>, or a+b."),
    processed_dir: Path | None = TablesOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Align the measures of --src plans with the units of --tgt plans (many-to-many)."""
    from .io import OutputSet, check_outputs
    from .matching.align import score_blocks
    from .matching.pairing import blocks_between
    from .matching.score import MatchParams

    s = _settings(ctx, config, encoder=encoder, processed_dir=processed_dir)
    measures, documents = _load_measures(s.processed_dir)
    src_ids, tgt_ids = _docs(src, documents, "--src"), _docs(tgt, documents, "--tgt")
    embed, model = _matcher(s, s.encoder)
    # one block per (source plan, target plan): each source keeps top_k candidates in every target plan
    pairs = blocks_between(documents, src_ids, tgt_ids)
    blocks, model, decided = _decided_matcher(s, measures, documents, pairs, embed, model, progress=False)
    al, cov = score_blocks(blocks, model, MatchParams.from_settings(s, model), decided)
    path = _table_path(out) if out else s.processed_dir / f"alignments_{'+'.join(src_ids)}__{'+'.join(tgt_ids)}.parquet"
    with OutputSet(path.parent, measures_run=check_outputs(s.processed_dir, ("measures",))) as staged:
        written = staged.write_table(al, path.stem)
    counts = cov["status"].value_counts().to_dict()
    typer.echo(f"{len(al)} links ({(al['label'] == 'strong').sum()} strong, {(al['label'] == 'partial').sum()} partial"
               f", {int(al['reviewed'].sum())} reviewed); coverage {counts} -> {', '.join(str(p) for p in written)}")


def _gold_blocks(measures, documents, gold: list[Path]):
    """Gold rows and the (source, target, direction) blocks they label, by plan id."""
    from .matching.evaluate import gold_links, gold_plan_pairs, read_gold
    from .matching.pairing import direction_of

    rows = read_gold(gold)
    pairs = gold_plan_pairs(measures, rows)
    names = ", ".join(Path(p).name for p in gold)
    if not pairs:
        raise UserError(f"gold {names} names no plan pair present in the measures table (plans: "
                        f"{sorted(set(measures['doc_id']))}; gold files name plans by their files' 3-character prefix)")
    _, unmapped = gold_links(measures, rows)
    if unmapped:
        _warn(f"gold {names}: {unmapped} quote(s) match no measure of today's tables and are left out "
              f"(a quote must be copied from one measure's text)")
    return rows, [(a, b, direction_of(documents, a, b)) for a, b in pairs]


def _encoder_names(s, encoders: str | None) -> list[str]:
    from .config import BASELINE_ENCODERS

    return encoders.split(",") if encoders else [s.encoder, *[e for e in BASELINE_ENCODERS if e != s.encoder]]


@app.command()
def evaluate(
    ctx: typer.Context,
    gold: list[Path] = GoldOpt,
    encoders: str | None = typer.Option(None, help="Comma-separated encoders (default: the default and baselines)."),
    processed_dir: Path | None = TablesOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Score alignments against gold pairs, side by side for the default and baseline encoders."""
    from .matching.align import align_plans
    from .matching.evaluate import format_report, score_alignments
    from .matching.score import MatchParams

    s = _settings(ctx, config, processed_dir=processed_dir)
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
    ctx: typer.Context,
    gold: list[Path] = GoldOpt,
    encoders: str | None = typer.Option(None, help="Comma-separated encoders (default: the default and baselines)."),
    out: Path | None = typer.Option(None, help="Calibration file to update (default data/interim/calibration.json)."),
    processed_dir: Path | None = TablesOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Fit each encoder's score model on gold pairs; print its cross-validated scores."""
    from .matching.calibrate import calibrate_encoder, write_calibration
    from .matching.evaluate import format_report

    s = _settings(ctx, config, processed_dir=processed_dir)
    measures, documents = _load_measures(s.processed_dir)
    rows, blocks = _gold_blocks(measures, documents, gold)
    models, results = [], {}
    for name in _encoder_names(s, encoders):
        embed, _ = _matcher(s, name, progress=False)
        model, results[name] = calibrate_encoder(measures, rows, [(a, b) for a, b, _ in blocks], embed, s.top_k,
                                                 ", ".join(p.name for p in gold))
        models.append(model)
    out = out or s.calibration_path
    write_calibration(out, models)
    typer.echo("cross-validated (folds grouped by source measure), at the chosen thresholds:\n"
               + format_report(results))
    for mdl in models:
        typer.echo(f"{mdl.encoder}: thresholds strong/partial/top1 = {mdl.thresholds}")
    typer.echo(f"score models -> {out}")


# --------------------------------------------------------------------------- run


@app.command()
def run(
    ctx: typer.Context,
    strict: bool = typer.Option(False, help="Stop at the first plan that cannot be read or parsed."),
    encoder: str | None = typer.Option(None, help="e5-small+lexical (default), e5-small, use-multilingual, lexical, st:<model>, or a+b."),
    config: Path | None = ConfigOpt,
) -> None:
    """The whole pipeline on the project's data/raw/: parse, align every plan with the plans
    above it (both ways) and its siblings; documents, measures, alignments and coverage are
    replaced together, or not at all."""
    from .io import OutputSet
    from .matching.align import score_blocks
    from .matching.pairing import plan_pairs
    from .matching.score import MatchParams

    s = _settings(ctx, config, encoder=encoder)
    result = _parse(s, strict)
    try:
        pairs = plan_pairs(result.documents, s.pairing, s.all_pairs_max_plans)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    embed, model = _matcher(s, s.encoder)
    blocks, model, decided = _decided_matcher(s, result.measures, result.documents, pairs, embed, model)
    al, cov = score_blocks(blocks, model, MatchParams.from_settings(s, model), decided)
    with OutputSet(s.processed_dir) as out:
        _stage_parse(out, result, s.clean_dir)
        out.write_table(al, "alignments")
        out.write_table(cov, "coverage")
        G = _stage_cascade(out, result.documents, result.measures, al, cov)
    top_down = cov[cov["direction"] != "bottom-up"]
    summary = top_down.groupby(["src_doc", "tgt_doc", "status"]).size().unstack(fill_value=0)
    coverage_text = (f"coverage of each plan's measures in the plans below and beside it:\n{summary.to_string()}"
                     if len(summary) else "no plans to align with each other yet: add the plans above or beside "
                                           "these to data/raw/")
    typer.echo(f"{len(pairs)} plan blocks aligned; {coverage_text}\n{_cascade_line(G)}\n-> {s.processed_dir}")


# --------------------------------------------------------------------------- review


def _decided_matcher(s, measures, documents, pairs, embed, model, progress: bool = True):
    """:func:`alignment.review.refit.decided_matching`, saying how many decisions it honours."""
    from .review.refit import decided_matching

    blocks, refitted, decided = decided_matching(s, measures, documents, pairs, embed, model, progress)
    if decided is not None and len(decided):
        typer.echo(f"{int(decided['as_asked'].sum())} review decisions on record apply to today's measures "
                   f"(each either way round); score model refitted on them")
    return blocks, refitted, decided


@app.command()
def review(
    ctx: typer.Context,
    src: str | None = typer.Option(None, help="Source plan id(s), comma-separated (queue mode)."),
    tgt: str | None = typer.Option(None, help="Target plan id(s), comma-separated (queue mode)."),
    budget: int = typer.Option(40, min=1, help="Pairs in the queue."),
    out: Path | None = typer.Option(None, help="Queue file to write: .xlsx (drop-downs, shared wording marked) or .csv."),
    apply: Path | None = typer.Option(None, "--apply", help="A filled queue whose decisions to record."),
    reviewer: str | None = typer.Option(None, help="Who decided (default: the OS user)."),
    status: bool = typer.Option(False, "--status", help="Print the decisions recorded and how the refitted model scores on them."),
    simulate: bool = typer.Option(False, "--simulate", help="Answer queues from --gold and print what each budget buys."),
    gold: list[Path] | None = typer.Option(None, help="Gold CSV file(s) for --simulate."),
    budgets: str = typer.Option("0,0.5,1,2", help="--simulate: decisions per source measure, comma-separated."),
    queue_size: int = typer.Option(REVIEW_QUEUE_SIZE, min=1, help="--simulate: decisions per queue (the model is refitted after each)."),
    naive: bool = typer.Option(False, "--naive", help="--simulate: also the naive loop (pairs nearest a threshold, no refit)."),
    force: bool = typer.Option(False, "--force", help="--out: replace an existing file (a filled queue would be lost)."),
    encoder: str | None = typer.Option(None, help="e5-small+lexical (default), e5-small, use-multilingual, lexical, st:<model>, or a+b."),
    processed_dir: Path | None = TablesOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Review links: write a queue of the pairs that matter most (--src --tgt --out), record a
    filled queue (--apply), see what was decided (--status), or measure what review buys (--simulate)."""
    modes = [name for name, on in (("--out", out is not None), ("--apply", apply is not None), ("--status", status),
                                    ("--simulate", simulate)) if on]
    if len(modes) != 1:
        raise UserError("alignment review needs one of --out FILE (with --src and --tgt), --apply FILE, --status "
                        f"or --simulate --gold FILE{'; got ' + ' and '.join(modes) if modes else ''}")
    belongs = {"--src": ("--out", src), "--tgt": ("--out", tgt), "--force": ("--out", force or None),
               "--reviewer": ("--apply", reviewer), "--gold": ("--simulate", gold or None),
               "--naive": ("--simulate", naive or None)}
    stray = [f"{flag} belongs with {mode}" for flag, (mode, value) in belongs.items() if value is not None and mode != modes[0]]
    if stray:
        raise UserError(f"alignment review {modes[0]}: {'; '.join(stray)}")
    s = _settings(ctx, config, encoder=encoder, processed_dir=processed_dir)
    measures, documents = _load_measures(s.processed_dir)
    {"--out": _review_queue, "--apply": _review_apply, "--status": _review_status, "--simulate": _review_simulate}[
        modes[0]](s, measures, documents, src=src, tgt=tgt, budget=budget, out=out, apply=apply, reviewer=reviewer,
                  gold=gold, budgets=budgets, queue_size=queue_size, naive=naive, force=force)


def _review_queue(s, measures, documents, *, src, tgt, budget, out, force, **_):
    from .review.decisions import pair_key
    from .review.queue import queue_for_plans, write_queue

    if not src or not tgt:
        raise UserError("a review queue needs --src and --tgt plan ids, e.g. --src 000 --tgt 003")
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise UserError(f"--out {out}: a review queue is written as .xlsx or .csv")
    if out.is_dir():
        raise UserError(f"--out {out} is a folder; give a file name such as {out / 'review.xlsx'}")
    if out.resolve() == s.decisions_path.resolve():
        raise UserError(f"--out {out} is the project's decisions file; a queue goes to a file of its own")
    if out.exists() and not force:
        raise UserError(f"--out {out} exists (a filled queue would be lost); apply it first, give another name, "
                        f"or add --force to replace it")
    src_ids, tgt_ids = _docs(src, documents, "--src"), _docs(tgt, documents, "--tgt")
    if not [(a, b) for a in src_ids for b in tgt_ids if a != b]:
        raise UserError(f"--src {src} and --tgt {tgt} name the same plan; a queue pairs measures of two plans")
    _matcher(s, s.encoder, progress=False)  # an unknown encoder name is one line, before any work
    table, al = queue_for_plans(s, measures, documents, src_ids, tgt_ids, budget)
    path = write_queue(table, out)
    decided = len({pair_key(a, b) for a, b in zip(al.loc[al["reviewed"], "src_measure_id"], al.loc[al["reviewed"], "tgt_measure_id"])})
    typer.echo(f"{len(table)} pairs to review ({decided} pairs of these plans decided already) -> {path}\n"
               f"fill decision with strong, partial or none (强/部分/无), then: alignment review --apply {path}")


def _review_apply(s, measures, documents, *, apply, reviewer, **_):
    from .review.decisions import (
        ReviewFileError,
        append_decisions,
        decisions_from_review,
        default_reviewer,
        read_review_file,
    )

    if apply.resolve() == s.decisions_path.resolve():
        raise UserError(f"--apply {apply} is the project's decisions file itself; apply the queue you filled")
    try:
        frame = read_review_file(apply)
        new = decisions_from_review(frame, measures, reviewer or default_reviewer(), apply.name)
    except ReviewFileError as exc:
        raise UserError(str(exc)) from None
    added = append_decisions(s.decisions_path, new)
    counts = [f"{v} {k}" for k, v in added["decision"].value_counts().items()]
    again = [f"{len(new) - len(added)} already on record, not added again"] if len(new) > len(added) else []
    blank = int((frame["decision"].astype(str).str.strip() == "").sum())
    typer.echo(f"{len(added)} decisions recorded ({'; '.join([', '.join(counts) or 'none new', *again])}; "
               f"{blank} rows left blank) -> {s.decisions_path}\n"
               f"`alignment run` (or align) now honours them and refits the score model")


def _review_status(s, measures, documents, **_):
    from .matching.pairing import direction_of
    from .matching.score import MatchParams
    from .review.decisions import pair_key, read_decisions, resolve_decisions, text_hash
    from .review.refit import refit_report

    decisions = read_decisions(s.decisions_path)
    if decisions.empty:
        typer.echo(f"no decisions recorded yet ({s.decisions_path}); make a queue with "
                   f"alignment review --src A --tgt B --out queue.xlsx")
        return
    decided = resolve_decisions(decisions, measures)
    asked = decided[decided["as_asked"]]
    pairs = {pair_key(a, b) for a, b in zip(decisions["src_hash"], decisions["tgt_hash"])}
    today = set(measures["text"].map(text_hash))
    gone = sum(not (a in today and b in today) for a, b in pairs)
    typer.echo(f"{len(decisions)} decisions recorded on {len(pairs)} pairs by {', '.join(sorted(set(decisions['reviewer'])))}"
               + (f"; {gone} no longer match today's measures (a plan removed, or a measure's text changed)"
                  if gone else ""))
    if decided.empty:
        return
    table = asked.groupby(["src_doc", "tgt_doc", "decision"]).size().unstack(fill_value=0)
    typer.echo(f"by plan pair as asked (each decision also holds the other way round):\n{table.to_string()}")
    embed, model = _matcher(s, s.encoder, progress=False)
    from .matching.align import block_evidence

    pairs = sorted({(a, b) for a, b in zip(decided["src_doc"], decided["tgt_doc"])})
    blocks = block_evidence(measures, [(a, b, direction_of(documents, a, b)) for a, b in pairs], embed, s.top_k, False)
    typer.echo(refit_report(model, blocks, decided, MatchParams.from_settings(s, model)))


def _review_simulate(s, measures, documents, *, gold, budgets, queue_size, naive, **_):
    import math

    from .matching.align import block_evidence
    from .matching.score import MatchParams
    from .review.simulate import simulate

    if not gold:
        raise UserError("--simulate needs --gold FILE (the shared gold format)")
    try:
        levels = [float(b) for b in budgets.split(",") if b.strip()]
    except ValueError:
        raise UserError(f"--budgets {budgets!r}: give decisions per source measure as numbers, e.g. 0,0.5,1,2") from None
    if not levels or min(levels) < 0 or not all(math.isfinite(b) for b in levels):
        raise UserError(f"--budgets {budgets!r}: give one or more numbers >= 0, e.g. 0,0.5,1,2")
    rows, blocks = _gold_blocks(measures, documents, gold)
    embed, model = _matcher(s, s.encoder, progress=False)
    evidence = block_evidence(measures, blocks, embed, s.top_k, progress=False)
    params = MatchParams.from_settings(s, model)
    curves = {"review (queue of the most useful pairs, model refitted after each queue)":
              simulate(measures, rows, evidence, model, params, levels, queue_size=queue_size)}
    if naive:
        curves["naive (pairs nearest a threshold, no refit)"] = simulate(
            measures, rows, evidence, model, params, levels, refit=False, queue="nearest", queue_size=queue_size)
    typer.echo(f"review simulated from the gold with {embed.encoder_name} (decisions answered by it in queues of "
               f"{queue_size}, kept in memory; the project's decisions file is not touched); budget = decisions per "
               f"source measure, candidate_recall = the share of gold links review can reach:")
    for name, curve in curves.items():
        typer.echo(f"{name}:\n" + curve.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


# --------------------------------------------------------------------------- cascade


CASCADE_TABLES = ("coverage_summary", "gaps", "innovations", "drift", "unit_load")


def _stage_cascade(out, documents, measures, alignments, coverage):
    """Build the cascade graph and stage its exports, its flat tables, the analytics tables and
    report.xlsx into the output set ``out``; return the graph."""
    from .cascade import analytics
    from .cascade.graph import build_cascade, edges_table, nodes_table, write_exports

    G = build_cascade(documents, measures, alignments)
    tables = {"coverage_summary": analytics.coverage_summary(G, coverage), "gaps": analytics.gaps(G, coverage),
              "innovations": analytics.innovations(G, alignments), "drift": analytics.drift(G),
              "unit_load": analytics.unit_load(G)}
    out.write_table(nodes_table(G), "cascade_nodes")
    out.write_table(edges_table(G), "cascade_edges")
    for name, table in tables.items():
        out.write_table(table, name)
    write_exports(G, out.staging)
    analytics.write_workbook(tables, out.staging / "report.xlsx")
    out.add_files("cascade.graphml", "cascade.gexf", "cascade.json", "report.xlsx")
    return G


def _cascade_line(G) -> str:
    kinds = {}
    for _, kind in G.nodes(data="kind"):
        kinds[kind] = kinds.get(kind, 0) + 1
    return (f"cascade graph: {kinds.get('plan', 0)} plans, {kinds.get('document', 0)} external documents, "
            f"{kinds.get('measure', 0)} measures, {kinds.get('requirement', 0)} requirements shared by several plans, "
            f"{kinds.get('unit', 0)} unit functions")


@app.command()
def cascade(
    ctx: typer.Context,
    processed_dir: Path | None = TablesOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Build the cascade graph and the report tables from the existing tables (after `run`):
    cascade.graphml/.gexf/.json, cascade_nodes/edges, coverage_summary, gaps, innovations,
    drift, unit_load and report.xlsx."""
    from .io import OutputSet

    s = _settings(ctx, config, processed_dir=processed_dir)
    tables, run_id = _read_tables(s.processed_dir, ("documents", "measures", "alignments", "coverage"))
    with OutputSet(s.processed_dir, measures_run=run_id) as out:
        G = _stage_cascade(out, tables["documents"], tables["measures"], tables["alignments"], tables["coverage"])
    typer.echo(f"{_cascade_line(G)}\n-> {s.processed_dir}")


@app.command()
def trace(
    ctx: typer.Context,
    measure_id: str = typer.Argument(..., help="A measure id, e.g. '004:三.(一)/45' (see measures.csv)."),
    processed_dir: Path | None = TablesOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """A measure's sources up the chain, the requirement it belongs to, and every lower task it
    flows into."""
    from .cascade.graph import flows_into, requirement_of, sources
    from .schemas import level_rank

    s = _settings(ctx, config, processed_dir=processed_dir)
    G = _graph(_read_tables(s.processed_dir, ("documents", "measures", "alignments"))[0])
    if measure_id not in G or G.nodes[measure_id]["kind"] != "measure":
        raise UserError(f"no measure {measure_id!r}; measure ids are in {s.processed_dir / 'measures.csv'}")

    def line(m: str) -> str:
        a = G.nodes[m]
        plan = G.nodes[f"plan:{a['doc_id']}"]
        return f"  [{plan['level']}] {m}  {a['text'][:70]}"

    level = {n: a["level"] for n, a in G.nodes(data=True) if a["kind"] == "plan"}
    order = (lambda m: (level_rank(level[f"plan:{G.nodes[m]['doc_id']}"]), m))
    req = requirement_of(G, measure_id)
    typer.echo(f"{measure_id}: {G.nodes[measure_id]['text']}")
    typer.echo("comes from:" if sources(G, measure_id) else "comes from: no upstream link in the loaded plans")
    for m in sorted(sources(G, measure_id), key=order):
        typer.echo(line(m))
    typer.echo(f"requirement: {req} ({G.nodes[req]['size']} measures in plans {', '.join(G.nodes[req]['plans'])}): "
               f"{G.nodes[req]['text']}" if req else "requirement: none shared with another plan")
    typer.echo("flows into:" if flows_into(G, measure_id) else "flows into: no lower task in the loaded plans")
    for m in sorted(flows_into(G, measure_id), key=order):
        typer.echo(line(m))


@app.command()
def figures(
    ctx: typer.Context,
    lang: str = typer.Option("zh", help="zh (Chinese labels) or en."),
    processed_dir: Path | None = TablesOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Regenerate every report figure into the project's figures/ (PNG at 300 dpi, and SVG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .io import atomic_path
    from .report.plots import all_figures

    if lang not in ("zh", "en"):
        raise UserError(f"--lang {lang!r}: use zh or en")
    s = _settings(ctx, config, processed_dir=processed_dir)
    names = ("documents", "measures", "alignments", *CASCADE_TABLES)
    tables = _read_tables(s.processed_dir, names)[0]
    G = _graph(tables)
    written = []
    for name, fig in all_figures(tables, G, lang).items():
        for suffix, dpi in ((".png", 300), (".svg", None)):
            path = s.figures_dir / f"{name}{suffix}"
            with atomic_path(path) as tmp:
                fig.savefig(tmp, dpi=dpi, format=suffix[1:])
            written.append(path)
        plt.close(fig)
    typer.echo(f"{len(written) // 2} figures ({lang}) -> {s.figures_dir}")


@app.command()
def explore(
    ctx: typer.Context,
    processed_dir: Path | None = TablesOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Write figures/explorer.html: the cascade to pan, zoom and search, each measure's links with
    their evidence on click, and the gap and innovation lists. One file; opens offline."""
    from .io import write_text
    from .report.explorer import explorer_html

    s = _settings(ctx, config, processed_dir=processed_dir)
    names = ("documents", "measures", "alignments", "gaps", "innovations")
    tables = _read_tables(s.processed_dir, names)[0]
    G = _graph(tables)
    path = s.figures_dir / "explorer.html"
    write_text(path, explorer_html(G, tables["gaps"], tables["innovations"], f"plan-alignment · {s.root.name}"))
    typer.echo(f"explorer -> {path}")


# --------------------------------------------------------------------------- entry point


def _explain(exc: BaseException) -> str:
    """The one line a user sees for an error."""
    from .config import ConfigError
    from .io import OutputError
    from .matching.evaluate import GoldError
    from .parsing.ingest import IngestError
    from .parsing.manifest import ManifestError
    from .parsing.parse import StructureError
    from .review.decisions import ReviewFileError

    known = (UserError, ConfigError, ManifestError, IngestError, StructureError, OutputError, GoldError, ReviewFileError)
    if isinstance(exc, known):
        line = f"error: {exc}"
    elif isinstance(exc, PermissionError):
        line = (f"error: permission denied: {exc.filename}"
                f"{'; ' + exc.strerror if exc.strerror and exc.strerror != 'Permission denied' else ''}; "
                f"choose a file or folder you can write to")
    elif isinstance(exc, OSError):
        line = f"error: {exc.filename or ''}: {exc.strerror or exc}".replace("error: : ", "error: ")
    else:
        line = f"error: unexpected {exc.__class__.__name__}: {exc} (rerun with --debug for the traceback)"
    return " ".join(line.split())  # one line, whatever a library put in its message


def _is_usage_error(exc: BaseException) -> bool:
    """A usage error of click (or of the copy of click that typer carries): it shows itself."""
    return callable(getattr(exc, "show", None)) and isinstance(getattr(exc, "exit_code", None), int)


def cli(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code. Errors become one line, never a traceback
    (unless ``--debug``); Ctrl-C keeps the previous outputs."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    from . import io

    io.interrupted_after_commit = False
    try:
        code = typer.main.get_command(app).main(args=argv, prog_name="alignment", standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except (KeyboardInterrupt, typer.Abort):
        code = 130
    except Exception as exc:  # every error reaches the user as one line
        if _is_usage_error(exc):  # a bad option or a missing argument: click's own usage message
            exc.show()
            return exc.exit_code
        if debug:
            raise
        typer.secho(_explain(exc), fg="red", err=True)
        return 1
    if code == 130:  # Ctrl-C (typer turns it into this exit code)
        if io.interrupted_after_commit:
            typer.secho("interrupted; this run's outputs were already complete and are kept", fg="yellow", err=True)
        else:
            typer.secho("interrupted, previous outputs kept", fg="yellow", err=True)
        return 130
    return code if isinstance(code, int) else 0


def main() -> None:  # console-script entry point
    sys.exit(cli())


if __name__ == "__main__":
    main()
