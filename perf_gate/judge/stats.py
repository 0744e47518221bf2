"""Pure statistical functions behind the sample-based verdicts.

Everything here is plain Python (``math``, ``statistics``), the reference that the NumPy
batches of large suites (:mod:`perf_gate.judge.batch_stats`) equal bit for bit; each function
is pinned in the unit tests against SciPy or numbers worked out by hand.

The two-sample change is the Hodges–Lehmann shift (median of pairwise differences) with the
interval inverted from the Mann–Whitney test; large samples are first compressed to block
means so it costs ``O(n log n + k²)``. A single run's median gets its standard error from
order statistics (Price & Bonett 2001): ``[x_(c), x_(n-c+1)]`` with ``c = round(n/2 -
sqrt(n))`` covers the median with an exact binomial probability, and its log width over the
matching normal quantile estimates the standard error without assuming a distribution.
Suite-wide tools: Benjamini–Hochberg q-values and the genomic-control inflation factor.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, groupby, pairwise, repeat
from operator import itemgetter, sub, truediv
from statistics import NormalDist
from typing import Any

_STANDARD_NORMAL = NormalDist()

# Median of |Z| for a standard normal Z: the yardstick of the inflation factor.
HALF_NORMAL_MEDIAN = 0.6744897501960817


def normal_cdf(x: float) -> float:
    """Return P(Z <= x) for a standard normal Z."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def normal_quantile(p: float) -> float:
    """Return the x with P(Z <= x) = p for a standard normal Z (0 < p < 1)."""
    return _STANDARD_NORMAL.inv_cdf(p)


def two_sided_normal_p(z: float) -> float:
    """Return the two-sided p-value P(|Z| >= |z|) of a standard normal statistic."""
    return math.erfc(abs(z) / math.sqrt(2.0))


def regularized_beta(x: float, a: float, b: float) -> float:
    """Return the regularized incomplete beta function I_x(a, b) for 0 <= x <= 1.

    Evaluated with the modified Lentz continued fraction (Numerical Recipes,
    ``betacf``), using the symmetry ``I_x(a, b) = 1 - I_{1-x}(b, a)`` where the
    fraction converges faster.
    """
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x > (a + 1.0) / (a + b + 2.0):
        return 1.0 - regularized_beta(1.0 - x, b, a)
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    fraction = d
    for m in range(1, 300):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            fraction *= c * d
        if abs(c * d - 1.0) < 1e-15:
            break
    return math.exp(log_front) * fraction / a


def student_t_cdf(t: float, df: float) -> float:
    """Return P(T <= t) for Student's t distribution with ``df`` degrees of freedom."""
    tail = 0.5 * regularized_beta(df / (df + t * t), df / 2.0, 0.5)
    return 1.0 - tail if t > 0 else tail


def two_sided_t_p(t: float, df: float) -> float:
    """Return the two-sided p-value P(|T| >= |t|) of a Student t statistic."""
    return regularized_beta(df / (df + t * t), df / 2.0, 0.5)


