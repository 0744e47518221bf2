"""A CI workspace in one call: every format found, build caches skipped, each measurement once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from perf_gate.core.errors import InputError
from perf_gate.core.model import Kind, Metric, ParseResult
from perf_gate.inputs.parsers import merge, parse_path, scan_directory

FORMATS = Path(__file__).resolve().parents[2] / "fixtures" / "formats"
WORKSPACE = FORMATS / "workspace"


def test_a_ci_workspace_ingests_in_one_call() -> None:
    result = parse_path(WORKSPACE)
    metrics = {m.label: m for m in result.metrics}
    assert set(metrics) == {
        "quantization_sizes/I2S_quantize/1024 (cpu)",
        "quantization_sizes/I2S_quantize/1024 throughput (cpu)",
        "simd::bench_dot_avx2 (cpu)",
        "inference (cpu)",
        "inference prefill latency (cpu)",
        "peak_rss",
        "kv cache",
    }
    assert not result.findings
    formats = {Path(f.path).name: f.format for f in result.files}
    assert formats["cpu-bench.log"] == "criterion-log"
    assert formats["inference.json"] == "bitnet-receipt"
    assert formats["crossval-perf.json"] == "xtask-benchmark"
    assert formats["memory-usage.txt"] == "memory-usage"
    assert formats["sample.json"] == "criterion"


def test_the_tree_wins_over_the_log_for_the_same_benchmark_and_takes_its_device() -> None:
    result = parse_path(WORKSPACE)
    timing = next(m for m in result.metrics if m.name == "quantization_sizes/I2S_quantize/1024")
    assert (timing.format, timing.device, len(timing.samples)) == ("criterion", "cpu", 10)


def test_the_same_tok_s_in_the_report_and_its_receipt_is_one_metric() -> None:
    inference = [m for m in parse_path(WORKSPACE).metrics if m.name == "inference"]
    assert len(inference) == 1 and inference[0].value == 45.2


def test_build_caches_binaries_and_other_files_are_not_read() -> None:
    scan = scan_directory(WORKSPACE)
    read = {sniff.path.name for _, sniff in scan.files}
    assert "bitnet-cli" not in read and "CACHEDIR.TAG" not in read
    assert [p.name for p in scan.ignored] == ["README.md"]


def test_a_binary_file_outside_a_cache_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "a.out").write_bytes(b"\x7fELF\x00test x ... bench: 1 ns/iter (+/- 0)\n")
    (tmp_path / "bench.log").write_text("test y ... bench: 2 ns/iter (+/- 0)\n")
    assert [m.name for m in parse_path(tmp_path).metrics] == ["y"]


def test_a_folder_without_results_says_what_it_looked_at(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("nothing to see\n")
    with pytest.raises(InputError, match=r"no benchmark results found .*notes\.txt"):
        parse_path(tmp_path)


def test_logs_of_two_devices_keep_their_own_rows(tmp_path: Path) -> None:
    shutil.copytree(WORKSPACE / "target", tmp_path / "target")
    log = (WORKSPACE / "cpu-bench.log").read_text()
    (tmp_path / "cpu-bench.log").write_text(log)
    (tmp_path / "gpu-bench.log").write_text(log)
    labels = sorted(
        m.label
        for m in parse_path(tmp_path).metrics
        if m.name == "quantization_sizes/I2S_quantize/1024"
    )
    assert labels == [
        "quantization_sizes/I2S_quantize/1024",
        "quantization_sizes/I2S_quantize/1024 (cpu)",
        "quantization_sizes/I2S_quantize/1024 (gpu)",
    ]


def _metric(value: float, source: str) -> Metric:
    return Metric("inference", value, "tok/s", Kind.INFERENCE, "higher", "cpu", source=source)


def test_merge_keeps_different_values_for_the_caller_to_refuse() -> None:
    merged = merge(
        [
            ParseResult(metrics=(_metric(45.2, "a.json"),)),
            ParseResult(metrics=(_metric(45.2, "b.json"),)),
            ParseResult(metrics=(_metric(44.0, "c.json"),)),
        ]
    )
    assert [m.source for m in merged.metrics] == ["a.json", "c.json"]


def test_forcing_a_format_on_a_folder_reads_every_file_as_that_format(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps([{"name": "x", "value": 1.0, "unit": "ms"}]))
    (tmp_path / "b.json").write_text(json.dumps({"not": "custom"}))
    with pytest.raises(InputError) as caught:
        parse_path(tmp_path, "custom")
    assert caught.value.path == str(tmp_path / "b.json")


def test_merge_leaves_a_repeat_within_one_file_to_the_caller() -> None:
    twice = ParseResult(metrics=(_metric(45.2, "a.json"), _metric(45.2, "a.json")))
    assert len(merge([twice]).metrics) == 2
