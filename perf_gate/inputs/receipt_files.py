"""The receipt files of a run: the seed's receipts and any flamegraph, with size and SHA-256.

The seed asks for ``cpu-bench.log``, ``gpu-bench.log``, ``crossval-perf.json``,
``perf-profile.svg`` and ``memory-usage.txt`` (and flamegraphs). They are found where the
run put them (the ``artifacts`` of ``perf-run.json``) and where the inputs hold them (a
``--current`` file of that name, or anywhere in a ``--current`` folder). A file is shown
by its path relative to the input it was found in, so that the report reads the same on
every machine. Nothing here fails: a file that is not there is simply not listed, and
:attr:`Receipts.missing` names the seed's files that were not found.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perf_gate.inputs.artifact import sha256_file

SEED_NAMES = (
    "cpu-bench.log",
    "gpu-bench.log",
    "crossval-perf.json",
    "perf-profile.svg",
    "memory-usage.txt",
)
# Folders that hold no receipts (a criterion tree alone can hold 100,000 files).
_PRUNE = {"node_modules", "__pycache__"}
_SNIFF_BYTES = 4096
_CACHE_TAG = "CACHEDIR.TAG"


@dataclass(frozen=True)
class ReceiptFile:
    path: str  # as shown: relative to the input it was found in
    size: int | None
    sha256: str | None
    kind: str  # "log", "profile", "memory", "crossval", "flamegraph"

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256, "kind": self.kind}


@dataclass(frozen=True)
class Receipts:
    files: tuple[ReceiptFile, ...]
    missing: tuple[str, ...]  # seed names found nowhere


_KINDS = {
    "cpu-bench.log": "log",
    "gpu-bench.log": "log",
    "crossval-perf.json": "crossval",
    "memory-usage.txt": "memory",
}


def kind_of(name: str) -> str | None:
    """What a file of this name is evidence of, or ``None`` when it is none of the seed's."""
    lowered = name.lower()
    if lowered.endswith(".svg"):
        return "profile" if lowered == "perf-profile.svg" else None
    return _KINDS.get(lowered)


def _may_be_evidence(name: str) -> bool:
    """A seed name or an SVG (perhaps a flame graph): the only names worth a look."""
    lowered = name.lower()
    return lowered in _KINDS or lowered.endswith(".svg")


def is_flamegraph(path: Path) -> bool:
    """An SVG named for a flame graph, or one whose head says it is one (inferno,
    flamegraph.pl and ``cargo flamegraph`` write ``Flame Graph`` into the title)."""
    name = path.name.lower()
    if not name.endswith(".svg"):
        return False
    if "flame" in name:
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES).lower()
    except OSError:
        return False
    return b"flame graph" in head or b"flamegraph" in head


def _entry(path: Path, shown: str, kind: str) -> ReceiptFile:
    try:
        size: int | None = path.stat().st_size
    except OSError:
        size = None
    return ReceiptFile(shown, size, sha256_file(path), kind)


def _classify(path: Path) -> str | None:
    kind = kind_of(path.name)
    if kind is None and is_flamegraph(path):
        return "flamegraph"
    return kind


def _walk(folder: Path) -> Iterable[Path]:
    """Files below ``folder`` that may be evidence (:func:`_may_be_evidence`), as the input
    reader walks it (no hidden names, no build cache such as cargo's ``target/`` with its
    ``CACHEDIR.TAG``), and no criterion tree. Names are screened before any path is made:
    a criterion folder given as ``--current`` holds six files per benchmark."""
    for top, dirs, names in os.walk(folder):
        tagged = _CACHE_TAG in names or _CACHE_TAG in dirs
        if tagged and (Path(top) / _CACHE_TAG).exists():
            dirs[:] = []
            continue
        dirs[:] = sorted(
            d for d in dirs if d not in _PRUNE and not d.startswith((".", "criterion"))
        )
        for name in sorted(n for n in names if _may_be_evidence(n)):
            if not name.startswith("."):
                yield Path(top) / name


def in_inputs(paths: Sequence[Path]) -> list[tuple[Path, str, str]]:
    """(file, shown path, kind) of each evidence file among ``paths`` and in their folders."""
    found = []
    for given in paths:
        if given.is_file():
            kind = _classify(given)
            if kind:
                found.append((given, given.name, kind))
        elif given.is_dir():
            for path in _walk(given):
                kind = _classify(path)
                if kind:
                    found.append((path, path.relative_to(given).as_posix(), kind))
    return found


def in_records(artifacts: Iterable[tuple[dict[str, Any], Path]]) -> list[tuple[Path, str, str]]:
    """Evidence files among the artifacts ``perf-gate run`` listed, each with the folder its
    relative path starts in (the run's workspace); its logs count whatever their names."""
    found = []
    for item, root in artifacts:
        shown = str(item.get("path") or "")
        if not shown:
            continue
        path = Path(shown) if Path(shown).is_absolute() else root / shown
        kind = kind_of(path.name) or ("log" if item.get("kind") == "log" else None)
        if kind is None and path.is_file() and is_flamegraph(path):
            kind = "flamegraph"
        if kind:
            found.append((path, shown, kind))
    return found


def find_receipts(
    current: Sequence[Path], artifacts: Iterable[tuple[dict[str, Any], Path]] = ()
) -> Receipts:
    """Every evidence file once (by its resolved path), the run's before the inputs'.
    ``artifacts``: ``perf-run.json``'s entries, each with its run's workspace."""
    files: list[ReceiptFile] = []
    seen: set[Path] = set()
    for path, shown, kind in [*in_records(artifacts), *in_inputs(current)]:
        key = path.resolve()
        if key in seen or not path.is_file():
            continue
        seen.add(key)
        files.append(_entry(path, shown, kind))
    names = {Path(f.path).name.lower() for f in files}
    return Receipts(tuple(files), tuple(n for n in SEED_NAMES if n not in names))
