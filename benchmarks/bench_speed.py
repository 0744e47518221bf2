"""How fast ``perf-gate finalize`` judges big suites, next to a parse-only floor and the peers.

    python benchmarks/bench_speed.py [--sizes 1000,10000] [--repeats 5] [--samples 100]

Generates seeded synthetic suites (``--samples`` raw samples per benchmark, lognormal noise,
2 % of the benchmarks slowed by 20 %) in four shapes: a criterion tree (``new/`` is the
current run, ``base/`` its baseline), pytest-benchmark JSON, Google Benchmark JSON with 10
repetitions, and the same samples as pyperf JSON for ``pyperf compare_to``. Then, for each
shape and size, it runs in turn (interleaved, ``--repeats`` rounds, median reported):

- ``perf-gate finalize`` on the files;
- the floor: a Python process that only reads and ``json.loads`` the same files (and the same
  with ``orjson.loads``, reported beside the table);
- the peers on the same data: ``pytest-benchmark compare`` and ``pyperf compare_to``.

Times are CPU seconds (user + system) of each child process, peak RSS its ``ru_maxrss``;
on a shared machine the ratios, measured side by side, are the figures to quote. It also
prints the growth exponent from the smallest to the largest size (time ∝ N^k), and the cost
of five history baselines against one: as five files, and as a 5-run baseline store made
by ``perf-gate baseline update``. Detection counts: benchmarks failed (or warned)
among the injected slowdowns, and false alarms among the rest.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

SLOWED_SHARE = 0.02
SLOWDOWN = 1.20
BIN = Path(sys.executable).parent

FLOOR = """
import json, os, sys
for root in sys.argv[1:]:
    if os.path.isfile(root):
        json.loads(open(root, "rb").read())
        continue
    for folder, _, names in os.walk(root):
        for name in names:
            if name.endswith(".json"):
                json.loads(open(os.path.join(folder, name), "rb").read())
