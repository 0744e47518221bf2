"""pyperf (PyPI, the dev extra): ``python -m pyperf timeit`` writing its JSON for perf-gate."""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Callable
from pathlib import Path

import pytest

from . import tools
from .conftest import ingest
from .printed import TIME_NS, close
from .tools import Tool

pytestmark = pytest.mark.real

_MEAN = re.compile(r"^(?:\S+: )?Mean \+- std dev: (\S+) (\S+) \+-", re.MULTILINE)


@pytest.fixture(scope="module")
def runs(runs_of: Callable[[Tool], dict[float, Path]]) -> dict[float, Path]:
    return runs_of(tools.PYPERF)


def written_values(result: Path) -> list[float]:
    """Every run's values (not its warmups), in seconds, as pyperf wrote them."""
    doc = json.loads(result.read_text())
    (bench,) = doc["benchmarks"]
    return [v for run in bench["runs"] for v in run.get("values", [])]


def test_names_units_values_are_pyperfs_own(runs: dict[float, Path]) -> None:
    for result in runs.values():
        values = written_values(result)
        mean, unit = _MEAN.search((result.parent / tools.PRINTED).read_text()).groups()  # type: ignore[union-attr]
        metrics = ingest(result)
        assert set(metrics) == {tools.PYPERF_NAME}
        metric = metrics[tools.PYPERF_NAME]
        assert (metric["unit"], metric["kind"], metric["direction"]) == (
            "ns",
            "timing",
            "lower",
        )
        assert len(values) == 18
        assert metric["samples"] == pytest.approx([v * 1e9 for v in values])
        assert close(metric["value"], statistics.median(values) * 1e9, 9)
        assert close(statistics.mean(metric["samples"]), float(mean) * TIME_NS[unit], 3)
