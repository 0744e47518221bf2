"""The live job log of ``perf-gate run``: lines as they come, folded per command.

In GitHub Actions each command's output sits in a ``::group::`` fold; elsewhere a
``── title ──`` header marks it. Lines from concurrent readers never interleave.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, field
from typing import IO

from perf_gate.core.secrets import redact
from perf_gate.core.workflow_commands import command, neutral

HEARTBEAT_S = 60.0


@dataclass
class Console:
    """Where live output goes, and whether to wrap it in GitHub Actions folds."""

    stream: IO[str] = field(default_factory=lambda: sys.stdout)
    fold: bool = False
    """Wrap each command in a ``::group::`` fold: the entry point says whether this is Actions."""
    heartbeat_s: float = HEARTBEAT_S
    lock: threading.Lock = field(default_factory=threading.Lock)

    def line(self, text: str) -> None:
        """Text that may come from a benchmark: it cannot start a workflow command."""
        self._write(neutral(redact(text)))

    def command(self, name: str, message: str = "", **properties: str) -> None:
        """A workflow command of perf-gate's own (its message and properties escaped)."""
        self._write(command(name, redact(message), **properties))

    def _write(self, text: str) -> None:
        with self.lock:
            self.stream.write(text + "\n")
            self.stream.flush()

    def begin(self, title: str) -> None:
        if self.fold:
            self.command("group", title)
        else:
            self.line(f"── {title} ──")

    def end(self) -> None:
        if self.fold:
            self.command("endgroup")


def elapsed_text(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"
