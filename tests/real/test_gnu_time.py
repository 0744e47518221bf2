"""GNU time 1.9 (``/usr/bin/time -v``) around the ``spin`` command, its report fed to perf-gate."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from . import harness
from .conftest import Measure, finalize, ingest, judged, measure_scales, passes
from .printed import close

pytestmark = pytest.mark.real

TIME = "/usr/bin/time"
MEMORY, WALL = "peak memory (spin)", "wall time (spin)"
_RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")
_ELAPSED = re.compile(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\d+):(\d+(?:\.\d+)?)")


@pytest.fixture(scope="module")
def measure(programs: Path) -> Measure:
    harness.require("GNU time measures the command (apt-get install time)", TIME)

    def run(folder: Path, scale: float) -> Path:
        folder.mkdir(parents=True)
        report = folder / "time.txt"
        harness.run(
            [TIME, "-v", "-o", str(report), str(programs / "spin"), "30", "64"],
            folder,
            harness.clean_env(**{harness.SCALE: str(scale)}),
        )
        return report

    return run


@pytest.fixture(scope="module")
def runs(measure: Measure, tmp_path_factory: pytest.TempPathFactory) -> dict[float, Path]:
    return measure_scales(measure, tmp_path_factory, "gnu-time")


def test_names_units_values_are_what_time_printed(runs: dict[float, Path]) -> None:
    for report in runs.values():
        text = report.read_text()
        kbytes = int(_RSS.search(text)[1])  # type: ignore[index]
        minutes, seconds = _ELAPSED.search(text).groups()  # type: ignore[union-attr]
        metrics = ingest(report)
        assert set(metrics) == {MEMORY, WALL}
        assert (metrics[MEMORY]["unit"], metrics[MEMORY]["kind"]) == ("MB", "memory")
        assert close(metrics[MEMORY]["value"], kbytes * 1024 / 1e6, 9)
        assert (metrics[WALL]["unit"], metrics[WALL]["kind"]) == ("ns", "timing")
        assert close(metrics[WALL]["value"], (int(minutes) * 60 + float(seconds)) * 1e9, 9)
    # 64 MiB touched at scale 1, 128 MiB at 2
    assert 64 < ingest(runs[1.0])[MEMORY]["value"] < 80
    assert 130 < ingest(runs[2.0])[MEMORY]["value"] < 150


def test_unchanged_rerun_passes(measure: Measure, tmp_path: Path) -> None:
    verdict = judged(measure, {}, 1.0, tmp_path, passes)
    assert passes(verdict), verdict.output
    assert verdict.rows[MEMORY]["status"] == "pass", verdict.output


@pytest.mark.parametrize("scale", [1.25, 2.0])
def test_more_memory_fails_the_gate(runs: dict[float, Path], tmp_path: Path, scale: float) -> None:
    verdict = finalize(runs[scale], runs[1.0], tmp_path / "out")
    assert verdict.returncode == 1, verdict.output
    assert verdict.rows[MEMORY]["status"] == "fail", verdict.output
