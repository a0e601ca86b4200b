"""Declared schemas (pandera) of every table that crosses a stage boundary.

The schema is the documentation of the table: each column says what it holds. List columns
hold Python lists in memory and Parquet, and JSON arrays in the CSV mirrors
(:func:`alignment.io.read_table` turns them back into lists).

Tables: ``documents`` and ``measures`` (parse), ``residue`` (parse report), ``alignments`` and
``coverage`` (match).
"""
from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

__all__ = ["ALIGNMENTS", "COVERAGE", "COVERAGE_STATUS", "DIRECTIONS", "DOCUMENTS", "DOCUMENT_STATUS", "LEVELS", "LEVEL_RANK", "LINK_LABELS", "MEASURES", "MEASURE_KINDS", "RESIDUE", "frame", "validate"]

# Plan levels from the top down; the one vocabulary every module derives from.
LEVELS = ("national", "provincial", "municipal", "county", "township", "unknown")
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}
DOCUMENT_STATUS = ("parsed", "skipped")
MEASURE_KINDS = ("measure", "goal", "preamble", "paragraph", "closing", "fragment")
LINK_LABELS = ("strong", "partial", "candidate")
COVERAGE_STATUS = ("covered", "partial", "gap")
DIRECTIONS = ("top-down", "bottom-up", "sibling")


def _is_list(series: pd.Series) -> pd.Series:
    return series.map(lambda v: isinstance(v, list))


def _list_col(description: str) -> pa.Column:
    return pa.Column(object, pa.Check(_is_list, error="must hold lists"), description=description)


def _text_col(description: str, nullable: bool = False, **kw) -> pa.Column:
    return pa.Column(str, nullable=nullable, description=description, **kw)


DOCUMENTS = pa.DataFrameSchema(
    {
        "doc_id": _text_col("Plan id from the manifest (or the file-name prefix).", unique=True),
        "files": _list_col("Raw files of the plan, in reading order (a plan may have parts)."),
        "title": _text_col("Title (manifest, else read from the text: see alignment.meta); may be empty."),
        "docno": _text_col("The plan's own 文号 (e.g. 西政办〔2020〕20号), or its notice's; empty if none."),
        "level": _text_col("national / provincial / municipal / county / township / unknown.",
                           checks=pa.Check.isin(LEVELS)),
        "region": _text_col("Region named by the manifest or inferred from the title/text."),
        "issuer": _text_col("Issuing body or bodies, space-separated (manifest, else read from the text)."),
        "period_start": pa.Column("Int64", nullable=True, description="First year of the plan period."),
        "period_end": pa.Column("Int64", nullable=True, description="Last year of the plan period."),
        "source_url": _text_col("Where the plan was obtained (manifest)."),
        "implements": _list_col("Upstream documents the plan says it implements (《title》 or 文号)."),
        "citations": _list_col("Every document the plan cites (《title》 and 文号), de-duplicated."),
        "n_measures": pa.Column(int, pa.Check.ge(0), description="Rows of kind 'measure'."),
        "n_units": pa.Column(int, pa.Check.ge(0), description="All rows in the measures table."),
        "encoding": _text_col("Detected encoding(s) of the raw file(s)."),
        "inferred": _list_col("Fields read from the text rather than the manifest: 'field: evidence'."),
        "flags": _list_col("Cleaning and parsing warnings for the whole plan."),
        "status": _text_col("parsed, or skipped (a file or manifest row that could not be used).",
                            checks=pa.Check.isin(DOCUMENT_STATUS)),
        "reason": _text_col("Why a skipped plan was skipped (file, row and problem); empty when parsed."),
    },
    strict=True,
    coerce=False,
)

