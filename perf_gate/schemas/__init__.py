"""The JSON Schemas shipped as package data (``perf_gate/schemas/*.schema.json``), and checking.

The one place that turns a schema violation into an error: the first problem, with its
JSON path, and how many more there are. The schemas are read beside this module's file
(a wheel installed anywhere, the editable checkout and the container image all have them
there; :mod:`importlib.resources` would cost a finalize run 10 ms of imports).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from perf_gate.core.errors import InputError, PerfGateError
from perf_gate.core.errors import json_path as json_path  # where a value sits
from perf_gate.schemas.fastcheck import Check, compiled


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The schema ``perf_gate/schemas/<name>``."""
    text = Path(__file__).with_name(name).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def fast_check(name: str) -> Check | None:
    """The compiled yes/no check of ``schemas/<name>`` (``None`` when it has none): its
    generated code is written and executed once per process."""
    return compiled(load_schema(name))


def is_valid(document: Any, schema_name: str) -> bool:
    """Whether ``document`` satisfies the schema: the compiled check, the full validator
    only when that check says no (it is exact when it says yes)."""
    check = fast_check(schema_name)
    if check is not None and check(document):
        return True
    return not schema_problems(document, schema_name)


def validate(document: Any, schema_name: str) -> None:
    """:func:`jsonschema.validate` (raises its ``ValidationError``), the compiled check first."""
    check = fast_check(schema_name)
    if check is None or not check(document):
        import jsonschema  # only for a document the compiled check refused (100 ms to import)

        jsonschema.validate(document, load_schema(schema_name))


def schema_problems(document: Any, schema_name: str) -> list[tuple[str, str]]:
    """Every violation of ``schemas/<schema_name>`` as ``(json_path, message)``, sorted."""
    import jsonschema

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
    """Raise ``error`` naming the first violation of the schema (and how many more).

    The compiled check answers for a valid document; only a document it does not accept
    goes through the full validator, which finds (or clears) every problem.
    """
    check = fast_check(schema_name)
    if check is not None and check(document):
        return
    problems = schema_problems(document, schema_name)
    if problems:
        where, message = problems[0]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise error(f"{message}{more}", path=path, where=where)
