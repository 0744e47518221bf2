"""``perf-gate run``: run the configured benchmark commands and record what they produced.

Each ``benchmarks:`` entry of ``.perf-gate.yml`` is one command. Its output streams
live to the job log inside a ``::group::`` fold with a header and its elapsed time,
and is tee'd to its log file (``cpu-bench.log``). A command that times out or exits
non-zero is reported with its last lines; the others still run and their results
still count. The peak resident memory of each command (from ``wait4``'s resource
usage of the child and its waited-for descendants) becomes a ``memory`` metric.

Everything the run learned goes into one self-contained manifest,
``perf-run.json``: the hardware, each command's outcome, the normalised metrics,
findings, input files and artifacts. ``perf-gate finalize --current perf-run.json``
reads it back, so matrix shards (a CPU job, a GPU job) hand over one file each.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, Literal

from perf_gate.compare import Row, Status
from perf_gate.config import Config, load_config
from perf_gate.errors import ConfigError, InputError, RunError
from perf_gate.hardware import NO_GPU, Hardware, Probes, detect, hardware_from_dict
from perf_gate.model import Device, Finding, InputFile, Kind, Metric, ParseResult, RunSet
from perf_gate.outputs import write_all
from perf_gate.parsers import merge, parse_path
from perf_gate.parsers.base import schema_problems
from perf_gate.policy import Threshold

MANIFEST_NAME = "perf-run.json"
MEMORY_NAME = "memory-usage.txt"
MANIFEST_MARK = "perf_gate_run"
TAIL_LINES = 20
HEARTBEAT_S = 60.0
KILL_GRACE_S = 5.0
PROFILE_NAMES = ("perf-profile.svg", "flamegraph.svg", MEMORY_NAME)
MEMORY_FORMAT = "rusage"  # peak RSS from the child's resource usage: not a "method"

CommandStatus = Literal["ok", "failed", "timeout", "skipped", "error"]

_CUDA_TROUBLE = re.compile(
    r"CUDA[_ ]ERROR|CUDA error|no CUDA-capable device|cudaErrorNoDevice|"
    r"CUDA driver version is insufficient|failed to initialize CUDA|NVML",
    re.IGNORECASE,
)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$")


# -- configuration -------------------------------------------------------------------


@dataclass(frozen=True)
class Benchmark:
    """One ``benchmarks:`` entry."""

    name: str
    command: str | tuple[str, ...]
    device: Device = "cpu"
    timeout: float | None = None  # seconds
    log: str | None = None
    results: tuple[str, ...] = ()
    format: str | None = None
    env: tuple[tuple[str, str], ...] = ()
    workdir: str | None = None
    required: bool = True  # a failure fails the gate (else it only warns)
    memory: bool = True  # record the peak-memory metric
    artifacts: tuple[str, ...] = ()  # extra files (globs) to list as receipts

    @property
    def shown(self) -> str:
        return self.command if isinstance(self.command, str) else " ".join(self.command)

    def log_path(self, output_dir: Path) -> Path:
        return Path(self.log) if self.log else output_dir / f"{self.name}.log"


def parse_duration(value: Any) -> float | None:
    """``600``, ``"90s"``, ``"30m"``, ``"2h"`` → seconds."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    match = _DURATION.match(str(value))
    if match is None:
        raise InputError(f"not a duration: {value!r} (use seconds or 30s, 10m, 2h)")
    number, unit = float(match.group(1)), match.group(2) or "s"
    return number * {"ms": 1e-3, "s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}[unit]


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(str(v) for v in value)


def benchmark_from_mapping(entry: Mapping[str, Any]) -> Benchmark:
    command = entry["command"]
    return Benchmark(
        name=str(entry["name"]),
        command=command if isinstance(command, str) else tuple(str(c) for c in command),
        device=entry.get("device", "cpu"),
        timeout=parse_duration(entry.get("timeout")),
        log=entry.get("log"),
        results=_strings(entry.get("results")),
        format=entry.get("format"),
        env=tuple(sorted((str(k), str(v)) for k, v in entry.get("env", {}).items())),
        workdir=entry.get("workdir"),
        required=bool(entry.get("required", True)),
        memory=bool(entry.get("memory", True)),
        artifacts=_strings(entry.get("artifacts")),
    )


def benchmarks_from_config(config: Config) -> list[Benchmark]:
    return [benchmark_from_mapping(e) for e in config.raw.get("benchmarks", [])]


# -- running one command -------------------------------------------------------------


@dataclass(frozen=True)
class CommandResult:
    """What happened to one command."""

    name: str
    command: str
    device: Device
    status: CommandStatus
    exit_code: int | None = None
    elapsed_s: float = 0.0
    peak_rss_mb: float | None = None
    log: str | None = None
    tail: tuple[str, ...] = ()
    reason: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "command": self.command,
            "device": self.device,
            "status": self.status,
            "exit_code": self.exit_code,
            "elapsed_s": round(self.elapsed_s, 3),
            "peak_rss_mb": None if self.peak_rss_mb is None else round(self.peak_rss_mb, 3),
            "log": self.log,
            "tail": list(self.tail),
            "reason": self.reason,
        }


