"""The report's Hardware section: where the benchmarks ran, and the fallbacks they took.

The seed asks to "document any hardware-specific considerations (CUDA, SIMD
availability)" and to "note any fallback scenarios activated during testing". The
machine comes from ``perf-run.json`` (``perf-gate run`` recorded it) or ``--hardware
FILE``; without either, from what the inputs hold (a BitNet.rs receipt names its
backend, CPU and kernels), and every field the inputs do not hold says "not recorded".
The machine that runs ``finalize`` is never described as the benchmark machine: it
usually is not. Pure: data in, lines out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from perf_gate.core.model import Kind, Metric
from perf_gate.inputs.hardware import NEEDS, NO_GPU, Gpu, Hardware, capability, supports
from perf_gate.judge.verdict import Row, Status

NOT_RECORDED = "not recorded"
SIMD_FAMILIES = ("avx2", "avx512", "neon")
_TIMING_ONLY = {Kind.BUILD_TIME, Kind.TEST_TIME}


@dataclass(frozen=True)
class HardwareSection:
    source: str
    cpu: str
    simd: str
    gpu: str
    driver: str
    cuda: str
    compute_capability: str
    mixed_precision: str
    fallbacks: tuple[str, ...]

    def fields(self) -> list[tuple[str, str]]:
        """(label, text) of every field, in the order the report lists them; ``""``: does
        not apply (no GPU)."""
        return [
            ("CPU", self.cpu),
            ("SIMD", self.simd),
            ("GPU", self.gpu),
            ("Driver", self.driver),
            ("CUDA", self.cuda),
            ("Compute capability", self.compute_capability),
            ("Mixed precision", self.mixed_precision),
        ]

    def items(self) -> list[tuple[str, str]]:
        """The fields that say something, for the report's list."""
        return [(label, text) for label, text in self.fields() if text and text != NOT_RECORDED]

    @property
    def not_recorded(self) -> str:
        """``CPU, driver, CUDA`` (the fields nobody recorded), or ``""``."""
        labels = [label for label, text in self.fields() if text == NOT_RECORDED]
        return ", ".join(labels)

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"source": self.source}
        out.update({label.lower().replace(" ", "_"): text for label, text in self.fields()})
        out["fallbacks"] = list(self.fallbacks)
        return out


def _joined(values: Sequence[str]) -> str:
    unique = [v for v in dict.fromkeys(values) if v]
    return " / ".join(unique) if unique else NOT_RECORDED


def cpu_text(machine: Hardware) -> str:
    parts = [machine.cpu_model or "unknown CPU"]
    if machine.cores:
        parts.append(f"{machine.cores} cores")
    if machine.memory_mb:
        parts.append(f"{machine.memory_mb / 1000:.0f} GB RAM")
    if machine.arch:
        parts.append(machine.arch)
    return ", ".join(parts)


def simd_text(machine: Hardware) -> str:
    """``avx2: yes, avx512: no, neon: no`` (what the CPU offers, not what ran)."""
    return ", ".join(f"{f}: {'yes' if f in machine.simd else 'no'}" for f in SIMD_FAMILIES)


def gpu_text(machine: Hardware) -> str:
    if not machine.gpus:
        return f"none usable ({machine.gpu_problem})" if machine.gpu_problem else "none"
    names = [
        g.name + (f" ({g.memory_mb / 1000:.0f} GB)" if g.memory_mb else "") for g in machine.gpus
    ]
    counted = [f"{names.count(n)}× {n}" if names.count(n) > 1 else n for n in dict.fromkeys(names)]
    problem = f"; not usable: {machine.gpu_problem}" if machine.gpu_problem else ""
    return ", ".join(counted) + problem


def precision_text(caps: Sequence[str]) -> str:
    """BF16 and FP16 support of the weakest GPU (:func:`perf_gate.inputs.hardware.supports`,
    the rule the judge skips unsupported precisions by)."""
    parsed = [c for c in (capability_of(x) for x in caps) if c is not None]
    if not parsed:
        return NOT_RECORDED
    cap = min(parsed)
    shown = f"{cap[0]}.{cap[1]}"
    bf16, fp16 = ("yes" if supports(p, cap) else f"no (needs {NEEDS[p]})" for p in ("bf16", "fp16"))
    return f"BF16: {bf16}, FP16 fast: {fp16} (compute capability {shown})"


