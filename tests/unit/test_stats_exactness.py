"""The C-level rewrites of the statistics give bit-identical results to the loops they replaced.

The references below are the previous pure-Python implementations, kept verbatim; the
verdicts, the golden reports and the evaluation's detection counts rest on these numbers,
so the faster code must return the very same floats, ties and repeated values included.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from itertools import accumulate, pairwise

import pytest

from perf_gate.judge.sample_verdict import HL_POINTS, RunSummary, summarise_run
from perf_gate.judge.stats import (
    block_means,
    log_median_se,
    mann_whitney_u,
    median_of_sorted,
    two_sided_normal_p,
)


def _reference_block_means(sorted_values: Sequence[float], blocks: int) -> list[float]:
    n = len(sorted_values)
    if n <= blocks:
        return list(sorted_values)
    running = list(accumulate(sorted_values, initial=0.0))
    bounds = [j * n // blocks for j in range(blocks + 1)]
    return [(running[stop] - running[start]) / (stop - start) for start, stop in pairwise(bounds)]


def _reference_mann_whitney_u(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    n1, n2 = len(x), len(y)
    pooled = sorted([(value, 0) for value in x] + [(value, 1) for value in y])
    rank_sum_x = 0.0
    tie_term = 0.0
    i, total = 0, n1 + n2
    while i < total:
        j = i
        while j + 1 < total and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        average_rank = (i + j + 2) / 2.0
        size = j - i + 1
        tie_term += size**3 - size
        rank_sum_x += average_rank * sum(1 for k in range(i, j + 1) if pooled[k][1] == 0)
        i = j + 1
    u = rank_sum_x - n1 * (n1 + 1) / 2.0
    mean_u = n1 * n2 / 2.0
    variance = n1 * n2 / 12.0 * ((total + 1) - tie_term / (total * (total - 1)))
    if variance <= 0.0:
        return u, 1.0
    z = (abs(u - mean_u) - 0.5) / math.sqrt(variance)
    return u, min(1.0, two_sided_normal_p(max(z, 0.0)))


def _samples(rng: random.Random, count: int, *, ties: bool) -> list[float]:
    if ties:  # few distinct values: long runs of equal samples on both sides
        return [float(rng.randint(1, 6)) for _ in range(count)]
    return [rng.lognormvariate(0.0, 0.1) for _ in range(count)]


@pytest.mark.parametrize("ties", [False, True])
def test_block_means_equal_the_per_block_loop(ties: bool) -> None:
    rng = random.Random(14)
    for count in (1, 2, 5, 31, 32, 33, 100, 257):
        values = sorted(math.log(v) for v in _samples(rng, count, ties=ties))
        for blocks in (1, 2, 7, 32):
            assert block_means(values, blocks) == _reference_block_means(values, blocks)


@pytest.mark.parametrize("ties", [False, True])
def test_mann_whitney_u_equals_the_rank_sum_loop(ties: bool) -> None:
    rng = random.Random(41)
    for m, n in [(1, 1), (1, 5), (3, 3), (10, 12), (20, 20), (100, 80)]:
        for _ in range(5):
            x, y = _samples(rng, m, ties=ties), _samples(rng, n, ties=ties)
            assert mann_whitney_u(x, y) == _reference_mann_whitney_u(x, y)


def test_mann_whitney_u_of_one_shared_value_equals_the_rank_sum_loop() -> None:
    assert mann_whitney_u([2.0] * 4, [2.0] * 3) == _reference_mann_whitney_u([2.0] * 4, [2.0] * 3)


def _reference_summarise_run(samples: Sequence[float]) -> RunSummary | None:
    usable = sorted(samples)
    if not usable or not usable[0] > 0.0 or not math.isfinite(math.fsum(usable)):
        usable = sorted(value for value in samples if value > 0.0 and math.isfinite(value))
        if not usable:
            return None
    variance = log_median_se(usable) ** 2 if len(usable) >= 2 else 0.0
    logs = list(map(math.log, usable))
    points = tuple(_reference_block_means(logs, HL_POINTS))
    return RunSummary(median_of_sorted(logs), variance, len(usable), points)


def _with_bad_values(rng: random.Random, values: list[float]) -> list[float]:
    """Some runs get NaN, infinities, zeros and negatives put in at random places."""
    for bad in (math.nan, math.inf, -math.inf, 0.0, -1.0):
        if rng.random() < 0.3:
            values.insert(rng.randrange(len(values) + 1), bad)
    return values


def _agrees_with_the_reference(values: list[float]) -> None:
    try:
        expected = _reference_summarise_run(values)
    except ValueError:  # fsum's "-inf + inf": the old code raised; the usable values count
        expected = _reference_summarise_run([v for v in values if v > 0.0 and math.isfinite(v)])
    assert summarise_run(values) == expected, values
    assert summarise_run(tuple(values)) == expected


@pytest.mark.parametrize("ties", [False, True])
def test_summarise_run_equals_the_sort_fsum_loop(ties: bool) -> None:
    rng = random.Random(1414)
    for count in (0, 1, 2, 3, 5, 31, 32, 33, 64, 100, 257):
        for _ in range(8):
            values = _with_bad_values(rng, [v * 1e6 for v in _samples(rng, count, ties=ties)])
            _agrees_with_the_reference(values)


def test_summarise_run_of_only_unusable_values_is_none_as_before() -> None:
    for values in ([], [math.nan], [0.0, -1.0], [math.nan, -math.inf]):
        assert summarise_run(values) is None is _reference_summarise_run(values)
    assert summarise_run([math.inf, math.nan, -math.inf]) is None  # fsum raised ValueError
