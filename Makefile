# The README's commands. Each target sets up what it needs from a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install test lint typecheck unit demo bench clean sample

# The Python is checked before the venv exists: a too-old one fails with a message, leaving
# nothing to clean up.
$(STAMP): pyproject.toml
	$(PYTHON) scripts/check_python.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

install: $(STAMP)

LINTED := $(wildcard src tests bench scripts)

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

test: lint typecheck unit

demo: $(STAMP)
	$(BIN)/stuut-domain demo

bench: $(STAMP)
	$(BIN)/python -m bench.run --output docs/benchmarks.md

sample: $(STAMP)
	$(BIN)/python scripts/generate_sample.py
	$(BIN)/python scripts/generate_sample_transactions.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist
