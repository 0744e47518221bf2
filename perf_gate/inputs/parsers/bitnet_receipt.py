"""BitNet.rs inference receipts (schema v1.0.0): ``ci/inference.json`` and full receipts.

``cargo run -p xtask -- benchmark --model M --tokens 128`` writes ``ci/inference.json``
(``tokens_per_second``, ``backend``, ``kernels``, ``compute_path``); the full receipts
of ``docs/tdd/receipts/`` add ``test_results.accuracy_tests`` (``mse``/``tolerance``/
``passed`` per quantizer), ``performance_baseline``, ``cross_validation`` and ``parity``.

Metrics: ``inference`` (tok/s on the backend's device, the name xtask's report uses);
``inference first token latency``; ``peak memory (inference)`` (MB);
``I2S accuracy`` / ``TL1 accuracy`` / ``TL2 accuracy`` as pass/fail tests (value: the
mse, unit ``mse``, with the receipt's tolerance); ``crossval parity`` (Rust vs C++,
pass/fail with its tolerance); ``parity cosine similarity`` / ``parity exact match rate``.

Honest compute, as BitNet.rs's ``xtask verify-receipt`` demands: a receipt whose
``compute_path`` is not ``real``, whose kernel list is empty, names a ``mock`` kernel,
has only fallback kernels, runs on ``cuda`` with no GPU kernel, or reports zero
throughput, is a finding that fails the gate and names the reason. So are failed tests,
a deterministic run whose sequences differ, and a parity divergence.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from perf_gate.core.model import Device, Finding, InputFile, Kind, Metric, ParseResult
from perf_gate.core.units import to_ns
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import Sniff, device_of, finite, one_file, validate_or_raise

Severity = Literal["fail", "warn"]
# the kernel ID rules of BitNet.rs's `xtask verify-receipt`
_GPU_KERNEL = re.compile(
    r"^(?:gemm_|wmma_|cublas_|cutlass_|cuda_|tl1_gpu_|tl2_gpu_|i2s_gpu_)"
    r"|^i2s_(?:quantize|dequantize)$"
)
_FALLBACK_KERNEL = re.compile(r"^(?:fp32_|fallback_|dequant_)|^matmul_f32$|_dequant$")


def is_gpu_kernel(kernel: str) -> bool:
    return _GPU_KERNEL.search(kernel) is not None


def is_fallback_kernel(kernel: str) -> bool:
    return _FALLBACK_KERNEL.search(kernel) is not None


def honesty_findings(doc: dict[str, Any], source: str) -> list[Finding]:
    """Why this receipt is not evidence of a real run (empty when it is)."""
    findings = []

    def fail(code: str, message: str) -> None:
        findings.append(Finding(source, message, "fail", code))

    compute_path = doc.get("compute_path")
    if compute_path != "real":
        fail(
            "compute-path-not-real",
            f"receipt compute_path is {compute_path!r}, not 'real' (mock or simulated inference)",
        )
    kernels = [str(k) for k in doc.get("kernels") or []]
    if not kernels:
        fail("no-kernels", "receipt lists no kernels: no evidence that any real kernel ran")
    mocks = [k for k in kernels if "mock" in k.lower()]
    if mocks:
        fail("mock-kernel", f"receipt names mock kernel(s): {', '.join(mocks)}")
    elif kernels and all(is_fallback_kernel(k) for k in kernels):
        fail(
            "fallback-kernels-only",
            f"receipt lists only fallback kernels ({', '.join(kernels)}): not a quantized run",
        )
    backend = str(doc.get("backend", ""))
    if backend.lower() == "cuda" and kernels and not any(is_gpu_kernel(k) for k in kernels):
        fail(
            "no-gpu-kernel",
            f"backend is cuda but no GPU kernel ran ({', '.join(kernels)}): silent CPU fallback",
        )
    return findings


def run_findings(doc: dict[str, Any], source: str) -> list[Finding]:
    """What the receipt itself says went wrong: no throughput, failed tests, divergence."""
    findings = []

    def fail(code: str, message: str, severity: Severity = "fail") -> None:
        findings.append(Finding(source, message, severity, code))

    throughput = _throughput(doc)
    if throughput is not None and throughput[0] == 0:
        fail("zero-throughput", "receipt throughput is 0 tok/s (no real compute)")
    if doc.get("tokens_generated") == 0:
        fail("zero-throughput", "receipt generated 0 tokens (no real compute)")
    tests = doc.get("test_results") or {}
    if tests.get("failed"):
        fail("tests-failed", f"receipt records {tests['failed']} failed test(s)")
    determinism = tests.get("determinism_tests") or {}
    if doc.get("deterministic") and determinism.get("identical_sequences") is False:
        fail("nondeterministic", "deterministic run produced different sequences")
    status = (doc.get("parity") or {}).get("status")
    if status == "divergence":
        fail("parity-divergence", "parity with the C++ reference diverged")
    elif status == "timeout":
        fail("parity-timeout", "parity check against the C++ reference timed out", "warn")
    return findings


def _throughput(doc: dict[str, Any]) -> tuple[Any, str] | None:
    """The receipt's tokens per second and where it stands."""
    for key in ("tokens_per_second", "throughput_tokens_per_sec"):
        if key in doc:
            return doc[key], f"$.{key}"
    baseline = doc.get("performance_baseline") or {}
    if "tokens_per_second" in baseline:
        return baseline["tokens_per_second"], "$.performance_baseline.tokens_per_second"
    return None


