"""Google Benchmark ``--benchmark_out=results.json --benchmark_out_format=json``.

One metric per ``run_name`` (the benchmark with its arguments, ``BM_matmul/1024``):
each repetition (``--benchmark_repetitions=N``, ``run_type: iteration``) is one sample
of ``real_time`` in ``time_unit``, converted to ns; the value is their median. The
aggregates Google Benchmark adds (``_mean``, ``_median``, ``_stddev``, ``_cv``,
``BigO``, ``RMS``) are not benchmarks of their own; with
``--benchmark_report_aggregates_only`` the ``median`` (else ``mean``) aggregate is the
value. ``cpu_time`` is kept in ``meta``. Counters become metrics of their own named
``<benchmark> <counter>``: ``bytes_per_second`` / ``items_per_second`` and user rates
(``*_per_second``, ``*/s``) are throughputs, ``max_bytes_used`` is memory. The JSON
does not say which user counters are rates (``Counter::kIsRate``, printed ``1.22G/s``
on the console): a counter named as a rate (``rate``, ``*_rate``, ``throughput``,
``bandwidth``; not ``error_rate`` or ``miss_rate``), or whose value times the run's
time is the same in every repetition, is a throughput (unit ``/s``, higher is
better); other user counters are kept as given (lower is better). A benchmark that
reports ``error_occurred`` fails the gate.
"""

from __future__ import annotations

import math
import re
import statistics
from typing import Any

from perf_gate.core.model import Device, Finding, Kind, Metric, ParseResult
from perf_gate.core.units import to_mb, to_ns
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import (
    Sniff,
    device_from_name,
    finite,
    one_file,
    validate_or_raise,
)

_RESERVED = {
    "name",
    "run_name",
    "run_type",
    "family_index",
    "per_family_instance_index",
    "repetitions",
    "repetition_index",
    "threads",
    "aggregate_name",
    "aggregate_unit",
    "error_occurred",
    "error_message",
    "skipped",
    "skip_message",
    "iterations",
    "real_time",
    "cpu_time",
    "time_unit",
    "label",
    "big_o",
    "cpu_coefficient",
    "real_coefficient",
    "rms",
}
# Google Benchmark before 1.5 wrote aggregates as plain entries named ``<run>_mean``
_OLD_AGGREGATE = re.compile(r"^(?P<run>.+)_(?P<stat>mean|median|stddev|cv)$")


def _run_name(entry: dict[str, Any]) -> str:
    return str(entry.get("run_name") or entry["name"])


def _is_aggregate(entry: dict[str, Any], names: set[str]) -> bool:
    if "aggregate_name" in entry:
        return True
    if "run_type" in entry:  # 1.5 or later: aggregates carry aggregate_name
        return False
    old = _OLD_AGGREGATE.match(str(entry["name"]))
    return old is not None and old.group("run") in names


def _time(entry: dict[str, Any], key: str, sniff: Sniff, i: int) -> float:
    """``finite(entry[key], ...)``: a float from 0 up is what it gives back as it is, so one
    is returned without the call, and the JSON path is written only for a value that needs
    the full check (13,000 repetitions a suite of 1,000)."""
    value = entry[key]
    if type(value) is float and 0.0 <= value < math.inf:
        return value
    return finite(value, sniff, f"$.benchmarks[{i}].{key}")


def _counter_kind(counter: str) -> tuple[Kind, str]:
    lowered = counter.lower()
    if lowered == "bytes_per_second":
        return Kind.THROUGHPUT, "B/s"
    if lowered == "items_per_second":
        return Kind.THROUGHPUT, "items/s"
    if lowered == "max_bytes_used":
        return Kind.MEMORY, "MB"
    if lowered.endswith(("per_second", "_per_sec", "/s", "_ps")) or "flops" in lowered:
        return Kind.THROUGHPUT, ""
    words = set(re.split(r"[^a-z0-9]+", lowered))
    if words & _RATE_WORDS and not words & _BAD_RATE_WORDS:
        return Kind.THROUGHPUT, "/s"
    return Kind.OTHER, ""


_RATE_WORDS = {"rate", "throughput", "bandwidth"}
_BAD_RATE_WORDS = {"error", "errors", "miss", "misses", "fail", "failure", "drop", "loss"}


def _is_rate(values: list[float], times: list[list[float]]) -> bool:
    """A counter that varies inversely with the run's time is a rate (``kIsRate``,
    ``kIsIterationInvariantRate``, ``kAvgThreadsRate``): JSON does not carry the flags,
    but ``value * time`` is the same in every repetition, for one of the times
    (CPU or real, per iteration or in total), while the value itself moves.
    """
    if len(values) < 2 or min(values) <= 0.0 or max(values) / min(values) - 1.0 < 1e-6:
        return False
    for time in times:
        products = [v * t for v, t in zip(values, time, strict=True)]
        if min(products) > 0.0 and max(products) / min(products) - 1.0 < 1e-6:
            return True
    return False


def _times(real: list[float], cpu: list[float], iterations: list[float]) -> list[list[float]]:
    """The run's times a rate counter may be the inverse of: real and CPU, per iteration
    and in total."""
    return [
        [t * n for t, n in zip(series, iterations, strict=True)] if total else series
        for series in (real, cpu)
        if len(series) == len(real)
        for total in (False, True)
    ]


