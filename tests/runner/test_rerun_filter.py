"""Narrowing a benchmark command to its suspects, per harness (perf_gate.inputs.rerun_filter)."""

from __future__ import annotations

import re
import shlex

import pytest

from perf_gate.core.config import Benchmark
from perf_gate.inputs.rerun_filter import narrow


def bench(command: str | tuple[str, ...]) -> Benchmark:
    return Benchmark(name="b", command=command)


def test_criterion_gets_an_anchored_escaped_regex_after_the_separator() -> None:
    narrowed, how = narrow(
        bench("cargo bench --bench work -- --noplot"),
        ["hash_loop", "bytes/checksum throughput", "fib(20)"],
        {"criterion"},  # a target/criterion tree
    )
    words = shlex.split(str(narrowed.command))
    assert words[:6] == ["cargo", "bench", "--bench", "work", "--", "--noplot"]
    regex = words[6]
    assert regex == r"^(bytes/checksum|fib\(20\)|hash_loop)$" and how.endswith(regex)
    assert re.fullmatch(regex, "fib(20)") and not re.fullmatch(regex, "hash_loop_2")


def test_cargo_bench_without_separator_gets_one() -> None:
    narrowed, _ = narrow(bench(("cargo", "bench")), ["a"], {"criterion-log"})
    assert narrowed.command == ("cargo", "bench", "--", "^(a)$")


def test_google_benchmark_filter() -> None:
    narrowed, how = narrow(bench("./bm --benchmark_out=o.json"), ["BM_A/8"], {"google-benchmark"})
    assert narrowed.command == "./bm --benchmark_out=o.json '--benchmark_filter=^(BM_A/8)$'"
    assert how == "--benchmark_filter=^(BM_A/8)$"


def test_pytest_k_with_function_names() -> None:
    narrowed, how = narrow(
        bench("pytest tests/bench --benchmark-json=o.json"),
        ["test_sort[100]", "tests/bench/test_x.py::test_parse"],
        {"pytest-benchmark"},
    )
    assert shlex.split(str(narrowed.command))[-2:] == ["-k", "test_parse or test_sort"]
    assert how == "pytest -k 'test_parse or test_sort'"


@pytest.mark.parametrize(
    ("command", "formats"),
    [
        ("hyperfine --export-json h.json 'sleep 0.1'", {"hyperfine"}),
        ("python bench.py -o p.json", {"pyperf"}),
        ("./bm --benchmark_filter=BM_A", {"google-benchmark"}),  # already filtered
        ("cargo bench", {"libtest"}),  # libtest filters by one substring only
    ],
)
def test_no_filter_reruns_the_whole_command_and_says_so(command: str, formats: set[str]) -> None:
    narrowed, how = narrow(bench(command), ["x", "y"], formats)
    assert narrowed.command == command and how.startswith("unfiltered")
