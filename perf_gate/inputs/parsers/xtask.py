"""BitNet.rs ``cargo run -p xtask -- benchmark --json FILE`` reports.

One report gives the inference throughput (``performance.tokens_per_sec``, higher is
better) on its ``device`` and the latencies of ``timing.*_ms`` (lower is better). A
report with ``success: false`` or zero throughput is a finding that fails the gate.
"""

from __future__ import annotations

from perf_gate.core.model import Finding, Kind, Metric, ParseResult
from perf_gate.core.units import to_ns
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import Sniff, device_of, finite, one_file, validate_or_raise

# decode and total time follow from tokens_per_sec; judging them too would triple every alarm
_TIMINGS = ("prefill_ms",)


class XtaskBenchmark:
    name = "xtask-benchmark"
    description = "cargo run -p xtask -- benchmark --model M --tokens 128 --json FILE"
    schema: str | None = "xtask-benchmark.schema.json"

    def detect(self, sniff: Sniff) -> bool:
        doc = sniff.json
        return (
            isinstance(doc, dict)
            and isinstance(doc.get("performance"), dict)
            and "tokens_per_sec" in doc["performance"]
        )

    def parse(self, sniff: Sniff) -> ParseResult:
        doc = sniff.json_or_error()
        validate_or_raise(sniff, doc, "xtask-benchmark.schema.json")
        device = device_of(doc.get("device", "cpu")) or "cpu"
        source = str(sniff.path)
        tps = finite(doc["performance"]["tokens_per_sec"], sniff, "$.performance.tokens_per_sec")
        metrics = [
            Metric(
                name="inference",
                value=tps,
                unit="tok/s",
                kind=Kind.INFERENCE,
                direction="higher",
                device=device,
                source=source,
                format=self.name,
            )
        ]
        timing = doc.get("timing") or {}
        for key in _TIMINGS:
            if key in timing:
                value = finite(timing[key], sniff, f"$.timing.{key}")
                metrics.append(
                    Metric(
                        name=f"inference {key.removesuffix('_ms')} latency",
                        value=to_ns(value, "ms"),
                        unit="ns",
                        kind=Kind.LATENCY,
                        direction="lower",
                        device=device,
                        source=source,
                        format=self.name,
                    )
                )
        findings = []
        if doc.get("success") is False:
            findings.append(
                Finding(
                    source,
                    f"benchmark run failed: {doc.get('error') or 'success=false'}",
                    code="run-failed",
                )
            )
        if tps == 0:
            findings.append(
                Finding(source, "throughput is 0 tok/s (no real compute)", code="zero-throughput")
            )
        return one_file(sniff, self.name, metrics, findings)


register(XtaskBenchmark(), priority=10)
