"""Secrets perf-gate holds (the GitHub token) kept out of everything it hands on.

The entry point reads the token once and :func:`register` s it. From then on
benchmark commands get an environment without it (:func:`child_environment`), and
every text written to disk or printed from a benchmark is :func:`redact` ed, so a
command that prints its environment cannot put the token into ``bench.log``,
``perf-run.json`` or ``perf-receipt.json``, files users upload as artifacts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TextIO

# Variables that hold a token on a GitHub runner (INPUT_* as the runner spells inputs).
TOKEN_NAMES = (
    "INPUT_GITHUB-TOKEN",
    "INPUT_GITHUB_TOKEN",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "ACTIONS_RUNTIME_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
)
MIN_SECRET_CHARS = 8  # shorter values would redact ordinary words
REDACTED = "***"

_SECRETS: set[str] = set()


def secrets_in(environ: Mapping[str, str]) -> list[str]:
    """The token values set in ``environ``."""
    values = (environ.get(name, "").strip() for name in TOKEN_NAMES)
    return sorted({v for v in values if len(v) >= MIN_SECRET_CHARS})


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
    """``environ`` for a benchmark command: no token, under its usual names or any other."""
    secrets = _SECRETS | set(secrets_in(environ))
    return {
        name: value
        for name, value in environ.items()
        if name not in TOKEN_NAMES and not any(s in value for s in secrets)
    }
