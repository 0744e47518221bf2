"""criterion 0.3.6 (Debian's vendored crate) run by cargo, read as a tree and as a log."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from . import harness, tools
from .conftest import (
    finalize,
    ingest,
)
from .printed import close, criterion_terminal, criterion_tree
from .tools import Tool

pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def runs(runs_of: Callable[[Tool], dict[float, Path]]) -> dict[float, Path]:
    return runs_of(tools.CRITERION)


def test_tree_names_units_values_are_criterions_own(runs: dict[float, Path]) -> None:
    for home in runs.values():
        written = criterion_tree(home)
        metrics = ingest(home)
        assert set(metrics) == tools.CRITERION_METRICS
        assert set(written) == tools.CRITERION_TIMINGS
        for name, (typical, lower, upper) in written.items():
            metric = metrics[name]
            assert (metric["unit"], metric["kind"], metric["direction"]) == (
                "ns",
                "timing",
                "lower",
            )
            assert close(metric["value"], typical, 9)
            assert close(metric["lower"], lower, 9) and close(metric["upper"], upper, 9)
            assert len(metric["samples"]) == 20
        rate = metrics["bytes/checksum throughput"]
        assert (rate["unit"], rate["direction"]) == ("B/s", "higher")
        # 4096 bytes per iteration, at the typical time per iteration
        assert close(rate["value"], 4096 / (written["bytes/checksum"][0] * 1e-9), 6)


def test_log_names_units_values_are_what_criterion_printed(
    runs: dict[float, Path],
) -> None:
    for home in runs.values():
        log = home.parent / tools.PRINTED
        printed = criterion_terminal(log.read_text())
        metrics = ingest(log, "criterion-log")
        assert set(printed) == tools.CRITERION_METRICS
        assert set(metrics) == tools.CRITERION_METRICS
        for name, value in printed.items():
            assert close(metrics[name]["value"], value), (
                name,
                metrics[name]["value"],
                value,
            )
        assert {metrics[name]["unit"] for name in tools.CRITERION_TIMINGS} == {"ns"}
        assert metrics["bytes/checksum throughput"]["unit"] == "B/s"


def test_log_and_tree_of_one_run_read_the_same(runs: dict[float, Path]) -> None:
    home = runs[1.0]
    tree = ingest(home)
    log = ingest(home.parent / tools.PRINTED, "criterion-log")
    for name in tools.CRITERION_TIMINGS:
        assert close(log[name]["value"], tree[name]["value"], 3), name


def test_a_tree_judged_against_itself_is_refused(crate: Path, runs: dict[float, Path]) -> None:
    home = runs[1.0].parent.parent / "again"
    shutil.copytree(runs[1.0], home / "criterion")
    # criterion copies new/ to base/ and compares: it sees the slowdown itself
    printed = harness.run_criterion(crate, home / "criterion", 2.0)
    assert "change:" in printed
    verdict = finalize(home / "criterion", home / "criterion", home / "out")
    assert verdict.returncode == 2, verdict.output
