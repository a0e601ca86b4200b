# Two entry points for a fresh machine (see README): `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install install-dev run test figures benchmark clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"

run: install
	HF_HUB_OFFLINE=1 $(BIN)/alignment run

test: install-dev
	HF_HUB_OFFLINE=1 MPLBACKEND=Agg $(BIN)/python -m pytest

benchmark: install-dev
	$(BIN)/python scripts/benchmark_parse.py
	$(BIN)/python scripts/benchmark_wild.py
	$(BIN)/python scripts/benchmark_align.py

clean:
	rm -rf data/interim/* data/processed/* figures/*
