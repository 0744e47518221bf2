"""GNU time, memory-usage.txt, accuracy and crossval text, gungraun output."""

from __future__ import annotations

from pathlib import Path

import pytest

from perf_gate.core.errors import InputError
from perf_gate.core.model import Kind
from perf_gate.inputs.parsers import parse_file
from perf_gate.inputs.parsers.gnu_time import program_of, seconds

FORMATS = Path(__file__).resolve().parents[2] / "fixtures" / "formats"


def test_gnu_time_peak_memory_and_wall_time_of_the_program() -> None:
    memory, wall = parse_file(FORMATS / "positive/gnu-time/time-v.txt").metrics
    assert memory.name == "peak memory (bitnet-cli)"
    assert (memory.value, memory.unit, memory.kind) == (
        pytest.approx(2106.064896),
        "MB",
        Kind.MEMORY,
    )
    assert wall.name == "wall time (bitnet-cli)" and wall.value == pytest.approx(2.91e9)


def test_gnu_time_of_a_failed_command() -> None:
    result = parse_file(FORMATS / "failing/gnu-time/command-failed.txt")
    assert [m.name for m in result.metrics] == [
        "peak memory (cargo bench)",
        "wall time (cargo bench)",
    ]
    assert result.metrics[1].value == pytest.approx(112.07e9)
    (finding,) = result.findings
    assert finding.message == "cargo bench exited with status 101"


def test_gnu_time_blocks_of_the_same_program_are_numbered(tmp_path: Path) -> None:
    block = (
        '\tCommand being timed: "./bitnet-cli run"\n\tMaximum resident set size (kbytes): 1000\n'
    )
    path = tmp_path / "time.txt"
    path.write_text(block + block)
    assert [m.name for m in parse_file(path).metrics] == [
        "peak memory (bitnet-cli)",
        "peak memory (bitnet-cli #2)",
    ]


@pytest.mark.parametrize(
    ("command", "program"),
    [
        ("target/release/bitnet-cli run --model m.gguf", "bitnet-cli"),
        ("cargo +nightly bench --features gpu", "cargo bench"),
        ("python3 -c 'print(1)'", "python3"),
        ("", "command"),
    ],
)
def test_the_program_of_a_timed_command(command: str, program: str) -> None:
    assert program_of(command) == program


@pytest.mark.parametrize(
    ("clock", "value"), [("0:02.91", 2.91), ("1:02:03", 3723.0), ("2 min", None)]
)
def test_elapsed_clock_times(clock: str, value: float | None) -> None:
    assert seconds(clock) == value


def test_memory_usage_lines_in_megabytes() -> None:
    metrics = {
        m.name: m.value
        for m in parse_file(FORMATS / "positive/memory-usage/memory-usage.txt").metrics
    }
    assert metrics == pytest.approx(
        {"peak_rss": 2106.4, "model weights": 1288.490189, "kv cache": 100.663296, "leaked": 0.0}
    )


def test_a_memory_leak_fails_the_gate() -> None:
    (finding,) = parse_file(FORMATS / "failing/memory-usage/memory-leak.txt").findings
    assert "leaked after 100 requests is 48 MB" in finding.message


def test_memory_names_given_twice_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "memory-usage.txt"
    path.write_text("peak: 1 MB\npeak: 2 MB\n")
    with pytest.raises(InputError) as caught:
        parse_file(path)
    assert caught.value.where == "line 2"


def test_accuracy_percentages_and_pass_fail_tests() -> None:
    metrics = {
        m.name: m
        for m in parse_file(FORMATS / "positive/accuracy-text/quantization-accuracy.txt").metrics
    }
    assert list(metrics) == [
        "I2S accuracy",
        "TL1 accuracy",
        "TL2 accuracy",
        "I2S CPU vs GPU accuracy",
    ]
    i2s = metrics["I2S accuracy"]
    assert (i2s.value, i2s.unit, i2s.kind, i2s.direction, i2s.passed) == (
        99.84,
        "%",
        Kind.ACCURACY,
        "higher",
        None,
    )
    test = metrics["I2S CPU vs GPU accuracy"]
    assert (test.passed, test.value, test.unit) == (True, 1.0, "")


def test_the_evidence_line_of_the_quantization_gate_reads_back() -> None:
    metrics = parse_file(FORMATS / "positive/accuracy-text/evidence-line.txt").metrics
    assert [(m.name, m.value) for m in metrics] == [
        ("I2S accuracy", 99.8),
        ("TL1 accuracy", 99.7),
        ("TL2 accuracy", 99.6),
    ]


def test_a_failed_accuracy_test(tmp_path: Path) -> None:
    path = tmp_path / "accuracy.txt"
    path.write_text("TL2: FAILED\n")
    (metric,) = parse_file(path).metrics
    assert (metric.name, metric.passed, metric.value) == ("TL2 accuracy", False, 0.0)


def test_crossval_parity_line() -> None:
    (metric,) = parse_file(FORMATS / "positive/crossval-text/crossval.log").metrics
    assert (metric.name, metric.kind, metric.value, metric.unit) == (
        "crossval parity",
        Kind.PARITY,
        100.0,
        "%",
    )
    assert (metric.passed, metric.tolerance) == (True, 1e-5)
    assert dict(metric.meta) == {"tests_passed": "12", "tests_total": "12"}


def test_crossval_parity_with_failures_and_another_label(tmp_path: Path) -> None:
    path = tmp_path / "crossval.txt"
    path.write_text("crossval: Rust vs Python: parity within 0.0001; 9/10 tests pass\n")
    (metric,) = parse_file(path).metrics
    assert metric.name == "crossval parity (Rust vs Python)"
    assert (metric.value, metric.passed, metric.tolerance) == (90.0, False, 1e-4)


def test_gungraun_counts_per_benchmark() -> None:
    metrics = {m.name: m for m in parse_file(FORMATS / "positive/gungraun/gungraun.log").metrics}
    assert len(metrics) == 12
    small = metrics["bitnet_kernels::i2s_group::i2s_dot small:256 Instructions"]
    assert (small.value, small.unit, small.kind) == (41820.0, "count", Kind.OTHER)
    assert (
        metrics["bitnet_kernels::i2s_group::i2s_dot large:4096 Estimated Cycles"].value == 878202.0
    )


def test_gnu_time_of_a_command_killed_by_a_signal(tmp_path: Path) -> None:
    path = tmp_path / "time.txt"
    path.write_text(
        "Command terminated by signal 9\n"
        '\tCommand being timed: "bitnet-cli run"\n'
        "\tMaximum resident set size (kbytes): 8000000\n"
        "\tExit status: 0\n"
    )
    (finding,) = parse_file(path).findings
    assert (finding.code, finding.message) == (
        "command-failed",
        "bitnet-cli was killed by signal 9",
    )
