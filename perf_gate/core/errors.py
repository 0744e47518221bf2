"""The one error hierarchy of perf-gate.

Every error a user can cause is a :class:`PerfGateError`. The CLI turns it into one
line on stderr (``perf-gate: error: <where>: <what>``) and its ``exit_code``; nothing
else in the package prints or exits.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any


class PerfGateError(Exception):
    """Base of every error a user can cause. ``exit_code`` is what the CLI exits with."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, where: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.where = where

    def __str__(self) -> str:
        parts = [p for p in (self.path, self.where) if p]
        return ": ".join([*parts, self.message])


class UsageError(PerfGateError):
    """The command line itself is wrong."""


class InputError(PerfGateError):
    """A results file is missing, unreadable, of an unknown format or malformed.

    ``where`` is a JSON path (``$.results[0].times[3]``) or ``line N``.
    """


class ConfigError(PerfGateError):
    """``.perf-gate.yml`` is missing, malformed or violates its schema."""


class ProofError(PerfGateError):
    """An A/B run cannot show that each side measured its own code (exit 2)."""


class TargetMismatch(PerfGateError):
    """Data names a pull request or commit that is not the one benchmarked: publishing
    there would write one PR's result onto another, so nothing is written."""


class OutputError(PerfGateError):
    """An output file could not be written."""

    exit_code = 3


class PublishError(PerfGateError):
    """GitHub refused or failed in a way retrying cannot fix."""

    exit_code = 4


class RunError(PerfGateError):
    """A configured benchmark command could not be started at all."""

    exit_code = 5


def json_path(parts: Iterator[Any] | list[Any] | tuple[Any, ...]) -> str:
    """``["results", 0, "times"]`` → ``$.results[0].times``."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and part.isidentifier():
            out += f".{part}"
        else:
            out += "[" + json.dumps(part) + "]"
    return out
