"""BitNet.rs cross-validation reports: Rust against the C++ reference (bitnet.cpp).

``cargo run -p xtask -- crossval --model M`` runs BitNet.rs's ``ValidationHarness``
(``crossval/src/validation.rs``) and serialises its ``ValidationReport``: ``rust_load`` and
``cpp_load``, ``accuracy``, ``performance`` (``rust_tokens_per_sec`` /
``cpp_tokens_per_sec``, first-token, p50 and p99 latencies of each side), ``memory``
(``rust_peak_mb`` / ``cpp_peak_mb``) and ``status``.

Each measure becomes two metrics whose names differ only in ``rust`` / ``cpp``
(``crossval throughput rust``, ``crossval throughput cpp``), so the built-in Rust/C++
derived row judges their ratio (the report's ``speedup_factor``) against the
baseline's, next to each side against its own baseline. A C++ side that did not load
(``cpp_load.success: false``, the report's ``XFail``) gives no C++ metrics and a
warning; zero Rust throughput fails the gate.
"""

from __future__ import annotations

from typing import Any

from perf_gate.core.model import Direction, Finding, Kind, Metric, ParseResult
from perf_gate.core.units import to_ns
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import Sniff, finite, one_file, validate_or_raise

SIDES = ("rust", "cpp")
# (section, key after "<side>_", metric name before the side, unit, kind, direction)
_MEASURES: tuple[tuple[str, str, str, str, Kind, Direction], ...] = (
    ("performance", "tokens_per_sec", "crossval throughput", "tok/s", Kind.THROUGHPUT, "higher"),
    ("performance", "first_token_ms", "crossval first token latency", "ns", Kind.LATENCY, "lower"),
    ("performance", "p50_ms", "crossval latency p50", "ns", Kind.LATENCY, "lower"),
    ("performance", "p99_ms", "crossval latency p99", "ns", Kind.LATENCY, "lower"),
    ("memory", "peak_mb", "crossval peak memory", "MB", Kind.MEMORY, "lower"),
)


def _loaded(doc: dict[str, Any], side: str) -> bool:
    load = doc.get(f"{side}_load")
    return not isinstance(load, dict) or load.get("success") is not False


class BitnetValidation:
    name = "bitnet-validation"
    description = "cargo run -p xtask -- crossval --model M  → the Rust vs C++ validation report"
    schema: str | None = "bitnet-validation.schema.json"

    def detect(self, sniff: Sniff) -> bool:
        doc = sniff.json
        perf = doc.get("performance") if isinstance(doc, dict) else None
        return isinstance(perf, dict) and "rust_tokens_per_sec" in perf

    def parse(self, sniff: Sniff) -> ParseResult:
        doc = sniff.json_or_error()
        validate_or_raise(sniff, doc, "bitnet-validation.schema.json")
        source = str(sniff.path)
        findings = []
        sides = [side for side in SIDES if _loaded(doc, side)]
        if "cpp" not in sides:
            error = (doc.get("cpp_load") or {}).get("error") or "no reason given"
            findings.append(
                Finding(
                    source,
                    f"the C++ reference did not load ({error}): Rust vs C++ not compared",
                    "warn",
                    "cpp-not-loaded",
                )
            )
        metrics = []
        for section, key, name, unit, kind, direction in _MEASURES:
            for side in sides:
                field = f"{side}_{key}"
                raw = (doc.get(section) or {}).get(field)
                if raw is None:
                    continue
                value = finite(raw, sniff, f"$.{section}.{field}")
                if key == "tokens_per_sec" and side == "rust" and value == 0:
                    findings.append(
                        Finding(source, "Rust throughput is 0 tok/s", "fail", "zero-throughput")
                    )
                metrics.append(
                    Metric(
                        name=f"{name} {side}",
                        value=to_ns(value, "ms") if unit == "ns" else value,
                        unit=unit,
                        kind=kind,
                        direction=direction,
                        source=source,
                        format=self.name,
                    )
                )
        return one_file(sniff, self.name, metrics, findings)


register(BitnetValidation(), priority=10)
