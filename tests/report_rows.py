"""Judged rows built by hand, for the chart and report tests (names an attacker chose)."""

from __future__ import annotations

from perf_gate.core.model import Kind, Metric
from perf_gate.judge.verdict import Row, Status, Threshold

HOSTILE = [
    'a"] \n```\n%%{init: {"theme":"dark"}}%%',
    "<!-- gates:end --> @admin",
    "x-axis [evil] --> bar [1]",
    "`rm -rf` ]]] ;; ::error::boom",
]


def row(
    name: str,
    base: float,
    now: float,
    status: Status,
    tolerance: float = 5.0,
    samples: tuple[tuple[float, ...], tuple[float, ...]] = ((), ()),
) -> Row:
    def metric(value: float, values: tuple[float, ...]) -> Metric:
        return Metric(name, value, "ns", Kind.TIMING, "lower", samples=values)

    return Row(
        metric=metric(now, samples[1]),
        baseline=metric(base, samples[0]),
        current=metric(now, samples[1]),
        threshold=Threshold("lower", tolerance=tolerance),
        status=status,
        explanation="",
        method="plain",
        delta_pct=(now / base - 1) * 100,
    )


def hostile_rows() -> tuple[list[Row], dict[tuple[str, str], list[float]]]:
    """Four rows with hostile names, one failing with history (so one trend chart)."""
    statuses = [Status.FAIL, Status.PASS, Status.PASS, Status.PASS]
    rows = [
        row(name, 100.0, 100.0 + 3 * (i + 1), status)
        for i, (name, status) in enumerate(zip(HOSTILE, statuses, strict=True))
    ]
    return rows, {(HOSTILE[0], ""): [99.0, 101.0, 100.5]}
