"""Google Benchmark 1.7.1 (libbenchmark-dev) with 10 repetitions, its JSON fed to perf-gate."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from . import tools
from .conftest import (
    finalize,
    ingest,
)
from .printed import TIME_NS, close
from .tools import Tool

pytestmark = pytest.mark.real

_P = re.compile(r"\bp[=≤]([0-9.e+-]+)")


@pytest.fixture(scope="module")
def runs(runs_of: Callable[[Tool], dict[float, Path]]) -> dict[float, Path]:
    return runs_of(tools.GBENCH)


def medians(result: Path) -> dict[str, dict[str, float]]:
    """Google Benchmark's own ``_median`` aggregates, by run name."""
    rows = json.loads(result.read_text())["benchmarks"]
    return {r["run_name"]: r for r in rows if r.get("aggregate_name") == "median"}


def test_names_units_values_are_google_benchmarks_own(runs: dict[float, Path]) -> None:
    for result in runs.values():
        own = medians(result)
        metrics = ingest(result)
        assert set(own) == tools.GBENCH_TIMINGS
        assert set(metrics) == tools.GBENCH_TIMINGS | set(tools.GBENCH_COUNTERS)
        for name in tools.GBENCH_TIMINGS:
            metric = metrics[name]
            assert (metric["unit"], metric["kind"], metric["direction"]) == (
                "ns",
                "timing",
                "lower",
            )
            expected = own[name]["real_time"] * TIME_NS[str(own[name]["time_unit"])]
            assert close(metric["value"], expected, 9), name
            assert len(metric["samples"]) == tools.REPETITIONS
        for name, unit in tools.GBENCH_COUNTERS.items():
            run_name, counter = name.split(" ")
            assert metrics[name]["unit"] == unit
            assert close(metrics[name]["value"], own[run_name][counter], 9), name
        assert metrics["BM_checksum bytes_per_second"]["direction"] == "higher"


def test_p_values_are_ones_mann_whitney_can_give(runs: dict[float, Path], tmp_path: Path) -> None:
    # exact two-sided Mann-Whitney, 10 vs 10 samples: p >= 2 / C(20, 10)
    floor = 2 / math.comb(2 * tools.REPETITIONS, tools.REPETITIONS)
    verdict = finalize(runs[2.0], runs[1.0], tmp_path / "out")
    for name, row in verdict.rows.items():
        p = float(_P.search(row["explanation"])[1])  # type: ignore[index]
        assert p >= floor, (name, row["explanation"])


def test_a_rows_delta_never_contradicts_its_values(runs: dict[float, Path], tmp_path: Path) -> None:
    """The Delta is the Hodges-Lehmann shift; where it strays from the change of the
    values shown beside it (beyond 0.5 points or a fifth), the cell gives that change too."""
    verdict = finalize(runs[2.0], runs[1.0], tmp_path / "out")
    summary = (tmp_path / "out" / "perf-summary.md").read_text()
    for name, row in verdict.rows.items():
        shown = (row["current"] / row["baseline"] - 1) * 100
        escaped = name.replace("_", "\\_")
        (line,) = [x for x in summary.splitlines() if x.startswith(f"| {escaped} |")]
        delta = line.split(" | ")[3]
        gap = abs(row["delta_pct"] - shown)
        if gap > max(0.5, 0.2 * max(abs(row["delta_pct"]), abs(shown))):
            assert f"shift (values {shown:+.1f}%)" in delta, (line, shown)
        else:
            assert "shift" not in delta, line


def test_a_rate_counter_is_higher_is_better(runs: dict[float, Path], tmp_path: Path) -> None:
    assert ingest(runs[1.0])["BM_hash_rate rate"]["direction"] == "higher"
    verdict = finalize(runs[2.0], runs[1.0], tmp_path / "out")
    assert verdict.rows["BM_hash_rate rate"]["status"] == "fail", verdict.output
