"""Same-job A/B mode: a real git worktree of the base commit, interleaved real runs."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path

import pytest

from perf_gate.cli import main
from perf_gate.core.config import config_from_mapping
from perf_gate.inputs.ab import schedule, settings_from_config
from perf_gate.inputs.console import Console
from perf_gate.inputs.hardware import Hardware
from perf_gate.inputs.runner import execute

from .conftest import PY, write_script

CPU = Hardware(cpu_model="Test CPU", cores=2, simd=("avx2",))

# Prints real xtask output and writes its JSON; the speed comes from the tree's
# speed.txt, slowed by a machine-wide drift of 2 % per run (a counter outside the trees).
BENCH = """\
import json, os, sys
speed = float(open("speed.txt").read())
counter = os.environ["DRIFT_COUNTER"]
runs = int(open(counter).read()) if os.path.exists(counter) else 0
open(counter, "w").write(str(runs + 1))
tps = speed * (1 - 0.02 * runs)
print(f"Generated 128 tokens in {128 / tps:.2f}s ({tps:.1f} tok/s)")
doc = {"model_path": "m.gguf", "prompt": "Hello", "generated_text": " world",
       "tokens_generated": 128, "warmup_tokens": 8, "device": "cpu",
       "timing": {"warmup_ms": 1.0, "prefill_ms": 1.0, "decode_ms": 1.0,
                  "generation_ms": 1.0, "total_ms": 1.0},
       "performance": {"tokens_per_sec": tps, "ms_per_token": 1000 / tps,
                       "total_tokens_per_sec": tps},
       "success": True}
