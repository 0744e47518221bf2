"""Derived metrics: ratios of two measured metrics (SIMD over scalar...), judged alone."""

from __future__ import annotations

import random

import pytest

from perf_gate.core.config import config_from_mapping
from perf_gate.core.errors import ConfigError
from perf_gate.core.model import Kind, Metric, RunSet
from perf_gate.judge.derived import derive
from perf_gate.judge.verdict import Status
from perf_gate.report.finalize import evaluate

AVX2 = "simd_comparison/i2s_dequantize_avx2/65536"
SCALAR = "simd_comparison/i2s_dequantize_scalar/65536"
DEFAULT = config_from_mapping({})


def timing(name: str, centre: float, n: int = 0, seed: int = 1, **kw: object) -> Metric:
    rng = random.Random(seed)
    samples = tuple(centre * (1 + rng.gauss(0, 0.01)) for _ in range(n))
    return Metric(name, centre, "ns", Kind.TIMING, "lower", samples=samples, **kw)  # type: ignore[arg-type]


def derived_rows(current: RunSet, baselines: list[RunSet], config=DEFAULT):
    report = evaluate(current, baselines, config)
    return [row for row in report.rows if row.metric.kind is Kind.DERIVED], report


def test_avx2_falling_back_to_scalar_speed_fails_naming_both_and_the_speedups() -> None:
    base = RunSet((timing(AVX2, 152_000, 30, 1), timing(SCALAR, 611_000, 30, 2)))
    # each row moves only within what its own tolerance would have to catch: the AVX2 row
    # at scalar speed is the point, the derived row must fail whatever AVX2's own row says
    cur = RunSet((timing(AVX2, 608_000, 30, 3), timing(SCALAR, 611_000, 30, 4)))
    (row,), report = derived_rows(cur, [base])
    assert row.status is Status.FAIL
    assert row.method == "samples" and row.interval_pct is not None
    assert AVX2 in row.explanation and SCALAR in row.explanation
    assert "4.02× in the baseline, 1.00× now" in row.explanation
    assert report.decision.status == "fail"
    (entry,) = [m for m in report.receipt["metrics"] if m["kind"] == "derived"]
    assert entry["status"] == "fail" and entry["unit"] == "×"


def test_speedup_kept_passes_with_an_interval() -> None:
    base = RunSet((timing(AVX2, 152_000, 30, 1), timing(SCALAR, 611_000, 30, 2)))
    cur = RunSet((timing(AVX2, 153_000, 30, 3), timing(SCALAR, 611_000, 30, 4)))
    (row,), _ = derived_rows(cur, [base])
    assert row.status is Status.PASS and row.method == "samples"


def test_slow_erosion_is_caught_by_a_configured_floor_without_a_baseline() -> None:
    config = config_from_mapping(
        {
            "derived": [
                {
                    "name": "dequantize speedup",
                    "numerator": "simd_comparison/*_avx2/*",
                    "denominator": "simd_comparison/*_scalar/*",
                    "floor": 2,
                }
            ]
        }
    )
    cur = RunSet((timing(AVX2, 400_000), timing(SCALAR, 611_000)))
    (row,), _ = derived_rows(cur, [], config)
    assert row.status is Status.FAIL
    assert "below the floor of 2×" in row.explanation
    assert row.metric.name.startswith("dequantize speedup: ")
    assert row.threshold.describe() == "≥2×"


def test_configured_entry_replaces_the_built_in_pair() -> None:
    config = config_from_mapping(
        {"derived": [{"numerator": AVX2, "denominator": SCALAR, "tolerance": 1}]}
    )
    run = derive(RunSet((timing(AVX2, 150.0), timing(SCALAR, 600.0))), config)
    derived = [m for m in run.metrics if m.kind is Kind.DERIVED]
    assert len(derived) == 1 and derived[0].value == pytest.approx(4.0)
    assert dict(derived[0].meta)["tolerance"] == "1"


