"""The judge's vocabulary: a :class:`Threshold`, the :class:`Status` of a metric, a :class:`Row`.

Plain data that the report and publish layers read; the rules that produce it live in
:mod:`perf_gate.judge.policy` and :mod:`perf_gate.judge.compare`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal

from perf_gate.core.model import Direction, Metric
from perf_gate.core.units import format_value

MIN_SAMPLES = 5
"""The one rule for when samples exist: at least this many on each side go to the
sample test (:mod:`perf_gate.judge.sample_verdict`); fewer get the plain tolerance rule."""


@dataclass(frozen=True)
class Threshold:
    """What a metric is judged against."""

    direction: Direction
    tolerance: float | None = None  # ± percent change allowed
    floor: float | None = None  # absolute minimum of the current value
    ceiling: float | None = None  # absolute maximum of the current value
    critical: bool = True  # a non-critical regression only warns
    ignore: bool = False
    source: str = "default"  # "policy #N", "default", "--threshold", "harness"

    unit: str = ""

    def describe(self) -> str:
        """The Threshold column: ``±5%``, ``≥99%``, ``≤1e-05``, ``±5%, ≥99%``."""
        parts = []
        suffix = self.unit if self.unit in ("%", "×") else ""
        if self.tolerance is not None:
            parts.append(f"±{self.tolerance:g}%")
        if self.floor is not None:
            parts.append(f"≥{self.floor:g}{suffix}")
        if self.ceiling is not None and self.unit == "ns":
            parts.append(f"≤{format_value(self.ceiling, 'ns')}")
        elif self.ceiling is not None:
            parts.append(f"≤{self.ceiling:g}{suffix}")
        return ", ".join(parts) if parts else "—"


class Status(str, enum.Enum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    NEW = "new"
    MISSING = "missing"
    SKIPPED = "skipped"


STATUS_CELL = {
    Status.PASS: "✅ PASS",
    Status.WARN: "⚠️ WARN",
    Status.FAIL: "❌ FAIL",
    Status.NEW: "new",
    Status.MISSING: "missing",
    Status.SKIPPED: "skipped",
}
"""How a status reads in a table cell: the job summary, the check run and the receipt's
readers show the same words."""

SEVERITY = {
    Status.FAIL: 0,
    Status.WARN: 1,
    Status.MISSING: 2,
    Status.NEW: 3,
    Status.PASS: 4,
    Status.SKIPPED: 5,
}
"""Worst first: the order of rows in every table."""


Method = Literal["samples", "plain", "floor", "test", "none"]


@dataclass(frozen=True)
class Row:
    """The verdict on one metric: one row of the table and of the receipt."""

    metric: Metric  # the current metric, or the baseline one when it is missing now
    baseline: Metric | None
    current: Metric | None
    threshold: Threshold
    status: Status
    explanation: str
    method: Method
    delta_pct: float | None = None
    interval_pct: tuple[float, float] | None = None
    improvement: bool = False
