"""Fallback timing when benchmark data is missing: method test_timing, own tolerances."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from perf_gate.cli import main
from perf_gate.core.config import config_from_mapping
from perf_gate.core.model import Kind
from perf_gate.core.model_json import metric_from_dict
from perf_gate.inputs.console import Console
from perf_gate.inputs.hardware import Hardware
from perf_gate.inputs.runner import execute

from .conftest import PY, write_script

CPU = Hardware(cpu_model="Test CPU", cores=2, simd=("avx2",))

CARGO_TEST = """\
import time
time.sleep(0.05)
print("running 12 tests")
print("test result: ok. 12 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; "
      "finished in 0.05s")
"""
CARGO_BUILD = """\
import os, time
time.sleep(0.05)
print("   Compiling bitnet-common v0.1.0")
os.makedirs("target/cargo-timings", exist_ok=True)
open("target/cargo-timings/cargo-timing.html", "w").write("<html></html>")
print("      Timing report saved to target/cargo-timings/cargo-timing.html")
print("    Finished `release` profile [optimized] target(s) in 0.05s")
"""


def config(tmp_path: Path, when: str = "missing", **extra: object) -> dict[str, object]:
    write_script(tmp_path / "cargo_test.py", CARGO_TEST)
    write_script(tmp_path / "cargo_build.py", CARGO_BUILD)
    write_script(tmp_path / "bench.py", "print('no benchmarks were built')\n")
    return {
        "benchmarks": [
            {"name": "cpu-bench", "command": f"{PY} bench.py", "results": "target/criterion"}
        ],
        "fallback": {
            "when": when,
            "commands": [
                {"command": f"{PY} cargo_build.py build --release --timings"},
                {"name": "test time", "command": f"{PY} cargo_test.py", "kind": "test_time"},
            ],
        },
        **extra,
    }


def run(tmp_path: Path, doc: dict[str, object], **kwargs: object) -> dict[str, object]:
    out = io.StringIO()
    manifest, _ = execute(
        config_from_mapping(doc),
        root=tmp_path,
        output_dir=tmp_path / "out",
        console=Console(stream=out, fold=False),
        hardware=CPU,
        environ=os.environ,
        **kwargs,  # type: ignore[arg-type]
    )
    (tmp_path / "out").mkdir(exist_ok=True)
    (tmp_path / "out" / "perf-run.json").write_text(json.dumps(manifest))
    manifest["console"] = out.getvalue()
    return manifest


def test_missing_results_run_the_fallback_and_time_it(tmp_path: Path) -> None:
    doc = run(tmp_path, config(tmp_path))
    assert doc["fallback_used"] is True
    metrics = {m["name"]: metric_from_dict(m) for m in doc["metrics"]}  # type: ignore[attr-defined]
    build, test = metrics["build time"], metrics["test time"]
    assert build.kind is Kind.BUILD_TIME and test.kind is Kind.TEST_TIME
    assert build.format == test.format == "test-timing"
    assert 0.04e9 < test.value < 5e9 and test.unit == "ns"
    assert doc["formats"] == ["test-timing"]
    assert doc["notes"] == [
        "Fallback used (no benchmark results from cpu-bench): build and test time were "
        "measured instead of benchmarks (method: test_timing)."
    ]
    kinds = {a["kind"] for a in doc["artifacts"]}  # type: ignore[attr-defined]
    assert "timings" in kinds
    assert "benchmark data missing (no benchmark results from cpu-bench)" in str(doc["console"])


def test_fallback_is_judged_with_its_own_tolerance(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = run(tmp_path, config(tmp_path))
    current = {m["name"]: m["value"] for m in doc["metrics"]}  # type: ignore[attr-defined]
    store = {
        "perf_gate_baseline": 1,
        "commit": "b" * 40,
        "created_at": "2030-01-01T00:00:00Z",
        "metrics": [
            # +5.3 %: inside the ±10 % of build and test time (the generic ±5 % would fail it)
            {
                "name": "test time",
                "value": current["test time"] / 1.053,
                "unit": "ns",
                "kind": "test_time",
                "direction": "lower",
                "device": "cpu",
                "format": "test-timing",
            },
            # +50 %: a build-time regression
            {
                "name": "build time",
                "value": current["build time"] / 1.5,
                "unit": "ns",
                "kind": "build_time",
                "direction": "lower",
                "device": "cpu",
                "format": "test-timing",
            },
        ],
    }
    (tmp_path / "baseline.json").write_text(json.dumps(store))
    code = main(
        [
            "finalize",
            "--current",
            str(tmp_path / "out" / "perf-run.json"),
            "--baseline",
            str(tmp_path / "baseline.json"),
            "--output-dir",
            str(tmp_path / "report"),
            "--no-publish",
        ]
    )
    printed = capsys.readouterr().out
    assert code == 1
    assert "method: test_timing;" in printed
    receipt = json.loads((tmp_path / "report" / "perf-receipt.json").read_text())
    rows = {m["name"]: m for m in receipt["metrics"]}
    assert rows["test time"]["status"] == "pass" and rows["test time"]["threshold"] == "±10%"
    assert rows["build time"]["status"] == "fail"
    summary = (tmp_path / "report" / "perf-summary.md").read_text()
    assert "Fallback used (no benchmark results from cpu-bench)" in summary
    assert "benchmark data missing → test and build timing (method: test\\_timing)" in summary
    # the run's logs are found from its workspace, wherever finalize runs
    logs = {f["path"] for f in receipt["receipts"]["files"] if f["kind"] == "log"}
    assert {"out/build-time.log", "out/test-time.log"} <= logs, logs


def test_never_and_always(tmp_path: Path) -> None:
    assert run(tmp_path, config(tmp_path, "never"))["fallback_used"] is False
    doc = config(tmp_path, "missing")
    doc["benchmarks"] = []
    assert run(tmp_path, doc)["notes"][0].startswith("Fallback used (no benchmarks configured)")  # type: ignore[index]
    always = run(tmp_path, config(tmp_path), fallback="always")
    assert always["notes"][0].startswith("Fallback used (configured to always run)")  # type: ignore[index]


def test_repeated_fallback_gives_samples(tmp_path: Path) -> None:
    doc = config(tmp_path)
    doc["fallback"] = [{"command": f"{PY} cargo_test.py", "repeat": 3}]
    result = run(tmp_path, doc)
    (metric,) = [m for m in result["metrics"] if m["format"] == "test-timing"]  # type: ignore[attr-defined]
    assert metric["name"] == "test time" and len(metric["samples"]) == 3


def test_a_failing_fallback_is_a_finding(tmp_path: Path) -> None:
    doc = config(tmp_path)
    write_script(
        tmp_path / "fails.py", "import sys\nprint('test it_works ... FAILED')\nsys.exit(101)\n"
    )
    doc["fallback"] = [{"name": "test time", "command": f"{PY} fails.py"}]
    result = run(tmp_path, doc)
    assert [m["name"] for m in result["metrics"]] == ["cpu-bench peak memory"]  # type: ignore[attr-defined]
    codes = {(f["source"], f["code"], f["severity"]) for f in result["findings"]}  # type: ignore[attr-defined]
    assert ("test time", "command-failed", "fail") in codes


def test_fallback_kind_must_be_a_time() -> None:
    from perf_gate.core.errors import ConfigError

    with pytest.raises(ConfigError):
        config_from_mapping({"fallback": [{"command": "x", "kind": "memory"}]})


def test_a_gpu_shard_does_not_run_the_cpu_fallback(tmp_path: Path) -> None:
    doc = config(tmp_path)
    doc["benchmarks"] = [{"name": "g", "command": f"{PY} bench.py", "device": "gpu"}]  # type: ignore[index]
    assert run(tmp_path, doc, device="gpu")["fallback_used"] is False
