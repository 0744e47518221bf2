"""Asking ``nvidia-smi``: running it, reading its cells, naming its failures.

Shared by the hardware probe (:mod:`perf_gate.inputs.hardware`) and the GPU state and
memory sampling (:mod:`perf_gate.inputs.gpu_state`, :mod:`perf_gate.inputs.gpu_monitor`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

NA = frozenset({"[n/a]", "n/a", "[not supported]", "[unknown error]", ""})

# Known nvidia-smi failures → the reason shown in the report (first match wins).
_SMI_ERRORS = (
    ("couldn't communicate with the nvidia driver", "NVIDIA driver not loaded or not reachable"),
    ("no devices were found", "no NVIDIA GPU found"),
    ("driver/library version mismatch", "NVIDIA driver/library version mismatch"),
    ("insufficient permissions", "no permission to use the NVIDIA device"),
    ("gpu is lost", "GPU is lost (fell off the bus)"),
    ("unknown error", "GPU reported an unknown error"),
    ("failed to initialize nvml", "NVML could not be initialised"),
)

Runner = Callable[[Sequence[str], float], "CommandOutput"]


@dataclass(frozen=True)
class CommandOutput:
    returncode: int
    stdout: str
    stderr: str = ""


def cell_number(value: str) -> float | None:
    """The number at the start of a cell (``1980 MHz``, ``73.24 W``); ``None`` for ``[N/A]``."""
    match = re.match(r"\s*([\d.]+)", value)
    if value.strip().lower() in NA or match is None:
        return None
    return float(match.group(1))


def cell_text(value: str) -> str:
    """A text cell, ``""`` for ``[N/A]`` and the like."""
    stripped = value.strip()
    return "" if stripped.lower() in NA else stripped


def smi_problem(returncode: int, output: str) -> str:
    """A one-line reason for a failed ``nvidia-smi`` call."""
    lowered = output.lower()
    for needle, reason in _SMI_ERRORS:
        if needle in lowered:
            return f"nvidia-smi: {reason}"
    first = next((line.strip() for line in output.splitlines() if line.strip()), "")
    return f"nvidia-smi exited with {returncode}" + (f": {first[:160]}" if first else "")


def run_smi(argv: Sequence[str], timeout: float) -> CommandOutput:
    import subprocess  # imported when a GPU is asked about, not by every finalize

    proc = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout, check=False)
    return CommandOutput(proc.returncode, proc.stdout, proc.stderr)
