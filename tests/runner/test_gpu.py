"""GPU runs as they really are (issue 18): CUDA errors, GPU memory, GPU state, devices.

No GPU is needed: a stand-in ``nvidia-smi`` (``gpu_smi`` in conftest) prints what driver
580 prints on an H200, and an NVML shim answers like ``pynvml``.
"""

from __future__ import annotations

import json
import time
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from perf_gate.core.config import config_from_mapping
from perf_gate.core.errors import ConfigError
from perf_gate.inputs.gpu_errors import cuda_trouble, first_trouble
from perf_gate.inputs.gpu_monitor import GpuMonitor
from perf_gate.inputs.gpu_state import (
    GpuEvidence,
    evidence_from_dict,
    gpu_conditions,
    parse_apps_csv,
    parse_state_csv,
    take_snapshot,
)
from perf_gate.inputs.process import CommandResult
from perf_gate.inputs.run_record import gpu_problem, read_manifest
from perf_gate.inputs.smi import CommandOutput

from .conftest import PY, STATE_HOT, STATE_IDLE, write_script
from .test_runner import run_cli

# -- item 1: what real GPU stacks print ------------------------------------------------

REAL_GPU_ERRORS = (
    "RuntimeError: No CUDA GPUs are available",
    "torch.AcceleratorError: CUDA error: no kernel image is available for execution on the device",
    "RuntimeError: Found no NVIDIA driver on your system. Please check that you have an "
    "NVIDIA GPU and installed a driver from http://www.nvidia.com/Download/index.aspx",
    "CUDA runtime error: cudaErrorNoDevice",
    "cudaErrorInsufficientDriver: CUDA driver version is insufficient for CUDA runtime version",
    "CUDA driver error: CUDA_ERROR_NOT_INITIALIZED",
    "CUDA driver version is insufficient for CUDA runtime version",
    "Failed to initialize NVML: Driver/library version mismatch",
    'called `Result::unwrap()` on an `Err` value: DriverError(CUDA_ERROR_NO_DEVICE, "no '
    'CUDA-capable device is detected")',
    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure "
    "that the latest NVIDIA driver is installed and running.",
)
CODE_ERRORS = (
    "AssertionError: assert 3 == 4",
    "RuntimeError: mat1 and mat2 shapes cannot be multiplied (4x3 and 4x3)",
    "ValueError: expected a CUDA-style layout string",
    "FAILED tests/test_kernels.py::test_matmul - IndexError: list index out of range",
)


@pytest.mark.parametrize("line", REAL_GPU_ERRORS)
def test_real_gpu_errors_are_recognised(line: str) -> None:
    assert cuda_trouble(line)


@pytest.mark.parametrize("line", CODE_ERRORS)
def test_errors_of_the_code_are_not_gpu_trouble(line: str) -> None:
    assert not cuda_trouble(line)


def test_the_exception_line_is_the_reason_not_the_source_line_quoting_it() -> None:
    traceback = [
        '  File "/site-packages/torch/cuda/__init__.py", line 372, in _lazy_init',
        '    raise RuntimeError("No CUDA GPUs are available")',
        "E       RuntimeError: No CUDA GPUs are available",
    ]
    assert first_trouble(traceback) == "E       RuntimeError: No CUDA GPUs are available"
    assert first_trouble(traceback[:2]) == 'raise RuntimeError("No CUDA GPUs are available")'
    assert first_trouble(["all good"]) == ""


GPU_EXPECTED = config_from_mapping({"version": 1, "gpu": {"expected": True}})


def gpu_command(**fields: object) -> CommandResult:
    base: dict[str, object] = {
        "name": "gpu-bench",
        "command": "pytest",
        "device": "gpu",
        "status": "ok",
        "exit_code": 0,
    }
    return CommandResult(**{**base, **fields})  # type: ignore[arg-type]


def test_gpu_command_exiting_0_without_a_gpu_metric_is_a_gpu_problem(tmp_path: Path) -> None:
    from perf_gate.core.model import RunSet
    from perf_gate.inputs.run_record import RunRecord

    def record(cmd: CommandResult) -> RunRecord:
        return RunRecord("perf-run.json", RunSet(()), None, (cmd,), (), (), False, "")

    none = record(gpu_command(gpu_metrics=0))
    problem = gpu_problem(GPU_EXPECTED, [], [none])
    assert problem is not None and "exited 0 without producing any GPU metric" in problem
    assert gpu_problem(GPU_EXPECTED, [], [record(gpu_command(gpu_metrics=2))]) is None
    no_gpu_expected = config_from_mapping({"version": 1})
    assert gpu_problem(no_gpu_expected, [], [none]) is None


