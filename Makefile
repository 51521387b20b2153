# newsradar — developer entry points. `make run` runs the pipeline, `make test` runs the tests.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
NR     := $(BIN)/newsradar

.PHONY: setup run up down status test unit integration lint format bench eval clean

$(BIN)/activate: pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (newsradar needs Python 3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(BIN)/activate

setup: $(BIN)/activate  ## create .venv with the pinned dependencies

up: setup  ## start the local Kafka and Elasticsearch (downloads them once)
	$(NR) up

down: setup  ## stop them
	$(NR) down

status: setup
	$(NR) status

run: setup  ## the whole pipeline on bundled sample feeds; NEWSRADAR_FEEDS_FILE=... for yours
	$(NR) run $(if $(FEEDS),--feeds $(FEEDS),--demo)

test: setup up  ## unit tests, then integration tests against the real local services
	$(BIN)/pytest -q tests

unit: setup  ## the fast unit tests only (no services)
	$(BIN)/pytest -q tests/unit

integration: setup up  ## the integration tests only (real local Kafka and Elasticsearch)
	$(BIN)/pytest -q tests/integration

eval: setup  ## tagging accuracy: per-language precision, recall, F1 on tests/data/eval
	$(BIN)/newsradar eval

lint: setup
	$(BIN)/ruff check newsradar ingest processors tests
	$(BIN)/ruff format --check newsradar ingest processors tests
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format newsradar ingest processors tests
	$(BIN)/ruff check --fix newsradar ingest processors tests

bench: setup
	$(BIN)/python -m tests.bench $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
