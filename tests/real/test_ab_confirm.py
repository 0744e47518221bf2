"""Confirmation re-runs on the real realbench crate: ``hash_loop`` 15 % slower in the second
commit. Three A/B rounds are too few for the sample test, so every benchmark beyond the 5 %
tolerance after the first pass is a suspect (the plain rule decided it); ``perf-gate run``
re-runs only the suspects, through criterion's own filter, ``B A`` for five more rounds, and
pools them (checked always). On a quiet box the pooled eight rounds fail ``hash_loop`` alone,
and an unchanged benchmark the first pass put beyond the tolerance does not fail once measured
again; on a loaded one (rounds 2x apart) no verdict is asserted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from . import harness
from .conftest import run_ab

pytestmark = pytest.mark.real

ROUNDS = 3
CONFIRM = 5


QUIET = 1.10
"""Largest/smallest base round of every benchmark below which the box counts as quiet: on a
loaded 2-core box rounds differ by 2x and more, and no verdict can be asserted there."""


def test_suspects_are_rerun_through_criterions_filter_and_pooled(
    crate: Path, tmp_path: Path
) -> None:
    repo = harness.ab_repository(tmp_path, slowdown=1.15)
    judged = run_ab(repo, crate, ROUNDS, confirm={"rounds": CONFIRM, "budget": "120s"})
    output = judged.stdout + judged.stderr
    receipt = json.loads((repo / "perf-gate-out" / "perf-receipt.json").read_text())
    status = {m["name"]: m["status"] for m in receipt["metrics"]}
    doc = json.loads((repo / "perf-gate-out" / "perf-run.json").read_text())
    confirm = doc["ab"]["confirm"]
    head = {m["name"]: m["samples"] for m in doc["metrics"]}
    base = {m["name"]: m["samples"] for m in doc["baseline_metrics"]}
    ids = {"hash_loop", "sort_reversed", "bytes/checksum"}
    spread = max(max(base[n]) / min(base[n]) for n in ids)
    print(f"suspects {confirm['suspects']} in {confirm['seconds']} s; spread x{spread:.2f}")

    suspected = {s.removesuffix(" (cpu)") for s in confirm["suspects"]}
    for name in ids:
        rounds = ROUNDS + CONFIRM if name in suspected else ROUNDS
        assert len(head[name]) == len(base[name]) == rounds, (name, confirm)
    if suspected & ids:
        assert confirm["rounds"] == CONFIRM, confirm
        how = confirm["commands"]["cpu-bench"]
        assert how.startswith("criterion filter ^("), how
        rerun = (repo / "cpu-bench.Bc1.log").read_text()  # log: is relative to the workspace
        ran_again = {n for n in ids if f"Benchmarking {n}" in rerun}
        assert ran_again == {n.removesuffix(" throughput") for n in suspected}, rerun[-2000:]
    if spread < QUIET:  # on a quiet box: +15 % is beyond 5 % in three rounds, then clear,
        assert "hash_loop" in suspected, confirm  # and an unchanged benchmark the first
        assert judged.returncode == 1, output  # pass suspected does not fail once measured
        assert {n for n, s in status.items() if s == "fail"} == {"hash_loop"}, output