def capability_of(text: str) -> tuple[int, int] | None:
    return capability(Gpu(name="", compute_cap=text))


def from_machines(machines: Sequence[Hardware]) -> dict[str, str]:
    gpus = [g for m in machines for g in m.gpus]
    fields = {
        "cpu": _joined([cpu_text(m) for m in machines]),
        "simd": _joined([simd_text(m) for m in machines]),
        "gpu": _joined([gpu_text(m) for m in machines]),
    }
    if not gpus:  # driver, CUDA and the rest do not apply
        return {**fields, "driver": "", "cuda": "", "compute_capability": "", "mixed_precision": ""}
    return {
        **fields,
        "driver": _joined([g.driver_version for g in gpus]),
        "cuda": _joined([m.cuda_version for m in machines if m.gpus]),
        "compute_capability": _joined([g.compute_cap for g in gpus]),
        "mixed_precision": precision_text([g.compute_cap for g in gpus]),
    }


def from_inputs(said: Sequence[Mapping[str, str]], metrics: Sequence[Metric]) -> dict[str, str]:
    """What the inputs say: BitNet.rs receipts' CPU, backend and kernels; GPU metrics."""
    meta = list(said)
    cpus = [f"{d['cpu']} (from {d.get('file') or 'a receipt'})" for d in meta if d.get("cpu")]
    kernels = [k for d in meta for k in d.get("kernels", "").split(",") if k]
    used = [f for f in SIMD_FAMILIES if any(k.lower().endswith("_" + f) for k in kernels)]
    simd = (
        f"availability not recorded; kernels that ran: {', '.join(used)}" if used else NOT_RECORDED
    )
    backends = sorted({d["backend"] for d in meta if d.get("backend", "cpu").lower() != "cpu"})
    on_gpu = any(m.device == "gpu" for m in metrics)
    gpu = NOT_RECORDED
    if on_gpu:
        ran = f" (backend: {', '.join(backends)})" if backends else ""
        gpu = f"the inputs hold GPU results{ran}; the GPU itself is not recorded"
    return {
        "cpu": _joined(cpus),
        "simd": simd,
        "gpu": gpu,
        "driver": NOT_RECORDED,
        "cuda": NOT_RECORDED,
        "compute_capability": NOT_RECORDED,
        "mixed_precision": NOT_RECORDED,
    }


def fallbacks(rows: Sequence[Row], metrics: Sequence[Metric], fallback_used: bool) -> list[str]:
    """Each fallback that was activated, as the seed names them."""
    out = []
    gpu_skipped = [r for r in rows if r.status is Status.SKIPPED and r.explanation == NO_GPU]
    if gpu_skipped:
        out.append(
            f"no usable GPU: {len(gpu_skipped)} GPU row(s) skipped ({NO_GPU}) → CPU-only validation"
        )
    # rows the judge skipped for the hardware (judge/precision.py: threshold source "hardware")
    precision = [r for r in rows if r.status is Status.SKIPPED and r.threshold.source == "hardware"]
    if precision:
        out.append(f"{len(precision)} mixed-precision row(s) skipped: not supported on this GPU")
    timing_only = bool(metrics) and all(m.kind in _TIMING_ONLY for m in metrics)
    if fallback_used or timing_only:
        out.append("benchmark data missing → test and build timing (method: test_timing)")
    return out


def hardware_section(
    machines: Sequence[Hardware],
    source: str,
    said: Sequence[Mapping[str, str]],
    metrics: Sequence[Metric],
    rows: Sequence[Row],
    fallback_used: bool = False,
) -> HardwareSection:
    """``machines`` recorded by ``source``; when empty (not recorded), what the inputs
    ``said`` about their machine (:func:`~perf_gate.inputs.parsers.bitnet_receipt.machine_of`)
    and the devices of their ``metrics``."""
    if machines:
        fields = from_machines(machines)
        where = f"recorded by {source}"
    else:
        fields = from_inputs(said, metrics)
        where = (
            "not recorded: the benchmarks ran outside perf-gate run and no hardware file "
            "was given; what follows is what the inputs hold"
        )
    return HardwareSection(
        source=where, fallbacks=tuple(fallbacks(rows, metrics, fallback_used)), **fields
    )
