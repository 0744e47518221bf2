"""The state of the GPUs at one moment: clocks, temperature, power, throttling, processes.

Asked from ``nvidia-smi`` at the start and at the end of each GPU command, so a
slowdown that a throttled, hot or shared GPU explains is reported as such. Field
names are ``nvidia-smi --help-query-gpu``'s; drivers from R535 call the throttle
reasons ``clocks_event_reasons`` (the old ``clocks_throttle_reasons`` name is asked
when the new one is refused). Never raises: a failed query is a one-line problem.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from perf_gate.inputs import smi

STATE_FIELDS = (
    "index",
    "clocks.sm",
    "clocks.mem",
    "temperature.gpu",
    "power.draw",
    "power.limit",
    "{reasons}.active",
    "persistence_mode",
    "ecc.errors.uncorrected.volatile.total",
    "memory.used",
)
REASON_NAMES = ("clocks_event_reasons", "clocks_throttle_reasons")
APPS_ARGS = ("--query-compute-apps=pid,process_name,used_memory", "--format=csv,noheader")
STATE_TIMEOUT = 10.0

# nvmlClocksEventReasons bits (NVML API reference). Idle is no throttling; application
# clocks and display clocks are settings, not slowdowns.
THROTTLE_BITS = (
    (0x4, "software power cap"),
    (0x8, "hardware slowdown"),
    (0x10, "sync boost"),
    (0x20, "software thermal slowdown"),
    (0x40, "hardware thermal slowdown"),
    (0x80, "hardware power brake slowdown"),
)


@dataclass(frozen=True)
class GpuReading:
    """One GPU at one moment (``None``: the driver did not say)."""

    index: int
    sm_clock_mhz: float | None = None
    mem_clock_mhz: float | None = None
    temperature_c: float | None = None
    power_draw_w: float | None = None
    power_limit_w: float | None = None
    throttle_reasons: str = ""  # the bitmask as nvidia-smi prints it, 0x...
    persistence_mode: str = ""
    ecc_uncorrected: float | None = None
    memory_used_mb: float | None = None

    def throttling(self) -> list[str]:
        """The active slowdown reasons, in words."""
        try:
            mask = int(self.throttle_reasons, 16)
        except ValueError:
            return []
        return [name for bit, name in THROTTLE_BITS if mask & bit]


@dataclass(frozen=True)
class GpuProcess:
    pid: int
    name: str
    used_memory_mb: float | None = None


@dataclass(frozen=True)
class GpuSnapshot:
    """Every GPU and every compute process at one moment, or why it is unknown."""

    gpus: tuple[GpuReading, ...] = ()
    processes: tuple[GpuProcess, ...] = ()
    problem: str | None = None

    def memory_used_mb(self) -> float | None:
        used = [g.memory_used_mb for g in self.gpus if g.memory_used_mb is not None]
        return round(sum(used), 1) if used else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "gpus": [asdict(g) for g in self.gpus],
            "processes": [asdict(p) for p in self.processes],
            "problem": self.problem,
        }


def snapshot_from_dict(data: Mapping[str, Any]) -> GpuSnapshot:
    gpus = tuple(
        GpuReading(**{k: v for k, v in g.items() if k in GpuReading.__dataclass_fields__})
        for g in data.get("gpus", [])
        if isinstance(g, dict)
    )
    procs = tuple(
        GpuProcess(**{k: v for k, v in p.items() if k in GpuProcess.__dataclass_fields__})
        for p in data.get("processes", [])
        if isinstance(p, dict)
    )
    return GpuSnapshot(gpus, procs, data.get("problem"))


def _mib_to_mb(text: str) -> float | None:
    mib = smi.cell_number(text)
    return round(mib * 1.048576, 1) if mib is not None else None


def parse_state_csv(text: str) -> tuple[GpuReading, ...]:
    """Lines such as ``0, 1980 MHz, 2619 MHz, 34, 73.24 W, 700.00 W, 0x0000000000000001,
    Enabled, 0, 0 MiB`` (``--format=csv,noheader``)."""
    out = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.split(",")]
        if not line.strip():
            continue
        if len(cells) != len(STATE_FIELDS) or not cells[0].isdigit():
            raise ValueError(f"unexpected nvidia-smi line: {line.strip()[:120]!r}")
        ecc = smi.cell_number(cells[8])
        out.append(
            GpuReading(
                index=int(cells[0]),
                sm_clock_mhz=smi.cell_number(cells[1]),
                mem_clock_mhz=smi.cell_number(cells[2]),
                temperature_c=smi.cell_number(cells[3]),
                power_draw_w=smi.cell_number(cells[4]),
                power_limit_w=smi.cell_number(cells[5]),
                throttle_reasons=smi.cell_text(cells[6]),
                persistence_mode=smi.cell_text(cells[7]),
                ecc_uncorrected=ecc,
                memory_used_mb=_mib_to_mb(cells[9]),
            )
        )
    return tuple(out)


def parse_apps_csv(text: str) -> tuple[GpuProcess, ...]:
    """``--query-compute-apps=pid,process_name,used_memory``: ``4242, python3, 1024 MiB``."""
    out = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.split(",")]
        if len(cells) < 3 or not cells[0].isdigit():
            continue  # "No running processes found" and the like
        name = ", ".join(cells[1:-1])
        out.append(GpuProcess(int(cells[0]), name, _mib_to_mb(cells[-1])))
    return tuple(out)


def _ask(run: smi.Runner, argv: Sequence[str], timeout: float) -> smi.CommandOutput | str:
    import subprocess

    try:
        return run(argv, timeout)
    except FileNotFoundError:
        return "nvidia-smi not found"
    except subprocess.TimeoutExpired:
        return f"nvidia-smi did not answer within {timeout:g} s"
    except OSError as exc:
        return f"nvidia-smi could not be started: {exc.strerror}"


def take_snapshot(
    program: str = "nvidia-smi", run: smi.Runner = smi.run_smi, timeout: float = STATE_TIMEOUT
) -> GpuSnapshot:
    """Ask ``nvidia-smi`` for the state of every GPU and the compute processes on them."""
    answer: smi.CommandOutput | str = ""
    for reasons in REASON_NAMES:
        fields = ",".join(STATE_FIELDS).format(reasons=reasons)
        answer = _ask(run, [program, f"--query-gpu={fields}", "--format=csv,noheader"], timeout)
        if isinstance(answer, str):
            return GpuSnapshot(problem=answer)
        if "not a valid field" not in (answer.stdout + answer.stderr).lower():
            break
    assert isinstance(answer, smi.CommandOutput)
    if answer.returncode != 0:
        output = answer.stdout + answer.stderr
        return GpuSnapshot(problem=smi.smi_problem(answer.returncode, output))
    try:
        gpus = parse_state_csv(answer.stdout)
    except ValueError as exc:
        return GpuSnapshot(problem=f"nvidia-smi: {exc}")
    apps = _ask(run, [program, *APPS_ARGS], timeout)
    procs = parse_apps_csv(apps.stdout) if isinstance(apps, smi.CommandOutput) else ()
    return GpuSnapshot(gpus, procs)


@dataclass(frozen=True)
class GpuEvidence:
    """One GPU command as the GPU saw it: state at start and end, device memory."""

    start: GpuSnapshot = field(default_factory=GpuSnapshot)
    end: GpuSnapshot = field(default_factory=GpuSnapshot)
    peak_memory_mb: float | None = None
    sampled_with: str = ""  # "nvml", "nvidia-smi", or "" when not sampled
    samples: int = 0
    sm_clock_max_mhz: float | None = None  # the highest SM clock sampled while it ran
    sampler_problem: str | None = None

    @property
    def memory_before_mb(self) -> float | None:
        return self.start.memory_used_mb()

    @property
    def memory_after_mb(self) -> float | None:
        return self.end.memory_used_mb()

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.to_dict(),
            "end": self.end.to_dict(),
            "memory_before_mb": self.memory_before_mb,
            "memory_after_mb": self.memory_after_mb,
            "peak_memory_mb": self.peak_memory_mb,
            "sampled_with": self.sampled_with,
            "samples": self.samples,
            "sm_clock_max_mhz": self.sm_clock_max_mhz,
            "sampler_problem": self.sampler_problem,
        }


def evidence_from_dict(data: Mapping[str, Any]) -> GpuEvidence:
    return GpuEvidence(
        start=snapshot_from_dict(data.get("start") or {}),
        end=snapshot_from_dict(data.get("end") or {}),
        peak_memory_mb=data.get("peak_memory_mb"),
        sampled_with=data.get("sampled_with", ""),
        samples=int(data.get("samples", 0)),
        sm_clock_max_mhz=data.get("sm_clock_max_mhz"),
        sampler_problem=data.get("sampler_problem"),
    )


def conditions(evidence: GpuEvidence) -> list[str]:
    """What about the GPU itself could explain a slower run: throttling, other processes."""
    out: list[str] = []
    for moment, snap in (("start", evidence.start), ("end", evidence.end)):
        for gpu in snap.gpus:
            reasons = gpu.throttling()
            if reasons:
                out.append(f"GPU {gpu.index} throttled at the {moment} ({', '.join(reasons)})")
        if snap.processes:
            names = ", ".join(f"{p.name} (pid {p.pid})" for p in snap.processes[:3])
            out.append(f"other processes on the GPU at the {moment}: {names}")
    return out


def sm_clock(evidences: Sequence[GpuEvidence]) -> float | None:
    """The highest SM clock sampled while these commands ran (idle clocks at the start
    and end say nothing about the clock the work ran at)."""
    clocks = [e.sm_clock_max_mhz for e in evidences if e.sm_clock_max_mhz is not None]
    return max(clocks) if clocks else None


CLOCK_DIFFERENCE_PCT = 5.0


def clock_difference(base: Sequence[GpuEvidence], current: Sequence[GpuEvidence]) -> str | None:
    """``"SM clock 1980 MHz in the baseline, 1410 MHz now"`` when they differ by > 5 %."""
    old, new = sm_clock(base), sm_clock(current)
    if old is None or new is None or old == 0:
        return None
    if abs(new - old) / old * 100.0 <= CLOCK_DIFFERENCE_PCT:
        return None
    return f"SM clock {old:g} MHz in the baseline, {new:g} MHz now"


def gpu_conditions(base: Sequence[GpuEvidence], current: Sequence[GpuEvidence]) -> str | None:
    """Why GPU timings of this comparison may reflect the GPU rather than the code:
    throttling or other processes during the current run, or a different SM clock than
    in the baseline. ``None`` when the GPU looked as it should."""
    found = [c for e in current for c in conditions(e)]
    clocks = clock_difference(base, current)
    if clocks:
        found.append(clocks)
    return "; ".join(dict.fromkeys(found)) or None
