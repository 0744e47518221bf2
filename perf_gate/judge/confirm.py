"""Which judged metrics are worth measuring again: the *suspects*.

A metric is a suspect when its first verdict is beyond the tolerance in the bad
direction but not clearly so:

- a ``warn`` whose change is beyond the tolerance (a regression the test could not
  make clear), or
- a ``fail`` whose 95 % interval reaches back inside the tolerance (clear that it
  changed, not clear that it changed by more than the tolerance), or one decided by
  the plain tolerance rule, without a test.

A ``fail`` whose whole interval lies beyond the tolerance is clear: it fails in one
round and is not measured again. Improvements, passes and metrics without a
tolerance are never suspects. ``perf-gate run`` re-measures the suspects, pools the
new samples with the first ones and the final verdict is reached on the pool.
"""

from __future__ import annotations

from collections.abc import Sequence

from perf_gate.core.model import Direction
from perf_gate.judge.verdict import Row, Status


def is_suspect(
    status: str,
    change_pct: float | None,
    interval_pct: tuple[float, float] | None,
    tolerance_pct: float | None,
    direction: Direction,
) -> bool:
    """The rule above, on plain values (``status`` is ``pass``/``warn``/``fail``/...)."""
    if status not in ("warn", "fail") or change_pct is None or tolerance_pct is None:
        return False
    sign = 1.0 if direction == "lower" else -1.0
    if sign * change_pct <= tolerance_pct:
        return False  # not beyond the tolerance in the bad direction
    if status == "warn" or interval_pct is None:
        return True
    nearest = min(sign * interval_pct[0], sign * interval_pct[1])
    return nearest < tolerance_pct


def suspects(rows: Sequence[Row]) -> list[Row]:
    """The rows of ``rows`` worth measuring again, in their order."""
    return [
        row
        for row in rows
        if row.method in ("samples", "plain")
        and not row.improvement
        and row.current is not None
        and is_suspect(
            "fail" if row.status is Status.FAIL else "warn" if row.status is Status.WARN else "",
            row.delta_pct,
            row.interval_pct,
            row.threshold.tolerance,
            row.threshold.direction,
        )
    ]
