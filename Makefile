# Two commands: `make run` (serve a demo on http://127.0.0.1:8000) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
# Several workers share events through Redis: WORKERS=2 needs REDIS_URL (and, for real use, DATABASE_URL).
WORKERS ?= 1

.PHONY: run test messages lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

# Compiled translations are built, never committed.
messages: | $(BIN)/python
	$(BIN)/pybabel -q compile --use-fuzzy -d samraad/locale -D django

run: $(VENV)/.installed-run messages
	@if [ "$(WORKERS)" != 1 ] && [ -z "$$REDIS_URL" ]; then echo "WORKERS=$(WORKERS) needs REDIS_URL: workers tell each other of chat messages through Redis" >&2; exit 2; fi
	SAMRAAD_DEMO=1 $(BIN)/python manage.py setup_demo
	SAMRAAD_DEMO=1 $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "Samraad (demo) on http://$(HOST):$(PORT)/  — staff sign-in at /login/"
	SAMRAAD_DEMO=1 $(BIN)/uvicorn samraad.asgi:application --host $(HOST) --port $(PORT) --no-access-log --ws-max-size 65536 --workers $(WORKERS)

test: $(VENV)/.installed-test messages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The chat benchmark (bench/README.md): the reference relay and Samraad at N = 100 and 1,000, then
# 10,000 idle sockets; ends with one JSON line. BENCH_ARGS passes options, e.g. BENCH_ARGS=--quick.
.PHONY: bench
bench: $(VENV)/.installed-run messages
	cd bench/load && npm ci --no-audit --no-fund --silent
	$(BIN)/python bench/run.py $(BENCH_ARGS)
