"""Review stage: a person's decisions on candidate pairs -> decisions file, refitted score models.

queue (the pairs whose answers help most, as .xlsx/.csv) -> decisions (the append-only record,
resolved on today's ids) -> refit (active calibration); simulate answers queues from a gold file
to measure what review time buys; form is the same loop in a notebook.
"""
