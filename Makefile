# One command to start, one to test. Both set up what they need on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: start chat test setup setup-test browser services lint bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[llm]'
	touch $(STAMP)

setup: $(STAMP)

$(VENV)/.test-installed: $(STAMP)
	$(BIN)/pip install -q 'torch==2.13.0'
	$(BIN)/pip install -q -e '.[llm,st,dev]'
	touch $@

setup-test: $(VENV)/.test-installed

## start: set up, build the index from knowledge/ if needed, and serve the web chat on http://localhost:8000/
start: setup
	$(BIN)/python -m ingest --quiet || test $$? -eq 1
	$(BIN)/python -m uvicorn server:app --host $${IPO_HOST:-127.0.0.1} --port $${IPO_PORT:-8000}

## chat: the terminal chat
chat: setup
	$(BIN)/python -m assistant

browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-core >/dev/null)

## services: PostgreSQL and Redis (Debian's packages) for the scale-out tests; the tests start and stop them
services:
	@(ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v redis-server >/dev/null 2>&1) || \
		(apt-get update -qq && apt-get install -y -qq postgresql redis-server >/dev/null)

## test: set up and run the whole test suite (unit, integration, end-to-end, scale-out, evaluation gates)
test: setup-test browser services
	HF_HUB_OFFLINE=1 $(BIN)/python -m ingest --quiet
	HF_HUB_OFFLINE=1 $(BIN)/python -m evals gate --no-progress
	HF_HUB_OFFLINE=1 ANONYMIZED_TELEMETRY=False $(BIN)/python -m pytest -q -p no:cacheprovider

lint: setup-test
	$(BIN)/ruff check assistant ingest evals tests bench server.py
	$(BIN)/mypy

## bench: every benchmark, one Markdown table and a plot under artifacts/bench/ (see docs/benchmarks.md)
bench: setup-test
	HF_HUB_OFFLINE=1 ANONYMIZED_TELEMETRY=False $(BIN)/python -m bench