def test_pytorch_error_scrolled_out_of_the_tail_still_routes_to_the_troubleshooter(
    tmp_path: Path, write_config: Callable[..., Path], gpu_smi: Callable[..., Path]
) -> None:
    """CUDA_VISIBLE_DEVICES="": pytest prints the RuntimeError, then a long summary."""
    gpu_smi({"states": [STATE_IDLE]})
    write_script(
        tmp_path / "torch_tests.py",
        """
        import sys
        print("tests/test_matmul.py F.")
        print("E       RuntimeError: No CUDA GPUs are available")
        for i in range(40):
            print(f"  /site-packages/torch/cuda/__init__.py:{i}: in _lazy_init")
        print("FAILED tests/test_matmul.py::test_matmul[bf16]")
        print("1 failed, 1 passed in 2.31s")
        sys.exit(1)
        """,
    )
    write_config(
        {
            "gpu": {"expected": True},
            "benchmarks": [
                {"name": "gpu-bench", "command": f"{PY} torch_tests.py", "device": "gpu"}
            ],
        }
    )
    assert run_cli("run", cwd=tmp_path).returncode == 0
    fin = run_cli(
        "finalize", "--current", "perf-gate-out/perf-run.json", "--no-publish", cwd=tmp_path
    )
    receipt = json.loads((tmp_path / "perf-gate-out" / "perf-receipt.json").read_text())
    assert receipt["route"]["next"] == "gpu-troubleshooter", fin.stdout
    assert "No CUDA GPUs are available" in receipt["route"]["reason"]


# -- item 6 with item 1: devices by metric name -----------------------------------------

PYTEST_BENCHMARK = """\
import json, os, time
deadline = time.monotonic() + 30  # wait for the stand-in sampler's rounds (a loaded machine)
while not os.path.exists("gpu-bin/sampled") and time.monotonic() < deadline:
    time.sleep(0.05)
names = {names!r}
doc = {{"machine_info": {{}}, "commit_info": {{}}, "version": "4.0.0", "datetime": "2026-11-30",
       "benchmarks": [{{"group": None, "name": n, "fullname": "tests/test_torch.py::" + n,
                        "params": None, "param": None, "extra_info": {{}}, "options": {{}},
                        "stats": {{"min": s, "max": s, "mean": s, "stddev": 0.0, "rounds": 1,
                                  "median": s, "iqr": 0.0, "q1": s, "q3": s, "iqr_outliers": 0,
                                  "stddev_outliers": 0, "outliers": "0;0", "ld15iqr": s,
                                  "hd15iqr": s, "ops": 1 / s, "total": s, "iterations": 1,
                                  "data": [s]}}}}
                      for n, s in names.items()]}}
json.dump(doc, open("bench.json", "w"))
"""


def mixed_suite(tmp_path: Path, names: dict[str, float], **extra: object) -> dict[str, object]:
    write_script(tmp_path / "suite.py", PYTEST_BENCHMARK.format(names=names))
    return {
        "benchmarks": [
            {
                "name": "torch",
                "command": f"{PY} suite.py",
                "device": "gpu",
                "results": "bench.json",
                "format": "pytest-benchmark",
                **extra,
            }
        ]
    }


def test_devices_map_metric_names_so_a_cpu_test_in_a_gpu_run_is_labelled_cpu(
    tmp_path: Path, write_config: Callable[..., Path], gpu_smi: Callable[..., Path]
) -> None:
    gpu_smi({"states": [STATE_IDLE]})
    doc = mixed_suite(
        tmp_path,
        {"test_matmul_bf16": 0.002, "test_cpu_tokenizer": 0.01},
        devices={"cpu": ["*::test_cpu_*"]},
    )
    write_config({"gpu": {"expected": True}, **doc})
    assert run_cli("run", cwd=tmp_path).returncode == 0
    record = read_manifest(tmp_path / "perf-gate-out" / "perf-run.json")
    devices = {m.name.split("::")[-1]: m.device for m in record.run.metrics}
    assert devices["test_matmul_bf16"] == "gpu"
    assert devices["test_cpu_tokenizer"] == "cpu"
    assert record.commands[0].gpu_metrics == 1


