"""cargo bench logs: libtest ``bench:`` lines and criterion's terminal output."""

from __future__ import annotations

from pathlib import Path

import pytest

from perf_gate.core.errors import InputError
from perf_gate.core.model import Kind
from perf_gate.inputs.parsers import parse_file
from perf_gate.inputs.parsers.cargo_bench import target_name

FORMATS = Path(__file__).resolve().parents[2] / "fixtures" / "formats"


def test_libtest_lines_of_several_targets_with_thousands_separators() -> None:
    metrics = parse_file(FORMATS / "positive/cargo-bench/cpu-bench.log").metrics
    assert [(m.name, m.value, m.unit) for m in metrics] == [
        ("cpu::bench_i2s_gemv_256", 12480.0, "ns"),
        ("cpu::bench_i2s_gemv_1024", 187211.0, "ns"),
        ("quantize::cpu::bench_i2s_gemv_256", 13002.5, "ns"),
        ("tl1_lookup_table", 845.0, "ns"),
    ]
    first = metrics[0]
    assert first.kind is Kind.TIMING and first.direction == "lower"
    assert first.device == "cpu"  # from the name cpu-bench.log
    assert dict(first.meta) == {"target": "bitnet_kernels", "spread": "310"}
    assert dict(metrics[2].meta) == {"target": "quantize", "spread": "402.75"}


def test_libtest_units_other_than_ns() -> None:
    metrics = {m.name: m for m in parse_file(FORMATS / "positive/cargo-bench/units.log").metrics}
    cycles = metrics["rdtsc_i2s_dot"]
    assert (cycles.value, cycles.unit, cycles.kind, cycles.direction) == (
        4120.0,
        "cycles/iter",
        Kind.OTHER,
        "lower",
    )
    micro = metrics["tl2_unpack"]
    assert (micro.value, micro.unit, dict(micro.meta)["spread"]) == (3200.0, "ns", "100")
    rate = metrics["stream_weights"]
    assert (rate.value, rate.unit, rate.kind, rate.direction) == (
        2450.0,
        "MB/s",
        Kind.THROUGHPUT,
        "higher",
    )


def test_a_failed_benchmark_is_a_finding_with_its_panic() -> None:
    path = FORMATS / "failing/cargo-bench/bench-failed.log"
    result = parse_file(path)
    assert [m.name for m in result.metrics] == ["bench_i2s_gemv", "bench_tl1_gemv"]
    (finding,) = result.findings
    assert finding.severity == "fail" and finding.code == "bench-failed"
    assert "bench_tl2_gemv FAILED" in finding.message
    assert "assertion failed: lut.len() == 16" in finding.message
    assert "kernels.rs:88:9" in finding.message


def test_bench_failed_without_any_result_is_still_read_as_a_failure(tmp_path: Path) -> None:
    log = tmp_path / "bench.log"
    log.write_text("running 1 test\n\nerror: bench failed, to rerun pass `--bench kernels`\n")
    (finding,) = parse_file(log).findings
    assert finding.code == "bench-failed" and "line 3" in finding.message


@pytest.mark.parametrize(
    ("running", "target"),
    [
        ("benches/name.rs (/oath/to/target/release/deps/name-hash)", "name"),
        ("(target/release/deps/log4rs_bench-f36c88332bd25d23)", "log4rs_bench"),
        ("src/lib.rs (target/release/deps/bitnet_kernels-3f2a9c1d5e7b8a60)", "bitnet_kernels"),
        ("target/release/deps/foo-0123456789abcdef", "foo"),
    ],
)
def test_the_target_of_a_running_line(running: str, target: str) -> None:
    assert target_name(running) == target


def test_criterion_output_with_wrapped_names_throughput_and_changes() -> None:
    metrics = parse_file(FORMATS / "positive/criterion-log/cpu-bench.log").metrics
    by_name = {m.name: m for m in metrics}
    assert list(by_name) == [
        "quantization_sizes/I2S_quantize/1024",
        "quantization_sizes/I2S_quantize/1024 throughput",
        "quantization_sizes/TL1_quantize/4096",
        "quantization_sizes/TL1_quantize/4096 throughput",
        "weights_load",
        "weights_load throughput",
        "kv_cache/append",
    ]
    i2s = by_name["quantization_sizes/I2S_quantize/1024"]
    assert (i2s.value, i2s.lower, i2s.upper) == pytest.approx((19402.0, 19118.0, 19731.0))
    assert (i2s.unit, i2s.kind, i2s.device, i2s.format) == (
        "ns",
        Kind.TIMING,
        "cpu",
        "criterion-log",
    )
    assert dict(i2s.meta) == {"change": "-0.4411%", "p": "0.62", "verdict": "no change"}
    thrpt = by_name["quantization_sizes/I2S_quantize/1024 throughput"]
    assert (thrpt.value, thrpt.unit, thrpt.direction) == (
        pytest.approx(52.778e6),
        "elem/s",
        "higher",
    )
    assert dict(by_name["quantization_sizes/TL1_quantize/4096"].meta)["verdict"] == "regressed"
    load = by_name["weights_load throughput"]
    assert load.value == pytest.approx(825.61 * 1024**2) and load.unit == "B/s"
    assert by_name["weights_load"].value == pytest.approx(1.2113e6)
    append = by_name["kv_cache/append"]
    assert dict(append.meta) == {"change": "-8.9953%", "p": "0.00", "verdict": "improved"}


