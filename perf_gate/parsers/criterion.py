"""criterion.rs's on-disk output: ``target/criterion/<group>/<func>/<param>/new/*.json``.

Each benchmark folder holding ``new/estimates.json`` (or ``new/sample.json``) is one
benchmark. Its samples are the per-iteration times ``times[i] / iters[i]`` (ns) of
``new/sample.json``; its value is their median (criterion's ``median`` estimate when
there are no samples). A ``throughput`` in ``benchmark.json`` (``Elements`` or
``Bytes`` per iteration) adds a throughput metric (higher is better).
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from perf_gate.errors import InputError
from perf_gate.model import Kind, Metric, ParseResult
from perf_gate.parsers import register_tree
from perf_gate.parsers.base import Sniff, finite, read_sniff, validate_or_raise

_MARKERS = ("estimates.json", "sample.json")


class CriterionTree:
    name = "criterion"
    description = "cargo bench (criterion.rs) → target/criterion/"

    def find_units(self, root: Path) -> list[Path]:
        units = set()
        for marker in _MARKERS:
            for found in root.rglob(f"new/{marker}"):
                if not any(part.startswith(".") for part in found.relative_to(root).parts):
                    units.add(found.parent.parent)
        return sorted(units)

    def parse_unit(self, unit: Path) -> ParseResult:
        new = unit / "new"
        files = []
        benchmark: dict[str, Any] = {}
        if (new / "benchmark.json").exists():
            sniff = read_sniff(new / "benchmark.json")
            benchmark = sniff.json_or_error()
            validate_or_raise(sniff, benchmark, "criterion-benchmark.schema.json")
            files.append(sniff.input_file(self.name))
        name = str(benchmark.get("full_id") or benchmark.get("title") or unit.name)
        samples: tuple[float, ...] = ()
        estimate: float | None = None
        lower = upper = None
        if (new / "sample.json").exists():
            sniff = read_sniff(new / "sample.json")
            samples = _samples(sniff)
            files.append(sniff.input_file(self.name))
        if (new / "estimates.json").exists():
            sniff = read_sniff(new / "estimates.json")
            doc = sniff.json_or_error()
            validate_or_raise(sniff, doc, "criterion-estimates.schema.json")
            median = doc.get("median") or doc["mean"]
            estimate = finite(median["point_estimate"], sniff, "$.median.point_estimate")
            interval = median.get("confidence_interval") or {}
            lower, upper = interval.get("lower_bound"), interval.get("upper_bound")
            files.append(sniff.input_file(self.name))
        value = statistics.median(samples) if samples else estimate
        if value is None:
            raise InputError("criterion benchmark without estimates or samples", path=str(new))
        source = str(unit)
        metrics = [
            Metric(
                name=name,
                value=value,
                unit="ns",
                kind=Kind.TIMING,
                direction="lower",
                samples=samples,
                lower=lower,
                upper=upper,
                source=source,
                format=self.name,
            )
        ]
        throughput = benchmark.get("throughput")
        if isinstance(throughput, dict) and throughput and value > 0:
            metrics.append(_throughput_metric(name, throughput, value, samples, source))
        return ParseResult(metrics=tuple(metrics), files=tuple(files))


def _samples(sniff: Sniff) -> tuple[float, ...]:
    doc = sniff.json_or_error()
    validate_or_raise(sniff, doc, "criterion-sample.schema.json")
    iters, times = doc["iters"], doc["times"]
    if len(iters) != len(times):
        raise InputError(
            f"iters has {len(iters)} entries but times has {len(times)}",
            path=str(sniff.path),
            where="$.times",
        )
    out = []
    for i, (n, t) in enumerate(zip(iters, times, strict=True)):
        count = finite(n, sniff, f"$.iters[{i}]")
        if count == 0:
            raise InputError("zero iterations", path=str(sniff.path), where=f"$.iters[{i}]")
        out.append(finite(t, sniff, f"$.times[{i}]") / count)
    return tuple(out)


def _throughput_metric(
    name: str, throughput: dict[str, Any], ns: float, samples: tuple[float, ...], source: str
) -> Metric:
    (what, per_iter), *_ = throughput.items()
    unit = {"Bytes": "B/s", "BytesDecimal": "B/s", "Elements": "elem/s"}.get(what, f"{what}/s")
    per_iter = float(per_iter)
    return Metric(
        name=f"{name} throughput",
        value=per_iter / (ns / 1e9),
        unit=unit,
        kind=Kind.THROUGHPUT,
        direction="higher",
        samples=tuple(per_iter / (s / 1e9) for s in samples if s > 0),
        source=source,
        format="criterion",
    )


register_tree(CriterionTree())