def test_gpu_command_that_ran_only_cpu_tests_routes_to_the_troubleshooter(
    tmp_path: Path, write_config: Callable[..., Path], gpu_smi: Callable[..., Path]
) -> None:
    """The GPU tests were skipped (no device), pytest exited 0 with the CPU test alone."""
    gpu_smi({"states": [STATE_IDLE]})
    doc = mixed_suite(tmp_path, {"test_cpu_tokenizer": 0.01}, devices={"cpu": ["*::test_cpu_*"]})
    write_config({"gpu": {"expected": True}, **doc})
    assert run_cli("run", cwd=tmp_path).returncode == 0
    args = ("--config", ".perf-gate.yml", "--current", "perf-gate-out/perf-run.json")
    run_cli("finalize", *args, "--no-publish", cwd=tmp_path)
    receipt = json.loads((tmp_path / "perf-gate-out" / "perf-receipt.json").read_text())
    assert receipt["route"]["next"] == "gpu-troubleshooter"
    assert "exited 0 without producing any GPU metric" in receipt["route"]["reason"]


def test_config_schema_rejects_an_unknown_device_in_devices() -> None:
    with pytest.raises(ConfigError):
        config_from_mapping(
            {"version": 1, "benchmarks": [{"name": "b", "command": "x", "devices": {"tpu": "*"}}]}
        )


# -- item 2: a run as its own baseline ---------------------------------------------------


def test_a_perf_run_json_and_its_folder_are_baselines(
    tmp_path: Path, write_config: Callable[..., Path], gpu_smi: Callable[..., Path]
) -> None:
    gpu_smi({"states": [STATE_IDLE]})
    write_config(mixed_suite(tmp_path, {"test_matmul_fp32": 0.004}))
    assert run_cli("run", "--output-dir", "run1", cwd=tmp_path).returncode == 0
    ran = run_cli("run", "--output-dir", "run2", cwd=tmp_path)
    assert "next: perf-gate finalize --current run2/perf-run.json --baseline" in ran.stdout
    for baseline in ("run1/perf-run.json", "run1"):
        fin = run_cli(
            "finalize",
            "--current",
            "run2/perf-run.json",
            "--baseline",
            baseline,
            "--output-dir",
            "out",
            "--no-publish",
            cwd=tmp_path,
        )
        assert fin.returncode == 0, fin.stderr + fin.stdout
        receipt = json.loads((tmp_path / "out" / "perf-receipt.json").read_text())
        rows = {m["name"].split("::")[-1]: m for m in receipt["metrics"]}
        assert rows["test_matmul_fp32"]["status"] == "pass"
        assert receipt["baseline"]["source"] == baseline
        assert receipt["baseline"]["hardware"][0]["gpus"][0]["name"] == "NVIDIA H200"


# -- items 4 and 5: GPU memory and GPU state ---------------------------------------------


def test_state_line_of_driver_580_is_read() -> None:
    (gpu,) = parse_state_csv(STATE_HOT + "\n")
    assert (gpu.index, gpu.sm_clock_mhz, gpu.mem_clock_mhz) == (0, 1275.0, 3201.0)
    assert (gpu.temperature_c, gpu.power_draw_w, gpu.power_limit_w) == (89.0, 698.4, 700.0)
    assert gpu.persistence_mode == "Enabled" and gpu.ecc_uncorrected == 0.0
    assert gpu.throttling() == ["software power cap", "software thermal slowdown"]
    (idle,) = parse_state_csv(STATE_IDLE)
    assert idle.throttling() == []  # GPU idle is not a slowdown
    na = "0, 1980 MHz, 3201 MHz, 40, [N/A], [N/A], 0x0000000000000000, Disabled, [N/A], 10 MiB"
    assert parse_state_csv(na)[0].power_draw_w is None
    with pytest.raises(ValueError, match="unexpected nvidia-smi line"):
        parse_state_csv("NVIDIA H200, 580.159.04")


