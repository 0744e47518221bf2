"""Confirmation re-runs in A/B mode, with a real git worktree and a real benchmark program
that honours Google Benchmark's ``--benchmark_filter``: the first pass leaves ``BM_Slow``
(+10 %, noisy) beyond the 5 % tolerance but not clearly; ``perf-gate run`` measures only it
again, ``B A`` per round, and pools the new rounds with the first ones."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from perf_gate.cli import main

from .conftest import PY, write_script
from .test_ab import GIT

# Google Benchmark JSON; the tree's slow.txt scales BM_Slow. The first five calls per side
# are noisy (±12 %), later ones quiet (±0.3 %); each call's arguments are logged outside the trees.
BENCH = """\
import json, os, random, re, sys
slow = float(open("slow.txt").read())
side = "head" if slow > 1 else "base"
calls = os.environ["CALLS"] + "." + side
n = len(open(calls).read().splitlines()) if os.path.exists(calls) else 0
open(calls, "a").write(" ".join(sys.argv[2:]) + "\\n")
pattern = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--benchmark_filter=")), "")
rng = random.Random(f"{side}{n}")
noise = 0.12 if n < 5 else 0.003
rows = []
for name, scale in (("BM_Flat", 1.0), ("BM_Other", 1.0), ("BM_Slow", slow)):
    if pattern and not re.search(pattern, name):
        continue
    t = 1000.0 * scale * (1 + rng.uniform(-noise, noise))
    rows.append({"name": name, "run_name": name, "run_type": "iteration", "repetitions": 1,
                 "threads": 1, "iterations": 1000, "real_time": t, "cpu_time": t,
                 "time_unit": "ns"})
json.dump({"context": {"num_cpus": 2}, "benchmarks": rows}, open(sys.argv[1], "w"))
"""


def repository(tmp_path: Path) -> Path:
    repo = tmp_path / "ws"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    write_script(repo / "bench.py", BENCH)
    (repo / "slow.txt").write_text("1.0")
    (repo / ".gitignore").write_text("perf-gate-out/\n*.json\n")
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-qm", "base"], cwd=repo, check=True)
    (repo / "slow.txt").write_text("1.10")
    subprocess.run([*GIT, "commit", "-qam", "head"], cwd=repo, check=True)
    return repo


def config(tmp_path: Path, confirm: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "mode": "ab",
        "ab": {"base": "HEAD~1", "rounds": 5},
        "benchmarks": [
            {
                "name": "gbench",
                "command": f"{PY} bench.py out.json",
                "results": "out.json",
                "format": "google-benchmark",
                "memory": False,
                "env": {"CALLS": str(tmp_path / "calls")},
            }
        ],
    }
    if confirm is not None:
        doc["confirm"] = confirm
    return doc


def run_and_judge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, confirm: object
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """``perf-gate run`` then ``finalize`` in the repository: (manifest, receipt, head calls)."""
    repo = repository(tmp_path)
    (repo / ".perf-gate.yml").write_text(yaml.safe_dump(config(tmp_path, confirm)))
    monkeypatch.chdir(repo)
    assert main(["run"], environ={}) == 0
    manifest = json.loads((repo / "perf-gate-out" / "perf-run.json").read_text())
    main(["finalize", "--current", "perf-gate-out/perf-run.json", "--no-publish"], environ={})
    receipt = json.loads((repo / "perf-gate-out" / "perf-receipt.json").read_text())
    calls = (tmp_path / "calls.head").read_text().splitlines()
    return manifest, receipt, calls


def samples(manifest: dict[str, Any], side: str) -> dict[str, int]:
    return {m["name"]: len(m["samples"]) for m in manifest[side]}


def statuses(receipt: dict[str, Any]) -> dict[str, str]:
    return {m["name"]: m["status"] for m in receipt["metrics"]}


def test_without_confirmation_the_slowdown_is_only_suspected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest, receipt, calls = run_and_judge(tmp_path, monkeypatch, {"rounds": 0})
    assert "confirm" not in manifest["ab"]
    assert len(calls) == 5
    assert statuses(receipt)["BM_Slow"] == "warn", receipt


def test_the_suspect_alone_is_measured_again_and_the_pool_fails_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest, receipt, calls = run_and_judge(tmp_path, monkeypatch, {"rounds": 3})
    confirm = manifest["ab"]["confirm"]
    assert confirm["suspects"] == ["BM_Slow (cpu)"] and confirm["rounds"] == 3
    assert confirm["commands"] == {"gbench": "--benchmark_filter=^(BM_Slow)$"}
    assert calls[5:] == ["--benchmark_filter=^(BM_Slow)$"] * 3
    assert samples(manifest, "metrics") == {"BM_Flat": 5, "BM_Other": 5, "BM_Slow": 8}
    assert samples(manifest, "baseline_metrics")["BM_Slow"] == 8
    assert statuses(receipt) == {"BM_Flat": "pass", "BM_Other": "pass", "BM_Slow": "fail"}
    assert receipt["baseline"]["confirm"]["suspects"] == ["BM_Slow (cpu)"]
    summary = (tmp_path / "ws" / "perf-gate-out" / "perf-summary.md").read_text()
    assert "Confirmation: 1 suspect(s) beyond the tolerance but not clearly" in summary
    assert r"(BM\_Slow (cpu)) measured again in 3 more round(s) of B A" in summary


def test_the_budget_stops_confirmation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest, _, calls = run_and_judge(tmp_path, monkeypatch, {"rounds": 3, "budget": "1ms"})
    confirm = manifest["ab"]["confirm"]
    assert confirm["rounds"] == 0 and confirm["stopped"].startswith("budget")
    assert len(calls) == 5
    summary = (tmp_path / "ws" / "perf-gate-out" / "perf-summary.md").read_text()
    assert "Stopped by the budget: round 1 would take about" in summary
