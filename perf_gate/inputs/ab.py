"""Same-job A/B mode (``mode: ab``): the base commit and the head, measured side by side.

Shared runners drift: the same code runs a few percent faster or slower from one
hour (or one machine) to the next, and a baseline recorded days ago carries none of
today's drift. A/B mode checks the base commit out in a separate ``git worktree``,
builds both trees, and runs the benchmarks interleaved, ``A B A B ...`` (A the base,
B the head), on the same machine in the same job. Drift then hits both sides alike;
each round gives one value per side, and the paired per-round values are the samples
the verdict engine judges (the base as the baseline run, the head as the current).

``.perf-gate.yml``::

    mode: ab
    ab:
      base: origin/main     # default: origin/$GITHUB_BASE_REF, else HEAD~1
      rounds: 5             # A B pairs; 5 or more lets the sample test judge
      build: cargo bench --workspace --no-default-features --features cpu --no-run
"""

from __future__ import annotations

import contextlib
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from perf_gate.core.config import DEFAULT_ROUNDS, Benchmark, Config
from perf_gate.core.errors import RunError
from perf_gate.core.model import Finding, Metric, ParseResult, RunSet
from perf_gate.core.model_json import run_formats
from perf_gate.inputs.artifact import artifact
from perf_gate.inputs.benchmark import RunOutcome, command_findings, run_benchmark
from perf_gate.inputs.console import Console
from perf_gate.inputs.hardware import Hardware
from perf_gate.inputs.process import CommandResult, run_command

Side = Literal["A", "B"]


@dataclass(frozen=True)
class AbSettings:
    base: str
    rounds: int = DEFAULT_ROUNDS
    build: str | tuple[str, ...] | None = None
    worktree: str | None = None


def settings_from_config(config: Config, environ: Mapping[str, str]) -> AbSettings:
    section = config.ab
    base = section.base
    if not base:
        base_ref = environ.get("GITHUB_BASE_REF", "")
        base = f"origin/{base_ref}" if base_ref else "HEAD~1"
    return AbSettings(
        base=base, rounds=section.rounds, build=section.build, worktree=section.worktree
    )


def _git(root: Path, *args: str) -> str:
    try:
        proc = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=300, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RunError(f"git {args[0]} failed: {exc}") from None
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        raise RunError(f"git {' '.join(args)}: {lines[-1] if lines else proc.returncode}")
    return proc.stdout.strip()


def resolve_commit(root: Path, ref: str) -> str:
    """The commit ``ref`` names (a branch, ``origin/main``, ``HEAD~1``, a SHA)."""
    return _git(root, "rev-parse", "--verify", f"{ref}^{{commit}}")


@contextlib.contextmanager
def base_worktree(root: Path, commit: str, path: str | None = None) -> Iterator[Path]:
    """A detached ``git worktree`` of ``commit``, removed afterwards."""
    parent = None
    if path:
        target = (root / path).resolve()
    else:
        parent = Path(tempfile.mkdtemp(prefix="perf-gate-base-"))
        target = parent / "base"
    _git(root, "worktree", "add", "--detach", str(target), commit)
    try:
        yield target
    finally:
        with contextlib.suppress(RunError):
            _git(root, "worktree", "remove", "--force", str(target))
        if parent is not None:
            shutil.rmtree(parent, ignore_errors=True)
        with contextlib.suppress(RunError):
            _git(root, "worktree", "prune")


def schedule(rounds: int) -> list[tuple[Side, int]]:
    """``A B A B ...``: base and head alternate, so slow drift touches both the same."""
    order: list[tuple[Side, int]] = []
    for index in range(rounds):
        order += [("A", index), ("B", index)]
    return order


def paired_run(
    values: Mapping[tuple[str, str], list[float]], templates: Mapping[tuple[str, str], Metric]
) -> RunSet:
    """One metric per key whose samples are its per-round values (in round order)."""
    metrics = []
    for key, series in values.items():
        template = templates[key]
        metrics.append(
            replace(
                template,
                value=statistics.median(series),
                samples=tuple(series) if len(series) > 1 else (),
                lower=None,
                upper=None,
            )
        )
    return RunSet(metrics=tuple(metrics), formats=run_formats(metrics))


