"""Which threshold applies to a metric: the config's policies, then the seed's defaults.

Defaults (the seed's): CPU inference throughput ±5 %, GPU inference ±10 %,
quantization accuracy ≥ 99 %, memory ±2 %, timings ±5 %, build and test time ±10 %.
``--threshold`` / ``gate.threshold`` replaces the generic ±5 % for metrics that
neither a configured policy nor a kind-specific default names.
"""

from __future__ import annotations

from perf_gate.core.config import Config
from perf_gate.core.model import Kind, Metric
from perf_gate.judge.verdict import Threshold

GENERIC_TOLERANCE = 5.0
ACCURACY_FLOOR = 99.0
MEMORY_TOLERANCE = 2.0


def memory_tolerance(config: Config) -> float | None:
    """The tolerance a ``kind: memory`` policy for all memory metrics sets, if any:
    allocation counts and bytes (``leak`` metrics) are judged under it too."""
    for rule in config.policies:
        if rule.kind is Kind.MEMORY and not rule.match and rule.device is None:
            return rule.tolerance
    return None


def _kind_default(
    metric: Metric, generic: float
) -> tuple[float | None, float | None, float | None]:
    """(tolerance, floor, ceiling) the seed sets for this kind of metric."""
    if metric.kind is Kind.INFERENCE:
        return (10.0 if metric.device == "gpu" else 5.0), None, None
    if metric.kind is Kind.ACCURACY:
        return None, ACCURACY_FLOOR, None
    if metric.kind is Kind.MEMORY:
        return MEMORY_TOLERANCE, None, None
    if metric.kind in (Kind.BUILD_TIME, Kind.TEST_TIME):
        return 10.0, None, None
    if metric.kind is Kind.PARITY:
        return None, None, metric.tolerance
    if metric.kind is Kind.LEAK:
        rule = dict(metric.meta).get("leak")
        if rule == "zero":
            return None, None, 0.0  # any definitely-lost or leaked byte fails
        return (MEMORY_TOLERANCE if rule == "baseline" else None), None, None
    if metric.kind is Kind.DERIVED:
        tolerance, floor, _ = derived_limits(metric)
        return tolerance, floor, None
    return generic, None, None


def derived_limits(metric: Metric) -> tuple[float | None, float | None, bool]:
    """(tolerance, floor, critical) a derived metric was made with."""
    meta = dict(metric.meta)
    tolerance = float(meta["tolerance"]) if "tolerance" in meta else None
    floor = float(meta["floor"]) if "floor" in meta else None
    return tolerance, floor, meta.get("critical", "true") == "true"


def job_cap_ns(config: Config) -> float | None:
    """``gate.ci_timeout`` × ``gate.ci_timeout_share`` in nanoseconds: build or test time
    above it fails however small its relative change."""
    if config.ci_timeout is None:
        return None
    return config.ci_timeout * 1e9 * config.ci_timeout_share / 100.0


def resolve(metric: Metric, config: Config, cli_threshold: float | None = None) -> Threshold:
    """The threshold for ``metric``: the first matching policy overrides the defaults."""
    generic = cli_threshold if cli_threshold is not None else config.threshold
    tolerance, floor, ceiling = _kind_default(metric, generic or GENERIC_TOLERANCE)
    if metric.kind is Kind.LEAK and tolerance is not None:
        tolerance = memory_tolerance(config) or tolerance
    unit_floor = floor if metric.unit == "%" or metric.kind is Kind.DERIVED else None
    direction = metric.direction
    critical = derived_limits(metric)[2] if metric.kind is Kind.DERIVED else True
    ignore = False
    source = "default"
    if generic is not None and metric.kind in (
        Kind.TIMING,
        Kind.THROUGHPUT,
        Kind.LATENCY,
        Kind.OTHER,
    ):
        source = "--threshold" if cli_threshold is not None else "gate.threshold"
    for index, rule in enumerate(config.policies, start=1):
        if not rule.matches(metric):
            continue
        source = f"policy #{index}"
        if rule.tolerance is not None:
            tolerance = rule.tolerance
        if rule.floor is not None:
            unit_floor = rule.floor
        if rule.ceiling is not None:
            ceiling = rule.ceiling
        if rule.direction is not None:
            direction = rule.direction
        if rule.critical is not None:
            critical = rule.critical
        ignore = rule.ignore
        break
    if metric.kind in (Kind.BUILD_TIME, Kind.TEST_TIME) and metric.unit == "ns":
        cap = job_cap_ns(config)
        if cap is not None and (ceiling is None or cap < ceiling):
            ceiling = cap
    return Threshold(
        direction=direction,
        tolerance=tolerance,
        floor=unit_floor,
        ceiling=ceiling,
        critical=critical,
        ignore=ignore,
        source=source,
        unit=metric.unit,
    )
