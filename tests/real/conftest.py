"""Fixtures of the real-harness tier: cached builds (tests/real/harness.py) and the gate.

Every test here runs a real tool and feeds what it wrote to the installed ``perf-gate`` in a
subprocess; the expected names, units and values are read independently from the tool's own
terminal output or JSON.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import perf_gate_command

from . import harness
from .tools import Measure, Tool

# A tolerance wide enough for the noise of a shared 2-core machine, well below +25 %.
THRESHOLD = "10"
# Attempts at a right verdict: each after the first is a fresh baseline and re-run. Three
# were too few on CI's shared host: an unchanged criterion re-run failed on all three pairs
# (sort_reversed 1.72 -> 3.39 us; here 16 runs of the same binary spread 0.93-1.87 us, in
# modes that last a whole run), and a pair costs 2-20 s, paid only when a verdict is wrong.
ATTEMPTS = 5
# The baseline, +25 % and 2x work (REALBENCH_SCALE).
SCALES = (1.0, 1.25, 2.0)


@dataclass
class Verdict:
    returncode: int
    output: str
    rows: dict[str, dict[str, Any]]

    def statuses(self) -> dict[str, str]:
        return {name: row["status"] for name, row in self.rows.items()}


def perf_gate(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*perf_gate_command(), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=harness.clean_env() if env is None else env,
        timeout=300,
        check=False,
    )


def run_ab(
    repo: Path, crate: Path, rounds: int, *finalize_args: str, **settings: Any
) -> subprocess.CompletedProcess[str]:
    """``perf-gate run`` (``mode: ab``, the realbench ``cpu-bench`` command, ``settings`` as
    more top-level keys of ``.perf-gate.yml``) in ``repo``, then ``finalize`` of its run."""
    config = {
        "version": 1,
        "mode": "ab",
        "ab": {"base": "HEAD~1", "rounds": rounds, "build": harness.seeded_build(crate)},
        **settings,
        "benchmarks": [
            {
                "name": "cpu-bench",
                "command": "cargo bench --bench work -- --noplot",
                "results": "target/criterion",
                "log": "cpu-bench.log",
                "memory": False,
            }
        ],
    }
    (repo / ".perf-gate.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    ran = perf_gate("run", cwd=repo)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return perf_gate(
        "finalize", "--current", "perf-gate-out/perf-run.json", *finalize_args, "--no-publish",
        cwd=repo,
    )  # fmt: skip


def ingest(path: Path, fmt: str | None = None) -> dict[str, dict[str, Any]]:
    """``perf-gate ingest``: the metrics by name."""
    proc = perf_gate("ingest", *(["--format", fmt] if fmt else []), str(path), cwd=path.parent)
    assert proc.returncode == 0, proc.stderr
    return {m["name"]: m for m in json.loads(proc.stdout)}


def finalize(current: Path, baseline: Path, out: Path, *args: str) -> Verdict:
    """``perf-gate finalize`` offline, with the tier's tolerance: exit code, output, rows."""
    proc = perf_gate(
        "finalize",
        "--current",
        str(current),
        "--baseline",
        str(baseline),
        "--threshold",
        THRESHOLD,
        "--output-dir",
        str(out),
        "--no-publish",
        *args,
        cwd=out.parent,
    )
    receipt = out / "perf-receipt.json"
    rows = {}
    if receipt.exists():
        rows = {m["name"]: m for m in json.loads(receipt.read_text())["metrics"]}
    return Verdict(proc.returncode, proc.stdout + proc.stderr, rows)


def judged(
    measure: Measure,
    runs: dict[float, Path],
    scale: float,
    tmp: Path,
    right: Callable[[Verdict], bool],
) -> Verdict:
    """The verdict on ``scale`` times the work against an unchanged baseline: on the
    session's runs first, then on fresh pairs of runs, up to ``ATTEMPTS`` in all, until it
    is ``right``. One pair of runs can be swamped by the load of a shared machine (2x the
    work measured as +2 % at a load average of 12 on 2 cores); a gate that is wrong on
    every fresh pair is wrong. Each attempt's verdict is printed."""
    verdict = None
    for attempt in range(1, ATTEMPTS + 1):
        folder = tmp / f"attempt-{attempt}"
        folder.mkdir()
        if attempt == 1 and scale != 1.0:
            base, current = runs[1.0], runs[scale]
        else:
            base, current = (
                measure(folder / "base", 1.0),
                measure(folder / "current", scale),
            )
        verdict = finalize(current, base, folder / "out")
        print(f"x{scale}: exit {verdict.returncode} at attempt {attempt}: {verdict.statuses()}")
        if right(verdict):
            break
    assert verdict is not None
    return verdict


def passes(verdict: Verdict) -> bool:
    return verdict.returncode == 0


def fails_on(names: Iterable[str]) -> Callable[[Verdict], bool]:
    """The gate fails, and so does every row named."""
    return lambda v: v.returncode == 1 and all(v.statuses().get(n) == "fail" for n in names)


def flagged(verdict: Verdict) -> bool:
    """Not every row passes: +25 % against a tolerance of 10 % fails where it is clear and
    warns where the noise leaves it unclear."""
    return verdict.returncode in (0, 1) and bool(set(verdict.statuses().values()) - {"pass"})


@pytest.fixture(scope="session")
def runs_of(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[Tool], dict[float, Path]]:
    """A tool's baseline, +25 % and 2x runs, by scale: measured once per session."""
    measured: dict[str, dict[float, Path]] = {}

    def runs(tool: Tool) -> dict[float, Path]:
        if tool.name not in measured:
            tmp = tmp_path_factory.mktemp(tool.name)
            measured[tool.name] = {s: tool.measure(tmp / f"x{s}", s) for s in SCALES}
        return measured[tool.name]

    return runs


@pytest.fixture(scope="session")
def crate() -> Path:
    return harness.criterion_crate()
