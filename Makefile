# The project's vocabulary: `make dev` runs everything locally, `make test` proves it works.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
export AWS_DEFAULT_REGION ?= us-east-1

.PHONY: dev test test-fast fuzz lint fmt bench bench-faults clean chromium

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<26.3"  # Chalice's packager needs pip < 26.3
	$(PY) -m pip install --quiet ".[dev,media,infra]"
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

## Lint, then every test kind: unit, integration (moto in-process), media (real ffmpeg),
## infra (CDK synthesis + cfn-lint, offline), deploy (each Lambda run alone from its
## deployment package: needs PyPI on the first run), e2e (local stack + headless Chromium).
test: $(STAMP) chromium
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not e2e"

## schemathesis over docs/openapi.json against the local stack, longer and with fresh random
## inputs than the bounded run inside `make test` (FUZZ_EXAMPLES per operation, FUZZ_SECONDS).
FUZZ_EXAMPLES ?= 25
FUZZ_SECONDS ?= 600
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RANDOM=1 \
		$(PY) -m pytest -q -s -p no:cacheprovider -m fuzz tests/fuzz

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

## Candidates upload through the local stack while the network and the worker fail (ARGS=...).
bench-faults: $(STAMP) chromium
	$(PY) bench/faults.py $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info

# --- production: the CDK app in infra/ (docs/deploy.md) -------------------------------------
INFRA_STAMP := $(STAMP)
# The CDK CLI 3.x cannot read what aws-cdk-lib 2.x writes: stay on the 2.x CLI.
CDK ?= npx --yes aws-cdk@2
CDK_APP := --app "$(PY) infra/cdk_app.py"
CDK_FLAGS ?=
# The default region above is for offline tests; a deploy goes where the operator's AWS
# configuration (AWS_REGION, AWS_DEFAULT_REGION or the profile) points.
DEPLOY_ENV := $(if $(filter file,$(origin AWS_DEFAULT_REGION)),env -u AWS_DEFAULT_REGION)

.PHONY: synth deploy destroy

## Synthesize both stacks into cdk.out and lint them: no AWS account, no Docker.
synth: $(INFRA_STAMP)
	$(PY) infra/cdk_app.py
	$(VENV)/bin/cfn-lint --non-zero-exit-code error -- cdk.out/*.template.json

## Deploy into the AWS account of the current credentials (needs Docker and Node.js).
deploy: $(INFRA_STAMP)
	$(DEPLOY_ENV) $(CDK) bootstrap $(CDK_APP)
	$(DEPLOY_ENV) $(CDK) deploy --all $(CDK_APP) --outputs-file cdk.out/outputs.json $(CDK_FLAGS)

## Remove both stacks; the table, media bucket and user pool are kept (docs/deploy.md).
destroy: $(INFRA_STAMP)
	$(DEPLOY_ENV) $(CDK) destroy --all $(CDK_APP) $(CDK_FLAGS)