json.dump(doc, open(sys.argv[1], "w"))
"""
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]


def repo_with_two_commits(tmp_path: Path, base_speed: float, head_speed: float) -> Path:
    repo = tmp_path / "ws"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    write_script(repo / "bench.py", BENCH)
    (repo / "speed.txt").write_text(str(base_speed))
    (repo / ".gitignore").write_text("perf-gate-out/\n*.json\nbuilt.txt\n")
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-qm", "base"], cwd=repo, check=True)
    (repo / "speed.txt").write_text(str(head_speed))
    subprocess.run([*GIT, "commit", "-qam", "head", "--allow-empty"], cwd=repo, check=True)
    return repo


def ab_config(tmp_path: Path, **ab: object) -> dict[str, object]:
    return {
        "mode": "ab",
        "ab": {"base": "HEAD~1", "rounds": 5, **ab},
        "benchmarks": [
            {
                "name": "xtask-cpu",
                "command": f"{PY} bench.py crossval-perf.json",
                "results": "crossval-perf.json",
                "memory": False,
                "env": {"DRIFT_COUNTER": str(tmp_path / "drift")},
            }
        ],
    }


def test_schedule_alternates_base_and_head() -> None:
    assert [f"{side}{i + 1}" for side, i in schedule(3)] == ["A1", "B1", "A2", "B2", "A3", "B3"]


def test_default_base_is_the_pull_requests_base_branch() -> None:
    config = config_from_mapping({"mode": "ab"})
    assert settings_from_config(config, {"GITHUB_BASE_REF": "main"}).base == "origin/main"
    assert settings_from_config(config, {}).base == "HEAD~1"


def test_ab_run_pairs_interleaved_rounds_and_catches_the_slowdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repo_with_two_commits(tmp_path, base_speed=50.0, head_speed=40.0)
    config = config_from_mapping(ab_config(tmp_path, build=f"{PY} -c \"open('built.txt','w')\""))
    out = io.StringIO()
    doc, _ = execute(
        config,
        root=repo,
        output_dir=repo / "perf-gate-out",
        console=Console(stream=out, fold=False),
        hardware=CPU,
        environ=os.environ,
    )
    log = out.getvalue()
    rounds = [line.split(": ")[-1] for line in log.splitlines() if "A/B round" in line]
    assert rounds == [f"{s} ({'base' if s == 'A' else 'head'})" for _ in range(5) for s in "AB"]
    assert (repo / "built.txt").is_file()
    assert doc["ab"]["base_commit"] != doc["ab"]["head_commit"]
    head = next(m for m in doc["metrics"] if m["name"] == "inference")
    base = next(m for m in doc["baseline_metrics"] if m["name"] == "inference")
    assert len(head["samples"]) == len(base["samples"]) == 5
    # drift of 2 % per run, shared by both sides: base runs 0,2,4,... head runs 1,3,5,...
    assert base["samples"][0] == pytest.approx(50.0) and head["samples"][0] == pytest.approx(39.2)
    assert base["samples"][4] == pytest.approx(50.0 * 0.84)
    worktrees = subprocess.run(
        ["git", "worktree", "list"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    assert len(worktrees.splitlines()) == 1, "the base worktree was not removed"
    kinds = [a["kind"] for a in doc["artifacts"]]
    assert kinds.count("log") == 12 and kinds.count("memory") == 1  # two builds, ten rounds

    run = repo / "perf-gate-out" / "perf-run.json"
    run.write_text(json.dumps(doc))
    code = main(
        [
            "finalize",
            "--current",
            str(run),
            "--no-publish",
            "--output-dir",
            str(repo / "perf-gate-out"),
        ]
    )
    assert code == 1
    receipt = json.loads((repo / "perf-gate-out" / "perf-receipt.json").read_text())
    row = next(m for m in receipt["metrics"] if m["name"] == "inference")
    assert row["status"] == "fail" and row["method"] == "samples"
    assert receipt["baseline"]["source"] == "ab" and receipt["baseline"]["rounds"] == 5
    summary = (repo / "perf-gate-out" / "perf-summary.md").read_text()
    assert "A/B mode: the baseline is the base commit" in summary
    capsys.readouterr()


def test_ab_without_change_passes(tmp_path: Path) -> None:
    repo = repo_with_two_commits(tmp_path, base_speed=50.0, head_speed=50.0)
    subprocess.run([*GIT, "commit", "-q", "--allow-empty", "-m", "docs"], cwd=repo, check=True)
    config = config_from_mapping(ab_config(tmp_path))
    doc, _ = execute(
        config,
        root=repo,
        output_dir=repo / "out",
        console=Console(stream=io.StringIO(), fold=False),
        hardware=CPU,
        environ=os.environ,
    )
    run = repo / "out" / "perf-run.json"
    run.write_text(json.dumps(doc))
    assert (
        main(["finalize", "--current", str(run), "--no-publish", "--output-dir", str(repo / "out")])
        == 0
    )


def test_a_failing_build_stops_before_the_rounds(tmp_path: Path) -> None:
    repo = repo_with_two_commits(tmp_path, base_speed=50.0, head_speed=40.0)
    config = config_from_mapping(ab_config(tmp_path, build=f"{PY} -c 'import sys; sys.exit(2)'"))
    doc, _ = execute(
        config,
        root=repo,
        output_dir=repo / "out",
        console=Console(stream=io.StringIO(), fold=False),
        hardware=CPU,
        environ=os.environ,
    )
    assert [c["name"] for c in doc["commands"]] == ["build base (A)", "build head (B)"]
    severities = {(f["source"], f["severity"]) for f in doc["findings"]}
    assert severities == {("build base (A)", "warn"), ("build head (B)", "fail")}
    assert doc["notes"] == ["A/B mode: a build failed, so no rounds were run."]
    assert "baseline_metrics" not in doc


def test_unknown_base_ref_is_a_run_error(tmp_path: Path) -> None:
    from perf_gate.core.errors import RunError

    repo = repo_with_two_commits(tmp_path, base_speed=50.0, head_speed=40.0)
    config = config_from_mapping(ab_config(tmp_path, base="origin/nope"))
    with pytest.raises(RunError, match="origin/nope"):
        execute(
            config,
            root=repo,
            output_dir=repo / "out",
            console=Console(stream=io.StringIO(), fold=False),
            hardware=CPU,
            environ=os.environ,
        )


def test_the_base_branch_comes_from_the_environment_the_entry_point_passes(
    tmp_path: Path,
) -> None:
    """``run`` hands A/B the entry point's environment: its GITHUB_BASE_REF names the base
    (it used to be read from the process environment, which the caller had not given)."""
    from perf_gate.core.errors import RunError

    repo = repo_with_two_commits(tmp_path, base_speed=50.0, head_speed=40.0)
    mapping = ab_config(tmp_path)
    del mapping["ab"]["base"]  # type: ignore[attr-defined]
    config = config_from_mapping(mapping)
    with pytest.raises(RunError, match="origin/from-the-caller"):
        execute(
            config,
            root=repo,
            output_dir=repo / "out",
            console=Console(stream=io.StringIO(), fold=False),
            hardware=CPU,
            environ={**os.environ, "GITHUB_BASE_REF": "from-the-caller"},
        )
