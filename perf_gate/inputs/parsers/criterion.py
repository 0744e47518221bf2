"""criterion.rs's on-disk output: ``target/criterion/<group>/<func>/<param>/{new,base}/``.

Each benchmark folder holding ``new/estimates.json`` (or ``new/sample.json``) is one
benchmark, named by ``benchmark.json``'s ``full_id`` (``group/func/param``, the name
criterion prints) or, without it, by its path below ``criterion/``. Its samples are the
per-iteration times ``times[i] / iters[i]`` (ns) of ``sample.json``; its value is
criterion's typical estimate from ``estimates.json`` (the ``slope``, or the ``mean`` with
flat sampling: what criterion prints as ``time: [low estimate high]``, so a tree and a
terminal log of one run agree), with its confidence interval as ``lower``/``upper``
(the median of the samples when there is no ``estimates.json``). A ``throughput`` in
``benchmark.json`` (``Elements``, ``Bytes``, ``BytesDecimal`` per iteration) adds a
``<name> throughput`` metric (higher is better). ``change/estimates.json``, criterion's
own base→new comparison, is kept in ``meta``.

``new/`` is the latest run; ``base/`` is criterion's saved baseline (the run before, or
``--save-baseline base``). The format ``criterion`` reads ``new/``; ``criterion-base``
reads ``base/`` of the same tree and is used only when asked for by name, so that one
``target/criterion`` can serve as the current run and as its own baseline.
"""

from __future__ import annotations

import os
import re
import statistics
from operator import truediv
from pathlib import Path
from typing import Any

from perf_gate.core.errors import InputError
from perf_gate.core.model import InputFile, Kind, Metric, ParseResult
from perf_gate.inputs.parsers import register, register_tree, register_tree_family
from perf_gate.inputs.parsers.base import (
    Sniff,
    finite_array,
    read_sniff_if_present,
    validate_or_raise,
)

_MARKERS = ("estimates.json", "sample.json")
_RATE_UNITS = {"Bytes": "B/s", "BytesDecimal": "B/s", "Elements": "elem/s"}
_SCHEMAS = {
    "benchmark.json": "criterion-benchmark.schema.json",
    "estimates.json": "criterion-estimates.schema.json",
}


class CriterionTree:
    """One saved run of a criterion tree: ``new`` (the latest) or ``base`` (the saved one)."""

    def __init__(self, saved: str = "new", *, name: str = "criterion", automatic: bool = True):
        self.saved = saved
        self.name = name
        self.automatic = automatic  # found by a plain folder scan, or only when named
        self.description = (
            f"cargo bench (criterion.rs) → target/criterion/  (reads <bench>/{saved}/*.json)"
        )

    def find_units(self, root: Path) -> list[Path]:
        """Benchmark folders below ``root`` with ``<saved>/estimates.json`` or ``sample.json``
        (hidden folders skipped); one walk, as a tree of 10,000 benchmarks is 60,000 files."""
        units = []
        top = os.fspath(root)
        pending = [top]
        while pending:  # os.walk(root) without its lstat per folder: d_type says it all
            folder = pending.pop()
            saved = folder != top and os.path.basename(folder) == self.saved
            marked = False
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        if not entry.is_dir():
                            marked = marked or (saved and entry.name in _MARKERS)
                        elif not entry.name.startswith(".") and not entry.is_symlink():
                            pending.append(entry.path)
            except OSError:
                continue
            if marked:
                units.append(Path(os.path.dirname(folder)))
        return sorted(units)

    def parse_unit(self, unit: Path) -> ParseResult:
        run = os.path.join(unit, self.saved)  # strings: a Path only for a file that is there
        files: list[InputFile] = []
        benchmark = self._read(os.path.join(run, "benchmark.json"), files)
        name = str(benchmark.get("full_id") or benchmark.get("title") or _path_id(unit))
        samples: tuple[float, ...] = ()
        sniff = read_sniff_if_present(os.path.join(run, "sample.json"))
        if sniff is not None:
            samples = _samples(sniff)
            files.append(sniff.input_file(self.name))
        estimates = self._read(os.path.join(run, "estimates.json"), files)
        estimate, lower, upper = _typical_estimate(estimates)
        value = estimate if estimate is not None or not samples else statistics.median(samples)
        if value is None:
            raise InputError("criterion benchmark without estimates.json or sample.json", path=run)
        meta = _change(unit) if self.saved == "new" else ()
        source = str(unit)
        metrics = [
            Metric(
                name=name,
                value=value,
                unit="ns",
                kind=Kind.TIMING,
                direction="lower",
                samples=samples,
                lower=lower,
                upper=upper,
                source=source,
                format=self.name,
                meta=meta,
            )
        ]
        per_iter = _per_iteration(benchmark.get("throughput"))
        if per_iter is not None and value > 0:
            count, unit_name = per_iter
            rate = _throughput_metric(name, count, unit_name, value, samples, source, self.name)
            metrics.append(rate)
        return ParseResult(metrics=tuple(metrics), files=tuple(files))

    def _read(self, path: str, files: list[InputFile]) -> dict[str, Any]:
        sniff = read_sniff_if_present(path)
        if sniff is None:
            return {}
        doc = sniff.json_or_error()
        validate_or_raise(sniff, doc, _SCHEMAS[os.path.basename(path)])
        files.append(sniff.input_file(self.name))
        return doc if isinstance(doc, dict) else {}


def _path_id(unit: Path) -> str:
    """``.../target/criterion/group/func/param`` → ``group/func/param``."""
    parts = unit.parts
    if "criterion" in parts:
        below = parts[len(parts) - parts[::-1].index("criterion") :]
        if below:
            return "/".join(below)
    return unit.name


