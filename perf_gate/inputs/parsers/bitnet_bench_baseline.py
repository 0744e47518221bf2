"""BitNet.rs ``xtask bench-compare`` baselines: ``benchmarks/baseline/<device>/<area>/*.json``.

``{name, version, git, environment: {device}, benchmarks: {<group>: {<func/param>:
{mean_ns, std_ns, throughput_elements_per_sec, regression_threshold_percent}}}}``.
Each entry is ``<group>/<func/param>``, the criterion id of the same benchmark, so a
criterion run pairs with it: a timing (``mean_ns``) and ``<id> throughput``
(elements/s). The file's own regression threshold is kept in ``meta``
(``threshold_pct``); ``std_ns`` too.
"""

from __future__ import annotations

from typing import Any

from perf_gate.core.model import Device, Kind, Metric, ParseResult
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import (
    Sniff,
    device_of,
    finite,
    json_path,
    one_file,
    validate_or_raise,
)


class BitnetBenchBaseline:
    name = "bitnet-bench-baseline"
    description = "BitNet.rs benchmarks/baseline/*.json (cargo run -p xtask -- bench-compare)"
    schema: str | None = "bitnet-bench-baseline.schema.json"

    def detect(self, sniff: Sniff) -> bool:
        doc = sniff.json
        if not isinstance(doc, dict) or not isinstance(doc.get("benchmarks"), dict):
            return False
        groups = doc["benchmarks"].values()
        return any(
            isinstance(entry, dict) and "mean_ns" in entry
            for group in groups
            if isinstance(group, dict)
            for entry in group.values()
        )

    def parse(self, sniff: Sniff) -> ParseResult:
        doc = sniff.json_or_error()
        validate_or_raise(sniff, doc, "bitnet-bench-baseline.schema.json")
        device = device_of((doc.get("environment") or {}).get("device", ""))
        metrics = []
        for group, entries in doc["benchmarks"].items():
            for bench, entry in entries.items():
                metrics += self._metrics(sniff, group, bench, entry, device)
        return one_file(sniff, self.name, metrics)

    def _metrics(
        self, sniff: Sniff, group: str, bench: str, entry: dict[str, Any], device: Device | None
    ) -> list[Metric]:
        where = json_path(["benchmarks", group, bench])
        name = f"{group}/{bench}"
        meta = tuple(
            (label, f"{entry[key]:g}")
            for key, label in (
                ("std_ns", "std_ns"),
                ("regression_threshold_percent", "threshold_pct"),
            )
            if isinstance(entry.get(key), (int, float))
        )
        common: dict[str, Any] = {
            "device": device,
            "source": str(sniff.path),
            "format": self.name,
            "meta": meta,
        }
        out = [
            Metric(
                name=name,
                value=finite(entry["mean_ns"], sniff, f"{where}.mean_ns"),
                unit="ns",
                kind=Kind.TIMING,
                direction="lower",
                **common,
            )
        ]
        rate = entry.get("throughput_elements_per_sec")
        if rate is not None:
            out.append(
                Metric(
                    name=f"{name} throughput",
                    value=finite(rate, sniff, f"{where}.throughput_elements_per_sec"),
                    unit="elem/s",
                    kind=Kind.THROUGHPUT,
                    direction="higher",
                    **common,
                )
            )
        return out


register(BitnetBenchBaseline(), priority=10)
