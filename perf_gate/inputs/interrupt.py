"""SIGINT and SIGTERM during ``perf-gate run``: end the benchmark tree, keep the record.

Inside :func:`interruptible` both signals raise :class:`Interrupted` in the main
thread. The command being run kills its whole tree on the way out
(:mod:`perf_gate.inputs.process`), the benchmark loop hangs what it has so far on
the exception, and ``perf-gate run`` still writes ``perf-run.json``, with the
interruption recorded, before exiting 128 + the signal number.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """A signal asked perf-gate to stop (a BaseException: no ``except Exception`` eats it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.outcome: Any = None  # the RunOutcome so far, when the benchmark loop had one

    @property
    def signal_name(self) -> str:
        return signal.Signals(self.signum).name


def _raise(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """SIGINT and SIGTERM raise :class:`Interrupted` while inside (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _raise) for sig in SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
