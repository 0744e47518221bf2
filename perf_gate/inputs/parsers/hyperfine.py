"""hyperfine ``--export-json``: one timing metric per command, ``times`` as raw samples."""

from __future__ import annotations

from perf_gate.core.model import Kind, Metric, ParseResult
from perf_gate.core.units import to_ns
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import Sniff, finite, one_file, validate_or_raise


class Hyperfine:
    name = "hyperfine"
    description = "hyperfine --export-json results.json -- '<command>' ..."
    schema: str | None = "hyperfine.schema.json"

    def detect(self, sniff: Sniff) -> bool:
        doc = sniff.json
        if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
            return False
        if not doc["results"]:
            return set(doc) == {"results"}  # an empty hyperfine export: parse() says so
        first = doc["results"][0]
        return (
            isinstance(first, dict)
            and "command" in first
            and bool({"mean", "median", "times"} & first.keys())
        )

    def parse(self, sniff: Sniff) -> ParseResult:
        doc = sniff.json_or_error()
        validate_or_raise(sniff, doc, "hyperfine.schema.json")
        metrics = []
        for i, result in enumerate(doc["results"]):
            where = f"$.results[{i}]"
            times = result.get("times") or []
            samples = tuple(
                to_ns(finite(t, sniff, f"{where}.times[{j}]"), "s") for j, t in enumerate(times)
            )
            value = to_ns(finite(result.get("median", result["mean"]), sniff, where), "s")
            metrics.append(
                Metric(
                    name=str(result["command"]),
                    value=value,
                    unit="ns",
                    kind=Kind.TIMING,
                    direction="lower",
                    samples=samples,
                    source=str(sniff.path),
                    format=self.name,
                )
            )
        return one_file(sniff, self.name, metrics)


register(Hyperfine())
