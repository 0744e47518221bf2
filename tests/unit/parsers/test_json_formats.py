"""Google Benchmark, pytest-benchmark, pyperf and Bencher Metric Format JSON."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from perf_gate.core.errors import InputError
from perf_gate.core.model import Kind
from perf_gate.inputs.parsers import parse_file

FORMATS = Path(__file__).resolve().parents[2] / "fixtures" / "formats"


def test_google_benchmark_repetitions_are_samples_and_aggregates_are_not_benchmarks() -> None:
    metrics = {
        m.name: m
        for m in parse_file(FORMATS / "positive/google-benchmark/gemm-repetitions.json").metrics
    }
    assert set(metrics) == {
        "BM_I2S_Gemm/512",
        "BM_I2S_Gemm/512 bytes_per_second",
        "BM_I2S_Gemm/512 items_per_second",
        "BM_I2S_Gemm/512 GFLOPS",
        "BM_TL1_Lookup",
        "BM_TL1_Lookup max_bytes_used",
        "BM_TL1_Lookup allocs_per_iter",
    }
    gemm = metrics["BM_I2S_Gemm/512"]
    assert gemm.samples == pytest.approx((342100.0, 345300.0, 339800.0))  # us → ns
    assert gemm.value == pytest.approx(342100.0)  # the median repetition
    assert (gemm.unit, gemm.kind, gemm.direction) == ("ns", Kind.TIMING, "lower")
    assert dict(gemm.meta) == {"repetitions": "3", "cpu_time_ns": "340200"}
    bytes_rate = metrics["BM_I2S_Gemm/512 bytes_per_second"]
    assert (bytes_rate.unit, bytes_rate.kind, bytes_rate.direction) == (
        "B/s",
        Kind.THROUGHPUT,
        "higher",
    )
    assert bytes_rate.value == pytest.approx(1.5326e9)
    assert metrics["BM_I2S_Gemm/512 items_per_second"].unit == "items/s"
    assert metrics["BM_I2S_Gemm/512 GFLOPS"].direction == "higher"
    memory = metrics["BM_TL1_Lookup max_bytes_used"]
    assert (memory.value, memory.unit, memory.kind) == (pytest.approx(4.194304), "MB", Kind.MEMORY)
    allocs = metrics["BM_TL1_Lookup allocs_per_iter"]
    assert (allocs.kind, allocs.direction) == (Kind.OTHER, "lower")


def test_google_benchmark_aggregates_only_uses_the_median() -> None:
    (metric,) = parse_file(FORMATS / "positive/google-benchmark/aggregates-only.json").metrics
    assert (metric.name, metric.value, metric.samples) == ("BM_Dequant/4096", 12.4e6, ())


def test_google_benchmark_old_style_aggregate_names(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    entries = [
        {"name": "BM_X", "iterations": 10, "real_time": t, "cpu_time": t, "time_unit": "ns"}
        for t in (10.0, 12.0, 11.0)
    ] + [
        {
            "name": "BM_X_mean",
            "iterations": 3,
            "real_time": 11.0,
            "cpu_time": 11.0,
            "time_unit": "ns",
        }
    ]
    path.write_text(
        json.dumps({"context": {"library_build_type": "release"}, "benchmarks": entries})
    )
    (metric,) = parse_file(path).metrics
    assert (metric.name, metric.value, metric.samples) == ("BM_X", 11.0, (10.0, 12.0, 11.0))


def test_google_benchmark_error_fails_the_gate_and_keeps_the_others() -> None:
    result = parse_file(FORMATS / "failing/google-benchmark/bench-error.json")
    assert [m.name for m in result.metrics] == ["BM_Cpu_Gemm/1024"]
    (finding,) = result.findings
    assert (finding.code, finding.severity) == ("bench-error", "fail")
    assert "BM_Cuda_Gemm/1024" in finding.message and "out of memory" in finding.message


def test_pytest_benchmark_median_and_raw_data() -> None:
    short, detok = parse_file(FORMATS / "positive/pytest-benchmark/tokenizer.json").metrics
    assert short.name == "tests/bench/test_tokenizer.py::test_tokenize[short]"
    assert short.value == pytest.approx(122000.0)
    assert short.samples == pytest.approx((122000.0, 118000.0, 131000.0, 120000.0, 125000.0))
    assert dict(short.meta) == {"rounds": "5", "iterations": "1", "ops": "8116.88"}
    assert detok.value == pytest.approx(25800.0) and detok.samples == ()


def test_pyperf_values_of_every_run_are_samples_and_warmups_are_not() -> None:
    timing, memory = parse_file(FORMATS / "positive/pyperf/tokenizer.json").metrics
    assert timing.name == "tokenize_short"
    assert timing.samples == pytest.approx((121e3, 123e3, 122e3, 120e3, 125e3, 119e3))
    assert timing.value == pytest.approx(121.5e3)
    assert (timing.unit, timing.kind, dict(timing.meta)) == ("ns", Kind.TIMING, {"loops": "512"})
    assert (memory.name, memory.unit, memory.kind) == ("model_rss", "MB", Kind.MEMORY)
    assert memory.samples == pytest.approx((52.4288, 53.477376))


def test_pyperf_gzip_and_the_old_perf_format() -> None:
    loads, regex = parse_file(FORMATS / "positive/pyperf/perf09-suite.json.gz").metrics
    assert loads.name == "json_loads" and len(loads.samples) == 6
    assert loads.value == pytest.approx(39.95e3)
    assert regex.samples == pytest.approx((311e3, 309e3, 315e3))


def test_a_corrupt_gzip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "results.json.gz"
    path.write_bytes(gzip.compress(b'{"version": "1.0", "benchmarks": []}')[:20])
    with pytest.raises(InputError, match="corrupt gzip"):
        parse_file(path, "pyperf")


def test_bencher_metric_format_measures() -> None:
    metrics = {m.name: m for m in parse_file(FORMATS / "positive/bencher-bmf/bmf.json").metrics}
    latency = metrics["bitnet::i2s_gemv/2048"]
    assert (latency.value, latency.lower, latency.upper) == (1437378.2, 1421004.0, 1452990.5)
    assert (latency.unit, latency.kind) == ("ns", Kind.TIMING)
    rate = metrics["bitnet::i2s_gemv/2048 throughput"]
    assert (rate.unit, rate.direction) == ("ops/s", "higher")
    size = metrics["bitnet::load_gguf file-size"]
    assert (size.value, size.unit, size.kind) == (pytest.approx(1209.008128), "MB", Kind.MEMORY)
    count = metrics["bitnet::load_gguf instructions"]
    assert (count.unit, count.kind, count.direction) == ("count", Kind.OTHER, "lower")


def _hyperfine_result(command: str, times: list[float], exit_codes: list[int | None]) -> dict:
    """One entry in hyperfine 1.15's ``--export-json`` shape (``-i`` keeps failing runs)."""
    ordered = sorted(times)
    return {
        "command": command,
        "mean": sum(times) / len(times),
        "stddev": 0.0001,
        "median": ordered[len(ordered) // 2],
        "user": 0.0006,
        "system": 0.0,
        "min": ordered[0],
        "max": ordered[-1],
        "times": times,
        "exit_codes": exit_codes,
    }


def test_hyperfine_commands_that_exited_non_zero_are_blocking_findings(tmp_path: Path) -> None:
    # issue 13.2: `hyperfine -i` records failing runs; timing a command that failed
    # measures nothing, so the gate must not pass it silently.
    path = tmp_path / "hyperfine.json"
    results = [
        _hyperfine_result("false", [0.0013, 0.0032, 0.0007], [1, 1, 1]),
        _hyperfine_result("./flaky", [0.0021, 0.0020, 0.0022], [0, 2, 0]),
        _hyperfine_result("true", [0.0007, 0.0006, 0.0006], [0, 0, 0]),
        _hyperfine_result("./hang", [0.0031, 0.0030, 0.0032], [None, 3, 0]),
    ]
    path.write_text(json.dumps({"results": results}))
    parsed = parse_file(path)
    assert [m.name for m in parsed.metrics] == ["false", "./flaky", "true", "./hang"]
    assert [(f.severity, f.code) for f in parsed.findings] == [("fail", "command-failed")] * 3
    assert "'false' exited non-zero in 3 of 3 runs (exit code 1)" in parsed.findings[0].message
    assert "'./flaky' exited non-zero in 1 of 3 runs (exit code 2)" in parsed.findings[1].message
    assert "in 2 of 3 runs (exit code 3; killed by a signal)" in parsed.findings[2].message


def _gbench_repetition(real_ns: float, cpu_ns: float, iterations: int) -> dict:
    """One ``run_type: iteration`` entry as Google Benchmark 1.7 writes it, with the
    counters of ``Counter(n, kIsRate)``, ``Counter(k, kIsIterationInvariantRate)``, a
    plain counter, and ``SetBytesProcessed``. JSON carries no counter flags."""
    seconds = cpu_ns * 1e-9
    return {
        "name": "BM_work",
        "family_index": 0,
        "per_family_instance_index": 0,
        "run_name": "BM_work",
        "run_type": "iteration",
        "repetitions": 3,
        "repetition_index": 0,
        "threads": 1,
        "iterations": iterations,
        "real_time": real_ns,
        "cpu_time": cpu_ns,
        "time_unit": "ns",
        "bytes_per_second": 8000.0 / seconds,
        "elements": 1000.0 / seconds,  # kIsRate of iterations * 1000: no name says so
        "invariant": 1000.0 / seconds,  # kIsIterationInvariantRate of 1000
        "total_rate": 5.0 / (seconds * iterations),  # kIsRate of a constant 5
        "plain": 42.0,
        "allocs": 3.0 + iterations % 2,
    }


def test_google_benchmark_rate_counters_are_higher_is_better(tmp_path: Path) -> None:
    # issue 13.6: kIsRate counters (printed 1.22G/s on the console) were lower-is-better,
    # so a 2x slowdown read as "improved -50 %". JSON has no flags; a rate counter is one
    # whose value times the run's time is the same in every repetition.
    path = tmp_path / "gbench.json"
    reps = [
        _gbench_repetition(9632.7, 2712.15, 5004),
        _gbench_repetition(11448.1, 2708.02, 5004),
        _gbench_repetition(10011.9, 2741.77, 4987),
    ]
    path.write_text(json.dumps({"context": {"library_build_type": "release"}, "benchmarks": reps}))
    metrics = {m.name: m for m in parse_file(path).metrics}
    directions = {name: m.direction for name, m in metrics.items()}
    assert directions == {
        "BM_work": "lower",
        "BM_work bytes_per_second": "higher",
        "BM_work elements": "higher",
        "BM_work invariant": "higher",
        "BM_work total_rate": "higher",
        "BM_work plain": "lower",
        "BM_work allocs": "lower",
    }
    assert metrics["BM_work elements"].kind is Kind.THROUGHPUT
    assert metrics["BM_work elements"].unit == "/s"


def test_google_benchmark_counters_named_as_rates_are_higher_is_better(tmp_path: Path) -> None:
    path = tmp_path / "gbench.json"
    (entry,) = [_gbench_repetition(9632.7, 2712.15, 5004)]
    entry["rate"] = entry.pop("elements")
    entry["bandwidth"] = entry.pop("invariant")
    path.write_text(
        json.dumps({"context": {"library_build_type": "release"}, "benchmarks": [entry]})
    )
    directions = {m.name: m.direction for m in parse_file(path).metrics}
    assert directions["BM_work rate"] == directions["BM_work bandwidth"] == "higher"
