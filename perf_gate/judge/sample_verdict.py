"""Noise-aware verdicts for metrics that carry raw samples on both sides.

How a verdict is reached (all on the log scale, where a ratio is a difference):

1. The change is the Hodges–Lehmann shift between the current and the reference
   run's log samples (the median of all pairwise differences; runs above
   :data:`HL_POINTS` samples are compressed to that many block means first), with
   the distribution-free interval inverted from the Mann–Whitney test and the
   standard error implied by it (:mod:`perf_gate.judge.stats`).
2. Without history the reference is the baseline. With earlier baseline runs the
   metric's run-to-run drift (the spread of consecutive runs' log medians beyond
   what their own Price–Bonett standard errors explain) is added to the variance.
3. With history for a whole suite (at least :data:`MIN_SUITE` metrics with the same
   number of runs) shared-runner effects are modelled explicitly: the reference is
   the newest run whose *profile* across the suite (which benchmarks are slow
   relative to the others) matches the current run — runner types differ in that
   profile, not only in speed — and the suite's common shift (the median change
   over all metrics: a faster or slower runner) is taken out of every metric. The
   drift is learned the same way from each earlier run against its own closest
   run. A common shift beyond the tolerance turns passes into warns: a slower
   runner and a change that slows everything cannot be told apart. Without suite
   history nothing is taken out, so a change that slows every benchmark fails.
4. With a suite of at least :data:`MIN_SUITE` metrics the statistics are
   recalibrated by the genomic-control inflation factor of the residuals around the
   suite's common change (:func:`_run_inflation`), so that a change that moves every
   benchmark is not mistaken for noise and a metric that clearly changed never
   calibrates (a run noisier than its samples claim widens every interval; without
   history only the part beyond :data:`UNCALIBRATED_SLACK`). P-values are two-sided
   normal (Student t for a small suite dominated by a few history runs) and become
   Benjamini–Hochberg q-values; those reported are never below what an exact rank
   test of the sample counts could give (``2 / C(m + n, m)``).
5. ``fail`` when the change is clear (``q <= alpha``) and beyond the tolerance in
   the bad direction; ``improved`` when clear and beyond it in the good direction;
   ``warn`` when the estimate is beyond the tolerance but not clear (the explanation
   says how many samples would make it clear, or that run-to-run drift and not the
   sample count is what limits); ``pass`` otherwise.

Fewer than :data:`MIN_SAMPLES` samples on a side gives the plain tolerance
rule on the medians, marked as such.

Over 400 lines because the five steps above are one statistical model whose parts
(reference choice, drift, suite shift, calibration) share their intermediate values;
the pure statistics it rests on are in :mod:`perf_gate.judge.stats`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Literal

from perf_gate.core.model import Direction
from perf_gate.core.sample_summary import HL_POINTS, RunSummary, SampleSummary
from perf_gate.judge.batch_stats import lower_half_residuals, run_numbers, shift_estimates
from perf_gate.judge.stats import (
    ShiftEstimate,
    benjamini_hochberg,
    block_means,
    inflation_factor,
    least_rank_test_p,
    log_median_se_of_logs,
    median,
    median_of_sorted,
    normal_quantile,
    samples_needed,
    student_t_quantile,
    two_sided_normal_p,
    two_sided_t_p,
)
from perf_gate.judge.verdict import MIN_SAMPLES

__all__ = [
    "HL_POINTS",
    "MIN_SUITE",
    "CaseSummary",
    "Direction",
    "Evidence",
    "RunSummary",
    "SampleCase",
    "SampleVerdict",
    "judge_suite",
    "judge_summaries",
    "summarise_case",
    "summarise_cases",
    "summarise_run",
    "summarise_runs",
]

SampleStatus = Literal["pass", "warn", "fail", "improved"]

MIN_SUITE = 8
"""Metrics needed before suite-wide calibration and runner-profile matching apply."""

UNCALIBRATED_SLACK = 2.0
"""Without suite history, a run is trusted up to this many times the noise its samples
show before the inflation factor widens its intervals: worker processes differ more
than the samples within one do (pyperf A/A halves on a tuned machine: median 1.5x),
and the tolerance, not the interval, is what keeps such small excess from failing."""

CALIBRATION_BAND = 4.0
"""A metric whose change from the suite's common change exceeds this many tolerances
is a change, not a sample of the run's noise: it never widens the run's intervals."""

CENTRE_CANDIDATES = 64
"""Candidate centres (suite estimates at evenly spaced ranks) tried for the common change."""

PROFILE_SLACK = 1.5
"""A run whose profile distance is within this factor of the best (plus
:data:`PROFILE_NOISE` sampling noise) counts as a match; the newest such run is the
reference, so older code is compared with only when the runner profile demands it."""

PROFILE_NOISE = 0.5
"""Allowance, in standard errors of a run-to-run difference, added to the profile match."""


Evidence = Sequence[float] | SampleSummary
"""A run of a metric: its samples, or their :class:`SampleSummary` (judged alike)."""


@dataclass(frozen=True)
class SampleCase:
    """One sample-bearing metric of a run, with its baseline (and older baselines)."""

    key: str
    baseline: Evidence
    current: Evidence
    tolerance_pct: float
    direction: Direction
    history: Sequence[Evidence] = ()


@dataclass(frozen=True)
class SampleVerdict:
    """The decision for one :class:`SampleCase`; percentages signed as current vs baseline."""

    status: SampleStatus
    change_pct: float
    low_pct: float
    high_pct: float
    p_value: float
    q_value: float
    method: str
    explanation: str


@dataclass(frozen=True)
class CaseSummary:
    """Everything :func:`judge_summaries` needs of a case; ``runs[-1]`` is the baseline.

    ``sign`` is +1 when lower is better and -1 when higher is better, so that
    ``sign * (log current - log reference)`` is positive for a regression.
    """

    key: str
    sign: float
    tolerance_pct: float
    current: RunSummary
    runs: tuple[RunSummary, ...]

    @property
    def tolerance(self) -> float:
        """The tolerance as a log ratio."""
        return math.log1p(self.tolerance_pct / 100.0)


def summarise_run(samples: Sequence[float]) -> RunSummary | None:
    """Summarise a run's samples; values that are not finite and positive are ignored.

    Returns ``None`` when no usable value is left.
    """
    usable = sorted(samples)
    # All positive and finite: a NaN or an infinity makes the (C-level) sum non-finite, and
    # so do finite values too large to add up, which the filter below then keeps.
    if not usable or not usable[0] > 0.0 or not math.isfinite(sum(usable)):
        usable = [value for value in usable if value > 0.0 and math.isfinite(value)]
        usable.sort()  # a NaN leaves the first sort's order undefined; else already sorted
        if not usable:
            return None
    logs = list(map(math.log, usable))
    variance = log_median_se_of_logs(logs) ** 2 if len(logs) >= 2 else 0.0
    points = tuple(block_means(logs, HL_POINTS))
    return RunSummary(median_of_sorted(logs), variance, len(usable), points)


def summarise_runs(runs: Sequence[Sequence[float]]) -> list[RunSummary | None]:
    """:func:`summarise_run` of each run, in order; many runs of one length together
    (:func:`perf_gate.judge.batch_stats.run_numbers`: the same floats)."""
    return [
        RunSummary(*numbers) if numbers is not None else summarise_run(run)
        for run, numbers in zip(runs, run_numbers(runs, HL_POINTS), strict=True)
    ]


def summarise_case(case: SampleCase) -> CaseSummary | None:
    """Summarise a case; ``None`` when the current or baseline run has no usable sample.

    History runs without usable samples are dropped (the remaining ones keep
    their order).
    """
    return summarise_cases([case])[0]


def _summarised(runs: Sequence[Evidence]) -> list[RunSummary | None]:
    """Each run's summary: a :class:`SampleSummary`'s own, the samples' in one batch."""
    raw = summarise_runs([run for run in runs if not isinstance(run, SampleSummary)])
    made = iter(raw)
    return [run.run if isinstance(run, SampleSummary) else next(made) for run in runs]


