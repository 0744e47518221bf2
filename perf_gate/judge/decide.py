"""From judged rows and input findings to the gate's status and the routing decision."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

from perf_gate.core.config import Config
from perf_gate.core.model import Finding
from perf_gate.judge.verdict import Row, Status

GateStatus = Literal["pass", "fail", "skipped"]

CONCLUSION = {"pass": "success", "fail": "failure", "skipped": "neutral"}


@dataclass(frozen=True)
class Decision:
    status: GateStatus
    conclusion: str
    reason: str  # short machine-friendly reason: comprehensive_validation, regression_detected...
    route: str
    route_reason: str
    counts: dict[str, int]
    failing: tuple[Row, ...]
    blocking_findings: tuple[Finding, ...]


def status_counts(rows: list[Row]) -> dict[str, int]:
    """Rows by status value, every status in :class:`Status` order (0 where none)."""
    counter = Counter(row.status for row in rows)  # members: .value is a Python call each
    return {status.value: counter[status] for status in Status}


def decide(
    rows: list[Row],
    findings: tuple[Finding, ...],
    config: Config,
    *,
    gpu_problem: str | None = None,
) -> Decision:
    """The gate: any failing metric or blocking finding fails it; nothing comparable skips it.

    ``gpu_problem`` is set when a GPU was expected but is missing or broken: the route
    then goes to the hardware route whatever the metrics say.
    """
    counts = status_counts(rows)
    failing = tuple(row for row in rows if row.status is Status.FAIL)
    blocking = tuple(f for f in findings if f.severity == "fail")
    compared = counts["pass"] + counts["warn"] + counts["fail"]
    routes = config.routes
    improvements = [r for r in rows if r.improvement]
    other_warns = [r for r in rows if r.status is Status.WARN and not r.improvement]

    status: GateStatus
    if blocking or failing:
        status = "fail"
        if blocking:
            reason = "dishonest_or_failed_run" if not failing else "regression_and_failed_run"
        else:
            reason = "regression_detected"
    elif compared == 0:
        status = "skipped"
        reason = (gpu_problem and "no-gpu-available") or "no-baseline"
    else:
        status = "pass"
        reason = "comprehensive_validation"

    if gpu_problem:
        route, why = routes.hardware, f"hardware problem: {gpu_problem}"
    elif status == "fail":
        parts = [f"{len(failing)} metric(s) beyond threshold"] if failing else []
        parts += [f.message for f in blocking]
        head = "needs optimization" if failing else "the results cannot be trusted"
        route, why = routes.fail, f"{head}: " + "; ".join(parts)
    elif status == "skipped":
        route = routes.baseline_update
        why = "no baseline to compare with: establish one from this run"
    elif improvements and not other_warns:
        route = routes.baseline_update
        why = (
            f"{len(improvements)} metric(s) improved beyond tolerance: the baseline needs updating"
        )
    elif other_warns or improvements:
        route = routes.pass_
        why = (
            f"performance validated with {len(other_warns) + len(improvements)} warning(s) "
            f"({len(improvements)} improvement(s), {len(other_warns)} inconclusive or minor)"
        )
    else:
        route, why = routes.pass_, "performance validated: all metrics within thresholds"
    return Decision(
        status=status,
        conclusion=CONCLUSION[status],
        reason=reason,
        route=route,
        route_reason=why,
        counts=counts,
        failing=failing,
        blocking_findings=blocking,
    )
