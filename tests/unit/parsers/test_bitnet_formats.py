"""BitNet.rs receipts, parity receipts, crossval metrics and baselines; honest compute."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from perf_gate.core.model import Kind
from perf_gate.inputs.parsers import parse_file
from perf_gate.inputs.parsers.bitnet_receipt import (
    honesty_findings,
    is_fallback_kernel,
    is_gpu_kernel,
)

FORMATS = Path(__file__).resolve().parents[2] / "fixtures" / "formats"
HONEST: dict[str, Any] = {
    "schema_version": "1.0.0",
    "compute_path": "real",
    "backend": "cpu",
    "tokens_per_second": 44.0,
    "kernels": ["i2s_gemv"],
}


def _codes(**changes: Any) -> list[str]:
    return [f.code for f in honesty_findings({**HONEST, **changes}, "ci/inference.json")]


def test_an_honest_receipt_has_no_findings() -> None:
    assert _codes() == []
    assert _codes(backend="cuda", kernels=["i2s_cpu_quantize", "cublas_gemm"]) == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"compute_path": "mock"}, "compute-path-not-real"),
        ({"compute_path": None}, "compute-path-not-real"),
        ({"kernels": []}, "no-kernels"),
        ({"kernels": None}, "no-kernels"),
        ({"kernels": ["i2s_gemv", "MockMatmul"]}, "mock-kernel"),
        ({"kernels": ["fp32_gemm", "fallback_attention"]}, "fallback-kernels-only"),
        ({"backend": "cuda", "kernels": ["i2s_gemv", "avx2_matmul"]}, "no-gpu-kernel"),
        ({"backend": "CUDA", "kernels": ["tl1_lookup"]}, "no-gpu-kernel"),
    ],
)
def test_a_dishonest_receipt_fails_with_its_reason(changes: dict[str, Any], code: str) -> None:
    assert _codes(**changes) == [code]


@pytest.mark.parametrize(
    "kernel",
    [
        "gemm_fp16",
        "wmma_matmul",
        "cublas_sgemm",
        "cutlass_i2s",
        "cuda_rope",
        "tl1_gpu_lut",
        "tl2_gpu_lut",
        "i2s_quantize",
        "i2s_dequantize",
    ],
)
def test_gpu_kernel_ids(kernel: str) -> None:
    assert is_gpu_kernel(kernel)


@pytest.mark.parametrize("kernel", ["i2s_gemv", "i2s_quantize_avx2", "my_gemm_", "tl1_lookup"])
def test_cpu_kernel_ids_are_not_gpu_kernels(kernel: str) -> None:
    assert not is_gpu_kernel(kernel)


@pytest.mark.parametrize(
    "kernel", ["fp32_matmul", "fallback_attn", "dequant_i2s", "matmul_f32", "i2s_dequant"]
)
def test_fallback_kernel_ids(kernel: str) -> None:
    assert is_fallback_kernel(kernel)


def test_an_inference_receipt_gives_the_throughput_on_its_device() -> None:
    (cpu,) = parse_file(FORMATS / "positive/bitnet-receipt/inference-cpu.json").metrics
    assert (cpu.name, cpu.value, cpu.unit, cpu.kind, cpu.direction, cpu.device) == (
        "inference",
        44.87,
        "tok/s",
        Kind.INFERENCE,
        "higher",
        "cpu",
    )
    (gpu,) = parse_file(FORMATS / "positive/bitnet-receipt/inference-cuda.json").metrics
    assert (gpu.name, gpu.value, gpu.device) == ("inference", 158.2, "gpu")


def test_a_full_receipt_gives_accuracy_tests_latency_memory_and_parity() -> None:
    result = parse_file(FORMATS / "positive/bitnet-receipt/full-receipt.json")
    metrics = {m.name: m for m in result.metrics}
    assert metrics["inference"].value == 43.2  # from performance_baseline
    assert metrics["inference first token latency"].value == 41.5e6
    memory = metrics["peak memory (inference)"]
    assert (memory.value, memory.unit, memory.kind) == (2106.0, "MB", Kind.MEMORY)
    i2s = metrics["I2S accuracy"]
    assert (i2s.value, i2s.unit, i2s.kind, i2s.passed, i2s.tolerance) == (
        0.00008,
        "mse",
        Kind.ACCURACY,
        True,
        0.001,
    )
    assert {"TL1 accuracy", "TL2 accuracy"} <= set(metrics)
    crossval = metrics["crossval parity"]
    assert (crossval.kind, crossval.passed, crossval.tolerance) == (Kind.PARITY, True, 1e-5)
    assert metrics["parity cosine similarity"].value == 0.99991
    assert metrics["parity exact match rate"].direction == "higher"
    assert {m.device for m in result.metrics} == {"cpu"}


def test_a_failed_accuracy_test_is_a_failed_metric(tmp_path: Path) -> None:
    receipt = {
        **HONEST,
        "test_results": {
            "accuracy_tests": {"tl2_accuracy": {"mse": 0.004, "tolerance": 0.001, "passed": False}}
        },
    }
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt))
    metric = {m.name: m for m in parse_file(path).metrics}["TL2 accuracy"]
    assert metric.passed is False


def test_a_parity_receipt_is_one_metric_per_measure_with_rows_as_samples() -> None:
    metrics = {
        m.name: m for m in parse_file(FORMATS / "positive/bitnet-parity/parity.json").metrics
    }
    mse = metrics["parity mse"]
    assert (mse.value, mse.tolerance, mse.passed, mse.kind) == (0.000006, 0.0001, True, Kind.PARITY)
    assert mse.samples == (0.000004, 0.000009, 0.000005)
    kl = metrics["parity kl"]
    assert kl.value == pytest.approx(0.0023) and kl.tolerance == 0.1
    topk = metrics["parity top-k agreement"]
    assert (topk.direction, topk.passed, topk.tolerance) == ("higher", True, None)
    assert dict(topk.meta)["minimum"] == "0.8"
    assert metrics["parity max abs"].value == 0.00027


def test_a_parity_divergence_fails_and_names_the_position() -> None:
    result = parse_file(FORMATS / "failing/bitnet-parity/parity-divergence.json")
    mse = {m.name: m for m in result.metrics}["parity mse"]
    assert mse.passed is False
    (finding,) = result.findings
    assert "position 1" in finding.message


def test_crossval_metrics() -> None:
    metrics = {
        m.name: m
        for m in parse_file(FORMATS / "positive/bitnet-crossval/crossval-metrics.json").metrics
    }
    assert metrics["crossval inference"].value == 157.4
    assert metrics["crossval inference"].device == "gpu"
    accuracy = metrics["crossval accuracy"]
    assert (accuracy.value, accuracy.unit, accuracy.kind) == (
        pytest.approx(99.61),
        "%",
        Kind.ACCURACY,
    )
    assert metrics["crossval latency p95"].value == pytest.approx(7.92e6)
    assert metrics["crossval perplexity"].direction == "lower"
    assert metrics["crossval gpu memory"].unit == "MB"
    assert dict(metrics["crossval perplexity"].meta) == {"model": "bitnet-b1.58-2B-4T"}


def test_ci_baseline_models_and_the_default_that_pairs_with_receipts() -> None:
    metrics = {
        m.key: m for m in parse_file(FORMATS / "positive/bitnet-baseline/baseline.json").metrics
    }
    assert metrics[("inference", "cpu")].value == 42.1
    assert metrics[("peak memory (inference)", "cpu")].value == 2100
    assert metrics[("inference bitnet_i2s_cpu", "cpu")].value == 41.0
    gpu = metrics[("inference bitnet_i2s_gpu", "gpu")]
    assert (gpu.value, gpu.kind, gpu.direction) == (156.3, Kind.INFERENCE, "higher")
    assert len(metrics) == 6


def test_bench_compare_baseline_names_pair_with_criterion_ids() -> None:
    metrics = {
        m.name: m
        for m in parse_file(FORMATS / "positive/bitnet-bench-baseline/quantization.json").metrics
    }
    timing = metrics["quantization_sizes/I2S_quantize/1024"]
    assert (timing.value, timing.unit, timing.device) == (19300.0, "ns", "cpu")
    assert dict(timing.meta) == {"std_ns": "900", "threshold_pct": "15"}
    assert metrics["quantization_sizes/I2S_quantize/1024 throughput"].value == 53050000.0
    assert "quantization_sizes/TL1_quantize/4096 throughput" not in metrics
