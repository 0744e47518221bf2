"""hyperfine (Debian's 1.15) timing the ``spin`` command, its JSON export fed to perf-gate."""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Callable
from pathlib import Path

import pytest

from . import harness, tools
from .conftest import (
    finalize,
    ingest,
    perf_gate,
)
from .printed import TIME_NS, close
from .tools import Tool

pytestmark = pytest.mark.real

_MEAN = re.compile(r"^Benchmark \d+: (.+)\n\s+Time \(mean ± σ\):\s+(\S+) (\S+)", re.MULTILINE)


@pytest.fixture(scope="module")
def runs(runs_of: Callable[[Tool], dict[float, Path]]) -> dict[float, Path]:
    return runs_of(tools.HYPERFINE)


def _decimals(number: str) -> int:
    return len(number.split(".", 1)[1]) if "." in number else 0


def test_names_units_values_are_hyperfines_own(runs: dict[float, Path]) -> None:
    for result in runs.values():
        exported = {r["command"]: r for r in json.loads(result.read_text())["results"]}
        # (mean, half a unit of the last digit it printed): "36.4 ms" is 36.35..36.45 ms
        printed = {
            name: (float(mean) * TIME_NS[unit], 0.5 * 10.0 ** -_decimals(mean) * TIME_NS[unit])
            for name, mean, unit in _MEAN.findall((result.parent / tools.PRINTED).read_text())
        }
        metrics = ingest(result)
        assert set(metrics) == set(exported) == set(printed) == set(tools.COMMANDS)
        for name, metric in metrics.items():
            assert (metric["unit"], metric["kind"], metric["direction"]) == (
                "ns",
                "timing",
                "lower",
            )
            assert close(metric["value"], exported[name]["median"] * 1e9, 9)
            assert metric["samples"] == pytest.approx([t * 1e9 for t in exported[name]["times"]])
            # the mean it printed is the mean of the samples perf-gate judges
            mean, rounding = printed[name]
            assert abs(statistics.mean(metric["samples"]) - mean) <= rounding * 1.001, name


def test_commands_that_exited_non_zero_fail_the_gate(
    runs: dict[float, Path], tmp_path: Path
) -> None:
    # spin with one argument prints its usage and exits 2; -i keeps hyperfine going
    broken, _ = tools.run_hyperfine(tmp_path, 1.0, {**tools.COMMANDS, "spin-20": "20"}, "-i")
    assert set(json.loads(broken.read_text())["results"][0]["exit_codes"]) == {2}
    verdict = finalize(broken, runs[1.0], tmp_path / "out")
    assert verdict.returncode == 1, verdict.output
    # failed for the exit codes, not for the (meaningless) timing of a usage message
    receipt = json.loads((tmp_path / "out" / "perf-receipt.json").read_text())
    failed = [f for f in receipt["findings"] if f["code"] == "command-failed"]
    assert failed and "spin-20" in failed[0]["message"], receipt["findings"]


def test_validate_and_ingest_agree_on_duplicate_names(tmp_path: Path) -> None:
    harness.require("hyperfine runs the commands", "hyperfine")
    spin = harness.cpp_programs() / "spin"
    result = tmp_path / "dup.json"
    harness.run(
        ["hyperfine", "-N", "--runs", "3", "--export-json", str(result),
         "-n", "same", f"{spin} 1 1", "-n", "same", f"{spin} 2 1"],
        tmp_path,
        harness.clean_env(),
    )  # fmt: skip
    validate = perf_gate("validate", str(result), cwd=tmp_path)
    ingested = perf_gate("ingest", str(result), cwd=tmp_path)
    assert (validate.returncode == 0) == (ingested.returncode == 0), (
        validate,
        ingested,
    )