def command_result_from_dict(data: Mapping[str, Any]) -> CommandResult:
    return CommandResult(
        name=data["name"],
        command=data.get("command", ""),
        device=data.get("device", "cpu"),
        status=data["status"],
        exit_code=data.get("exit_code"),
        elapsed_s=float(data.get("elapsed_s", 0.0)),
        peak_rss_mb=data.get("peak_rss_mb"),
        log=data.get("log"),
        tail=tuple(data.get("tail", ())),
        reason=data.get("reason", ""),
    )


@dataclass
class Console:
    """Where live output goes, and whether to wrap it in GitHub Actions folds."""

    stream: IO[str] = field(default_factory=lambda: sys.stdout)
    fold: bool = field(default_factory=lambda: os.environ.get("GITHUB_ACTIONS") == "true")
    heartbeat_s: float = HEARTBEAT_S
    lock: threading.Lock = field(default_factory=threading.Lock)

    def line(self, text: str) -> None:
        with self.lock:
            self.stream.write(text + "\n")
            self.stream.flush()

    def begin(self, title: str) -> None:
        self.line(f"::group::{title}" if self.fold else f"── {title} ──")

    def end(self) -> None:
        if self.fold:
            self.line("::endgroup::")


def elapsed_text(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def _argv(command: str | tuple[str, ...]) -> list[str]:
    if not isinstance(command, str):
        return list(command)
    bash = shutil.which("bash")
    return [bash, "-o", "pipefail", "-c", command] if bash else ["/bin/sh", "-c", command]


# Peak RSS is inherited across fork and exec: a child of this (large) Python process
# starts with its high-water mark. A minimal launcher (``python -I -S``, a few MB)
# forks the command instead and reports the peak of its children alone on a pipe.
_LAUNCHER = """\
import os, signal, sys
fd = int(sys.argv[1])
pid = os.fork()
if pid == 0:
    os.close(fd)  # the report pipe is the launcher's alone
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    except OSError as exc:
        os.write(2, ("perf-gate: cannot run %s: %s\\n" % (sys.argv[2], exc.strerror)).encode())
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
os.write(fd, b"%d\\n" % usage.ru_maxrss)
code = os.waitstatus_to_exitcode(status)
if code < 0:
    signal.signal(-code, signal.SIG_DFL)
    os.kill(os.getpid(), -code)
os._exit(code)
"""


def _startable(argv: list[str], cwd: Path | None, environ: Mapping[str, str]) -> str | None:
    """Why ``argv[0]`` cannot be executed, or ``None``."""
    program = argv[0]
    if os.sep in program:
        full = Path(program) if Path(program).is_absolute() else (cwd or Path.cwd()) / program
        return None if os.access(full, os.X_OK) and full.is_file() else "no such executable"
    found = shutil.which(program, path=environ.get("PATH"))
    return None if found else f"{program}: command not found"


def _maxrss_mb(rusage: Any) -> float | None:
    raw = rusage if isinstance(rusage, int) else getattr(rusage, "ru_maxrss", 0) or 0
    if raw <= 0:
        return None
    scale = 1.0 if sys.platform == "darwin" else 1024.0  # bytes on macOS, KiB on Linux
    return float(raw) * scale / 1e6


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def run_command(
    name: str,
    command: str | tuple[str, ...],
    *,
    device: Device = "cpu",
    console: Console | None = None,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    log_path: Path | None = None,
    tail_lines: int = TAIL_LINES,
    kill_grace: float = KILL_GRACE_S,
) -> CommandResult:
    """Run one command, streaming and tee-ing its output; never raises for its failures."""
    out = console or Console()
    shown = command if isinstance(command, str) else " ".join(command)
    log_name = str(log_path) if log_path else None
    out.begin(f"perf-gate: {name} [{device}]")
    out.line(f"$ {shown}")
    environ = {**os.environ, **(env or {})}
    started = time.monotonic()
    try:
        log = None
        if log_path is not None:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log = log_path.open("wb")
    except OSError as exc:
        out.end()
        return CommandResult(
            name, shown, device, "error", log=log_name, reason=f"cannot write log: {exc}"
        )
    argv = _argv(command)
    problem = _startable(argv, cwd, environ)
    if problem is None and cwd is not None and not cwd.is_dir():
        problem = f"no such folder {cwd}"
    if problem is not None:
        if log is not None:
            log.close()
        reason = f"could not start: {problem}"
        out.line(f"perf-gate: {name}: {reason}")
        out.end()
        return CommandResult(name, shown, device, "error", log=log_name, reason=reason)
    report_r, report_w = os.pipe()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(report_w), *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=str(cwd) if cwd else None,
            env=environ,
            start_new_session=True,
            pass_fds=(report_w,),
        )
    except OSError as exc:
        for fd in (report_r, report_w):
            os.close(fd)
        if log is not None:
            log.close()
        reason = f"could not start: {exc.strerror or exc}"
        out.line(f"perf-gate: {name}: {reason}")
        out.end()
        return CommandResult(name, shown, device, "error", log=log_name, reason=reason)
    os.close(report_w)

    tail: collections.deque[str] = collections.deque(maxlen=tail_lines)
    last_output = [time.monotonic()]
    assert proc.stdout is not None
    stdout = proc.stdout

    def read() -> None:
        for raw in iter(stdout.readline, b""):
            if log is not None:
                log.write(raw)
                log.flush()
            text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            tail.append(text)
            last_output[0] = time.monotonic()
            out.line(text)

    waited: dict[str, Any] = {}

    def wait() -> None:
        _, status, rusage = os.wait4(proc.pid, 0)
        waited["code"] = os.waitstatus_to_exitcode(status)
        waited["rusage"] = rusage

    reader = threading.Thread(target=read, name=f"perf-gate-read-{name}", daemon=True)
    waiter = threading.Thread(target=wait, name=f"perf-gate-wait-{name}", daemon=True)
    reader.start()
    waiter.start()
    timed_out = _supervise(
        name, proc.pid, waiter, out, started, last_output, timeout=timeout, kill_grace=kill_grace
    )
    elapsed = time.monotonic() - started
    code = int(waited["code"])
    proc.returncode = code  # reaped by wait4 above; keep Popen from waiting again
    reader.join(kill_grace)
    if reader.is_alive():  # a daemonised grandchild still holds the pipe
        _signal_group(proc.pid, signal.SIGKILL)
        reader.join()
    stdout.close()
    if log is not None:
        log.close()
    with os.fdopen(report_r, "rb") as report:
        reported = report.read().strip()
    # The launcher's report covers the command alone; without it (killed), wait4's figure.
    peak = _maxrss_mb(int(reported)) if reported.isdigit() else _maxrss_mb(waited.get("rusage"))
    status: CommandStatus
    if timed_out:
        status = "timeout"
        reason = f"timed out after {elapsed_text(timeout or elapsed)}"
    elif code != 0:
        status = "failed"
        reason = f"exited with {code}" if code > 0 else f"killed by signal {-code}"
    else:
        status, reason = "ok", ""
    memory = f", peak memory {peak:,.1f} MB" if peak is not None else ""
    out.line(f"perf-gate: {name}: {reason or 'ok'} in {elapsed_text(elapsed)}{memory}")
    out.end()
    result = CommandResult(
        name, shown, device, status, code, elapsed, peak, log_name, tuple(tail), reason
    )
    if status != "ok":
        report_failure(result, out)
    return result