def test_built_in_pairs() -> None:
    def tok(name: str, value: float, device: str) -> Metric:
        return Metric(name, value, "tok/s", Kind.INFERENCE, "higher", device=device)  # type: ignore[arg-type]

    run = RunSet(
        (
            timing("matmul_bf16", 50.0),
            timing("matmul_fp32", 100.0),
            timing("crossval/rust/decode", 90.0),
            timing("crossval/cpp/decode", 100.0),
            tok("inference", 200.0, "gpu"),
            tok("inference", 50.0, "cpu"),
            timing("neon_only", 10.0),  # no scalar twin: nothing derived
            Metric(AVX2 + " throughput", 4.0, "elem/s", Kind.THROUGHPUT, "higher"),
            Metric(SCALAR + " throughput", 1.0, "elem/s", Kind.THROUGHPUT, "higher"),
            timing(AVX2, 1.0),
            timing(SCALAR, 4.0),
            # throughputs measured as such (no timing they restate) pair up too
            Metric("crossval throughput rust", 45.0, "tok/s", Kind.THROUGHPUT, "higher"),
            Metric("crossval throughput cpp", 36.0, "tok/s", Kind.THROUGHPUT, "higher"),
        )
    )
    derived = {m.name: m.value for m in derive(run, DEFAULT).metrics if m.kind is Kind.DERIVED}
    assert derived == {
        "Rust/C++ ratio: crossval throughput rust vs crossval throughput cpp": pytest.approx(1.25),
        "precision speedup: matmul_bf16 vs matmul_fp32": pytest.approx(2.0),
        "Rust/C++ ratio: crossval/rust/decode vs crossval/cpp/decode": pytest.approx(100 / 90),
        "GPU speedup: inference (gpu) vs inference (cpu)": pytest.approx(4.0),
        f"SIMD speedup: {AVX2} vs {SCALAR}": pytest.approx(4.0),
    }


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"numerator": "a", "denominator": "b"}, "derived"),
        ({"numerator": "a", "floor": 2}, "denominator"),
        ({"numerator": "a", "denominator": "b", "floor": 0}, "floor"),
        ({"numerator": "a", "denominator": "b", "floor": 2, "bogus": 1}, "bogus"),
    ],
)
def test_bad_derived_entries_are_config_errors(entry: dict, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        config_from_mapping({"derived": [entry]})
    assert expected in str(info.value)


def test_build_time_above_the_share_of_the_ci_timeout_fails_however_small_the_change() -> None:
    config = config_from_mapping({"gate": {"ci_timeout": "60m", "ci_timeout_share": 75}})
    build = Metric("build time", 50 * 60e9, "ns", Kind.BUILD_TIME, "lower")
    before = Metric("build time", 49 * 60e9, "ns", Kind.BUILD_TIME, "lower")
    (row,) = evaluate(RunSet((build,)), [RunSet((before,))], config).rows
    assert row.status is Status.FAIL
    assert "above the ceiling of 2,700 s" in row.explanation
    assert evaluate(RunSet((build,)), [RunSet((before,))], DEFAULT).rows[0].status is Status.PASS


def test_a_ceiling_may_be_a_duration() -> None:
    config = config_from_mapping({"policies": [{"kind": "test_time", "ceiling": "45m"}]})
    tests = Metric("test time", 46 * 60e9, "ns", Kind.TEST_TIME, "lower")
    (row,) = evaluate(RunSet((tests,)), [], config).rows
    assert row.status is Status.FAIL and row.threshold.describe() == "±10%, ≤2,700 s"


@pytest.mark.parametrize(
    "name",
    [
        "tests/test_suite.py::test_bench[00001]",
        "matmul_avx2",
        "matmul-AVX512/1024",
        "matmulavx2",  # inside a word: no token
        "conv_FP16",
        "Rust_sort",
        "trusty",  # "rust" inside a word
        "ruſt_sort",  # the long s matches "s" case-blind: not ASCII, the full search decides
        "neon\u212a",  # a Kelvin sign after the token (a letter to the full search)
        "café_neon",
        "",
    ],
)
def test_the_quick_token_check_answers_as_the_full_search(name: str) -> None:
    from perf_gate.judge import derived

    assert derived._has_fast_token(name) == (derived._ANY_FAST.search(name) is not None)