def summarise_cases(cases: Sequence[SampleCase]) -> list[CaseSummary | None]:
    """:func:`summarise_case` of each case, in order, with every run summarised in one batch."""
    runs = _summarised(
        [run for case in cases for run in (case.current, case.baseline, *case.history)]
    )
    summaries: list[CaseSummary | None] = []
    start = 0
    for case in cases:
        current, baseline, *history = runs[start : start + 2 + len(case.history)]
        start += 2 + len(case.history)
        if current is None or baseline is None:
            summaries.append(None)
            continue
        kept = (*(run for run in history if run is not None), baseline)
        sign = 1.0 if case.direction == "lower" else -1.0
        summaries.append(CaseSummary(case.key, sign, case.tolerance_pct, current, kept))
    return summaries


def judge_suite(cases: Sequence[SampleCase], *, alpha: float = 0.05) -> list[SampleVerdict]:
    """Judge all sample-bearing metrics of one run together (FDR across the suite).

    The verdicts come in the same order as ``cases``.
    """
    summaries = summarise_cases(cases)
    judged = judge_summaries([s for s in summaries if s is not None], alpha=alpha)
    verdicts = iter(judged)
    return [
        next(verdicts) if summary is not None else _unusable(case)
        for case, summary in zip(cases, summaries, strict=True)
    ]