"""

# The same floor with orjson, the parser perf-gate's strict reader uses when it can prove the
# result is the json module's: what reading alone costs at best.
FLOOR_ORJSON = FLOOR.replace("import json,", "import orjson as json,")


@dataclass
class Suite:
    shape: str
    n: int
    current: list[Path]
    baselines: list[Path]
    slowed: set[str]
    pyperf: tuple[Path, Path] | None = None
    history: list[Path] = field(default_factory=list)


def _samples(rng: random.Random, center: float, count: int, factor: float) -> list[float]:
    return [center * factor * math.exp(rng.gauss(0.0, 0.03)) for _ in range(count)]


def _centers(n: int, seed: int) -> tuple[list[float], set[int]]:
    rng = random.Random(seed)
    centers = [10 ** rng.uniform(-6, -2) for _ in range(n)]  # seconds
    slowed = set(rng.sample(range(n), max(1, int(n * SLOWED_SHARE))))
    return centers, slowed


def _pytest_doc(names: list[str], data: list[list[float]]) -> dict[str, object]:
    benchmarks = []
    for name, values in zip(names, data, strict=True):
        ordered = sorted(values)
        mean = statistics.fmean(values)
        benchmarks.append(
            {
                "group": None,
                "name": name.split("::")[-1],
                "fullname": name,
                "params": None,
                "param": None,
                "extra_info": {},
                "options": {
                    "disable_gc": False,
                    "timer": "perf_counter",
                    "min_rounds": 5,
                    "max_time": 1.0,
                    "min_time": 5e-06,
                    "warmup": False,
                },
                "stats": {
                    "min": ordered[0],
                    "max": ordered[-1],
                    "mean": mean,
                    "stddev": statistics.stdev(values),
                    "rounds": len(values),
                    "median": statistics.median(ordered),
                    "iqr": 0.0,
                    "q1": ordered[len(values) // 4],
                    "q3": ordered[3 * len(values) // 4],
                    "iqr_outliers": 0,
                    "stddev_outliers": 0,
                    "outliers": "0;0",
                    "ld15iqr": ordered[0],
                    "hd15iqr": ordered[-1],
                    "ops": 1 / mean,
                    "total": sum(values),
                    "iterations": 1,
                    "data": values,
                },
            }
        )
    return {
        "machine_info": {
            "node": "bench",
            "processor": "x86_64",
            "machine": "x86_64",
            "python_implementation": "CPython",
            "python_version": "3.11.7",
            "release": "6.1",
            "system": "Linux",
            "cpu": {},
        },
        "commit_info": {
            "id": "0" * 40,
            "time": "2026-01-01T00:00:00+00:00",
            "author_time": "2026-01-01T00:00:00+00:00",
            "dirty": False,
            "project": "bench",
            "branch": "main",
        },
        "benchmarks": benchmarks,
        "datetime": "2026-01-01T00:00:00",
        "version": "5.1.0",
    }


def _pyperf_doc(names: list[str], data: list[list[float]]) -> dict[str, object]:
    benchmarks = []
    for name, values in zip(names, data, strict=True):
        runs = [
            {
                "metadata": {"date": "2026-01-01 00:00:00", "duration": 1.0},
                "warmups": [[1, v]],
                "values": values[i : i + 20],
            }
            for i, v in zip(range(0, len(values), 20), values[::20], strict=True)
        ]
        benchmarks.append({"metadata": {"name": name, "loops": 1}, "runs": runs})
    return {"version": "1.0", "metadata": {"unit": "second"}, "benchmarks": benchmarks}


def _dump(path: Path, doc: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))
    return path


def _runs(
    n: int, samples: int, seed: int
) -> tuple[list[str], list[list[float]], list[list[float]], set[str]]:
    centers, slowed = _centers(n, seed)
    rng = random.Random(seed + 1)
    names = [f"tests/test_suite.py::test_bench[{i:05d}]" for i in range(n)]
    base = [_samples(rng, c, samples, 1.0) for c in centers]
    cur = [
        _samples(rng, c, samples, SLOWDOWN if i in slowed else 1.0) for i, c in enumerate(centers)
    ]
    return names, base, cur, {names[i] for i in slowed}


def make_pytest(root: Path, n: int, samples: int, history: int) -> Suite:
    names, base, cur, slowed = _runs(n, samples, seed=n)
    folder = root / f"pytest-{n}"
    rng = random.Random(7)
    extra = [
        _dump(
            folder / f"history-{k}.json",
            _pytest_doc(names, [[v * math.exp(rng.gauss(0, 0.03)) for v in row] for row in base]),
        )
        for k in range(history - 1)
    ]
    baseline = _dump(folder / "baseline.json", _pytest_doc(names, base))
    current = _dump(folder / "current.json", _pytest_doc(names, cur))
    pyperf = (
        _dump(folder / "pyperf-base.json", _pyperf_doc(names, base)),
        _dump(folder / "pyperf-current.json", _pyperf_doc(names, cur)),
    )
    return Suite("pytest-benchmark", n, [current], [baseline], slowed, pyperf, [*extra, baseline])


def _criterion_files(run: Path, name: str, values_s: list[float]) -> None:
    run.mkdir(parents=True)
    group, func = name.split("/")
    iters = [float(10 * (i + 1)) for i in range(len(values_s))]
    times = [it * v * 1e9 for it, v in zip(iters, values_s, strict=True)]
    median = statistics.median(values_s) * 1e9
    estimate = {
        "confidence_interval": {
            "confidence_level": 0.95,
            "lower_bound": median * 0.99,
            "upper_bound": median * 1.01,
        },
        "point_estimate": median,
        "standard_error": median * 0.005,
    }
    (run / "benchmark.json").write_text(
        json.dumps(
            {
                "group_id": group,
                "function_id": func,
                "value_str": None,
                "throughput": None,
                "full_id": name,
                "directory_name": name,
                "title": name,
            }
        )
    )
    (run / "estimates.json").write_text(
        json.dumps(
            {k: estimate for k in ("mean", "median", "median_abs_dev", "std_dev")}
            | {"slope": estimate}
        )
    )
    (run / "sample.json").write_text(
        json.dumps({"sampling_mode": "Linear", "iters": iters, "times": times})
    )


def make_criterion(root: Path, n: int, samples: int) -> Suite:
    _, base, cur, slowed_names = _runs(n, samples, seed=n + 1)
    tree = root / f"criterion-{n}" / "target" / "criterion"
    names = [f"group{i // 100:03d}/bench{i:05d}" for i in range(n)]
    slowed = set()
    for i, name in enumerate(names):
        folder = tree / name
        _criterion_files(folder / "base", name, base[i])
        _criterion_files(folder / "new", name, cur[i])
        if f"tests/test_suite.py::test_bench[{i:05d}]" in slowed_names:
            slowed.add(name)
    pyperf = (
        _dump(tree.parent.parent / "pyperf-base.json", _pyperf_doc(names, base)),
        _dump(tree.parent.parent / "pyperf-current.json", _pyperf_doc(names, cur)),
    )
    return Suite("criterion tree", n, [tree], [tree], slowed, pyperf)


def _google_doc(names: list[str], data: list[list[float]], reps: int) -> dict[str, object]:
    entries: list[dict[str, object]] = []
    for family, (name, values) in enumerate(zip(names, data, strict=True)):
        ns = [v * 1e9 for v in values[:reps]]
        common = {
            "family_index": family,
            "per_family_instance_index": 0,
            "run_name": name,
            "repetitions": reps,
            "threads": 1,
            "time_unit": "ns",
        }
        for k, v in enumerate(ns):
            entries.append(
                {
                    "name": name,
                    "run_type": "iteration",
                    "repetition_index": k,
                    **common,
                    "iterations": 1000,
                    "real_time": v,
                    "cpu_time": v * 0.99,
                }
            )
        for stat, value in (
            ("mean", statistics.fmean(ns)),
            ("median", statistics.median(ns)),
            ("stddev", statistics.stdev(ns)),
        ):
            entries.append(
                {
                    "name": f"{name}_{stat}",
                    "run_type": "aggregate",
                    **common,
                    "aggregate_name": stat,
                    "aggregate_unit": "time",
                    "iterations": reps,
                    "real_time": value,
                    "cpu_time": value * 0.99,
                }
            )
    return {
        "context": {
            "date": "2026-01-01T00:00:00+00:00",
            "host_name": "bench",
            "executable": "./bench",
            "num_cpus": 2,
            "mhz_per_cpu": 2000,
            "cpu_scaling_enabled": False,
            "library_build_type": "release",
        },
        "benchmarks": entries,
    }


def make_google(root: Path, n: int, reps: int) -> Suite:
    _, base, cur, slowed_names = _runs(n, reps, seed=n + 2)
    names = [f"BM_case/{i}" for i in range(n)]
    slowed = {
        names[i] for i in range(n) if f"tests/test_suite.py::test_bench[{i:05d}]" in slowed_names
    }
    folder = root / f"google-{n}"
    return Suite(
        f"Google Benchmark, {reps} reps",
        n,
        [_dump(folder / "current.json", _google_doc(names, cur, reps))],
        [_dump(folder / "baseline.json", _google_doc(names, base, reps))],
        slowed,
    )


def generate(shape: str, work: Path, n: int, samples: int) -> Suite:
    if shape == "criterion":
        return make_criterion(work, n, samples)
    if shape == "pytest":
        return make_pytest(work, n, samples, history=5)
    return make_google(work, n, 10)


@dataclass
class Measure:
    cpu: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    output: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.cpu) if self.cpu else math.nan


def measure(argv: list[str], into: Measure, cwd: Path, ok: tuple[int, ...] = (0, 1)) -> None:
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if proc.returncode not in ok:
        raise SystemExit(f"{argv[0]} exited {proc.returncode}:\n{text[-2000:]}")
    into.cpu.append(usage.ru_utime + usage.ru_stime)
    into.rss_mb.append(usage.ru_maxrss / 1024)
    into.output = text


def gate_argv(suite: Suite, out: Path, baselines: list[Path]) -> list[str]:
    argv = [
        str(BIN / "perf-gate"),
        "finalize",
        "--no-publish",
        "--output-dir",
        str(out),
        "--threshold",
        "5",
    ]
    for path in suite.current:
        argv += ["--current", str(path)]
    for path in baselines:
        argv += ["--baseline", str(path)]
    return argv


def build_store(runs: list[Path], store: Path) -> Path:
    """A baseline store of ``runs`` (oldest first) made by the real ``perf-gate baseline
    update``, one update a run, as a default branch's CI would."""
    for index, run in enumerate(runs):
        argv = [str(BIN / "perf-gate"), "baseline", "update", "--current", str(run)]
        argv += ["--output", str(store), "--commit", f"{index:040d}"]
        subprocess.run(argv, check=True, capture_output=True, cwd=store.parent)
    return store


