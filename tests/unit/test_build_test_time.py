"""Build and test time: cargo --timings reports and libtest's `finished in` lines."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from perf_gate.core.config import config_from_mapping
from perf_gate.core.model import Kind, RunSet
from perf_gate.inputs.parsers import parse_file
from perf_gate.judge.verdict import Status
from perf_gate.report.finalize import evaluate

FORMATS = Path(__file__).resolve().parents[1] / "fixtures" / "formats"


def test_cargo_timings_total_and_slowest_units_in_the_explanation() -> None:
    (metric,) = parse_file(FORMATS / "positive/cargo-timings/cargo-timing.html").metrics
    assert (metric.name, metric.value, metric.kind) == (
        "build time (cargo --timings)",
        123.7e9,
        Kind.BUILD_TIME,
    )
    config = config_from_mapping({"gate": {"ci_timeout": "2m"}})
    (row,) = evaluate(RunSet((metric,)), [], config).rows
    assert row.status is Status.FAIL  # 123.7 s is above 80 % of a 2-minute job
    assert "slowest units: bitnet-cli 0.3.0 71.8s, bitnet-kernels 0.3.0 48.2s" in row.explanation


def test_libtest_times_are_summed_per_suite() -> None:
    metrics = parse_file(FORMATS / "positive/libtest/cargo-test.log").metrics
    assert {m.name: round(m.value / 1e9, 2) for m in metrics} == {
        "test time: bitnet_kernels unittests src/lib.rs": 3.81,
        "test time: parity tests/parity.rs": 12.4,
        "test time: bitnet_kernels doc-tests": 0.92,
        "test time (total)": 17.13,
    }
    assert {m.kind for m in metrics} == {Kind.TEST_TIME}


@pytest.mark.real  # cargo builds a crate: about a minute at the usual load
def test_real_cargo_output(tmp_path: Path) -> None:
    if shutil.which("cargo") is None:
        pytest.skip("cargo is not installed")
    crate = tmp_path / "tiny"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text(
        '[package]\nname = "tiny"\nversion = "0.1.0"\nedition = "2021"\n'
    )
    (crate / "src" / "lib.rs").write_text(
        "#[cfg(test)]\nmod tests {\n    #[test]\n    fn works() { assert_eq!(2 + 2, 4); }\n}\n"
    )
    env = {**os.environ, "CARGO_TARGET_DIR": str(tmp_path / "target")}
    built = subprocess.run(
        ["cargo", "build", "--offline", "--timings", "-q"], cwd=crate, env=env, check=False
    )
    if built.returncode != 0:
        pytest.skip("cargo cannot build offline here")
    timing = parse_file(tmp_path / "target" / "cargo-timings" / "cargo-timing.html").metrics
    assert timing[0].kind is Kind.BUILD_TIME and timing[0].value > 0
    test = subprocess.run(
        ["cargo", "test", "--offline"],
        cwd=crate,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    log = tmp_path / "test.log"
    log.write_text(test.stdout)
    names = {m.name for m in parse_file(log).metrics}
    assert any(name.startswith("test time: tiny") for name in names)