class GoogleBenchmark:
    name = "google-benchmark"
    description = (
        "./bench --benchmark_repetitions=10 --benchmark_out=results.json "
        "--benchmark_out_format=json"
    )
    schema: str | None = "google-benchmark.schema.json"

    def detect(self, sniff: Sniff) -> bool:
        doc = sniff.json
        if not isinstance(doc, dict) or not isinstance(doc.get("benchmarks"), list):
            return False
        first = doc["benchmarks"][0] if doc["benchmarks"] else {}
        if isinstance(first, dict) and ("real_time" in first or "error_occurred" in first):
            return True
        context = doc.get("context")
        return isinstance(context, dict) and "library_build_type" in context

    def parse(self, sniff: Sniff) -> ParseResult:
        doc = sniff.json_or_error()
        validate_or_raise(sniff, doc, "google-benchmark.schema.json")
        entries: list[dict[str, Any]] = doc["benchmarks"]
        names = {str(e["name"]) for e in entries}
        runs: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        aggregates: dict[str, dict[str, tuple[int, dict[str, Any]]]] = {}
        findings: list[Finding] = []
        source = str(sniff.path)
        for i, entry in enumerate(entries):
            run = _run_name(entry)
            if entry.get("error_occurred"):
                message = entry.get("error_message") or "error_occurred"
                findings.append(
                    Finding(source, f"benchmark {run} failed: {message}", "fail", "bench-error")
                )
                continue
            if _is_aggregate(entry, names):
                old = _OLD_AGGREGATE.match(str(entry["name"]))
                stat = str(entry.get("aggregate_name") or (old.group("stat") if old else ""))
                key = run if "aggregate_name" in entry or old is None else old.group("run")
                aggregates.setdefault(key, {})[stat] = (i, entry)
                continue
            runs.setdefault(run, []).append((i, entry))
        metrics: list[Metric] = []
        device = device_from_name(sniff.path)
        for run in dict.fromkeys([*runs, *aggregates]):
            repetitions = runs.get(run) or self._summary(aggregates.get(run, {}))
            if repetitions:
                metrics += self._metrics(sniff, run, repetitions, device, sampled=run in runs)
        return one_file(sniff, self.name, metrics, findings)

    @staticmethod
    def _summary(stats: dict[str, tuple[int, dict[str, Any]]]) -> list[tuple[int, dict[str, Any]]]:
        """With ``--benchmark_report_aggregates_only``: the median (else mean) aggregate."""
        for stat in ("median", "mean"):
            if stat in stats and "real_time" in stats[stat][1]:
                return [stats[stat]]
        return []

    def _metrics(
        self,
        sniff: Sniff,
        run: str,
        repetitions: list[tuple[int, dict[str, Any]]],
        device: Device | None,
        sampled: bool,
    ) -> list[Metric]:
        source = str(sniff.path)
        real: list[float] = []
        cpu: list[float] = []
        iterations: list[float] = []
        counters: dict[str, list[float]] = {}
        for i, entry in repetitions:
            scale = to_ns(1.0, str(entry.get("time_unit", "ns")))  # to_ns(x, unit) = x * scale
            real.append(_time(entry, "real_time", sniff, i) * scale)
            if "cpu_time" in entry:
                cpu.append(_time(entry, "cpu_time", sniff, i) * scale)
            count = entry.get("iterations")
            iterations.append(float(count) if isinstance(count, (int, float)) else 1.0)
            if entry.keys() <= _RESERVED:  # no counters: the usual entry
                continue
            for key, value in entry.items():
                if key in _RESERVED or isinstance(value, bool):
                    continue
                if isinstance(value, (int, float)):
                    counters.setdefault(key, []).append(
                        finite(value, sniff, f"$.benchmarks[{i}].{key}", positive=False)
                    )
        meta = [("repetitions", str(len(real)))]
        if cpu:
            meta.append(("cpu_time_ns", f"{statistics.median(cpu):g}"))
        out = [
            Metric(
                name=run,
                value=statistics.median(real),
                unit="ns",
                kind=Kind.TIMING,
                direction="lower",
                device=device,
                samples=tuple(real) if sampled else (),
                source=source,
                format=self.name,
                meta=tuple(meta),
            )
        ]
        for counter, values in counters.items():
            kind, unit = _counter_kind(counter)
            if (
                kind is Kind.OTHER
                and len(values) == len(real)
                and _is_rate(values, _times(real, cpu, iterations))
            ):
                kind, unit = Kind.THROUGHPUT, "/s"
            if kind is Kind.MEMORY:
                values = [to_mb(v, "b") for v in values]
            out.append(
                Metric(
                    name=f"{run} {counter}",
                    value=statistics.median(values),
                    unit=unit,
                    kind=kind,
                    direction="higher" if kind is Kind.THROUGHPUT else "lower",
                    device=device,
                    samples=tuple(values) if sampled else (),
                    source=source,
                    format=self.name,
                )
            )
        return out


register(GoogleBenchmark(), priority=10)
