"""Checks every run's metrics must pass, whatever format or file they came from:
impossible values (NaN, infinities, negative durations, sizes and rates), over-long names,
and duplicate names."""

from __future__ import annotations

import math
from collections.abc import Sequence

from perf_gate.core import limits
from perf_gate.core.errors import InputError
from perf_gate.core.model import Kind, Metric


def check_unique(metrics: Sequence[Metric]) -> None:
    """Two results with the same name on the same device cannot both be right."""
    seen: dict[tuple[str, str], Metric] = {}
    for metric in metrics:
        first = seen.setdefault(metric.key, metric)
        if first is not metric:
            where = first.source if first.source == metric.source else (f"also in {first.source}")
            raise InputError(
                f"duplicate metric name {metric.label!r} ({where})", path=metric.source
            )


_NEVER_NEGATIVE = {
    Kind.TIMING,
    Kind.THROUGHPUT,
    Kind.INFERENCE,
    Kind.LATENCY,
    Kind.MEMORY,
    Kind.BUILD_TIME,
    Kind.TEST_TIME,
}


def check_values(metrics: Sequence[Metric]) -> None:
    """NaN, infinities, negative durations, sizes and rates, and over-long names are bad
    input, whatever format they came in."""
    name_chars = limits.current().name_chars
    for metric in metrics:
        if len(metric.name) > name_chars:
            raise InputError(
                f"metric name of {len(metric.name):,} characters is longer than the "
                f"limit of {name_chars:,} (limits.name_chars)",
                path=metric.source,
            )
        bad = _first_bad(metric)
        if bad is not None:
            raise InputError(
                f"impossible value {bad:g} {metric.unit}".rstrip(),
                path=metric.source,
                where=f"metric {metric.name[:200]!r}",
            )


def _first_bad(metric: Metric) -> float | None:
    """The first impossible number of the metric (its value, samples, interval and
    tolerance, in that order), or ``None``. The scans run in C and copy nothing: the
    samples' ``sum`` is finite when every sample is (a NaN or an infinity makes it NaN or
    infinite; only finite values too large to add up send it to the search below, which
    then finds nothing), and one ``min`` finds a negative."""
    samples = metric.samples
    ends = [
        n for n in (metric.value, metric.lower, metric.upper, metric.tolerance) if n is not None
    ]
    if not (all(map(math.isfinite, ends)) and math.isfinite(sum(samples))):
        numbers = [metric.value, *samples, *ends[1:]]
        bad = next((n for n in numbers if not math.isfinite(n)), None)
        if bad is not None:
            return bad
    if metric.kind in _NEVER_NEGATIVE and (min(ends) < 0 or (samples and min(samples) < 0)):
        return next(n for n in [metric.value, *samples, *ends[1:]] if n < 0)
    return None
