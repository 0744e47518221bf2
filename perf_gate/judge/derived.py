"""Derived metrics: the ratio of two measured metrics, judged in its own right.

A ratio reads "how many times better the numerator is than the denominator": for
lower-is-better metrics (times) it is denominator / numerator, for higher-is-better ones
(throughput) numerator / denominator. ``derived:`` entries of ``.perf-gate.yml`` name the
pairs (names or globs, each ``*`` carried over); built in, with no config, wherever both
sides exist in a run:

- SIMD over scalar: names that differ only in ``avx2``/``avx512``/``neon`` vs ``scalar``;
- reduced over full precision: ``fp16``/``bf16`` vs ``fp32``;
- GPU over CPU: the same inference benchmark on both devices;
- Rust over C++: names that differ only in ``rust`` vs ``cpp``/``cxx``/``c++``.

With samples on both sides the ratio carries samples too (the i-th sample of each side,
independent draws, so each quotient is a draw of the ratio), and the sample test decides
as for any other metric. Pure functions: runs in, runs out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache

from perf_gate.core.config import Config, DerivedRule
from perf_gate.core.model import Kind, Metric, RunSet
from perf_gate.core.units import format_value
from perf_gate.judge.verdict import Row

UNIT = "×"
DEFAULT_TOLERANCE = 10.0


@dataclass(frozen=True)
class _BuiltIn:
    title: str  # "speedup", "precision speedup"...
    fast: str  # regex of the numerator's token
    slow: str  # the denominator's token (text put in its place)


_TOKEN_SWAPS = (
    _BuiltIn("SIMD speedup", r"avx2|avx512|neon", "scalar"),
    _BuiltIn("precision speedup", r"fp16|bf16", "fp32"),
    _BuiltIn("Rust/C++ ratio", r"rust", "cpp"),
    _BuiltIn("Rust/C++ ratio", r"rust", "cxx"),
    _BuiltIn("Rust/C++ ratio", r"rust", "c++"),
)


def _token(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9])({pattern})(?![A-Za-z0-9])", re.IGNORECASE)


_ANY_FAST = _token("|".join(swap.fast for swap in _TOKEN_SWAPS))  # most names: none
# The tokens are plain lowercase words: an ASCII name none of them is in, lowercased, has no
# token. One case-sensitive search of the lowered name (1 µs) spares most names the
# case-blind search with lookarounds (3 µs; 20,000 names at 10,000 benchmarks).
_FAST_WORDS = re.compile("|".join(swap.fast for swap in _TOKEN_SWAPS))


def _has_fast_token(name: str) -> bool:
    """``_ANY_FAST.search(name)``, found."""
    if name.isascii() and _FAST_WORDS.search(name.lower()) is None:
        return False
    return _ANY_FAST.search(name) is not None


@cache
def _swap_tokens() -> list[tuple[_BuiltIn, re.Pattern[str]]]:
    """Each swap's own pattern, compiled when a name first has a token (not at start-up)."""
    return [(swap, _token(swap.fast)) for swap in _TOKEN_SWAPS]


def ratio(num: Metric, den: Metric) -> tuple[float, tuple[float, ...]] | None:
    """The ratio of ``num`` over ``den`` with its samples, or None when undefined."""

    def one(a: float, b: float) -> float | None:
        top, bottom = (b, a) if num.direction == "lower" else (a, b)
        return top / bottom if bottom > 0 and top >= 0 else None

    value = one(num.value, den.value)
    if value is None:
        return None
    pairs = [one(a, b) for a, b in zip(num.samples, den.samples, strict=False)]
    samples = tuple(r for r in pairs if r is not None)
    return value, (samples if len(samples) == len(pairs) else ())


