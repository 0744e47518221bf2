"""A command's whole process tree, found and ended: its process group, and every process
that carries its marker.

Each command starts with ``PERF_GATE_TREE=<random token>`` in its environment; every
descendant inherits it, also one that left the process group or the session
(``setsid sleep 40 &``, a daemon). Ending the tree signals the group and every process
whose ``/proc/<pid>/environ`` carries the marker, so nothing outlives a timeout, a
signal to ``perf-gate run``, or the command itself to hold its output pipe open.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


MARKER_VARIABLE = "PERF_GATE_TREE"


def marked_pids(marker: str, proc_root: Path = Path("/proc")) -> list[int]:
    """Processes whose environment carries ``PERF_GATE_TREE=<marker>``: every descendant of
    a command, also those that left its process group or session (``setsid``)."""
    needle = f"{MARKER_VARIABLE}={marker}".encode() + b"\0"
    found = []
    try:
        entries = list(proc_root.iterdir())
    except OSError:
        return []
    for entry in entries:
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ:
            found.append(int(entry.name))
    return found


@dataclass(frozen=True)
class Tree:
    """A command's process tree: its process group, and everything carrying its marker."""

    pgid: int
    marker: str

    def signal(self, sig: signal.Signals) -> None:
        _signal_group(self.pgid, sig)
        for pid in marked_pids(self.marker):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)

    def end(self, *, kill_grace: float, waiter: threading.Thread | None = None) -> None:
        """SIGTERM to all of it, then SIGKILL to whatever is left after ``kill_grace``."""
        if kill_grace > 0:
            self.signal(signal.SIGTERM)
            deadline = time.monotonic() + kill_grace
            while time.monotonic() < deadline:
                if waiter is not None:
                    waiter.join(0.05)
                else:
                    time.sleep(0.05)
                if (waiter is None or not waiter.is_alive()) and not marked_pids(self.marker):
                    break
        self.signal(signal.SIGKILL)
