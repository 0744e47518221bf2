"""criterion.rs's terminal output, as ``cargo bench 2>&1 | tee cpu-bench.log`` keeps it.

``name  time: [low estimate high]`` is one timing metric (the estimate, with its
confidence interval as ``lower``/``upper``, in ns). A name too long for its column
wraps onto its own line above an indented ``time:``. ``thrpt: [...]`` adds a
``<name> throughput`` metric in ``B/s`` or ``elem/s`` (criterion's ``KiB/s``,
``Melem/s``... scaled back). The ``change: [...] (p = ...)`` line and the verdict
under it (``Performance has regressed.``) go into ``meta``: the gate makes its own
comparison. Lines in libtest's style in the same log are read too (see
:mod:`perf_gate.inputs.parsers.cargo_bench`), and so are failed or panicking benchmarks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from perf_gate.core.model import Kind, Metric, ParseResult
from perf_gate.core.units import is_time_unit, to_ns
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import Sniff, device_from_name, line_error, one_file
from perf_gate.inputs.parsers.cargo_bench import (
    RUNNING,
    scan_bench_lines,
    scan_failures,
    target_name,
    unique_name,
)

# a result line's bracket opens with a number: ``time:   [19.118 µs ...`` or ``[-2.1%``
_TIME = re.compile(r"^(?P<name>.*?)(?:^|\s)time:\s+\[(?P<body>[-+]?[0-9][^\]]*)\](?P<rest>.*)$")
_THRPT = re.compile(r"^\s*thrpt:\s+\[(?P<body>[-+]?[0-9][^\]]*)\]")
_CHANGE = re.compile(r"^\s*change:\s+\[(?P<body>[-+]?[0-9][^\]]*)\](?P<rest>.*)$")
_P_VALUE = re.compile(r"\(p = (?P<p>[0-9.]+) [<>]")
_BENCHMARKING = re.compile(
    r"^Benchmarking (?P<name>.+?)(?:: (?:Warming up|Collecting|Analyzing|Complete).*)?$"
)
_PROGRESS = re.compile(r"^Benchmarking .+: (?:Warming up|Collecting|Analyzing)")
_VERDICTS = {
    "Performance has regressed.": "regressed",
    "Performance has improved.": "improved",
    "No change in performance detected.": "no change",
    "Change within noise threshold.": "within noise",
}
# criterion scales rates for display: bytes in powers of 1024 (or 1000 for BytesDecimal)
_RATES = {
    "B/s": (1.0, "B/s"),
    "KiB/s": (1024.0, "B/s"),
    "MiB/s": (1024.0**2, "B/s"),
    "GiB/s": (1024.0**3, "B/s"),
    "TiB/s": (1024.0**4, "B/s"),
    "KB/s": (1e3, "B/s"),
    "MB/s": (1e6, "B/s"),
    "GB/s": (1e9, "B/s"),
    "TB/s": (1e12, "B/s"),
    "elem/s": (1.0, "elem/s"),
    "Kelem/s": (1e3, "elem/s"),
    "Melem/s": (1e6, "elem/s"),
    "Gelem/s": (1e9, "elem/s"),
}


@dataclass
class _Bench:
    """One benchmark's lines while they are read."""

    name: str
    times: tuple[float, float, float]
    rates: tuple[float, float, float] | None = None
    rate_unit: str = ""
    meta: dict[str, str] = field(default_factory=dict)


def _is_change(body: str) -> bool:
    return "%" in body


def _triple(sniff: Sniff, lineno: int, body: str, what: str) -> list[tuple[float, str]]:
    tokens = body.split()
    if len(tokens) != 6:
        raise line_error(sniff, lineno, f"expected `{what}: [LOW UNIT EST UNIT HIGH UNIT]`")
    try:
        return [(float(tokens[i]), tokens[i + 1]) for i in (0, 2, 4)]
    except ValueError:
        raise line_error(sniff, lineno, f"not a number in {what}: [{body}]") from None


def _times(sniff: Sniff, lineno: int, body: str) -> tuple[float, float, float]:
    values = []
    for value, unit in _triple(sniff, lineno, body, "time"):
        if not is_time_unit(unit):
            raise line_error(sniff, lineno, f"unknown time unit {unit!r}")
        values.append(to_ns(value, unit))
    low, est, high = values
    return low, est, high


