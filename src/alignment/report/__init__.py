"""Report stage: figures (and, next, the explorer page) made from the processed tables."""
