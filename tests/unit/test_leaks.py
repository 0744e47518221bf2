"""Leak evidence as inputs: real valgrind and AddressSanitizer output, judged as ``leak`` rows."""

from __future__ import annotations

import json
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
LEAKY_C = r"""
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
    char *kept = malloc(40);
    memset(kept, 1, 40);
    char *freed = malloc(100);
    free(freed);
    if (argc > 1) free(kept);
    return 0;
}
"""


def _build(tmp_path: Path, *flags: str) -> Path:
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed")
    source = tmp_path / "leaky.c"
    source.write_text(LEAKY_C)
    binary = tmp_path / ("leaky" + "".join(f.strip("-=") for f in flags))
    subprocess.run(["gcc", "-g", "-O0", *flags, "-o", str(binary), str(source)], check=True)
    return binary


def _valgrind(tmp_path: Path, *args: str) -> Path:
    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed (Debian package valgrind)")
    binary = _build(tmp_path)
    log = tmp_path / f"memcheck{len(args)}.log"
    subprocess.run(
        ["valgrind", "--leak-check=full", f"--log-file={log}", str(binary), *args], check=True
    )
    return log


def _rows(current: RunSet, baseline: RunSet | None = None):
    report = evaluate(current, [baseline] if baseline else [], config_from_mapping({}))
    return {row.metric.name.split(": ", 1)[1]: row for row in report.rows}, report


def test_real_valgrind_log_with_definitely_lost_bytes_fails(tmp_path: Path) -> None:
    leaking = parse_file(_valgrind(tmp_path))
    assert {m.kind for m in leaking.metrics} == {Kind.LEAK}
    rows, report = _rows(RunSet(leaking.metrics))
    lost = rows["definitely lost"]
    assert (lost.current.value, lost.status) == (40, Status.FAIL)  # type: ignore[union-attr]
    assert "above the ceiling of 0" in lost.explanation
    assert rows["definitely lost blocks"].status is Status.FAIL
    assert report.decision.status == "fail"
    assert rows["allocations"].current.value == 2  # type: ignore[union-attr]


def test_real_valgrind_log_without_leaks_passes(tmp_path: Path) -> None:
    clean = parse_file(_valgrind(tmp_path, "free-it"))
    values = {m.name.split(": ", 1)[1]: m.value for m in clean.metrics}
    assert values["definitely lost"] == 0 and values["bytes allocated"] == 140
    rows, report = _rows(RunSet(clean.metrics), RunSet(clean.metrics))
    assert report.decision.status == "pass"
    assert rows["definitely lost"].status is Status.PASS


def test_real_address_sanitizer_report_fails_on_leaked_bytes(tmp_path: Path) -> None:
    binary = _build(tmp_path, "-fsanitize=address")
    done = subprocess.run([str(binary)], capture_output=True, text=True, check=False)
    if "LeakSanitizer" not in done.stderr:
        pytest.skip("LeakSanitizer does not run here (ptrace restrictions)")
    log = tmp_path / "asan.log"
    log.write_text(done.stderr)
    rows, _ = _rows(RunSet(parse_file(log).metrics))
    assert rows["leaked"].current.value == 40  # type: ignore[union-attr]
    assert rows["leaked"].status is Status.FAIL
    assert rows["leaked allocations"].status is Status.FAIL


def test_allocation_counts_are_judged_under_the_memory_tolerance() -> None:
    base = parse_file(FORMATS / "positive/dhat-heap/dhat-heap.json").metrics
    grown = RunSet(
        tuple(
            m.__class__(**{**m.__dict__, "value": m.value * 1.03})
            if m.name.endswith("total bytes")
            else m
            for m in base
        )
    )
    rows, _ = _rows(grown, RunSet(base))
    assert rows["total bytes"].status is Status.FAIL
    assert rows["total bytes"].threshold.describe() == "±2%"
    config = config_from_mapping({"policies": [{"kind": "memory", "tolerance": 5}]})
    report = evaluate(grown, [RunSet(base)], config)
    (row,) = [r for r in report.rows if r.metric.name.endswith("total bytes")]
    assert row.status is Status.PASS and row.threshold.describe() == "±5%"


def test_dhat_totals_are_summed_over_program_points() -> None:
    metrics = parse_file(FORMATS / "positive/dhat-heap/dhat-heap.json").metrics
    values = {m.name.split(": ", 1)[1]: (m.value, m.unit) for m in metrics}
    assert values == {
        "total bytes": (1050624, "bytes"),
        "total blocks": (20, "blocks"),
        "bytes at peak": (524416, "bytes"),
        "bytes live at exit": (64, "bytes"),
        "blocks live at exit": (1, "blocks"),
    }


def test_finalize_fails_on_a_leaking_memcheck_log(cli, tmp_path: Path) -> None:
    current = tmp_path / "current"
    current.mkdir()
    log = FORMATS / "positive/valgrind-memcheck/leak-summary.log"
    (current / "memcheck.log").write_bytes(log.read_bytes())
    result = cli("finalize", "--current", str(current), "--output-dir", "out", "--no-publish")
    assert result.returncode == 1, result.stderr
    receipt = json.loads((tmp_path / "out" / "perf-receipt.json").read_text())
    (row,) = [m for m in receipt["metrics"] if m["name"].endswith(": definitely lost")]
    assert (row["kind"], row["status"], row["current"]) == ("leak", "fail", 64)


def test_a_truncated_memcheck_log_is_one_line_exit_2(cli, tmp_path: Path) -> None:
    bad = FORMATS / "negative/valgrind-memcheck/truncated.log"
    result = cli("finalize", "--current", str(bad), "--output-dir", "out", "--no-publish")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "HEAP SUMMARY" in result.stderr
    assert "Traceback" not in result.stderr
