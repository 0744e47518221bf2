#!/usr/bin/env bash
# Install the perf-gate CLI from this checkout into a new virtual environment.
#
#   scripts/install-cli.sh VENV
#
# The one install path of the project: the action's image runs it, the `setup` action runs
# it on the runner host (for toolchains the container lacks: cargo, CUDA, `mode: ab`), and
# the tests run it outside the checkout. The runtime dependencies come from the lock
# (requirements.txt, exact versions with hashes); the package is the wheel built from this
# checkout with the locked build tools, so schemas and templates come as package data.
# PERF_GATE_PYTHON picks the interpreter (default python3, 3.11 or newer).
set -euo pipefail

dest="${1:?usage: install-cli.sh VENV}"
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PERF_GATE_PYTHON:-python3}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$python" -m venv "$dest"
"$dest/bin/python" -m pip install --quiet --no-compile --require-hashes -r "$src/requirements.txt"

# The wheel is built from a copy, so the checkout gets no build/ or *.egg-info.
mkdir "$work/src"
cp -r "$src/pyproject.toml" "$src/README.md" "$src/perf_gate" "$work/src/"
"$python" -m venv "$work/build"
"$work/build/bin/python" -m pip install --quiet --require-hashes -r "$src/requirements-build.txt"
"$work/build/bin/python" -m pip wheel --quiet --no-deps --no-build-isolation \
    --wheel-dir "$work/wheel" "$work/src"
"$dest/bin/python" -m pip install --quiet --no-compile --no-deps "$work"/wheel/perf_gate-*.whl
# Bytecode for everything installed, made once here and checked against nothing (nothing
# edits this venv): the image runs with PYTHONDONTWRITEBYTECODE=1, so bytecode missing
# here would be compiled from source on every run of the action (pip's own compiling
# depends on its PIP_NO_COMPILE, whose "1" means compile).
"$dest/bin/python" -m compileall -q -j 0 --invalidation-mode unchecked-hash "$dest/lib" >/dev/null
"$dest/bin/perf-gate" --version >/dev/null
