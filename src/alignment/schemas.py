"""Declared schemas (pandera) of every table that crosses a stage boundary.

The schema is the documentation of the table: each column says what it holds. List columns
hold Python lists in memory and Parquet, and JSON arrays in the CSV mirrors
(:func:`alignment.io.read_table` turns them back into lists).

Tables: ``documents`` and ``measures`` (parse), ``residue`` (parse report), ``alignments`` and
``coverage`` (match), ``cascade_nodes``/``cascade_edges`` (the cascade graph, flat) and the report
tables ``coverage_summary``, ``gaps``, ``innovations``, ``drift``, ``unit_load`` (cascade).
"""
from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

__all__ = ["ALIGNMENTS", "CASCADE_EDGES", "CASCADE_NODES", "COVERAGE", "COVERAGE_STATUS", "COVERAGE_SUMMARY", "DECISIONS", "DECISION_VALUES", "DIRECTIONS", "DOCUMENTS", "DOCUMENT_STATUS", "DRIFT", "DRIFT_CHANGES", "EDGE_KINDS", "GAPS", "INNOVATIONS", "LEVELS", "LEVEL_RANK", "LINK_LABELS", "MEASURES", "MEASURE_KINDS", "NODE_KINDS", "RESIDUE", "UNIT_LOAD", "frame", "level_rank", "validate"]

# Plan levels from the top down; the one vocabulary every module derives from.
LEVELS = ("national", "provincial", "municipal", "county", "township", "unknown")
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}


def level_rank(level) -> int:
    """Rank of a plan level from the top (national = 0); anything unknown ranks last."""
    return LEVEL_RANK.get(level, LEVEL_RANK["unknown"])
DOCUMENT_STATUS = ("parsed", "skipped")
NODE_KINDS = ("plan", "document", "section", "measure", "requirement", "unit")
EDGE_KINDS = ("contains", "implements", "cites", "aligned", "carries", "assigned_to")
DRIFT_CHANGES = ("deadline earlier", "deadline later", "deadline added", "deadline dropped", "target raised",
                 "target lowered", "target added", "target dropped", "lead reassigned", "lead dropped")
MEASURE_KINDS = ("measure", "goal", "preamble", "paragraph", "closing", "fragment")
LINK_LABELS = ("strong", "partial", "candidate", "none")  # none: a person rejected the pair
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
        "label": _text_col("strong / partial (asserted links), candidate (for inspection) or none "
                           "(a person rejected the pair).", checks=pa.Check.isin(LINK_LABELS)),
        "semantic": pa.Column(float, description="Encoder cosine of the whole texts."),
        "lexical": pa.Column(float, description="Character 2-3-gram TF-IDF cosine of the whole texts."),
        "reuse": pa.Column(float, pa.Check.in_range(0.0, 1.0),
                           description="Share of the shorter text in shared spans of >= 4 chars."),
        "evidence": _text_col("Shared spans or the top contributing signal, human readable."),
        "reviewed": pa.Column(bool, description="A person decided this pair (alignment review): its label is "
                                                 "theirs and its score their certainty (1 link, 0 none)."),
    },
    strict=True,
)

DECISION_VALUES = ("strong", "partial", "none")

DECISIONS = pa.DataFrameSchema(
    {
        "decided_at": _text_col("When (ISO 8601, UTC)."),
        "reviewer": _text_col("Who decided (--reviewer, default the OS user)."),
        "src_measure_id": _text_col("Source measure as numbered when decided (informational)."),
        "tgt_measure_id": _text_col("Target measure as numbered when decided (informational)."),
        "src_doc": _text_col("Source plan when decided."),
        "tgt_doc": _text_col("Target plan when decided."),
        "src_hash": _text_col("Hash of the source text (alignment.review.decisions.text_hash): the pair's identity."),
        "tgt_hash": _text_col("Hash of the target text."),
        "decision": _text_col("strong / partial / none.", checks=pa.Check.isin(DECISION_VALUES)),
        "source": _text_col("Review file the decision came from."),
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
        "reviewed": pa.Column(bool, description="The status rests on a person's decision: the best link was "
                                                 "confirmed, or (a gap) a candidate was rejected."),
    },
    strict=True,
)


def frame(rows: list[dict], schema: pa.DataFrameSchema) -> pd.DataFrame:
    """A table of ``schema`` from row dicts, with its declared column types even when empty.

    List columns stay ``object``; an empty table is a valid table (no residue is good news).

    Parameters
    ----------
    rows : list of dict
        One dict per row, keyed by column name.
    schema : pa.DataFrameSchema
        The table's schema, e.g. :data:`RESIDUE`.
    """
    df = pd.DataFrame(rows, columns=list(schema.columns))
    types = {name: col.dtype.type for name, col in schema.columns.items()
             if col.dtype is not None and (df.empty or str(col.dtype) in ("int64", "Int64"))}
    return df.astype(types) if types else df


# --------------------------------------------------------------------------- cascade

def _rate_col(what: str) -> pa.Column:
    return pa.Column(float, pa.Check.in_range(0.0, 1.0), description=f"Share of the items that are {what}.")


def _count_col(what: str) -> pa.Column:
    return pa.Column(int, pa.Check.ge(0), description=what)


CASCADE_NODES = pa.DataFrameSchema(
    {
        "node_id": _text_col("Node id: plan:<doc_id>, doc:<文号 or title>, sec:<doc_id>:<numbers>, a measure_id, "
                             "req:<n>, unit:<level>:<function>.", unique=True),
        "kind": _text_col("plan / document / section / measure / requirement / unit.",
                          checks=pa.Check.isin(NODE_KINDS)),
        "label": _text_col("Title, text, function or 文号, shortened for display."),
        "doc_id": _text_col("Plan of a section or measure (empty for other kinds)."),
        "level": _text_col("Level of a plan, external document or unit (empty for other kinds)."),
        "attributes": _text_col("Every attribute of the node as JSON (alignment.cascade.graph documents them)."),
    },
    strict=True,
)

