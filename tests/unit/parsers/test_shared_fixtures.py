"""The real outputs of public projects in ../shared (read in place, never copied here).

Each file's metrics are checked against the numbers written in it. Skipped where
../shared is not there (a fresh clone, CI).
"""

from __future__ import annotations

import gzip
import json
import statistics
from pathlib import Path
from typing import Any

import pytest

from perf_gate.core.errors import InputError
from perf_gate.core.model import Metric
from perf_gate.inputs.parsers import parse_path

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
FIXTURES = SHARED / "fixtures"
NOISE = SHARED / "data" / "noise"
FORMATS = FIXTURES / "formats"
BITNET = FIXTURES / "bitnet-rs"

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason="../shared/fixtures is not here")

BENCHER = "bencherdev__bencher__lib__bencher_adapter__tool_output__"
ACTION = "benchmark-action__github-action-benchmark__test__data__extract__"
GBENCH = "google__benchmark__tools__gbench__Inputs__"
FIBONACCI = "rust_iai_callgrind::bench_fibonacci_group::bench_fibonacci"

# file → (format, {metric label: value in canonical units}, finding codes)
EXPECTED: dict[str, tuple[str, dict[str, float], set[str]]] = {
    f"{ACTION}cargo_output.txt": (
        "cargo-bench",
        {"bench_fib_10": 135, "bench_fib_20": 18149},
        set(),
    ),
    f"{ACTION}cargo_output_units.txt": (
        "cargo-bench",
        {"cmov": 2835, "cmov2": 2845, "mov": 1508, "upload": 1911, "download": 9001},
        set(),
    ),
    f"{ACTION}criterion_output.txt": (
        "cargo-bench",
        {
            "Create Realm": 329,
            "Symbols (Execution)": 3268,
            "For loop (Execution)": 12314,
            "Fibonacci (Execution)": 1672496,
        },
        set(),
    ),
    f"{ACTION}customBiggerIsBetter_output.json": (
        "custom",
        {
            "My Custom Bigger Is Better Benchmark - Throughput": 70,
            "My Custom Bigger Is Better Benchmark - Free Memory": 150,
        },
        set(),
    ),
    f"{ACTION}customSmallerIsBetter_output.json": (
        "custom",
        {
            "My Custom Smaller Is Better Benchmark - CPU Load": 50,
            "My Custom Smaller Is Better Benchmark - Memory Used": 100,
        },
        set(),
    ),
    f"{BENCHER}rust__bench__failed.txt": (
        "cargo-bench",
        {"tests::benchmark_a": 3296, "tests::benchmark_c": 3215},
        {"bench-failed"},
    ),
    f"{BENCHER}rust__bench__multi_target.txt": (
        "cargo-bench",
        {"tests::benchmark": 3161, "tests::other_benchmark": 3161},
        set(),
    ),
    f"{BENCHER}rust__criterion__dogfood.txt": (
        "criterion-log",
        {
            "Adapter::Magic (JSON)": 3463.2,
            "Adapter::Json": 3479.6,
            "Adapter::Magic (Rust)": 14726,
            "Adapter::Rust": 14884,
        },
        set(),
    ),
    f"{BENCHER}rust__criterion__failed.txt": (
        "criterion-log",
        {
            "file": 2.2311,
            "rolling_file": 1.9488,
            "tracing_file": 60753,
            "tracing_rolling_file": 27365,
        },
        {"bench-panicked"},
    ),
    f"{BENCHER}rust__criterion__many.txt": (
        "criterion-log",
        {
            "file": 0.3239,
            "rolling_file": 0.42966,
            "tracing_file": 18019,
            "tracing_rolling_file": 20930,
            "benchmark: name with spaces": 20.93,
        },
        set(),
    ),
    f"{BENCHER}rust__gungraun__with-dhat.txt": (
        "gungraun",
        {
            f"{FIBONACCI} short:10 Instructions": 1734,
            f"{FIBONACCI} long:30 Instructions": 26214734,
        },
        set(),
    ),
    f"{BENCHER}json__report_bmf_mixed.json": (
        "bencher-bmf",
        {
            "31aba8a9-977a-47d1-9fb6-e6b94b428471": 3247,
            "benchmark-b": 3443,
            "tests::benchmark_c": 3361,
        },
        set(),
    ),
    f"{BENCHER}shell__hyperfine__two.json": (
        "hyperfine",
        {"sleep 0.1": 0.10652535172000001e9, "sleep 0.2": 0.20866151872000002e9},
        set(),
    ),
    f"{GBENCH}test3_run0.json": (
        "google-benchmark",
        {"BM_One": 10, "BM_Two": 8.5, "short": 8, "medium": 8.5},
        set(),
    ),
    f"{GBENCH}test3_run1.json": (
        "google-benchmark",
        {"BM_One": 9, "BM_Two": 8.5, "short": 7, "medium": 5},
        set(),
    ),
    "ci_baseline.json": (
        "bitnet-baseline",
        {
            "inference tinyllama_q2k_cpu (cpu)": 42.5,
            "peak memory (inference) tinyllama_q2k_cpu (cpu)": 512,
            "inference bitnet_i2s_cpu (cpu)": 38.0,
            "peak memory (inference) bitnet_i2s_cpu (cpu)": 480,
            "inference (cpu)": 40.0,
            "peak memory (inference) (cpu)": 500,
            "inference tinyllama_q2k_gpu (gpu)": 256.0,
            "peak memory (inference) tinyllama_q2k_gpu (gpu)": 1024,
            "inference bitnet_i2s_gpu (gpu)": 220.0,
            "peak memory (inference) bitnet_i2s_gpu (gpu)": 980,
        },
        set(),
    ),
    "xtask_ci_inference_receipt.json": (
        "bitnet-receipt",
        {"inference (cpu)": 200.0},
        {"mock-kernel"},  # kernels=["mock_inference"]: this receipt must fail the gate
    ),
    "receipt_cpu_positive_example.json": (
        "bitnet-receipt",
        {
            "inference (cpu)": 0.5,
            "inference first token latency (cpu)": 2000e6,
            "peak memory (inference) (cpu)": 4096,
            "I2S accuracy (cpu)": 0.0001,
        },
        set(),
    ),
    "parity_receipt_example.json": (
        "bitnet-parity",
        {
            "parity mse": 0.0000078,
            "parity kl": (0.0023 + 0.0034 + 0.0019 + 0.0015) / 4,
            "parity top-k agreement": 0.95,
            "parity max abs": 0.00032,
        },
        set(),
    ),
    "criterion_I2S_quantize_1024_estimates.json": (
        "criterion-estimates",
        {"criterion_I2S_quantize_1024_estimates": 1625812.0684350524},  # the slope
        set(),
    ),
    "benchcompare_baseline_test_regression.json": (
        "bitnet-bench-baseline",
        {
            "quantization_sizes/I2S_quantize/1024 (cpu)": 19500,
            "quantization_sizes/I2S_quantize/1024 throughput (cpu)": 52000000,
            "quantization_sizes/I2S_quantize/4096 (cpu)": 72000,
            "quantization_sizes/I2S_quantize/4096 throughput (cpu)": 56900000,
        },
        set(),
    ),
}
# not results: the fixtures' own notes, criterion's per-benchmark metadata (no numbers
# without its estimates: see the tree test below) and a thresholds file (configuration)
NOT_RESULTS = {
    "MANIFEST.tsv",
    "SOURCES.txt",
    "criterion_I2S_quantize_1024_benchmark.json",
    "benchmarks_thresholds_default.toml",
}


