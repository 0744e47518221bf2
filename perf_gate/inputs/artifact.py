"""Files a run leaves behind (profiles, flamegraphs, ``memory-usage.txt``), with their SHA-256."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

MEMORY_NAME = "memory-usage.txt"


PROFILE_NAMES = ("perf-profile.svg", "flamegraph.svg", MEMORY_NAME)


def sha256_file(path: Path) -> str | None:
    try:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 16), b""):
                digest.update(block)
        return digest.hexdigest()
    except OSError:
        return None


def artifact(path: Path, kind: str, root: Path | None = None) -> dict[str, Any]:
    full = path if path.is_absolute() or root is None else root / path
    entry: dict[str, Any] = {"path": str(path), "kind": kind}
    digest = sha256_file(full)
    if digest:
        entry["sha256"] = digest
    return entry


def find_profiles(dirs: Iterable[Path]) -> list[dict[str, Any]]:
    """``perf-profile.svg`` / ``memory-usage.txt`` / flamegraphs lying in ``dirs``."""
    found = []
    seen: set[Path] = set()
    for folder in dirs:
        for name in PROFILE_NAMES:
            path = folder / name
            if path.is_file() and path.resolve() not in seen:
                seen.add(path.resolve())
                kind = "memory" if name == MEMORY_NAME else "profile"
                found.append(artifact(path, kind))
    return found
