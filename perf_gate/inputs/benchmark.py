"""A configured benchmark: its ``benchmarks:`` entry, running it, reading its results.

Each entry of ``.perf-gate.yml`` is one command. Its results files are parsed into
metrics stamped with its device; its peak memory becomes a ``memory`` metric; a
command that failed or timed out becomes a finding (``fail`` when required).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from perf_gate.core.config import Benchmark, Config
from perf_gate.core.errors import ConfigError, InputError
from perf_gate.core.model import Device, Finding, Kind, Metric, ParseResult, RunSet
from perf_gate.core.model_json import COMMAND_MEMORY_FORMATS, GPU_MEMORY_FORMAT, MEMORY_FORMAT
from perf_gate.inputs.artifact import artifact
from perf_gate.inputs.console import Console
from perf_gate.inputs.gpu_monitor import GpuMonitor
from perf_gate.inputs.gpu_state import GpuEvidence
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


MonitorFactory = Callable[[], GpuMonitor]

LEAK_MB = 64.0
"""Device memory still in use after a GPU command ended, beyond what was in use before
it started, that is reported as a possible leak."""


def stamp_device(metrics: Iterable[Metric], bench: Benchmark) -> tuple[Metric, ...]:
    """Give results without a device the device ``bench`` maps their name to (its
    ``devices:`` globs, else its ``device``); results that name one keep it."""
    return tuple(m if m.device else replace(m, device=bench.device_of(m.name)) for m in metrics)


def memory_metric(
    name: str, peak_mb: float, device: Device, source: str, *, gpu: bool = False
) -> Metric:
    return Metric(
        name=f"{name} peak {'GPU ' if gpu else ''}memory",
        value=peak_mb,
        unit="MB",
        kind=Kind.MEMORY,
        direction="lower",
        device=device,
        source=source,
        format=GPU_MEMORY_FORMAT if gpu else MEMORY_FORMAT,
    )


def gpu_findings(name: str, evidence: GpuEvidence) -> list[Finding]:
    """Device memory that outlived the command, and a sampler that saw nothing."""
    out = []
    before, after = evidence.memory_before_mb, evidence.memory_after_mb
    if before is not None and after is not None and after - before > LEAK_MB:
        out.append(
            Finding(
                name,
                f"GPU memory in use rose from {before:,.0f} MB before the command to "
                f"{after:,.0f} MB after it ended: memory that outlives the process "
                "(a leak, or another process)",
                "warn",
                "gpu-memory-after",
            )
        )
    if evidence.sampler_problem:
        out.append(
            Finding(
                name,
                f"peak GPU memory not measured: {evidence.sampler_problem}",
                "warn",
                "gpu-memory-unmeasured",
            )
        )
    return out


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
    metrics = stamp_device(merged.metrics, bench)
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
        return [m for p in self.parts for m in p.metrics if m.format not in COMMAND_MEMORY_FORMATS]


def run_benchmark(
    bench: Benchmark,
    *,
    hardware: Hardware,
    root: Path,
    output_dir: Path,
    console: Console,
    environ: Mapping[str, str],
    gpu_monitor: MonitorFactory | None = None,
) -> tuple[CommandResult, ParseResult]:
    """Run one benchmark (or skip a GPU one without a usable GPU) and read its results.

    A GPU command is watched by ``gpu_monitor()`` while it runs (state at start and
    end, peak device memory) when one is given."""
    if bench.device == "gpu" and not hardware.gpu_usable:
        why = hardware.gpu_problem or "no NVIDIA GPU found"
        console.line(f"perf-gate: {bench.name} skipped ({NO_GPU}: {why})")
        result = CommandResult(bench.name, bench.shown, "gpu", "skipped", reason=NO_GPU)
        return result, ParseResult(())
    log = bench.log_path(output_dir)
    monitor = gpu_monitor() if gpu_monitor is not None and bench.device == "gpu" else None
    if monitor is not None:
        monitor.start()
    result = run_command(
        bench.name,
        bench.command,
        device=bench.device,
        console=console,
        cwd=bench.cwd(root),
        environ=environ,
        env=dict(bench.env),
        timeout=bench.timeout,
        log_path=log if log.is_absolute() else root / log,
    )
    evidence = monitor.stop() if monitor is not None else None
    result = replace(result, log=str(log), gpu=evidence)
    if result.status == "error":
        return result, ParseResult((), tuple(command_findings(result, bench.required)))
    parsed = read_results(bench, root, result)
    if bench.device == "gpu":
        result = replace(result, gpu_metrics=sum(m.device == "gpu" for m in parsed.metrics))
    extra: list[Metric] = []
    if bench.memory and result.peak_rss_mb is not None:
        extra.append(memory_metric(bench.name, result.peak_rss_mb, bench.device, str(log)))
    more: list[Finding] = []
    if evidence is not None:
        more = gpu_findings(bench.name, evidence)
        peak = evidence.peak_memory_mb
        # No memory seen in use is no measurement (a sampler that cannot attribute it),
        # and a 0 MB baseline could judge nothing relative to it: no metric then.
        if bench.memory and peak is not None and peak > 0:
            extra.append(memory_metric(bench.name, peak, "gpu", str(log), gpu=True))
    findings = (*parsed.findings, *command_findings(result, bench.required), *more)
    return result, ParseResult((*parsed.metrics, *extra), findings, parsed.files)


def run_benchmarks(
    benches: Sequence[Benchmark],
    *,
    hardware: Hardware,
    root: Path,
    output_dir: Path,
    console: Console,
    environ: Mapping[str, str],
    gpu_monitor: MonitorFactory | None = None,
) -> RunOutcome:
    outcome = RunOutcome(hardware=hardware)
    for bench in benches:
        try:
            result, parsed = run_benchmark(
                bench,
                hardware=hardware,
                root=root,
                output_dir=output_dir,
                console=console,
                environ=environ,
                gpu_monitor=gpu_monitor,
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
