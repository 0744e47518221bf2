"""Bencher Metric Format: ``{benchmark: {measure: {value, lower_value?, upper_value?}}}``.

Written by ``bencher run --format json`` adapters, or by any script targeting Bencher.
A ``latency`` measure (ns) is a timing named by the benchmark itself; every other
measure is ``<benchmark> <measure>``: ``throughput`` (operations per second) is
higher-is-better, ``build-time`` (s) a build time, ``file-size`` (bytes) a size in MB,
and custom measures (``instructions``, ``cycles``...) are kept as counts, lower is
better. ``lower_value``/``upper_value`` become ``lower``/``upper``.
"""

from __future__ import annotations

from typing import Any

from perf_gate.core.model import DEFAULT_DIRECTION, Device, Kind, Metric, ParseResult
from perf_gate.core.units import to_mb, to_ns
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import (
    Sniff,
    device_from_name,
    finite,
    json_path,
    one_file,
    validate_or_raise,
)

# Bencher's built-in measures: (kind, canonical unit, conversion to that unit)
_MEASURES: dict[str, tuple[Kind, str, float]] = {
    "latency": (Kind.TIMING, "ns", 1.0),
    "throughput": (Kind.THROUGHPUT, "ops/s", 1.0),
    "build-time": (Kind.BUILD_TIME, "ns", to_ns(1.0, "s")),
    "file-size": (Kind.MEMORY, "MB", to_mb(1.0, "b")),
}


def _is_measure(value: Any) -> bool:
    return isinstance(value, dict) and "value" in value


class BencherBmf:
    name = "bencher-bmf"
    description = "bencher run --adapter json (Bencher Metric Format JSON)"
    schema: str | None = "bencher-bmf.schema.json"

    def detect(self, sniff: Sniff) -> bool:
        doc = sniff.json
        return (
            isinstance(doc, dict)
            and bool(doc)
            and all(
                isinstance(measures, dict)
                and bool(measures)
                and all(_is_measure(m) for m in measures.values())
                for measures in doc.values()
            )
        )

    def parse(self, sniff: Sniff) -> ParseResult:
        doc = sniff.json_or_error()
        validate_or_raise(sniff, doc, "bencher-bmf.schema.json")
        device = device_from_name(sniff.path)
        metrics = [
            self._metric(sniff, bench, measure, result, device)
            for bench, measures in doc.items()
            for measure, result in measures.items()
        ]
        return one_file(sniff, self.name, metrics)

    def _metric(
        self, sniff: Sniff, bench: str, measure: str, result: dict[str, Any], device: Device | None
    ) -> Metric:
        kind, unit, scale = _MEASURES.get(measure, (Kind.OTHER, "count", 1.0))
        where = json_path([bench, measure])
        numbers = {
            key: finite(result[key], sniff, f"{where}.{key}", positive=kind is not Kind.OTHER)
            * scale
            for key in ("value", "lower_value", "upper_value")
            if key in result
        }
        return Metric(
            name=bench if measure == "latency" else f"{bench} {measure}",
            value=numbers["value"],
            unit=unit,
            kind=kind,
            direction=DEFAULT_DIRECTION[kind],
            device=device,
            lower=numbers.get("lower_value"),
            upper=numbers.get("upper_value"),
            source=str(sniff.path),
            format=self.name,
        )


register(BencherBmf(), priority=0)
