"""The JSON Schemas shipped as package data (``perf_gate/schemas/*.schema.json``), and checking.

The one place that turns a schema violation into an error: the first problem, with its
JSON path, and how many more there are. The schemas are read through
:mod:`importlib.resources`, so a wheel installed anywhere, the editable checkout and the
container image all find the same files.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from perf_gate.core.errors import InputError, PerfGateError
from perf_gate.core.errors import json_path as json_path  # where a value sits


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The schema ``perf_gate/schemas/<name>``."""
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def schema_problems(document: Any, schema_name: str) -> list[tuple[str, str]]:
    """Every violation of ``schemas/<schema_name>`` as ``(json_path, message)``, sorted."""
    validator = jsonschema.Draft202012Validator(load_schema(schema_name))
    problems = []
    for error in validator.iter_errors(document):
        problems.append((json_path(list(error.absolute_path)), error.message))
    return sorted(problems)


def check_schema(
    document: Any,
    schema_name: str,
    path: str | None,
    error: type[PerfGateError] = InputError,
) -> None:
    """Raise ``error`` naming the first violation of the schema (and how many more)."""
    problems = schema_problems(document, schema_name)
    if problems:
        where, message = problems[0]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise error(f"{message}{more}", path=path, where=where)
