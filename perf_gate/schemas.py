"""Where the JSON Schemas live, and loading them (cached)."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any


def data_root() -> Path:
    """The folder holding ``schemas/`` and ``templates/``.

    ``PERF_GATE_HOME`` overrides it (the container sets it); otherwise it is the
    checkout or install prefix next to the package.
    """
    env = os.environ.get("PERF_GATE_HOME")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent


@cache
def load_schema(name: str) -> dict[str, Any]:
    path = data_root() / "schemas" / name
    with path.open(encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema
