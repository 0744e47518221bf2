"""pytest-benchmark (PyPI, the dev extra) running tests/real/sources/python/bench_work.py in a
pytest of its own; its ``--benchmark-json`` fed to perf-gate."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from . import tools
from .conftest import ingest
from .printed import TIME_NS, close
from .tools import Tool

pytestmark = pytest.mark.real

_UNIT = re.compile(r"^Name \(time in (\S+)\)", re.MULTILINE)
_NUMBER = re.compile(r"([\d,]+\.\d+)(?: \([^)]*\))?")


def printed_medians(output: str) -> dict[str, float]:
    """The Median column of pytest-benchmark's table, in ns, by test name."""
    unit = TIME_NS[_UNIT.search(output)[1]]  # type: ignore[index]
    found = {}
    for line in output.splitlines():
        if line.startswith("test_"):
            name, rest = line.split(maxsplit=1)
            numbers = [float(n.replace(",", "")) for n in _NUMBER.findall(rest)]
            found[name] = numbers[4] * unit  # min, max, mean, stddev, median
    return found


@pytest.fixture(scope="module")
def runs(runs_of: Callable[[Tool], dict[float, Path]]) -> dict[float, Path]:
    return runs_of(tools.PYTEST_BENCHMARK)


def test_names_units_values_are_what_pytest_benchmark_printed(
    runs: dict[float, Path],
) -> None:
    for result in runs.values():
        printed = printed_medians((result.parent / tools.PRINTED).read_text())
        metrics = ingest(result)
        assert set(metrics) == tools.PYTEST_NAMES
        assert {f"bench_work.py::{name}" for name in printed} == tools.PYTEST_NAMES
        for name, median in printed.items():
            metric = metrics[f"bench_work.py::{name}"]
            assert (metric["unit"], metric["kind"], metric["direction"]) == (
                "ns",
                "timing",
                "lower",
            )
            assert close(metric["value"], median), (name, metric["value"], median)
            assert len(metric["samples"]) >= 15


def test_its_own_autosave_store_is_read(tmp_path: Path) -> None:
    for _ in range(2):
        tools.run_pytest_benchmark(
            tmp_path, 1.0, "--benchmark-autosave", "--benchmark-storage=store"
        )
    machines = list((tmp_path / "store").iterdir())
    assert len(machines) == 1 and len(list(machines[0].glob("000[12]_*.json"))) == 2
    ingest(machines[0])
