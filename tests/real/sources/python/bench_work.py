"""pytest-benchmark benchmarks for the real-harness tests (tests/real/): the work is scaled by
REALBENCH_SCALE (1.0 unless set). Run by tests/real/test_pytest_benchmark.py in a pytest of
its own; not collected by the project's suite."""

import os

SCALE = float(os.environ.get("REALBENCH_SCALE", "1"))


def squares(n: int) -> int:
    return sum(i * i for i in range(n))


def test_squares(benchmark):
    benchmark(squares, round(2000 * SCALE))


def test_sorted_strings(benchmark):
    words = [str(i * 7919 % 1009) for i in range(round(1500 * SCALE))]
    benchmark(sorted, words)
