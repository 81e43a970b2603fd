# The dev loop. `make run` and `make test` are the README quick start.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench db clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/k2lab report examples/omnivore.toml

db: $(STAMP)
	$(BIN)/k2lab db build

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_foods.py
	$(BIN)/python benchmarks/bench_exposure.py
	$(BIN)/python benchmarks/population_vs_roadrunner.py
	$(BIN)/python benchmarks/bench_plan.py

clean:
	rm -rf $(VENV) build .mypy_cache .pytest_cache .ruff_cache
