"""pytest-benchmark (PyPI, the dev extra) running tests/real/sources/python/bench_work.py in a
pytest of its own; its ``--benchmark-json`` fed to perf-gate."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

from . import harness
from .conftest import Measure, fails_on, flagged, ingest, judged, measure_scales, passes
from .printed import TIME_NS, close

pytestmark = pytest.mark.real

BENCH = harness.SOURCES / "python" / "bench_work.py"
NAMES = {"bench_work.py::test_squares", "bench_work.py::test_sorted_strings"}
_UNIT = re.compile(r"^Name \(time in (\S+)\)", re.MULTILINE)
_NUMBER = re.compile(r"([\d,]+\.\d+)(?: \([^)]*\))?")


def pytest_benchmark(folder: Path, scale: float, *options: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(BENCH, folder / BENCH.name)
    (folder / "pytest.ini").write_text("[pytest]\n")  # none of the project's settings
    return harness.run(
        [sys.executable, "-m", "pytest", "-c", "pytest.ini", "--rootdir", ".",
         "-p", "no:cacheprovider", BENCH.name, "--benchmark-only", "--benchmark-warmup=off",
         "--benchmark-min-rounds=15", "--benchmark-max-time=0.1", "--benchmark-columns",
         "min,max,mean,stddev,median,rounds", *options],
        folder,
        harness.clean_env(**{harness.SCALE: str(scale)}),
    )  # fmt: skip


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
def measure() -> Measure:
    def run(folder: Path, scale: float) -> Path:
        result = folder / "results.json"
        printed = pytest_benchmark(
            folder, scale, f"--benchmark-json={result}", "--benchmark-save-data"
        )
        (folder / "pytest.txt").write_text(printed)
        return result

    return run


@pytest.fixture(scope="module")
def runs(measure: Measure, tmp_path_factory: pytest.TempPathFactory) -> dict[float, Path]:
    return measure_scales(measure, tmp_path_factory, "pytest-benchmark")


def test_names_units_values_are_what_pytest_benchmark_printed(runs: dict[float, Path]) -> None:
    for result in runs.values():
        printed = printed_medians((result.parent / "pytest.txt").read_text())
        metrics = ingest(result)
        assert set(metrics) == NAMES
        assert {f"bench_work.py::{name}" for name in printed} == NAMES
        for name, median in printed.items():
            metric = metrics[f"bench_work.py::{name}"]
            assert (metric["unit"], metric["kind"], metric["direction"]) == (
                "ns",
                "timing",
                "lower",
            )
            assert close(metric["value"], median), (name, metric["value"], median)
            assert len(metric["samples"]) >= 15


def test_unchanged_rerun_passes(measure: Measure, tmp_path: Path) -> None:
    verdict = judged(measure, {}, 1.0, tmp_path, passes)
    assert passes(verdict), verdict.output


def test_twice_the_work_fails_every_benchmark(
    measure: Measure, runs: dict[float, Path], tmp_path: Path
) -> None:
    verdict = judged(measure, runs, 2.0, tmp_path, fails_on(NAMES))
    assert fails_on(NAMES)(verdict), verdict.output


@pytest.mark.xfail(strict=True, reason="issue 13 item 7: the autosave store is refused")
def test_its_own_autosave_store_is_read(tmp_path: Path) -> None:
    for _ in range(2):
        pytest_benchmark(tmp_path, 1.0, "--benchmark-autosave", "--benchmark-storage=store")
    machines = list((tmp_path / "store").iterdir())
    assert len(machines) == 1 and len(list(machines[0].glob("000[12]_*.json"))) == 2
    ingest(machines[0])


def test_a_quarter_more_work_is_flagged(
    measure: Measure, runs: dict[float, Path], tmp_path: Path
) -> None:
    verdict = judged(measure, runs, 1.25, tmp_path, flagged)
    assert flagged(verdict), verdict.output
