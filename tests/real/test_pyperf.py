"""pyperf (PyPI, the dev extra): ``python -m pyperf timeit`` writing its JSON for perf-gate."""

from __future__ import annotations

import json
import re
import statistics
import sys
from pathlib import Path

import pytest

from . import harness
from .conftest import Measure, fails_on, flagged, ingest, judged, measure_scales, passes
from .printed import TIME_NS, close

pytestmark = pytest.mark.real

NAME = "squares"
SETUP = "import os; n = round(2000 * float(os.environ.get('REALBENCH_SCALE', '1')))"
_MEAN = re.compile(r"^(?:\S+: )?Mean \+- std dev: (\S+) (\S+) \+-", re.MULTILINE)


@pytest.fixture(scope="module")
def measure() -> Measure:
    def run(folder: Path, scale: float) -> Path:
        folder.mkdir(parents=True)
        result = folder / "results.json"
        printed = harness.run(
            [sys.executable, "-m", "pyperf", "timeit", "--name", NAME, "--processes", "6",
             "--values", "3", "--warmups", "1", "--loops", "20", "--quiet",
             f"--inherit-environ={harness.SCALE}", "-o", str(result),
             "-s", SETUP, "sum(i * i for i in range(n))"],
            folder,
            harness.clean_env(**{harness.SCALE: str(scale)}),
        )  # fmt: skip
        (folder / "pyperf.txt").write_text(printed)
        return result

    return run


@pytest.fixture(scope="module")
def runs(measure: Measure, tmp_path_factory: pytest.TempPathFactory) -> dict[float, Path]:
    return measure_scales(measure, tmp_path_factory, "pyperf")


def written_values(result: Path) -> list[float]:
    """Every run's values (not its warmups), in seconds, as pyperf wrote them."""
    doc = json.loads(result.read_text())
    (bench,) = doc["benchmarks"]
    return [v for run in bench["runs"] for v in run.get("values", [])]


def test_names_units_values_are_pyperfs_own(runs: dict[float, Path]) -> None:
    for result in runs.values():
        values = written_values(result)
        mean, unit = _MEAN.search((result.parent / "pyperf.txt").read_text()).groups()  # type: ignore[union-attr]
        metrics = ingest(result)
        assert set(metrics) == {NAME}
        metric = metrics[NAME]
        assert (metric["unit"], metric["kind"], metric["direction"]) == ("ns", "timing", "lower")
        assert len(values) == 18
        assert metric["samples"] == pytest.approx([v * 1e9 for v in values])
        assert close(metric["value"], statistics.median(values) * 1e9, 9)
        assert close(statistics.mean(metric["samples"]), float(mean) * TIME_NS[unit], 3)


def test_unchanged_rerun_passes(measure: Measure, tmp_path: Path) -> None:
    verdict = judged(measure, {}, 1.0, tmp_path, passes)
    assert passes(verdict), verdict.output


def test_twice_the_work_fails(measure: Measure, runs: dict[float, Path], tmp_path: Path) -> None:
    verdict = judged(measure, runs, 2.0, tmp_path, fails_on({NAME}))
    assert fails_on({NAME})(verdict), verdict.output


def test_a_quarter_more_work_is_flagged(
    measure: Measure, runs: dict[float, Path], tmp_path: Path
) -> None:
    verdict = judged(measure, runs, 1.25, tmp_path, flagged)
    assert flagged(verdict), verdict.output
