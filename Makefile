# cxinsight: `make help` lists the targets. Two commands do everything on a fresh machine:
#   make report   - set up, generate the demo council, run the pipeline and the notebooks to HTML
#   make test     - set up, generate the demo council, run every test (unit, doctest, notebooks)

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := data/raw/demo_answer_key/planted.yaml
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv demo-data pipeline report history test test-slow lint benchmark benchmark-scale clean-data clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "; printf "cxinsight targets:\n"} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "cxinsight needs Python 3.11 or newer, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	@# pip's own notices (machine pip configuration, setuptools' editable-install note) go to a log,
	@# shown only if the install fails: a successful run prints no warning lines
	$(BIN)/python -m pip install --quiet --upgrade pip 2> $(VENV)/pip-install.log || (cat $(VENV)/pip-install.log; exit 1)
	$(BIN)/python -m pip install --quiet -e ".[notebooks,test,dev,scale]" 2>> $(VENV)/pip-install.log || (cat $(VENV)/pip-install.log; exit 1)
	@touch $(STAMP)

venv: $(STAMP) ## Create .venv and install cxinsight with its notebook, test, dev and scale extras

$(DEMO): $(STAMP)
	$(BIN)/cxinsight demo

demo-data: $(STAMP) ## Generate the seeded synthetic demo council into data/raw/demo (skips if present)
	$(BIN)/cxinsight demo

pipeline: demo-data ## Load, clean, redact and validate the demo exports into data/processed
	$(BIN)/cxinsight pipeline

report: demo-data ## Run the pipeline and every report on the demo council; open reports/index.html
	$(BIN)/cxinsight report

history: $(STAMP) ## Two demo councils over two years through history mode; open data/history/report/index.html
	$(BIN)/cxinsight demo --history
	$(BIN)/cxinsight history data/raw/demo_history/history.yaml

# The tests run on a data folder of their own (.test/data, .test/reports), never on yours: an
# analyst's data/processed, data/interim and reports/ are left byte-identical (checked by
# tests/conftest.py at the end of every run). Set-up: the demo council generated, processed and
# analysed once there, before the parallel workers start (two workers must not race to build them).
# Staff and customer ids are pseudonymised with a key of the tests' own (.test/pseudonym.key, made on
# first use; tests/conftest.py points at the same file), never the analyst's in ~/.config/cxinsight.
TEST_DIR := $(CURDIR)/.test
# One thread per numerical library per process: pytest runs a worker per core, and more BLAS threads
# than cores only queue (OpenBLAS spin-waits slow every worker).
TEST_ENV := CXINSIGHT_DATA_DIR=$(TEST_DIR)/data CXINSIGHT_REPORTS_DIR=$(TEST_DIR)/reports \
	CXINSIGHT_PSEUDONYM_KEY_FILE=$(TEST_DIR)/pseudonym.key \
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
TEST_DEMO := $(TEST_DIR)/data/raw/demo_answer_key/planted.yaml
TEST_PROCESSED := $(TEST_DIR)/data/processed/manifest.json
TEST_INTERIM := $(TEST_DIR)/data/figures/figures.json
TEST_HISTORY := $(TEST_DIR)/data/history/aggregates.parquet

$(TEST_DEMO): | $(STAMP)
	$(TEST_ENV) $(BIN)/cxinsight -q demo

$(TEST_PROCESSED): | $(TEST_DEMO)
	$(TEST_ENV) $(BIN)/cxinsight -q pipeline

$(TEST_INTERIM): | $(TEST_PROCESSED)
	$(TEST_ENV) $(BIN)/cxinsight -q analyse

# Notebook 08 reads a history: two small demo councils over two years, processed once.
$(TEST_HISTORY): | $(STAMP)
	$(TEST_ENV) $(BIN)/cxinsight -q demo --history --contacts 3000
	$(TEST_ENV) $(BIN)/cxinsight -q history $(TEST_DIR)/data/raw/demo_history/history.yaml --no-report

# The notebooks only read the (test) processed folder and analysis built above: every test file and
# notebook runs in parallel, each on one worker (a notebook's cells share one kernel).
test: $(TEST_INTERIM) $(TEST_HISTORY) ## Run ruff and the tests (unit, property, doctests, real public data, notebooks) in parallel, on a data folder of their own
	$(BIN)/ruff check .
	@# the test data's analysis and figures brought up to date with the code (seconds when they are), and
	@# the tests' 40,000-contact council built once for both workers (tests/built_once.py; kept per code version)
	$(TEST_ENV) $(BIN)/cxinsight -q analyse
	$(TEST_ENV) $(BIN)/python -m tests.built_once
	$(TEST_ENV) $(BIN)/python -m pytest -n auto --dist loadfile $(PYTEST_ARGS)

test-slow: $(TEST_INTERIM) ## Run the slow tests (whole reports from other exports, killed runs, hostile input); CI runs both
	$(TEST_ENV) $(BIN)/cxinsight -q analyse
	$(TEST_ENV) $(BIN)/python -m tests.built_once
	$(TEST_ENV) $(BIN)/python -m pytest -n auto --dist loadfile -m slow --durations=15 $(PYTEST_ARGS)

lint: $(STAMP) ## Check style with ruff (the library, tests, benchmarks and notebooks)
	$(BIN)/ruff check .

benchmark: demo-data ## Time load + clean, classification and journeys at 1M and 6M contacts, and the savings Monte Carlo
	cd benchmarks && ../$(BIN)/python bench_load_clean.py --sizes 1000000 6000000
	cd benchmarks && ../$(BIN)/python bench_classify.py --sizes 1000000 6000000
	cd benchmarks && ../$(BIN)/python bench_journeys.py --sizes 1000000 6000000
	cd benchmarks && ../$(BIN)/python bench_savings.py

benchmark-scale: demo-data ## The whole report and history mode at 150k/1M/6M and a 30M-row history, beside plain DuckDB and naive pandas
	cd benchmarks && ../$(BIN)/python bench_scale.py

clean-data: ## Delete generated data and reports (never touches your own exports)
	rm -rf data/raw/demo data/raw/demo_answer_key data/raw/demo_history
	find data/processed reports -mindepth 1 ! -name README.md ! -name .gitkeep -exec rm -rf {} +
	rm -rf data/interim data/figures data/history .test

clean: clean-data ## Also delete the virtual environment
	rm -rf $(VENV)
