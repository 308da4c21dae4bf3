# Two commands on a fresh machine: `make run` and `make test`. Everything else is a convenience.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# Every dependency is pinned with its hashes, so two machines install the same bytes (Python 3.11, Linux x86_64).
# lock.txt is the runtime set (the Dockerfile); dev-lock.txt is the same pins plus the dev tools (make, CI).
LOCK := requirements/lock.txt
DEV_LOCK := requirements/dev-lock.txt
# Local pip configuration (find-links, extra indexes) is set aside so that the pins and their hashes come from
# PyPI alone, never from a wheel directory or mirror of one machine.
PIP_COMPILE := env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null \
	CUSTOM_COMPILE_COMMAND='make lock' $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe \
	--strip-extras --no-emit-find-links --no-emit-index-url

.PHONY: setup run test lint lock i18n docs demo bench clean

# The lock holds setuptools too, so the project itself is built without fetching anything unpinned.
$(STAMP): pyproject.toml $(DEV_LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# pip check catches a dependency added to pyproject.toml but not to the lock (outside the stamp, so `make lock`
# can still run).
setup: $(STAMP)
	@$(PY) -m pip check >/dev/null || { $(PY) -m pip check; \
		echo "pyproject.toml needs packages that $(DEV_LOCK) does not pin: run 'make lock'" >&2; exit 1; }

# Existing pins are kept; LOCK_ARGS=--upgrade moves everything to the newest, LOCK_ARGS="-P aiohttp" one package.
lock: $(STAMP)  ## re-pin every dependency from PyPI after changing pyproject.toml (commit both files)
	$(PIP_COMPILE) $(LOCK_ARGS) --build-deps-for=editable -o $(LOCK) pyproject.toml
	$(PIP_COMPILE) $(LOCK_ARGS) --build-deps-for=editable --extra=dev -c $(LOCK) -o $(DEV_LOCK) pyproject.toml

run: setup  ## migrate SQLite (andan.db) and serve the web chat at http://127.0.0.1:8080
	$(VENV)/bin/andan run

demo: setup  ## fill the demo ward and print invite links for each role
	$(VENV)/bin/andan demo

lint: setup
	$(VENV)/bin/ruff format --check bot handlers models migrations tests benchmarks
	$(VENV)/bin/ruff check bot handlers models migrations tests benchmarks
	$(VENV)/bin/mypy bot handlers models
	$(PY) -m bot.tools.catalogs check

# The suite waits (databases, fake servers, subprocesses) more than it computes: two worker processes, each
# taking whole test files, halve its time on a 2-CPU machine. TEST_WORKERS=0 runs it in this one process.
TEST_WORKERS ?= 2
test: lint  ## the whole suite, on SQLite and on PostgreSQL (127.0.0.1:5432)
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

i18n: setup  ## extract messages, update the vi/en catalogs, compile, and list what lacks a translation
	$(PY) -m bot.tools.catalogs all

docs: setup  ## regenerate the README's commands and settings tables from the code
	$(PY) -m bot.tools.docs

bench: setup  ## benchmarks (see benchmarks/README.md)
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
