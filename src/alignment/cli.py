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


def main() -> None:  # console-script entry point
    app()


if __name__ == "__main__":
    main()
