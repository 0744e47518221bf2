"""BitNet.rs parity receipts: Rust vs the C++ reference, position by position.

``{version, model, backend, prompt, thresholds: {mse, kl, topk}, rows: [{pos, mse,
max_abs, kl?, topk_agree?}], summary: {all_passed, first_divergence?, mean_mse}}``, as
``cargo run -p xtask -- crossval`` writes it. Each measure is one parity metric whose
samples are the rows: ``parity mse`` (the summary's ``mean_mse``, else the rows' mean;
passes when every row is within ``thresholds.mse``, which is its tolerance),
``parity kl`` (within ``thresholds.kl``), ``parity top-k agreement`` (higher is
better; passes when every row reaches ``thresholds.topk``, kept in ``meta`` as
``minimum``) and ``parity max abs`` (the largest row, no threshold).
``summary.all_passed: false`` is a finding that fails the gate, naming the first
divergent position.
"""

from __future__ import annotations

import statistics
from typing import Any

from perf_gate.core.model import Direction, Finding, Kind, Metric, ParseResult
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import Sniff, device_of, finite, one_file, validate_or_raise

# (row key, metric name, threshold key, direction)
_MEASURES: tuple[tuple[str, str, str | None, Direction], ...] = (
    ("mse", "parity mse", "mse", "lower"),
    ("kl", "parity kl", "kl", "lower"),
    ("topk_agree", "parity top-k agreement", "topk", "higher"),
    ("max_abs", "parity max abs", None, "lower"),
)


def _within(values: list[float], limit: float, direction: Direction) -> bool:
    """Every position within its threshold (at most ``limit``, or at least for top-k)."""
    if direction == "lower":
        return all(v <= limit for v in values)
    return all(v >= limit for v in values)


class BitnetParity:
    name = "bitnet-parity"
    description = "cargo run -p xtask -- crossval ... (parity receipt: rows of mse/kl/top-k)"
    schema: str | None = "bitnet-parity.schema.json"

    def detect(self, sniff: Sniff) -> bool:
        doc = sniff.json
        return (
            isinstance(doc, dict)
            and isinstance(doc.get("rows"), list)
            and isinstance(doc.get("thresholds"), dict)
        )

    def parse(self, sniff: Sniff) -> ParseResult:
        doc = sniff.json_or_error()
        validate_or_raise(sniff, doc, "bitnet-parity.schema.json")
        source = str(sniff.path)
        rows: list[dict[str, Any]] = doc["rows"]
        thresholds = doc["thresholds"]
        summary = doc.get("summary") or {}
        device = device_of(doc.get("backend", ""))
        metrics = []
        for key, name, threshold_key, direction in _MEASURES:
            values = [
                finite(row[key], sniff, f"$.rows[{i}].{key}")
                for i, row in enumerate(rows)
                if isinstance(row.get(key), (int, float))
            ]
            if not values:
                continue
            value = max(values) if key == "max_abs" else statistics.fmean(values)
            if key == "mse" and isinstance(summary.get("mean_mse"), (int, float)):
                value = finite(summary["mean_mse"], sniff, "$.summary.mean_mse")
            limit = thresholds.get(threshold_key) if threshold_key else None
            limit = float(limit) if isinstance(limit, (int, float)) else None
            meta = [("positions", str(len(values)))]
            if limit is not None and direction == "higher":
                meta.append(("minimum", f"{limit:g}"))  # a floor, not a tolerance (a ceiling)
            metrics.append(
                Metric(
                    name=name,
                    value=value,
                    unit="",
                    kind=Kind.PARITY,
                    direction=direction,
                    device=device,
                    samples=tuple(values),
                    passed=None if limit is None else _within(values, limit, direction),
                    tolerance=limit if direction == "lower" else None,
                    source=source,
                    format=self.name,
                    meta=tuple(meta),
                )
            )
        findings = []
        if summary.get("all_passed") is False:
            first = summary.get("first_divergence")
            at = f" (first divergence at position {first})" if first is not None else ""
            findings.append(
                Finding(source, f"Rust vs C++ parity failed{at}", "fail", "parity-divergence")
            )
        return one_file(sniff, self.name, metrics, findings)


register(BitnetParity(), priority=10)
