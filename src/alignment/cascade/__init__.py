"""Cascade stage: how requirements flow down the plans (coverage today; the graph next)."""