def test_compute_apps_are_read() -> None:
    apps = parse_apps_csv("4242, /usr/bin/python3, 81920 MiB\nNo running processes found\n")
    assert [(p.pid, p.name, p.used_memory_mb) for p in apps] == [
        (4242, "/usr/bin/python3", 85899.3)
    ]


def test_old_drivers_are_asked_for_clocks_throttle_reasons() -> None:
    asked: list[str] = []

    def run(argv: object, timeout: float) -> CommandOutput:
        query = str(list(argv)[1])  # type: ignore[call-overload]
        asked.append(query)
        if "clocks_event_reasons" in query:
            return CommandOutput(2, 'Field "clocks_event_reasons.active" is not a valid field.')
        if "compute-apps" in query:
            return CommandOutput(0, "")
        return CommandOutput(0, STATE_IDLE + "\n")

    snap = take_snapshot("nvidia-smi", run)
    assert snap.problem is None and snap.gpus[0].throttle_reasons == "0x0000000000000001"
    assert "clocks_throttle_reasons.active" in asked[1]


def test_failed_state_query_is_a_one_line_problem() -> None:
    def run(argv: object, timeout: float) -> CommandOutput:
        return CommandOutput(18, "Failed to initialize NVML: Driver/library version mismatch")

    snap = take_snapshot("nvidia-smi", run)
    assert snap.problem == "nvidia-smi: NVIDIA driver/library version mismatch"


def test_monitor_samples_peak_memory_and_state_through_nvidia_smi(
    gpu_smi: Callable[..., Path],
) -> None:
    smi = gpu_smi(
        {
            "states": [STATE_IDLE, STATE_HOT],
            "samples": ["512, 345", "40960, 1980", "81920, 1965", "1024, 1410"],
            "apps": ["999, /usr/bin/other-job, 2048 MiB"],
        }
    )
    monitor = GpuMonitor(str(smi), interval_ms=20, nvml=lambda: None)
    monitor.start()
    deadline = time.monotonic() + 30
    while not (smi.parent / "sampled").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    evidence = monitor.stop()
    assert evidence.sampled_with == "nvidia-smi" and evidence.samples >= 4
    assert evidence.peak_memory_mb == round(81920 * 1.048576, 1)
    assert evidence.sm_clock_max_mhz == 1980.0
    assert evidence.start.gpus[0].sm_clock_mhz == 345.0
    assert evidence.end.gpus[0].throttling() == ["software power cap", "software thermal slowdown"]
    assert evidence_from_dict(json.loads(json.dumps(evidence.to_dict()))) == evidence


class _MemoryInfo:
    def __init__(self, used: int) -> None:
        self.total, self.used, self.free = 150_754_820_096, used, 150_754_820_096 - used


def nvml_shim(used: list[int]) -> types.ModuleType:
    """Answers as ``pynvml`` does: bytes in ``nvmlMemory_t``, MHz as int."""
    shim = types.ModuleType("pynvml")
    calls = iter(used)
    last = [used[0]]

    def memory(handle: object) -> _MemoryInfo:
        last[0] = next(calls, last[0])
        return _MemoryInfo(last[0])

    shim.NVML_CLOCK_SM = 1  # type: ignore[attr-defined]
    shim.nvmlInit = lambda: None  # type: ignore[attr-defined]
    shim.nvmlShutdown = lambda: None  # type: ignore[attr-defined]
    shim.nvmlDeviceGetCount = lambda: 1  # type: ignore[attr-defined]
    shim.nvmlDeviceGetHandleByIndex = lambda i: f"handle{i}"  # type: ignore[attr-defined]
    shim.nvmlDeviceGetMemoryInfo = memory  # type: ignore[attr-defined]
    shim.nvmlDeviceGetClockInfo = lambda h, clock: 1980  # type: ignore[attr-defined]
    return shim


def test_monitor_prefers_nvml(gpu_smi: Callable[..., Path]) -> None:
    smi = gpu_smi({"states": [STATE_IDLE]})
    shim = nvml_shim([500_000_000, 9_000_000_000, 2_000_000_000])
    monitor = GpuMonitor(str(smi), interval_ms=10, nvml=lambda: shim)
    monitor.start()
    time.sleep(0.1)
    evidence = monitor.stop()
    assert evidence.sampled_with == "nvml"
    assert evidence.peak_memory_mb == 9000.0 and evidence.sm_clock_max_mhz == 1980.0