def detections(receipt: Path, slowed: set[str]) -> tuple[int, int]:
    doc = json.loads(receipt.read_text())
    flagged = {m["name"] for m in doc["metrics"] if m["status"] in ("fail", "warn")}
    return len(flagged & slowed), len(flagged - slowed)


def pyperf_detections(text: str, slowed: set[str]) -> tuple[int, int]:
    flagged = set()
    for line in text.splitlines():
        name, sep, rest = line.partition(": Mean +- std dev:")
        if sep and rest.rstrip().endswith("slower"):
            flagged.add(name.strip())
    return len(flagged & slowed), len(flagged - slowed)


def run_suite(
    suite: Suite, work: Path, repeats: int, history: bool, helper: ProcessPoolExecutor
) -> dict[str, object]:
    tools: dict[str, list[str]] = {
        "perf-gate": gate_argv(suite, work / "out", suite.baselines),
        "floor": [
            sys.executable,
            "-c",
            FLOOR,
            *map(str, suite.current),
            *(map(str, suite.baselines) if suite.baselines != suite.current else ()),
        ],
    }
    tools["floor (orjson)"] = [*tools["floor"][:2], FLOOR_ORJSON, *tools["floor"][3:]]
    if suite.shape == "pytest-benchmark":
        tools["pytest-benchmark compare"] = [
            str(BIN / "pytest-benchmark"),
            "compare",
            str(suite.baselines[0]),
            str(suite.current[0]),
        ]
    if suite.pyperf:
        tools["pyperf compare_to"] = [
            sys.executable,
            "-m",
            "pyperf",
            "compare_to",
            str(suite.pyperf[0]),
            str(suite.pyperf[1]),
        ]
    if history and suite.history:
        tools["perf-gate, 5 baselines"] = gate_argv(suite, work / "out5", suite.history)
        store = helper.submit(build_store, suite.history, work / "store.json").result()
        tools["perf-gate, 5-run store"] = gate_argv(suite, work / "out-store", [store])
    results = {name: Measure() for name in tools}
    for _ in range(repeats):
        for name, argv in tools.items():
            # In the suite's own folder: `pytest-benchmark compare` started in this checkout
            # took 0.47-0.70 s where it takes 0.35 s elsewhere (pytest's configuration search).
            measure(argv, results[name], work)
    # read in the helper process too: a 20 MB receipt would grow this one to 100 MB
    found = helper.submit(detections, work / "out" / "perf-receipt.json", suite.slowed).result()
    outputs = {"perf-gate, 5 baselines": "out5", "perf-gate, 5-run store": "out-store"}
    history_found = {
        name: helper.submit(detections, work / out / "perf-receipt.json", suite.slowed).result()
        for name, out in outputs.items()
        if name in results
    }
    row: dict[str, object] = {
        "shape": suite.shape,
        "n": suite.n,
        "slowed": len(suite.slowed),
        "detected": found,
        "history_detected": history_found,
        "measures": results,
    }
    if "pyperf compare_to" in results:
        row["pyperf_detected"] = pyperf_detections(
            results["pyperf compare_to"].output, suite.slowed
        )
    return row