def _labels(metrics: tuple[Metric, ...]) -> dict[str, float]:
    return {m.label: m.value for m in metrics}


def _all_files() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*") if p.is_file()) if FIXTURES.is_dir() else []


def test_every_shared_fixture_has_an_expectation() -> None:
    names = {p.name for p in _all_files()}
    assert names == set(EXPECTED) | NOT_RESULTS


@pytest.mark.parametrize("path", _all_files(), ids=lambda p: p.name)
def test_a_shared_fixture_gives_the_numbers_written_in_it(path: Path) -> None:
    if path.name in NOT_RESULTS:
        with pytest.raises(InputError, match="unknown results format"):
            parse_path(path)
        return
    fmt, values, codes = EXPECTED[path.name]
    result = parse_path(path)
    assert {f.format for f in result.files} == {fmt}
    found = {m.label: m.value for m in result.metrics if m.label in values}
    assert found == pytest.approx(values)
    assert {f.code for f in result.findings if f.severity == "fail"} == codes


def test_shared_text_logs_keep_units_directions_and_intervals() -> None:
    units = _by_label(parse_path(FORMATS / f"{ACTION}cargo_output_units.txt").metrics)
    assert (units["cmov"].unit, units["cmov"].direction) == ("cycles/iter", "lower")
    assert (units["upload"].unit, units["upload"].direction) == ("MS/s", "higher")
    dogfood = _by_label(parse_path(FORMATS / f"{BENCHER}rust__criterion__dogfood.txt").metrics)
    magic = dogfood["Adapter::Magic (JSON)"]
    assert (magic.unit, magic.lower, magic.upper) == (
        "ns",
        pytest.approx(3462.3),
        pytest.approx(3464.1),
    )
    many = _by_label(parse_path(FORMATS / f"{BENCHER}rust__criterion__many.txt").metrics)
    assert dict(many["file"].meta) == {"change": "-0.2521%", "p": "0.79", "verdict": "no change"}
    hyperfine = _by_label(parse_path(FORMATS / f"{BENCHER}shell__hyperfine__two.json").metrics)
    assert len(hyperfine["sleep 0.1"].samples) == 27 and len(hyperfine["sleep 0.2"].samples) == 13
    gbench = _by_label(parse_path(FORMATS / f"{GBENCH}test3_run1.json").metrics)
    assert gbench["short"].samples == (7.0, 4.54, 800.0)
    gungraun = _by_label(parse_path(FORMATS / f"{BENCHER}rust__gungraun__with-dhat.txt").metrics)
    assert len(gungraun) == 28
    assert gungraun[f"{FIBONACCI} short:10 Instructions"].value == 1734
    assert gungraun[f"{FIBONACCI} long:30 Writes bytes"].value == 37733810


