# The project's vocabulary: `make dev` runs everything locally, `make test` proves it works.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
export AWS_DEFAULT_REGION ?= us-east-1

.PHONY: dev test test-fast lint fmt bench clean chromium

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev,media]"
	@touch $(STAMP)

## Install Debian's Chromium for the browser tests when it is missing (needs root).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			echo "Installing Debian's chromium for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "Chromium is missing at $(CHROMIUM): run 'sudo apt-get install chromium' (browser tests need it)"; exit 1; \
		fi; \
	fi

## Run the whole product locally on moto: API + sites on one origin, worker poller, reminder timer.
dev: $(STAMP)
	$(PY) -m infra.local

## Lint, then every test kind: unit, integration (moto in-process), media (real ffmpeg), e2e.
test: $(STAMP) chromium
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not e2e"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