def _derived(
    title: str,
    num: Metric,
    den: Metric,
    *,
    floor: float | None = None,
    tolerance: float | None = DEFAULT_TOLERANCE,
    critical: bool = True,
    device_name: bool = False,
) -> Metric | None:
    if num.unit != den.unit or num.direction != den.direction:
        return None
    got = ratio(num, den)
    if got is None:
        return None
    value, samples = got
    same = num.device == den.device
    pair = f"{num.label} vs {den.label}" if device_name else f"{num.name} vs {den.name}"
    meta = [("numerator", num.label), ("denominator", den.label), ("title", title)]
    if floor is not None:
        meta.append(("floor", repr(floor)))
    if tolerance is not None:
        meta.append(("tolerance", repr(tolerance)))
    meta.append(("critical", "true" if critical else "false"))
    return Metric(
        name=f"{title}: {pair}",
        value=value,
        unit=UNIT,
        kind=Kind.DERIVED,
        direction="higher",
        device=num.device if same else None,
        samples=samples,
        source=num.source,
        format="derived",
        meta=tuple(meta),
    )


def _glob(pattern: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in pattern.split("*")]
    return re.compile("(.*?)".join(parts) + r"\Z", re.DOTALL)


def _configured(rule: DerivedRule, metrics: tuple[Metric, ...]) -> Iterator[Metric]:
    by_key = {m.key: m for m in metrics}
    pattern = _glob(rule.numerator)
    for num in metrics:
        found = pattern.match(num.name)
        if found is None or _restates(num, by_key):
            continue
        den_name = rule.denominator
        for capture in found.groups():
            den_name = den_name.replace("*", capture, 1)
        den = by_key.get((den_name, num.device or ""))
        if den is None or den is num:
            continue
        made = _derived(
            rule.name or "ratio",
            num,
            den,
            floor=rule.floor,
            tolerance=rule.tolerance,
            critical=rule.critical,
        )
        if made is not None:
            yield made


def _built_in(metrics: tuple[Metric, ...]) -> Iterator[Metric]:
    by_key = {m.key: m for m in metrics}
    for num in metrics:
        if num.kind is Kind.DERIVED or _restates(num, by_key):
            continue
        for swap, token in _swap_tokens() if _has_fast_token(num.name) else ():
            if token.search(num.name) is None:
                continue
            den = by_key.get((token.sub(swap.slow, num.name), num.device or ""))
            if den is not None:
                made = _derived(swap.title, num, den)
                if made is not None:
                    yield made
        if num.kind is Kind.INFERENCE and num.device == "gpu":
            den = by_key.get((num.name, "cpu"))
            if den is not None:
                made = _derived("GPU speedup", num, den, device_name=True)
                if made is not None:
                    yield made


def _restates(metric: Metric, by_key: dict[tuple[str, str], Metric]) -> bool:
    """A throughput computed from a timing of the same benchmark (criterion's
    ``<name> throughput``) gives the same ratio: derive it once, from the timing."""
    base = metric.name.removesuffix(" throughput")
    return (
        metric.kind is Kind.THROUGHPUT
        and base != metric.name  # a throughput measured as such restates nothing
        and (base, metric.device or "") in by_key
    )


def derive(run: RunSet, config: Config) -> RunSet:
    """``run`` with its derived metrics appended: configured pairs first, then built-ins
    for pairs no configured entry already covers."""
    metrics = run.metrics
    made: dict[tuple[str, str], Metric] = {}
    for rule in config.derived:
        for metric in _configured(rule, metrics):
            made.setdefault(_sides(metric), metric)
    for metric in _built_in(metrics):
        made.setdefault(_sides(metric), metric)
    if not made:
        return run
    return replace(run, metrics=metrics + tuple(made.values()))


def _sides(metric: Metric) -> tuple[str, str]:
    meta = dict(metric.meta)
    return (meta["numerator"], meta["denominator"])


def annotate(rows: list[Row]) -> list[Row]:
    """Derived rows name both sides and the ratio before and after in their explanation."""
    out = []
    for row in rows:
        if row.metric.kind is Kind.DERIVED:
            meta = dict(row.metric.meta)
            before = format_value(row.baseline.value, UNIT) if row.baseline else "—"
            now = format_value(row.current.value, UNIT) if row.current else "—"
            head = (
                f"{meta.get('title', 'ratio')} of {meta.get('numerator')} over "
                f"{meta.get('denominator')}: {before} in the baseline, {now} now"
            )
            row = replace(row, explanation=f"{head}; {row.explanation}")
        out.append(row)
    return out
