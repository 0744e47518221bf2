"""Secrets perf-gate holds (the GitHub token) kept out of everything it hands on.

The entry point reads the token once, :func:`register` s it and hands benchmark commands
its environment without the token variables. From then on no variable that holds a
registered token reaches a command either (:func:`child_environment`), and
every text written to disk or printed from a benchmark is :func:`redact` ed, so a
command that prints its environment cannot put the token into ``bench.log``,
``perf-run.json`` or ``perf-receipt.json``, files users upload as artifacts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TextIO

MIN_SECRET_CHARS = 8  # shorter values would redact ordinary words
REDACTED = "***"

_SECRETS: set[str] = set()


def register(values: Iterable[str]) -> None:
    """Remember secret values for :func:`redact` (process-wide, like the runner's masks)."""
    _SECRETS.update(v for v in values if len(v) >= MIN_SECRET_CHARS)


def registered() -> frozenset[str]:
    return frozenset(_SECRETS)


def mask(values: Iterable[str], out: TextIO) -> None:
    """Ask the runner to mask each value (``::add-mask::``) once per process, and remember
    it for :func:`redact`."""
    for value in sorted(set(values) - _SECRETS):
        if value:
            print(f"::add-mask::{value}", file=out, flush=True)
    register(values)


def forget_all() -> None:
    """Forget every registered secret (for tests, which run many entry points in one process)."""
    _SECRETS.clear()


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``***``."""
    for secret in _SECRETS:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def redact_bytes(data: bytes) -> bytes:
    for secret in _SECRETS:
        raw = secret.encode()
        if raw in data:
            data = data.replace(raw, REDACTED.encode())
    return data


def child_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` for a benchmark command: no variable that holds a registered token,
    whatever its name (the entry point has already left out the usual token variables)."""
    return {name: value for name, value in environ.items() if not any(s in value for s in _SECRETS)}
