# Plateau: `make run` starts the embedded portal, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run test lint format bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/install_tools.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) scripts/install_tools.py
	touch $(STAMP)

run: setup
	$(PY) scripts/run.py

lint: setup
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: lint
	$(VENV)/bin/pytest

clean:
	rm -rf var .pytest_cache
