# corridors: every target creates .venv itself and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# the suite runs on two processes (pytest-xdist); a file's tests stay on one (module fixtures run once)
PYTEST_WORKERS ?= 2
XDIST := -n $(PYTEST_WORKERS) --dist loadfile
# SKIP_BROWSER=1 leaves out the browser tests (they need Chromium: .ci/chromium), and says so
SKIP_BROWSER ?=
ifeq ($(SKIP_BROWSER),)
BROWSER_CHECK := sh .ci/chromium
BROWSER_ARGS :=
else
BROWSER_CHECK := @echo "make: SKIP_BROWSER=$(SKIP_BROWSER): the browser tests (tests/explore/test_browser.py) are left out"
BROWSER_ARGS := --ignore=tests/explore/test_browser.py
endif

.PHONY: help install test lint typecheck pytest test-full browser reproduce bench clean

help:
	@echo "make reproduce  run the presets and write the report (reports/)"
	@echo "make test       ruff check and format --check, mypy on src/, pytest (quick statistical sizes)"
	@echo "make test-full  the same with the full-size statistical tests (slow)"
	@echo "                both need Chromium for the browser tests (installed as root with apt-get,"
	@echo "                else say what is missing; SKIP_BROWSER=1 leaves those tests out)"
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

browser:
	$(BROWSER_CHECK)

pytest: $(STAMP) browser
	$(BIN)/python -m pytest $(XDIST) $(BROWSER_ARGS) $(PYTEST_ARGS)

test: browser lint typecheck pytest

test-full: $(STAMP) browser
	$(BIN)/python -m pytest $(XDIST) --full $(BROWSER_ARGS) $(PYTEST_ARGS)

reproduce: $(STAMP)
	$(BIN)/corridors reproduce --out reports

bench: $(STAMP)
	$(BIN)/python benchmarks/engines.py
	$(BIN)/python benchmarks/sweep.py --replications 20000

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache reports
