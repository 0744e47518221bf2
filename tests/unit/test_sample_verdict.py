"""Verdicts for sample-bearing metrics: decisions, pinned numbers and explanations."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import numpy as np
import pytest
from scipy import stats as scipy_stats

from perf_gate.judge.sample_verdict import (
    HL_POINTS,
    CaseSummary,
    SampleCase,
    judge_suite,
    judge_summaries,
    summarise_case,
    summarise_run,
)

TEN = [float(v) for v in range(10, 20)]  # median 14.5; order statistics x(2)=11, x(9)=18


def lognormal(rng: random.Random, n: int, factor: float = 1.0, cv: float = 0.02) -> list[float]:
    return [factor * rng.lognormvariate(0.0, cv) for _ in range(n)]


def case(
    baseline: Sequence[float],
    current: Sequence[float],
    *,
    key: str = "bench",
    tolerance: float = 5.0,
    direction: str = "lower",
    history: Sequence[Sequence[float]] = (),
) -> SampleCase:
    assert direction in ("lower", "higher")
    return SampleCase(key, baseline, current, tolerance, direction, history)  # type: ignore[arg-type]


def test_ten_percent_slower_is_pinned_against_a_brute_force_hodges_lehmann() -> None:
    verdict = judge_suite([case(TEN, [v * 1.1 for v in TEN])])[0]
    # All 100 differences of log times; Mann–Whitney rank C = floor(50 - 1.96 sqrt(175)) = 24.
    x = np.log(TEN)
    differences = np.sort(np.subtract.outer(x + math.log(1.1), x).ravel())
    sigma = math.sqrt(10 * 10 * 21 / 12)
    rank = math.floor(50 - scipy_stats.norm.ppf(0.975) * sigma)
    assert rank == 24
    se = (differences[100 - rank] - differences[rank - 1]) / (2 * (50 - rank + 0.5) / sigma)
    assert se == pytest.approx(0.1113929, abs=1e-7)
    z95 = scipy_stats.norm.ppf(0.975)
    assert verdict.change_pct == pytest.approx(10.0)
    assert verdict.low_pct == pytest.approx(100 * math.expm1(math.log(1.1) - z95 * se))
    assert verdict.high_pct == pytest.approx(100 * math.expm1(math.log(1.1) + z95 * se))
    assert verdict.p_value == pytest.approx(2 * scipy_stats.norm.sf(math.log(1.1) / se))
    assert verdict.p_value == pytest.approx(0.392207, abs=1e-6)
    assert verdict.q_value == verdict.p_value  # a single case: BH changes nothing
    # ±24 % wide: too noisy to call +10 % clear with 10 samples → warn, with a sample count:
    # 10 * se² / (log(1.1) / 1.96)² = 52.5 → 53.
    assert verdict.status == "warn"
    assert "about 53 samples per side" in verdict.explanation


def test_clear_slowdown_beyond_tolerance_fails() -> None:
    rng = random.Random(1)
    verdict = judge_suite([case(lognormal(rng, 30), lognormal(rng, 30, 1.10))])[0]
    assert verdict.status == "fail"
    assert verdict.method == "hodges-lehmann"
    assert 5.0 < verdict.low_pct < verdict.change_pct < verdict.high_pct
    assert verdict.p_value < 1e-6


def test_clear_but_small_change_within_tolerance_passes() -> None:
    rng = random.Random(2)
    verdict = judge_suite([case(lognormal(rng, 60, cv=0.005), lognormal(rng, 60, 1.02, 0.005))])[0]
    assert verdict.p_value < 0.001  # the change is real …
    assert verdict.status == "pass"  # … but well inside 5 %
    assert verdict.change_pct == pytest.approx(2.0, abs=0.5)


def test_clear_speedup_beyond_tolerance_is_improved() -> None:
    rng = random.Random(3)
    verdict = judge_suite([case(lognormal(rng, 30), lognormal(rng, 30, 0.85))])[0]
    assert verdict.status == "improved"
    assert verdict.change_pct < -5.0


def test_higher_is_better_turns_the_direction_round() -> None:
    rng = random.Random(4)
    baseline = lognormal(rng, 30)
    dropped = judge_suite([case(baseline, [v * 0.85 for v in baseline], direction="higher")])[0]
    rose = judge_suite([case(baseline, [v * 1.15 for v in baseline], direction="higher")])[0]
    assert (dropped.status, rose.status) == ("fail", "improved")
    assert dropped.change_pct == pytest.approx(-15.0)  # signed as current vs baseline
    assert rose.change_pct == pytest.approx(15.0)


def test_noisy_samples_warn_and_say_how_many_samples_would_help() -> None:
    rng = random.Random(1)
    verdict = judge_suite([case(lognormal(rng, 5, cv=0.15), lognormal(rng, 5, 1.25, 0.15))])[0]
    assert verdict.status == "warn"
    assert "about 16 samples per side" in verdict.explanation
    assert "samples per side would make a change this size clear" in verdict.explanation


def test_explanation_names_test_interval_and_sample_counts() -> None:
    rng = random.Random(6)
    verdict = judge_suite([case(lognormal(rng, 30), lognormal(rng, 25, 1.1))])[0]
    text = verdict.explanation
    assert text.startswith("fail: +")
    assert "95% interval" in text and "Hodges–Lehmann" in text
    assert "25 vs 30 samples" in text
    assert "Benjamini–Hochberg over 1 metrics" in text


def test_too_few_samples_fall_back_to_the_plain_tolerance_rule() -> None:
    verdict = judge_suite([case([1.0, 1.0], [1.2, 1.2])])[0]
    assert verdict.method == "tolerance"
    assert verdict.status == "fail"
    assert verdict.change_pct == pytest.approx(20.0)
    assert "plain tolerance rule" in verdict.explanation


def test_no_usable_sample_is_a_warn_not_a_crash() -> None:
    verdicts = judge_suite([case([0.0, -1.0], [1.0, 1.0, 1.0]), case(TEN, TEN)])
    assert verdicts[0].status == "warn"
    assert "no usable" in verdicts[0].explanation and "baseline" in verdicts[0].explanation
    assert verdicts[1].status == "pass"


def test_identical_constant_samples_pass() -> None:
    verdict = judge_suite([case([2.0] * 5, [2.0] * 5)])[0]
    assert (verdict.status, verdict.change_pct, verdict.p_value) == ("pass", 0.0, 1.0)


def test_suite_q_values_are_benjamini_hochberg_of_the_p_values() -> None:
    rng = random.Random(7)
    cases = [
        case(lognormal(rng, 20), lognormal(rng, 20, 1.0 + 0.01 * i), key=f"b{i}") for i in range(12)
    ]
    verdicts = judge_suite(cases)
    expected = scipy_stats.false_discovery_control([v.p_value for v in verdicts])
    assert [v.q_value for v in verdicts] == pytest.approx(list(expected))
    assert all(v.q_value >= v.p_value for v in verdicts)


def test_suite_control_keeps_a_lone_borderline_result_from_failing() -> None:
    rng = random.Random(8)
    borderline = (lognormal(rng, 20, cv=0.05), lognormal(rng, 20, 1.08, cv=0.05))
    alone = judge_suite([case(*borderline)])[0]
    quiet = [case(lognormal(rng, 20), lognormal(rng, 20), key=f"q{i}") for i in range(200)]
    in_suite = judge_suite([case(*borderline), *quiet])[0]
    assert alone.p_value < 0.05
    assert in_suite.q_value > alone.q_value


def test_history_that_drifts_widens_the_interval() -> None:
    rng = random.Random(9)
    baseline, current = lognormal(rng, 30), lognormal(rng, 30, 1.08)
    history = [lognormal(rng, 30, factor) for factor in (0.93, 1.06, 0.95, 1.07, 0.96)]
    plain = judge_suite([case(baseline, current)])[0]
    widened = judge_suite([case(baseline, current, history=history)])[0]
    assert plain.status == "fail"
    assert widened.method == "hodges-lehmann+history"
    assert widened.high_pct - widened.low_pct > 3 * (plain.high_pct - plain.low_pct)
    assert widened.status == "warn"
    assert "run-to-run drift" in widened.explanation
    assert "more samples" in widened.explanation  # drift, not sample count, limits


def test_steady_history_keeps_the_within_run_interval() -> None:
    rng = random.Random(10)
    baseline, current = lognormal(rng, 30), lognormal(rng, 30, 1.10)
    history = [lognormal(rng, 30) for _ in range(5)]
    verdict = judge_suite([case(baseline, current, history=history)])[0]
    assert verdict.status == "fail"


def shared_runner_suite(
    rng: random.Random, current_type: int, slowed: dict[int, float], benchmarks: int = 20
) -> list[SampleCase]:
    """Runs on two runner types that differ in speed (+15 %) and in profile (±8 %)."""
    profile = [rng.choice((-0.08, 0.08)) for _ in range(benchmarks)]
    types = [0, 1, 0, 1, 0, 1]  # history (5 runs) then baseline: baseline on type 1

    def run(kind: int, b: int, factor: float = 1.0) -> list[float]:
        level = math.exp(kind * (0.15 + profile[b]))
        return lognormal(rng, 10, factor * level, cv=0.01)

    return [
        case(
            run(types[-1], b),
            run(current_type, b, slowed.get(b, 1.0)),
            key=f"b{b}",
            history=[run(kind, b) for kind in types[:-1]],
        )
        for b in range(benchmarks)
    ]


def test_suite_history_compares_with_the_run_on_the_same_runner_type() -> None:
    rng = random.Random(11)
    verdicts = judge_suite(shared_runner_suite(rng, current_type=0, slowed={3: 1.12}))
    assert all(v.method == "hodges-lehmann+suite-history" for v in verdicts)
    assert "compared with the run 1 before the baseline" in verdicts[0].explanation
    assert verdicts[3].status == "fail"
    assert verdicts[3].change_pct == pytest.approx(12.0, abs=1.5)
    assert [v.status for i, v in enumerate(verdicts) if i != 3] == ["pass"] * 19


def test_suite_history_sees_a_regression_on_the_baselines_runner_type() -> None:
    rng = random.Random(12)
    verdicts = judge_suite(shared_runner_suite(rng, current_type=1, slowed={5: 1.12}))
    assert "compared with the run" not in verdicts[0].explanation  # the baseline itself
    assert verdicts[5].status == "fail"
    assert sum(v.status != "pass" for v in verdicts) == 1


def test_whole_suite_moving_beyond_tolerance_with_history_warns_instead_of_passing() -> None:
    rng = random.Random(13)
    verdicts = judge_suite(
        shared_runner_suite(rng, current_type=1, slowed={b: 1.25 for b in range(20)})
    )
    assert {v.status for v in verdicts} == {"warn"}
    assert all(v.change_pct == pytest.approx(25.0, abs=2.0) for v in verdicts)
    assert "the whole suite moved +2" in verdicts[0].explanation
    assert "measure base and head in the same job" in verdicts[0].explanation


def test_verdicts_keep_the_order_of_the_cases() -> None:
    rng = random.Random(14)
    cases = [
        case(lognormal(rng, 20), lognormal(rng, 20, f), key=k)
        for k, f in (("slow", 1.3), ("same", 1.0), ("fast", 0.7))
    ]
    assert [v.status for v in judge_suite(cases)] == ["fail", "pass", "improved"]


def test_summaries_can_be_judged_directly_and_scaled_exactly() -> None:
    summary = summarise_case(case(TEN, TEN))
    assert isinstance(summary, CaseSummary)
    assert summary.runs[-1] == summarise_run(TEN)
    assert summary.tolerance == pytest.approx(math.log(1.05))
    slower = CaseSummary(
        summary.key,
        summary.sign,
        summary.tolerance_pct,
        summary.current.scaled(1.1),
        summary.runs,
    )
    direct = judge_suite([case(TEN, [v * 1.1 for v in TEN])])[0]
    judged = judge_summaries([slower])[0]
    assert judged.status == direct.status
    assert (judged.change_pct, judged.low_pct, judged.p_value) == pytest.approx(
        (direct.change_pct, direct.low_pct, direct.p_value)
    )
    assert judge_summaries([]) == []


def test_scaling_a_run_moves_every_log_point() -> None:
    run = summarise_run([1.0, 2.0, 4.0])
    assert run is not None
    moved = run.scaled(2.0)
    assert moved.log_median == pytest.approx(math.log(4.0))
    assert moved.points == pytest.approx(tuple(p + math.log(2.0) for p in run.points))
    assert (moved.variance, moved.count) == (run.variance, run.count)


def test_large_runs_are_compressed_for_the_shift_estimate() -> None:
    rng = random.Random(15)
    run = summarise_run(lognormal(rng, 1000))
    assert run is not None and run.count == 1000
    assert len(run.points) == HL_POINTS
    assert list(run.points) == sorted(run.points)


def test_summarise_run_ignores_unusable_values() -> None:
    run = summarise_run([float("nan"), -1.0, 0.0, 4.0, 2.0, 3.0])
    assert run is not None
    assert (run.count, run.log_median) == (3, pytest.approx(math.log(3.0)))
    assert run.points == pytest.approx((math.log(2.0), math.log(3.0), math.log(4.0)))
    assert summarise_run([0.0]) is None
    single = summarise_run([5.0])
    assert single is not None and single.variance == 0.0


def test_summarise_run_keeps_finite_samples_too_large_to_add_up() -> None:
    run = summarise_run([1e308, 1e308, 1e308])  # math.fsum raised OverflowError here
    assert run is not None
    assert (run.count, run.log_median) == (3, math.log(1e308))


def test_without_history_a_lone_regression_in_a_suite_fails() -> None:
    rng = random.Random(16)
    cases = [
        case(lognormal(rng, 30), lognormal(rng, 30, 1.12 if b == 4 else 1.0), key=f"b{b}")
        for b in range(20)
    ]
    verdicts = judge_suite(cases)
    assert [v.status for v in verdicts].count("fail") == 1
    assert verdicts[4].status == "fail"
    assert "suite-wide shift" not in verdicts[4].explanation  # nothing taken out without history


def test_without_history_a_change_that_slows_the_whole_suite_fails() -> None:
    rng = random.Random(17)
    cases = [case(lognormal(rng, 30), lognormal(rng, 30, 1.2), key=f"b{b}") for b in range(20)]
    verdicts = judge_suite(cases)
    assert {v.status for v in verdicts} == {"fail"}  # a suite-wide regression is never missed
    assert verdicts[0].change_pct == pytest.approx(20.0, abs=2.0)


def test_a_slower_machine_moves_timings_and_throughputs_together() -> None:
    rng = random.Random(18)
    cases = [case(lognormal(rng, 30), lognormal(rng, 30, 1.02), key=f"t{b}") for b in range(6)] + [
        case(lognormal(rng, 30), lognormal(rng, 30, 1 / 1.02), key=f"r{b}", direction="higher")
        for b in range(6)
    ]
    verdicts = judge_suite(cases)
    assert {v.status for v in verdicts} == {"pass"}
    assert verdicts[0].change_pct == pytest.approx(2.0, abs=0.7)  # timings: slower
    assert verdicts[-1].change_pct == pytest.approx(-2.0, abs=0.7)  # throughputs: lower


def _suite_with_varied_noise(rng: random.Random, factor: float) -> list[SampleCase]:
    """Twelve benchmarks of one harness run whose noise differs 50-fold (0.1 %..5 %)."""
    cvs = [0.001, 0.002, 0.003, 0.005, 0.008, 0.01, 0.015, 0.02, 0.03, 0.04, 0.045, 0.05]
    return [
        case(lognormal(rng, 10, cv=cv), lognormal(rng, 10, factor, cv=cv), key=f"b{b}")
        for b, cv in enumerate(cvs)
    ]


def test_a_doubled_suite_with_varied_noise_fails_with_sane_intervals() -> None:
    # issue 13.1: all z-scores huge and unequal; centring on the median z left their
    # spread as "noise", widened every interval x146 and turned each 2x into a warn.
    verdicts = judge_suite(_suite_with_varied_noise(random.Random(30), 2.0))
    assert {v.status for v in verdicts} == {"fail"}
    for verdict in verdicts:
        assert 80.0 < verdict.low_pct < verdict.change_pct < verdict.high_pct < 125.0
        assert "widened" not in verdict.explanation


def test_an_unchanged_suite_with_varied_noise_passes() -> None:
    verdicts = judge_suite(_suite_with_varied_noise(random.Random(31), 1.0))
    assert {v.status for v in verdicts} == {"pass"}


def test_half_a_suite_doubled_fails_every_doubled_benchmark() -> None:
    rng = random.Random(32)
    cases = _suite_with_varied_noise(rng, 1.0)
    doubled = _suite_with_varied_noise(rng, 2.0)
    mixed = [doubled[i] if i % 2 else cases[i] for i in range(len(cases))]
    verdicts = judge_suite(mixed)
    assert [v.status for v in verdicts] == ["pass", "fail"] * 6
    assert max(v.high_pct for v in verdicts) < 125.0


def test_a_debug_build_slowing_each_benchmark_differently_fails_them_all() -> None:
    # No common factor to centre on: every benchmark is a change, none calibrates.
    rng = random.Random(33)
    cvs = [0.001, 0.003, 0.01, 0.02, 0.03, 0.05]
    cases = [
        case(lognormal(rng, 10, cv=cv), lognormal(rng, 10, factor, cv=cv), key=f"b{b}")
        for b, (cv, factor) in enumerate((cv, factor) for cv in cvs for factor in (1.6, 3.0, 9.0))
    ]
    verdicts = judge_suite(cases)
    assert {v.status for v in verdicts} == {"fail"}
    for verdict in verdicts:  # each interval a few percent of the ratio wide, never absurd
        assert verdict.high_pct - verdict.low_pct < 0.2 * (100.0 + verdict.change_pct)


def test_p_values_are_never_below_what_an_exact_test_of_these_counts_can_give() -> None:
    # issue 13.9: p=1.4e-20 (or p=0) beside "Mann–Whitney" for 20 vs 20 samples; an exact
    # two-sided test of 20 vs 20 cannot go below 2 / C(40, 20) = 1.45e-11.
    rng = random.Random(34)
    floor = 2.0 / math.comb(40, 20)
    separated = judge_suite([case(lognormal(rng, 20), lognormal(rng, 20, 2.0))])[0]
    constant = judge_suite([case([10.0] * 20, [20.0] * 20)])[0]
    for verdict in (separated, constant):
        assert verdict.status == "fail"
        assert verdict.p_value == pytest.approx(floor)
        assert verdict.q_value >= verdict.p_value
        assert "p≤1.5e-11 (the least 20 vs 20 samples can give)" in verdict.explanation
