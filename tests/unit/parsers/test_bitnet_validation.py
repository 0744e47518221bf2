"""BitNet.rs's Rust vs C++ validation report: each side a metric, their ratio a derived row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perf_gate.core.config import config_from_mapping
from perf_gate.core.errors import InputError
from perf_gate.core.model import Kind
from perf_gate.inputs.runs import load_run
from perf_gate.judge.verdict import Status
from perf_gate.report.finalize import evaluate

FIXTURE = (
    Path(__file__).resolve().parents[2]
    / "fixtures/formats/positive/bitnet-validation/crossval-perf.json"
)
RATIO = "Rust/C++ ratio: crossval throughput rust vs crossval throughput cpp"


def report(tmp_path: Path, name: str, rust: float, cpp: float, **changes: object) -> Path:
    doc = json.loads(FIXTURE.read_text())
    doc["performance"].update(rust_tokens_per_sec=rust, cpp_tokens_per_sec=cpp)
    doc.update(changes)
    path = tmp_path / name / "crossval-perf.json"
    path.parent.mkdir()
    path.write_text(json.dumps(doc))
    return path


def test_each_side_is_a_metric_named_for_it() -> None:
    run = load_run([FIXTURE], None)
    values = {m.name: (m.value, m.unit, m.kind) for m in run.metrics}
    assert values["crossval throughput rust"] == (45.2, "tok/s", Kind.THROUGHPUT)
    assert values["crossval throughput cpp"] == (38.6, "tok/s", Kind.THROUGHPUT)
    assert values["crossval first token latency cpp"] == (47_900_000.0, "ns", Kind.LATENCY)
    assert values["crossval peak memory rust"] == (1402.1, "MB", Kind.MEMORY)
    assert len(values) == 10 and not run.findings


def test_rust_losing_ground_on_cpp_fails_the_ratio_while_its_own_row_passes(
    tmp_path: Path,
) -> None:
    base = load_run([report(tmp_path, "base", 45.2, 38.6)], None, role="baseline")
    # Rust 4 % slower (inside its ±5 %), C++ 8 % faster on the same machine: Rust's lead
    # over the reference shrank by 11 %
    cur = load_run([report(tmp_path, "cur", 43.4, 41.7)], None)
    result = evaluate(cur, [base], config_from_mapping({}))
    rows = {r.metric.name: r for r in result.rows}
    assert rows["crossval throughput rust"].status is Status.PASS
    ratio = rows[RATIO]
    assert ratio.metric.kind is Kind.DERIVED and ratio.status is Status.FAIL
    assert "1.17× in the baseline, 1.04× now" in ratio.explanation
    assert result.decision.status == "fail"


def test_the_speedup_floor_of_bitnet_rs_can_be_configured(tmp_path: Path) -> None:
    config = config_from_mapping(
        {
            "derived": [
                {
                    "name": "Rust/C++ speedup",
                    "numerator": "crossval throughput rust",
                    "denominator": "crossval throughput cpp",
                    "floor": 0.8,
                }
            ]
        }
    )
    cur = load_run([report(tmp_path, "cur", 30.0, 40.0)], None)
    result = evaluate(cur, [], config)
    (row,) = [
        r for r in result.rows if r.metric.kind is Kind.DERIVED and "throughput" in r.metric.name
    ]
    assert row.status is Status.FAIL and row.current is not None and row.current.value == 0.75


def test_a_cpp_side_that_did_not_load_is_left_out_with_a_warning(tmp_path: Path) -> None:
    path = report(
        tmp_path,
        "xfail",
        45.2,
        0.0,
        cpp_load={"success": False, "load_time_ms": 3.0, "error": "unsupported GGUF v3 variant"},
        status="XFail",
    )
    run = load_run([path], None)
    assert all(m.name.endswith(" rust") for m in run.metrics)
    (finding,) = run.findings
    assert finding.severity == "warn" and finding.code == "cpp-not-loaded"
    assert "unsupported GGUF v3 variant" in finding.message


def test_a_malformed_report_names_the_json_path(tmp_path: Path) -> None:
    path = report(tmp_path, "bad", 45.2, 38.6)
    doc = json.loads(path.read_text())
    doc["memory"]["cpp_peak_mb"] = -1
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError) as caught:
        load_run([path], None)
    assert caught.value.where == "$.memory.cpp_peak_mb"