def _supervise(
    name: str,
    pid: int,
    waiter: threading.Thread,
    out: Console,
    started: float,
    last_output: list[float],
    *,
    timeout: float | None,
    kill_grace: float,
) -> bool:
    """Wait for the command; print a heartbeat when it is quiet; at the deadline send its
    process group SIGTERM, then SIGKILL after ``kill_grace``. True when it timed out."""
    deadline = started + timeout if timeout else None
    while waiter.is_alive():
        now = time.monotonic()
        step = out.heartbeat_s if deadline is None else min(out.heartbeat_s, deadline - now)
        waiter.join(max(step, 0.0))
        now = time.monotonic()
        if not waiter.is_alive():
            return False
        if deadline is not None and now >= deadline:
            _signal_group(pid, signal.SIGTERM)
            waiter.join(kill_grace)
            if waiter.is_alive():
                _signal_group(pid, signal.SIGKILL)
                waiter.join()
            return True
        if now - last_output[0] >= out.heartbeat_s:
            out.line(f"perf-gate: {name} still running ({elapsed_text(now - started)} elapsed)")
            last_output[0] = now
    return False


def report_failure(result: CommandResult, console: Console) -> None:
    """Outside the fold, so the job log shows it without expanding anything."""
    title = f"perf-gate: {result.name} {result.reason}"
    console.line(f"::error title={title}::{result.command}" if console.fold else f"!! {title}")
    if result.tail:
        console.line(f"last {len(result.tail)} lines of {result.log or 'its output'}:")
        for text in result.tail:
            console.line(f"    {text}")


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
    base = root / bench.workdir if bench.workdir else root
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
        cwd=root / bench.workdir if bench.workdir else root,
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
        result, parsed = run_benchmark(
            bench, hardware=hardware, root=root, output_dir=output_dir, console=console
        )
        outcome.commands.append(result)
        outcome.parts.append(parsed)
        if result.status != "skipped" and result.log:
            outcome.artifacts.append(artifact(Path(result.log), "log", root))
        for pattern in bench.artifacts:
            outcome.artifacts += [artifact(p, "file", root) for p in sorted(root.glob(pattern))]
    return outcome