MEASURES = pa.DataFrameSchema(
    {
        "measure_id": _text_col("Stable id: doc_id, section numbers, item number, task index.",
                                unique=True),
        "doc_id": _text_col("Plan the measure belongs to."),
        "source_file": _text_col("Raw file (name in data/raw/) the text came from."),
        "seq": pa.Column(int, description="Reading order of the unit within its plan."),
        "section_path": _text_col("Headings above the unit, ' > '-joined, e.g. '二、… > (三)…'."),
        "section_numbers": _text_col("Just the numbers of those headings, e.g. '二.(三)'."),
        "number": _text_col("Printed number of the item ('12.', '(五)'); empty if unnumbered."),
        "task_index": pa.Column(int, pa.Check.ge(0),
                                description="1.. for tasks split from a bundled item, else 0."),
        "kind": _text_col("measure (a task); goal (aims, principles, scope: parts that assign no task); "
                          "preamble; paragraph; closing; fragment (the last item of a page cut off "
                          "before its first sentence ends).",
                          checks=pa.Check.isin(MEASURE_KINDS)),
        "title": _text_col("Lead phrase of the item (text before its first 。), may be empty."),
        "text": _text_col("Clean simplified text of the unit."),
        "text_original": _text_col("The same span before traditional->simplified conversion."),
        "char_start": pa.Column(int, pa.Check.ge(0), description="Offset into the cleaned file text."),
        "char_end": pa.Column(int, pa.Check.ge(0), description="End offset (exclusive)."),
        "lead_units": _list_col("牵头单位 (lead units), normalised names."),
        "support_units": _list_col("参加/配合单位 (supporting units)."),
        "responsible_units": _list_col("责任单位 (responsible units, when not split lead/support)."),
        "deadlines": _list_col("Dicts: text, year, date (ISO or None), relative_years."),
        "targets": _list_col("Dicts: text, value, unit, comparator, per."),
        "citations": _list_col("Dicts: kind ('title' or 'docno'), text, normalised."),
        "flags": _list_col("Warnings: garble_unrecovered, heading_inferred, truncated, ..."),
    },
    checks=pa.Check(lambda df: (df["char_end"] >= df["char_start"]).all(),
                    error="char_end before char_start"),
    strict=True,
)

RESIDUE = pa.DataFrameSchema(
    {
        "doc_id": _text_col("Plan."),
        "source_file": _text_col("Raw file."),
        "kind": _text_col("boilerplate (removed page/web furniture) or unassigned (text no unit holds).",
                          checks=pa.Check.isin(("boilerplate", "unassigned"))),
        "reason": _text_col("Which rule removed it, or why it stayed unassigned."),
        "line": pa.Column(int, description="Line number in the raw file (1-based), 0 if unknown."),
        "text": _text_col("The stretch itself."),
    },
    strict=True,
)

ALIGNMENTS = pa.DataFrameSchema(
    {
        "src_measure_id": _text_col("Numbered measure of the source plan (the upper plan when top-down)."),
        "tgt_measure_id": _text_col("Measure of the target plan."),
        "src_doc": _text_col("Source plan."),
        "tgt_doc": _text_col("Target plan."),
        "direction": _text_col("top-down (upper -> lower), bottom-up (lower -> upper) or sibling.",
                               checks=pa.Check.isin(DIRECTIONS)),
        "score": pa.Column(float, pa.Check.in_range(0.0, 1.0), description="Combined score, higher is closer."),
        "rank": pa.Column(int, pa.Check.ge(1), description="Rank of the target among this source's links to tgt_doc."),
        "label": _text_col("strong / partial (asserted links) or candidate (for inspection).",
                           checks=pa.Check.isin(LINK_LABELS)),
        "semantic": pa.Column(float, description="Encoder cosine of the whole texts."),
        "lexical": pa.Column(float, description="Character 2-3-gram TF-IDF cosine of the whole texts."),
        "reuse": pa.Column(float, pa.Check.in_range(0.0, 1.0),
                           description="Share of the shorter text in shared spans of >= 4 chars."),
        "evidence": _text_col("Shared spans or the top contributing signal, human readable."),
    },
    strict=True,
)

COVERAGE = pa.DataFrameSchema(
    {
        "src_measure_id": _text_col("Source-plan measure."),
        "src_doc": _text_col("Source plan."),
        "tgt_doc": _text_col("Plan examined (the lower plan when top-down)."),
        "direction": _text_col("Direction of the block, as in the alignments table.",
                               checks=pa.Check.isin(DIRECTIONS)),
        "status": _text_col("covered / partial / gap.", checks=pa.Check.isin(COVERAGE_STATUS)),
        "best_tgt_measure_id": _text_col("Best link in the lower plan (empty for a gap).", nullable=True),
        "best_score": pa.Column(float, description="Score of that link (0 if none)."),
        "evidence": _text_col("Evidence of that link."),
    },
    strict=True,
)


def frame(rows: list[dict], schema: pa.DataFrameSchema) -> pd.DataFrame:
    """A table of ``schema`` from row dicts, with its declared column types even when empty.

    List columns stay ``object``; an empty table is a valid table (no residue is good news).
    """
    df = pd.DataFrame(rows, columns=list(schema.columns))
    types = {name: col.dtype.type for name, col in schema.columns.items()
             if col.dtype is not None and (df.empty or str(col.dtype) in ("int64", "Int64"))}
    return df.astype(types) if types else df


def validate(df: pd.DataFrame, schema: pa.DataFrameSchema, name: str) -> pd.DataFrame:
    """Validate ``df`` against ``schema``; raise a ValueError naming the table and failures."""
    try:
        return schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.head(10).to_string()
        raise ValueError(f"{name} table breaks its schema:\n{cases}") from None
