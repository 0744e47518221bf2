# perf-finalizer: two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit bench bench-speed eval clean lock templates

# The venv installs exactly the locked versions (with hashes), whatever the index serves
# today; `make lock` is the one command that moves them.
$(STAMP): pyproject.toml requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Re-resolve the three locks from pyproject.toml: runtime (requirements.txt, the image's),
# dev (requirements-dev.txt, constrained to the runtime versions) and build (setuptools).
# `make lock` keeps every pin it can and adds what pyproject.toml newly asks for;
# `make lock UPGRADE=1` moves everything to the newest versions the index serves.
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)
lock: $(STAMP)
	$(PIP_COMPILE) -o requirements.txt pyproject.toml
	$(PIP_COMPILE) --extra dev -c requirements.txt -o requirements-dev.txt pyproject.toml
	$(PIP_COMPILE) -o requirements-build.txt requirements-build.in

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

# Each template of perf_gate/templates/ compiled to its module in perf_gate/report/template_code/
# (what a run renders with; tests/unit/report/test_template_code.py fails when one is stale).
templates: $(STAMP)
	$(BIN)/python scripts/compile_templates.py

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_stats.py

# perf-gate finalize on generated suites of 1,000 and 10,000 benchmarks, next to a
# parse-only floor, `pytest-benchmark compare` and `pyperf compare_to` (about 15 min).
bench-speed: $(STAMP)
	$(BIN)/python benchmarks/bench_speed.py $(BENCH_ARGS)

eval: $(STAMP)
	$(BIN)/python benchmarks/evaluate_detector.py
	$(BIN)/python benchmarks/evaluate_ab.py

clean:
	rm -rf $(VENV) perf-gate-out .pytest_cache .mypy_cache .ruff_cache
