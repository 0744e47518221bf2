"""The registry of input formats.

Each module in this package (other than ``base``) defines one format and registers
it at import time, so adding a format is adding one module. File formats implement
:class:`~perf_gate.inputs.parsers.base.Parser`; formats that are a directory tree (the
criterion ``target/criterion`` layout) implement :class:`TreeParser`.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from perf_gate.core.errors import InputError
from perf_gate.core.model import Device, Finding, InputFile, Metric, ParseResult
from perf_gate.inputs.parsers.base import Parser, Sniff, read_sniff


class TreeParser(Protocol):
    """A format that is a folder layout rather than one file.

    ``automatic`` is False for a reading that must be asked for by name (``--format``),
    such as criterion's saved ``base/`` run beside its ``new/`` one.
    """

    name: str
    description: str
    automatic: bool

    def find_units(self, root: Path) -> list[Path]:
        """The folders below ``root`` (or ``root`` itself) that are one unit of this format."""
        ...

    def parse_unit(self, unit: Path) -> ParseResult: ...


_FILE_PARSERS: dict[str, Parser] = {}
_TREE_PARSERS: dict[str, TreeParser] = {}
_TREE_FAMILIES: dict[str, Callable[[str], TreeParser]] = {}
_PRIORITY: dict[str, int] = {}
_loaded = False


def register(parser: Parser, *, priority: int = 0) -> Parser:
    """Add a file format. Higher ``priority`` is asked first when detecting."""
    _FILE_PARSERS[parser.name] = parser
    _PRIORITY[parser.name] = priority
    return parser


def register_tree(parser: TreeParser) -> TreeParser:
    _TREE_PARSERS[parser.name] = parser
    return parser


def register_tree_family(prefix: str, make: Callable[[str], TreeParser]) -> None:
    """Formats spelt ``PREFIX:ARG`` (``criterion:main``: criterion's saved baseline ``main``);
    ``make(ARG)`` builds the reader or raises :class:`InputError` for a bad ``ARG``."""
    _TREE_FAMILIES[prefix] = make


def tree_parser(fmt: str) -> TreeParser | None:
    """The folder format named ``fmt`` (a registered one, or one of a family), or None."""
    _load_all()
    if fmt in _TREE_PARSERS:
        return _TREE_PARSERS[fmt]
    prefix, colon, argument = fmt.partition(":")
    make = _TREE_FAMILIES.get(prefix) if colon else None
    return make(argument) if make is not None else None


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name != "base":
            importlib.import_module(f"{__name__}.{module.name}")


def file_parsers() -> list[Parser]:
    _load_all()
    return sorted(_FILE_PARSERS.values(), key=lambda p: (-_PRIORITY[p.name], p.name))


def tree_parsers() -> list[TreeParser]:
    _load_all()
    return [_TREE_PARSERS[name] for name in sorted(_TREE_PARSERS)]


def format_names() -> list[str]:
    _load_all()
    return sorted({*_FILE_PARSERS, *_TREE_PARSERS})


def detect(sniff: Sniff) -> Parser | None:
    for parser in file_parsers():
        if parser.detect(sniff):
            return parser
    return None


def _check_format(fmt: str | None) -> None:
    if fmt is not None and fmt not in format_names() and tree_parser(fmt) is None:
        raise InputError(
            f"unknown format {fmt!r}; known formats: {', '.join(format_names())}", path=None
        )


def parse_file(path: Path, fmt: str | None = None) -> ParseResult:
    """Parse one file, detecting its format unless ``fmt`` names it."""
    _check_format(fmt)
    sniff = read_sniff(path)
    if fmt is not None:
        if tree_parser(fmt) is not None:
            raise InputError(f"format {fmt!r} reads a folder, not a file", path=str(path))
        return _not_empty(_FILE_PARSERS[fmt].parse(sniff), fmt, path)
    parser = detect(sniff)
    if parser is None:
        if sniff.json is None and sniff.text.lstrip().startswith(("{", "[")):
            sniff.json_or_error()  # looks like JSON but is not: say where it breaks
        raise InputError(
            "unknown results format (use --format NAME; known formats: "
            + ", ".join(format_names())
            + ")",
            path=str(path),
        )
    return _not_empty(parser.parse(sniff), parser.name, path)


def _not_empty(result: ParseResult, fmt: str, path: Path) -> ParseResult:
    """A results file that yields no metric (and says nothing) must not pass as "skipped"."""
    if not result.metrics and not result.findings:
        raise InputError(f"no metric found in it as format {fmt!r}", path=str(path))
    return result


@dataclass(frozen=True)
class DirectoryScan:
    """What a walk of a folder found: tree units, result files, and files no parser took."""

    units: tuple[tuple[TreeParser, Path], ...]
    files: tuple[tuple[Parser, Sniff], ...]
    ignored: tuple[Path, ...]
    earlier: tuple[tuple[Path, ...], ...] = ()  # older saved runs of stores, oldest first


_SAVED_RUN = re.compile(r"^(?P<number>[0-9]{4,})_.*\.json$")


def _newest_saved_runs(
    files: list[tuple[Parser, Sniff]],
) -> tuple[list[tuple[Parser, Sniff]], tuple[tuple[Path, ...], ...]]:
    """Keep the newest run of each store of numbered saved runs; return the older ones.

    pytest-benchmark's ``--benchmark-autosave`` keeps every run of a machine as
    ``.benchmarks/<machine>/0001_*.json``, ``0002_*.json``...: a store of several runs
    is history, not one run. ``earlier[k]`` is the ``k``-th oldest run of each store
    (counted back from its newest, so stores of different lengths line up).
    """
    stores: dict[tuple[Path, str], list[tuple[int, Sniff]]] = {}
    for parser, sniff in files:
        found = _SAVED_RUN.match(sniff.path.name)
        if found is not None:
            key = (sniff.path.parent, parser.name)
            stores.setdefault(key, []).append((int(found.group("number")), sniff))
    older: set[Path] = set()
    back: dict[int, list[Path]] = {}
    for runs in stores.values():
        runs.sort(key=lambda run: run[0])
        for k, (_, sniff) in enumerate(reversed(runs[:-1]), start=1):
            older.add(sniff.path)
            back.setdefault(k, []).append(sniff.path)
    kept = [(parser, sniff) for parser, sniff in files if sniff.path not in older]
    return kept, tuple(tuple(back[k]) for k in sorted(back, reverse=True))


MAX_FILE_BYTES = 64 * 1024 * 1024  # a results file is never this big; a binary may be


def _walk_files(root: Path, skip: set[Path]) -> list[Path]:
    """Files below ``root``, without hidden ones, tree units, and build caches.

    A folder with a ``CACHEDIR.TAG`` (cargo's ``target/``) holds binaries and build
    state; only its ``criterion/`` output is results, so nothing else in it is read.
    """
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        cache = (here / "CACHEDIR.TAG").exists()
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".") and (here / d) not in skip and (not cache or d == "criterion")
        )
        if not cache:
            out.extend(here / f for f in sorted(filenames) if not f.startswith("."))
    return out


def _is_binary(sniff: Sniff) -> bool:
    return b"\0" in sniff.data[:8192] and sniff.content is sniff.data


def scan_directory(root: Path, fmt: str | None = None) -> DirectoryScan:
    units: list[tuple[TreeParser, Path]] = []
    named = tree_parser(fmt) if fmt is not None else None
    trees = [named] if named is not None else [t for t in tree_parsers() if t.automatic]
    for tree in trees if fmt is None or named is not None else ():
        units.extend((tree, unit) for unit in tree.find_units(root))
    skip = {unit for _, unit in units}
    files: list[tuple[Parser, Sniff]] = []
    ignored: list[Path] = []
    for path in _walk_files(root, skip):
        if path.stat().st_size > MAX_FILE_BYTES:
            ignored.append(path)
            continue
        sniff = read_sniff(path)
        if fmt is None and _is_binary(sniff):
            ignored.append(path)
            continue
        parser = _FILE_PARSERS.get(fmt) if fmt is not None else detect(sniff)
        if parser is None:
            ignored.append(path)
        else:
            files.append((parser, sniff))
    files, earlier = _newest_saved_runs(files)
    return DirectoryScan(
        units=tuple(units), files=tuple(files), ignored=tuple(ignored), earlier=earlier
    )


def parse_directory(
    root: Path, fmt: str | None = None, scan: DirectoryScan | None = None
) -> ParseResult:
    """Parse every result inside a folder (a workspace, a criterion tree, a results folder);
    ``scan``: the folder's :func:`scan_directory`, when the caller made it already."""
    _check_format(fmt)
    if scan is None:
        scan = scan_directory(root, fmt)
    results = [tree.parse_unit(unit) for tree, unit in scan.units]
    results += [parser.parse(sniff) for parser, sniff in scan.files]
    merged = merge(results)
    if not merged.metrics and not merged.findings:
        seen = ", ".join(p.name for p in scan.ignored[:5]) or "no files at all"
        raise InputError(
            f"no benchmark results found (looked at {len(scan.ignored)} files: {seen}); "
            "known formats: " + ", ".join(format_names()),
            path=str(root),
        )
    return merged


def parse_path(
    path: Path, fmt: str | None = None, scan: DirectoryScan | None = None
) -> ParseResult:
    """Parse a file or a folder (``scan``: the folder's scan, if made already)."""
    if path.is_dir():
        return parse_directory(path, fmt, scan)
    if not path.exists():
        raise InputError("no such file or directory", path=str(path))
    return parse_file(path, fmt)


def merge(results: list[ParseResult]) -> ParseResult:
    """Several inputs of one run as one result, each measurement once.

    A run often writes one measurement twice: ``xtask benchmark --json`` and its
    ``ci/inference.json`` receipt carry the same tok/s, and ``cpu-bench.log`` prints what
    ``target/criterion`` stores. The same metric with the same value from two files is
    kept once; a benchmark both in a criterion log and in a criterion tree is the
    tree's (it has the raw samples), on the log's device (the log's name says it),
    unless logs of several devices name it.
    """
    metrics: list[Metric] = []
    findings: list[Finding] = []
    files: list[InputFile] = []
    for result in results:
        metrics.extend(result.metrics)
        findings.extend(result.findings)
        files.extend(result.files)
    return ParseResult(
        metrics=_one_per_measurement(metrics), findings=tuple(findings), files=tuple(files)
    )


def _one_per_measurement(metrics: list[Metric]) -> tuple[Metric, ...]:
    tree_names = {m.name for m in metrics if m.format == "criterion" and m.device is None}
    log_devices: dict[str, set[Device | None]] = {}
    for m in metrics:
        if m.format == "criterion-log" and m.name in tree_names:
            log_devices.setdefault(m.name, set()).add(m.device)
    out: list[Metric] = []
    first_source: dict[tuple[tuple[str, str], str, float], str] = {}
    for metric in metrics:
        devices = log_devices.get(metric.name, set())
        if len(devices) == 1 and metric.format == "criterion-log":
            continue  # the tree has the same benchmark, with its samples
        if len(devices) == 1 and metric.format == "criterion" and metric.device is None:
            metric = replace(metric, device=next(iter(devices)))
        source = first_source.setdefault((metric.key, metric.unit, metric.value), metric.source)
        if source == metric.source:  # a repeat within one file is the caller's to refuse
            out.append(metric)
    return tuple(out)
