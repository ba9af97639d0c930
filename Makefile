# kpss-analysis — run `make help` for the list of commands.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.kpss-installed
ORP    ?= Sokolov
DATA_STAMP := $(or $(KPSS_DATA_DIR),data)/processed/build_report.json

.PHONY: help setup data run test test-slow lint lab bench clean clean-data

help: ## List the commands
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-10s %s\n", $$1, $$2}'
	@echo "  Variables: ORP=<name or ČSÚ code> (default Sokolov), KPSS_MIRROR, KPSS_DATA_DIR, KPSS_OUTPUT_DIR"

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name kpss-analysis --display-name "Python (kpss-analysis)" >/dev/null
	@touch $@

setup: $(STAMP) ## Create .venv (pip, pinned versions) and register the Jupyter kernel "kpss-analysis"

# Rebuilt when the registry or a parser changes (e.g. after `git pull` adds a dataset).
$(DATA_STAMP): $(wildcard src/kpss_analysis/data/*.py src/kpss_analysis/data/parsers/*.py) | $(STAMP)
	$(BIN)/kpss data fetch
	$(BIN)/kpss data build

data: $(STAMP) ## Fetch raw data (from the mirror ../shared/data/raw if present) and build processed tables
	$(BIN)/kpss data fetch
	$(BIN)/kpss data build

run: $(STAMP) $(DATA_STAMP) ## Run every chapter for ORP=$(ORP) and print where the outputs are
	$(BIN)/kpss run --orp "$(ORP)"

test: $(STAMP) ## Lint (ruff) and run the whole test suite (unit, notebook contract, end-to-end on real data)
	$(BIN)/ruff check src tests bench scripts notebooks
	$(BIN)/python -m pytest

lint: $(STAMP) ## Check the code with ruff (rules in pyproject.toml); `ruff check --fix` repairs most
	$(BIN)/ruff check src tests bench scripts notebooks

test-slow: $(STAMP) ## Also run the slow tests (all 206 ORPs)
	$(BIN)/python -m pytest -m "slow or not slow"

bench: $(STAMP) $(DATA_STAMP) ## Time naive papermill vs kpss run vs the floor (BENCH_ARGS="--all --skip naive")
	$(BIN)/python bench/run_bench.py $(BENCH_ARGS)

# JupyterLab refuses to start as root (containers) unless told so.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP) $(DATA_STAMP) ## Open JupyterLab on the notebooks (adds --allow-root when run as root)
	$(BIN)/jupyter lab notebooks/ $(ALLOW_ROOT)

clean: ## Remove outputs/ results (keeps data and .venv)
	find outputs -mindepth 1 ! -name README.md ! -name .gitkeep -exec rm -rf {} +

clean-data: ## Remove data/raw and data/processed (keeps READMEs)
	find data/raw data/processed -mindepth 1 ! -name README.md ! -name .gitkeep -exec rm -rf {} + 2>/dev/null || true
