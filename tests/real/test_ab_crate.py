"""End to end A/B: a real git repository of the realbench crate whose second commit makes
``hash_loop`` 30 % slower; ``perf-gate run`` (``mode: ab``) builds and benchmarks both
commits with cargo, then ``perf-gate finalize`` fails the gate on exactly that benchmark."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from . import harness
from .conftest import run_ab

pytestmark = pytest.mark.real

ROUNDS = 15


def ab_run(crate: Path, tmp: Path) -> tuple[Path, int, str]:
    """``perf-gate run`` then ``finalize`` in a new repository: (repo, exit code, output)."""
    repo = harness.ab_repository(tmp, slowdown=1.3)
    judged = run_ab(repo, crate, ROUNDS, "--threshold", "10")
    return repo, judged.returncode, judged.stdout + judged.stderr


def failed_rows(repo: Path) -> set[str]:
    receipt = json.loads((repo / "perf-gate-out" / "perf-receipt.json").read_text())
    return {m["name"] for m in receipt["metrics"] if m["status"] == "fail"}


def test_ab_run_fails_on_exactly_the_slowed_benchmark(crate: Path, tmp_path: Path) -> None:
    # A second A/B run only when the first was not right: at a load average of 12 on
    # 2 cores, 10 rounds twice left +25 % on hash_loop "beyond tolerance but not clear".
    for attempt in (1, 2):
        repo, code, output = ab_run(crate, tmp_path / f"attempt-{attempt}")
        if code == 1 and failed_rows(repo) == {"hash_loop"}:
            break
    print(f"A/B: exit {code} at attempt {attempt}")
    assert code == 1, output
    assert failed_rows(repo) == {"hash_loop"}, output

    doc = json.loads((repo / "perf-gate-out" / "perf-run.json").read_text())
    assert doc["ab"]["base_commit"] != doc["ab"]["head_commit"]
    head = {m["name"]: m for m in doc["metrics"]}
    base = {m["name"]: m for m in doc["baseline_metrics"]}
    timings = {"hash_loop", "sort_reversed", "bytes/checksum"}
    assert timings <= set(head) and timings <= set(base)
    # confirm: (on by default) adds rounds to the suspects of the first pass, both sides alike
    extra = {n.removesuffix(" (cpu)") for n in doc["ab"]["confirm"]["suspects"]}
    rounds = {n: ROUNDS + doc["ab"]["confirm"]["rounds"] * (n in extra) for n in timings}
    assert all(len(head[n]["samples"]) == len(base[n]["samples"]) == rounds[n] for n in timings)
    receipt = json.loads((repo / "perf-gate-out" / "perf-receipt.json").read_text())
    row = next(m for m in receipt["metrics"] if m["name"] == "hash_loop")
    assert row["delta_pct"] > 10, row
    worktrees = subprocess.run(
        ["git", "worktree", "list"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    assert len(worktrees.splitlines()) == 1, "the base worktree was not removed"
