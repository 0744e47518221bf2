"""The statistics of a whole suite at once, in NumPy, bit for bit the pure-Python ones.

At thousands of benchmarks the per-case statistics are most of the judging: a
Hodges–Lehmann shift sorts 1,024 differences per case, each run is sorted and
compressed to block means, and the run's noise calibration sorts every residual 66
times. Here NumPy does, for many cases of the same shape together, only what it does
exactly as Python does: subtraction, addition, division and absolute value (IEEE
operations, correctly rounded in C as in Python), sorting and selecting order statistics
(the same values; only zeros of either sign compare equal, and the cases where a
``-0.0`` could appear are left to Python). Logarithms are the C library's ``log``, the
function :func:`math.log` calls (:func:`libm_logs`; NumPy's vectorised log rounds some
values the other way), squares stay Python's ``** 2``, and the final arithmetic is the
pure functions' own (:meth:`perf_gate.judge.stats.ShiftPlan.estimate`).
``tests/unit/test_batch_stats.py`` compares every result with the pure functions.

Groups smaller than :data:`BATCH_MIN` cases (twice as many runs) stay in pure Python:
below that NumPy's import costs more than it saves, and a small suite does not import it.
Work goes in chunks of :data:`CHUNK` cases, so memory stays a few MB.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from functools import cache
from itertools import chain, pairwise
from typing import Any, TypeVar

from perf_gate.core.lazy_numpy import numpy
from perf_gate.judge.stats import (
    ShiftEstimate,
    ShiftPlan,
    hodges_lehmann_shift,
    median_order_statistic_rank,
    shift_plan,
)

BATCH_MIN = 640
"""Cases of one shape from which a batch goes through NumPy (runs: twice as many).