# -- artifacts, memory-usage.txt, the manifest ---------------------------------------


def sha256_file(path: Path) -> str | None:
    try:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 16), b""):
                digest.update(block)
        return digest.hexdigest()
    except OSError:
        return None


def artifact(path: Path, kind: str, root: Path | None = None) -> dict[str, Any]:
    full = path if path.is_absolute() or root is None else root / path
    entry: dict[str, Any] = {"path": str(path), "kind": kind}
    digest = sha256_file(full)
    if digest:
        entry["sha256"] = digest
    return entry


def find_receipts(dirs: Iterable[Path]) -> list[dict[str, Any]]:
    """``perf-profile.svg`` / ``memory-usage.txt`` / flamegraphs lying in ``dirs``."""
    found = []
    seen: set[Path] = set()
    for folder in dirs:
        for name in PROFILE_NAMES:
            path = folder / name
            if path.is_file() and path.resolve() not in seen:
                seen.add(path.resolve())
                kind = "memory" if name == MEMORY_NAME else "profile"
                found.append(artifact(path, kind))
    return found


def memory_report(outcome: RunOutcome) -> str:
    """``memory-usage.txt``: one ``name: N MB`` line per command (peak resident set)."""
    lines = ["# peak resident memory per command (perf-gate run, from wait4 rusage)"]
    for cmd in outcome.commands:
        if cmd.peak_rss_mb is not None:
            lines.append(f"{cmd.name}: {cmd.peak_rss_mb:.1f} MB")
    return "\n".join(lines) + "\n"


def metric_to_dict(metric: Metric) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": metric.name,
        "value": metric.value,
        "unit": metric.unit,
        "kind": metric.kind.value,
        "direction": metric.direction,
    }
    if metric.device:
        out["device"] = metric.device
    if metric.samples:
        out["samples"] = list(metric.samples)
    for key in ("lower", "upper", "passed", "tolerance"):
        if getattr(metric, key) is not None:
            out[key] = getattr(metric, key)
    if metric.source:
        out["source"] = metric.source
    if metric.format:
        out["format"] = metric.format
    if metric.meta:
        out["meta"] = [list(pair) for pair in metric.meta]
    return out


