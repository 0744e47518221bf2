"""The gate's verdicts on real runs of every tool: an unchanged re-run passes, twice the work
fails, and 25 % more work (against a tolerance of 10 %) is flagged, as warn or fail."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import fails_on, flagged, judged, passes
from .tools import TOOLS, Tool

pytestmark = [pytest.mark.real, pytest.mark.parametrize("tool", TOOLS, ids=str)]

Runs = Callable[[Tool], dict[float, Path]]


def test_an_unchanged_rerun_passes(tool: Tool, tmp_path: Path) -> None:
    verdict = judged(tool.measure, {}, 1.0, tmp_path, passes)
    assert passes(verdict), verdict.output


def test_twice_the_work_fails(tool: Tool, runs_of: Runs, tmp_path: Path) -> None:
    # on Google Benchmark, issue 13 item 1 saw every timing only warn ("intervals widened")
    right = fails_on(tool.slower)
    verdict = judged(tool.measure, runs_of(tool), 2.0, tmp_path, right)
    assert right(verdict), verdict.output


def test_a_quarter_more_work_is_flagged(tool: Tool, runs_of: Runs, tmp_path: Path) -> None:
    verdict = judged(tool.measure, runs_of(tool), 1.25, tmp_path, flagged)
    assert flagged(verdict), verdict.output
