# Anticor developer commands (GNU make). `make help` lists them.
#
# DATABASE_URL / REDIS_URL are used when set; otherwise the settings start embedded PostgreSQL and Redis
# under var/ (they keep running after a command ends; `make stop` stops them). Their packages are in
# requirements-local.txt, which `make install` / `make run` install on top of requirements.txt (production).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON3 ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=

export DEBUG ?= 1
# Browser tests drive Debian's chromium; Playwright must never download a browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export PORT

# The install stamps are named after a hash of the requirement files, so an edit (or a checkout that changes
# them) reinstalls and an unchanged file never does.
req_hash = $(shell cat $(1) 2>/dev/null | cksum | cut -d' ' -f1)
RUN_STAMP := $(VENV)/.installed-run-$(call req_hash,requirements.txt requirements-local.txt)
DEV_STAMP := $(VENV)/.installed-dev-$(call req_hash,requirements.txt requirements-local.txt requirements-dev.txt)

.PHONY: help venv install install-dev run test lint format migrations-check messages bench stop clean

help:
	@echo "make run               create .venv, install, start embedded services if needed, serve http://127.0.0.1:$(PORT)/"
	@echo "make test              install test requirements and run pytest (PYTEST_ARGS='-k foo' to narrow)"
	@echo "make lint              ruff check + ruff format --check, mypy, import-linter contracts"
	@echo "make format            ruff format + ruff check --fix"
	@echo "make migrations-check  fail if models changed without a migration"
	@echo "make messages          update and compile the kk/en translation catalogues"
	@echo "make bench             run the benchmarks in bench/"
	@echo "make stop              stop the embedded PostgreSQL and Redis"
	@echo "make clean             stop embedded services, remove .venv and caches (var/ with the data is kept)"

$(PY):
	@$(PYTHON3) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
		|| { echo "Anticor needs Python >= 3.11; $(PYTHON3) is $$($(PYTHON3) -V 2>&1)" >&2; exit 1; }
	$(PYTHON3) -m venv $(VENV)

venv: $(PY)

$(RUN_STAMP): | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-local.txt
	@rm -f $(VENV)/.installed-run-*
	@touch $@

$(DEV_STAMP): | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	@rm -f $(VENV)/.installed-dev-* $(VENV)/.installed-run-*
	@touch $@ $(RUN_STAMP)

install: $(RUN_STAMP)

install-dev: $(DEV_STAMP)

run: $(RUN_STAMP)
	$(PY) -m anticor.devserver

test: $(DEV_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# mypy's Django plugin imports the settings: placeholder service URLs keep them from starting the embedded
# PostgreSQL and Redis (nothing connects to them while type checking).
lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 DATABASE_URL=postgres://mypy@127.0.0.1:1/none REDIS_URL=redis://127.0.0.1:1/0 $(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: $(DEV_STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations-check: $(RUN_STAMP)
	$(PY) manage.py makemigrations --check --dry-run

messages: $(RUN_STAMP)
	$(PY) manage.py makemessages -l kk -l en --no-location --no-obsolete --ignore=.venv --ignore=var --ignore=tests --ignore=bench
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var

bench: $(RUN_STAMP)
	@if [ -f bench/run.py ]; then $(PY) bench/run.py; else echo "no bench/run.py - nothing to run"; fi

stop:
	@if [ -x $(PY) ]; then $(PY) -c "from anticor.embedded import stop_all; stop_all()"; fi

clean: stop
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
	find . -path ./var -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
