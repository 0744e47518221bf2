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

import contextlib
import json
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from perf_gate.core.config import Config
from perf_gate.core.errors import PerfGateError
from perf_gate.core.outputs import write_all
from perf_gate.inputs import ab as ab_mode
from perf_gate.inputs import fallback as fallback_mode
from perf_gate.inputs.ab_rounds import Confirmation
from perf_gate.inputs.artifact import MEMORY_NAME, find_profiles
from perf_gate.inputs.benchmark import RunOutcome, benchmarks_from_config, run_benchmarks, select
from perf_gate.inputs.console import Console
from perf_gate.inputs.gpu_monitor import GpuMonitor
from perf_gate.inputs.hardware import Hardware, Probes, detect, nvidia_smi
from perf_gate.inputs.interrupt import Interrupted
from perf_gate.inputs.process import CommandResult
from perf_gate.inputs.run_manifest import manifest
from perf_gate.inputs.run_record import MANIFEST_NAME


def default_config(path: Path | None) -> Path | None:
    if path is not None:
        return path
    candidate = Path(".perf-gate.yml")
    return candidate if candidate.is_file() else None


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


def memory_report(commands: Sequence[CommandResult]) -> str:
    """``memory-usage.txt``: one ``name: N MB`` line per command (peak resident set)."""
    lines = ["# peak resident memory per command (perf-gate run, from wait4 rusage)"]
    for cmd in commands:
        if cmd.peak_rss_mb is not None:
            lines.append(f"{cmd.name}: {cmd.peak_rss_mb:.1f} MB")
    return "\n".join(lines) + "\n"


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
    environ: Mapping[str, str],
    confirm: Confirmation | None = None,
) -> tuple[dict[str, Any], RunOutcome]:
    """The whole of ``perf-gate run`` short of writing files: returns the manifest.

    ``environ`` is the entry point's environment without tokens: what the benchmark and
    build commands inherit, and where ``GITHUB_SHA`` and ``GITHUB_BASE_REF`` come from.
    ``confirm`` (A/B mode): how the entry point picks the suspects to measure again."""
    out = console or Console()
    machine = hardware or detect(Probes(smi=nvidia_smi(config), environ=environ))
    out.line(f"perf-gate: hardware: {machine.describe()}")
    benches = select(benchmarks_from_config(config), only, device)
    mode = config.mode
    if mode == "ab":
        outcome = ab_mode.run_ab(
            config,
            benches,
            hardware=machine,
            root=root,
            output_dir=output_dir,
            console=out,
            environ=environ,
            confirm=confirm,
        )
    else:
        smi = nvidia_smi(config)
        outcome = run_benchmarks(
            benches,
            hardware=machine,
            root=root,
            output_dir=output_dir,
            console=out,
            environ=environ,
            gpu_monitor=lambda: GpuMonitor(smi, gpus=len(machine.gpus)),
        )
    plan = fallback_mode.plan_from_config(config, override=fallback, device=device)
    why = fallback_mode.reason_needed(plan, outcome, configured=bool(benches))
    if why is not None:
        fallback_mode.run_fallback(
            plan, outcome, why, root=root, output_dir=output_dir, console=out, environ=environ
        )
    memory_text = memory_report(outcome.commands)
    if any(c.peak_rss_mb is not None for c in outcome.commands):
        write_all(output_dir, {MEMORY_NAME: memory_text})
    outcome.artifacts += find_profiles([root, output_dir])
    doc = manifest(outcome, root=root, mode=mode, commit=git_commit(root, environ))
    return doc, outcome


def write_interrupted(
    exc: Interrupted, config: Config, root: Path, output_dir: Path, environ: Mapping[str, str]
) -> None:
    """``perf-run.json`` for a run a signal stopped: what finished, and the interruption."""
    outcome = exc.outcome
    if not isinstance(outcome, RunOutcome):
        outcome = RunOutcome(hardware=detect(Probes(smi=nvidia_smi(config))))
    doc = manifest(outcome, root=root, mode=config.mode, commit=git_commit(root, environ))
    doc["interrupted"] = exc.signal_name
    doc["notes"] = [*doc["notes"], f"interrupted by {exc.signal_name}: the run is incomplete"]
    doc["findings"].append(
        {
            "source": "perf-gate run",
            "message": f"interrupted by {exc.signal_name}",
            "severity": "fail",
            "code": "interrupted",
        }
    )
    doc["artifacts"].append({"path": str(output_dir / MANIFEST_NAME), "kind": "run"})
    with contextlib.suppress(PerfGateError):
        write_all(output_dir, {MANIFEST_NAME: json.dumps(doc, indent=2) + "\n"})