def _build(
    settings: AbSettings, trees: Mapping[Side, Path], logs: Path, console: Console
) -> list[CommandResult]:
    if settings.build is None:
        return []
    results = []
    for side, tree in trees.items():
        label = "base" if side == "A" else "head"
        results.append(
            run_command(
                f"build {label} ({side})",
                settings.build,
                console=console,
                cwd=tree,
                log_path=logs / f"ab-build-{label}.log",
            )
        )
    return results


def run_ab(
    config: Config,
    benches: Sequence[Benchmark],
    *,
    hardware: Hardware,
    root: Path,
    output_dir: Path,
    console: Console,
    environ: Mapping[str, str] | None = None,
) -> RunOutcome:
    """Build base and head, run the benchmarks interleaved, pair the rounds."""
    import os

    settings = settings_from_config(config, os.environ if environ is None else environ)
    logs = output_dir if output_dir.is_absolute() else (root / output_dir)
    logs = logs.resolve()
    outcome = RunOutcome(hardware=hardware)
    base_commit = resolve_commit(root, settings.base)
    head_commit = resolve_commit(root, "HEAD")
    outcome.ab = {
        "base_ref": settings.base,
        "base_commit": base_commit,
        "head_commit": head_commit,
        "rounds": settings.rounds,
        "order": "AB" * settings.rounds,
    }
    console.line(
        f"perf-gate: A/B mode: base {settings.base} ({base_commit[:12]}) vs head "
        f"{head_commit[:12]}, {settings.rounds} interleaved rounds"
    )
    values: dict[Side, dict[tuple[str, str], list[float]]] = {"A": {}, "B": {}}
    templates: dict[Side, dict[tuple[str, str], Metric]] = {"A": {}, "B": {}}
    findings: list[Finding] = []
    with base_worktree(root, base_commit, settings.worktree) as base_root:
        trees: dict[Side, Path] = {"A": base_root, "B": root}
        builds = _build(settings, trees, logs, console)
        outcome.commands += builds
        outcome.artifacts += [artifact(Path(b.log), "log") for b in builds if b.log]
        broken = [b for b in builds if not b.succeeded]
        if broken:
            for b in broken:  # the base is not under review: its failure only warns
                findings += command_findings(b, required=b.name.startswith("build head"))
            outcome.parts.append(ParseResult((), tuple(findings)))
            outcome.notes.append("A/B mode: a build failed, so no rounds were run.")
            return outcome
        for side, index in schedule(settings.rounds):
            tag = f"{side}{index + 1}"
            console.line(
                f"perf-gate: A/B round {index + 1}/{settings.rounds}: "
                f"{side} ({'base' if side == 'A' else 'head'})"
            )
            for bench in benches:
                log = logs / f"ab-{tag}-{bench.name}.log"
                result, parsed = run_benchmark(
                    replace(bench, log=str(log)),
                    hardware=hardware,
                    root=trees[side],
                    output_dir=logs,
                    console=console,
                )
                outcome.commands.append(replace(result, name=f"{bench.name} [{tag}]"))
                if result.status != "skipped":
                    outcome.artifacts.append(artifact(log, "log"))
                for metric in parsed.metrics:
                    metric = replace(metric, source=bench.name)
                    values[side].setdefault(metric.key, []).append(metric.value)
                    templates[side].setdefault(metric.key, metric)
                for finding in parsed.findings:
                    # The base side is not under review: its failures only warn.
                    findings.append(replace(finding, severity="warn") if side == "A" else finding)
    head = paired_run(values["B"], templates["B"])
    outcome.parts.append(ParseResult(head.metrics, tuple(findings)))
    outcome.baseline = paired_run(values["A"], templates["A"])
    return outcome
