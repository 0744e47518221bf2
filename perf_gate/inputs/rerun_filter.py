"""Narrow a benchmark command to some of its benchmarks, for confirmation re-runs.

Each harness has its own filter:

- criterion (``cargo bench``): a regex after ``--`` (``cargo bench --bench work -- --noplot
  '^(hash_loop)$'``), matched against the benchmark id (``group/name``);
- libtest ``#[bench]`` (``cargo bench`` with ``test ... bench:`` lines): the same positional
  filter, a substring; with more than one name the command runs unfiltered;
- Google Benchmark: ``--benchmark_filter=<regex>``;
- pytest-benchmark: ``-k "name or name"`` with the test function names;
- hyperfine, pyperf and anything else: no filter; the whole command runs again.

:func:`narrow` says which it did, so the log and the manifest can say so.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import replace

from perf_gate.core.config import Benchmark

_REGEX_META = set("\\.+*?()|[]{}^$")


def _regex(names: Sequence[str]) -> str:
    """An anchored alternation of ``names``, meta characters escaped (RE2, Rust regex and
    ECMAScript agree on ``\\``-escaping these)."""
    escaped = ["".join("\\" + c if c in _REGEX_META else c for c in n) for n in names]
    return "^(" + "|".join(escaped) + ")$"


def _append(bench: Benchmark, *words: str) -> Benchmark:
    command = bench.command
    if isinstance(command, str):
        return replace(bench, command=" ".join([command, *map(shlex.quote, words)]))
    return replace(bench, command=(*command, *words))


def _words(bench: Benchmark) -> list[str]:
    command = bench.command
    return shlex.split(command) if isinstance(command, str) else list(command)


def narrow(bench: Benchmark, names: Sequence[str], formats: set[str]) -> tuple[Benchmark, str]:
    """``bench`` limited to the benchmarks ``names`` (as the harness names them), and how:
    ``"criterion filter ..."``, ..., or ``"unfiltered: ..."`` when the whole command runs."""
    words = _words(bench)
    names = sorted(set(names))
    if not names:
        return bench, "unfiltered: no names"
    is_cargo = len(words) >= 2 and words[0] == "cargo" and words[1] == "bench"
    if is_cargo and any(f.startswith("criterion") or f == "cargo-bench" for f in formats):
        # criterion ids; "<id> throughput" is a second metric of the same benchmark
        regex = _regex(sorted({n.removesuffix(" throughput") for n in names}))
        separator = () if "--" in words else ("--",)
        return _append(bench, *separator, regex), f"criterion filter {regex}"
    if is_cargo and formats <= {"libtest"} and len(names) == 1:
        separator = () if "--" in words else ("--",)
        return _append(bench, *separator, names[0]), f"libtest filter {names[0]}"
    if "google-benchmark" in formats and not any(w.startswith("--benchmark_filter") for w in words):
        regex = _regex(names)
        return _append(bench, f"--benchmark_filter={regex}"), f"--benchmark_filter={regex}"
    if formats == {"pytest-benchmark"} and any("pytest" in w for w in words[:3]):
        functions = sorted({n.split("[", 1)[0].rsplit("::", 1)[-1] for n in names})
        if all(f.isidentifier() for f in functions) and not any(w == "-k" for w in words):
            expression = " or ".join(functions)
            return _append(bench, "-k", expression), f"pytest -k {expression!r}"
    return bench, f"unfiltered: no filter for {', '.join(sorted(formats)) or 'this command'}"
