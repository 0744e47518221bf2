"""The seed's evidence grammar: scannable one-liners built from the judged rows.

``perf: Δ ≤ threshold``; ``inference: 45.2 tokens/sec; Δ vs baseline: +12%``;
``quantization: I2S: 99.8%, TL1: 99.7%, TL2: 99.7% accuracy``;
``crossval: Rust vs C++: parity within 1e-5; N/N tests pass``; the gate line
``review:gate:perf = pass (inference: Δ+2%; quantization: all ≥99%)``; the chain
``method: ...; result: ...; reason: ...``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from perf_gate.core.model import Finding, Kind
from perf_gate.core.units import format_pct, format_value
from perf_gate.judge.decide import Decision, status_counts
from perf_gate.judge.verdict import Row, Status

_METHODS = {
    "criterion": "cargo_bench",
    "criterion-base": "cargo_bench",
    "criterion-estimates": "cargo_bench",
    "criterion-log": "cargo_bench",
    "cargo-bench": "cargo_bench",
    "gungraun": "cargo_bench",
    "xtask-benchmark": "xtask_benchmark",
    "bitnet-receipt": "xtask_benchmark",
    "test-timing": "test_timing",
}
# Formats that support a run (memory, accuracy, parity) rather than being its method.
_SUPPORTING = {
    "memory-usage",
    "gnu-time",
    "accuracy-text",
    "crossval-text",
    "bitnet-parity",
    "bitnet-crossval",
}


@dataclass(frozen=True)
class Evidence:
    perf: str
    inference: str | None
    quantization: str | None
    crossval: str | None
    lines: tuple[str, ...]
    gate_line: str
    ledger: str
    method: str
    result: str
    reason: str

    @property
    def chain(self) -> str:
        return f"method: {self.method}; result: {self.result}; reason: {self.reason}"


def _delta(row: Row) -> str:
    return "Δ" + format_pct(row.delta_pct) if row.delta_pct is not None else "Δ n/a"


def short_accuracy_name(name: str) -> str:
    """``i2s_accuracy`` / ``I2S accuracy`` → ``I2S``."""
    short = re.sub(r"[\s_-]*accuracy$", "", name, flags=re.IGNORECASE).strip()
    return short.upper() if len(short) <= 4 else short


def _rows(rows: list[Row], kind: Kind) -> list[Row]:
    return [r for r in rows if r.metric.kind is kind and r.current is not None]


def _device_prefix(row: Row, many: bool) -> str:
    return f"{row.metric.device} " if many and row.metric.device else ""


def inference_line(rows: list[Row]) -> str | None:
    found = _rows(rows, Kind.INFERENCE)
    if not found:
        return None
    many = len(found) > 1
    parts = []
    for row in found:
        assert row.current is not None
        value = f"{row.current.value:.1f} tokens/sec"
        delta = f"; Δ vs baseline: {format_pct(row.delta_pct)}" if row.delta_pct is not None else ""
        parts.append(f"{_device_prefix(row, many)}{value}{delta}")
    return "inference: " + ", ".join(parts)


def quantization_line(rows: list[Row]) -> str | None:
    found = _rows(rows, Kind.ACCURACY)
    if not found:
        return None
    parts = []
    for row in found:
        assert row.current is not None
        name = short_accuracy_name(row.metric.name)
        if row.current.unit == "%":
            parts.append(f"{name}: {row.current.value:.2f}%")
        else:
            parts.append(f"{name}: {'pass' if row.status is not Status.FAIL else 'FAIL'}")
    return "quantization: " + ", ".join(parts) + " accuracy"


def crossval_line(rows: list[Row]) -> str | None:
    found = _rows(rows, Kind.PARITY)
    if not found:
        return None
    passed = sum(1 for r in found if r.status is not Status.FAIL)
    tolerances = sorted({r.threshold.ceiling for r in found if r.threshold.ceiling is not None})
    within = f"parity within {tolerances[-1]:g}; " if tolerances else ""
    return f"crossval: Rust vs C++: {within}{passed}/{len(found)} tests pass"


def perf_line(rows: list[Row], findings: tuple[Finding, ...]) -> str:
    failing = [r for r in rows if r.status is Status.FAIL]
    blocking = [f for f in findings if f.severity == "fail"]
    if not failing and not blocking:
        return "perf: Δ ≤ threshold"
    parts = []
    if failing:
        worst = ", ".join(
            f"{r.metric.label} {format_pct(r.delta_pct)} ({r.threshold.describe()})"
            for r in failing[:3]
        )
        more = f" and {len(failing) - 3} more" if len(failing) > 3 else ""
        parts.append(f"{len(failing)} beyond threshold: {worst}{more}")
    parts += [f"{f.message} ({f.source})" for f in blocking[:3]]
    return "perf: " + "; ".join(parts)


def _summary_counts(rows: list[Row]) -> str:
    return ", ".join(f"{n} {status}" for status, n in status_counts(rows).items() if n)


def gate_line(gate_name: str, decision: Decision, rows: list[Row]) -> str:
    """``review:gate:perf = pass (inference: Δ+2%; quantization: all ≥99%)``."""
    parts = []
    inference = _rows(rows, Kind.INFERENCE)
    if inference:
        many = len(inference) > 1
        parts.append(
            "inference: " + ", ".join(f"{_device_prefix(r, many)}{_delta(r)}" for r in inference)
        )
    accuracy = _rows(rows, Kind.ACCURACY)
    if accuracy:
        below = [r for r in accuracy if r.status is Status.FAIL]
        if below:
            parts.append(
                "quantization: "
                + ", ".join(
                    f"{short_accuracy_name(r.metric.name)} "
                    f"{format_value(r.current.value if r.current else None, r.metric.unit)} "
                    f"< {r.threshold.describe().lstrip('≥')}"
                    for r in below
                )
            )
        else:
            floors = sorted({r.threshold.floor for r in accuracy if r.threshold.floor is not None})
            parts.append(f"quantization: all ≥{floors[0]:g}%" if floors else "quantization: pass")
    failing = [r for r in decision.failing if r.metric.kind not in (Kind.INFERENCE, Kind.ACCURACY)]
    if failing:
        parts.append(
            "regressions: "
            + ", ".join(f"{r.metric.label} {_delta(r)}" for r in failing[:3])
            + (f" +{len(failing) - 3} more" if len(failing) > 3 else "")
        )
    for finding in decision.blocking_findings[:2]:
        parts.append(finding.message)
    if not parts or (decision.status == "skipped"):
        parts.append(decision.reason if decision.status == "skipped" else _summary_counts(rows))
    elif len(rows) > len(inference) + len(accuracy):
        parts.append(f"metrics: {_summary_counts(rows)}")
    return f"{gate_name} = {decision.status} ({'; '.join(parts)})"


def _ledger(perf: str, rows: list[Row]) -> str:
    parts = [perf.removeprefix("perf: ")]
    for row in _rows(rows, Kind.INFERENCE):
        assert row.current is not None
        device = f"{row.metric.device} " if row.metric.device else ""
        parts.append(
            f"inference: {device}{row.current.value:.1f} tok/s ({format_pct(row.delta_pct)})"
        )
    accuracy = _rows(rows, Kind.ACCURACY)
    if accuracy:
        parts.append(
            "quantization: "
            + ", ".join(
                f"{short_accuracy_name(r.metric.name)} {r.current.value:.1f}%"
                for r in accuracy
                if r.current is not None and r.current.unit == "%"
            )
        )
    return "; ".join(parts)


def _method(formats: tuple[str, ...]) -> str:
    methods = []
    for fmt in formats:
        if fmt in _SUPPORTING:
            continue
        method = _METHODS.get(fmt, fmt.replace("-", "_"))
        if method not in methods:
            methods.append(method)
    return "+".join(methods) if methods else "none"


def _result(rows: list[Row]) -> str:
    parts = []
    for row in _rows(rows, Kind.INFERENCE):
        assert row.current is not None
        parts.append(f"{row.metric.device or 'cpu'}_{row.current.value:.1f}tok/s")
    for row in _rows(rows, Kind.ACCURACY):
        assert row.current is not None
        if row.current.unit == "%":
            parts.append(f"{short_accuracy_name(row.metric.name).lower()}_{row.current.value:.2f}%")
    if not parts:
        counts = _summary_counts(rows)
        return counts.replace(", ", "_").replace(" ", "_") or "no_metrics"
    return "_".join(parts)


def build_evidence(
    gate_name: str,
    decision: Decision,
    rows: list[Row],
    findings: tuple[Finding, ...],
    formats: tuple[str, ...],
) -> Evidence:
    perf = perf_line(rows, findings)
    inference = inference_line(rows)
    quantization = quantization_line(rows)
    crossval = crossval_line(rows)
    memory = [
        f"memory: {r.metric.label} {format_value(r.current.value, r.current.unit)}; "
        f"Δ vs baseline: {format_pct(r.delta_pct)}"
        for r in _rows(rows, Kind.MEMORY)
        if r.current is not None
    ]
    lines = tuple(x for x in (perf, inference, quantization, crossval, *memory) if x)
    return Evidence(
        perf=perf,
        inference=inference,
        quantization=quantization,
        crossval=crossval,
        lines=lines,
        gate_line=gate_line(gate_name, decision, rows),
        ledger=_ledger(perf, rows),
        method=_method(formats),
        result=_result(rows),
        reason=decision.reason,
    )


def display_name(row: Row) -> str:
    """``CPU Inference``, ``I2S Accuracy``, or the metric's own label."""
    metric = row.metric
    if metric.kind is Kind.INFERENCE and metric.name == "inference":
        return f"{(metric.device or 'cpu').upper()} Inference"
    if metric.kind is Kind.ACCURACY:
        return f"{short_accuracy_name(metric.name)} Accuracy"
    return metric.label
