# shigoto-conbini task runner: the only entry point; .ci/run calls `make setup` and `make check`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

LOCK     := requirements-dev.lock
RUN_LOCK := requirements.lock
COMPILE   = $(BIN)/uv pip compile pyproject.toml - --generate-hashes --universal \
            --python-version 3.11 --quiet
BUILD_DEPS := printf 'hatchling>=1.25\neditables>=0.5\n'

.PHONY: setup up lock fmt lint typecheck imports contracts test check bench clean

# Create the virtual environment and install exactly the locked versions (every transitive
# dependency pinned with its hashes, the build backend included), then the project itself.
setup: $(STAMP)
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Re-resolve every dependency to its newest allowed release, rewrite both locks
# (requirements-dev.lock for setup and CI, requirements.lock for deploy/Dockerfile),
# install them and run every check.
lock: setup
	$(BUILD_DEPS) | $(COMPILE) --extra dev --upgrade -o $(LOCK)
	$(BUILD_DEPS) | $(COMPILE) -c $(LOCK) -o $(RUN_LOCK)
	rm -f $(STAMP)
	$(MAKE) check

# Install if needed, then run the marketplace on this machine (Ctrl-C stops it).
up: setup
	$(BIN)/conbini up

# Rewrite code in house style and regenerate the contract documents.
fmt: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/conbini contracts generate

# Lint and format check (no changes made).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy --strict over every package and the tests.
typecheck: setup
	$(BIN)/mypy

# Architecture rules: services independent, contracts and backbone import no service.
imports: setup
	$(BIN)/lint-imports

# The generated JSON Schemas and AsyncAPI document are current.
contracts: setup
	$(BIN)/conbini contracts check

# Every test: unit, integration (PostgreSQL, NATS) and e2e (real processes).
test: setup
	$(BIN)/python -m pytest

# What CI runs: all of the above.
check: lint typecheck imports contracts test

# Benchmarks (never part of check).
bench: setup
	$(BIN)/python -m bench contracts
	$(BIN)/python -m bench backbone
	$(BIN)/python -m bench matching --workers 100000 --tasks 1000

# Remove the virtual environment, caches and local data.
clean:
	rm -rf $(VENV) .conbini .mypy_cache .ruff_cache .pytest_cache .hypothesis .import_linter_cache
