"""Pair the current run with its baseline and judge each metric against its threshold.

Metrics with raw samples on both sides go to the noise-aware sample test
(:mod:`perf_gate.judge.sample_verdict`, judged together so the suite-wide false-alarm rate
is controlled); single values keep the plain tolerance rule; floors and ceilings are
absolute and apply even without a baseline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from perf_gate.core.config import Config
from perf_gate.core.errors import InputError
from perf_gate.core.model import Metric, RunSet
from perf_gate.core.model_json import COMMAND_MEMORY_FORMATS
from perf_gate.core.units import format_pct, format_value
from perf_gate.judge.memory_rule import judge_command_memory
from perf_gate.judge.policy import resolve
from perf_gate.judge.verdict import MIN_SAMPLES, Row, Status, Threshold

if TYPE_CHECKING:
    from perf_gate.judge.sample_verdict import Evidence, SampleCase, SampleVerdict


def delta_pct(baseline: float, current: float) -> float | None:
    """Signed percent change of ``current`` against ``baseline`` (None when baseline is 0)."""
    if baseline == 0:
        return None
    return (current - baseline) / abs(baseline) * 100.0


def _bad(delta: float, direction: str) -> bool:
    return delta > 0 if direction == "lower" else delta < 0


def _absolute_limits(current: Metric, threshold: Threshold) -> str | None:
    """The reason ``current`` breaks an absolute floor or ceiling, or None."""
    value = format_value(current.value, current.unit)
    suffix = current.unit if current.unit in ("%", "×") else ""
    if threshold.floor is not None and current.value < threshold.floor:
        return f"{value} is below the floor of {threshold.floor:g}{suffix}"
    if threshold.ceiling is not None and current.value > threshold.ceiling:
        limit = (
            format_value(threshold.ceiling, "ns")
            if current.unit == "ns"
            else f"{threshold.ceiling:g}{suffix}"
        )
        return f"{value} is above the ceiling of {limit}"
    return None


def _plain(base: Metric, cur: Metric, threshold: Threshold) -> Row:
    delta = delta_pct(base.value, cur.value)
    tol = threshold.tolerance
    fewest = min(base.sample_count, cur.sample_count)
    if fewest:
        head = f"plain tolerance rule (fewer than {MIN_SAMPLES} samples per side)"
    else:
        head = "plain tolerance rule (single values, no samples)"
    if delta is None or tol is None:
        return Row(
            cur, base, cur, threshold, Status.PASS, f"{head}: no relative limit", "plain", delta
        )
    shown = format_pct(delta)
    if abs(delta) <= tol:
        return Row(
            cur,
            base,
            cur,
            threshold,
            Status.PASS,
            f"{head}: {shown} within ±{tol:g}%",
            "plain",
            delta,
        )
    if _bad(delta, threshold.direction):
        status = Status.FAIL if threshold.critical else Status.WARN
        note = "" if threshold.critical else " (non-critical metric: warn only)"
        return Row(
            cur,
            base,
            cur,
            threshold,
            status,
            f"{head}: {shown} is a regression beyond ±{tol:g}%{note}",
            "plain",
            delta,
        )
    return Row(
        cur,
        base,
        cur,
        threshold,
        Status.WARN,
        f"{head}: {shown} is an improvement beyond ±{tol:g}%; the baseline needs updating",
        "plain",
        delta,
        improvement=True,
    )


def _from_samples(base: Metric, cur: Metric, threshold: Threshold, verdict: SampleVerdict) -> Row:
    status = {
        "pass": Status.PASS,
        "warn": Status.WARN,
        "fail": Status.FAIL,
        "improved": Status.WARN,
    }[verdict.status]
    explanation = verdict.explanation
    if status is Status.FAIL and not threshold.critical:
        status = Status.WARN
        explanation += " (non-critical metric: warn only)"
    if verdict.status == "improved":
        explanation += "; the baseline needs updating"
    return Row(
        cur,
        base,
        cur,
        threshold,
        status,
        explanation,
        "samples",
        verdict.change_pct,
        interval_pct=(verdict.low_pct, verdict.high_pct),
        improvement=verdict.status == "improved",
    )


def _judge_single(base: Metric | None, cur: Metric, threshold: Threshold) -> Row | None:
    """Rows decided without the sample test: tests, absolute limits, no baseline."""
    delta = delta_pct(base.value, cur.value) if base is not None else None
    if cur.passed is not None:
        status = Status.PASS if cur.passed else Status.FAIL
        word = "passed" if cur.passed else "FAILED"
        tol = f" (tolerance {cur.tolerance:g})" if cur.tolerance is not None else ""
        return Row(cur, base, cur, threshold, status, f"test {word}{tol}", "test", delta)
    broken = _absolute_limits(cur, threshold)
    if broken is not None:
        return Row(
            cur, base, cur, threshold, Status.FAIL, f"absolute limit: {broken}", "floor", delta
        )
    if base is None:
        return Row(cur, None, cur, threshold, Status.NEW, "no baseline for this metric yet", "none")
    if threshold.tolerance is None:
        return Row(
            cur,
            base,
            cur,
            threshold,
            Status.PASS,
            "absolute limit: within " + threshold.describe(),
            "floor",
            delta,
        )
    if base.value == 0:  # any change is an infinite percentage: not something to judge by
        raise InputError(
            f"baseline value of {base.label!r} is 0 {base.unit}; a relative tolerance "
            "cannot judge against 0 (set an absolute floor or ceiling for it instead)",
            path=base.source or None,
        )
    return None


def pair_baseline(cur: Metric, baseline: dict[tuple[str, str], Metric]) -> Metric | None:
    """The baseline metric for ``cur``: same name and device; failing that, a metric of
    the same name where one side says no device and the other side has exactly one
    (a criterion tree knows no device, a ``cpu-bench.log`` does)."""
    exact = baseline.get(cur.key)
    if exact is not None:
        return exact
    if cur.device is not None:
        return baseline.get((cur.name, ""))
    same = [m for key, m in baseline.items() if key[0] == cur.name]
    return same[0] if len(same) == 1 else None


def _history(cur: Metric, older: list[dict[tuple[str, str], Metric]]) -> tuple[Evidence, ...]:
    """Samples (or their summaries) of ``cur`` in the older baseline runs (all but the
    newest), oldest first."""
    out = []
    for run in older:
        metric = pair_baseline(cur, run)
        if metric is not None and metric.sample_count >= MIN_SAMPLES:
            out.append(metric.evidence)
    return tuple(out)


def compare(
    current: RunSet,
    baselines: list[RunSet],
    config: Config,
    cli_threshold: float | None = None,
) -> list[Row]:
    """Judge every metric of ``current`` against the newest of ``baselines`` (oldest first)."""
    newest = baselines[-1].by_key() if baselines else {}
    older = [run.by_key() for run in baselines[:-1]]  # indexed once, not once per metric
    matched: set[tuple[str, str]] = set()
    rows: list[Row | None] = []
    pending: list[tuple[int, Metric, Metric, Threshold]] = []
    cases: list[SampleCase] = []
    for cur in current.metrics:
        threshold = resolve(cur, config, cli_threshold)
        base = pair_baseline(cur, newest)
        if base is not None:
            matched.add(base.key)
        if threshold.ignore:
            rows.append(Row(cur, base, cur, threshold, Status.SKIPPED, "ignored by policy", "none"))
            continue
        if base is not None and base.unit != cur.unit:
            rows.append(
                Row(
                    cur,
                    base,
                    cur,
                    threshold,
                    Status.WARN,
                    f"units differ (baseline {base.unit}, current {cur.unit}); not compared",
                    "none",
                )
            )
            continue
        decided = _judge_single(base, cur, threshold)
        if decided is not None:
            rows.append(decided)
            continue
        assert base is not None and threshold.tolerance is not None
        sampled = base.sample_count >= MIN_SAMPLES and cur.sample_count >= MIN_SAMPLES
        if cur.format in COMMAND_MEMORY_FORMATS and threshold.source == "default" and not sampled:
            values = [m.value for m in (pair_baseline(cur, run) for run in older) if m]
            rows.append(judge_command_memory(base, cur, threshold, values))
            continue
        if sampled:
            pending.append((len(rows), base, cur, threshold))
            from perf_gate.judge.sample_verdict import SampleCase

            cases.append(
                SampleCase(
                    key=cur.label,
                    baseline=base.evidence,
                    current=cur.evidence,
                    tolerance_pct=threshold.tolerance,
                    direction=threshold.direction,
                    history=_history(cur, older),
                )
            )
            rows.append(None)
        else:
            rows.append(_plain(base, cur, threshold))
    if cases:
        from perf_gate.judge.sample_verdict import judge_suite

        verdicts = judge_suite(cases, alpha=config.alpha)
    else:
        verdicts = []
    for (index, base, cur, threshold), verdict in zip(pending, verdicts, strict=True):
        rows[index] = _from_samples(base, cur, threshold, verdict)
    for base in (newest[k] for k in newest if k not in matched):
        threshold = resolve(base, config, cli_threshold)
        status = Status.FAIL if config.missing == "fail" else Status.MISSING
        rows.append(
            Row(
                base,
                base,
                None,
                threshold,
                status,
                "in the baseline but not in the current results",
                "none",
            )
        )
    return [row for row in rows if row is not None]
