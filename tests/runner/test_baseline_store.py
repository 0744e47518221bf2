"""Baselines: files, git refs, history, hardware keys, expiry, and `perf-gate baseline update`."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from perf_gate.cli import main
from perf_gate.core.config import Config, config_from_mapping
from perf_gate.core.model import RunSet
from perf_gate.inputs.baseline.sources import BaselineRequest
from perf_gate.inputs.baseline.store import load_file
from perf_gate.inputs.hardware import Gpu, Hardware
from perf_gate.report.gate_inputs import gate_inputs

EPYC = Hardware(cpu_model="AMD EPYC 7763 64-Core Processor", cores=4, simd=("avx2",))
XEON = Hardware(cpu_model="Intel Xeon 8370C", cores=4, simd=("avx512", "avx2"))


def metric(name: str, value: float, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "value": value,
        "unit": "ns",
        "kind": "timing",
        "direction": "lower",
        "device": "cpu",
        "source": "cpu-bench.log",
        "format": "cargo-bench",
        **extra,
    }


def manifest(
    path: Path, metrics: list[dict[str, Any]], hardware: Hardware = EPYC, **extra: Any
) -> Path:
    doc = {
        "perf_gate_run": 1,
        "created_at": "2031-05-01T10:00:00Z",
        "commit": "a" * 40,
        "mode": "history",
        "hardware": hardware.to_dict(),
        "commands": [],
        "metrics": metrics,
        "findings": [],
        "inputs": [],
        "formats": ["cargo-bench"],
        "artifacts": [],
        **extra,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))
    return path


def store(path: Path, runs: list[tuple[str, str, Hardware, float]]) -> Path:
    """runs oldest first: (commit, created_at, hardware, value of bench_a)."""
    entries = [
        {
            "commit": c,
            "created_at": t,
            "branch": "main",
            "hardware": [h.to_dict()],
            "metrics": [metric("bench_a", v)],
        }
        for c, t, h, v in runs
    ]
    doc = {"perf_gate_baseline": 1, **entries[-1], "history": entries[:-1]}
    path.write_text(json.dumps(doc))
    return path


def finalize(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    out = tmp_path / "report"
    code = main(["finalize", *args, "--output-dir", str(out), "--no-publish"])
    receipt = json.loads((out / "perf-receipt.json").read_text())
    return code, receipt, (out / "perf-summary.md").read_text()


def test_update_writes_commit_hardware_and_rolls_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "perf" / "baseline.json"
    for index, value in enumerate([100.0, 101.0, 102.0, 103.0]):
        run = manifest(tmp_path / f"run{index}.json", [metric("bench_a", value)])
        args = ["baseline", "update", "--current", str(run), "--output", str(base)]
        assert main([*args, "--history", "3", "--commit", f"{index}" * 40, "--branch", "main"]) == 0
    assert "3 run(s) kept" in capsys.readouterr().out
    doc = json.loads(base.read_text())
    assert doc["commit"] == "3" * 40 and doc["branch"] == "main"
    assert doc["hardware"][0]["cpu_model"] == "AMD EPYC 7763 64-Core Processor"
    assert [h["commit"][0] for h in doc["history"]] == ["1", "2"]
    runs = load_file(base, None)
    assert [r.run.metrics[0].value for r in runs] == [101.0, 102.0, 103.0]
    assert main(["baseline", "show", str(base)]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert len(shown) == 3 and shown[-1].split()[1] == "333333333333"


def test_update_refuses_a_dishonest_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = manifest(
        tmp_path / "run.json",
        [metric("bench_a", 1.0)],
        findings=[
            {"source": "ci/inference.json", "message": "mock kernel in receipt", "severity": "fail"}
        ],
    )
    out = tmp_path / "b.json"
    assert main(["baseline", "update", "--current", str(run), "--output", str(out)]) == 2
    assert "refusing to make a baseline of a run the gate would fail" in capsys.readouterr().err
    assert not out.exists()
    assert main(["baseline", "update", "--current", str(run), "--output", str(out), "--force"]) == 0


def test_report_shows_the_baselines_commit_date_and_hardware(tmp_path: Path) -> None:
    base = store(tmp_path / "b.json", [("c" * 40, "2031-04-30T08:00:00Z", EPYC, 100.0)])
    run = manifest(tmp_path / "run.json", [metric("bench_a", 101.0)])
    code, receipt, summary = finalize(tmp_path, "--current", str(run), "--baseline", str(base))
    assert code == 0
    assert receipt["baseline"]["commit"] == "c" * 40
    assert receipt["baseline"]["created_at"] == "2031-04-30T08:00:00Z"
    assert (
        f"Baseline: {base}; commit cccccccccccc (main); from 2031-04-30T08:00:00Z; hardware "
        "AMD EPYC 7763 64-Core Processor (4 cores, avx2)." in summary.replace("\\", "")
    )


def test_history_feeds_the_noise_model_oldest_first(tmp_path: Path) -> None:
    base = store(
        tmp_path / "b.json",
        [
            ("1" * 40, "2031-04-01T00:00:00Z", EPYC, 90.0),
            ("2" * 40, "2031-04-02T00:00:00Z", EPYC, 95.0),
        ],
    )
    runs = load_file(base, None)
    assert [r.commit[0] for r in runs] == ["1", "2"]
    assert runs[-1].run.files[0].format == "perf-baseline"


def inputs(config: Config, current: list[Hardware], request: BaselineRequest) -> Any:
    from perf_gate.inputs.run_record import read_manifest

    path = manifest(request.cwd / "run.json", [metric("bench_a", 130.0)], hardware=current[0])
    record = read_manifest(path)
    return gate_inputs(config, record.run, [record], request, request.cwd / "out")


def test_hardware_keyed_baseline_prefers_the_same_machine(tmp_path: Path) -> None:
    base = store(
        tmp_path / "b.json",
        [
            ("1" * 40, "2031-04-01T00:00:00Z", XEON, 90.0),
            ("2" * 40, "2031-04-02T00:00:00Z", EPYC, 95.0),
        ],
    )
    got = inputs(Config(), [XEON], BaselineRequest(files=(base,), cwd=tmp_path))
    assert [r.metrics[0].value for r in got.baselines] == [90.0]
    assert got.context.hardware_mismatch is None
    assert any(
        n.startswith("Baseline chosen by hardware: the newest run on this machine (111111111111")
        for n in got.context.notes
    )


def test_different_hardware_softens_timing_failures(tmp_path: Path) -> None:
    base = store(tmp_path / "b.json", [("2" * 40, "2031-04-02T00:00:00Z", EPYC, 100.0)])
    run = manifest(tmp_path / "run.json", [metric("bench_a", 130.0)], hardware=XEON)
    code, receipt, summary = finalize(tmp_path, "--current", str(run), "--baseline", str(base))
    assert code == 0
    row = receipt["metrics"][0]
    assert row["status"] == "warn"
    assert (
        "not failing on timing alone: baseline and current ran on different hardware"
        in row["explanation"]
    )
    assert "Hardware differs: baseline and current ran on different hardware (CPU:" in summary


def test_hardware_compare_false_keeps_failing(tmp_path: Path) -> None:
    base = store(tmp_path / "b.json", [("2" * 40, "2031-04-02T00:00:00Z", EPYC, 100.0)])
    config = config_from_mapping({"hardware": {"compare": False}})
    got = inputs(config, [XEON], BaselineRequest(files=(base,), cwd=tmp_path))
    assert got.context.hardware_mismatch is None


def test_hardware_file_overrides(tmp_path: Path) -> None:
    hw = tmp_path / "hw.json"
    hw.write_text(json.dumps({"hardware": XEON.to_dict()}))
    base = store(tmp_path / "b.json", [("2" * 40, "2031-04-02T00:00:00Z", EPYC, 100.0)])
    results = tmp_path / "results.json"
    results.write_text(
        json.dumps([{"name": "bench_a", "unit": "ns", "value": 130.0, "device": "cpu"}])
    )
    code, receipt, _ = finalize(
        tmp_path, "--current", str(results), "--baseline", str(base), "--hardware", str(hw)
    )
    assert receipt["metrics"][0]["status"] == "warn" and code == 0
    assert receipt["hardware"]["current"][0]["cpu_model"] == "Intel Xeon 8370C"


def test_missing_baseline_is_new_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    subprocess.run(["git", "init", "-q"], check=True)
    cfg = tmp_path / ".perf-gate.yml"
    cfg.write_text(
        "baseline:\n  path: perf/baseline.json\n  ref: HEAD:perf/baseline.json\n"
        "  artifact: perf-baseline\n"
    )
    run = manifest(tmp_path / "run.json", [metric("bench_a", 100.0)])
    for name in ("GITHUB_REPOSITORY", "GITHUB_TOKEN", "INPUT_GITHUB-TOKEN"):
        monkeypatch.delenv(name, raising=False)
    code, receipt, summary = finalize(tmp_path, "--config", str(cfg), "--current", str(run))
    assert code == 0
    assert receipt["gate"]["status"] == "skipped"
    assert receipt["route"]["next"] == "baseline-manager"
    assert receipt["metrics"][0]["status"] == "new"
    text = summary.replace("\\", "")
    assert (
        "No baseline found (file perf/baseline.json: not found; "
        "artifact perf-baseline: no GitHub context" in text
    )
    assert "ref HEAD:perf/baseline.json: " in text
    assert "every metric is new and the gate is skipped" in text


def test_expired_baseline_counts_as_missing(tmp_path: Path) -> None:
    base = store(tmp_path / "b.json", [("2" * 40, "2031-01-01T00:00:00Z", EPYC, 100.0)])
    config = config_from_mapping({"baseline": {"max_age_days": 30}})
    now = dt.datetime(2031, 3, 1, tzinfo=dt.UTC)
    got = inputs(config, [EPYC], BaselineRequest(files=(base,), cwd=tmp_path, now=now))
    assert got.baselines == []
    assert "has expired: it is 59 days old, the limit is 30" in got.context.notes[-1]
    fresh = inputs(
        config,
        [EPYC],
        BaselineRequest(files=(base,), cwd=tmp_path, now=now - dt.timedelta(days=40)),
    )
    assert len(fresh.baselines) == 1


def test_baseline_from_a_git_ref(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    (repo / "perf").mkdir(parents=True)
    store(repo / "perf" / "baseline.json", [("e" * 40, "2031-04-02T00:00:00Z", EPYC, 100.0)])
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run(["git", "add", "perf"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "baseline"], cwd=repo, check=True)
    (repo / "perf" / "baseline.json").write_text("changed in the worktree, not in the ref")
    monkeypatch.chdir(repo)
    run = manifest(tmp_path / "run.json", [metric("bench_a", 120.0)])
    code, receipt, _ = finalize(
        tmp_path, "--current", str(run), "--baseline-ref", "main:perf/baseline.json"
    )
    assert code == 1
    assert receipt["metrics"][0]["status"] == "fail"
    assert receipt["baseline"]["source"] == "ref main:perf/baseline.json"
    assert any(
        i["path"] == "main:perf/baseline.json" and i["role"] == "baseline"
        for i in receipt["inputs"]
    )
    # a plain results file behind a ref works too
    (repo / "plain.json").write_text(
        json.dumps([{"name": "bench_a", "unit": "ns", "value": 100.0, "device": "cpu"}])
    )
    subprocess.run(["git", "add", "plain.json"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "plain"], cwd=repo, check=True)
    code, receipt, _ = finalize(
        tmp_path, "--current", str(run), "--baseline-ref", "HEAD:plain.json"
    )
    assert receipt["metrics"][0]["status"] == "fail"


def test_matrix_shards_merge_and_keep_devices_apart(tmp_path: Path) -> None:
    gpu_box = Hardware(cpu_model="Intel Xeon 8370C", cores=8, gpus=(Gpu("NVIDIA L4", "550.54.15"),))
    cpu = manifest(tmp_path / "cpu" / "perf-run.json", [metric("i2s_quantize/1024", 1240.0)])
    gpu = manifest(
        tmp_path / "gpu" / "perf-run.json",
        [metric("i2s_quantize/1024", 310.0, device="gpu")],
        hardware=gpu_box,
    )
    base = tmp_path / "b.json"
    base.write_text(
        json.dumps(
            {
                "perf_gate_baseline": 1,
                "hardware": [EPYC.to_dict(), gpu_box.to_dict()],
                "metrics": [
                    metric("i2s_quantize/1024", 1235.0),
                    metric("i2s_quantize/1024", 400.0, device="gpu"),
                ],
            }
        )
    )
    code, receipt, _ = finalize(
        tmp_path, "--current", str(cpu), "--current", str(gpu), "--baseline", str(base)
    )
    rows = {(m["name"], m["device"]): m["status"] for m in receipt["metrics"]}
    assert rows == {("i2s_quantize/1024", "cpu"): "pass", ("i2s_quantize/1024", "gpu"): "warn"}
    assert code == 0
    assert len(receipt["hardware"]["current"]) == 2
    assert "baseline" in receipt and receipt.get("context", {}).get("runs") == [str(cpu), str(gpu)]


def test_two_shards_with_the_same_metric_on_the_same_device_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = manifest(tmp_path / "1" / "perf-run.json", [metric("bench_a", 1.0)])
    two = manifest(tmp_path / "2" / "perf-run.json", [metric("bench_a", 1.0)])
    assert (
        main(
            [
                "finalize",
                "--current",
                str(one),
                "--current",
                str(two),
                "--no-publish",
                "--output-dir",
                str(tmp_path / "o"),
            ]
        )
        == 2
    )
    assert "duplicate metric name 'bench_a (cpu)'" in capsys.readouterr().err


def test_plain_runset_is_untouched_without_runs(tmp_path: Path) -> None:
    got = gate_inputs(Config(), RunSet(()), [], BaselineRequest(cwd=tmp_path), tmp_path)
    assert got.baselines == [] and got.context.notes == () and got.context.artifacts == []
