"""``perf-gate run``: real child processes printing real harness output."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from perf_gate.cli import main
from perf_gate.core.config import config_from_mapping
from perf_gate.core.errors import ConfigError
from perf_gate.inputs.console import Console
from perf_gate.inputs.hardware import Gpu, Hardware
from perf_gate.inputs.process import run_command
from perf_gate.inputs.run_record import read_manifest
from perf_gate.inputs.runner import execute

from .conftest import CRITERION_TERMINAL, LIBTEST_BENCH, PY, XTASK, write_script

CPU_ONLY = Hardware(
    cpu_model="Test CPU", cores=2, simd=("avx2",), gpu_problem="nvidia-smi not found"
)
WITH_GPU = Hardware(cpu_model="Test CPU", cores=2, gpus=(Gpu("NVIDIA L4", "550.54.15"),))


def console(fold: bool = False) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(stream=out, fold=fold, heartbeat_s=0.2), out


def test_output_streams_in_a_fold_and_is_teed_to_the_log(tmp_path: Path) -> None:
    script = write_script(tmp_path / "bench.py", LIBTEST_BENCH.format(delay=0, ns=1234))
    con, out = console(fold=True)
    log = tmp_path / "cpu-bench.log"
    result = run_command(
        "cpu-bench", (PY, str(script)), console=con, log_path=log, environ=os.environ
    )
    text = out.getvalue().splitlines()
    assert text[0] == "::group::perf-gate: cpu-bench [cpu]"
    assert text[1].startswith("$ ") and text[1].endswith("bench.py")
    assert "test i2s_dequantize_avx2   ... bench:       1,234 ns/iter (+/- 56)" in text
    assert text[-2].startswith("perf-gate: cpu-bench: ok in ")
    assert text[-1] == "::endgroup::"
    assert result.status == "ok" and result.exit_code == 0 and result.elapsed_s > 0
    assert "bench:       1,234 ns/iter" in log.read_text()
    assert log.read_text().count("\n") == 9


def test_shell_command_with_a_pipe_and_pipefail(tmp_path: Path) -> None:
    con, out = console()
    result = run_command(
        "pipe", f"{PY} -c 'import sys; sys.exit(3)' | cat", console=con, environ=os.environ
    )
    assert result.status == "failed" and result.exit_code == 3
    assert out.getvalue().startswith("── perf-gate: pipe [cpu] ──")


def test_failure_is_reported_with_its_last_lines(tmp_path: Path) -> None:
    script = write_script(
        tmp_path / "panics.py",
        """
        import sys
        for i in range(30):
            print(f"line {i}")
        print("thread 'main' panicked at crates/bitnet-kernels/benches/gemm.rs:42:5:")
        print("error: bench failed, to rerun pass `-p bitnet-kernels --bench gemm`")
        sys.exit(101)
        """,
    )
    con, out = console(fold=True)
    result = run_command(
        "gpu-bench", (PY, str(script)), device="gpu", console=con, tail_lines=5, environ=os.environ
    )
    assert result.status == "failed" and result.reason == "exited with 101"
    assert result.tail[-1].startswith("error: bench failed")
    assert len(result.tail) == 5
    printed = out.getvalue()
    after_fold = printed.split("::endgroup::\n", 1)[1]
    assert after_fold.startswith("::error title=perf-gate%3A gpu-bench exited with 101::")
    assert "last 5 lines of its output:\n    line 27" in after_fold


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    script = write_script(
        tmp_path / "hangs.py",
        f"""
        import subprocess, sys, time
        child = subprocess.Popen([{PY!r}, "-c", "import time; time.sleep(60)"])
        open({str(pidfile)!r}, "w").write(str(child.pid))
        print("warming up", flush=True)
        time.sleep(60)
        """,
    )
    con, _ = console()
    started = time.monotonic()
    result = run_command(
        "slow", (PY, str(script)), console=con, timeout=1.0, kill_grace=0.5, environ=os.environ
    )
    assert time.monotonic() - started < 10
    assert result.status == "timeout" and result.reason == "timed out after 1.0 s"
    assert result.tail == ("warming up",)
    grandchild = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(grandchild):
        time.sleep(0.05)
    assert not _alive(grandchild)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_quiet_command_gets_an_elapsed_heartbeat(tmp_path: Path) -> None:
    con, out = console()
    run_command(
        "quiet", (PY, "-c", "import time; time.sleep(0.7)"), console=con, environ=os.environ
    )
    assert "perf-gate: quiet still running (0." in out.getvalue()


def test_peak_memory_of_the_child_is_measured(tmp_path: Path) -> None:
    con, _ = console()
    small = run_command("small", (PY, "-c", "pass"), console=con, environ=os.environ)
    # 80 MB touched by a grandchild under a shell: wait4 sees descendants too.
    big = run_command(
        "big",
        f"{PY} -c 'b = bytearray(80_000_000); b[::4096] = b\"x\" * len(b[::4096])'",
        console=con,
        environ=os.environ,
    )
    assert small.peak_rss_mb is not None and big.peak_rss_mb is not None
    assert big.peak_rss_mb > small.peak_rss_mb + 60


def test_a_command_that_cannot_start_is_an_error_not_a_crash(tmp_path: Path) -> None:
    con, _ = console()
    result = run_command(
        "nope", (str(tmp_path / "missing-binary"),), console=con, environ=os.environ
    )
    assert result.status == "error" and result.reason.startswith("could not start")


def bench_config(tmp_path: Path, **extra: object) -> dict[str, object]:
    write_script(
        tmp_path / "cpu_bench.py", LIBTEST_BENCH.format(delay=0, ns=1234) + CRITERION_TERMINAL
    )
    write_script(tmp_path / "xtask.py", XTASK.format(device="cpu"))
    write_script(tmp_path / "xtask_gpu.py", XTASK.format(device="cuda"))
    write_script(
        tmp_path / "broken.py",
        "import sys\nprint('error[E0425]: cannot find value')\nsys.exit(101)\n",
    )
    return {
        "benchmarks": [
            {
                "name": "cpu-bench",
                "command": f"{PY} cpu_bench.py",
                "device": "cpu",
                "log": "cpu-bench.log",
                "results": "cpu-bench.log",
                "timeout": "5m",
            },
            {
                "name": "xtask-cpu",
                "command": [PY, "xtask.py", "--json", "crossval-perf.json"],
                "results": "crossval-perf.json",
            },
            {
                "name": "broken",
                "command": f"{PY} broken.py",
                "results": "nothing-here.json",
            },
            {
                "name": "gpu-bench",
                "command": [PY, "xtask_gpu.py", "--json", "gpu.json"],
                "device": "gpu",
                "log": "gpu-bench.log",
                "results": "gpu.json",
            },
        ],
        **extra,
    }


def test_one_failing_command_does_not_take_the_others_down(tmp_path: Path) -> None:
    config = config_from_mapping(bench_config(tmp_path))
    con, out = console()
    doc, _ = execute(
        config,
        root=tmp_path,
        output_dir=tmp_path / "out",
        console=con,
        hardware=CPU_ONLY,
        environ={**os.environ, "GITHUB_SHA": "c" * 40},
    )
    status = {c["name"]: c["status"] for c in doc["commands"]}
    assert status == {
        "cpu-bench": "ok",
        "xtask-cpu": "ok",
        "broken": "failed",
        "gpu-bench": "skipped",
    }
    gpu = next(c for c in doc["commands"] if c["name"] == "gpu-bench")
    assert gpu["reason"] == "no-gpu-available"
    names = {(m["name"], m.get("device")) for m in doc["metrics"]}
    assert ("i2s_dequantize_avx2", "cpu") in names
    assert ("i2s_quantize/1024", "cpu") in names
    assert ("inference", "cpu") in names
    assert ("cpu-bench peak memory", "cpu") in names
    assert ("broken peak memory", "cpu") in names
    broken = [f for f in doc["findings"] if f["source"] == "broken"]
    assert {f["code"] for f in broken} == {"results-missing", "command-failed"}
    assert any("cannot find value" in f["message"] for f in broken)
    assert doc["commit"] == "c" * 40
    assert doc["formats"] == ["criterion-log", "xtask-benchmark"]
    assert (tmp_path / "cpu-bench.log").is_file()
    assert (
        (tmp_path / "out" / "memory-usage.txt")
        .read_text()
        .splitlines()[1]
        .startswith("cpu-bench: ")
    )
    kinds = {(a["path"], a["kind"]) for a in doc["artifacts"]}
    assert ("cpu-bench.log", "log") in kinds
    assert ("out/memory-usage.txt", "memory") in kinds  # relative to the workspace
    assert "gpu-bench.log" not in {a["path"] for a in doc["artifacts"]}
    assert "perf-gate: gpu-bench skipped (no-gpu-available: nvidia-smi not found)" in out.getvalue()


def test_gpu_commands_run_when_a_gpu_is_there(tmp_path: Path) -> None:
    config = config_from_mapping(bench_config(tmp_path))
    doc, _ = execute(
        config,
        root=tmp_path,
        output_dir=tmp_path / "out",
        console=console()[0],
        hardware=WITH_GPU,
        only=["gpu-bench"],
        environ=os.environ,
    )
    assert [c["status"] for c in doc["commands"]] == ["ok"]
    assert {m["device"] for m in doc["metrics"]} == {"gpu"}


def test_profiles_lying_around_are_listed_as_artifacts(tmp_path: Path) -> None:
    (tmp_path / "perf-profile.svg").write_text("<svg/>")
    config = config_from_mapping(bench_config(tmp_path))
    doc, _ = execute(
        config,
        root=tmp_path,
        output_dir=tmp_path / "out",
        console=console()[0],
        hardware=CPU_ONLY,
        only=["xtask-cpu"],
        environ=os.environ,
    )
    profile = next(a for a in doc["artifacts"] if a["kind"] == "profile")
    assert profile["path"] == "perf-profile.svg" and len(profile["sha256"]) == 64


def test_config_schema_rejects_a_benchmark_without_command() -> None:
    with pytest.raises(ConfigError, match=r"'command' is a required property"):
        config_from_mapping({"benchmarks": [{"name": "x"}]})
    with pytest.raises(ConfigError, match="is not valid"):
        config_from_mapping({"benchmarks": [{"name": "x", "command": "y", "timeout": "soon"}]})


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "perf_gate", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_run_then_finalize_judges_cpu_and_skips_gpu(
    tmp_path: Path, write_config: Callable[..., Path], fake_smi: Callable[[str | None], Path]
) -> None:
    fake_smi("no-devices")
    doc = bench_config(tmp_path)
    doc["benchmarks"] = [b for b in doc["benchmarks"] if b["name"] != "broken"]  # type: ignore[attr-defined]
    write_config(doc)
    ran = run_cli("run", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert "next: perf-gate finalize --current perf-gate-out/perf-run.json" in ran.stdout
    record = read_manifest(tmp_path / "perf-gate-out" / "perf-run.json")
    assert record.hardware is not None
    assert record.hardware.gpu_problem == "nvidia-smi: no NVIDIA GPU found"

    baseline = tmp_path / "baseline.json"
    baseline.write_text(
        json.dumps(
            [
                {
                    "name": "inference",
                    "unit": "tok/s",
                    "value": 44.0,
                    "device": "cpu",
                    "kind": "inference",
                },
                {
                    "name": "inference",
                    "unit": "tok/s",
                    "value": 150.0,
                    "device": "gpu",
                    "kind": "inference",
                },
            ]
        )
    )
    fin = run_cli(
        "finalize",
        "--current",
        "perf-gate-out/perf-run.json",
        "--baseline",
        str(baseline),
        "--no-publish",
        cwd=tmp_path,
    )
    assert fin.returncode == 0, fin.stderr + fin.stdout
    receipt = json.loads((tmp_path / "perf-gate-out" / "perf-receipt.json").read_text())
    rows = {(m["name"], m["device"]): m for m in receipt["metrics"]}
    assert rows[("inference", "gpu")]["status"] == "skipped"
    assert rows[("inference", "gpu")]["explanation"] == "no-gpu-available"
    assert rows[("inference", "cpu")]["status"] == "pass"
    assert receipt["gate"]["status"] == "pass"
    assert receipt["route"]["next"] == "review-docs-reviewer"
    assert receipt["hardware"]["current"][0]["gpu_problem"] == "nvidia-smi: no NVIDIA GPU found"
    paths = {a["path"] for a in receipt["artifacts"]}
    assert {
        "cpu-bench.log",
        "perf-gate-out/perf-receipt.json",
        "perf-gate-out/memory-usage.txt",
    } <= paths
    summary = (tmp_path / "perf-gate-out" / "perf-summary.md").read_text()
    assert "skipped (no-gpu-available)" in summary
    assert "'gpu-bench' was skipped (no-gpu-available)" in summary
    # the Hardware section is the machine perf-gate run recorded, with the fallback taken
    hardware = summary.split("### Hardware", 1)[1].split("###", 1)[0]
    assert "Hardware recorded by perf-gate run (perf-run.json)." in hardware
    assert "- **GPU:** none usable (nvidia-smi: no NVIDIA GPU found)" in hardware
    assert "→ CPU-only validation" in hardware and "Not recorded" not in hardware
    assert receipt["hardware"]["section"]["simd"].startswith("avx2: ")
    # the Receipts section: the run's log and memory file, found from its workspace
    files = {f["path"]: f for f in receipt["receipts"]["files"]}
    assert {"cpu-bench.log", "perf-gate-out/memory-usage.txt"} <= set(files)
    log = (tmp_path / "cpu-bench.log").read_bytes()
    assert files["cpu-bench.log"]["size"] == len(log)
    assert "gpu-bench.log" in receipt["receipts"]["missing"]


def test_expected_gpu_missing_routes_to_the_troubleshooter(
    tmp_path: Path, write_config: Callable[..., Path], fake_smi: Callable[[str | None], Path]
) -> None:
    fake_smi("no-driver")
    doc = bench_config(tmp_path, gpu={"expected": True})
    doc["benchmarks"] = [b for b in doc["benchmarks"] if b["name"] in ("xtask-cpu", "gpu-bench")]  # type: ignore[attr-defined]
    write_config(doc)
    assert run_cli("run", cwd=tmp_path).returncode == 0
    fin = run_cli(
        "finalize",
        "--config",
        ".perf-gate.yml",
        "--current",
        "perf-gate-out/perf-run.json",
        "--no-publish",
        cwd=tmp_path,
    )
    receipt = json.loads((tmp_path / "perf-gate-out" / "perf-receipt.json").read_text())
    assert receipt["route"]["next"] == "gpu-troubleshooter", fin.stdout
    assert "NVIDIA driver not loaded or not reachable" in receipt["route"]["reason"]


def test_cuda_error_in_a_gpu_command_routes_to_the_troubleshooter(
    tmp_path: Path, write_config: Callable[..., Path], fake_smi: Callable[[str | None], Path]
) -> None:
    fake_smi("h100")
    write_script(
        tmp_path / "cuda_fail.py",
        """
        import sys
        print("thread 'main' panicked at crates/bitnet-kernels/src/gpu/cuda.rs:88:14:")
        print("CUDA error: CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected")
        sys.exit(101)
        """,
    )
    write_config(
        {"benchmarks": [{"name": "gpu-bench", "command": f"{PY} cuda_fail.py", "device": "gpu"}]}
    )
    assert run_cli("run", cwd=tmp_path).returncode == 0
    fin = run_cli(
        "finalize", "--current", "perf-gate-out/perf-run.json", "--no-publish", cwd=tmp_path
    )
    assert fin.returncode == 1
    receipt = json.loads((tmp_path / "perf-gate-out" / "perf-receipt.json").read_text())
    assert receipt["route"]["next"] == "gpu-troubleshooter"
    assert "CUDA_ERROR_NO_DEVICE" in receipt["route"]["reason"]
    assert receipt["context"]["commands"][0]["tail"][-1].startswith("CUDA error")


def test_unknown_only_name_is_a_usage_error(
    tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    write_config({"benchmarks": [{"name": "a", "command": "true"}]})
    result = run_cli("run", "--only", "b", cwd=tmp_path)
    assert result.returncode == 2
    assert "no benchmark named 'b' in the config (known: a)" in result.stderr


def test_unstartable_command_exits_5_after_writing_the_manifest(
    tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    write_config({"benchmarks": [{"name": "a", "command": ["./no-such-binary"]}]})
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 5
    assert "could not run a (could not start" in result.stderr
    assert (tmp_path / "perf-gate-out" / "perf-run.json").is_file()


def test_a_config_without_benchmarks_has_nothing_to_run(
    tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    write_config({"gate": {"threshold": 5}})
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "nothing to run: the config has no benchmarks:" in result.stderr


def test_a_daemon_left_behind_does_not_hang_the_run(tmp_path: Path) -> None:
    script = write_script(
        tmp_path / "daemonises.py",
        f"""
        import subprocess
        subprocess.Popen([{PY!r}, "-c", "import time; time.sleep(3)"], start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print("started a server")
        """,
    )
    con, _ = console()
    started = time.monotonic()
    result = run_command(
        "daemon", (PY, str(script)), console=con, kill_grace=0.5, environ=os.environ
    )
    assert result.status == "ok" and time.monotonic() - started < 2.5


def test_the_entry_point_says_whether_output_is_folded(
    tmp_path: Path,
    write_config: Callable[..., Path],
    fake_smi: Callable[[str | None], Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``GITHUB_ACTIONS`` comes from the environment ``main`` is given, not from os.environ."""
    fake_smi("no-devices")
    doc = bench_config(tmp_path)
    doc["benchmarks"] = [b for b in doc["benchmarks"] if b["name"] == "xtask-cpu"]  # type: ignore[attr-defined]
    write_config(doc)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert main(["run"], {**os.environ, "GITHUB_ACTIONS": "true"}) == 0
    assert "::group::perf-gate: xtask-cpu [cpu]" in capsys.readouterr().out
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["run"], {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}) == 0
    plain = capsys.readouterr().out
    assert "::group::" not in plain and "── perf-gate: xtask-cpu [cpu] ──" in plain
