"""Issue 17 on the real crate: each side of an A/B run measures its own code.

The realbench repository of :func:`harness.ab_repository` (its second commit slows
``hash_loop``), built with Debian's cargo from the tier's cached ``target/``. The runs are
short (2 rounds): these tests check what was built, measured, logged and refused, not the
verdict (tests/real/test_ab_crate.py judges that with 10 rounds).
"""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from . import harness
from .conftest import perf_gate

pytestmark = pytest.mark.real

BENCH = {
    "name": "cpu-bench",
    "command": "cargo bench --bench work -- --noplot",
    "results": "target/criterion",
    "log": "cpu-bench.log",
    "memory": False,
}
# Printed by the build when the tree's target/ was there before it (restored from ab.cache).
PRESENT = "realbench-test: target/ present"


def repository(tmp: Path, build: str, results: str = "target/criterion") -> Path:
    repo = harness.ab_repository(tmp)
    config = {
        "version": 1,
        "mode": "ab",
        "ab": {"base": "HEAD~1", "rounds": 2, "build": build},
        "benchmarks": [{**BENCH, "results": results}],
    }
    (repo / ".perf-gate.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    return repo


def seeded(crate: Path, then: str = "") -> str:
    """Restore the tier's built ``target/`` unless the tree has one, then build."""
    seed = shlex.quote(str(crate / "target"))
    return (
        f"if test -d target; then echo '{PRESENT}'; else cp -a --reflink=auto {seed} target; fi"
        f"; cargo bench --no-run{then}"
    )


def run(repo: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return perf_gate("run", cwd=repo, env=harness.clean_env(**env))


def manifest(repo: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((repo / "perf-gate-out" / "perf-run.json").read_text())
    return doc


def refusal(proc: subprocess.CompletedProcess[str]) -> str:
    """The one line of a refused run (exit 2, no traceback)."""
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr
    assert len(lines) == 1 and lines[0].startswith("perf-gate: error: A/B refused: "), lines
    return lines[0]


def no_worktree_left(repo: Path) -> bool:
    listed = subprocess.run(
        ["git", "worktree", "list"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    return len(listed.splitlines()) == 1


def test_results_outside_the_tree_with_cargo_target_dir_set_refuse(
    crate: Path, tmp_path: Path
) -> None:
    # The trap as written: CARGO_TARGET_DIR shared, results read from it.
    shared = tmp_path / "shared-target"
    repo = repository(tmp_path, seeded(crate), results=str(shared / "criterion"))
    proc = run(repo, CARGO_TARGET_DIR=str(shared))
    line = refusal(proc)
    assert f"results path {shared / 'criterion'}" in line and "outside" in line
    assert "build base" not in proc.stdout  # refused before building anything
    assert not shared.exists() and no_worktree_left(repo)


def test_cargo_target_dir_set_each_side_builds_and_measures_its_own(
    crate: Path, tmp_path: Path
) -> None:
    shared = tmp_path / "shared-target"
    repo = repository(tmp_path, seeded(crate))
    first = run(repo, CARGO_TARGET_DIR=str(shared))
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr
    out = first.stdout
    assert "each side builds into its own target/ (CARGO_TARGET_DIR and build.target-dir" in out
    assert f"head {repo / 'target'}" in out
    assert not shared.exists(), "a side built into the job's CARGO_TARGET_DIR"
    # the right next step: no --baseline after an A/B run
    assert out.splitlines()[-1] == "next: perf-gate finalize --current perf-gate-out/perf-run.json"

    doc = manifest(repo)
    proof = doc["ab"]["proof"]
    assert proof["A"]["revision"] == doc["ab"]["base_commit"]
    assert proof["B"]["revision"] == doc["ab"]["head_commit"] != doc["ab"]["base_commit"]
    works = {}
    for side in "AB":
        (work,) = [p for p in proof[side]["executables"] if Path(p).name.startswith("work-")]
        works[side] = (work, proof[side]["executables"][work])
        assert proof[side]["command"] == "cargo bench --no-run --message-format=json"
    assert works["B"][0].startswith(str(repo / "target"))
    assert not works["A"][0].startswith(str(repo))  # the base worktree's own target/
    assert works["A"][1] != works["B"][1], "both sides measured the same bench executable"
    assert proof["A"]["results_sha256"] != proof["B"]["results_sha256"]

    # logs where log: says, per side and round; every artifact path relative
    for tag in ("A1", "B1", "A2", "B2"):
        assert "hash_loop" in (repo / f"cpu-bench.{tag}.log").read_text()
    assert not (repo / "cpu-bench.log").exists()
    paths = [a["path"] for a in doc["artifacts"]]
    assert "cpu-bench.B2.log" in paths and "perf-gate-out/ab-build-base.log" in paths
    assert not [p for p in paths if Path(p).is_absolute()], paths
    assert not [c["log"] for c in doc["commands"] if Path(c.get("log") or "x").is_absolute()]

    # the base build cache: kept, without its results, and restored by the next run
    cache = repo / doc["ab"]["base_cache"]
    assert (cache / "target" / "release").is_dir()
    assert not (cache / "target" / "criterion").exists()
    second = run(repo, CARGO_TARGET_DIR=str(shared))
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr
    assert f"base build cache {doc['ab']['base_cache']}: restored" in second.stdout
    base_log = (repo / "perf-gate-out" / "ab-build-base.log").read_text()
    assert PRESENT in base_log  # no seed copy: the kept target/ was back in place
    compiled = [line.split()[1] for line in base_log.splitlines() if "Compiling" in line]
    assert set(compiled) <= {"realbench"}, compiled  # no dependency was rebuilt
    assert no_worktree_left(repo)

    # finalize: the A/B baseline; an ignored flag gets its note; the table shows the benchmarks
    judged = perf_gate(
        "finalize", "--current", "perf-gate-out/perf-run.json", "--baseline-artifact",
        "perf-baseline", "--threshold", "50", "--no-publish", cwd=repo,
    )  # fmt: skip
    assert judged.returncode in (0, 1), judged.stdout + judged.stderr
    assert "note: --baseline-artifact perf-baseline is ignored: the A/B run" in judged.stderr
    table = judged.stdout.split("\n\n")[0]
    for name in ("hash_loop", "sort_reversed", "bytes/checksum"):
        assert f"\n{name} (cpu)" in table, table
    assert "peak memory" not in table


def test_base_and_head_sharing_one_target_refuse(crate: Path, tmp_path: Path) -> None:
    # The base worktree's target/ is a link to the head's: both sides build into one folder.
    repo = tmp_path / "repo"
    head_target = shlex.quote(str(repo / "target"))
    seed = shlex.quote(str(crate / "target"))
    build = (
        f"test -d {head_target} || cp -a --reflink=auto {seed} {head_target}"
        f"; test -e target || ln -s {head_target} target; cargo bench --no-run"
    )
    repo = repository(tmp_path, build)
    line = refusal(run(repo))
    assert "base and head measured the same executable files" in line
    assert no_worktree_left(repo)


def test_head_build_leaving_the_base_binaries_refuses(crate: Path, tmp_path: Path) -> None:
    # The base (its worktree has a .git file) stashes its bench executable; the head build
    # puts it in place of its own, which cargo then takes as fresh: what a shared or stale
    # build folder does. The sources differ (hash_loop's constant), the binaries do not.
    stash = tmp_path / "stash"
    stash.mkdir()
    quoted = shlex.quote(str(stash))
    swap = (
        f" && if test -f .git; then cp target/release/deps/work-* {quoted}/"
        f"; else cp {quoted}/work-* target/release/deps/; fi"
    )
    repo = repository(tmp_path, seeded(crate, then=swap))
    line = refusal(run(repo))
    assert "head's build did nothing while the sources differ (src/lib.rs)" in line
    assert no_worktree_left(repo)
