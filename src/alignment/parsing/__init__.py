"""Parsing stage: plans in data/raw/ -> the documents, measures and residue tables.

manifest (which files make which plan) -> ingest (bytes -> text) -> clean (repair, convert,
strip furniture; chartables) -> meta (title, 文号, issuer, level, region; gazetteer) -> parse
(hierarchy and measures; extract: units, deadlines, targets, citations). parse_eval scores the
result against annotated plans.
"""
