"""Watch the GPUs while a ``device: gpu`` command runs: state at start and end, peak memory.

Device memory and the SM clock are sampled every ``interval_ms`` through NVML when
the optional ``nvidia-ml-py`` (``import pynvml``) is installed and initialises, else
through ``nvidia-smi --query-gpu=memory.used,clocks.sm --format=csv,noheader,nounits
-lms N``. Used memory of all GPUs is summed per sample; the peak is the largest sum.
Nothing here raises: what cannot be measured stays ``None`` with a one-line reason.
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

from perf_gate.inputs.gpu_state import GpuEvidence, GpuSnapshot, take_snapshot
from perf_gate.inputs.smi import Runner, cell_number, run_smi

INTERVAL_MS = 100
NvmlLoader = Callable[[], ModuleType | None]


def load_nvml() -> ModuleType | None:
    """``pynvml`` (from ``nvidia-ml-py``) when installed, else ``None``."""
    try:
        import pynvml  # type: ignore[import-not-found]
    except ImportError:
        return None
    return pynvml  # type: ignore[no-any-return]


class _Peak:
    def __init__(self) -> None:
        self.memory_mb: float | None = None
        self.clock_mhz: float | None = None
        self.count = 0
        self.lock = threading.Lock()

    def add(self, memory_mb: float | None, clock_mhz: float | None) -> None:
        with self.lock:
            self.count += 1
            if memory_mb is not None:
                self.memory_mb = max(self.memory_mb or 0.0, memory_mb)
            if clock_mhz is not None:
                self.clock_mhz = max(self.clock_mhz or 0.0, clock_mhz)


class _NvmlSampler:
    def __init__(self, nvml: Any, interval_ms: int, peak: _Peak) -> None:
        nvml.nvmlInit()
        self.nvml = nvml
        count = nvml.nvmlDeviceGetCount()
        self.handles = [nvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
        self.interval = interval_ms / 1000.0
        self.peak = peak
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="perf-gate-nvml", daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        used = sum(self.nvml.nvmlDeviceGetMemoryInfo(h).used for h in self.handles)
        clocks = [
            self.nvml.nvmlDeviceGetClockInfo(h, self.nvml.NVML_CLOCK_SM) for h in self.handles
        ]
        self.peak.add(used / 1e6, float(max(clocks)) if clocks else None)

    def _loop(self) -> None:
        while True:
            with contextlib.suppress(Exception):  # a sample the driver refused is skipped
                self._sample()
            if self.done.wait(self.interval):
                return

    def stop(self) -> None:
        self.done.set()
        self.thread.join()
        with contextlib.suppress(Exception):
            self._sample()
            self.nvml.nvmlShutdown()


class _SmiSampler:
    def __init__(self, smi: str, interval_ms: int, gpus: int, peak: _Peak) -> None:
        self.proc = subprocess.Popen(
            [
                smi,
                "--query-gpu=memory.used,clocks.sm",
                "--format=csv,noheader,nounits",
                "-lms",
                str(interval_ms),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        self.gpus = max(gpus, 1)
        self.peak = peak
        self.thread = threading.Thread(target=self._read, name="perf-gate-smi", daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        batch: list[tuple[float | None, float | None]] = []
        for line in self.proc.stdout:
            cells = line.split(",")
            if len(cells) != 2:
                continue
            mib, clock = cell_number(cells[0]), cell_number(cells[1])
            batch.append((mib * 1.048576 if mib is not None else None, clock))
            if len(batch) == self.gpus:  # one line per GPU per round
                used = [m for m, _ in batch if m is not None]
                clocks = [c for _, c in batch if c is not None]
                self.peak.add(sum(used) if used else None, max(clocks) if clocks else None)
                batch = []

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.thread.join(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


class GpuMonitor:
    """``start()`` before the command, ``stop()`` after it: the :class:`GpuEvidence`."""

    def __init__(
        self,
        smi: str = "nvidia-smi",
        *,
        gpus: int = 1,
        interval_ms: int = INTERVAL_MS,
        nvml: NvmlLoader = load_nvml,
        run: Runner = run_smi,
    ) -> None:
        self.smi = smi
        self.gpus = gpus
        self.interval_ms = interval_ms
        self.nvml = nvml
        self.run = run
        self.peak = _Peak()
        self.start_state = GpuSnapshot()
        self.sampler: _NvmlSampler | _SmiSampler | None = None
        self.via = ""
        self.problem: str | None = None

    def start(self) -> None:
        self.start_state = take_snapshot(self.smi, self.run)
        module = self.nvml()
        if module is not None:
            try:
                self.sampler, self.via = _NvmlSampler(module, self.interval_ms, self.peak), "nvml"
                return
            except Exception as exc:  # NVMLError and friends: fall back to nvidia-smi
                self.problem = f"NVML: {exc}"
        try:
            sampler = _SmiSampler(self.smi, self.interval_ms, self.gpus, self.peak)
        except OSError as exc:
            self.problem = f"nvidia-smi sampler could not start: {exc.strerror}"
            return
        self.sampler, self.via = sampler, "nvidia-smi"

    def stop(self) -> GpuEvidence:
        if self.sampler is not None:
            self.sampler.stop()
        end = take_snapshot(self.smi, self.run)
        peak = self.peak.memory_mb
        problem = self.problem
        if self.sampler is not None and self.peak.count == 0:
            problem = f"{self.via} gave no sample"
        return GpuEvidence(
            start=self.start_state,
            end=end,
            peak_memory_mb=round(peak, 1) if peak is not None else None,
            sampled_with=self.via if self.peak.count else "",
            samples=self.peak.count,
            sm_clock_max_mhz=self.peak.clock_mhz,
            sampler_problem=problem if not self.peak.count else None,
        )
