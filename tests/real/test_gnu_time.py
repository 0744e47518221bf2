"""GNU time 1.9 (``/usr/bin/time -v``) around the ``spin`` command, its report fed to perf-gate."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from . import tools
from .conftest import finalize, ingest
from .printed import close
from .tools import Tool

pytestmark = pytest.mark.real

_RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")
_ELAPSED = re.compile(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\d+):(\d+(?:\.\d+)?)")


@pytest.fixture(scope="module")
def runs(runs_of: Callable[[Tool], dict[float, Path]]) -> dict[float, Path]:
    return runs_of(tools.GNU_TIME)


def test_names_units_values_are_what_time_printed(runs: dict[float, Path]) -> None:
    for report in runs.values():
        text = report.read_text()
        kbytes = int(_RSS.search(text)[1])  # type: ignore[index]
        minutes, seconds = _ELAPSED.search(text).groups()  # type: ignore[union-attr]
        metrics = ingest(report)
        assert set(metrics) == {tools.MEMORY, tools.WALL}
        assert (metrics[tools.MEMORY]["unit"], metrics[tools.MEMORY]["kind"]) == (
            "MB",
            "memory",
        )
        assert close(metrics[tools.MEMORY]["value"], kbytes * 1024 / 1e6, 9)
        assert (metrics[tools.WALL]["unit"], metrics[tools.WALL]["kind"]) == (
            "ns",
            "timing",
        )
        assert close(metrics[tools.WALL]["value"], (int(minutes) * 60 + float(seconds)) * 1e9, 9)
    # 64 MiB touched at scale 1, 128 MiB at 2
    assert 64 < ingest(runs[1.0])[tools.MEMORY]["value"] < 80
    assert 130 < ingest(runs[2.0])[tools.MEMORY]["value"] < 150


@pytest.mark.parametrize("scale", [1.25, 2.0])
def test_more_memory_fails_the_gate(runs: dict[float, Path], tmp_path: Path, scale: float) -> None:
    verdict = finalize(runs[scale], runs[1.0], tmp_path / "out")
    assert verdict.returncode == 1, verdict.output
    assert verdict.rows[tools.MEMORY]["status"] == "fail", verdict.output
