"""The noise-aware rule for memory that perf-gate measures of a whole command.

The peak RSS of a whole command (``wait4``) and the peak device memory sampled while
a GPU command ran move from run to run by a few percent in an unchanged Python or
CUDA process (allocator pools, import order, the CUDA context): the seed's ±2 % is
meant for memory figures a harness measures itself. Such a figure is judged

- against its history, when the baseline has at least :data:`MIN_HISTORY` runs of it:
  the limit is the larger of the tolerance and twice the largest swing seen in the
  history around its median;
- otherwise, within a generous band of :data:`NOISE_BAND_PCT` a regression only warns,
  and the explanation says why; beyond the band it fails.

Repeated measurements (samples on both sides) go to the sample test as usual.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from perf_gate.core.model import Metric
from perf_gate.core.units import format_pct
from perf_gate.judge.verdict import Row, Status, Threshold

NOISE_BAND_PCT = 10.0
MIN_HISTORY = 3
WHAT = "memory of the whole command, measured by perf-gate"


def _pct(base: float, value: float) -> float | None:
    return (value - base) / abs(base) * 100.0 if base else None


def judge_command_memory(
    base: Metric, cur: Metric, threshold: Threshold, history: Sequence[float]
) -> Row:
    """``history``: this figure in the older baseline runs, oldest first (without ``base``)."""
    tol = threshold.tolerance if threshold.tolerance is not None else 0.0
    delta = _pct(base.value, cur.value)
    values = [*history, base.value]

    def worse(change: float) -> bool:
        return change > 0 if threshold.direction == "lower" else change < 0

    def row(status: Status, text: str, improvement: bool = False) -> Row:
        if status is Status.FAIL and not threshold.critical:
            status, text = Status.WARN, text + " (non-critical metric: warn only)"
        return Row(cur, base, cur, threshold, status, text, "plain", delta, None, improvement)

    if delta is None:
        return row(Status.PASS, f"{WHAT}: baseline is 0, no relative limit")
    if len(values) >= MIN_HISTORY:
        center = statistics.median(values)
        swing = max(abs(_pct(center, v) or 0.0) for v in values)
        band = max(tol, 2.0 * swing)
        drift = _pct(center, cur.value) or 0.0
        head = (
            f"{WHAT}, judged by drift from {len(values)} runs of history: "
            f"{format_pct(drift)} against their median"
        )
        if abs(drift) <= band:
            return row(Status.PASS, f"{head}, within the noise band ±{band:.1f}%")
        if worse(drift):
            return row(Status.FAIL, f"{head} is a regression beyond the noise band ±{band:.1f}%")
        return row(
            Status.WARN,
            f"{head} is an improvement beyond ±{band:.1f}%; the baseline needs updating",
            improvement=True,
        )
    shown = format_pct(delta)
    if abs(delta) <= tol:
        return row(Status.PASS, f"{WHAT}: {shown} within ±{tol:g}%")
    if not worse(delta):
        return row(
            Status.WARN,
            f"{WHAT}: {shown} is an improvement beyond ±{tol:g}%; the baseline needs updating",
            improvement=True,
        )
    if abs(delta) <= NOISE_BAND_PCT:
        return row(
            Status.WARN,
            f"{WHAT}: {shown} is beyond ±{tol:g}% but within the ±{NOISE_BAND_PCT:g}% band of "
            "run-to-run noise of a process; with one value per side and no history it "
            "only warns (a baseline with history judges drift)",
        )
    return row(
        Status.FAIL,
        f"{WHAT}: {shown} is a regression beyond the ±{NOISE_BAND_PCT:g}% noise band",
    )
