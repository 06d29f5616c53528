# Two commands on a fresh machine: `make dataset` builds the dataset, `make test` runs every check.
# Both create their virtual environments idempotently (re-running is cheap).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
LS_VENV := .venv-labelstudio
LS_VERSION := 1.23.2
export HF_HUB_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1

.PHONY: dataset test lint venv labelstudio chromium schema clean-state

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q -U pip
	$(BIN)/pip install -q -e '.[dev,ner,scale]'
	touch $@

# The Label Studio server has its own venv: it pins its own SDK and pulls Django.
labelstudio: $(LS_VENV)/.installed
$(LS_VENV)/.installed:
	$(PY) -m venv $(LS_VENV)
	$(LS_VENV)/bin/pip install -q -U pip
	$(LS_VENV)/bin/pip install -q 'label-studio==$(LS_VERSION)'
	touch $@

dataset: venv
	$(BIN)/corpus adjudicate
	$(BIN)/corpus validate
	$(BIN)/corpus build --out build/dev
	$(BIN)/corpus verify build/dev

lint: venv
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

# The browser test drives Debian's chromium through Playwright's bundled driver (never `playwright install`).
chromium:
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)

test: venv labelstudio chromium lint
	CORPUS_LS_VENV=$(CURDIR)/$(LS_VENV) $(BIN)/pytest -q

schema: venv
	$(BIN)/corpus schema
	$(BIN)/corpus ls config

clean-state:
	rm -rf .state
