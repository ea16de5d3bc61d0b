# 威救你 — the two commands: `make run` (demo) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT

.PHONY: setup run test lint format e2e stop bench clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed node_modules/.installed

run: setup
	WEIJIUNI_DEMO=1 $(PY) manage.py migrate --noinput
	WEIJIUNI_DEMO=1 $(PY) manage.py seed_demo
	@echo "威救你 demo: http://127.0.0.1:$(PORT)/  (Ctrl-C stops web, worker and beat)"
	WEIJIUNI_DEMO=1 $(VENV)/bin/honcho start

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q -c pyproject.toml -r .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: setup lint
	eval "$$($(PY) -m weijiuni.embedded env --local-first)" && \
	  SECRET_KEY="$${SECRET_KEY:-test-only-not-secret}" $(PY) -m pytest $(PYTEST_ARGS)

stop:
	$(PY) -m weijiuni.embedded stop

clean: stop
	rm -rf .run
