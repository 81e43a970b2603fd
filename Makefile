# The dev loop. `make run` and `make test` are the README quick start.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DOCS_STAMP := $(VENV)/.docs-installed

.PHONY: run report test lint typecheck unit bench bench-web bench-load bench-load-ci fuzz-api-ci reliability soak db docs docs-gen clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

$(DOCS_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev,docs]"
	touch $(DOCS_STAMP)

# The web app on http://127.0.0.1:8000/ (embedded SQLite, example diaries loaded).
run: $(STAMP)
	$(BIN)/k2lab serve --load-examples

# The terminal report of an example diet.
report: $(STAMP)
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

# The site, built strictly: any warning (broken link, unknown citation, missing page) fails.
docs: $(DOCS_STAMP)
	$(BIN)/mkdocs build --strict

# Regenerate every generated page (tables, food pages, CLI reference, console outputs).
docs-gen: $(STAMP)
	$(BIN)/python tools/update_site.py

test: lint typecheck unit docs

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_foods.py
	$(BIN)/python benchmarks/bench_exposure.py
	$(BIN)/python benchmarks/population_vs_roadrunner.py
	$(BIN)/python benchmarks/bench_plan.py

# Page and API latency (p50/p95/p99) under 1, 10 and 50 users against `k2lab serve`.
bench-web: $(STAMP)
	$(BIN)/python benchmarks/bench_web.py
# 50 locust users against `k2lab serve` on 127.0.0.1 for 10 minutes (bench-load-ci: 60 s, the
# CI's check): p50/p95/p99 per route, error rate, server memory; exit 1 on errors
# (bench-load: also when a read's p95 is over 300 ms).
LOAD_STAMP := $(VENV)/.load-installed
$(LOAD_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev,load]"
	touch $(LOAD_STAMP)

bench-load: $(LOAD_STAMP)
	$(BIN)/python benchmarks/bench_load.py --seconds 600 --require-goal

bench-load-ci: $(LOAD_STAMP)
	$(BIN)/python benchmarks/bench_load.py --seconds 60

# The schemathesis CLI against `k2lab serve` (every check, every phase, at most 10 examples
# per operation and 90 s of fuzzing; about 2 minutes): exit 1 on any 5xx or nonconformance.
fuzz-api-ci: $(STAMP)
	$(BIN)/python benchmarks/api_fuzz_served.py --max-examples 10 --max-time 90

# docs/reliability.md from a fresh run (tools/reliability.py): the durability kills, fuzzing,
# isolation, security, limits and concurrency tests with their figures, the 60 s load and the
# served API fuzz (~10 minutes). `make soak`, the long form (bounded; 35 minutes on a busy
# 2-core machine, 16 of them the tests): 100 kills per store (K2LAB_SOAK_KILLS), 5x the
# Hypothesis and in-process API examples (K2LAB_FUZZ_SCALE), 10 minutes of load (failing on a
# read's p95 over 300 ms), the served fuzz with 50 examples for up to 5 minutes.
reliability: $(LOAD_STAMP)
	$(BIN)/python tools/reliability.py

soak: $(LOAD_STAMP)
	$(BIN)/python tools/reliability.py --soak

clean:
	rm -rf $(VENV) build site .mypy_cache .pytest_cache .ruff_cache

# The engine on all 1,702 time-course cases of the SBML Test Suite (../shared/sbml-test-suite):
# per-case table benchmarks/results/sbml_suite.csv and docs/reference/sbml-test-suite.md.
.PHONY: sbml-suite
sbml-suite: $(STAMP)
	$(BIN)/python benchmarks/sbml_suite.py

# k2lab and libroadrunner at equal accuracy against a tight reference (work-precision).
.PHONY: bench-precision
bench-precision: $(STAMP)
	$(BIN)/python benchmarks/work_precision.py --plot build/work_precision.png
