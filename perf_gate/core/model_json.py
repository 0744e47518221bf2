"""The data model as JSON: metrics and findings to and from the dicts that manifests and
baseline files store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from perf_gate.core.model import Finding, Kind, Metric
from perf_gate.core.sample_summary import SampleSummary, summary_to_json

MEMORY_FORMAT = "rusage"  # peak RSS from the child's resource usage: not a "method"
GPU_MEMORY_FORMAT = "gpu-sampler"  # peak device memory sampled while a GPU command ran
COMMAND_MEMORY_FORMATS = frozenset({MEMORY_FORMAT, GPU_MEMORY_FORMAT})
"""Memory of a whole command measured by perf-gate, not by the harness: run-to-run noise
of a Python or CUDA process is judged by the noise-aware memory rule, not at ±2 %."""


_KINDS = {kind.value: kind for kind in Kind}


def metric_to_dict(metric: Metric) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": metric.name,
        "value": metric.value,
        "unit": metric.unit,
        "kind": metric.kind.value,
        "direction": metric.direction,
    }
    if metric.device:
        out["device"] = metric.device
    if metric.samples:
        out["samples"] = list(metric.samples)
    elif metric.summary is not None:
        out["summary"] = summary_to_json(metric.summary)
    for key in ("lower", "upper", "passed", "tolerance"):
        if getattr(metric, key) is not None:
            out[key] = getattr(metric, key)
    if metric.source:
        out["source"] = metric.source
    if metric.format:
        out["format"] = metric.format
    if metric.meta:
        out["meta"] = [list(pair) for pair in metric.meta]
    return out


def metric_from_dict(data: Mapping[str, Any], summary: SampleSummary | None = None) -> Metric:
    """The metric of :func:`metric_to_dict`'s form; its ``summary`` is read by the caller
    that accepts one (a baseline store: :func:`perf_gate.core.sample_summary.summary_from_json`)."""
    kind = data.get("kind", "other")
    samples, meta = data.get("samples"), data.get("meta")
    return Metric(
        name=data["name"],
        value=float(data["value"]),
        unit=data.get("unit", ""),
        kind=_KINDS[kind] if kind in _KINDS else Kind(kind),  # Kind(...) costs 5 µs a call
        direction=data.get("direction", "lower"),
        device=data.get("device"),
        samples=tuple(map(float, samples)) if samples else (),
        lower=data.get("lower"),
        upper=data.get("upper"),
        passed=data.get("passed"),
        tolerance=data.get("tolerance"),
        source=data.get("source", ""),
        format=data.get("format", ""),
        meta=tuple([(str(k), str(v)) for k, v in meta]) if meta else (),
        summary=summary,
    )


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    return {
        "source": finding.source,
        "message": finding.message,
        "severity": finding.severity,
        "code": finding.code,
    }


def finding_from_dict(data: Mapping[str, Any]) -> Finding:
    severity = data.get("severity", "fail")
    return Finding(data["source"], data["message"], severity, data.get("code", ""))


def run_formats(metrics: Iterable[Metric]) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(
            m.format for m in metrics if m.format and m.format not in COMMAND_MEMORY_FORMATS
        )
    )


def utc_now() -> str:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return now.isoformat().replace("+00:00", "Z")
