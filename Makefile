# perf-finalizer: two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit bench eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/perf-gate finalize \
		--config examples/bitnet-pr/.perf-gate.yml \
		--current examples/bitnet-pr/current \
		--baseline examples/bitnet-pr/baseline \
		--output-dir perf-gate-out --no-publish; \
	rc=$$?; echo "perf-gate exit code: $$rc (0 pass, 1 fail, 2 bad input)"; test $$rc -le 1

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_stats.py

eval: $(STAMP)
	$(BIN)/python benchmarks/evaluate_detector.py
	$(BIN)/python benchmarks/evaluate_ab.py

clean:
	rm -rf $(VENV) perf-gate-out .pytest_cache .mypy_cache .ruff_cache