def test_the_bitnet_receipt_accuracy_test_and_parity_thresholds() -> None:
    receipt = _by_label(parse_path(BITNET / "receipt_cpu_positive_example.json").metrics)
    i2s = receipt["I2S accuracy (cpu)"]
    assert (i2s.unit, i2s.passed, i2s.tolerance) == ("mse", True, 0.001)
    parity = _by_label(parse_path(BITNET / "parity_receipt_example.json").metrics)
    assert (parity["parity mse"].tolerance, parity["parity mse"].passed) == (0.0001, True)
    assert parity["parity top-k agreement"].passed is True
    assert parity["parity mse"].samples == (0.000005, 0.000012, 0.000008, 0.000006)


def test_the_bitnet_criterion_pair_read_as_a_tree(tmp_path: Path) -> None:
    unit = tmp_path / "criterion" / "quantization_sizes" / "I2S_quantize" / "1024" / "new"
    unit.mkdir(parents=True)
    (unit / "estimates.json").symlink_to(BITNET / "criterion_I2S_quantize_1024_estimates.json")
    (unit / "benchmark.json").symlink_to(BITNET / "criterion_I2S_quantize_1024_benchmark.json")
    timing, rate = parse_path(tmp_path).metrics
    assert timing.name == "quantization_sizes/I2S_quantize/1024"
    assert (timing.value, timing.lower, timing.upper) == (  # the slope, as criterion prints
        1625812.0684350524,
        1613382.086426518,
        1639395.486743171,
    )
    assert (rate.unit, rate.value) == ("elem/s", pytest.approx(1024 / 1625812.0684350524e-9))


def _by_label(metrics: tuple[Metric, ...]) -> dict[str, Metric]:
    return {m.label: m for m in metrics}


def _typical_estimate(estimates: Path) -> float:
    """What criterion prints as ``time: [.. estimate ..]``: the slope, else the mean."""
    doc = json.loads(estimates.read_text())
    return float((doc.get("slope") or doc["mean"])["point_estimate"])


@pytest.mark.skipif(not (NOISE / "criterion_ecs").is_dir(), reason="no criterion noise data")
@pytest.mark.parametrize("commit", ["8dba0e8", "94db2a4"])
@pytest.mark.parametrize("fmt", ["criterion", "criterion-base"])
def test_real_criterion_trees_new_and_base(commit: str, fmt: str) -> None:
    tree = NOISE / "criterion_ecs" / commit / "target" / "criterion"
    saved = "base" if fmt == "criterion-base" else "new"
    metrics = parse_path(tree, fmt).metrics
    samples = sorted(tree.rglob(f"{saved}/sample.json"))
    assert len(metrics) == len(samples) > 0
    by_name = {m.name: m for m in metrics}
    for sample in samples:
        bench = json.loads((sample.parent / "benchmark.json").read_text())
        metric = by_name[bench["full_id"]]
        assert len(metric.samples) == 100
        assert metric.value == pytest.approx(_typical_estimate(sample.parent / "estimates.json"))


def _pyperf_files() -> list[Path]:
    root = NOISE / "pyperf_cpython"
    if not root.is_dir():
        return []
    return [
        sorted(folder.glob("*.json.gz"))[0] for folder in sorted(root.iterdir()) if folder.is_dir()
    ]


@pytest.mark.parametrize("path", _pyperf_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_real_pyperf_suites(path: Path) -> None:
    doc: dict[str, Any] = json.loads(gzip.decompress(path.read_bytes()))
    metrics = {m.name: m for m in parse_path(path).metrics}
    assert len(metrics) == len(doc["benchmarks"])
    for bench in doc["benchmarks"]:
        meta = {**(bench.get("common_metadata") or {}), **(bench.get("metadata") or {})}
        values = [v for run in bench["runs"] for v in run.get("values", run.get("samples")) or []]
        metric = metrics[meta["name"]]
        assert len(metric.samples) == len(values)
        assert metric.value == pytest.approx(statistics.median(values) * 1e9)
