"""The machine a run happened on: CPU, SIMD, memory and NVIDIA GPUs, and whether two differ.

Detection reads ``/proc/cpuinfo`` and ``/proc/meminfo`` (Linux, where CI runs) and asks
``nvidia-smi``; every failure of ``nvidia-smi`` becomes a one-line reason instead of
an exception (no driver, no device, a driver/library mismatch, a timeout). Timings
measured on different hardware are not comparable: :func:`mismatch` says how two
records differ so the report can say so and not fail on timing alone.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from perf_gate.core.config import Config
from perf_gate.inputs.smi import (
    CommandOutput,
    Runner,
    cell_number,
    cell_text,
    run_smi,
    smi_problem,
)

GPU_QUERY = "name,driver_version,memory.total,compute_cap,clocks.max.sm"
GPU_QUERY_ARGS = ("--query-gpu=" + GPU_QUERY, "--format=csv,noheader")
# Drivers before 510 know no compute_cap field: asked again without it.
OLD_DRIVER_ARGS = (
    "--query-gpu=name,driver_version,memory.total,clocks.max.sm",
    "--format=csv,noheader",
)
MIG_QUERY_ARGS = ("--query-gpu=mig.mode.current", "--format=csv,noheader")
SMI_TIMEOUT = 20.0
NO_GPU = "no-gpu-available"

_SIMD = (("avx512f", "avx512"), ("avx2", "avx2"), ("asimd", "neon"), ("neon", "neon"))


@dataclass(frozen=True)
class Gpu:
    name: str
    driver_version: str = ""
    memory_mb: float | None = None
    compute_cap: str = ""
    max_sm_clock_mhz: float | None = None
    mig_mode: str = ""


@dataclass(frozen=True)
class GpuProbe:
    """What ``nvidia-smi`` said: GPUs, the CUDA version, or why there is no usable GPU."""

    gpus: tuple[Gpu, ...] = ()
    cuda_version: str = ""
    problem: str | None = None

    @property
    def usable(self) -> bool:
        return bool(self.gpus) and self.problem is None


@dataclass(frozen=True)
class Hardware:
    cpu_model: str = ""
    cores: int = 0
    simd: tuple[str, ...] = ()
    memory_mb: float | None = None
    arch: str = ""
    os: str = ""
    gpus: tuple[Gpu, ...] = ()
    cuda_version: str = ""
    gpu_problem: str | None = None
    runner: str = ""  # RUNNER_NAME in GitHub Actions, when set

    @property
    def gpu_usable(self) -> bool:
        return bool(self.gpus) and self.gpu_problem is None

    def cpu_key(self) -> str:
        simd = "+".join(self.simd) or "scalar"
        return f"{self.cpu_model or 'unknown CPU'} ({self.cores} cores, {simd})"

    def gpu_key(self) -> str:
        """GPU identity (name, count, driver major); ``""`` without a usable GPU."""
        if not self.gpu_usable:
            return ""
        names = sorted({g.name for g in self.gpus})
        drivers = sorted({g.driver_version.split(".")[0] for g in self.gpus if g.driver_version})
        driver = f", driver {'/'.join(drivers)}" if drivers else ""
        count = f"{len(self.gpus)}x " if len(self.gpus) > 1 else ""
        return f"{count}{' + '.join(names)}{driver}"

    @property
    def key(self) -> str:
        """The fingerprint comparisons are keyed by: CPU identity, plus GPU when usable."""
        gpu = self.gpu_key()
        return f"cpu: {self.cpu_key()}" + (f"; gpu: {gpu}" if gpu else "")

    def describe(self) -> str:
        parts = [self.cpu_key()]
        if self.memory_mb:
            parts.append(f"{self.memory_mb / 1000:.0f} GB RAM")
        if self.gpu_usable:
            cuda = f", CUDA {self.cuda_version}" if self.cuda_version else ""
            parts.append(self.gpu_key() + cuda)
        elif self.gpu_problem:
            parts.append(f"no usable GPU ({self.gpu_problem})")
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["simd"] = list(self.simd)
        out["gpus"] = [asdict(g) for g in self.gpus]
        out["key"] = self.key
        return out


# -- mixed precision -----------------------------------------------------------------

BF16_MIN = (8, 0)
FP16_FAST = ((5, 3), (6, 0), (6, 2))
FP16_MIN = (7, 0)
NEEDS = {"bf16": "8.0", "fp16": "5.3, 6.0, 6.2 or 7.0+"}
"""The compute capability each precision needs: BF16 from Ampere on, fast FP16 on the
chips that have it (5.3, 6.0, 6.2) and from Volta on."""


def capability(gpu: Gpu) -> tuple[int, int] | None:
    """``"8.6"`` → ``(8, 6)``; None when nvidia-smi did not say."""
    found = re.fullmatch(r"\s*(\d+)\.(\d+)\s*", gpu.compute_cap)
    return (int(found.group(1)), int(found.group(2))) if found else None


def supports(precision: str, cap: tuple[int, int]) -> bool:
    if precision == "bf16":
        return cap >= BF16_MIN
    return cap >= FP16_MIN or cap in FP16_FAST


def hardware_from_dict(data: Mapping[str, Any]) -> Hardware:
    """Read back :meth:`Hardware.to_dict` (unknown fields are ignored)."""
    gpus = tuple(
        Gpu(**{k: v for k, v in g.items() if k in Gpu.__dataclass_fields__})
        for g in data.get("gpus", [])
        if isinstance(g, dict)
    )
    fields = {k: v for k, v in data.items() if k in Hardware.__dataclass_fields__}
    fields["simd"] = tuple(fields.get("simd", ()))
    fields["gpus"] = gpus
    return Hardware(**fields)


# -- CPU -------------------------------------------------------------------------------


def parse_cpuinfo(text: str) -> tuple[str, tuple[str, ...]]:
    """(CPU model, SIMD families) from ``/proc/cpuinfo`` on x86 or ARM."""
    model = ""
    flags: set[str] = set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key in ("model name", "hardware", "cpu model") and not model:
            model = " ".join(value.split())
        elif key in ("flags", "features"):
            flags.update(value.split())
    simd = tuple(dict.fromkeys(name for flag, name in _SIMD if flag in flags))
    return model, simd


def parse_meminfo(text: str) -> float | None:
    """MemTotal from ``/proc/meminfo`` in MB."""
    match = re.search(r"^MemTotal:\s+(\d+)\s*kB", text, re.MULTILINE)
    return int(match.group(1)) * 1024 / 1e6 if match else None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 0


# -- GPU -------------------------------------------------------------------------------


def parse_gpu_csv(text: str) -> tuple[Gpu, ...]:
    """Lines of ``--query-gpu=name,driver_version,memory.total,compute_cap,clocks.max.sm``.

    ``NVIDIA H100 80GB HBM3, 535.104.05, 81559 MiB, 9.0, 1980 MHz``; ``[N/A]`` fields
    become empty. Memory is converted from MiB to MB.
    """
    gpus = []
    for line in text.splitlines():
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split(",")]
        if len(cells) < 5:
            raise ValueError(f"unexpected nvidia-smi line: {line.strip()!r}")
        # A GPU name may itself contain commas: the last four cells are the numbers.
        name = ", ".join(cells[: len(cells) - 4])
        driver, memory, cap, clock = cells[-4:]
        mib = cell_number(memory)
        gpus.append(
            Gpu(
                name=name,
                driver_version=cell_text(driver),
                memory_mb=round(mib * 1.048576, 1) if mib is not None else None,
                compute_cap=cell_text(cap),
                max_sm_clock_mhz=cell_number(clock),
            )
        )
    return tuple(gpus)


def probe_gpus(
    smi: str = "nvidia-smi", run: Runner = run_smi, timeout: float = SMI_TIMEOUT
) -> GpuProbe:
    """Ask ``nvidia-smi`` for the GPUs, the CUDA version and the MIG mode. Never raises."""
    import subprocess

    try:
        query = _query(run, smi, timeout)
    except FileNotFoundError:
        return GpuProbe(problem="nvidia-smi not found (no NVIDIA driver installed)")
    except subprocess.TimeoutExpired:
        return GpuProbe(problem=f"nvidia-smi did not answer within {timeout:g} s")
    except OSError as exc:
        return GpuProbe(problem=f"nvidia-smi could not be started: {exc.strerror}")
    output = f"{query.stdout}\n{query.stderr}"
    if query.returncode != 0:
        return GpuProbe(problem=smi_problem(query.returncode, output))
    if "no devices were found" in query.stdout.lower():
        return GpuProbe(problem=smi_problem(query.returncode, output))
    try:
        gpus = parse_gpu_csv(query.stdout)
    except ValueError as exc:
        return GpuProbe(problem=f"nvidia-smi: {exc}")
    if not gpus:
        return GpuProbe(problem="nvidia-smi: no NVIDIA GPU found")
    modes = _extra_lines(run, [smi, *MIG_QUERY_ARGS], timeout)
    if len(modes) == len(gpus):
        gpus = tuple(
            replace(g, mig_mode=cell_text(mode)) for g, mode in zip(gpus, modes, strict=True)
        )
    banner = "\n".join(_extra_lines(run, [smi], timeout))
    cuda = re.search(r"CUDA Version:\s*([\d.]+)", banner)
    return GpuProbe(gpus=gpus, cuda_version=cuda.group(1) if cuda else "")


def _query(run: Runner, smi: str, timeout: float) -> CommandOutput:
    query = run([smi, *GPU_QUERY_ARGS], timeout)
    if query.returncode == 0 or "not a valid field" not in query.stdout + query.stderr:
        return query
    old = run([smi, *OLD_DRIVER_ARGS], timeout)
    rows = [line.rsplit(",", 1) for line in old.stdout.splitlines() if "," in line]
    text = "".join(f"{head}, [N/A],{clock}\n" for head, clock in rows)
    return CommandOutput(old.returncode, text, old.stderr)


def _extra_lines(run: Runner, argv: Sequence[str], timeout: float) -> list[str]:
    """Output lines of a best-effort extra query; nothing when it fails."""
    import subprocess

    try:
        result = run(argv, timeout)
    except (OSError, subprocess.TimeoutExpired):
        return []
    if result.returncode != 0:
        return []
    return [line for line in result.stdout.splitlines() if line.strip()]


# -- the whole machine -----------------------------------------------------------------


@dataclass(frozen=True)
class Probes:
    """Where detection reads from; tests point these at fakes."""

    cpuinfo: Path = Path("/proc/cpuinfo")
    meminfo: Path = Path("/proc/meminfo")
    smi: str = "nvidia-smi"
    run: Runner = field(default=run_smi)
    environ: Mapping[str, str] = field(default_factory=dict)
    """The entry point's environment (``RUNNER_NAME``)."""


