"""A compiled, exact yes/no check of a JSON Schema, fast on large numeric arrays.

:func:`compiled` turns one of the shipped schemas into a plain Python predicate that
answers "does the document satisfy the schema?" without building error objects. An array
whose items are plain numbers with bounds (``{"type": "number", "minimum": 0}``, every
``times`` and ``data`` array of samples) is checked in C: one pass for the element types
and one ``min``/``max`` for the bounds, instead of a validator call per number.

The predicate is *exact* wherever it answers ``True``: a document it accepts is one
``jsonschema.Draft202012Validator`` accepts (``tests/unit/test_fastcheck.py`` checks
both directions over the fixture corpus and generated variants). It may answer ``False``
for a valid document only in corners it does not model (an ``enum`` value of another
type than every member, such as ``1.0`` for ``1``); the caller then runs the full
validator, which has the last word and writes the message and JSON path. A schema using a
keyword this module does not know gets no predicate at all (:func:`compiled` returns
``None``), so every document goes to the full validator.
"""

# ruff: noqa: SIM110  (plain loops on purpose: all(generator) is 2-3x slower per call here)

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

# Keywords that never constrain an instance (``format`` is an annotation: the shipped
# validator runs without a format checker).
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples", "format"}
)
_NUMBER_TYPES = frozenset({int, float})


class Unsupported(Exception):
    """The schema uses a keyword (or a form of one) this compiler does not model."""


def _is_number(x: Any) -> bool:
    kind = type(x)
    if kind is float or kind is int:  # what JSON gives; the general test below
        return True
    return isinstance(x, (int, float)) and not isinstance(x, bool)


# The combinators are loops, not ``all(generator)``: a pytest-benchmark run of 10,000
# benchmarks makes about 300,000 of these calls (issue 14).
def _every(checks: list[Check]) -> Check:
    if len(checks) == 2:
        first, second = checks
        return lambda x: first(x) and second(x)

    def check(x: Any) -> bool:
        for one in checks:
            if not one(x):
                return False
        return True

    return check


def _some(checks: list[Check]) -> Check:
    def check(x: Any) -> bool:
        for one in checks:
            if one(x):
                return True
        return False

    return check


def _is_integer(x: Any) -> bool:
    if type(x) is int:
        return True
    if isinstance(x, bool):
        return False
    return isinstance(x, int) or (isinstance(x, float) and x.is_integer())


_TYPES: dict[str, Check] = {
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "string": lambda x: isinstance(x, str),
    "number": _is_number,
    "integer": _is_integer,
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
}


def _same(x: Any, member: Any) -> bool:
    """``x`` equals ``member`` as JSON Schema compares them, for scalars of one type.

    Values of different types (``1`` and ``1.0``, or containers) answer ``False``, which
    sends the document to the full validator: never a wrong "valid".
    """
    return type(x) is type(member) and not isinstance(x, (list, dict)) and x == member


