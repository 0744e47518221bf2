"""pyperf JSON (``python -m pyperf ... -o results.json``, also gzipped as ``.json.gz``).

One metric per benchmark, named by its ``name`` metadata. Every value of every run
(``runs[].values``; ``runs[].samples`` in the old perf 0.9 format, version 5) is a
sample; warmups are not. The value is the median. The ``unit`` metadata decides the
kind: ``second`` (the default) is a timing in ns, ``byte`` is memory in MB,
``integer`` is kept as a count. Metadata merges as pyperf does: the suite's, then the
benchmark's (``common_metadata`` in version 5).
"""

from __future__ import annotations

import statistics
from typing import Any

from perf_gate.core.errors import InputError
from perf_gate.core.model import Kind, Metric, ParseResult
from perf_gate.core.units import to_mb, to_ns
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import (
    Sniff,
    device_from_name,
    finite,
    one_file,
    validate_or_raise,
)

_UNITS = {
    "second": (Kind.TIMING, "ns"),
    "byte": (Kind.MEMORY, "MB"),
    "integer": (Kind.OTHER, "count"),
}


def _canonical(value: float, unit: str) -> float:
    if unit == "second":
        return to_ns(value, "s")
    if unit == "byte":
        return to_mb(value, "b")
    return value


class Pyperf:
    name = "pyperf"
    description = "python -m pyperf timeit ... -o results.json  (pyperformance: results.json.gz)"
    schema: str | None = "pyperf.schema.json"

    def detect(self, sniff: Sniff) -> bool:
        doc = sniff.json
        if not isinstance(doc, dict) or "version" not in doc:
            return False
        benchmarks = doc.get("benchmarks")
        if not isinstance(benchmarks, list) or not benchmarks:
            return False
        return isinstance(benchmarks[0], dict) and "runs" in benchmarks[0]

    def parse(self, sniff: Sniff) -> ParseResult:
        doc = sniff.json_or_error()
        validate_or_raise(sniff, doc, "pyperf.schema.json")
        suite = doc.get("metadata") or {}
        metrics = [
            self._metric(sniff, i, bench, suite) for i, bench in enumerate(doc["benchmarks"])
        ]
        return one_file(sniff, self.name, metrics)

    def _metric(self, sniff: Sniff, i: int, bench: dict[str, Any], suite: dict[str, Any]) -> Metric:
        where = f"$.benchmarks[{i}]"
        metadata = {
            **suite,
            **(bench.get("common_metadata") or {}),
            **(bench.get("metadata") or {}),
        }
        name = metadata.get("name")
        if not isinstance(name, str) or not name:
            raise InputError("benchmark without a name", path=str(sniff.path), where=where)
        unit = str(metadata.get("unit", "second"))
        kind, canonical_unit = _UNITS.get(unit, (Kind.OTHER, unit))
        samples: list[float] = []
        for r, run in enumerate(bench["runs"]):
            values = run.get("values", run.get("samples")) or []
            key = "values" if "values" in run else "samples"
            samples += [
                _canonical(finite(v, sniff, f"{where}.runs[{r}].{key}[{j}]"), unit)
                for j, v in enumerate(values)
            ]
        if not samples:
            raise InputError(
                f"benchmark {name!r} has no values (only warmups)",
                path=str(sniff.path),
                where=where,
            )
        loops = metadata.get("loops")
        return Metric(
            name=name,
            value=statistics.median(samples),
            unit=canonical_unit,
            kind=kind,
            direction="lower",
            device=device_from_name(sniff.path),
            samples=tuple(samples),
            source=str(sniff.path),
            format=self.name,
            meta=(("loops", str(loops)),) if loops is not None else (),
        )


register(Pyperf(), priority=10)
