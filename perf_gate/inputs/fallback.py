"""The seed's fallback when benchmark data is missing: time the build and the test suite.

``cargo test --workspace --no-default-features --features cpu --release --quiet`` and
``cargo build --workspace --release --no-default-features --features cpu --timings``
are run and timed; each becomes a ``test_time`` or ``build_time`` metric (format
``test-timing``, so the evidence chain says ``method: test_timing``) judged against
the baseline with its own tolerance (±10 % by default). The report says the
fallback was used and why.

``.perf-gate.yml``::

    fallback:
      when: missing        # missing (default) | always | never
      commands:
        - {name: build time, command: "cargo build ... --timings", kind: build_time}
        - {name: test time, command: "cargo test ... --release --quiet", kind: test_time}

A plain list is the ``commands`` with ``when: missing``.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from perf_gate.core.config import Config, FallbackCommand
from perf_gate.core.model import Finding, Metric, ParseResult
from perf_gate.inputs.artifact import artifact
from perf_gate.inputs.benchmark import RunOutcome, command_findings
from perf_gate.inputs.console import Console
from perf_gate.inputs.process import CommandResult, run_command

FORMAT = "test-timing"
When = Literal["missing", "always", "never"]
TIMINGS_REPORT = Path("target") / "cargo-timings" / "cargo-timing.html"


@dataclass(frozen=True)
class FallbackPlan:
    when: When = "missing"
    commands: tuple[FallbackCommand, ...] = ()


def plan_from_config(
    config: Config, override: str | None = None, device: str | None = None
) -> FallbackPlan:
    """The ``fallback:`` section; ``device`` keeps only that device's commands (a shard)."""
    when = config.fallback.when
    if override is not None:
        when = override
    mode: When = "missing"
    if when == "always":
        mode = "always"
    elif when == "never":
        mode = "never"
    commands = config.fallback.commands
    if device is not None:
        commands = tuple(c for c in commands if c.device == device)
    return FallbackPlan(when=mode, commands=commands)


def reason_needed(plan: FallbackPlan, outcome: RunOutcome, *, configured: bool) -> str | None:
    """Why the fallback must run now, or ``None``."""
    if not plan.commands or plan.when == "never":
        return None
    if plan.when == "always":
        return "configured to always run"
    if not configured:
        return "no benchmarks configured"
    if outcome.result_metrics():
        return None
    tried = [c.name for c in outcome.commands if c.status != "skipped"]
    if not tried:
        return "every benchmark command was skipped"
    return f"no benchmark results from {', '.join(tried)}"


def timing_metric(cmd: FallbackCommand, seconds: list[float], log: str) -> Metric:
    values = [s * 1e9 for s in seconds]
    return Metric(
        name=cmd.name,
        value=statistics.median(values),
        unit="ns",
        kind=cmd.kind,
        direction="lower",
        device=cmd.device,
        samples=tuple(values) if len(values) > 1 else (),
        source=log,
        format=FORMAT,
    )


def run_fallback(
    plan: FallbackPlan,
    outcome: RunOutcome,
    why: str,
    *,
    root: Path,
    output_dir: Path,
    console: Console,
    environ: Mapping[str, str],
) -> None:
    """Run and time each fallback command; add metrics, findings and notes to ``outcome``."""
    console.line(f"perf-gate: benchmark data missing ({why}): running the fallback timing")
    outcome.fallback_used = True
    outcome.notes.append(
        f"Fallback used ({why}): build and test time were measured instead of benchmarks "
        "(method: test_timing)."
    )
    for cmd in plan.commands:
        log = Path(cmd.log) if cmd.log else output_dir / f"{cmd.name.replace(' ', '-')}.log"
        seconds: list[float] = []
        last: CommandResult | None = None
        for attempt in range(max(cmd.repeat, 1)):
            label = cmd.name if cmd.repeat <= 1 else f"{cmd.name} ({attempt + 1}/{cmd.repeat})"
            last = run_command(
                label,
                cmd.command,
                device=cmd.device,
                console=console,
                cwd=root,
                environ=environ,
                timeout=cmd.timeout,
                log_path=log if log.is_absolute() else root / log,
            )
            if not last.succeeded:
                break
            seconds.append(last.elapsed_s)
        assert last is not None
        outcome.commands.append(last)
        outcome.artifacts.append(artifact(log, "log", root))
        if last.succeeded:
            metric = timing_metric(cmd, seconds, str(log))
            outcome.parts.append(ParseResult((metric,)))
        else:
            outcome.parts.append(
                ParseResult(
                    (),
                    (
                        *command_findings(last, required=True),
                        Finding(cmd.name, "fallback timing failed: no time recorded", "warn"),
                    ),
                )
            )
    timings = root / TIMINGS_REPORT
    if timings.is_file():
        outcome.artifacts.append(artifact(TIMINGS_REPORT, "timings", root))
