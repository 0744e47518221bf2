"""One side's measurement in an A/B round, and the confirmation re-runs of the suspects.

After the first pass (``ab.rounds`` rounds of ``A B``) the entry point's judge picks the
*suspects* (:mod:`perf_gate.judge.confirm`: beyond the tolerance but not clearly); they
are measured again, ``B A`` per round, for up to ``confirm.rounds`` rounds while the
``confirm.budget`` allows, each command narrowed to the suspects where the harness has a
filter (:mod:`perf_gate.inputs.rerun_filter`). The new values join each side's series,
so the final verdict is reached on the pooled samples.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from perf_gate.core.config import Benchmark
from perf_gate.core.model import Finding, Metric, RunSet
from perf_gate.core.model_json import COMMAND_MEMORY_FORMATS, run_formats
from perf_gate.inputs.artifact import artifact
from perf_gate.inputs.benchmark import RunOutcome, run_benchmark
from perf_gate.inputs.console import Console
from perf_gate.inputs.hardware import Hardware
from perf_gate.inputs.process import CommandResult
from perf_gate.inputs.rerun_filter import narrow

Side = Literal["A", "B"]


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


def rel(path: Path, root: Path) -> Path:
    """``path`` relative to the workspace where it lies inside it."""
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        return path


def side_log(bench: Benchmark, output_dir: Path, tag: str) -> Path:
    """``cpu-bench.log`` -> ``cpu-bench.A1.log``: ``log:`` per side and round."""
    log = bench.log_path(output_dir)
    return log.with_name(f"{log.stem}.{tag}{log.suffix or '.log'}")


@dataclass(frozen=True)
class Confirmation:
    """What the entry point asks of the confirmation re-runs: ``pick`` judges the first
    pass (head, base) and returns the keys of the suspects; up to ``rounds`` more ``B A``
    rounds of them run while ``budget`` seconds allow."""

    rounds: int
    budget: float
    pick: Callable[[RunSet, RunSet], Sequence[tuple[str, str]]]


@dataclass
class Tally:
    values: dict[Side, dict[tuple[str, str], list[float]]]
    templates: dict[Side, dict[tuple[str, str], Metric]]
    findings: list[Finding]


@dataclass(frozen=True)
class Sides:
    trees: Mapping[Side, Path]
    envs: Mapping[Side, Mapping[str, str]]
    hardware: Hardware
    root: Path
    output_dir: Path
    logs: Path
    console: Console
    environ: Mapping[str, str]


def measure(
    bench: Benchmark,
    side: Side,
    tag: str,
    sides: Sides,
    outcome: RunOutcome,
    tally: Tally,
    keep: Collection[tuple[str, str]] | None = None,
) -> CommandResult:
    """Run ``bench`` once on ``side``; its values join the side's series (only the keys in
    ``keep`` when given: a confirmation round)."""
    root = sides.root
    log = side_log(bench, sides.output_dir, tag)
    result, parsed = run_benchmark(
        replace(
            bench,
            log=str(log if log.is_absolute() else root / log),
            env=tuple({**dict(bench.env), **sides.envs[side]}.items()),
        ),
        hardware=sides.hardware,
        root=sides.trees[side],
        output_dir=sides.logs,
        console=sides.console,
        environ=sides.environ,
    )
    outcome.commands.append(
        replace(
            result,
            name=f"{bench.name} [{tag}]",
            log=str(rel(Path(result.log or log), root)),
        )
    )
    if result.status != "skipped":
        outcome.artifacts.append(artifact(root / log, "log"))
    for metric in parsed.metrics:
        metric = replace(metric, source=bench.name)
        if keep is not None and metric.key not in keep:
            continue
        tally.values[side].setdefault(metric.key, []).append(metric.value)
        tally.templates[side].setdefault(metric.key, metric)
    for finding in parsed.findings:
        if keep is not None and finding.severity != "fail":
            continue  # a confirmation round re-reads the same files: no repeated warnings
        # The base side is not under review: its failures only warn.
        tally.findings.append(replace(finding, severity="warn") if side == "A" else finding)
    return result


def confirm_suspects(
    confirm: Confirmation,
    benches: Sequence[Benchmark],
    sides: Sides,
    outcome: RunOutcome,
    tally: Tally,
) -> dict[str, Any]:
    """Re-run the suspects ``B A`` per round, pooled into their series; what was done."""
    console = sides.console
    head = paired_run(tally.values["B"], tally.templates["B"])
    base = paired_run(tally.values["A"], tally.templates["A"])
    keys = [
        k
        for k in confirm.pick(head, base)
        if k in tally.values["A"]
        and k in tally.values["B"]
        and tally.templates["B"][k].format not in COMMAND_MEMORY_FORMATS
    ]
    record: dict[str, Any] = {
        "suspects": [tally.templates["B"][k].label for k in keys],
        "rounds": 0,
        "seconds": 0.0,
        "budget_s": confirm.budget,
        "commands": {},
    }
    if not keys:
        console.line("perf-gate: A/B: no suspects after the first pass; nothing to confirm")
        return record
    plan: list[tuple[Benchmark, float]] = []
    for bench in benches:
        mine = [k for k in keys if tally.templates["B"][k].source == bench.name]
        if not mine:
            continue
        formats = {tally.templates["B"][k].format for k in mine}
        narrowed, how = narrow(bench, [k[0] for k in mine], formats)
        record["commands"][bench.name] = how
        first = [
            c.elapsed_s or 0.0 for c in outcome.commands if c.name.startswith(f"{bench.name} [")
        ]
        plan.append((replace(narrowed, memory=False), max(first, default=0.0)))
    console.line(
        f"perf-gate: A/B: confirming {len(keys)} suspect(s) "
        f"({', '.join(record['suspects'])}) with up to {confirm.rounds} B A round(s) "
        f"within {confirm.budget:g} s: "
        + "; ".join(f"{name}: {how}" for name, how in record["commands"].items())
    )
    started = time.monotonic()
    estimate = sum(2 * seconds for _, seconds in plan)
    for index in range(confirm.rounds):
        spent = time.monotonic() - started
        if spent + estimate > confirm.budget:
            record["stopped"] = (
                f"budget: round {index + 1} would take about {estimate:.1f} s "
                f"with {spent:.1f} s of {confirm.budget:g} s spent"
            )
            console.line(f"perf-gate: A/B: confirmation stopped, {record['stopped']}")
            break
        round_started = time.monotonic()
        for side in ("B", "A"):
            for bench, _ in plan:
                measure(bench, side, f"{side}c{index + 1}", sides, outcome, tally, keep=keys)
        estimate = time.monotonic() - round_started
        record["rounds"] = index + 1
    record["seconds"] = round(time.monotonic() - started, 3)
    return record
