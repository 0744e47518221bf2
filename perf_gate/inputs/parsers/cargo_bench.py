"""``cargo bench`` text output in libtest's style: ``test name ... bench: 1,234 ns/iter (+/- 56)``.

This is what ``#[bench]`` benchmarks print, and what criterion prints with
``--output-format bencher``; ``cargo bench 2>&1 | tee cpu-bench.log`` keeps it. Each
``bench:`` line is one metric named by the test's path. ``ns/iter`` (any time unit per
iteration) is a timing in ns; a rate such as ``MB/s`` is higher-is-better; any other
unit (``cycles/iter``) is kept as written, lower is better. libtest's ``(+/- N)`` is
the spread of its samples (max - min), kept in ``meta`` as ``spread``. With ``b.bytes``
set, libtest appends ``= 1108 MB/s``: that is a second metric, ``<name> throughput``
(higher is better).

Several targets in one log (``Running benches/foo.rs (...)``) are read in turn; a name
that a previous target already used is qualified with its target (``foo::name``).
A benchmark that ``FAILED``, a panic, or ``error: bench failed`` is a finding that
fails the gate: a benchmark that did not run is never silently dropped. The device
comes from the file name (``cpu-bench.log``, ``gpu-bench.log``) when it says.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePosixPath

from perf_gate.core.model import DEFAULT_DIRECTION, Finding, Kind, Metric, ParseResult
from perf_gate.core.units import is_time_unit, to_ns
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import Sniff, device_from_name, line_error, one_file

_NUMBER = r"[0-9][0-9,_]*(?:\.[0-9]+)?"
BENCH_LINE = re.compile(
    rf"^test (?P<name>.+?) \.\.\. bench:\s+(?P<value>{_NUMBER})\s+(?P<unit>\S+)"
    rf"(?:\s+\(\+/-\s*(?P<spread>{_NUMBER})\))?"
    rf"(?:\s*=\s*(?P<rate>{_NUMBER})\s+(?P<rate_unit>\S+/s))?\s*$"
)
_BENCH_START = re.compile(r"^test .+? \.\.\. bench:")
_FAILED = re.compile(r"^test (?P<name>.+?) \.\.\. FAILED\s*$")
RUNNING = re.compile(r"^\s*Running (?:unittests |benches |tests )?(?P<what>\S.*)$")
_DEPS = re.compile(r"deps[/\\](?P<stem>[^/\\\s)]+?)(?:-[0-9a-f]{8,})?(?:\.exe)?\)?$")
_STDOUT = re.compile(r"^---- (?P<name>.+?) stdout ----$")
_PANIC = re.compile(r"^thread '(?P<thread>[^']*)' panicked at (?P<where>.*)$")
_BENCH_FAILED = re.compile(r"^error: bench failed")
_SECTION_END = re.compile(r"^(?:failures:|test result:|running \d+ tests?)")


def number(text: str) -> float:
    """``1,234.5`` → 1234.5 (libtest groups thousands with commas)."""
    return float(text.replace(",", "").replace("_", ""))


def target_name(running: str) -> str:
    """``benches/foo.rs (target/release/deps/foo-1a2b3c4d)`` → ``foo``."""
    first = PurePosixPath(running.strip().split(" ")[0].replace("\\", "/"))
    if first.suffix == ".rs" and first.name not in ("lib.rs", "main.rs"):
        return first.stem
    found = _DEPS.search(running.strip())
    return found.group("stem") if found else first.stem or str(first)


def canonical(value: float, unit: str) -> tuple[float, str, Kind]:
    """A libtest-style ``value unit`` in canonical units: ns/iter, a rate, or as written."""
    per, _, denominator = unit.partition("/")
    if denominator == "iter" and is_time_unit(per):
        return to_ns(value, per), "ns", Kind.TIMING
    if denominator == "s":
        return value, unit, Kind.THROUGHPUT
    return value, unit, Kind.OTHER


def _panic_message(lines: list[str], index: int) -> str:
    """The panic on ``lines[index]``: old style inline, new style on the next line."""
    where = _PANIC.match(lines[index])
    text = where.group("where").strip() if where else lines[index].strip()
    if text.endswith(":") and index + 1 < len(lines) and lines[index + 1].strip():
        text = f"{text} {lines[index + 1].strip()}"
    return text


def scan_failures(
    sniff: Sniff, running: Callable[[int], str | None] | None = None
) -> list[Finding]:
    """Failed and panicking benchmarks of a cargo bench log, each a gate-failing finding.

    ``running(index)`` names the benchmark in progress at line ``index`` (0-based) when
    the harness says (criterion's ``Benchmarking NAME`` lines), to name a panic's victim.
    """
    source = str(sniff.path)
    lines = sniff.lines
    failed: dict[str, str] = {}
    current_stdout: str | None = None
    loose_panics: list[str] = []
    bench_failed: str | None = None
    for index, line in enumerate(lines):
        if found := _FAILED.match(line):
            failed.setdefault(found.group("name"), "")
        elif found := _STDOUT.match(line):
            current_stdout = found.group("name")
        elif _PANIC.match(line):
            message = f"panicked at {_panic_message(lines, index)} (line {index + 1})"
            if current_stdout is not None:
                failed[current_stdout] = message
            else:
                victim = running(index) if running else None
                loose_panics.append(f"{victim} {message}" if victim else f"run {message}")
        elif _BENCH_FAILED.match(line):
            bench_failed = f"{line.strip()} (line {index + 1})"
        elif _SECTION_END.match(line):
            current_stdout = None
    findings = [
        Finding(
            source, f"benchmark {name} FAILED" + (f": {why}" if why else ""), "fail", "bench-failed"
        )
        for name, why in failed.items()
    ]
    findings += [
        Finding(source, f"benchmark {why}", "fail", "bench-panicked") for why in loose_panics
    ]
    if bench_failed and not findings:
        findings.append(
            Finding(source, f"cargo bench failed: {bench_failed}", "fail", "bench-failed")
        )
    return findings


def unique_name(name: str, target: str, seen: set[str]) -> str:
    """``name``, or ``target::name`` when an earlier target of the log already used it."""
    unique = f"{target}::{name}" if name in seen and target else name
    count = 2
    while unique in seen:
        unique = f"{name} #{count}"
        count += 1
    seen.add(unique)
    return unique


def scan_bench_lines(sniff: Sniff, fmt: str, seen: set[str] | None = None) -> list[Metric]:
    """Every ``test ... bench:`` line; a malformed one raises with its line number."""
    device = device_from_name(sniff.path)
    source = str(sniff.path)
    metrics: list[Metric] = []
    seen = set() if seen is None else seen
    target = ""
    for lineno, line in enumerate(sniff.lines, start=1):
        if running := RUNNING.match(line):
            target = target_name(running.group("what"))
            continue
        if not _BENCH_START.match(line):
            continue
        found = BENCH_LINE.match(line.rstrip())
        if found is None:
            raise line_error(
                sniff,
                lineno,
                f"malformed bench line {line.strip()!r} "
                "(expected `test NAME ... bench: VALUE UNIT (+/- SPREAD)`)",
            )
        name = unique_name(found.group("name").strip(), target, seen)
        value, unit, kind = canonical(number(found.group("value")), found.group("unit"))
        meta = [("target", target)] if target else []
        if found.group("spread") is not None:
            spread, _, _ = canonical(number(found.group("spread")), found.group("unit"))
            meta.append(("spread", f"{spread:g}"))
        metrics.append(
            Metric(
                name=name,
                value=value,
                unit=unit,
                kind=kind,
                direction=DEFAULT_DIRECTION[kind],
                device=device,
                source=source,
                format=fmt,
                meta=tuple(meta),
            )
        )
        if found.group("rate") is not None:  # `b.bytes = N`: libtest adds `= R MB/s`
            metrics.append(
                Metric(
                    name=f"{name} throughput",
                    value=number(found.group("rate")),
                    unit=found.group("rate_unit"),
                    kind=Kind.THROUGHPUT,
                    direction="higher",
                    device=device,
                    source=source,
                    format=fmt,
                    meta=tuple(meta[:1]),
                )
            )
    return metrics


def has_bench_output(sniff: Sniff) -> bool:
    """A libtest bench line, or a cargo bench that failed before printing any."""
    if sniff.json is not None:
        return False
    lines = sniff.lines
    if any(_BENCH_START.match(line) for line in lines):
        return True
    return any(_BENCH_FAILED.match(line) for line in lines) and any(
        line.startswith("running ") for line in lines
    )


class CargoBench:
    name = "cargo-bench"
    description = (
        "cargo bench 2>&1 | tee cpu-bench.log  (libtest #[bench] / --output-format bencher)"
    )
    schema: str | None = None

    def detect(self, sniff: Sniff) -> bool:
        return has_bench_output(sniff)

    def parse(self, sniff: Sniff) -> ParseResult:
        metrics = scan_bench_lines(sniff, self.name)
        return one_file(sniff, self.name, metrics, scan_failures(sniff))


register(CargoBench(), priority=20)
