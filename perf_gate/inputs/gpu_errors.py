"""What real GPU stacks print when the GPU, its driver or CUDA is the problem.

Matched line by line against a GPU command's output: PyTorch, the CUDA runtime and
driver APIs, NVML, Rust crates such as ``cudarc``, and ``nvidia-smi``. A match routes
the run to the hardware route (the troubleshooter), not to the code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

_CUDA_TROUBLE = "|".join(
    (
        # PyTorch
        r"No CUDA GPUs are available",
        r"no kernel image is available for execution on the device",
        r"Found no NVIDIA driver on your system",
        r"Torch not compiled with CUDA enabled",
        # the CUDA runtime and driver APIs (enum names and their messages)
        r"\bcudaError[A-Z]\w*",
        r"\bCUDA_ERROR_[A-Z_]+",
        r"CUDA error\b",
        r"no CUDA-capable device is detected",
        r"CUDA driver version is insufficient for CUDA runtime version",
        r"failed to initiali[sz]e CUDA",
        # NVML and nvidia-smi
        r"Failed to initiali[sz]e NVML",
        r"Driver/library version mismatch",
        r"couldn't communicate with the NVIDIA driver",
        r"NVIDIA-SMI has failed",
        r"GPU is lost",
    )
)


@cache
def _pattern(text: str, flags: int = 0) -> re.Pattern[str]:
    """Compiled on first use: finalize imports this module and seldom reads GPU output."""
    return re.compile(text, flags)


def cuda_trouble(line: str) -> bool:
    """True when ``line`` is a GPU/driver/CUDA failure rather than a failure of the code."""
    return _pattern(_CUDA_TROUBLE, re.IGNORECASE).search(line) is not None


# ``RuntimeError: ...``, pytest's ``E   RuntimeError: ...``, ``torch.AcceleratorError: ...``
_RAISED = r"^\s*(E\s+)?[\w.]*(Error|Exception)\b"


def first_trouble(lines: Sequence[str]) -> str:
    """The line that says it best, stripped and cut to 200 characters; ``""`` when none.

    The first line naming the exception (``RuntimeError: No CUDA GPUs are available``)
    wins over a traceback's source line that merely mentions the message."""
    found = [t.strip()[:200] for t in lines if cuda_trouble(t)]
    return next((t for t in found if _pattern(_RAISED).match(t)), found[0] if found else "")
