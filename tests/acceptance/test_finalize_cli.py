"""The pinned CLI contract, driven through the installed ``perf-gate`` command."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import jsonschema
import pytest

from perf_gate.schemas import load_schema
from tests.conftest import FIXTURES, ROOT

SMALL = FIXTURES / "pr-small"
REGRESSION = FIXTURES / "pr-regression"
GOLDEN = Path(__file__).parent / "golden"


def receipt_schema() -> dict:
    return load_schema("perf-receipt.schema.json")


def test_passing_pr_exits_0_and_writes_valid_receipt_and_summary(cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli(
        "finalize",
        "--current",
        str(SMALL / "current"),
        "--baseline",
        str(SMALL / "baseline"),
        "--output-dir",
        str(out),
        "--no-publish",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-2].startswith("review:gate:perf = pass (")
    assert (
        "| Metric | Baseline | Current | Delta | Threshold | Status |"
        in (out / "perf-summary.md").read_text()
    )
    receipt = json.loads((out / "perf-receipt.json").read_text())
    jsonschema.validate(receipt, receipt_schema())
    assert receipt["gate"] == {
        "name": "review:gate:perf",
        "status": "pass",
        "conclusion": "success",
        "summary": receipt["gate"]["summary"],
        "reason": "comprehensive_validation",
    }
    assert receipt["route"]["next"] == "baseline-manager"  # CPU +7.4 % is beyond ±5 %
    cpu = next(m for m in receipt["metrics"] if m["label"] == "inference (cpu)")
    assert (cpu["baseline"], cpu["current"], cpu["status"]) == (42.1, 45.2, "warn")
    assert round(cpu["delta_pct"], 1) == 7.4
    assert {i["role"] for i in receipt["inputs"]} == {"current", "baseline"}
    assert all(len(i["sha256"]) == 64 for i in receipt["inputs"])


def finalize_against_golden(cli, tmp_path: Path, pr: Path, golden_name: str) -> int:
    """Run ``finalize`` on a fixture PR and compare perf-summary.md with its golden file
    (``UPDATE_GOLDEN=1`` rewrites the golden file)."""
    result = cli(
        "finalize",
        "--current",
        str(pr / "current"),
        "--baseline",
        str(pr / "baseline"),
        "--output-dir",
        "out",
        "--no-publish",
    )
    assert result.returncode in (0, 1), result.stderr
    actual = (tmp_path / "out" / "perf-summary.md").read_text()
    golden = GOLDEN / golden_name
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(actual)
    assert actual == golden.read_text()
    return result.returncode


def test_summary_matches_golden_file(cli, tmp_path: Path) -> None:
    assert finalize_against_golden(cli, tmp_path, SMALL, "pr-small.md") == 0


def test_regression_golden_and_exit_1(cli, tmp_path: Path) -> None:
    assert finalize_against_golden(cli, tmp_path, REGRESSION, "pr-regression.md") == 1
    receipt = json.loads((tmp_path / "out" / "perf-receipt.json").read_text())
    assert receipt["gate"]["status"] == "fail"
    assert receipt["gate"]["conclusion"] == "failure"
    assert receipt["route"]["next"] == "review-perf-fixer"
    assert receipt["gate"]["summary"].startswith("review:gate:perf = fail (inference: Δ-9.5%")


def test_names_cannot_break_the_table_or_ping(cli, tmp_path: Path) -> None:
    cli(
        "finalize",
        "--current",
        str(SMALL / "current"),
        "--baseline",
        str(SMALL / "baseline"),
        "--output-dir",
        "out",
        "--no-publish",
    )
    text = (tmp_path / "out" / "perf-summary.md").read_text()
    row = next(line for line in text.splitlines() if "matmul" in line)
    assert row.count("|") - row.count("\\|") == 7  # six cells, the name's pipe escaped
    assert "@perf-team" not in text


def test_threshold_flag_changes_generic_tolerance(cli, tmp_path: Path) -> None:
    result = cli(
        "finalize",
        "--current",
        str(REGRESSION / "current"),
        "--baseline",
        str(REGRESSION / "baseline"),
        "--threshold",
        "0.5",
        "--no-publish",
    )
    receipt = json.loads((tmp_path / "perf-gate-out" / "perf-receipt.json").read_text())
    gemv = next(m for m in receipt["metrics"] if m["name"] == "gemv")
    assert gemv["threshold"] == "±0.5%" and gemv["status"] == "fail"
    assert result.returncode == 1


def test_no_baseline_gives_new_metrics_and_skipped_gate(cli, tmp_path: Path) -> None:
    result = cli("finalize", "--current", str(SMALL / "current"), "--no-publish")
    assert result.returncode == 0, result.stderr
    receipt = json.loads((tmp_path / "perf-gate-out" / "perf-receipt.json").read_text())
    assert receipt["gate"]["status"] == "skipped"
    assert receipt["gate"]["conclusion"] == "neutral"
    assert {m["status"] for m in receipt["metrics"]} == {"new"}


def test_python_dash_m_works_too(tmp_path: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "perf_gate", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and proc.stdout.startswith("perf-gate ")


def test_ingest_prints_normalised_metrics(cli) -> None:
    result = cli("ingest", str(SMALL / "current" / "xtask-cpu.json"))
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert metrics[0] == {
        "name": "inference",
        "unit": "tok/s",
        "value": 45.2,
        "direction": "higher",
        "kind": "inference",
        "device": "cpu",
        "format": "xtask-benchmark",
        "source": str(SMALL / "current" / "xtask-cpu.json"),
    }


def test_ingest_keeps_samples(cli, tmp_path: Path) -> None:
    doc = {
        "results": [
            {"command": "sleep 0.1", "mean": 0.1, "median": 0.1, "times": [0.1, 0.11, 0.09]}
        ]
    }
    (tmp_path / "h.json").write_text(json.dumps(doc))
    metrics = json.loads(cli("ingest", "h.json").stdout)
    assert metrics[0]["samples"] == pytest.approx([1e8, 1.1e8, 0.9e8])
    assert metrics[0]["unit"] == "ns" and metrics[0]["direction"] == "lower"


def test_validate_reports_every_problem(cli, tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text(
        json.dumps({"results": [{"command": "a", "mean": -1}, {"command": "", "mean": 1}]})
    )
    (tmp_path / "good.json").write_text(json.dumps([{"name": "x", "unit": "ms", "value": 1}]))
    result = cli("validate", "bad.json", "good.json")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert "bad.json: $.results[0].mean" in lines[0]
    assert "bad.json: $.results[1].command" in lines[1]
    assert "2 input(s) checked, 2 problem(s)" in result.stdout


def test_validate_ok(cli) -> None:
    result = cli("validate", str(SMALL / "current"))
    assert result.returncode == 0, result.stderr


def test_criterion_tree_as_its_own_baseline_reads_base(cli, tmp_path: Path) -> None:
    tree = FIXTURES / "formats" / "workspace" / "target" / "criterion"
    result = cli("finalize", "--current", str(tree), "--baseline", str(tree), "--no-publish")
    assert result.returncode in (0, 1), result.stderr
    receipt = json.loads((tmp_path / "perf-gate-out" / "perf-receipt.json").read_text())
    assert {i["format"] for i in receipt["inputs"] if i["role"] == "baseline"} == {"criterion-base"}
    assert all("/base/" in i["path"] for i in receipt["inputs"] if i["role"] == "baseline")
    assert {m["status"] for m in receipt["metrics"]} <= {"pass", "warn", "fail"}


def test_readme_job_summary_example_is_what_the_demo_renders(cli, tmp_path: Path) -> None:
    example = ROOT / "examples" / "bitnet-pr"
    result = cli(
        "finalize",
        "--config",
        str(example / ".perf-gate.yml"),
        "--current",
        str(example / "current"),
        "--baseline",
        str(example / "baseline"),
        "--no-publish",
    )
    assert result.returncode == 0, result.stderr
    readme = (ROOT / "README.md").read_text()
    start = readme.index("<!-- demo-summary:start -->\n") + len("<!-- demo-summary:start -->\n")
    shown = readme[start : readme.index("\n<!-- demo-summary:end -->")].splitlines()
    rendered = (tmp_path / "perf-gate-out" / "perf-summary.md").read_text().splitlines()
    assert shown == rendered[: len(shown)]


def test_every_policy_file_shown_in_the_docs_is_valid() -> None:
    import re

    import yaml

    from perf_gate.core.config import config_from_mapping

    shown = 0
    for doc in (ROOT / "README.md", ROOT / "docs" / "runner.md"):
        for block in re.findall(r"```yaml\n(.*?)```", doc.read_text(), re.S):
            data = yaml.safe_load(block)
            if isinstance(data, dict) and data.get("version") == 1:
                config_from_mapping(data, str(doc))
                shown += 1
    assert shown >= 3


def _criterion_bench(unit: Path, saved: str, per_iter_ns: float) -> None:
    """One benchmark run as criterion 0.3 writes it under ``<bench>/<saved>/``."""
    run = unit / saved
    run.mkdir(parents=True, exist_ok=True)
    iters = [float(10 * (i + 1)) for i in range(20)]
    times = [n * per_iter_ns * (1.0 + 0.002 * ((7 * i) % 5 - 2)) for i, n in enumerate(iters)]
    (run / "sample.json").write_text(
        json.dumps({"sampling_mode": "Linear", "iters": iters, "times": times})
    )
    (run / "benchmark.json").write_text(
        json.dumps(
            {
                "group_id": "work",
                "function_id": None,
                "value_str": None,
                "throughput": None,
                "full_id": "work",
                "directory_name": "work",
                "title": "work",
            }
        )
    )
    estimate = {
        "confidence_interval": {
            "confidence_level": 0.95,
            "lower_bound": per_iter_ns * 0.99,
            "upper_bound": per_iter_ns * 1.01,
        },
        "point_estimate": per_iter_ns,
        "standard_error": per_iter_ns * 0.005,
    }
    keys = ("mean", "median", "median_abs_dev", "slope", "std_dev")
    (run / "estimates.json").write_text(json.dumps({k: estimate for k in keys}))


def test_a_criterion_tree_whose_base_is_a_copy_of_new_is_refused(cli, tmp_path: Path) -> None:
    # issue 13.3: criterion copies new/ to base/ after every run, so the tree's base/ is
    # the run itself; "+0.0 %, pass" beside criterion's own "+74 % regressed" is a lie.
    tree = tmp_path / "target" / "criterion"
    _criterion_bench(tree / "work", "new", 1740.0)
    shutil.copytree(tree / "work" / "new", tree / "work" / "base")
    result = cli("finalize", "--current", str(tree), "--baseline", str(tree), "--no-publish")
    assert result.returncode == 2, result.stdout
    assert "byte-identical" in result.stderr and "--save-baseline" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _judge_tree_against_itself(cli, tree: Path, name: str):
    return cli(
        "finalize",
        *("--current", str(tree), "--baseline", str(tree)),
        *("--criterion-baseline", name, "--no-publish"),
    )


def test_a_criterion_named_baseline_is_compared_within_one_tree(cli, tmp_path: Path) -> None:
    # `cargo bench -- --save-baseline main` on the base branch, a plain run on the PR.
    tree = tmp_path / "target" / "criterion"
    _criterion_bench(tree / "work", "main", 1000.0)
    _criterion_bench(tree / "work", "new", 1740.0)
    shutil.copytree(tree / "work" / "new", tree / "work" / "base")
    result = _judge_tree_against_itself(cli, tree, "main")
    assert result.returncode == 1, result.stdout + result.stderr
    receipt = json.loads((tmp_path / "perf-gate-out" / "perf-receipt.json").read_text())
    assert all("/main/" in i["path"] for i in receipt["inputs"] if i["role"] == "baseline")
    (row,) = receipt["metrics"]
    assert row["status"] == "fail"


def test_a_criterion_baseline_name_that_is_not_a_folder_name_is_bad_usage(
    cli, tmp_path: Path
) -> None:
    tree = tmp_path / "target" / "criterion"
    _criterion_bench(tree / "work", "new", 1740.0)
    result = _judge_tree_against_itself(cli, tree, "../x")
    assert result.returncode == 2
    assert "criterion baseline name '../x'" in result.stderr


def _pytest_benchmark_run(path: Path, commit: str, median_s: float) -> None:
    """One run as pytest-benchmark 5 saves it (``--benchmark-autosave --benchmark-save-data``)."""
    data = [median_s * (1.0 + 0.003 * ((5 * i) % 7 - 3)) for i in range(12)]
    stats = {
        "min": min(data),
        "max": max(data),
        "mean": sum(data) / len(data),
        "stddev": median_s * 0.006,
        "rounds": len(data),
        "median": sorted(data)[len(data) // 2],
        "iqr": median_s * 0.006,
        "q1": min(data),
        "q3": max(data),
        "iqr_outliers": 0,
        "stddev_outliers": 0,
        "outliers": "0;0",
        "ld15iqr": min(data),
        "hd15iqr": max(data),
        "ops": 1.0 / median_s,
        "total": sum(data),
        "data": data,
        "iterations": 1,
    }
    bench = {
        "group": None,
        "name": "test_parse",
        "fullname": "tests/test_bench.py::test_parse",
        "params": None,
        "param": None,
        "extra_info": {},
        "options": {"disable_gc": False, "timer": "perf_counter", "min_rounds": 5},
        "stats": stats,
    }
    doc = {
        "machine_info": {"node": "ci", "machine": "x86_64", "system": "Linux"},
        "commit_info": {"id": commit, "dirty": False, "project": "demo", "branch": "main"},
        "benchmarks": [bench],
        "datetime": "2026-11-29T10:00:00.000000+00:00",
        "version": "5.1.0",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=4))


def _pytest_benchmark_store(root: Path, medians: list[float]) -> Path:
    machine = root / ".benchmarks" / "Linux-CPython-3.11-64bit"
    for number, median_s in enumerate(medians, start=1):
        commit = f"{number:x}" * 40
        _pytest_benchmark_run(
            machine / f"{number:04d}_{commit[:40]}_20261129_100000.json", commit, median_s
        )
    return root / ".benchmarks"


def test_a_pytest_benchmark_store_is_its_newest_run_for_ingest_and_validate(
    cli, tmp_path: Path
) -> None:
    # issue 13.7: `.benchmarks/<machine>/0001_*.json, 0002_*.json` was "duplicate metric name".
    store = _pytest_benchmark_store(tmp_path, [0.0010, 0.0011, 0.0012])
    result = cli("ingest", str(store))
    assert result.returncode == 0, result.stderr
    (metric,) = json.loads(result.stdout)
    assert metric["value"] == pytest.approx(1.2e6, rel=0.01)
    assert "0003_" in metric["source"]
    assert cli("validate", str(store)).returncode == 0


def test_a_pytest_benchmark_store_as_baseline_is_history(cli, tmp_path: Path) -> None:
    store = _pytest_benchmark_store(tmp_path, [0.0010, 0.00101, 0.000995, 0.0010])
    current = tmp_path / "current.json"
    _pytest_benchmark_run(current, "f" * 40, 0.0015)
    result = cli("finalize", "--current", str(current), "--baseline", str(store), "--no-publish")
    assert result.returncode == 1, result.stdout + result.stderr
    receipt = json.loads((tmp_path / "perf-gate-out" / "perf-receipt.json").read_text())
    (row,) = receipt["metrics"]
    assert "learned from 4 baseline runs" in row["explanation"]


def test_validate_refuses_what_ingest_refuses(cli, tmp_path: Path) -> None:
    # issue 13.7: hyperfine with the same command twice: validate said 0 problems.
    doc = {
        "results": [
            {"command": "sleep 0.1", "mean": 0.1, "median": 0.1, "times": [0.1, 0.1, 0.1]},
            {"command": "sleep 0.1", "mean": 0.1, "median": 0.1, "times": [0.1, 0.1, 0.1]},
        ]
    }
    path = tmp_path / "hyperfine.json"
    path.write_text(json.dumps(doc))
    ingest = cli("ingest", str(path))
    validate = cli("validate", str(path))
    assert ingest.returncode == validate.returncode == 2
    assert "duplicate metric name 'sleep 0.1'" in validate.stderr


def test_ingest_reads_a_criterion_named_baseline(cli, tmp_path: Path) -> None:
    tree = tmp_path / "target" / "criterion"
    _criterion_bench(tree / "work", "main", 1000.0)
    _criterion_bench(tree / "work", "new", 1740.0)
    result = cli("ingest", str(tree), "--format", "criterion:main")
    assert result.returncode == 0, result.stderr
    (metric,) = json.loads(result.stdout)
    assert metric["value"] == pytest.approx(1000.0)
    assert metric["format"] == "criterion-base"  # a saved baseline, not the latest run
    bad = cli("ingest", str(tree), "--format", "criterion:../x")
    assert bad.returncode == 2 and "criterion baseline name" in bad.stderr


def test_identical_deterministic_outputs_on_both_sides_are_judged(cli, tmp_path: Path) -> None:
    # Deterministic outputs of a docs-only PR repeat byte for byte: no self-comparison.
    # (Two copies: the very same path on both sides is refused as a usage error.)
    memory, earlier = tmp_path / "memory-usage.txt", tmp_path / "base" / "memory-usage.txt"
    earlier.parent.mkdir()
    for path in (memory, earlier):
        path.write_text("peak_rss: 2106.4 MB\n")
    result = cli("finalize", "--current", str(memory), "--baseline", str(earlier), "--no-publish")
    assert result.returncode == 0, result.stderr


def test_the_same_timing_file_as_current_and_baseline_is_refused(cli, tmp_path: Path) -> None:
    path = tmp_path / "hyperfine.json"
    times = [0.101, 0.103, 0.099, 0.100, 0.102]
    path.write_text(json.dumps({"results": [{"command": "x", "mean": 0.101, "times": times}]}))
    copy = tmp_path / "base" / "hyperfine.json"
    copy.parent.mkdir()
    copy.write_bytes(path.read_bytes())
    result = cli("finalize", "--current", str(path), "--baseline", str(copy), "--no-publish")
    assert result.returncode == 2
    assert "judged against itself" in result.stderr
    same = cli("finalize", "--current", str(path), "--baseline", str(path), "--no-publish")
    assert same.returncode == 2
    assert "the same file is given as --current and --baseline" in same.stderr
