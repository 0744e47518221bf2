"""The statistical functions, pinned against SciPy and against numbers worked by hand."""

from __future__ import annotations

import math
import random
import subprocess
import sys

import numpy as np
import pytest
from scipy import special
from scipy import stats as scipy_stats

from perf_gate.judge.stats import (
    benjamini_hochberg,
    binomial_half_cdf,
    block_means,
    hodges_lehmann_shift,
    inflation_factor,
    least_rank_test_p,
    log_median_se,
    mann_whitney_u,
    median,
    median_of_sorted,
    median_order_statistic_rank,
    normal_cdf,
    normal_quantile,
    regularized_beta,
    samples_needed,
    student_t_cdf,
    student_t_quantile,
    two_sided_normal_p,
    two_sided_t_p,
)


@pytest.mark.parametrize("x", [-6.0, -1.96, -0.3, 0.0, 0.5, 1.6448536, 3.0, 8.0])
def test_normal_cdf_matches_scipy(x: float) -> None:
    assert normal_cdf(x) == pytest.approx(scipy_stats.norm.cdf(x), rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("p", [1e-10, 0.001, 0.025, 0.3, 0.5, 0.9, 0.975, 0.999999])
def test_normal_quantile_matches_scipy(p: float) -> None:
    assert normal_quantile(p) == pytest.approx(scipy_stats.norm.ppf(p), rel=1e-12)


def test_two_sided_normal_p_of_1_96_is_five_percent() -> None:
    assert two_sided_normal_p(1.959963984540054) == pytest.approx(0.05, rel=1e-12)
    assert two_sided_normal_p(-3.0) == pytest.approx(2 * scipy_stats.norm.sf(3.0), rel=1e-12)


@pytest.mark.parametrize(
    ("x", "a", "b"),
    [(0.1, 0.5, 0.5), (0.5, 2.0, 3.0), (0.9, 2.5, 0.5), (0.3, 10.0, 0.5), (0.999, 30.0, 0.5)],
)
def test_regularized_beta_matches_scipy(x: float, a: float, b: float) -> None:
    assert regularized_beta(x, a, b) == pytest.approx(special.betainc(a, b, x), rel=1e-10)


def test_regularized_beta_edges() -> None:
    assert regularized_beta(0.0, 2.0, 3.0) == 0.0
    assert regularized_beta(1.0, 2.0, 3.0) == 1.0


@pytest.mark.parametrize("df", [1.0, 2.0, 5.0, 12.5, 100.0])
@pytest.mark.parametrize("t", [-7.0, -2.0, 0.0, 0.7, 2.57, 10.0])
def test_student_t_matches_scipy(t: float, df: float) -> None:
    assert student_t_cdf(t, df) == pytest.approx(scipy_stats.t.cdf(t, df), rel=1e-9, abs=1e-15)
    assert two_sided_t_p(t, df) == pytest.approx(2 * scipy_stats.t.sf(abs(t), df), rel=1e-9)


@pytest.mark.parametrize("df", [1.0, 3.0, 5.0, 30.0])
@pytest.mark.parametrize("p", [0.01, 0.5, 0.9, 0.975, 0.9995])
def test_student_t_quantile_matches_scipy(p: float, df: float) -> None:
    assert student_t_quantile(p, df) == pytest.approx(scipy_stats.t.ppf(p, df), abs=1e-9)


def test_student_t_quantile_rejects_probabilities_outside_zero_one() -> None:
    with pytest.raises(ValueError):
        student_t_quantile(1.0, 5.0)


@pytest.mark.parametrize(("k", "n"), [(-1, 5), (0, 5), (1, 10), (9, 30), (39, 100), (100, 100)])
def test_binomial_half_cdf_matches_scipy(k: int, n: int) -> None:
    assert binomial_half_cdf(k, n) == pytest.approx(scipy_stats.binom.cdf(k, n, 0.5), rel=1e-12)


def test_median_of_odd_and_even_samples() -> None:
    assert median_of_sorted([1.0, 2.0, 7.0]) == 2.0
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5


@pytest.mark.parametrize(
    ("n", "c"), [(2, 1), (3, 1), (5, 1), (10, 2), (30, 10), (60, 22), (100, 40)]
)
def test_order_statistic_rank_is_round_half_n_minus_root_n(n: int, c: int) -> None:
    rank, z = median_order_statistic_rank(n)
    coverage = 1 - 2 * scipy_stats.binom.cdf(c - 1, n, 0.5)
    assert rank == c
    assert z == pytest.approx(scipy_stats.norm.ppf(0.5 + coverage / 2), rel=1e-12)


def test_order_statistic_rank_of_ten_by_hand() -> None:
    # c = round(5 - sqrt(10)) = 2; [x(2), x(9)] misses the median with 2 * 11/1024.
    _, z = median_order_statistic_rank(10)
    assert z == pytest.approx(scipy_stats.norm.ppf(1 - 11 / 1024), rel=1e-12)
    assert z == pytest.approx(2.29936, abs=1e-5)


def test_order_statistic_rank_needs_two_values() -> None:
    with pytest.raises(ValueError):
        median_order_statistic_rank(1)


def test_log_median_se_of_ten_values_by_hand() -> None:
    values = [float(v) for v in range(10, 20)]
    expected = (math.log(18.0) - math.log(11.0)) / (2 * scipy_stats.norm.ppf(1 - 11 / 1024))
    assert log_median_se(values) == pytest.approx(expected, rel=1e-12)
    assert log_median_se(values) == pytest.approx(0.1070898, abs=1e-7)


def test_log_median_se_is_scale_free() -> None:
    values = sorted(random.Random(3).lognormvariate(0, 0.1) for _ in range(40))
    assert log_median_se([v * 7.5 for v in values]) == pytest.approx(log_median_se(values))


def test_log_median_se_tracks_the_true_spread_of_log_medians() -> None:
    rng = np.random.default_rng(7)
    draws = rng.lognormal(0.0, 0.05, size=(4000, 60))
    true_sd = np.log(np.median(draws, axis=1)).std()
    estimates = [log_median_se(sorted(row)) for row in draws[:500]]
    assert float(np.mean(estimates)) == pytest.approx(true_sd, rel=0.1)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mann_whitney_matches_scipy_asymptotic(seed: int) -> None:
    rng = random.Random(seed)
    x = [round(rng.gauss(10, 1), 1) for _ in range(23)]  # rounding makes ties
    y = [round(rng.gauss(10.4, 1), 1) for _ in range(31)]
    u, p = mann_whitney_u(x, y)
    reference = scipy_stats.mannwhitneyu(x, y, method="asymptotic", use_continuity=True)
    assert u == pytest.approx(reference.statistic)
    assert p == pytest.approx(reference.pvalue, rel=1e-10)


def test_mann_whitney_of_identical_constants_is_not_significant() -> None:
    assert mann_whitney_u([1.0, 1.0, 1.0], [1.0, 1.0]) == (3.0, 1.0)


def test_benjamini_hochberg_matches_scipy() -> None:
    p = [0.01, 0.04, 0.03, 0.2, 0.001, 0.5, 0.04, 0.9]
    expected = scipy_stats.false_discovery_control(p)
    assert benjamini_hochberg(p) == pytest.approx(list(expected), rel=1e-12)


def test_benjamini_hochberg_by_hand() -> None:
    # sorted p: 0.01, 0.02, 0.03 → 0.03, 0.03, 0.03 (m=3): the step-up takes the minimum.
    assert benjamini_hochberg([0.03, 0.01, 0.02]) == pytest.approx([0.03, 0.03, 0.03])
    assert benjamini_hochberg([0.5]) == [0.5]
    assert benjamini_hochberg([]) == []


def test_inflation_factor() -> None:
    assert inflation_factor([]) == 1.0
    assert inflation_factor([0.1, -0.2, 0.3]) == 1.0  # never shrinks
    z = [0.6744897501960817 * 2] * 5 + [-0.6744897501960817 * 2] * 4
    assert inflation_factor(z) == pytest.approx(2.0)


def test_samples_needed() -> None:
    # within 0.0004 at n=10 (sd 2%): to reach sd 1% with no drift needs 40 per side.
    assert samples_needed(10, 0.0004, 0.0, 0.01) == 40
    # drift 0.00005 leaves 0.00005 for within: 10 * 0.0004 / 0.00005 = 80.
    assert samples_needed(10, 0.0004, 0.00005, 0.01) == 80
    assert samples_needed(10, 0.0004, 0.0002, 0.01) is None  # drift alone too large
    assert samples_needed(10, 0.0, 0.0, 0.01) == 11


@pytest.mark.parametrize("n", [1001, 1250, 20000])
def test_binomial_half_cdf_of_large_samples_uses_a_close_normal_approximation(n: int) -> None:
    k = round(n / 2 - math.sqrt(n)) - 1
    assert binomial_half_cdf(k, n) == pytest.approx(scipy_stats.binom.cdf(k, n, 0.5), abs=1e-4)


def brute_force_hodges_lehmann(x: list[float], y: list[float]) -> tuple[float, float, float]:
    """The textbook definition with NumPy: all differences, Mann–Whitney ranks."""
    d = np.sort(np.subtract.outer(np.array(y), np.array(x)).ravel())
    m, n = len(x), len(y)
    sigma = math.sqrt(m * n * (m + n + 1) / 12)
    rank = max(1, math.floor(m * n / 2 - scipy_stats.norm.ppf(0.975) * sigma))
    return float(np.median(d)), float(d[rank - 1]), float(d[m * n - rank])


@pytest.mark.parametrize(("m", "n"), [(3, 3), (5, 8), (10, 10), (30, 25)])
def test_hodges_lehmann_matches_brute_force(m: int, n: int) -> None:
    rng = random.Random(m * 100 + n)
    x = sorted(rng.gauss(0.0, 1.0) for _ in range(m))
    y = sorted(rng.gauss(0.7, 1.0) for _ in range(n))
    result = hodges_lehmann_shift(x, y)
    estimate, low, high = brute_force_hodges_lehmann(x, y)
    assert (result.estimate, result.low, result.high) == pytest.approx((estimate, low, high))


def test_hodges_lehmann_by_hand() -> None:
    # differences of [1, 2] against [3, 5]: 1, 2, 3, 4 → median 2.5; m n = 4 so C = 1:
    # the interval is the whole range, with coverage z = (2 - 1 + 0.5) / sqrt(5/3).
    result = hodges_lehmann_shift([1.0, 2.0], [3.0, 5.0])
    assert (result.estimate, result.low, result.high) == (2.5, 1.0, 4.0)
    assert result.se == pytest.approx(3.0 / (2 * 1.5 / math.sqrt(5 / 3)))


def test_hodges_lehmann_standard_error_matches_the_spread_of_estimates() -> None:
    rng = np.random.default_rng(11)
    estimates, errors = [], []
    for _ in range(600):
        x, y = np.sort(rng.normal(0, 1, 20)), np.sort(rng.normal(0, 1, 20))
        result = hodges_lehmann_shift(list(x), list(y))
        estimates.append(result.estimate)
        errors.append(result.se)
    assert float(np.mean(errors)) == pytest.approx(float(np.std(estimates)), rel=0.1)


def test_compressed_hodges_lehmann_stays_close_to_exact() -> None:
    rng = random.Random(5)
    x = sorted(rng.lognormvariate(0.0, 0.3) for _ in range(200))
    y = sorted(rng.lognormvariate(0.1, 0.3) for _ in range(150))
    exact = hodges_lehmann_shift(x, y)
    compressed = hodges_lehmann_shift(block_means(x, 32), block_means(y, 32), counts=(200, 150))
    assert compressed.estimate == pytest.approx(exact.estimate, abs=0.01)
    assert compressed.se == pytest.approx(exact.se, rel=0.1)


def test_block_means() -> None:
    assert block_means([1.0, 2.0, 3.0], 5) == [1.0, 2.0, 3.0]
    assert block_means([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], 3) == [1.5, 3.5, 6.0]  # 2, 2, 3


@pytest.mark.parametrize(("m", "n"), [(5, 5), (20, 20), (7, 12)])
def test_least_rank_test_p_is_scipys_exact_p_of_complete_separation(m: int, n: int) -> None:
    x = [float(i) for i in range(m)]
    y = [float(100 + i) for i in range(n)]
    exact = scipy_stats.mannwhitneyu(x, y, method="exact").pvalue
    assert least_rank_test_p(m, n) == pytest.approx(exact, rel=1e-9)


def test_least_rank_test_p_of_large_runs_is_zero_not_an_overflow() -> None:
    assert least_rank_test_p(600, 600) == 0.0  # C(1200, 600) is beyond any float
    assert least_rank_test_p(1, 1) == 1.0


def test_least_rank_test_p_of_huge_counts_returns_at_once() -> None:
    """A baseline store's summary gives its sample counts as numbers: C(2e12, 1e12) is not
    computed (``perf-gate history`` of such a store ran for ever), its p is 0.0 anyway."""
    code = "from perf_gate.judge.stats import least_rank_test_p as p; print(p(10**12, 10**12))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=20, check=True
    )
    assert done.stdout.strip() == "0.0"


@pytest.mark.parametrize("m", [1, 2, 3, 5, 20, 40, 100, 200, 300, 600])
def test_least_rank_test_p_is_the_exact_quotient_wherever_it_is_not_zero(m: int) -> None:
    """Bit for bit ``2 / C(m + n, m)`` (correctly rounded int division) up to where it is 0.0."""
    for n in [*range(1, 50), 100, 300, 1000, 10**4, 10**6]:
        assert least_rank_test_p(m, n) == min(1.0, 2 / math.comb(m + n, m)), (m, n)
        assert least_rank_test_p(n, m) == least_rank_test_p(m, n)