def metric_from_dict(data: Mapping[str, Any]) -> Metric:
    return Metric(
        name=data["name"],
        value=float(data["value"]),
        unit=data.get("unit", ""),
        kind=Kind(data.get("kind", "other")),
        direction=data.get("direction", "lower"),
        device=data.get("device"),
        samples=tuple(float(x) for x in data.get("samples", ())),
        lower=data.get("lower"),
        upper=data.get("upper"),
        passed=data.get("passed"),
        tolerance=data.get("tolerance"),
        source=data.get("source", ""),
        format=data.get("format", ""),
        meta=tuple((str(k), str(v)) for k, v in data.get("meta", ())),
    )


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    return {
        "source": finding.source,
        "message": finding.message,
        "severity": finding.severity,
        "code": finding.code,
    }


def finding_from_dict(data: Mapping[str, Any]) -> Finding:
    severity = data.get("severity", "fail")
    return Finding(data["source"], data["message"], severity, data.get("code", ""))


def run_formats(metrics: Iterable[Metric]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m.format for m in metrics if m.format and m.format != MEMORY_FORMAT))


def utc_now() -> str:
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    return now.isoformat().replace("+00:00", "Z")


def git_commit(root: Path, environ: Mapping[str, str]) -> str:
    """The commit being measured: ``GITHUB_SHA``, else ``git rev-parse HEAD``, else ``""``."""
    if environ.get("GITHUB_SHA"):
        return environ["GITHUB_SHA"]
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


def manifest(outcome: RunOutcome, *, root: Path, mode: str, commit: str) -> dict[str, Any]:
    merged = merge(outcome.parts)
    doc: dict[str, Any] = {
        MANIFEST_MARK: 1,
        "created_at": utc_now(),
        "workspace": str(root),
        "commit": commit,
        "mode": mode,
        "hardware": outcome.hardware.to_dict(),
        "commands": [c.to_dict() for c in outcome.commands],
        "metrics": [metric_to_dict(m) for m in merged.metrics],
        "findings": [finding_to_dict(f) for f in merged.findings],
        "inputs": [{"path": f.path, "format": f.format, "sha256": f.sha256} for f in merged.files],
        "formats": list(run_formats(merged.metrics)),
        "artifacts": outcome.artifacts,
        "notes": outcome.notes,
        "fallback_used": outcome.fallback_used,
    }
    if outcome.baseline is not None:
        doc["baseline_metrics"] = [metric_to_dict(m) for m in outcome.baseline.metrics]
    if outcome.ab is not None:
        doc["ab"] = outcome.ab
    return doc


# -- reading a manifest back ---------------------------------------------------------


@dataclass(frozen=True)
class RunRecord:
    """A ``perf-run.json`` read back."""

    path: str
    run: RunSet
    hardware: Hardware | None
    commands: tuple[CommandResult, ...]
    artifacts: tuple[dict[str, Any], ...]
    notes: tuple[str, ...]
    fallback_used: bool
    commit: str
    baseline: RunSet | None = None
    ab: Mapping[str, Any] | None = None


def is_manifest(path: Path) -> bool:
    if not path.is_file() or path.suffix != ".json":
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return f'"{MANIFEST_MARK}"'.encode() in head


def read_manifest(path: Path) -> RunRecord:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read run manifest: {exc}", path=str(path)) from None
    problems = schema_problems(doc, "perf-run.schema.json")
    if problems:
        where, message = problems[0]
        raise InputError(message, path=str(path), where=where)
    metrics = tuple(metric_from_dict(m) for m in doc["metrics"])
    files = tuple(
        InputFile(path=f["path"], format=f["format"], sha256=f["sha256"])
        for f in doc.get("inputs", [])
    )
    run = RunSet(
        metrics=metrics,
        findings=tuple(finding_from_dict(f) for f in doc.get("findings", [])),
        files=(*files, InputFile(str(path), "perf-run", sha256_file(path) or "")),
        formats=tuple(doc.get("formats", ())),
    )
    baseline = None
    if "baseline_metrics" in doc:
        base = tuple(metric_from_dict(m) for m in doc["baseline_metrics"])
        baseline = RunSet(metrics=base, formats=run_formats(base))
    return RunRecord(
        path=str(path),
        run=run,
        hardware=hardware_from_dict(doc["hardware"]) if doc.get("hardware") else None,
        commands=tuple(command_result_from_dict(c) for c in doc.get("commands", [])),
        artifacts=tuple(doc.get("artifacts", ())),
        notes=tuple(doc.get("notes", ())),
        fallback_used=bool(doc.get("fallback_used", False)),
        commit=doc.get("commit", ""),
        baseline=baseline,
        ab=doc.get("ab"),
    )


