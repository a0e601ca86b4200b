# Two entry points for a fresh machine (see README): `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install install-dev converters browser run test figures benchmark clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python converters
	$(BIN)/pip install --quiet -c constraints.txt -e .

install-dev: $(BIN)/python converters browser
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"

# For the explorer's browser test: Debian's chromium and chromedriver, installed when missing
# and run as root (CI); the test says what is missing otherwise.
browser:
	@command -v chromedriver >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	   chromium chromium-driver) >/dev/null 2>&1; } || \
	  echo "note: chromium/chromedriver not installed; the explorer's browser test will fail (apt-get install chromium chromium-driver)"

# Optional: Debian's catdoc reads Word 97 .doc/.wps plans. Installed when missing and run as
# root; otherwise such plans are refused with a line saying how to read them.
converters:
	@command -v catdoc >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq catdoc) >/dev/null 2>&1; } || \
	  echo "note: catdoc is not installed; .doc/.wps plans will be refused (apt-get install catdoc to read them)"

run: install
	HF_HUB_OFFLINE=1 $(BIN)/alignment run
	MPLBACKEND=Agg $(BIN)/alignment figures
	$(BIN)/alignment explore

figures: install
	MPLBACKEND=Agg $(BIN)/alignment figures
	$(BIN)/alignment explore

test: install-dev
	HF_HUB_OFFLINE=1 MPLBACKEND=Agg $(BIN)/python -m pytest

benchmark: install-dev
	$(BIN)/python scripts/benchmark_parse.py
	$(BIN)/python scripts/benchmark_wild.py
	$(BIN)/python scripts/benchmark_align.py
	$(BIN)/python scripts/benchmark_cascade.py
	HF_HUB_OFFLINE=1 $(BIN)/python scripts/benchmark_encoders.py
	HF_HUB_OFFLINE=1 $(BIN)/python scripts/benchmark_review.py

clean:
	rm -rf data/interim/* data/processed/* figures/*
