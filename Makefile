# The project's vocabulary: `make dev` runs everything locally, `make test` proves it works.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
export AWS_DEFAULT_REGION ?= us-east-1

.PHONY: dev test test-fast fuzz lint fmt bench bench-faults clean chromium a11y webkit

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

## Install Debian's WebKitGTK (Safari's engine) for its browser test when missing (needs root):
## WebKitWebDriver + MiniBrowser, a virtual display, and GStreamer to record and play media.
WEBKIT_PACKAGES := webkit2gtk-driver xvfb gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
	gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-gl
webkit:
	@if [ ! -x /usr/bin/WebKitWebDriver ] || ! command -v Xvfb >/dev/null \
		|| ! dpkg -s $(WEBKIT_PACKAGES) >/dev/null 2>&1; then \
		if [ "$$(id -u)" = "0" ]; then \
			echo "Installing Debian's WebKitGTK driver, Xvfb and GStreamer for the WebKit browser test"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(WEBKIT_PACKAGES) >/dev/null; \
		else \
			echo "WebKitGTK is missing: run 'sudo apt-get install $(WEBKIT_PACKAGES)' (the WebKit browser test needs it)"; exit 1; \
		fi; \
	fi

## axe-core for the browser tests' accessibility gate, at the version pinned in its lock file.
A11Y := tests/a11y/node_modules/axe-core/axe.min.js
$(A11Y): tests/a11y/package.json tests/a11y/package-lock.json
	@if ! command -v npm >/dev/null; then \
		if [ "$$(id -u)" = "0" ]; then \
			echo "Installing Debian's npm for the accessibility gate"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
		else \
			echo "npm is missing: run 'sudo apt-get install npm' (the accessibility gate needs axe-core)"; exit 1; \
		fi; \
	fi
	cd tests/a11y && npm ci --no-audit --no-fund --silent
	@touch $(A11Y)
a11y: $(A11Y)

## Run the whole product locally on moto: API + sites on one origin, worker poller, reminder timer.
dev: $(STAMP)
	$(PY) -m infra.local

## Lint, then every test kind: unit, integration (moto in-process), media (real ffmpeg),
## infra (CDK synthesis + cfn-lint, offline), deploy (each Lambda run alone from its
## deployment package: needs PyPI on the first run), e2e (local stack + headless Chromium, with
## the axe-core accessibility gate on every page state, and the candidate site in WebKitGTK).
test: $(STAMP) chromium a11y webkit
	$(VENV)/bin/ruff check .
	@# The browser and fuzz tests mostly wait (on pages, the worker, a stack) while the rest
	@# mostly computes: the two halves run side by side, each with its own stacks, then report.
	@mkdir -p test-artifacts
	@$(PY) -m pytest -q --durations=15 tests/e2e tests/fuzz > test-artifacts/e2e.log 2>&1 & \
	browsers=$$!; \
	$(PY) -m pytest -q --durations=15 --ignore=tests/e2e --ignore=tests/fuzz; rest=$$?; \
	wait $$browsers; e2e=$$?; echo "== browser and fuzz tests"; cat test-artifacts/e2e.log; \
	test $$rest -eq 0 -a $$e2e -eq 0

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
	@for script in $$(grep -l '^if __name__ == "__main__":' bench/*.py); do echo "== $$script"; $(PY) $$script || exit 1; done

## Candidates upload through the local stack while the network and the worker fail (ARGS=...).
bench-faults: $(STAMP) chromium
	$(PY) bench/faults.py $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info tests/a11y/node_modules

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
