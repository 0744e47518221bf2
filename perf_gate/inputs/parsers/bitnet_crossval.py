"""BitNet.rs cross-validation metrics: ``{git, device: {backend}, model: {name}, metrics}``.

``metrics`` holds ``ppl`` (perplexity, lower is better), ``acc`` (accuracy: a fraction
of 1 is read as a percentage), ``latency_p50_ms`` / ``latency_p95_ms``, ``tok_s`` and
``gpu_mem_mb``. Each becomes ``crossval <measure>`` on the backend's device: these
numbers come from the cross-validation run, not the benchmark, and are compared with
an earlier cross-validation run. Zero throughput fails the gate.
"""

from __future__ import annotations

from perf_gate.core.model import Direction, Finding, Kind, Metric, ParseResult
from perf_gate.core.units import to_ns
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import Sniff, device_of, finite, one_file, validate_or_raise

# metrics key → (metric name, unit, kind, direction)
_MEASURES: dict[str, tuple[str, str, Kind, Direction]] = {
    "tok_s": ("crossval inference", "tok/s", Kind.INFERENCE, "higher"),
    "ppl": ("crossval perplexity", "", Kind.OTHER, "lower"),
    "acc": ("crossval accuracy", "%", Kind.ACCURACY, "higher"),
    "latency_p50_ms": ("crossval latency p50", "ns", Kind.LATENCY, "lower"),
    "latency_p95_ms": ("crossval latency p95", "ns", Kind.LATENCY, "lower"),
    "gpu_mem_mb": ("crossval gpu memory", "MB", Kind.MEMORY, "lower"),
}


class BitnetCrossval:
    name = "bitnet-crossval"
    description = "BitNet.rs cross-validation metrics JSON (ppl, acc, latency p50/p95, tok_s)"
    schema: str | None = "bitnet-crossval.schema.json"

    def detect(self, sniff: Sniff) -> bool:
        doc = sniff.json
        return (
            isinstance(doc, dict)
            and isinstance(doc.get("metrics"), dict)
            and any(key in doc["metrics"] for key in _MEASURES)
            and any(key in doc for key in ("git", "device", "model"))
        )

    def parse(self, sniff: Sniff) -> ParseResult:
        doc = sniff.json_or_error()
        validate_or_raise(sniff, doc, "bitnet-crossval.schema.json")
        source = str(sniff.path)
        device = device_of((doc.get("device") or {}).get("backend", ""))
        model = (doc.get("model") or {}).get("name")
        meta = (("model", str(model)),) if model else ()
        metrics = []
        findings = []
        for key, (name, unit, kind, direction) in _MEASURES.items():
            if key not in doc["metrics"]:
                continue
            value = finite(doc["metrics"][key], sniff, f"$.metrics.{key}")
            if key.endswith("_ms"):
                value = to_ns(value, "ms")
            if key == "acc" and value <= 1.0:
                value *= 100.0
            if key == "tok_s" and value == 0:
                findings.append(
                    Finding(source, "crossval throughput is 0 tok/s", "fail", "zero-throughput")
                )
            metrics.append(
                Metric(
                    name=name,
                    value=value,
                    unit=unit,
                    kind=kind,
                    direction=direction,
                    device=device,
                    source=source,
                    format=self.name,
                    meta=meta,
                )
            )
        return one_file(sniff, self.name, metrics, findings)


register(BitnetCrossval(), priority=10)