def test_a_criterion_log_with_libtest_lines_reads_both() -> None:
    result = parse_file(FORMATS / "positive/criterion-log/mixed.log")
    assert [(m.name, m.value) for m in result.metrics] == [
        ("inference/decode_token", pytest.approx(22.212e6)),
        ("simd::bench_dot_avx2", 512.0),
    ]
    assert {m.format for m in result.metrics} == {"criterion-log"}


def test_a_panic_names_the_benchmark_criterion_was_running() -> None:
    result = parse_file(FORMATS / "failing/criterion-log/bench-panicked.log")
    assert [m.name for m in result.metrics] == ["mixed_precision/fp16_gemm/1024"]
    (finding,) = result.findings
    assert finding.code == "bench-panicked"
    assert finding.message.startswith("benchmark mixed_precision/bf16_gemm/1024 panicked at")
    assert "no kernel image is available" in finding.message


def test_a_name_repeated_by_another_target_is_qualified(tmp_path: Path) -> None:
    log = tmp_path / "gpu-bench.log"
    log.write_text(
        "     Running benches/a.rs (target/release/deps/a-0123456789abcdef)\n"
        "gemm                    time:   [1.0 ms 1.1 ms 1.2 ms]\n"
        "     Running benches/b.rs (target/release/deps/b-0123456789abcdef)\n"
        "gemm                    time:   [2.0 ms 2.1 ms 2.2 ms]\n"
    )
    metrics = parse_file(log).metrics
    assert [(m.name, m.device) for m in metrics] == [("gemm", "gpu"), ("b::gemm", "gpu")]


def test_terminal_colours_do_not_hide_results(tmp_path: Path) -> None:
    log = tmp_path / "bench.log"
    log.write_text(
        "\x1b[1mkv_cache/append\x1b[0m         time:   "
        "[412.50 ns \x1b[1m415.02 ns\x1b[0m 417.91 ns]\n"
    )
    (metric,) = parse_file(log).metrics
    assert (metric.name, metric.value) == ("kv_cache/append", 415.02)


def test_a_time_line_without_any_name_is_an_error_with_its_line(tmp_path: Path) -> None:
    log = tmp_path / "bench.log"
    log.write_text("                        time:   [1.0 ms 1.1 ms 1.2 ms]\n")
    with pytest.raises(InputError) as caught:
        parse_file(log, "criterion-log")
    assert caught.value.where == "line 1"


def test_libtest_throughput_lines_give_a_timing_and_a_throughput(tmp_path: Path) -> None:
    # issue 13.4: `b.bytes = N` makes libtest append `= N MB/s`; the log was refused.
    log = tmp_path / "bench.log"
    log.write_text(
        "\nrunning 3 tests\n"
        "test bench_plain      ... bench:         845.00 ns/iter (+/- 12.50)\n"
        "test bench_work_bytes ... bench:       3,695.30 ns/iter (+/- 189.03) = 1108 MB/s\n"
        "test bench_int_bytes  ... bench:       3,695 ns/iter (+/- 189) = 1108 MB/s\n"
        "\ntest result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 3 filtered out\n"
    )
    metrics = {m.name: m for m in parse_file(log).metrics}
    assert list(metrics) == [
        "bench_plain",
        "bench_work_bytes",
        "bench_work_bytes throughput",
        "bench_int_bytes",
        "bench_int_bytes throughput",
    ]
    timing = metrics["bench_work_bytes"]
    assert (timing.value, timing.unit, timing.direction) == (3695.30, "ns", "lower")
    assert dict(timing.meta)["spread"] == "189.03"
    assert metrics["bench_int_bytes"].value == 3695.0
    rate = metrics["bench_int_bytes throughput"]
    assert (rate.value, rate.unit, rate.kind, rate.direction) == (
        1108.0,
        "MB/s",
        Kind.THROUGHPUT,
        "higher",
    )
