"""The normalised model every parser produces and every later stage reads.

Values are stored in a canonical unit per kind so that a baseline and a current
run written by different harnesses compare directly: times in nanoseconds
(``ns``), memory in megabytes (``MB``), accuracy in percent (``%``), throughput
in the harness's own rate unit (``tok/s``, ``elem/s``, ``B/s``, ``ops/s``...).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Literal

from perf_gate.core.sample_summary import SampleSummary

Direction = Literal["lower", "higher"]
Device = Literal["cpu", "gpu"]


class Kind(str, enum.Enum):
    """What a metric measures; selects the default policy and the evidence line."""

    TIMING = "timing"  # a benchmark's time per iteration or per command (lower is better)
    THROUGHPUT = "throughput"  # elements, bytes or operations per second
    INFERENCE = "inference"  # tokens per second of model inference
    LATENCY = "latency"  # a model latency such as first-token or p95 latency
    ACCURACY = "accuracy"  # quantization accuracy and similar percentages (floor 99 %)
    PARITY = "parity"  # cross-validation against a reference implementation
    MEMORY = "memory"  # peak or resident memory
    BUILD_TIME = "build_time"
    TEST_TIME = "test_time"
    DERIVED = "derived"  # a ratio of two measured metrics (SIMD over scalar speedup...)
    LEAK = "leak"  # leaked bytes or blocks, allocation counts (valgrind, LeakSanitizer, dhat)
    OTHER = "other"


DEFAULT_DIRECTION: dict[Kind, Direction] = {
    Kind.TIMING: "lower",
    Kind.THROUGHPUT: "higher",
    Kind.INFERENCE: "higher",
    Kind.LATENCY: "lower",
    Kind.ACCURACY: "higher",
    Kind.PARITY: "lower",
    Kind.MEMORY: "lower",
    Kind.BUILD_TIME: "lower",
    Kind.TEST_TIME: "lower",
    Kind.DERIVED: "higher",
    Kind.LEAK: "lower",
    Kind.OTHER: "lower",
}


@dataclass(frozen=True)
class Metric:
    """One measured quantity of one run.

    ``samples`` are the raw repeated measurements in the same unit as ``value``
    (criterion per-iteration times, hyperfine ``times``...), empty when the harness
    gives one number only. ``lower``/``upper`` carry a harness-reported confidence
    interval when there is one. ``passed`` is set for pass/fail tests (accuracy
    tests, parity) whose verdict the harness already made. ``summary`` stands for the
    samples where they are not kept (the earlier runs of a baseline store, history
    baselines once read): the sample test reads either alike (:attr:`evidence`).
    """

    name: str
    value: float
    unit: str
    kind: Kind
    direction: Direction
    device: Device | None = None
    samples: tuple[float, ...] = ()
    lower: float | None = None
    upper: float | None = None
    passed: bool | None = None
    tolerance: float | None = None  # a threshold the harness itself declares
    source: str = ""
    format: str = ""
    meta: tuple[tuple[str, str], ...] = ()
    summary: SampleSummary | None = None

    @property
    def sample_count(self) -> int:
        """How many samples the metric has, kept or summarised."""
        if self.samples or self.summary is None:
            return len(self.samples)
        return self.summary.samples

    @property
    def evidence(self) -> tuple[float, ...] | SampleSummary:
        """The samples, or their summary where they are not kept."""
        if self.samples or self.summary is None:
            return self.samples
        return self.summary

    @property
    def key(self) -> tuple[str, str]:
        """Identity used to pair a current metric with its baseline."""
        return (self.name, self.device or "")

    @property
    def label(self) -> str:
        return f"{self.name} ({self.device})" if self.device else self.name


@dataclass(frozen=True)
class Finding:
    """A problem a parser found in an input that must decide the gate.

    ``severity`` ``fail`` makes the gate fail (a mock receipt, 0 tok/s, a panicking
    benchmark); ``warn`` is reported only.
    """

    source: str
    message: str
    severity: Literal["fail", "warn"] = "fail"
    code: str = ""


@dataclass(frozen=True)
class InputFile:
    """One file read, for the receipt's audit trail."""

    path: str
    format: str
    sha256: str
    role: Literal["current", "baseline"] = "current"


@dataclass(frozen=True)
class ParseResult:
    """What one parser returns for one input."""

    metrics: tuple[Metric, ...]
    findings: tuple[Finding, ...] = ()
    files: tuple[InputFile, ...] = ()


@dataclass(frozen=True)
class RunSet:
    """All metrics of one run (the current run, or one baseline run)."""

    metrics: tuple[Metric, ...]
    findings: tuple[Finding, ...] = ()
    files: tuple[InputFile, ...] = ()
    formats: tuple[str, ...] = field(default=())

    def by_key(self) -> dict[tuple[str, str], Metric]:
        return {m.key: m for m in self.metrics}