CASCADE_EDGES = pa.DataFrameSchema(
    {
        "source": _text_col("Node the edge leaves (the upper measure of an aligned edge)."),
        "target": _text_col("Node the edge enters."),
        "kind": _text_col("contains / implements / cites / aligned / carries / assigned_to.",
                          checks=pa.Check.isin(EDGE_KINDS)),
        "label": _text_col("Link label of an aligned edge, role of an assigned_to edge, else empty."),
        "score": pa.Column(float, description="Link score of an aligned edge (0 for other kinds)."),
        "direction": _text_col("Directions the link was found in (top-down, bottom-up, sibling; '+'-joined)."),
        "reviewed": pa.Column(bool, description="A person confirmed this link."),
        "inferred": pa.Column(bool, description="An implements edge read from issuer levels, not from the text."),
        "attributes": _text_col("Every attribute of the edge as JSON (the reason of an inferred edge among them)."),
    },
    strict=True,
)

COVERAGE_SUMMARY = pa.DataFrameSchema(
    {
        "scope": _text_col("plan (whole upper plan), part (its top-level part), domain, or requirement.",
                           checks=pa.Check.isin(("plan", "part", "domain", "requirement"))),
        "upper": _text_col("Upper plan (for a requirement: the highest plan carrying it)."),
        "lower": _text_col("Lower plan examined."),
        "group": _text_col("The part's heading, the domain, or the requirement id; empty for scope plan."),
        "n": _count_col("Items counted (upper measures; 1 for a requirement)."),
        "covered": _count_col("Items the lower plan carries with a strong link."),
        "partial": _count_col("Items it carries with partial links only."),
        "gap": _count_col("Items it does not carry."),
        "reviewed": _count_col("Items whose status rests on a reviewer's decision (coverage ``reviewed``; for a "
                               "requirement, a confirmed link joins the lower plan's measure to it)."),
        "covered_rate": _rate_col("covered"),
        "partial_rate": _rate_col("partial"),
        "gap_rate": _rate_col("gaps"),
    },
    strict=True,
)

GAPS = pa.DataFrameSchema(
    {
        "scope": _text_col("measure (an upper measure) or requirement.", checks=pa.Check.isin(("measure", "requirement"))),
        "upper_doc": _text_col("Plan the item comes from."),
        "lower_doc": _text_col("Lower plan that does not carry it."),
        "item_id": _text_col("The measure_id or requirement id."),
        "text": _text_col("Its text."),
        "domain": _text_col("Policy domain (alignment.cascade.domains)."),
        "part": _text_col("Top-level part of the upper plan it sits in."),
    },
    strict=True,
)

INNOVATIONS = pa.DataFrameSchema(
    {
        "doc_id": _text_col("Plan of the measure (a plan with plans above it)."),
        "measure_id": _text_col("The measure with no upstream link in any loaded plan above.", unique=True),
        "text": _text_col("Its text."),
        "domain": _text_col("Policy domain."),
        "part": _text_col("Top-level part it sits in."),
        "best_upstream_score": pa.Column(float, description="Best candidate score towards any upper plan "
                                         "(how near the nearest upstream text came)."),
    },
    strict=True,
)

DRIFT = pa.DataFrameSchema(
    {
        "upper_measure": _text_col("Upper measure of a linked pair."),
        "lower_measure": _text_col("Lower measure."),
        "upper_doc": _text_col("Upper plan."),
        "lower_doc": _text_col("Lower plan."),
        "change": _text_col("What changed.", checks=pa.Check.isin(DRIFT_CHANGES)),
        "upper_value": _text_col("The upper plan's deadline year, target or lead units (empty if none)."),
        "lower_value": _text_col("The lower plan's."),
        "delta": pa.Column(float, description="Years moved (deadline) or value changed (target); 0 otherwise."),
        "label": _text_col("Label of the link."),
        "score": pa.Column(float, description="Score of the link."),
        "upper_text": _text_col("Upper measure's text."),
        "lower_text": _text_col("Lower measure's text."),
    },
    strict=True,
)

UNIT_LOAD = pa.DataFrameSchema(
    {
        "function": _text_col("Unit function, the same at every level (司法局 for 县司法局 and 市司法局)."),
        "level": _text_col("Level of the unit (or of its plan when the name does not say)."),
        "tasks": _count_col("Measures assigned to it."),
        "lead": _count_col("Assignments as lead unit (牵头)."),
        "support": _count_col("Assignments as supporting unit (参加/配合)."),
        "responsible": _count_col("Assignments as responsible unit (责任单位)."),
        "plans": _list_col("Plans assigning it tasks."),
        "tasks_below": pa.Column(bool, description="The same function carries tasks at a lower level too."),
    },
    strict=True,
)


def validate(df: pd.DataFrame, schema: pa.DataFrameSchema, name: str) -> pd.DataFrame:
    """Validate ``df`` against ``schema``; raise a ValueError naming the table and failures.

    Parameters
    ----------
    df : pd.DataFrame
        The table.
    schema : pa.DataFrameSchema
        Its schema, e.g. :data:`ALIGNMENTS`.
    name : str
        Table name used in the error message.
    """
    try:
        return schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.head(10).to_string()
        raise ValueError(f"{name} table breaks its schema:\n{cases}") from None