def combine(runs: Sequence[RunSet]) -> RunSet:
    """Several runs that together are the current run (result files, shard manifests)."""
    from perf_gate.finalize import check_unique

    metrics = tuple(m for r in runs for m in r.metrics)
    check_unique(metrics)
    return RunSet(
        metrics=metrics,
        findings=tuple(f for r in runs for f in r.findings),
        files=tuple(f for r in runs for f in r.files),
        formats=tuple(dict.fromkeys(f for r in runs for f in r.formats)),
    )


def load_current(paths: Sequence[Path], fmt: str | None) -> tuple[RunSet, list[RunRecord]]:
    """``--current`` paths: run manifests are read as such, everything else by the parsers."""
    from perf_gate.finalize import load_run

    records = [read_manifest(p) for p in paths if is_manifest(p)]
    others = [p for p in paths if not is_manifest(p)]
    runs = [r.run for r in records]
    if others:
        runs.insert(0, load_run(others, fmt))
    return combine(runs), records


# -- what finalize needs from the run ------------------------------------------------


def skipped_rows(
    records: Sequence[RunRecord], baselines: list[RunSet]
) -> tuple[list[RunSet], tuple[Row, ...]]:
    """GPU commands skipped for want of a GPU: their baseline metrics become ``skipped``
    rows (``no-gpu-available``) instead of ``missing``, and the CPU part is judged alone.
    """
    skipped = [c for r in records for c in r.commands if c.status == "skipped"]
    devices = {c.device for c in skipped}
    if not devices:
        return baselines, ()
    ran = {m.device for r in records for m in r.run.metrics}
    gone = devices - ran
    rows: list[Row] = []
    kept = baselines
    if baselines and gone:
        newest = baselines[-1]
        for metric in newest.metrics:
            if metric.device in gone:
                rows.append(_skip_row(metric, metric, NO_GPU))
        kept = [
            replace(run, metrics=tuple(m for m in run.metrics if m.device not in gone))
            for run in baselines
        ]
    if not rows:
        for cmd in skipped:
            stand_in = Metric(
                name=cmd.name,
                value=0.0,
                unit="",
                kind=Kind.OTHER,
                direction="lower",
                device=cmd.device,
                source=cmd.command,
            )
            rows.append(_skip_row(stand_in, None, NO_GPU))
    return kept, tuple(rows)


def _skip_row(metric: Metric, baseline: Metric | None, reason: str) -> Row:
    threshold = Threshold(direction=metric.direction, unit=metric.unit, source="run")
    return Row(metric, baseline, None, threshold, Status.SKIPPED, reason, "none")


def gpu_problem(
    config: Config, hardware: Sequence[Hardware], records: Sequence[RunRecord]
) -> str | None:
    """A hardware problem to route to the troubleshooter, or ``None``.

    A GPU that the config expects but no machine had, or a GPU command that failed
    with a CUDA/driver error.
    """
    for record in records:
        for cmd in record.commands:
            if cmd.device == "gpu" and cmd.status in ("failed", "timeout"):
                trouble = next((t for t in cmd.tail if _CUDA_TROUBLE.search(t)), None)
                if trouble:
                    return f"{cmd.name} failed on the GPU: {trouble.strip()[:200]}"
    if not config.gpu_expected or not hardware:
        return None
    if any(h.gpu_usable for h in hardware):
        return None
    reasons = sorted({h.gpu_problem or "no NVIDIA GPU found" for h in hardware})
    return "GPU expected but unusable: " + "; ".join(reasons)


def run_notes(records: Sequence[RunRecord]) -> list[str]:
    notes: list[str] = []
    for record in records:
        notes.extend(record.notes)
        for cmd in record.commands:
            if cmd.status in ("failed", "timeout", "error"):
                notes.append(
                    f"Benchmark command '{cmd.name}' {cmd.reason}; its last lines are in "
                    f"{cmd.log or 'the job log'} and the receipt."
                )
            elif cmd.status == "skipped":
                notes.append(
                    f"Benchmark command '{cmd.name}' was skipped ({cmd.reason}): "
                    "no usable GPU on this runner; the CPU results are judged alone."
                )
    return notes


