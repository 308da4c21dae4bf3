# Two commands on a fresh machine: `make run` and `make test`. Everything else is a convenience.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run test lint i18n docs demo bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: setup  ## migrate SQLite (andan.db) and serve the web chat at http://127.0.0.1:8080
	$(VENV)/bin/andan run

demo: setup  ## fill the demo ward and print invite links for each role
	$(VENV)/bin/andan demo

lint: setup
	$(VENV)/bin/ruff check bot handlers models migrations tests benchmarks
	$(VENV)/bin/mypy bot handlers models
	$(PY) -m bot.i18n_tool check

test: lint  ## the whole suite, on SQLite and on PostgreSQL (127.0.0.1:5432)
	$(PY) -m pytest -q $(PYTEST_ARGS)

i18n: setup  ## extract messages, update the vi/en catalogs, compile, and list what lacks a translation
	$(PY) -m bot.i18n_tool all

docs: setup  ## regenerate the README's commands and settings tables from the code
	$(PY) -m bot.docs_tool

bench: setup  ## benchmarks (see benchmarks/README.md)
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
