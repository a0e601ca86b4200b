"""Matching stage: measures -> the alignments table (scored, labelled, explained links).

embed (encoders, cache) -> text (matching text, shared spans) -> candidates (arrays: top-k per
source) -> evidence (texts: features of each candidate) -> score (calibrated model, labels) ->
align (blocks of plans, chosen by pairing); calibrate and evaluate fit and score it on gold pairs.
"""
