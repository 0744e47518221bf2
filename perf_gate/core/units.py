"""Unit conversion into the model's canonical units, and human formatting."""

from __future__ import annotations

import math

_TIME_NS = {
    "ps": 1e-3,
    "ns": 1.0,
    "us": 1e3,
    "µs": 1e3,
    "μs": 1e3,
    "ms": 1e6,
    "s": 1e9,
    "sec": 1e9,
    "secs": 1e9,
    "seconds": 1e9,
    "min": 60e9,
}

_MEMORY_MB = {
    "b": 1 / 1e6,
    "bytes": 1 / 1e6,
    "kb": 1e-3,
    "kib": 1024 / 1e6,
    "mb": 1.0,
    "mib": 1024 * 1024 / 1e6,
    "gb": 1e3,
    "gib": 1024**3 / 1e6,
    "megabytes": 1.0,
    "kilobytes": 1e-3,
    "gigabytes": 1e3,
}


def is_time_unit(unit: str) -> bool:
    return unit.strip() in _TIME_NS


def to_ns(value: float, unit: str) -> float:
    """Convert a duration in ``unit`` (ns, us/µs, ms, s...) to nanoseconds."""
    return value * _TIME_NS[unit.strip()]


def is_memory_unit(unit: str) -> bool:
    return unit.strip().lower() in _MEMORY_MB


def to_mb(value: float, unit: str) -> float:
    """Convert a memory size in ``unit`` to (decimal) megabytes."""
    return value * _MEMORY_MB[unit.strip().lower()]


# The format specs of _trim, made once: a spec built per call (f"{x:,.{d}f}") costs more
# than the formatting (a 10,000-row table formats 20,000 values).
_FIXED = tuple(f",.{decimals}f" for decimals in range(32))


def _trim(number: float, digits: int = 3) -> str:
    """Format with ``digits`` significant figures, no exponent for usual ranges."""
    if number == 0 or not math.isfinite(number):
        return f"{number:g}"
    magnitude = math.floor(math.log10(abs(number)))
    decimals = max(0, digits - 1 - magnitude)
    return format(number, _FIXED[decimals] if decimals < len(_FIXED) else f",.{decimals}f")


def format_value(value: float | None, unit: str) -> str:
    """Human form of a canonical value: ``1.63 ms``, ``45.2 tok/s``, ``2.1 GB``, ``99.82%``."""
    if value is None:
        return "—"
    if unit == "ns":
        for name, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
            if abs(value) >= scale:
                return f"{_trim(value / scale)} {name}"
        return f"{_trim(value)} ns"
    if unit == "MB":
        return f"{_trim(value / 1000)} GB" if abs(value) >= 1000 else f"{_trim(value)} MB"
    if unit == "%":
        return f"{value:.2f}%"
    if unit == "×":
        return f"{_trim(value)}×"
    if unit in ("", "count"):
        return _trim(value, 4)
    return f"{_trim(value, 4 if abs(value) >= 100 else 3)} {unit}"


def format_pct(delta: float | None) -> str:
    """Signed percentage: ``+7.4%``, ``-0.3%``, ``0%``."""
    if delta is None:
        return "—"
    if abs(delta) < 0.005:
        return "0%"
    if abs(delta) < 0.095:
        return f"{delta:+.2f}%"
    return f"{delta:+.1f}%"
