# Two commands set everything up:
#   make site   build the website into _site/ (fetches market data first)
#   make test   run the test suite (no network, no Quarto needed)
# Each creates the virtual environment it needs in .venv/.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Use a Quarto already on PATH; otherwise the `site` extra installs the quarto-cli wheel.
QUARTO := $(or $(shell command -v quarto 2>/dev/null),$(BIN)/quarto)
SITE_TARGET := $(if $(shell command -v quarto 2>/dev/null),.,.[site])

.PHONY: test site site-full site-offline preview lint format benchmark mutation clean

# The last line pins the venv's Python by absolute path in _environment.local, so that
# `quarto render` works from any folder of the project (prerender.py).
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python prerender.py --pin-python

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.site-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '$(SITE_TARGET)'
	touch $@

# One worker per core (pytest-xdist); tests/conftest.py says which modules one worker runs whole.
test: $(VENV)/.test-installed
	$(BIN)/python -m pytest -n auto

site: $(VENV)/.site-installed
	QUARTO_PYTHON=$(abspath $(BIN)/python) PATH="$(abspath $(BIN)):$$PATH" $(QUARTO) render

# Execute every post, whatever its fingerprint says (see "When a post executes" in docs/writing-a-post.md).
site-full: $(VENV)/.site-installed
	ANALYSIS_EXECUTE_ALL=1 QUARTO_PYTHON=$(abspath $(BIN)/python) PATH="$(abspath $(BIN)):$$PATH" $(QUARTO) render

site-offline: $(VENV)/.site-installed
	QUARTO_PYTHON=$(abspath $(BIN)/python) PATH="$(abspath $(BIN)):$$PATH" $(QUARTO) render --profile offline

preview: $(VENV)/.site-installed
	QUARTO_PYTHON=$(abspath $(BIN)/python) PATH="$(abspath $(BIN)):$$PATH" $(QUARTO) preview

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(VENV)/.test-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Every benchmark but the mutation measurement, which takes far longer (`make mutation`).
benchmark: $(VENV)/.test-installed
	for script in benchmarks/*.py; do \
		[ "$$script" = benchmarks/mutation.py ] || $(BIN)/python $$script || exit 1; \
	done

$(VENV)/.mutation-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,mutation]'
	touch $@

# Mutation testing of the store, update, claims, breadth and metrics modules: slow, not in `test`.
mutation: $(VENV)/.mutation-installed
	$(BIN)/python benchmarks/mutation.py

clean:
	rm -rf _site .quarto .pytest_cache _freeze .mutation
