"""The report's Receipts section: the seed's evidence files, each with its size and SHA-256.

File names are untrusted text: the templates escape them like benchmark names. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from perf_gate.inputs.receipt_files import SEED_NAMES, ReceiptFile, Receipts


@dataclass(frozen=True)
class ReceiptLine:
    path: str
    kind: str
    size: str
    sha256: str


@dataclass(frozen=True)
class ReceiptsSection:
    files: tuple[ReceiptFile, ...]
    missing: tuple[str, ...]  # the seed's names, in the seed's order
    artifacts_url: str | None

    @property
    def lines(self) -> list[ReceiptLine]:
        return [
            ReceiptLine(f.path, f.kind, size_text(f.size), f.sha256 or "unreadable")
            for f in self.files
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": [f.to_dict() for f in self.files],
            "missing": list(self.missing),
            "artifacts_url": self.artifacts_url,
        }


def size_text(size: int | None) -> str:
    """``2,114 B``, ``1.2 MB`` (decimal units, as the memory metrics)."""
    if size is None:
        return "unknown"
    if size < 10_000:
        return f"{size:,} B"
    scale, unit = next(((s, u) for s, u in ((1e9, "GB"), (1e6, "MB")) if size >= s), (1e3, "kB"))
    return f"{size / scale:.1f} {unit}"


def receipts_section(receipts: Receipts, artifacts_url: str | None = None) -> ReceiptsSection:
    missing = tuple(n for n in SEED_NAMES if n in receipts.missing)
    return ReceiptsSection(receipts.files, missing, artifacts_url)
