"""hyperfine (Debian's 1.15) timing the ``spin`` command, its JSON export fed to perf-gate."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

import pytest

from . import harness
from .conftest import (
    Measure,
    fails_on,
    finalize,
    flagged,
    ingest,
    judged,
    measure_scales,
    passes,
    perf_gate,
)
from .printed import TIME_NS, close

pytestmark = pytest.mark.real

# name -> spin's arguments (million rounds, MiB)
COMMANDS = {"spin-20": "20 1", "spin-40": "40 1"}
_MEAN = re.compile(r"^Benchmark \d+: (.+)\n\s+Time \(mean ± σ\):\s+(\S+) (\S+)", re.MULTILINE)


def hyperfine(out: Path, scale: float, commands: dict[str, str], *options: str) -> tuple[Path, str]:
    spin = harness.cpp_programs() / "spin"
    named = [a for name, args in commands.items() for a in ("-n", name, f"{spin} {args}")]
    result = out / "hyperfine.json"
    printed = harness.run(
        ["hyperfine", "-N", "--style", "basic", "--warmup", "2", "--runs", "15",
         "--export-json", str(result), *options, *named],
        out,
        harness.clean_env(**{harness.SCALE: str(scale)}),
    )  # fmt: skip
    return result, printed


@pytest.fixture(scope="module")
def measure(programs: Path) -> Measure:
    harness.require("hyperfine runs the commands", "hyperfine")

    def run(folder: Path, scale: float) -> Path:
        folder.mkdir(parents=True)
        result, printed = hyperfine(folder, scale, COMMANDS)
        (folder / "hyperfine.txt").write_text(printed)
        return result

    return run


@pytest.fixture(scope="module")
def runs(measure: Measure, tmp_path_factory: pytest.TempPathFactory) -> dict[float, Path]:
    return measure_scales(measure, tmp_path_factory, "hyperfine")


def test_names_units_values_are_hyperfines_own(runs: dict[float, Path]) -> None:
    for result in runs.values():
        exported = {r["command"]: r for r in json.loads(result.read_text())["results"]}
        printed = {
            name: float(mean) * TIME_NS[unit]
            for name, mean, unit in _MEAN.findall((result.parent / "hyperfine.txt").read_text())
        }
        metrics = ingest(result)
        assert set(metrics) == set(exported) == set(printed) == set(COMMANDS)
        for name, metric in metrics.items():
            assert (metric["unit"], metric["kind"], metric["direction"]) == (
                "ns",
                "timing",
                "lower",
            )
            assert close(metric["value"], exported[name]["median"] * 1e9, 9)
            assert metric["samples"] == pytest.approx([t * 1e9 for t in exported[name]["times"]])
            # the mean it printed is the mean of the samples perf-gate judges
            assert close(statistics.mean(metric["samples"]), printed[name], 4)


def test_unchanged_rerun_passes(measure: Measure, tmp_path: Path) -> None:
    verdict = judged(measure, {}, 1.0, tmp_path, passes)
    assert passes(verdict), verdict.output


def test_twice_the_work_fails_every_command(
    measure: Measure, runs: dict[float, Path], tmp_path: Path
) -> None:
    verdict = judged(measure, runs, 2.0, tmp_path, fails_on(COMMANDS))
    assert fails_on(COMMANDS)(verdict), verdict.output


@pytest.mark.xfail(strict=True, reason="issue 13 item 2: hyperfine exit codes are ignored")
def test_commands_that_exited_non_zero_fail_the_gate(
    runs: dict[float, Path], tmp_path: Path
) -> None:
    # spin with one argument prints its usage and exits 2; -i keeps hyperfine going
    broken, _ = hyperfine(tmp_path, 1.0, {**COMMANDS, "spin-20": "20"}, "-i")
    assert set(json.loads(broken.read_text())["results"][0]["exit_codes"]) == {2}
    verdict = finalize(broken, runs[1.0], tmp_path / "out")
    assert verdict.returncode == 1, verdict.output


@pytest.mark.xfail(strict=True, reason="issue 13 item 7: validate and ingest disagree")
def test_validate_and_ingest_agree_on_duplicate_names(tmp_path: Path, programs: Path) -> None:
    harness.require("hyperfine runs the commands", "hyperfine")
    spin = programs / "spin"
    result = tmp_path / "dup.json"
    harness.run(
        ["hyperfine", "-N", "--runs", "3", "--export-json", str(result),
         "-n", "same", f"{spin} 1 1", "-n", "same", f"{spin} 2 1"],
        tmp_path,
        harness.clean_env(),
    )  # fmt: skip
    validate = perf_gate("validate", str(result), cwd=tmp_path)
    ingested = perf_gate("ingest", str(result), cwd=tmp_path)
    assert (validate.returncode == 0) == (ingested.returncode == 0), (validate, ingested)


def test_a_quarter_more_work_is_flagged(
    measure: Measure, runs: dict[float, Path], tmp_path: Path
) -> None:
    verdict = judged(measure, runs, 1.25, tmp_path, flagged)
    assert flagged(verdict), verdict.output