@dataclass(frozen=True)
class _Assessment:
    """The evidence about one case before suite-wide calibration and decision."""

    estimate: float  # regression-signed log change after taking out the suite shift
    within: float  # within-run variance of the estimate (current + reference)
    drift: float  # extra run-to-run variance learned from history
    df: float | None  # Student t degrees of freedom; None for normal
    reference_back: int  # 0 = the baseline, k = the run k places before it
    suite_shift: float  # regression-signed common shift taken out (0.0 when none)
    history_runs: int  # earlier runs the drift was learned from
    count_current: int
    count_reference: int
    in_suite: bool = False  # assessed with the suite's runner-profile model
    centered: bool = False  # the suite's common shift was taken out of ``estimate``

    @property
    def testable(self) -> bool:
        return min(self.count_current, self.count_reference) >= MIN_SAMPLES

    @property
    def variance(self) -> float:
        return self.within + self.drift


@dataclass(frozen=True)
class _SuiteShift:
    """The common shift of a suite and what history says about such shifts."""

    shift: float  # regression-signed
    sd: float | None  # RMS of common shifts between matched earlier runs; None: no history


def judge_summaries(
    summaries: Sequence[CaseSummary], *, alpha: float = 0.05
) -> list[SampleVerdict]:
    """Judge summarised cases as one suite; the verdicts come in the same order.

    This is :func:`judge_suite` after summarising; callers that judge many
    variants of the same data (the evaluation harness) summarise once.
    """
    assessments, suite = _assess(summaries)
    testable = [i for i, a in enumerate(assessments) if a.testable]
    inflation = 1.0
    if len(testable) >= MIN_SUITE:
        slack = 1.0 if suite is not None and suite.sd is not None else UNCALIBRATED_SLACK
        inflation = max(
            1.0,
            _run_inflation(
                [assessments[i] for i in testable], [summaries[i].tolerance for i in testable]
            )
            / slack,
        )
    p_values = [_p_value(assessments[i], inflation) for i in testable]
    q_of = dict(zip(testable, benjamini_hochberg(p_values), strict=True))
    p_of = dict(zip(testable, p_values, strict=True))
    context = _Context(alpha, inflation, len(testable), suite)
    return [
        _decide(summary, assessment, p_of.get(i, 1.0), q_of.get(i, 1.0), context)
        for i, (summary, assessment) in enumerate(zip(summaries, assessments, strict=True))
    ]