def test_gpu_command_records_peak_gpu_memory_state_and_a_leak(
    tmp_path: Path, write_config: Callable[..., Path], gpu_smi: Callable[..., Path]
) -> None:
    leak_end = STATE_IDLE.replace(" 0 MiB", " 3000 MiB")
    gpu_smi({"states": [STATE_IDLE, leak_end], "samples": ["0, 345", "20480, 1980"]})
    write_config(mixed_suite(tmp_path, {"test_matmul_fp32": 0.004}))
    assert run_cli("run", cwd=tmp_path).returncode == 0
    record = read_manifest(tmp_path / "perf-gate-out" / "perf-run.json")
    metrics = {m.name: m for m in record.run.metrics}
    peak = metrics["torch peak GPU memory"]
    assert (peak.device, peak.kind.value, peak.value) == ("gpu", "memory", 21474.8)
    gpu = record.commands[0].gpu
    assert gpu is not None and gpu.memory_before_mb == 0.0 and gpu.memory_after_mb == 3145.7
    assert gpu.start.gpus[0].persistence_mode == "Enabled"
    leak = [f for f in record.run.findings if f.code == "gpu-memory-after"]
    assert leak and "rose from 0 MB before the command to 3,146 MB" in leak[0].message


def test_gpu_conditions_name_throttling_foreign_processes_and_clocks() -> None:
    hot = GpuEvidence(
        start=take_snapshot("x", lambda a, t: CommandOutput(0, STATE_IDLE)),
        end=take_snapshot(
            "x",
            lambda a, t: CommandOutput(
                0, "7, python3, 10 MiB" if "compute-apps" in a[1] else STATE_HOT
            ),
        ),
        sm_clock_max_mhz=1410.0,
    )
    base = GpuEvidence(sm_clock_max_mhz=1980.0)
    text = gpu_conditions([base], [hot])
    assert text is not None
    assert "GPU 0 throttled at the end (software power cap, software thermal slowdown)" in text
    assert "other processes on the GPU at the end: python3 (pid 7)" in text
    assert "SM clock 1980 MHz in the baseline, 1410 MHz now" in text
    calm = GpuEvidence(sm_clock_max_mhz=1965.0)
    assert gpu_conditions([base], [calm]) is None


BF16 = "tests/test_torch.py::test_matmul_bf16"


def test_gpu_timing_regression_on_a_throttled_gpu_warns_with_the_reason(
    tmp_path: Path, write_config: Callable[..., Path], gpu_smi: Callable[..., Path]
) -> None:
    gpu_smi({"states": [STATE_IDLE], "samples": ["1024, 1980"]})
    write_config(mixed_suite(tmp_path, {"test_matmul_bf16": 0.002}))
    assert run_cli("run", "--output-dir", "run1", cwd=tmp_path).returncode == 0
    write_script(tmp_path / "suite.py", PYTEST_BENCHMARK.format(names={"test_matmul_bf16": 0.004}))

    def finalize(out: str) -> dict[str, object]:
        run_cli("run", "--output-dir", out, cwd=tmp_path)
        args = ("--current", f"{out}/perf-run.json", "--baseline", "run1", "--output-dir", out)
        run_cli("finalize", *args, "--no-publish", cwd=tmp_path)
        return json.loads((tmp_path / out / "perf-receipt.json").read_text())  # type: ignore[no-any-return]

    calm = finalize("calm")  # the same GPU state: a 2x slowdown fails
    assert {m["name"]: m["status"] for m in calm["metrics"]}[BF16] == "fail"
    gpu_smi({"states": [STATE_HOT], "samples": ["1024, 1275"]})
    hot = finalize("hot")
    row = {m["name"]: m for m in hot["metrics"]}[BF16]  # type: ignore[attr-defined]
    assert row["status"] == "warn"
    assert "not failing on timing alone: the GPU state: GPU 0 throttled" in row["explanation"]
    assert "SM clock 1980 MHz in the baseline, 1275 MHz now" in row["explanation"]
    summary = (tmp_path / "hot" / "perf-summary.md").read_text()
    assert "GPU state: GPU 0 throttled at the start" in summary