class _Compiler:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, Check] = {}

    def ref(self, pointer: str) -> Check:
        if not pointer.startswith("#"):
            raise Unsupported(f"$ref {pointer}")
        if pointer not in self.refs:
            target: Any = self.root
            for part in filter(None, pointer[1:].split("/")):
                part = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(target, dict) or part not in target:
                    raise Unsupported(f"$ref {pointer}")
                target = target[part]
            slot: list[Check] = []
            self.refs[pointer] = lambda x: slot[0](x)  # recursion-safe forward
            slot.append(self.compile(target))
        return self.refs[pointer]

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return lambda x: True
        if schema is False:
            return lambda x: False
        if not isinstance(schema, dict):
            raise Unsupported(repr(schema))
        bounded = _bounded_number(schema)
        if bounded is not None:
            return bounded
        checks: list[Check] = []
        for key, value in schema.items():
            if key in _ANNOTATIONS:
                continue
            build = getattr(self, "_kw_" + key.replace("$", ""), None)
            if build is None:
                raise Unsupported(key)
            check = build(value, schema)
            if check is not None:
                checks.append(check)
        if not checks:
            return lambda x: True
        if len(checks) == 1:
            return checks[0]
        return _every(checks)

    # -- keywords ---------------------------------------------------------------------
    def _kw_ref(self, value: str, schema: dict[str, Any]) -> Check:
        return self.ref(value)

    def _kw_type(self, value: Any, schema: dict[str, Any]) -> Check:
        names = [value] if isinstance(value, str) else list(value)
        if any(name not in _TYPES for name in names):
            raise Unsupported(f"type {value}")
        tests = [_TYPES[name] for name in names]
        if len(tests) == 1:
            return tests[0]
        return _some(tests)

    def _kw_enum(self, value: list[Any], schema: dict[str, Any]) -> Check:
        members = list(value)
        kinds = frozenset(map(type, members))
        if kinds == {str}:  # strings only: a set lookup
            strings = frozenset(members)
            return lambda x: type(x) is str and x in strings
        return lambda x: any(_same(x, m) for m in members)

    def _kw_const(self, value: Any, schema: dict[str, Any]) -> Check:
        return lambda x: _same(x, value)

    def _kw_properties(self, value: dict[str, Any], schema: dict[str, Any]) -> Check:
        props = [(name, self.compile(sub)) for name, sub in value.items()]

        def check(x: Any) -> bool:
            if not isinstance(x, dict):
                return True
            for name, sub in props:
                if name in x and not sub(x[name]):
                    return False
            return True

        return check

    def _kw_additionalProperties(self, value: Any, schema: dict[str, Any]) -> Check:
        if "patternProperties" in schema:
            raise Unsupported("patternProperties")
        known = frozenset(schema.get("properties", {}))
        sub = self.compile(value)

        def check(x: Any) -> bool:
            if not isinstance(x, dict):
                return True
            for k, v in x.items():
                if k not in known and not sub(v):
                    return False
            return True

        return check

    def _kw_required(self, value: list[str], schema: dict[str, Any]) -> Check:
        names = list(value)

        def check(x: Any) -> bool:
            if not isinstance(x, dict):
                return True
            for name in names:
                if name not in x:
                    return False
            return True

        return check

    def _kw_minProperties(self, value: int, schema: dict[str, Any]) -> Check:
        return lambda x: not isinstance(x, dict) or len(x) >= value

    def _kw_items(self, value: Any, schema: dict[str, Any]) -> Check:
        if isinstance(value, list):
            raise Unsupported("items as a list")
        numeric = _numeric_bounds(value)
        if numeric is not None:
            return _numeric_array(numeric, self.compile(value))
        sub = self.compile(value)

        def check(x: Any) -> bool:
            if not isinstance(x, list):
                return True
            for item in x:
                if not sub(item):
                    return False
            return True

        return check

    def _kw_minItems(self, value: int, schema: dict[str, Any]) -> Check:
        return lambda x: not isinstance(x, list) or len(x) >= value

    def _kw_maxItems(self, value: int, schema: dict[str, Any]) -> Check:
        return lambda x: not isinstance(x, list) or len(x) <= value

    def _kw_minLength(self, value: int, schema: dict[str, Any]) -> Check:
        return lambda x: not isinstance(x, str) or len(x) >= value

    def _kw_pattern(self, value: str, schema: dict[str, Any]) -> Check:
        regex = re.compile(value)
        return lambda x: not isinstance(x, str) or regex.search(x) is not None

    def _kw_minimum(self, value: float, schema: dict[str, Any]) -> Check:
        return lambda x: not _is_number(x) or not x < value

    def _kw_maximum(self, value: float, schema: dict[str, Any]) -> Check:
        return lambda x: not _is_number(x) or not x > value

    def _kw_exclusiveMinimum(self, value: float, schema: dict[str, Any]) -> Check:
        return lambda x: not _is_number(x) or not x <= value

    def _kw_exclusiveMaximum(self, value: float, schema: dict[str, Any]) -> Check:
        return lambda x: not _is_number(x) or not x >= value

    def _kw_anyOf(self, value: list[Any], schema: dict[str, Any]) -> Check:
        return _some([self.compile(sub) for sub in value])

    def _kw_allOf(self, value: list[Any], schema: dict[str, Any]) -> Check:
        return _every([self.compile(sub) for sub in value])

    def _kw_oneOf(self, value: list[Any], schema: dict[str, Any]) -> Check:
        # "exactly one" needs exact answers for every branch, and a branch answering
        # False may be a corner this compiler does not model: accept only when one branch
        # says yes and every other branch is provably no (its type does not match).
        subs = [(self.compile(sub), _type_gate(sub)) for sub in value]

        def check(x: Any) -> bool:
            yes = [i for i, (sub, _) in enumerate(subs) if sub(x)]
            if len(yes) != 1:
                return False
            return all(
                i in yes or (gate is not None and not gate(x)) for i, (_, gate) in enumerate(subs)
            )

        return check