def _run_inflation(assessments: Sequence[_Assessment], tolerances: Sequence[float]) -> float:
    """How much noisier this run is than its samples claim (1.0: no more).

    The genomic-control factor of the residuals around the suite's common change,
    not around 0: a change that moves every benchmark (a debug build, a bad
    allocator) is not noise and must not widen itself away. The common change is
    the centre around which the shorter half of the suite's standardised residuals
    lies (robust to up to half the suite changing, by any mix of factors); a metric
    further than :data:`CALIBRATION_BAND` tolerances from it is a change, not a
    sample of the run's noise, and does not calibrate. With fewer than
    ``MIN_SUITE // 2`` metrics left there is nothing to calibrate on: 1.0.
    """
    usable = [
        (a.estimate, math.sqrt(a.variance), tolerance)
        for a, tolerance in zip(assessments, tolerances, strict=True)
        if a.variance > 0.0
    ]
    if len(usable) < MIN_SUITE // 2:
        return 1.0
    estimates = sorted(estimate for estimate, _, _ in usable)
    step = max(1, len(estimates) // CENTRE_CANDIDATES)
    candidates = {*estimates[::step], median_of_sorted(estimates)}

    ordered = sorted(candidates)
    half_widths = lower_half_residuals(
        [estimate for estimate, _, _ in usable], [sd for _, sd, _ in usable], ordered
    )
    rough = ordered[half_widths.index(min(half_widths))]
    near = [
        (estimate, sd)
        for estimate, sd, tolerance in usable
        if abs(estimate - rough) <= CALIBRATION_BAND * tolerance
    ]
    if len(near) < MIN_SUITE // 2:
        return 1.0
    # The shortest half is found by minimising its width, which would understate the
    # spread; the centre that calibrates is the plain median of the metrics near it.
    centre = median([estimate for estimate, _ in near])
    return inflation_factor([(estimate - centre) / sd for estimate, sd in near])


# --------------------------------------------------------------------------- evidence


def _assess(
    summaries: Sequence[CaseSummary],
) -> tuple[list[_Assessment], _SuiteShift | None]:
    """Assess every case: in suite mode when enough cases share a full history.

    Each case is measured against its reference run (the baseline, or in suite mode the
    run whose runner profile matches), and every case's Hodges–Lehmann shift is computed
    in one batch before the cases are assessed.
    """
    longest = max((len(s.runs) for s in summaries), default=0)
    aligned = [
        i
        for i, s in enumerate(summaries)
        if longest >= 2 and len(s.runs) == longest and _can_test(s.current, s.runs[-1])
    ]
    # No suite history: nothing tells a slower machine from a change that slows
    # everything, so nothing is taken out — a suite-wide regression must fail.
    model = _suite_model([summaries[i] for i in aligned]) if len(aligned) >= MIN_SUITE else None
    in_suite = dict(zip(aligned, range(len(aligned)), strict=True)) if model else {}
    references = [
        s.runs[model.reference] if model is not None and i in in_suite else s.runs[-1]
        for i, s in enumerate(summaries)
    ]
    shifts = shift_estimates(
        [
            (reference.points, s.current.points, (reference.count, s.current.count))
            for s, reference in zip(summaries, references, strict=True)
        ]
    )
    assessments = [
        _assess_in_suite(s, shift, model, in_suite[i])
        if model is not None and i in in_suite
        else _assess_alone(s, shift)
        for i, (s, shift) in enumerate(zip(summaries, shifts, strict=True))
    ]
    return assessments, model.suite if model is not None else None


def _can_test(current: RunSummary, reference: RunSummary) -> bool:
    return min(current.count, reference.count) >= MIN_SAMPLES


def _assess_alone(summary: CaseSummary, shift: ShiftEstimate) -> _Assessment:
    """Against the baseline, widened by this metric's own consecutive-run drift;
    ``shift`` is the Hodges–Lehmann shift of the current run against the baseline."""
    runs, current = summary.runs, summary.current
    baseline = runs[-1]
    diffs = [summary.sign * (b.log_median - a.log_median) for a, b in pairwise(runs)]
    within = shift.se * shift.se
    drift, df = 0.0, None
    if diffs:
        observed = sum(d * d for d in diffs) / len(diffs)
        expected = sum(a.variance + b.variance for a, b in pairwise(runs)) / len(diffs)
        drift = max(0.0, observed - expected)
        if drift > within:
            df = float(len(diffs))
    return _Assessment(
        estimate=summary.sign * shift.estimate,
        within=within,
        drift=drift,
        df=df,
        reference_back=0,
        suite_shift=0.0,
        history_runs=len(runs) - 1,
        count_current=current.count,
        count_reference=baseline.count,
    )


@dataclass(frozen=True)
class _SuiteModel:
    """What the suite's runs say: the reference run, the common shift, each case's drift."""

    reference: int  # index into every case's ``runs``
    suite: _SuiteShift
    drift: tuple[float, ...]  # per case, in the order of the suite's cases
    runs: int  # runs per case


def _suite_model(summaries: Sequence[CaseSummary]) -> _SuiteModel:
    """Runner-aware model of cases that all have the same runs (oldest first)."""
    k = len(summaries[0].runs)
    profiles = [[s.sign * s.runs[j].log_median for s in summaries] for j in range(k)]
    now = [s.sign * s.current.log_median for s in summaries]
    noise = math.sqrt(2.0 * median([run.variance for s in summaries for run in s.runs]))
    reference, shift, _ = _closest_run(now, profiles, range(k), noise)

    squared = [0.0] * len(summaries)
    expected = [0.0] * len(summaries)
    shifts_squared = 0.0
    for a in range(k):
        others = [j for j in range(k) if j != a]
        partner, pair_shift, _ = _closest_run(profiles[a], profiles, others, noise)
        shifts_squared += pair_shift * pair_shift
        for b, s in enumerate(summaries):
            residual = profiles[a][b] - profiles[partner][b] - pair_shift
            squared[b] += residual * residual
            expected[b] += s.runs[a].variance + s.runs[partner].variance
    suite = _SuiteShift(shift=shift, sd=math.sqrt(shifts_squared / k))
    drift = tuple(max(0.0, (sq - ex) / k) for sq, ex in zip(squared, expected, strict=True))
    return _SuiteModel(reference, suite, drift, k)


def _assess_in_suite(
    summary: CaseSummary, shift: ShiftEstimate, model: _SuiteModel, position: int
) -> _Assessment:
    """Against the model's reference run, with the suite's common shift taken out;
    ``shift`` is the Hodges–Lehmann shift of the current run against that reference."""
    k = model.runs
    return _Assessment(
        estimate=summary.sign * shift.estimate - model.suite.shift,
        within=shift.se * shift.se,
        drift=model.drift[position],
        df=None,
        reference_back=k - 1 - model.reference,
        suite_shift=model.suite.shift,
        history_runs=k - 1,
        count_current=summary.current.count,
        count_reference=summary.runs[model.reference].count,
        in_suite=True,
        centered=True,
    )


def _closest_run(
    target: Sequence[float],
    profiles: Sequence[Sequence[float]],
    candidates: Sequence[int],
    noise: float,
) -> tuple[int, float, float]:
    """Return ``(run, common shift, spread)`` of the newest candidate that matches ``target``.

    The common shift is the median of ``target - profile``; the spread (the
    profile distance) is the median absolute deviation around it. A candidate
    matches when its spread is at most :data:`PROFILE_SLACK` times the smallest
    plus :data:`PROFILE_NOISE` times ``noise`` (the typical standard error of one
    metric's difference between two runs), so that runs differing by sampling
    noise alone all match and the newest of them wins.
    """
    measured = []
    for j in candidates:
        differences = [t - p for t, p in zip(target, profiles[j], strict=True)]
        shift = median(differences)
        measured.append((j, shift, median([abs(d - shift) for d in differences])))
    best = min(spread for _, _, spread in measured)
    limit = PROFILE_SLACK * best + PROFILE_NOISE * noise + 1e-12
    return max((m for m in measured if m[2] <= limit), key=lambda m: m[0])


# --------------------------------------------------------------------------- decision


@dataclass(frozen=True)
class _Context:
    alpha: float
    inflation: float
    tests: int
    suite: _SuiteShift | None


def _p_value(assessment: _Assessment, inflation: float) -> float:
    sd = math.sqrt(assessment.variance) * inflation
    if sd == 0.0:
        return 0.0 if assessment.estimate != 0.0 else 1.0
    z = assessment.estimate / sd
    if assessment.df is not None:
        return two_sided_t_p(z, assessment.df)
    return two_sided_normal_p(z)


def _least_p(assessment: _Assessment) -> float:
    return least_rank_test_p(assessment.count_current, assessment.count_reference)


def _p_text(p: float, assessment: _Assessment) -> str:
    floor = _least_p(assessment)
    if p > floor * (1.0 + 1e-9):
        return f"p={p:.2g}"
    counts = f"{assessment.count_current} vs {assessment.count_reference}"
    return f"p≤{floor:.2g} (the least {counts} samples can give)"


@lru_cache(maxsize=64)
def _critical(alpha: float, df: float | None) -> float:
    if df is None:
        return normal_quantile(1.0 - alpha / 2.0)
    return student_t_quantile(1.0 - alpha / 2.0, df)


def _to_pct(sign: float, regression_log: float) -> float:
    """Regression-signed log change → percent change of current vs reference."""
    return math.expm1(max(-700.0, min(700.0, sign * regression_log))) * 100.0


def _decide(
    summary: CaseSummary, assessment: _Assessment, p: float, q: float, context: _Context
) -> SampleVerdict:
    if not assessment.testable:
        return _plain_rule(summary, assessment)
    tolerance = summary.tolerance
    estimate = assessment.estimate
    sd = math.sqrt(assessment.variance) * context.inflation
    critical = _critical(context.alpha, assessment.df)
    clear = q <= context.alpha
    status: SampleStatus
    if clear and estimate > tolerance:
        status = "fail"
    elif clear and estimate < -tolerance:
        status = "improved"
    elif estimate > tolerance:
        status = "warn"
    else:
        status = "pass"
    reason = _reason(status, assessment, sd, critical, p, q, context)
    suite = context.suite
    if status == "pass" and suite is not None and assessment.centered:
        total = assessment.estimate + assessment.suite_shift
        # Only with suite history is the common shift taken out. Real GitHub runners move
        # whole suites by 10-30 % between runs, beyond anything 5 earlier runs show
        # (django-asv: failing on such shifts adds 0.6-1.9 points of false fails), so a
        # suite that moved as a whole warns: only same-job A/B can tell the two apart.
        if assessment.suite_shift > tolerance and total > tolerance:
            status, estimate = "warn", total
            if suite.sd is None:
                known = "no earlier runs say how much this machine drifts"
            else:
                sd = math.sqrt(sd * sd + suite.sd * suite.sd)
                known = f"earlier runs differed by ±{math.expm1(suite.sd) * 100:.1f}%"
            reason = (
                f"; the whole suite moved {_to_pct(1.0, assessment.suite_shift):+.1f}% "
                f"({known}): a slower machine and a change that slows everything cannot "
                "be told apart — measure base and head in the same job"
            )
    # The normal tail goes where no rank test of these counts can (p=1e-20 for 20 vs 20):
    # what is reported is never below the least p an exact test could give.
    floor = _least_p(assessment)
    p, q = max(p, floor), max(q, floor)
    low, high = estimate - critical * sd, estimate + critical * sd
    sign = summary.sign
    change = _to_pct(sign, estimate)
    low_pct, high_pct = sorted((_to_pct(sign, low), _to_pct(sign, high)))
    method = _method(assessment)
    explanation = (
        f"{status}: {change:+.1f}% (95% interval {low_pct:+.1f}% to {high_pct:+.1f}%), "
        f"Hodges–Lehmann shift of log times, Mann–Whitney-based interval, "
        f"{assessment.count_current} vs {assessment.count_reference} samples"
        f"{_history_note(assessment, context)}; {_p_text(p, assessment)}, q={q:.2g} "
        f"(Benjamini–Hochberg over {context.tests} metrics); "
        f"tolerance {summary.tolerance_pct:g}%{reason}"
    )
    return SampleVerdict(status, change, low_pct, high_pct, p, q, method, explanation)


def _method(assessment: _Assessment) -> str:
    if assessment.in_suite:
        return "hodges-lehmann+suite-history"
    return "hodges-lehmann+history" if assessment.history_runs else "hodges-lehmann"


def _history_note(assessment: _Assessment, context: _Context) -> str:
    parts = []
    if assessment.history_runs:
        parts.append(
            f"run-to-run drift ±{_sd_pct(assessment.drift)} learned from "
            f"{assessment.history_runs + 1} baseline runs"
        )
    if assessment.reference_back:
        parts.append(
            f"compared with the run {assessment.reference_back} before the baseline "
            "(closest runner profile)"
        )
    if assessment.centered:
        parts.append(f"suite-wide shift {_to_pct(1.0, assessment.suite_shift):+.1f}% taken out")
    if context.inflation > 1.0:
        parts.append(f"intervals widened ×{context.inflation:.2f} for this run's noise")
    return "".join(f", {part}" for part in parts)


def _sd_pct(variance: float) -> str:
    return f"{math.expm1(math.sqrt(variance)) * 100.0:.1f}%"


def _reason(
    status: SampleStatus,
    assessment: _Assessment,
    sd: float,
    critical: float,
    p: float,
    q: float,
    context: _Context,
) -> str:
    """For a warn: why it is not clear and what would make it clear.

    The sample count is the one at which a change of the estimated size would
    reach ``q <= alpha`` with the suite's present Benjamini–Hochberg multiplier.
    """
    if status != "warn":
        return ""
    multiplier = q / p if p > 0.0 else 1.0
    needed_z = normal_quantile(1.0 - min(0.5, context.alpha / multiplier) / 2.0)
    needed = samples_needed(
        min(assessment.count_current, assessment.count_reference),
        assessment.within,
        assessment.drift,
        assessment.estimate / (needed_z * context.inflation),
    )
    if needed is None:
        return (
            f"; beyond tolerance but not clear: this metric's run-to-run drift "
            f"(±{_sd_pct(assessment.drift)}) is too large for more samples to help — "
            "measure base and head in the same job"
        )
    return (
        f"; beyond tolerance but not clear at ±{math.expm1(critical * sd) * 100.0:.1f}%: "
        f"about {needed} samples per side would make a change this size clear"
    )


def _plain_rule(summary: CaseSummary, assessment: _Assessment) -> SampleVerdict:
    """Too few samples for a test: the plain tolerance rule on the medians."""
    raw = assessment.estimate + assessment.suite_shift
    change = _to_pct(summary.sign, raw)
    status: SampleStatus
    if raw > summary.tolerance:
        status = "fail"
    elif raw < -summary.tolerance:
        status = "improved"
    else:
        status = "pass"
    explanation = (
        f"{status}: {change:+.1f}% (median ratio), plain tolerance rule "
        f"({summary.tolerance_pct:g}%): only {assessment.count_current} vs "
        f"{assessment.count_reference} samples, at least {MIN_SAMPLES} per side "
        "are needed for a test"
    )
    return SampleVerdict(status, change, change, change, 1.0, 1.0, "tolerance", explanation)


def _unusable(case: SampleCase) -> SampleVerdict:
    return SampleVerdict(
        "warn",
        0.0,
        0.0,
        0.0,
        1.0,
        1.0,
        "none",
        f"warn: {case.key} has no usable (finite, positive) sample on the "
        f"{'current' if not _has_usable(case.current) else 'baseline'} side",
    )


def _has_usable(samples: Evidence) -> bool:
    if isinstance(samples, SampleSummary):
        return samples.run is not None
    return any(value > 0.0 and math.isfinite(value) for value in samples)
