"""The Hardware section: the recorded machine, or what the inputs hold, and the fallbacks."""

from __future__ import annotations

from perf_gate.core.model import Kind, Metric, RunSet
from perf_gate.inputs.hardware import NO_GPU, Gpu, Hardware
from perf_gate.judge.precision import check_precision
from perf_gate.judge.verdict import Row, Status, Threshold
from perf_gate.report.gate_inputs import recorded_machines
from perf_gate.report.hardware_section import NOT_RECORDED, hardware_section, precision_text

CPU = Hardware(cpu_model="AMD EPYC 7763", cores=4, simd=("avx2",), memory_mb=16_000, arch="x86_64")


def gpu_machine(cap: str) -> Hardware:
    gpu = Gpu("NVIDIA T4", driver_version="535.104.05", memory_mb=16_106.1, compute_cap=cap)
    return Hardware(
        cpu_model="Xeon", cores=8, simd=("avx512", "avx2"), gpus=(gpu,), cuda_version="12.2"
    )


def metric(name: str, kind: Kind = Kind.TIMING, device: str | None = None) -> Metric:
    return Metric(name, 1.0, "ns", kind, "lower", device=device)  # type: ignore[arg-type]


def skipped(name: str, reason: str) -> Row:
    m = metric(name, device="gpu")
    threshold = Threshold(direction="lower", unit="ns", source="run")
    return Row(m, m, None, threshold, Status.SKIPPED, reason, "none")


def precision_skipped(name: str) -> Row:
    """The row the judge itself skips for a precision the GPU lacks."""
    run = RunSet((metric(name, device="gpu"),))
    (row,) = check_precision(run, [run], [gpu_machine("7.5")]).skipped
    return row


def test_a_recorded_cpu_machine_names_its_simd_and_leaves_the_gpu_fields_out() -> None:
    section = hardware_section([CPU], "perf-gate run (perf-run.json)", [], [metric("a")], [])
    assert section.source == "recorded by perf-gate run (perf-run.json)"
    assert section.cpu == "AMD EPYC 7763, 4 cores, 16 GB RAM, x86_64"
    assert section.simd == "avx2: yes, avx512: no, neon: no"
    assert section.gpu == "none"
    assert [label for label, _ in section.items()] == ["CPU", "SIMD", "GPU"]
    assert section.not_recorded == ""
    assert section.fallbacks == ()


def test_bf16_needs_compute_capability_8_and_fp16_is_fast_on_turing() -> None:
    turing = hardware_section([gpu_machine("7.5")], "x", [], [], [])
    assert turing.gpu == "NVIDIA T4 (16 GB)"
    assert (turing.driver, turing.cuda, turing.compute_capability) == ("535.104.05", "12.2", "7.5")
    assert turing.mixed_precision == (
        "BF16: no (needs 8.0), FP16 fast: yes (compute capability 7.5)"
    )
    assert precision_text(["8.6"]).startswith("BF16: yes, FP16 fast: yes")
    assert precision_text(["6.1"]).startswith("BF16: no (needs 8.0), FP16 fast: no")
    assert precision_text(["8.6", "6.1"]).endswith("(compute capability 6.1)")  # weakest decides
    assert precision_text([""]) == NOT_RECORDED


def test_an_unusable_gpu_says_why() -> None:
    broken = Hardware(cpu_model="Xeon", gpu_problem="nvidia-smi not found (no NVIDIA driver)")
    section = hardware_section([broken], "x", [], [], [])
    assert section.gpu == "none usable (nvidia-smi not found (no NVIDIA driver))"


def test_without_a_record_the_inputs_speak_and_the_rest_is_not_recorded() -> None:
    said = [
        {
            "backend": "cuda",
            "cpu": "Intel(R) Core(TM) i7-9700K",
            "kernels": "i2s_gemv,tl1_lookup_neon,i2s_matmul_avx2",
            "file": "inference.json",
        }
    ]
    metrics = [metric("inference", Kind.INFERENCE, "gpu")]
    section = hardware_section([], "", said, metrics, [])
    assert section.source.startswith("not recorded: the benchmarks ran outside perf-gate run")
    assert section.cpu == "Intel(R) Core(TM) i7-9700K (from inference.json)"
    assert section.simd == "availability not recorded; kernels that ran: avx2, neon"
    assert (
        section.gpu == "the inputs hold GPU results (backend: cuda); the GPU itself is not recorded"
    )
    assert section.not_recorded == "Driver, CUDA, Compute capability, Mixed precision"
    nothing = hardware_section([], "", [], [metric("a")], [])
    assert nothing.items() == []
    assert nothing.not_recorded.startswith("CPU, SIMD, GPU, Driver")


def test_the_finalize_machine_is_not_presented_as_the_benchmark_machine() -> None:
    detected_here = [gpu_machine("9.0")]  # what finalize detects when a GPU is expected
    assert recorded_machines(detected_here, [], None) == ((), "")


def test_fallbacks_name_cpu_only_validation_and_build_and_test_timing() -> None:
    rows = [skipped("inference", NO_GPU), precision_skipped("gemm_bf16")]
    timing = [metric("cargo build", Kind.BUILD_TIME), metric("tests", Kind.TEST_TIME)]
    section = hardware_section([CPU], "x", [], timing, rows)
    assert section.fallbacks == (
        "no usable GPU: 1 GPU row(s) skipped (no-gpu-available) → CPU-only validation",
        "1 mixed-precision row(s) skipped: not supported on this GPU",
        "benchmark data missing → test and build timing (method: test_timing)",
    )
    ran = hardware_section([CPU], "x", [], [metric("a")], [], fallback_used=True)
    assert ran.fallbacks == (
        "benchmark data missing → test and build timing (method: test_timing)",
    )
    assert hardware_section([CPU], "x", [], [metric("a")], []).fallbacks == ()
