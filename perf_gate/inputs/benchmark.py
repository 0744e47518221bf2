"""A configured benchmark: its ``benchmarks:`` entry, running it, reading its results.

Each entry of ``.perf-gate.yml`` is one command. Its results files are parsed into
metrics stamped with its device; its peak memory becomes a ``memory`` metric; a
command that failed or timed out becomes a finding (``fail`` when required).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from perf_gate.core.config import Benchmark, Config
from perf_gate.core.errors import ConfigError, InputError
from perf_gate.core.model import Device, Finding, Kind, Metric, ParseResult, RunSet
from perf_gate.core.model_json import MEMORY_FORMAT
from perf_gate.inputs.artifact import artifact
from perf_gate.inputs.console import Console
from perf_gate.inputs.hardware import NO_GPU, Hardware
from perf_gate.inputs.interrupt import Interrupted
from perf_gate.inputs.parsers import format_names, merge, parse_path
from perf_gate.inputs.process import CommandResult, run_command

# -- the benchmarks: entries --------------------------------------------------------


def benchmarks_from_config(config: Config) -> list[Benchmark]:
    """The configured benchmarks; a ``format:`` no parser knows is a config error."""
    known = format_names()
    for index, bench in enumerate(config.benchmarks):
        if bench.format is not None and bench.format not in known:
            raise ConfigError(
                f"unknown format {bench.format!r}; known formats: {', '.join(known)}",
                path=str(config.path) if config.path else None,
                where=f"$.benchmarks[{index}].format",
            )
    return list(config.benchmarks)


def select(
    benches: Sequence[Benchmark], only: Sequence[str], device: str | None
) -> list[Benchmark]:
    known = {b.name for b in benches}
    unknown = [name for name in only if name not in known]
    if unknown:
        raise InputError(
            f"no benchmark named {', '.join(map(repr, unknown))} in the config "
            f"(known: {', '.join(sorted(known)) or 'none'})"
        )
    return [
        b
        for b in benches
        if (not only or b.name in only) and (device is None or b.device == device)
    ]


# -- one benchmark: run it, then read its results ------------------------------------


def stamp_device(metrics: Iterable[Metric], device: Device) -> tuple[Metric, ...]:
    """Give results without a device the benchmark's device (shards stay apart)."""
    return tuple(m if m.device else replace(m, device=device) for m in metrics)


def memory_metric(name: str, peak_mb: float, device: Device, source: str) -> Metric:
    return Metric(
        name=f"{name} peak memory",
        value=peak_mb,
        unit="MB",
        kind=Kind.MEMORY,
        direction="lower",
        device=device,
        source=source,
        format=MEMORY_FORMAT,
    )


def read_results(bench: Benchmark, root: Path, command: CommandResult) -> ParseResult:
    """Parse what ``bench`` left at its results paths; problems become findings."""
    parts: list[ParseResult] = []
    findings: list[Finding] = []
    base = bench.cwd(root)
    for entry in bench.results:
        path = base / entry
        if not path.exists():
            findings.append(
                Finding(
                    bench.name,
                    f"no results at {entry} (command {command.status})",
                    "warn",
                    "results-missing",
                )
            )
            continue
        try:
            parts.append(parse_path(path, bench.format))
        except InputError as exc:
            problem = f"unreadable results: {exc}"
            findings.append(Finding(bench.name, problem, "warn", "bad-results"))
    merged = merge(parts)
    metrics = stamp_device(merged.metrics, bench.device)
    return ParseResult(metrics, (*merged.findings, *findings), merged.files)


def command_findings(result: CommandResult, required: bool) -> list[Finding]:
    if result.status in ("ok", "skipped"):
        return []
    last = next((t.strip() for t in reversed(result.tail) if t.strip()), "")
    detail = f": {last[:200]}" if last else ""
    return [
        Finding(
            result.name,
            f"benchmark command {result.reason}{detail}",
            "fail" if required else "warn",
            f"command-{result.status}",
        )
    ]


@dataclass
class RunOutcome:
    """Everything ``perf-gate run`` collected, before it is written out."""

    hardware: Hardware
    commands: list[CommandResult] = field(default_factory=list)
    parts: list[ParseResult] = field(default_factory=list)
    artifacts: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fallback_used: bool = False
    baseline: RunSet | None = None  # A/B mode: the base commit measured in this job
    ab: dict[str, Any] | None = None

    def result_metrics(self) -> list[Metric]:
        return [m for p in self.parts for m in p.metrics if m.format != MEMORY_FORMAT]


def run_benchmark(
    bench: Benchmark,
    *,
    hardware: Hardware,
    root: Path,
    output_dir: Path,
    console: Console,
) -> tuple[CommandResult, ParseResult]:
    """Run one benchmark (or skip a GPU one without a usable GPU) and read its results."""
    if bench.device == "gpu" and not hardware.gpu_usable:
        why = hardware.gpu_problem or "no NVIDIA GPU found"
        console.line(f"perf-gate: {bench.name} skipped ({NO_GPU}: {why})")
        result = CommandResult(bench.name, bench.shown, "gpu", "skipped", reason=NO_GPU)
        return result, ParseResult(())
    log = bench.log_path(output_dir)
    result = run_command(
        bench.name,
        bench.command,
        device=bench.device,
        console=console,
        cwd=bench.cwd(root),
        env=dict(bench.env),
        timeout=bench.timeout,
        log_path=log if log.is_absolute() else root / log,
    )
    result = replace(result, log=str(log))
    if result.status == "error":
        return result, ParseResult((), tuple(command_findings(result, bench.required)))
    parsed = read_results(bench, root, result)
    extra: list[Metric] = []
    if bench.memory and result.peak_rss_mb is not None:
        extra.append(memory_metric(bench.name, result.peak_rss_mb, bench.device, str(log)))
    findings = (*parsed.findings, *command_findings(result, bench.required))
    return result, ParseResult((*parsed.metrics, *extra), findings, parsed.files)


def run_benchmarks(
    benches: Sequence[Benchmark],
    *,
    hardware: Hardware,
    root: Path,
    output_dir: Path,
    console: Console,
) -> RunOutcome:
    outcome = RunOutcome(hardware=hardware)
    for bench in benches:
        try:
            result, parsed = run_benchmark(
                bench, hardware=hardware, root=root, output_dir=output_dir, console=console
            )
        except Interrupted as exc:
            exc.outcome = outcome
            raise
        outcome.commands.append(result)
        outcome.parts.append(parsed)
        if result.status != "skipped" and result.log:
            outcome.artifacts.append(artifact(Path(result.log), "log", root))
        for pattern in bench.artifacts:
            outcome.artifacts += [artifact(p, "file", root) for p in sorted(root.glob(pattern))]
    return outcome
