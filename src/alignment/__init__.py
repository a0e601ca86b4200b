"""plan-alignment: parse Chinese rule-of-law implementation plans into measures and align them
across levels (national -> provincial -> municipal -> county).

Stages, one module each: ``ingest`` (files -> text), ``clean`` (repair, convert, strip),
``parse`` (structure -> measures), ``embed`` (encoders), ``match`` (alignments, coverage),
``evaluate`` (gold scoring). ``cli`` wires them into the ``alignment`` command.
"""
__version__ = "0.1.0"
