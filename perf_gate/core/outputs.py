"""Writing output files atomically: all of them or none, never half a file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from perf_gate.core.errors import OutputError
from perf_gate.core.secrets import redact, redact_bytes


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _swap(staged: list[tuple[str, Path]]) -> None:
    """Rename every staged file over its target; if one rename fails, put back the files
    already replaced (from hard-linked backups), so the folder shows all old or all new."""
    done: list[tuple[Path, str | None]] = []  # replaced, with their backups
    backups: list[str] = []
    try:
        for tmp, target in staged:
            backup = None
            if target.is_file():
                backup = f"{tmp}.old"
                os.link(target, backup)
                backups.append(backup)
            os.replace(tmp, target)
            done.append((target, backup))
    except OSError:
        for target, backup in reversed(done):
            with contextlib.suppress(OSError):
                if backup is None:
                    os.unlink(target)
                else:
                    os.replace(backup, target)
        raise
    finally:
        for backup in backups:
            with contextlib.suppress(OSError):
                os.unlink(backup)


def write_all(directory: Path, files: Mapping[str, str | bytes]) -> dict[str, Path]:
    """Write every ``name → text`` (or UTF-8 bytes) into ``directory``; on any error none of
    them changes (all are staged first, then swapped in; a failed swap rolls back).

    Each file is written to a temporary file in the same folder, flushed to disk,
    and only then renamed over its target, so readers see the old or the new file.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create output folder: {exc.strerror}", path=str(directory)
        ) from None
    staged: list[tuple[str, Path]] = []
    try:
        for name, text in files.items():
            handle, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
            staged.append((tmp, directory / name))
            os.fchmod(handle, 0o666 & ~_umask())  # as open() would create it, not mkstemp's 0600
            if isinstance(text, bytes):  # already UTF-8 (the receipt)
                with os.fdopen(handle, "wb") as raw:
                    raw.write(redact_bytes(text))
                    raw.flush()
                    os.fsync(raw.fileno())
                continue
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                _write_in_slices(out, redact(text))
                out.flush()
                os.fsync(out.fileno())
        _swap(staged)
    except OSError as exc:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise OutputError(f"cannot write outputs: {exc.strerror}", path=str(directory)) from None
    return {name: directory / name for name in files}


_SLICE = 1 << 20


def _write_in_slices(out: TextIO, text: str) -> None:
    """Write ``text`` a megabyte of characters at a time.

    One ``write`` of a 20 MB receipt encodes all of it into a second, 20 MB bytes
    object first; slices keep that copy at one slice (a 10,000-benchmark run's peak).
    """
    for start in range(0, len(text), _SLICE):
        out.write(text[start : start + _SLICE])