def _fmt(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds == seconds else "–"


HEADER = (
    "| input, N | perf-gate | floor | ×floor | pytest-benchmark compare | pyperf compare_to "
    "| peak RSS | caught / slowed | false alarms | pyperf caught / false |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def table_line(row: dict[str, object]) -> str:
    m: dict[str, Measure] = row["measures"]  # type: ignore[assignment]
    gate, floor = m["perf-gate"].median, m["floor"].median
    peers = [
        m[k].median if k in m else math.nan
        for k in ("pytest-benchmark compare", "pyperf compare_to")
    ]
    caught, false = row["detected"]  # type: ignore[misc]
    pyperf = row.get("pyperf_detected")
    return (
        f"| {row['shape']}, {row['n']:,} | {_fmt(gate)} | {_fmt(floor)} | ×{gate / floor:.2f} "
        f"| {_fmt(peers[0])} | {_fmt(peers[1])} | {max(m['perf-gate'].rss_mb):.0f} MB "
        f"| {caught} / {row['slowed']} | {false} | "
        f"{f'{pyperf[0]} / {pyperf[1]}' if pyperf else '–'} |"
    )


def report(rows: list[dict[str, object]]) -> None:
    print(HEADER)
    for row in rows:
        print(table_line(row))
    shapes: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        shapes.setdefault(str(row["shape"]), []).append(row)
    for shape, group in shapes.items():
        if len(group) > 1:
            small, big = group[0], group[-1]
            ms, mb = small["measures"], big["measures"]  # type: ignore[assignment]
            ratio = math.log(int(big["n"]) / int(small["n"]))  # type: ignore[call-overload]
            k_time = math.log(mb["perf-gate"].median / ms["perf-gate"].median) / ratio
            k_rss = math.log(max(mb["perf-gate"].rss_mb) / max(ms["perf-gate"].rss_mb)) / ratio
            print(
                f"{shape}: time ∝ N^{k_time:.2f}, peak RSS ∝ N^{k_rss:.2f} "
                f"({small['n']:,} → {big['n']:,})"
            )
    for row in rows:
        m = row["measures"]  # type: ignore[assignment]
        gate, fast = m["perf-gate"].median, m["floor (orjson)"].median
        print(
            f"{row['shape']}, {row['n']:,}: floor with orjson {_fmt(fast)}, "
            f"perf-gate ×{gate / fast:.2f} of it"
        )
    for row in rows:
        m = row["measures"]  # type: ignore[assignment]
        if "perf-gate, 5 baselines" in m:
            one = m["perf-gate"]
            found: dict[str, tuple[int, int]] = row["history_detected"]  # type: ignore[assignment]
            parts = [
                f"{what} {_fmt(m[name].median)} = ×{m[name].median / one.median:.2f} one "
                f"baseline, {max(m[name].rss_mb):.0f} MB, caught {found[name][0]} / "
                f"{row['slowed']}, {found[name][1]} false"
                for name, what in (
                    ("perf-gate, 5 baselines", "5 history files"),
                    ("perf-gate, 5-run store", "a 5-run store"),
                )
            ]
            print(
                f"{row['shape']}, {row['n']:,}: {'; '.join(parts)} "
                f"(one: {_fmt(one.median)}, {max(one.rss_mb):.0f} MB)"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--shapes", default="criterion,pytest,google")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    shapes = args.shapes.split(",")
    # An installed package runs from bytecode; an editable checkout under
    # PYTHONDONTWRITEBYTECODE=1 would compile its ~100 modules again in every run.
    package = Path(__file__).resolve().parents[1] / "perf_gate"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    load_start = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="perf-gate-speed-"))
    # The suites are generated (and receipts read) in a worker process: a child's ru_maxrss
    # counts the peak of the process it was forked from (Linux keeps it across exec), so a
    # parent grown to 200 MB by generating 10,000 benchmarks would report 200 MB for every
    # later child.
    generator = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    try:
        rows = []
        for shape in shapes:
            for n in sizes:
                if shape == "google" and n > 1000:
                    continue
                if shape not in ("criterion", "pytest", "google"):
                    raise SystemExit(f"unknown shape {shape}")
                started = time.monotonic()
                suite = generator.submit(generate, shape, work, n, args.samples).result()
                print(
                    f"generated {suite.shape}, {n:,} in {time.monotonic() - started:.1f} s",
                    file=sys.stderr,
                )
                rows.append(
                    run_suite(
                        suite,
                        work / f"{shape}-{n}",
                        args.repeats,
                        history=n == max(sizes),
                        helper=generator,
                    )
                )
                print(table_line(rows[-1]), file=sys.stderr, flush=True)  # progress
                shutil.rmtree(work / f"{shape}-{n}", ignore_errors=True)
        report(rows)
        print(
            f"1-minute load average: {load_start:.2f} at the start, "
            f"{os.getloadavg()[0]:.2f} at the end"
        )
    finally:
        generator.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