def student_t_quantile(p: float, df: float) -> float:
    """Return the t with P(T <= t) = p for Student's t with ``df`` degrees of freedom.

    Found by bisection on :func:`student_t_cdf` (to about 1e-12), which is
    plenty for the handful of calls a suite needs.
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be in (0, 1), got {p}")
    if p < 0.5:
        return -student_t_quantile(1.0 - p, df)
    low, high = 0.0, max(1.0, normal_quantile(p))
    while student_t_cdf(high, df) < p:
        low, high = high, high * 2.0
    for _ in range(200):
        middle = 0.5 * (low + high)
        if student_t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
        if high - low < 1e-12 * max(1.0, high):
            break
    return 0.5 * (low + high)


EXACT_BINOMIAL_LIMIT = 1000
"""Up to this ``n`` binomial tails are summed exactly; above, the normal approximation."""


def binomial_half_cdf(k: int, n: int) -> float:
    """Return P(B <= k) for B ~ Binomial(n, 1/2).

    Exact (integer arithmetic) for ``n <= EXACT_BINOMIAL_LIMIT``; above that the
    normal approximation with continuity correction, whose error is then below
    1e-4 in the tails the median interval uses.
    """
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    if n > EXACT_BINOMIAL_LIMIT:
        return normal_cdf((k + 0.5 - n / 2.0) / math.sqrt(n / 4.0))
    return sum(math.comb(n, i) for i in range(k + 1)) / (1 << n)


def median_of_sorted(values: Sequence[float]) -> float:
    """Return the median of values that are already sorted ascending (not empty)."""
    n = len(values)
    middle = n // 2
    if n % 2:
        return values[middle]
    return 0.5 * (values[middle - 1] + values[middle])


def median(values: Sequence[float]) -> float:
    """Return the median of ``values`` (not empty)."""
    return median_of_sorted(sorted(values))


@lru_cache(maxsize=512)
def median_order_statistic_rank(n: int) -> tuple[int, float]:
    """Return ``(c, z)`` for the Price–Bonett standard error of a median of ``n`` values.

    ``c = max(1, round(n/2 - sqrt(n)))`` is the 1-based rank of the lower order
    statistic; ``[x_(c), x_(n-c+1)]`` covers the population median with exact
    probability ``1 - 2 P(B <= c-1)``, B ~ Binomial(n, 1/2), and ``z`` is the
    normal quantile with that two-sided coverage. Needs ``n >= 2``.
    """
    if n < 2:
        raise ValueError(f"need at least 2 values, got {n}")
    c = max(1, round(n / 2 - math.sqrt(n)))
    coverage = 1.0 - 2.0 * binomial_half_cdf(c - 1, n)
    return c, normal_quantile(0.5 + coverage / 2.0)


def log_median_se(sorted_values: Sequence[float]) -> float:
    """Return the standard error of ``log(median)`` for positive, sorted values.

    Price & Bonett (2001): ``(ln x_(n-c+1) - ln x_(c)) / (2 z)`` with ``(c, z)``
    from :func:`median_order_statistic_rank`. Distribution-free apart from the
    normal approximation of the median itself. Needs at least 2 values.
    """
    n = len(sorted_values)
    c, z = median_order_statistic_rank(n)
    return (math.log(sorted_values[n - c]) - math.log(sorted_values[c - 1])) / (2.0 * z)


def log_median_se_of_logs(sorted_logs: Sequence[float]) -> float:
    """:func:`log_median_se` of the values whose logs, sorted, are ``sorted_logs`` (the
    same float operations on the same logs: the same result)."""
    n = len(sorted_logs)
    c, z = median_order_statistic_rank(n)
    return (sorted_logs[n - c] - sorted_logs[c - 1]) / (2.0 * z)


def block_means(sorted_values: Sequence[float], blocks: int) -> list[float]:
    """Compress sorted values into ``blocks`` means of consecutive, near-equal runs.

    Returns the values themselves (as a list) when there are no more than
    ``blocks`` of them. Block ``j`` holds indices ``[j n // blocks, (j+1) n // blocks)``.
    """
    n = len(sorted_values)
    if n <= blocks:
        return list(sorted_values)
    at_bounds, sizes = _block_bounds(n, blocks)
    ends = at_bounds(list(accumulate(sorted_values, initial=0.0)))
    # C-level: the same operations, in the same order, as a loop over the blocks.
    return list(map(truediv, map(sub, ends[1:], ends[:-1]), sizes))


@lru_cache(maxsize=256)
def _block_bounds(n: int, blocks: int) -> tuple[itemgetter[Any], tuple[int, ...]]:
    """The block bounds' entries of a running sum (one C call picks them all) and the
    sizes of the blocks of ``n`` values (block ``j`` holds ``[j n // blocks, (j+1) n //
    blocks)``; ``blocks`` >= 1, so at least two bounds, a tuple)."""
    bounds = [j * n // blocks for j in range(blocks + 1)]
    return itemgetter(*bounds), tuple(stop - start for start, stop in pairwise(bounds))


@dataclass(frozen=True)
class ShiftEstimate:
    """A Hodges–Lehmann shift with its Mann–Whitney interval and implied standard error."""

    estimate: float
    low: float
    high: float
    se: float


@dataclass(frozen=True)
class ShiftPlan:
    """Which sorted differences a Hodges–Lehmann shift needs, and how it combines them.

    ``ranks`` are the 0-based indices of the median's two middle differences (the same
    one twice when their number is odd) and of each interval end's two neighbours, with
    the fraction between them (``None``: the lower one itself). Whoever selects those
    order statistics (a sort here, a batch in :mod:`perf_gate.judge.batch_stats`)
    finishes with :meth:`estimate`: the same arithmetic, the same floats.
    """

    ranks: tuple[int, int, int, int, int, int]
    even: bool
    low_fraction: float | None
    high_fraction: float | None
    twice_z_actual: float

    def estimate(self, at_ranks: Sequence[float]) -> ShiftEstimate:
        """The shift from the sorted differences at ``ranks``, in that order."""
        middle, after, low, above_low, high, above_high = at_ranks
        estimate = 0.5 * (middle + after) if self.even else middle
        if self.low_fraction is not None:
            low = low + self.low_fraction * (above_low - low)
        if self.high_fraction is not None:
            high = high + self.high_fraction * (above_high - high)
        se = (high - low) / self.twice_z_actual if self.twice_z_actual > 0 else 0.0
        return ShiftEstimate(estimate, low, high, se)


def _rank_index(total: int, rank: float) -> tuple[int, int, float | None]:
    """The neighbours and fraction of a 1-based, possibly fractional ``rank`` among
    ``total`` ascending values (``None``: no interpolation, the last value)."""
    position = min(max(rank, 1.0), float(total)) - 1.0
    below = int(position)
    if below + 1 >= total:
        return total - 1, total - 1, None
    return below, below + 1, position - below


@lru_cache(maxsize=256)
def shift_plan(size_x: int, size_y: int, m: int, n: int, confidence: float = 0.95) -> ShiftPlan:
    """The :class:`ShiftPlan` of :func:`hodges_lehmann_shift` for these sizes."""
    total = size_x * size_y
    pairs = m * n
    sigma = math.sqrt(pairs * (m + n + 1) / 12.0)
    z = normal_quantile(0.5 + confidence / 2.0)
    rank = max(1, math.floor(pairs / 2.0 - z * sigma))
    weight = pairs / total
    low, above_low, low_fraction = _rank_index(total, rank / weight)
    high, above_high, high_fraction = _rank_index(total, (pairs - rank + 1) / weight)
    z_actual = (pairs / 2.0 - rank + 0.5) / sigma if sigma > 0 else 0.0
    even = total % 2 == 0
    middle = (total // 2 - 1, total // 2) if even else (total // 2, total // 2)
    ranks = (*middle, low, above_low, high, above_high)
    twice_z_actual = 2.0 * z_actual if z_actual > 0 else 0.0
    return ShiftPlan(ranks, even, low_fraction, high_fraction, twice_z_actual)


def hodges_lehmann_shift(
    x: Sequence[float],
    y: Sequence[float],
    *,
    counts: tuple[int, int] | None = None,
    confidence: float = 0.95,
) -> ShiftEstimate:
    """Return the Hodges–Lehmann shift of ``y`` against ``x`` with its distribution-free interval.

    The estimate is the median of all differences ``y_j - x_i``. The interval is
    the classical one inverted from the Mann–Whitney test: the ``C``-th smallest
    and ``C``-th largest difference, ``C = max(1, floor(mn/2 - z sqrt(mn(m+n+1)/12)))``
    with ``z`` the normal quantile of ``confidence``. The standard error is the
    interval's width over twice the normal quantile of the coverage that ``C``
    actually gives, ``(mn/2 - C + 1/2) / sqrt(mn(m+n+1)/12)``.

    ``x`` and ``y`` may stand for larger samples compressed by :func:`block_means`:
    ``counts`` gives the original sizes ``(m, n)`` and each difference then
    carries ``mn / (len(x) len(y))`` of the rank weight (ranks are interpolated).
    Costs ``O(len(x) len(y) log)``, hence the compression.
    """
    m, n = counts if counts is not None else (len(x), len(y))
    plan = shift_plan(len(x), len(y), m, n, confidence)
    differences = [b - a for b in y for a in x]
    differences.sort()
    return plan.estimate([differences[i] for i in plan.ranks])


@lru_cache(maxsize=256)
def least_rank_test_p(m: int, n: int) -> float:
    """The smallest two-sided p-value an exact rank test of ``m`` vs ``n`` samples can give.

    ``2 / C(m + n, m)``: the two most extreme of the ``C(m + n, m)`` equally likely orderings
    (every current sample above every reference one, or below); for 20 vs 20 samples that is
    1.45e-11. Smaller p-values are artefacts of a normal tail. 0.0, without the bignum, where
    lgamma puts C beyond e**800 (2 / C below every double; a store's counts may be any size).
    """
    huge = m + n > 1075 and math.lgamma(m + n + 1) - math.lgamma(m + 1) - math.lgamma(n + 1) > 800
    return 0.0 if huge else min(1.0, 2 / math.comb(m + n, m))  # int / int: 0.0 when tiny


def mann_whitney_u(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """Return ``(U, p)`` of the two-sided Mann–Whitney U test of ``x`` against ``y``.

    ``U`` counts pairs with ``x_i > y_j`` (ties count one half), as
    ``scipy.stats.mannwhitneyu(x, y)`` reports it; ``p`` is the normal
    approximation with tie correction and continuity correction (SciPy's
    ``method="asymptotic"``). ``U`` comes from binary searches of each ``x`` in
    the sorted ``y`` (``2U`` = the number of ``y`` below plus the number not above,
    summed over ``x``: exact integers), the tie term from one sort of both: ``O(n log n)``.
    """
    n1, n2 = len(x), len(y)
    ordered = sorted(y)
    below = sum(map(bisect_left, repeat(ordered, n1), x))
    not_above = sum(map(bisect_right, repeat(ordered, n1), x))
    u = (below + not_above) / 2.0
    total = n1 + n2
    tie_term = float(sum(size**3 - size for size in _run_lengths(sorted([*x, *y]))))
    mean_u = n1 * n2 / 2.0
    variance = n1 * n2 / 12.0 * ((total + 1) - tie_term / (total * (total - 1)))
    if variance <= 0.0:
        return u, 1.0
    z = (abs(u - mean_u) - 0.5) / math.sqrt(variance)
    return u, min(1.0, two_sided_normal_p(max(z, 0.0)))


def _run_lengths(ordered: Sequence[float]) -> list[int]:
    """The lengths of the runs of equal values in a sorted sequence."""
    return [sum(1 for _ in run) for _, run in groupby(ordered)]


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Return Benjamini–Hochberg adjusted p-values (q-values), in the input order.

    ``q_(i) = min_{j >= i} p_(j) m / j`` over the ascending p-values, capped
    at 1; rejecting ``q <= alpha`` keeps the expected share of false
    discoveries among the rejections at most ``alpha`` (independent or
    positively dependent tests). Same numbers as
    ``scipy.stats.false_discovery_control(p)``.
    """
    m = len(p_values)
    order = sorted(range(m), key=lambda index: p_values[index])
    adjusted = [0.0] * m
    running = 1.0
    for position in range(m - 1, -1, -1):
        index = order[position]
        running = min(running, p_values[index] * m / (position + 1))
        adjusted[index] = max(running, p_values[index])  # never below p (rounding)
    return adjusted


def inflation_factor(z_scores: Sequence[float]) -> float:
    """Return the genomic-control inflation factor of a suite's test statistics.

    ``max(1, median(|z|) / 0.6745)``: when most benchmarks did not change,
    ``|z|`` should have the half-normal median 0.6745; a larger median says the
    variances were underestimated for this run (a noisy runner), and dividing
    every ``z`` by the factor recalibrates them. Never shrinks statistics.
    """
    if not z_scores:
        return 1.0
    return max(1.0, median([abs(z) for z in z_scores]) / HALF_NORMAL_MEDIAN)


def samples_needed(
    count: int, within_variance: float, drift_variance: float, target_sd: float
) -> int | None:
    """Return how many samples per side would bring the standard error down to ``target_sd``.

    The within-run part of the variance shrinks as ``1/n``; run-to-run drift does
    not. Returns ``None`` when drift alone already exceeds the target (more
    samples cannot help), otherwise ``ceil(count * within / (target² - drift))``,
    at least ``count + 1``.
    """
    room = target_sd * target_sd - drift_variance
    if room <= 0.0:
        return None
    if within_variance <= 0.0:
        return count + 1
    return max(count + 1, math.ceil(count * within_variance / room))
