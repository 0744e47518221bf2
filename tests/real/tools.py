"""The tools of the real-harness tier: how each runs with its work scaled, and which rows
twice the work must fail. Each ``measure`` runs the tool into a new folder, keeps what it
printed beside its results (``printed.txt``) and gives the path perf-gate reads."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import harness

Measure = Callable[[Path, float], Path]
"""Runs a tool into a new folder with the work scaled; gives the results' path."""

PRINTED = "printed.txt"


@dataclass(frozen=True)
class Tool:
    name: str
    measure: Measure
    slower: frozenset[str]  # the rows twice the work must fail

    def __str__(self) -> str:
        return self.name


def scaled(scale: float) -> dict[str, str]:
    return harness.clean_env(**{harness.SCALE: str(scale)})


def keep(folder: Path, printed: str) -> None:
    (folder / PRINTED).write_text(printed)


# --------------------------------------------------------------------------- criterion

CRITERION_TIMINGS = frozenset({"hash_loop", "sort_reversed", "bytes/checksum"})
CRITERION_METRICS = CRITERION_TIMINGS | {"bytes/checksum throughput"}


def criterion(folder: Path, scale: float) -> Path:
    """``cargo bench`` of the realbench crate into ``folder/criterion`` (CRITERION_HOME)."""
    folder.mkdir(parents=True)
    keep(
        folder,
        harness.run_criterion(harness.criterion_crate(), folder / "criterion", scale),
    )
    return folder / "criterion"


# --------------------------------------------------------------------------- hyperfine

# name -> spin's arguments (million rounds, MiB)
COMMANDS = {"spin-20": "20 1", "spin-40": "40 1"}


def run_hyperfine(
    folder: Path, scale: float, commands: dict[str, str], *options: str
) -> tuple[Path, str]:
    harness.require("hyperfine runs the commands", "hyperfine")
    spin = harness.cpp_programs() / "spin"
    named = [a for name, args in commands.items() for a in ("-n", name, f"{spin} {args}")]
    result = folder / "hyperfine.json"
    printed = harness.run(
        ["hyperfine", "-N", "--style", "basic", "--warmup", "2", "--runs", "15",
         "--export-json", str(result), *options, *named],
        folder,
        scaled(scale),
    )  # fmt: skip
    return result, printed


def hyperfine(folder: Path, scale: float) -> Path:
    folder.mkdir(parents=True)
    result, printed = run_hyperfine(folder, scale, COMMANDS)
    keep(folder, printed)
    return result


# --------------------------------------------------------------------------- Google Benchmark

GBENCH_TIMINGS = frozenset({"BM_hash_loop", "BM_checksum", "BM_hash_rate"})
GBENCH_COUNTERS = {"BM_checksum bytes_per_second": "B/s", "BM_hash_rate rate": "/s"}
REPETITIONS = 10


def gbench(folder: Path, scale: float) -> Path:
    folder.mkdir(parents=True)
    result = folder / "results.json"
    printed = harness.run(
        [str(harness.cpp_programs() / "gbench"), f"--benchmark_repetitions={REPETITIONS}",
         "--benchmark_min_time=0.02", f"--benchmark_out={result}",
         "--benchmark_out_format=json"],
        folder,
        scaled(scale),
    )  # fmt: skip
    keep(folder, printed)
    return result


# --------------------------------------------------------------------------- GNU time

TIME = "/usr/bin/time"
MEMORY, WALL = "peak memory (spin)", "wall time (spin)"


def gnu_time(folder: Path, scale: float) -> Path:
    """``/usr/bin/time -v spin 30 64``: 30 million rounds, 64 MiB touched, both scaled."""
    harness.require("GNU time measures the command (apt-get install time)", TIME)
    folder.mkdir(parents=True)
    report = folder / "time.txt"
    spin = harness.cpp_programs() / "spin"
    harness.run([TIME, "-v", "-o", str(report), str(spin), "30", "64"], folder, scaled(scale))
    return report


# --------------------------------------------------------------------------- pytest-benchmark

BENCH = harness.SOURCES / "python" / "bench_work.py"
PYTEST_NAMES = frozenset({"bench_work.py::test_squares", "bench_work.py::test_sorted_strings"})


def run_pytest_benchmark(folder: Path, scale: float, *options: str) -> str:
    # 0.5 s a benchmark, not 0.1: on this 2-core box 4 of 6 unchanged re-runs of 0.1 s
    # measured one benchmark 10-77 % slower (a false fail each); at 0.5 s 1 of 6 (+143 %:
    # the machine stalled during it), so three fresh pairs are no longer all swamped.
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(BENCH, folder / BENCH.name)
    (folder / "pytest.ini").write_text("[pytest]\n")  # none of the project's settings
    return harness.run(
        [sys.executable, "-m", "pytest", "-c", "pytest.ini", "--rootdir", ".",
         "-p", "no:cacheprovider", BENCH.name, "--benchmark-only", "--benchmark-warmup=off",
         "--benchmark-min-rounds=15", "--benchmark-max-time=0.5", "--benchmark-columns",
         "min,max,mean,stddev,median,rounds", *options],
        folder,
        scaled(scale),
    )  # fmt: skip


def pytest_benchmark(folder: Path, scale: float) -> Path:
    result = folder / "results.json"
    printed = run_pytest_benchmark(
        folder, scale, f"--benchmark-json={result}", "--benchmark-save-data"
    )
    keep(folder, printed)
    return result


# --------------------------------------------------------------------------- pyperf

PYPERF_NAME = "squares"
SETUP = "import os; n = round(2000 * float(os.environ.get('REALBENCH_SCALE', '1')))"


def pyperf(folder: Path, scale: float) -> Path:
    """``pyperf timeit``: 6 worker processes of 3 values, REALBENCH_SCALE passed on to them."""
    folder.mkdir(parents=True)
    result = folder / "results.json"
    printed = harness.run(
        [sys.executable, "-m", "pyperf", "timeit", "--name", PYPERF_NAME, "--processes", "6",
         "--values", "3", "--warmups", "1", "--loops", "20", "--quiet",
         f"--inherit-environ={harness.SCALE}", "-o", str(result),
         "-s", SETUP, "sum(i * i for i in range(n))"],
        folder,
        scaled(scale),
    )  # fmt: skip
    keep(folder, printed)
    return result


CRITERION = Tool("criterion", criterion, CRITERION_METRICS)
HYPERFINE = Tool("hyperfine", hyperfine, frozenset(COMMANDS))
GBENCH = Tool("google-benchmark", gbench, GBENCH_TIMINGS | {"BM_checksum bytes_per_second"})
GNU_TIME = Tool("gnu-time", gnu_time, frozenset({MEMORY}))
PYTEST_BENCHMARK = Tool("pytest-benchmark", pytest_benchmark, PYTEST_NAMES)
PYPERF = Tool("pyperf", pyperf, frozenset({PYPERF_NAME}))
TOOLS = (CRITERION, HYPERFINE, GBENCH, GNU_TIME, PYTEST_BENCHMARK, PYPERF)
