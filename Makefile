# Two commands do everything on a fresh machine: `make report` and `make test`.
# Each creates .venv with pip when missing and installs the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONFIG ?= config/runs/2026-T2.yaml

.PHONY: lint report test test-unit test-statistical test-integration test-e2e bench demo-data validate-demo clean-outputs

# Exact versions from requirements-lock.txt, then the project itself without resolving again.
$(STAMP): pyproject.toml requirements-lock.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-lock.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/fragile-care run --config $(CONFIG)

test: $(STAMP)
	bash tools/test-setup.sh
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests analysis
	$(BIN)/ruff format --check src tests analysis

test-unit: $(STAMP)
	$(BIN)/python -m pytest -m unit

# the slow statistical checks of the models (the default `make test` runs them too)
test-statistical: $(STAMP)
	$(BIN)/python -m pytest -m statistical

test-integration: $(STAMP)
	$(BIN)/python -m pytest -m integration

test-e2e: $(STAMP)
	bash tools/test-setup.sh
	$(BIN)/python -m pytest -m e2e

bench: $(STAMP)
	$(BIN)/fragile-care bench pipeline --config $(CONFIG)
	$(BIN)/fragile-care bench capacity --config $(CONFIG)
	$(BIN)/fragile-care bench rerun --config $(CONFIG)
	$(BIN)/fragile-care bench scale --render --config $(CONFIG)

demo-data: $(STAMP)
	$(BIN)/fragile-care demo-data

clean-outputs:
	rm -rf reports/_output data/processed
