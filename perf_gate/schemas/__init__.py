"""The JSON Schemas shipped as package data (``perf_gate/schemas/*.schema.json``), loaded once.

They are read through :mod:`importlib.resources`, so a wheel installed anywhere, the
editable checkout and the container image all find the same files.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The schema ``perf_gate/schemas/<name>``."""
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