def detect(probes: Probes | None = None) -> Hardware:
    """Describe this machine. Never raises: what cannot be read stays empty."""
    import platform  # here: finalize reads recorded machines and seldom probes this one

    p = probes or Probes()
    model, simd = parse_cpuinfo(_read(p.cpuinfo))
    gpu = probe_gpus(p.smi, p.run)
    return Hardware(
        cpu_model=model or platform.processor() or platform.machine(),
        cores=_cores(),
        simd=simd,
        memory_mb=parse_meminfo(_read(p.meminfo)),
        arch=platform.machine(),
        os=platform.system(),
        gpus=gpu.gpus,
        cuda_version=gpu.cuda_version,
        gpu_problem=gpu.problem,
        runner=p.environ.get("RUNNER_NAME", ""),
    )


def mismatch(
    baseline: Sequence[Hardware], current: Sequence[Hardware], devices: set[str] | None = None
) -> str | None:
    """How the baseline's machines differ from the current ones, or ``None`` if alike.

    Several records on a side are matrix shards. CPUs are compared when ``devices``
    includes ``cpu`` (or is ``None``), GPUs when it includes ``gpu`` and both sides had
    one. An empty side means unknown hardware: nothing to say.
    """
    if not baseline or not current:
        return None
    parts = []
    want = devices if devices is not None else {"cpu", "gpu"}
    if "cpu" in want:
        old = sorted({h.cpu_key() for h in baseline})
        new = sorted({h.cpu_key() for h in current})
        if old != new:
            parts.append(f"CPU: baseline {' / '.join(old)}, current {' / '.join(new)}")
    if "gpu" in want:
        old = sorted({h.gpu_key() for h in baseline} - {""})
        new = sorted({h.gpu_key() for h in current} - {""})
        if old and new and old != new:
            parts.append(f"GPU: baseline {' / '.join(old)}, current {' / '.join(new)}")
    if not parts:
        return None
    return "baseline and current ran on different hardware (" + "; ".join(parts) + ")"


def nvidia_smi(config: Config) -> str:
    """The ``nvidia-smi`` command the config names (``hardware.nvidia_smi``)."""
    return config.hardware.nvidia_smi