def _bounded_number(schema: dict[str, Any]) -> Check | None:
    """``{"type": "number" | "integer", "minimum": m}`` as one test (the type test and
    ``not x < m``), the shape of most fields of a results file; other schemas: None."""
    keys = {k for k in schema if k not in _ANNOTATIONS}
    low = schema.get("minimum")
    if keys != {"type", "minimum"} or not _is_number(low):
        return None
    if schema["type"] == "number":
        return lambda x: _is_number(x) and not x < low
    if schema["type"] == "integer":  # an integer is a number
        return lambda x: _is_integer(x) and not x < low
    return None


def _type_gate(schema: Any) -> Check | None:
    """The branch's ``type`` test, which is exact: a value failing it fails the branch."""
    if isinstance(schema, dict) and "type" in schema:
        names = [schema["type"]] if isinstance(schema["type"], str) else list(schema["type"])
        if all(name in _TYPES for name in names):
            return lambda x: any(_TYPES[name](x) for name in names)
    return None


_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def _numeric_bounds(schema: Any) -> dict[str, float] | None:
    """``{"type": "number", "minimum": 0}`` → ``{"minimum": 0}``; other item schemas → None."""
    if not isinstance(schema, dict) or schema.get("type") != "number":
        return None
    rest = {k: v for k, v in schema.items() if k not in _ANNOTATIONS and k != "type"}
    if any(k not in _BOUNDS or not _is_number(v) for k, v in rest.items()):
        return None
    return rest


def _numeric_array(bounds: dict[str, float], item: Check) -> Check:
    """Items that are numbers within bounds: types and extremes checked in C.

    ``min``/``max`` over floats holding a NaN can miss an element, so a NaN extreme (or any
    element that is not a plain ``int``/``float``) goes to the per-item check.
    """
    low = bounds.get("minimum")
    high = bounds.get("maximum")
    low_x = bounds.get("exclusiveMinimum")
    high_x = bounds.get("exclusiveMaximum")

    def check(x: Any) -> bool:
        if not isinstance(x, list):
            return True
        if not x:
            return True
        if not set(map(type, x)) <= _NUMBER_TYPES:
            return all(item(v) for v in x)
        if low is not None or low_x is not None:
            least = min(x)
            if least != least:  # NaN first: min() saw nothing else
                return all(item(v) for v in x)
            if (low is not None and least < low) or (low_x is not None and least <= low_x):
                return False
        if high is not None or high_x is not None:
            most = max(x)
            if most != most:
                return all(item(v) for v in x)
            if (high is not None and most > high) or (high_x is not None and most >= high_x):
                return False
        return True

    return check


def compiled(schema: dict[str, Any]) -> Check | None:
    """The predicate of ``schema``, or ``None`` when it uses a keyword not modelled here."""
    try:
        return _Compiler(schema).compile(schema)
    except Unsupported:
        return None
