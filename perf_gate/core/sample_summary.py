"""A run's samples reduced to what the sample test reads of them, and its JSON form.

The noise-aware test (:mod:`perf_gate.judge.sample_verdict`) uses a run only through its
:class:`RunSummary`. A baseline store keeps every earlier run that way
(:class:`SampleSummary`, in the metric's ``summary``), not its raw samples: five runs of
10,000 benchmarks then cost little more to read than one. The numbers are stored
exactly (JSON's shortest round-tripping floats; the points as base64 of their IEEE 754
bytes), so a summary read back is the one written, bit for bit, and the verdicts are
those the samples would give.
"""

from __future__ import annotations

import binascii
import math
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

HL_POINTS = 32
"""Samples per side kept for the Hodges–Lehmann shift; larger runs are compressed to
this many block means (exact up to 32 samples, within 0.1 % of exact on real data)."""

MAX_SAMPLES = 2**40
"""The most samples a summary may claim: a run file holding more would take terabytes (a
64 MiB input holds at most 33 million), and the statistics turn counts into floats
(10**200 overflowed)."""

SUMMARY_VERSION = 1
"""The version of :func:`summary_to_json`'s form; another is refused when read."""


@dataclass(frozen=True)
class RunSummary:
    """One run of one metric on the log scale.

    ``log_median`` and its squared Price–Bonett standard error ``variance`` (0.0
    with fewer than 2 usable samples) describe the run on its own; ``points`` are
    the sorted log samples, compressed to at most :data:`HL_POINTS` block means,
    for the two-sample Hodges–Lehmann shift (a tuple, or :class:`PackedPoints` read
    from a store); ``count`` is the number of samples.
    """

    log_median: float
    variance: float
    count: int
    points: Sequence[float]

    def scaled(self, factor: float) -> RunSummary:
        """The summary of the same samples multiplied by ``factor`` (exact)."""
        move = math.log(factor)
        return RunSummary(
            self.log_median + move,
            self.variance,
            self.count,
            tuple(point + move for point in self.points),
        )


@dataclass(frozen=True)
class SampleSummary:
    """A metric's samples when they are not kept: how many there were (usable or not:
    the test needs as many per side) and their :class:`RunSummary`, ``None`` when
    none was usable (finite and positive)."""

    samples: int
    run: RunSummary | None


class PackedPoints(Sequence[float]):
    """A run's points as the bytes of their doubles, unpacked when first used: judging
    reads the points of one earlier run only (suite mode's reference), so a store's other
    history runs never make their floats (1.2 million at 10,000 benchmarks x 4 runs).
    Equal to (and hashed as) the tuple of the same floats."""

    __slots__ = ("_raw", "_values")

    def __init__(self, raw: bytes) -> None:
        self._raw = raw
        self._values: tuple[float, ...] | None = None

    def _unpacked(self) -> tuple[float, ...]:
        if self._values is None:
            self._values = _DOUBLES[len(self._raw) // 8].unpack(self._raw)
        return self._values

    def __len__(self) -> int:
        return len(self._raw) // 8

    @overload
    def __getitem__(self, index: int) -> float: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[float, ...]: ...

    def __getitem__(self, index: int | slice) -> float | tuple[float, ...]:
        return self._unpacked()[index]

    def __iter__(self) -> Iterator[float]:
        return iter(self._unpacked())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedPoints):
            return self._unpacked() == other._unpacked()
        return self._unpacked() == other

    def __hash__(self) -> int:
        return hash(self._unpacked())

    def __repr__(self) -> str:
        return f"PackedPoints({self._unpacked()!r})"


def _pack(points: Sequence[float]) -> str:
    """The points as base64 of little-endian IEEE 754 doubles: exact, and read about ten
    times faster than a JSON array of shortest-repr floats (which are 20 characters each,
    not 11, and the bulk of a store's history)."""
    if isinstance(points, PackedPoints):
        raw = points._raw
    else:
        raw = struct.pack(f"<{len(points)}d", *points)
    return binascii.b2a_base64(raw, newline=False).decode()


def summary_to_json(summary: SampleSummary) -> list[Any]:
    """``[version, samples, log_median, variance, count, points]``, or ``[version,
    samples]`` when no sample was usable: an array, not an object, because a store holds
    one a metric of every earlier run (40,000 at 10,000 benchmarks), and orjson reads an
    object's keys and a nested object at more than twice the cost."""
    run = summary.run
    if run is None:
        return [SUMMARY_VERSION, summary.samples]
    points = _pack(run.points)
    return [SUMMARY_VERSION, summary.samples, run.log_median, run.variance, run.count, points]


def summary_from_json(data: list[Any]) -> SampleSummary:
    """The summary of :func:`summary_to_json`'s form (the schema has checked it is an
    array of 2 to 6 numbers and strings); :class:`ValueError` saying what is wrong for
    another version or a summary no samples can give."""
    version = data[0]
    if version != SUMMARY_VERSION:
        raise ValueError(
            f"sample summary of version {version!r}, this perf-gate reads version "
            f"{SUMMARY_VERSION} (write the store again with this version's "
            "'perf-gate baseline update', or use the perf-gate that wrote it)"
        )
    if len(data) == 2:
        samples = data[1]
        if type(samples) is int and 0 < samples <= MAX_SAMPLES:
            return SampleSummary(samples, None)
        raise ValueError(_MALFORMED)
    try:
        _, samples, log_median, variance, count, packed = data
    except ValueError:
        raise ValueError(_MALFORMED) from None
    if not (
        type(samples) is int
        and type(count) is int
        and 0 < count <= samples <= MAX_SAMPLES
        and type(log_median) in _NUMBER
        and type(variance) in _NUMBER
        and variance >= 0
        and type(packed) is str
    ):
        raise ValueError(_MALFORMED)
    doubles = min(count, HL_POINTS)
    try:
        raw = binascii.a2b_base64(packed, strict_mode=True)
    except binascii.Error as exc:
        raise ValueError(f"sample summary points are not base64: {exc}") from None
    if len(raw) != 8 * doubles:
        raise ValueError(
            f"sample summary of {count} usable samples with {len(raw) / 8:g} points "
            f"(expected {doubles})"
        )
    # A NaN or an infinity is refused as it is in samples: judged, a NaN point passed a
    # regression. Only a double of magnitude 2**1009 or more, never a log of one, has a
    # high byte of 0x7F or 0xFF (40,000 points' high bytes are looked at in 12 ms).
    if raw[7::8].translate(None, _NOT_HUGE) and not all(
        map(math.isfinite, _DOUBLES[doubles].unpack(raw))
    ):
        raise ValueError("sample summary points are not all finite")
    run = RunSummary(float(log_median), float(variance), count, PackedPoints(raw))
    return SampleSummary(samples, run)


_NUMBER = frozenset({int, float})
_NOT_HUGE = bytes(b for b in range(256) if b not in (0x7F, 0xFF))
_MALFORMED = (
    "malformed sample summary: expected [version, samples (1 to 2**40)] or [version, "
    "samples, log median, variance (>= 0), usable count (1 to samples), base64 points]"
)
_DOUBLES = [struct.Struct(f"<{n}d") for n in range(HL_POINTS + 1)]
