"""What ``perf-gate finalize`` learns from a ``perf-run.json`` read back (:class:`RunRecord`).

A GPU that failed or was missing, notes about failed commands, and the machines the
current results came from. Writing and reading the file is :mod:`run_manifest`'s job.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perf_gate.core.config import Config
from perf_gate.core.errors import InputError
from perf_gate.core.model import RunSet
from perf_gate.inputs.hardware import Hardware, Probes, detect, hardware_from_dict, nvidia_smi
from perf_gate.inputs.process import CommandResult

_CUDA_TROUBLE = re.compile(
    r"CUDA[_ ]ERROR|CUDA error|no CUDA-capable device|cudaErrorNoDevice|"
    r"CUDA driver version is insufficient|failed to initialize CUDA|NVML",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RunRecord:
    """A ``perf-run.json`` read back."""

    path: str
    run: RunSet
    hardware: Hardware | None
    commands: tuple[CommandResult, ...]
    artifacts: tuple[dict[str, Any], ...]
    notes: tuple[str, ...]
    fallback_used: bool
    commit: str
    baseline: RunSet | None = None
    ab: Mapping[str, Any] | None = None


def gpu_problem(
    config: Config, hardware: Sequence[Hardware], records: Sequence[RunRecord]
) -> str | None:
    """A hardware problem to route to the troubleshooter, or ``None``.

    A GPU that the config expects but no machine had, or a GPU command that failed
    with a CUDA/driver error.
    """
    for record in records:
        for cmd in record.commands:
            if cmd.device == "gpu" and cmd.status in ("failed", "timeout"):
                trouble = next((t for t in cmd.tail if _CUDA_TROUBLE.search(t)), None)
                if trouble:
                    return f"{cmd.name} failed on the GPU: {trouble.strip()[:200]}"
    if not config.gpu_expected or not hardware:
        return None
    if any(h.gpu_usable for h in hardware):
        return None
    reasons = sorted({h.gpu_problem or "no NVIDIA GPU found" for h in hardware})
    return "GPU expected but unusable: " + "; ".join(reasons)


def run_notes(records: Sequence[RunRecord]) -> list[str]:
    notes: list[str] = []
    for record in records:
        notes.extend(record.notes)
        for cmd in record.commands:
            if cmd.status in ("failed", "timeout", "error"):
                notes.append(
                    f"Benchmark command '{cmd.name}' {cmd.reason}; its last lines are in "
                    f"{cmd.log or 'the job log'} and the receipt."
                )
            elif cmd.status == "skipped":
                notes.append(
                    f"Benchmark command '{cmd.name}' was skipped ({cmd.reason}): "
                    "no usable GPU on this runner; the CPU results are judged alone."
                )
    return notes


def current_hardware(
    records: Sequence[RunRecord], hardware_file: Path | None, config: Config
) -> list[Hardware]:
    """The machines the current results came from.

    From the run manifests; else from ``--hardware FILE``; else, when the config
    expects a GPU, this machine (detected now); else unknown.
    """
    if hardware_file is not None:
        try:
            data = json.loads(hardware_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read hardware file: {exc}", path=str(hardware_file)) from None
        items = data if isinstance(data, list) else [data]
        return [hardware_from_dict(item.get("hardware", item)) for item in items]
    found = [r.hardware for r in records if r.hardware is not None]
    if found:
        return found
    return [detect(Probes(smi=nvidia_smi(config)))] if config.gpu_expected else []