def _typical_estimate(doc: dict[str, Any]) -> tuple[float | None, float | None, float | None]:
    """criterion's typical estimate and its confidence interval, in ns.

    The typical estimate is what criterion prints as ``time: [low estimate high]``: the
    slope with linear sampling, the mean when there is no slope (flat sampling), so a
    tree and a terminal log of the same run give the same value.
    """
    if not doc:
        return None, None, None
    typical = next(
        (doc[key] for key in ("slope", "mean", "median") if isinstance(doc.get(key), dict)),
        None,
    )
    if typical is None:
        return None, None, None
    interval = typical.get("confidence_interval") or {}
    return (
        float(typical["point_estimate"]),
        _float_or_none(interval.get("lower_bound")),
        _float_or_none(interval.get("upper_bound")),
    )


def _float_or_none(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def _change(unit: Path) -> tuple[tuple[str, str], ...]:
    """criterion's own base→new change of the mean (``<unit>/change/estimates.json``), as
    ``meta`` (``+3.1%``)."""
    sniff = read_sniff_if_present(os.path.join(unit, "change", "estimates.json"))
    if sniff is None:
        return ()
    doc = sniff.json_or_error()
    mean = doc.get("mean") if isinstance(doc, dict) else None
    if not isinstance(mean, dict) or not isinstance(mean.get("point_estimate"), (int, float)):
        raise InputError("expected mean.point_estimate", path=sniff.shown, where="$.mean")
    return (("change", f"{mean['point_estimate'] * 100:+.2f}%"),)


def _samples(sniff: Sniff) -> tuple[float, ...]:
    doc = sniff.json_or_error()
    validate_or_raise(sniff, doc, "criterion-sample.schema.json")
    iters, times = doc["iters"], doc["times"]
    if len(iters) != len(times):
        raise InputError(
            f"iters has {len(iters)} entries but times has {len(times)}",
            path=str(sniff.path),
            where="$.times",
        )
    counts = finite_array(iters, sniff, "$.iters", schema_checked=True)
    if 0 in counts:
        i = counts.index(0)
        raise InputError("zero iterations", path=str(sniff.path), where=f"$.iters[{i}]")
    spans = finite_array(times, sniff, "$.times", schema_checked=True)
    return tuple(map(truediv, spans, counts))  # floats: t / n, item by item, in C


def _per_iteration(throughput: Any) -> tuple[float, str] | None:
    """``{"Elements": 1024}`` → ``(1024, "elem/s")``; criterion 0.5's ``ElementsAndBytes``
    counts elements."""
    if not isinstance(throughput, dict) or not throughput:
        return None
    (what, amount), *_ = throughput.items()
    if isinstance(amount, dict):
        return float(amount.get("elements", 0)), "elem/s"
    return float(amount), _RATE_UNITS.get(what, f"{what}/s")


def _throughput_metric(
    name: str,
    per_iter: float,
    unit: str,
    ns: float,
    samples: tuple[float, ...],
    source: str,
    fmt: str,
) -> Metric:
    return Metric(
        name=f"{name} throughput",
        value=per_iter / (ns / 1e9),
        unit=unit,
        kind=Kind.THROUGHPUT,
        direction="higher",
        samples=tuple(per_iter / (s / 1e9) for s in samples if s > 0),
        source=source,
        format=fmt,
    )


class CriterionEstimates:
    """One ``estimates.json`` given on its own.

    Inside a criterion tree (``<bench>/new/estimates.json``) it reads the whole benchmark
    folder as the tree does; alone, it is the typical estimate named by the file's stem.
    """

    name = "criterion-estimates"
    description = "target/criterion/<bench>/new/estimates.json given as a file"
    schema: str | None = "criterion-estimates.schema.json"

    def detect(self, sniff: Sniff) -> bool:
        doc = sniff.json
        if not isinstance(doc, dict) or sniff.path.parent.name == "change":
            return False
        estimates = [doc.get(k) for k in ("mean", "median", "std_dev", "median_abs_dev")]
        return all(isinstance(e, dict) and "point_estimate" in e for e in estimates)

    def parse(self, sniff: Sniff) -> ParseResult:
        saved = sniff.path.parent
        if sniff.path.name == "estimates.json" and (saved / "benchmark.json").exists():
            return CriterionTree(saved.name).parse_unit(saved.parent)
        doc = sniff.json_or_error()
        validate_or_raise(sniff, doc, "criterion-estimates.schema.json")
        value, lower, upper = _typical_estimate(doc)
        assert value is not None
        metric = Metric(
            name=sniff.path.stem,
            value=value,
            unit="ns",
            kind=Kind.TIMING,
            direction="lower",
            lower=lower,
            upper=upper,
            source=str(sniff.path),
            format=self.name,
        )
        return ParseResult(metrics=(metric,), files=(sniff.input_file(self.name),))


def saved_baseline(name: str) -> CriterionTree:
    """``criterion:NAME``: the run ``cargo bench -- --save-baseline NAME`` left in
    ``<bench>/NAME/`` (``criterion:base`` is ``criterion-base``, ``criterion:new`` is
    ``criterion``). Read only when asked for by name."""
    if name in (".", "..", "change", "report") or not re.fullmatch(r"[A-Za-z0-9._-]+", name):
        raise InputError(
            f"criterion baseline name {name!r} is not a folder criterion writes "
            "(--save-baseline NAME: letters, digits, '-' and '_')",
            path=None,
        )
    fmt = "criterion" if name == "new" else "criterion-base"
    return CriterionTree(name, name=fmt, automatic=False)


register_tree(CriterionTree())
register_tree(CriterionTree("base", name="criterion-base", automatic=False))
register_tree_family("criterion", saved_baseline)
register(CriterionEstimates(), priority=5)
