"""The simple custom JSON list, and github-action-benchmark's custom shapes.

``[{"name", "unit", "value", "samples"?, "direction"?, "kind"?, "device"?, "range"?, "extra"?}]``.
``direction`` is ``lower``/``higher`` (also ``smaller``/``bigger``); without it the
unit decides (``*/s`` rates are higher-is-better, times and sizes lower-is-better).
"""

from __future__ import annotations

from typing import Any

from perf_gate.core.errors import InputError
from perf_gate.core.model import DEFAULT_DIRECTION, Direction, Kind, Metric, ParseResult
from perf_gate.core.units import is_memory_unit, is_time_unit, to_mb, to_ns
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import Sniff, finite, one_file, validate_or_raise

_DIRECTIONS: dict[str, Direction] = {
    "lower": "lower",
    "smaller": "lower",
    "smaller_is_better": "lower",
    "higher": "higher",
    "bigger": "higher",
    "bigger_is_better": "higher",
}


def infer_kind(unit: str, name: str) -> Kind:
    """Guess what a custom metric measures from its unit and name."""
    lowered = unit.lower()
    if is_time_unit(unit):
        return Kind.TIMING
    if is_memory_unit(unit):
        return Kind.MEMORY
    if "tok" in lowered and "/s" in lowered:
        return Kind.INFERENCE
    if lowered.endswith("/s") or lowered.endswith("ps") or "per sec" in lowered:
        return Kind.THROUGHPUT
    if lowered in ("%", "percent") and "accuracy" in name.lower():
        return Kind.ACCURACY
    return Kind.OTHER


def _canonical(value: float, unit: str, kind: Kind) -> tuple[float, str]:
    if kind is Kind.TIMING:
        return to_ns(value, unit), "ns"
    if kind is Kind.MEMORY:
        return to_mb(value, unit), "MB"
    return value, unit


class Custom:
    name = "custom"
    description = "a JSON list of {name, unit, value, samples?, direction?} written by any script"
    schema: str | None = "custom.schema.json"

    def detect(self, sniff: Sniff) -> bool:
        doc = sniff.json
        return (
            isinstance(doc, list)
            and bool(doc)
            and all(isinstance(item, dict) and {"name", "value"} <= item.keys() for item in doc)
        )

    def parse(self, sniff: Sniff) -> ParseResult:
        doc = sniff.json_or_error()
        validate_or_raise(sniff, doc, "custom.schema.json")
        metrics = [self._metric(sniff, i, item) for i, item in enumerate(doc)]
        return one_file(sniff, self.name, metrics)

    def _metric(self, sniff: Sniff, i: int, item: dict[str, Any]) -> Metric:
        where = f"$[{i}]"
        unit = str(item.get("unit", ""))
        name = str(item["name"])
        kind = Kind(item["kind"]) if "kind" in item else infer_kind(unit, name)
        direction = _DIRECTIONS.get(str(item.get("direction", "")).lower())
        if direction is None:
            direction = DEFAULT_DIRECTION[kind]
        positive = kind in (Kind.TIMING, Kind.MEMORY, Kind.THROUGHPUT, Kind.INFERENCE)
        raw = finite(item["value"], sniff, f"{where}.value", positive=positive)
        value, canonical_unit = _canonical(raw, unit, kind)
        samples = tuple(
            _canonical(finite(s, sniff, f"{where}.samples[{j}]", positive=positive), unit, kind)[0]
            for j, s in enumerate(item.get("samples") or [])
        )
        device = item.get("device")
        if device not in (None, "cpu", "gpu"):
            raise InputError(
                f"device must be cpu or gpu, got {device!r}",
                path=str(sniff.path),
                where=f"{where}.device",
            )
        return Metric(
            name=name,
            value=value,
            unit=canonical_unit,
            kind=kind,
            direction=direction,
            device=device,
            samples=samples,
            source=str(sniff.path),
            format=self.name,
        )


register(Custom())