def _rates(sniff: Sniff, lineno: int, body: str) -> tuple[tuple[float, float, float], str]:
    values = []
    units = set()
    for value, unit in _triple(sniff, lineno, body, "thrpt"):
        scale, canonical = _RATES.get(unit, (1.0, unit))
        values.append(value * scale)
        units.add(canonical)
    if len(units) != 1:
        raise line_error(sniff, lineno, f"mixed throughput units {sorted(units)}")
    low, est, high = values
    return (low, est, high), units.pop()


def _wrapped_name(previous: str) -> str:
    """The name above an indented ``time:`` line (criterion wraps long names)."""
    found = _BENCHMARKING.match(previous)
    return found.group("name") if found else previous


def scan_criterion(sniff: Sniff, seen: set[str]) -> list[_Bench]:
    benches: list[_Bench] = []
    current: _Bench | None = None
    previous = ""
    target = ""
    for lineno, raw in enumerate(sniff.lines, start=1):
        line = raw.rstrip()
        stripped = line.strip()
        if running := RUNNING.match(line):
            target = target_name(running.group("what"))
        elif found := _TIME.match(line):
            if _is_change(found.group("body")):
                if current is not None:
                    _note_change(current, found.group("body"), found.group("rest"))
            else:
                name = found.group("name").strip() or _wrapped_name(previous)
                if not name:
                    raise line_error(sniff, lineno, "time: line without a benchmark name")
                times = _times(sniff, lineno, found.group("body"))
                current = _Bench(unique_name(name, target, seen), times)
                benches.append(current)
        elif found := _THRPT.match(line):
            if not _is_change(found.group("body")):
                if current is None:
                    raise line_error(sniff, lineno, "thrpt: line before any time: line")
                current.rates, current.rate_unit = _rates(sniff, lineno, found.group("body"))
        elif found := _CHANGE.match(line):
            if current is not None:
                _note_change(current, found.group("body"), found.group("rest"))
        elif stripped in _VERDICTS and current is not None:
            current.meta["verdict"] = _VERDICTS[stripped]
        if stripped:
            previous = stripped
    return benches


def _note_change(bench: _Bench, body: str, rest: str) -> None:
    tokens = body.split()
    if len(tokens) == 3:
        bench.meta["change"] = tokens[1]
    p_value = _P_VALUE.search(rest)
    if p_value:
        bench.meta["p"] = p_value.group("p")


def _metrics(bench: _Bench, sniff: Sniff, fmt: str) -> list[Metric]:
    source = str(sniff.path)
    device = device_from_name(sniff.path)
    low, est, high = bench.times
    meta = tuple(sorted(bench.meta.items()))
    out = [
        Metric(
            name=bench.name,
            value=est,
            unit="ns",
            kind=Kind.TIMING,
            direction="lower",
            device=device,
            lower=low,
            upper=high,
            source=source,
            format=fmt,
            meta=meta,
        )
    ]
    if bench.rates is not None:
        r_low, r_est, r_high = bench.rates
        out.append(
            Metric(
                name=f"{bench.name} throughput",
                value=r_est,
                unit=bench.rate_unit,
                kind=Kind.THROUGHPUT,
                direction="higher",
                device=device,
                lower=min(r_low, r_high),
                upper=max(r_low, r_high),
                source=source,
                format=fmt,
            )
        )
    return out


def _running(sniff: Sniff) -> Callable[[int], str | None]:
    """The benchmark criterion had started but not reported at each line."""
    in_progress: list[str | None] = []
    current: str | None = None
    for line in sniff.lines:
        if found := _BENCHMARKING.match(line):
            current = found.group("name")
        elif (found := _TIME.match(line)) and not _is_change(found.group("body")):
            current = None
        in_progress.append(current)
    return lambda index: in_progress[index] if index < len(in_progress) else None


def has_criterion_output(sniff: Sniff) -> bool:
    if sniff.json is not None:
        return False
    for line in sniff.lines:
        if _PROGRESS.match(line):
            return True
        found = _TIME.match(line)
        if found and not _is_change(found.group("body")) and len(found.group("body").split()) == 6:
            return True
    return False


class CriterionLog:
    name = "criterion-log"
    description = "cargo bench 2>&1 | tee cpu-bench.log  (criterion.rs terminal output)"
    schema: str | None = None

    def detect(self, sniff: Sniff) -> bool:
        return has_criterion_output(sniff)

    def parse(self, sniff: Sniff) -> ParseResult:
        seen: set[str] = set()
        metrics = [m for b in scan_criterion(sniff, seen) for m in _metrics(b, sniff, self.name)]
        metrics += scan_bench_lines(sniff, self.name, seen)
        return one_file(sniff, self.name, metrics, scan_failures(sniff, _running(sniff)))


register(CriterionLog(), priority=30)
