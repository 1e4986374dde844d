# corridors: every target creates .venv itself and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: help install test lint typecheck pytest test-full reproduce bench clean

help:
	@echo "make reproduce  run the presets and write the report (reports/)"
	@echo "make test       ruff check and format --check, mypy on src/, pytest (quick statistical sizes)"
	@echo "make test-full  the same with the full-size statistical tests (slow)"
	@echo "make bench      benchmarks/ scripts: engine and sweep throughput"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[all,dev]"
	@touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy src

pytest: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint typecheck pytest

test-full: $(STAMP)
	$(BIN)/python -m pytest --full $(PYTEST_ARGS)

reproduce: $(STAMP)
	$(BIN)/corridors reproduce --out reports

bench: $(STAMP)
	$(BIN)/python benchmarks/engines.py
	$(BIN)/python benchmarks/sweep.py --replications 20000

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache reports