Measured (Python 3.11, NumPy 2.4, 100 samples a run): the import costs 0.047 s of CPU; a
shift in a batch saves 60 µs (8.5 against 69 µs), a run summary 5.7 µs (19 against 25 µs,
most of it :func:`math.log` a value). A suite of one baseline, two runs and one shift a
case, gains from about 650 cases. Since the logs come from :func:`libm_logs` a summary
takes 9 µs against 38 µs (measured in a slower spell of the same host), so the break-even
is lower now; it has not been measured again."""

CHUNK = 256
"""Cases per NumPy array: a chunk of shifts of 32 x 32 points is 2 MB of differences (as
fast as 512 or 1,024 cases a chunk, and the peak RSS at 10,000 benchmarks is the same)."""

ShiftPair = tuple[Sequence[float], Sequence[float], tuple[int, int]]
"""``(x, y, (m, n))``: the arguments of ``hodges_lehmann_shift(x, y, counts=(m, n))``."""

RunNumbers = tuple[float, float, int, tuple[float, ...]]
"""``(log median, variance, count, points)`` of a run, as in ``RunSummary``."""

_Key = TypeVar("_Key", bound=Hashable)


def _groups(keys: Sequence[_Key]) -> dict[_Key, list[int]]:
    """The indices of equal keys, in first-seen order of the keys."""
    groups: dict[_Key, list[int]] = {}
    for index, key in enumerate(keys):
        groups.setdefault(key, []).append(index)
    return groups


def _chunks(members: list[int]) -> list[list[int]]:
    return [members[start : start + CHUNK] for start in range(0, len(members), CHUNK)]


def _rows(np: Any, rows: Sequence[Sequence[float]], width: int) -> Any:
    """The rows (all ``width`` long) as one 2-D float64 array."""
    flat = np.fromiter(chain.from_iterable(rows), np.float64, len(rows) * width)
    return flat.reshape(len(rows), width)


def shift_estimates(pairs: Sequence[ShiftPair]) -> list[ShiftEstimate]:
    """``hodges_lehmann_shift(x, y, counts=counts)`` of every pair, in order (the same floats).

    Pairs are grouped by their sizes and counts; a group of :data:`BATCH_MIN` or more
    has the differences ``y_j - x_i`` of a chunk's cases made and sorted at once, and
    the order statistics the shift needs taken from them. Cases with a point that is
    not finite or is ``-0.0`` (whose order against ``+0.0`` only Python's sort knows)
    are left to :func:`hodges_lehmann_shift`.
    """
    results: list[ShiftEstimate | None] = [None] * len(pairs)
    keys = [(len(x), len(y), *counts) for x, y, counts in pairs]
    for key, members in _groups(keys).items():
        if len(members) >= BATCH_MIN:
            size_x, size_y, m, n = key
            plan = shift_plan(size_x, size_y, m, n)
            for chunk in _chunks(members):
                _shift_chunk(numpy(), [pairs[i] for i in chunk], plan, chunk, results)
    return [
        result if result is not None else hodges_lehmann_shift(x, y, counts=counts)
        for result, (x, y, counts) in zip(results, pairs, strict=True)
    ]


def _plain(np: Any, values: Any) -> Any:
    """Rows whose values are all finite and none ``-0.0``."""
    return np.isfinite(values).all(axis=1) & ~(np.signbit(values) & (values == 0.0)).any(axis=1)


def _shift_chunk(
    np: Any,
    pairs: list[ShiftPair],
    plan: ShiftPlan,
    where: list[int],
    results: list[ShiftEstimate | None],
) -> None:
    xs = _rows(np, [x for x, _, _ in pairs], len(pairs[0][0]))
    ys = _rows(np, [y for _, y, _ in pairs], len(pairs[0][1]))
    usable = (_plain(np, xs) & _plain(np, ys)).tolist()
    with np.errstate(all="ignore"):  # overflow to infinity, as in Python's subtraction
        differences = (ys[:, :, None] - xs[:, None, :]).reshape(len(pairs), -1)
    differences.sort(axis=1)  # vectorised: 7 times faster than a partition at 6 ranks
    order_statistics = differences[:, list(plan.ranks)].tolist()
    estimate = plan.estimate
    for index, ok, row in zip(where, usable, order_statistics, strict=True):
        if ok:
            results[index] = estimate(row)


def run_numbers(runs: Sequence[Sequence[float]], blocks: int) -> list[RunNumbers | None]:
    """The summary numbers of each run, or ``None`` for a run left to ``summarise_run``.

    Runs of the same length (at least 2), ``2 * BATCH_MIN`` or more of them, whose
    values are all finite and positive (then ``summarise_run`` keeps every value) are
    sorted together; their logs are :func:`math.log` of each sorted value; the median
    and the Price–Bonett standard error take the same elements with the same float
    operations; the block means come from a running sum that starts at 0.0 (what
    ``accumulate(..., initial=0.0)`` adds, in the same order) and the same differences
    and divisions. Other runs (short groups, a value that is not finite and positive)
    get ``None``.
    """
    results: list[RunNumbers | None] = [None] * len(runs)
    for length, members in _groups([len(run) for run in runs]).items():
        if len(members) >= 2 * BATCH_MIN and length >= 2:
            for chunk in _chunks(members):
                _summary_chunk(numpy(), [runs[i] for i in chunk], blocks, chunk, results)
    return results


def _summary_chunk(
    np: Any,
    runs: list[Sequence[float]],
    blocks: int,
    where: list[int],
    results: list[RunNumbers | None],
) -> None:
    n = len(runs[0])
    values = _rows(np, runs, n)
    usable = (np.isfinite(values) & (values > 0.0)).all(axis=1)
    where = [index for index, ok in zip(where, usable.tolist(), strict=True) if ok]
    if not where:
        return
    ordered = np.sort(values[usable], axis=1)
    logs = logs_of(np, ordered.ravel()).reshape(ordered.shape)
    middle = n // 2
    medians = logs[:, middle] if n % 2 else 0.5 * (logs[:, middle - 1] + logs[:, middle])
    c, z = median_order_statistic_rank(n)
    errors = (logs[:, n - c] - logs[:, c - 1]) / (2.0 * z)
    if n <= blocks:
        points = logs
    else:
        bounds = [j * n // blocks for j in range(blocks + 1)]
        running = np.cumsum(np.concatenate([np.zeros((len(where), 1)), logs], axis=1), axis=1)
        ends = running[:, bounds]
        sizes = np.array([stop - start for start, stop in pairwise(bounds)])
        points = (ends[:, 1:] - ends[:, :-1]) / sizes
    for index, log_median, error, row in zip(
        where, medians.tolist(), errors.tolist(), points.tolist(), strict=True
    ):
        results[index] = (log_median, error**2, n, tuple(row))


def libm_logs(np: Any, values: Any) -> Any:
    """``np.log`` of a 1-D float64 array, read backwards: NumPy's vectorised log loops
    (AVX-512 here) take only forward strides, so this runs its scalar loop, which calls the
    C library's ``log`` as :func:`math.log` does, at 9 ns a value instead of 100 ns.
    :func:`logs_of` uses it only where :func:`libm_log_agrees` holds."""
    return np.log(values[::-1])[::-1]


def logs_of(np: Any, values: Any) -> Any:
    """:func:`math.log` of every value of a 1-D float64 array (all finite and positive)."""
    return libm_logs(np, values) if libm_log_agrees() else _math_logs(np, values)


def _math_logs(np: Any, values: Any) -> Any:
    """:func:`math.log` a value (a memoryview yields them as Python floats without a list)."""
    return np.fromiter(map(math.log, memoryview(values)), np.float64, values.size)


def _log_probe() -> list[float]:
    """6,144 values, deterministic: where approximations of log part from the C library's
    (within 1 % of 1.0, NumPy's AVX-512 log rounds 5 % of them the other way), over 0.5 to
    2, and over the exponents from 2**-100 to 2**100."""
    fractions = [(k * 0x9E3779B97F4A7C15 % 2**52) / 2**52 for k in range(1, 2049)]
    return (
        [0.99 + 0.02 * f for f in fractions]
        + [0.5 + 1.5 * f for f in fractions]
        + [(1.0 + f) * 2.0 ** (k % 201 - 100) for k, f in enumerate(fractions)]
    )


@cache
def libm_log_agrees() -> bool:
    """Whether :func:`libm_logs` gives :func:`math.log`'s doubles, bit for bit, on
    :func:`_log_probe` (checked once a process, 1-2.5 ms). Where a NumPy build or CPU
    routes it through another implementation, the logs stay :func:`math.log`."""
    np = numpy()
    probe = np.array(_log_probe(), dtype=np.float64)
    expected = _math_logs(np, probe)
    return bool((libm_logs(np, probe).view(np.int64) == expected.view(np.int64)).all())


def lower_half_residuals(
    estimates: Sequence[float], sds: Sequence[float], centres: Sequence[float]
) -> list[float]:
    """For each centre, ``sorted(abs(e - centre) / sd for e, sd)[(len - 1) // 2]``.

    With :data:`BATCH_MIN` or more estimates, all centres' residuals are made at once and
    the one order statistic selected by a partition: the same elementwise operations,
    the same value. Residuals that could be NaN or ``-0.0`` (a standard deviation that
    is not positive) are left to Python's sort.
    """
    middle = (len(estimates) - 1) // 2
    if len(estimates) < BATCH_MIN or not min(sds) > 0.0:
        return [_lower_half(estimates, sds, centre, middle) for centre in centres]
    np = numpy()
    e, s = np.array(estimates, dtype=np.float64), np.array(sds, dtype=np.float64)
    half: list[float] = []
    step = max(1, CHUNK * 1024 // len(estimates))  # about 2 MB of residuals at a time
    for start in range(0, len(centres), step):
        some = centres[start : start + step]
        with np.errstate(all="ignore"):  # overflow to infinity, as in Python
            residuals = np.abs(e[None, :] - np.array(some, dtype=np.float64)[:, None]) / s
        if np.isnan(residuals).any():
            half.extend(_lower_half(estimates, sds, centre, middle) for centre in some)
            continue
        residuals.partition(middle, axis=1)
        half.extend(residuals[:, middle].tolist())
    return half


def _lower_half(
    estimates: Sequence[float], sds: Sequence[float], centre: float, middle: int
) -> float:
    pairs = zip(estimates, sds, strict=True)
    residuals = sorted([abs(estimate - centre) / sd for estimate, sd in pairs])
    return residuals[middle]