def _test_name(key: str) -> str:
    """``i2s_accuracy`` → ``I2S accuracy``."""
    return key.removesuffix("_accuracy").upper() + " accuracy"


@dataclass
class _Metrics:
    """The metrics of one receipt, all on its backend's device."""

    sniff: Sniff
    fmt: str
    device: Device | None
    out: list[Metric] = field(default_factory=list)

    def add(self, name: str, value: float, unit: str, kind: Kind, **extra: Any) -> None:
        extra.setdefault("direction", "higher" if kind is Kind.INFERENCE else "lower")
        self.out.append(
            Metric(
                name=name,
                value=value,
                unit=unit,
                kind=kind,
                device=self.device,
                source=str(self.sniff.path),
                format=self.fmt,
                **extra,
            )
        )

    def number(self, value: Any, where: str) -> float:
        return finite(value, self.sniff, where)

    def performance(self, doc: dict[str, Any]) -> None:
        throughput = _throughput(doc)
        if throughput is not None:
            self.add("inference", self.number(*throughput), "tok/s", Kind.INFERENCE)
        baseline = doc.get("performance_baseline") or {}
        where = "$.performance_baseline"
        if "first_token_latency_ms" in baseline:
            ms = self.number(baseline["first_token_latency_ms"], f"{where}.first_token_latency_ms")
            self.add("inference first token latency", to_ns(ms, "ms"), "ns", Kind.LATENCY)
        if "memory_usage_mb" in baseline:
            mb = self.number(baseline["memory_usage_mb"], f"{where}.memory_usage_mb")
            self.add("peak memory (inference)", mb, "MB", Kind.MEMORY)

    def accuracy_tests(self, doc: dict[str, Any]) -> None:
        tests = (doc.get("test_results") or {}).get("accuracy_tests") or {}
        for key, test in tests.items():
            where = f"$.test_results.accuracy_tests.{key}.mse"
            self.add(
                _test_name(key),
                self.number(test["mse"], where),
                "mse",
                Kind.ACCURACY,
                direction="lower",
                passed=test.get("passed"),
                tolerance=test.get("tolerance"),
            )

    def parity(self, doc: dict[str, Any]) -> None:
        crossval = doc.get("cross_validation") or {}
        if crossval.get("cpp_reference_available") and "parity_tests_passed" in crossval:
            passed = bool(crossval["parity_tests_passed"])
            self.add(
                "crossval parity",
                float(passed),
                "",
                Kind.PARITY,
                direction="higher",
                passed=passed,
                tolerance=crossval.get("tolerance"),
            )
        parity = doc.get("parity") or {}
        for key in ("cosine_similarity", "exact_match_rate"):
            if isinstance(parity.get(key), (int, float)):
                value = self.number(parity[key], f"$.parity.{key}")
                name = "parity " + key.replace("_", " ")
                self.add(name, value, "", Kind.PARITY, direction="higher")


def machine_of(doc: Any) -> dict[str, str]:
    """What a receipt says about the machine it ran on, for the report's Hardware
    section: the backend, ``environment.CPU_BRAND`` and ``OS``, and the kernels that ran
    (their names tell which SIMD paths were used: ``i2s_matmul_avx2``)."""
    if not isinstance(doc, dict):
        return {}
    env = doc.get("environment")
    env = env if isinstance(env, dict) else {}
    kernels = doc.get("kernels")
    pairs = (
        ("backend", doc.get("backend")),
        ("cpu", env.get("CPU_BRAND")),
        ("os", env.get("OS")),
        ("kernels", ",".join(str(k) for k in kernels) if isinstance(kernels, list) else None),
    )
    return {key: value for key, value in pairs if isinstance(value, str) and value}


def machines_in(files: Sequence[InputFile]) -> list[dict[str, str]]:
    """:func:`machine_of` each BitNet.rs receipt among ``files`` that says anything (read
    again after parsing: receipts are small; one that no longer reads says nothing)."""
    found = []
    for item in files:
        if item.format != "bitnet-receipt":
            continue
        try:
            doc = json.loads(Path(item.path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        machine = machine_of(doc)
        if machine:
            found.append({**machine, "file": Path(item.path).name})
    return found


class BitnetReceipt:
    name = "bitnet-receipt"
    description = "cargo run -p xtask -- benchmark --model M --tokens 128  → ci/inference.json"
    schema: str | None = "bitnet-receipt.schema.json"

    def detect(self, sniff: Sniff) -> bool:
        doc = sniff.json
        return (
            isinstance(doc, dict)
            and "schema_version" in doc
            and ("compute_path" in doc or "kernels" in doc)
        )

    def parse(self, sniff: Sniff) -> ParseResult:
        doc = sniff.json_or_error()
        validate_or_raise(sniff, doc, "bitnet-receipt.schema.json")
        metrics = _Metrics(sniff, self.name, device_of(doc.get("backend", "")))
        metrics.performance(doc)
        metrics.accuracy_tests(doc)
        metrics.parity(doc)
        source = str(sniff.path)
        findings = honesty_findings(doc, source) + run_findings(doc, source)
        return one_file(sniff, self.name, metrics.out, findings)


register(BitnetReceipt(), priority=10)