def current_hardware(
    records: Sequence[RunRecord], hardware_file: Path | None, config: Config
) -> list[Hardware]:
    """The machines the current results came from.

    From the run manifests; else from ``--hardware FILE``; else, when the config
    expects a GPU, this machine (detected now); else unknown.
    """
    if hardware_file is not None:
        try:
            data = json.loads(hardware_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read hardware file: {exc}", path=str(hardware_file)) from None
        items = data if isinstance(data, list) else [data]
        return [hardware_from_dict(item.get("hardware", item)) for item in items]
    found = [r.hardware for r in records if r.hardware is not None]
    if found:
        return found
    return [detect(Probes(smi=nvidia_smi(config)))] if config.gpu_expected else []


def nvidia_smi(config: Config) -> str:
    return str(config.raw.get("hardware", {}).get("nvidia_smi", "nvidia-smi"))


# -- perf-gate run ---------------------------------------------------------------------


def default_config(path: Path | None) -> Path | None:
    if path is not None:
        return path
    candidate = Path(".perf-gate.yml")
    return candidate if candidate.is_file() else None


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


def execute(
    config: Config,
    *,
    root: Path,
    output_dir: Path,
    only: Sequence[str] = (),
    device: str | None = None,
    fallback: str | None = None,
    console: Console | None = None,
    hardware: Hardware | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], RunOutcome]:
    """The whole of ``perf-gate run`` short of writing files: returns the manifest."""
    from perf_gate import ab as ab_mode
    from perf_gate import fallback as fallback_mode

    env = os.environ if environ is None else environ
    out = console or Console()
    machine = hardware or detect(Probes(smi=nvidia_smi(config)))
    out.line(f"perf-gate: hardware: {machine.describe()}")
    benches = select(benchmarks_from_config(config), only, device)
    mode = config.raw.get("mode", "history")
    if mode == "ab":
        outcome = ab_mode.run_ab(
            config, benches, hardware=machine, root=root, output_dir=output_dir, console=out
        )
    else:
        outcome = run_benchmarks(
            benches, hardware=machine, root=root, output_dir=output_dir, console=out
        )
    plan = fallback_mode.plan_from_config(config, override=fallback, device=device)
    why = fallback_mode.reason_needed(plan, outcome, configured=bool(benches))
    if why is not None:
        fallback_mode.run_fallback(
            plan, outcome, why, root=root, output_dir=output_dir, console=out
        )
    memory_text = memory_report(outcome)
    if any(c.peak_rss_mb is not None for c in outcome.commands):
        write_all(output_dir, {MEMORY_NAME: memory_text})
    outcome.artifacts += find_receipts([root, output_dir])
    doc = manifest(outcome, root=root, mode=mode, commit=git_commit(root, env))
    return doc, outcome


def cmd_run(args: argparse.Namespace) -> int:
    config = load_config(default_config(args.config))
    root = Path.cwd()
    output_dir: Path = args.output_dir
    doc, outcome = execute(
        config,
        root=root,
        output_dir=output_dir,
        only=args.only or (),
        device=args.device,
        fallback=args.fallback,
    )
    if not doc["commands"] and not doc["metrics"]:
        raise ConfigError(
            "nothing to run: the config has no benchmarks: (and no fallback:)",
            path=str(args.config or ".perf-gate.yml"),
        )
    doc["artifacts"].append({"path": str(output_dir / MANIFEST_NAME), "kind": "run"})
    paths = write_all(output_dir, {MANIFEST_NAME: json.dumps(doc, indent=2) + "\n"})
    for cmd in outcome.commands:
        peak = f", peak {cmd.peak_rss_mb:,.1f} MB" if cmd.peak_rss_mb is not None else ""
        print(f"{cmd.name}: {cmd.status} {cmd.reason} ({elapsed_text(cmd.elapsed_s)}{peak})")
    print(f"{len(doc['metrics'])} metric(s); wrote {paths[MANIFEST_NAME]}")
    print(f"next: perf-gate finalize --current {paths[MANIFEST_NAME]} --baseline ...")
    not_started = [c for c in outcome.commands if c.status == "error"]
    if not_started:
        raise RunError("could not run " + ", ".join(f"{c.name} ({c.reason})" for c in not_started))
    return 0
