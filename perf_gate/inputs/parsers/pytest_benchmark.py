"""pytest-benchmark ``--benchmark-json=results.json`` (and ``.benchmarks/`` saved runs).

One timing metric per benchmark, named by its pytest node id (``fullname``,
``tests/test_bench.py::test_tokenize[short]``). The value is ``stats.median`` (seconds,
converted to ns); the raw per-round times ``stats.data`` (present with
``--benchmark-save-data``) are the samples. ``stats.rounds``, ``stats.iterations`` and
``stats.ops`` go into ``meta``.
"""

from __future__ import annotations

from typing import Any

from perf_gate.core.model import Device, Kind, Metric, ParseResult
from perf_gate.core.units import to_ns
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import (
    Sniff,
    device_from_name,
    finite,
    finite_array,
    one_file,
    validate_or_raise,
)

_NS_PER_S = to_ns(1.0, "s")  # to_ns(x, "s") is x times this
_META = ("rounds", "iterations", "ops")


class PytestBenchmark:
    name = "pytest-benchmark"
    description = "pytest --benchmark-only --benchmark-json=results.json [--benchmark-save-data]"
    schema: str | None = "pytest-benchmark.schema.json"

    def detect(self, sniff: Sniff) -> bool:
        doc = sniff.json
        if not isinstance(doc, dict) or not isinstance(doc.get("benchmarks"), list):
            return False
        if "machine_info" in doc and "commit_info" in doc:
            return True
        first = doc["benchmarks"][0] if doc["benchmarks"] else None
        return isinstance(first, dict) and isinstance(first.get("stats"), dict)

    def parse(self, sniff: Sniff) -> ParseResult:
        doc = sniff.json_or_error()
        validate_or_raise(sniff, doc, "pytest-benchmark.schema.json")
        device = device_from_name(sniff.path)
        source = str(sniff.path)
        shown: dict[Any, str] = {}  # rounds and iterations repeat across a suite
        metrics = [
            self._metric(sniff, i, bench, device, source, shown)
            for i, bench in enumerate(doc["benchmarks"])
        ]
        return one_file(sniff, self.name, metrics)

    def _metric(
        self,
        sniff: Sniff,
        i: int,
        bench: dict[str, Any],
        device: Device | None,
        source: str,
        shown: dict[Any, str],
    ) -> Metric:
        stats = bench["stats"]
        data = stats.get("data")
        samples = (
            finite_array(
                data, sniff, f"$.benchmarks[{i}].stats.data", _NS_PER_S, schema_checked=True
            )
            if data
            else ()
        )
        meta = []
        for key in _META:
            if key in stats:
                value = stats[key]
                text = shown.get(value) if type(value) is int else None
                if text is None:
                    text = f"{value:g}"
                    if type(value) is int:
                        shown[value] = text
                meta.append((key, text))
        return Metric(
            name=str(bench.get("fullname") or bench["name"]),
            value=finite(stats["median"], sniff, f"$.benchmarks[{i}].stats.median") * _NS_PER_S,
            unit="ns",
            kind=Kind.TIMING,
            direction="lower",
            device=device,
            samples=samples,
            source=source,
            format=self.name,
            meta=tuple(meta),
        )


register(PytestBenchmark(), priority=10)
