"""A JSON Schema compiled to Python source: an exact yes/no check, fast on large numeric arrays.

:func:`compiled` writes one of the shipped schemas as Python code and executes it once
(:func:`perf_gate.schemas.fast_check` keeps the result per schema for the process). Every
subschema with structure (an object's properties, an array's items, ``oneOf``, the target
of a ``$ref``) becomes one function; scalar subschemas (``{"type": "number", "minimum": 0}``,
a string ``enum``) are inlined in their parent as one boolean expression. An array whose
items are plain numbers (every ``times`` and ``data`` array of samples) is checked in C:
``set(map(type, values))`` for the element types and one ``min``/``max`` only for the
bounds the schema sets. :func:`source` shows the generated code.

The check is *exact* wherever it answers ``True``: a document it accepts is one
``jsonschema.Draft202012Validator`` accepts (``tests/unit/core/test_fastcheck.py`` checks
both directions over the fixture corpus, generated variants and small schemas of every
construct). Values are dispatched on their exact JSON type (``dict``, ``list``, ``str``,
``int``, ``float``, ``bool``, ``None``); it answers ``False`` for a valid document only in
corners it does not model: a value of another type (a ``dict`` subclass, a tuple), an
``enum``/``const`` value of another type than the member it equals (``1.0`` for ``1``), or
a ``oneOf`` whose other branches are not ruled out by their ``type``.
The caller then runs the full validator, which has the last word and writes the message
and JSON path. A schema using a keyword this module does not know gets no check at all
(:func:`compiled` returns ``None``), so every document goes to the full validator.

Over 400 lines because it is one compiler: the expressions, function bodies and ``oneOf``
of the keywords it models call one another, and each must match jsonschema exactly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from typing import Any

Check = Callable[[Any], bool]

# Keywords that never constrain an instance (``format`` is an annotation: the shipped
# validator runs without a format checker).
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples", "format"}
)
_OBJECT_KEYWORDS = ("required", "minProperties", "properties", "additionalProperties")
_ARRAY_KEYWORDS = ("minItems", "maxItems", "items")
_STRING_KEYWORDS = ("minLength", "pattern")
_BOUNDS = {  # keyword -> the comparison that fails it, as jsonschema makes it
    "minimum": "<",
    "maximum": ">",
    "exclusiveMinimum": "<=",
    "exclusiveMaximum": ">=",
}
_ANY_KEYWORDS = ("type", "enum", "const", "$ref", "anyOf", "allOf", "oneOf")
_KNOWN = frozenset(
    (*_OBJECT_KEYWORDS, *_ARRAY_KEYWORDS, *_STRING_KEYWORDS, *_BOUNDS, *_ANY_KEYWORDS)
)

# The type test of each JSON type on a value ``{v}`` whose type is ``{t}`` (exact types:
# a subclass, which jsonschema might accept, fails every test and so is never a wrong yes).
_TYPE_TESTS = {
    "object": "{t} is dict",
    "array": "{t} is list",
    "string": "{t} is str",
    "number": "({t} is float or {t} is int)",
    "integer": "({t} is int or ({t} is float and {v}.is_integer()))",
    "boolean": "{t} is bool",
    "null": "{v} is None",
}
_NUMERIC = frozenset({"number", "integer"})

# Names the generated code uses besides its constants (``_c<n>``) and functions (``_s<n>``).
_RUNTIME: dict[str, Any] = {
    "_JSON": frozenset({dict, list, str, int, float, bool, type(None)}),
    "_NUM": frozenset({int, float}),
}


class Unsupported(Exception):
    """The schema uses a keyword (or a form of one) this compiler does not model."""


def _same(x: Any, member: Any) -> bool:
    """``x`` equals ``member`` as JSON Schema compares them, for scalars of one type.

    Values of different types (``1`` and ``1.0``, or containers) answer ``False``, which
    sends the document to the full validator: never a wrong "valid".
    """
    return type(x) is type(member) and not isinstance(x, (list, dict)) and x == member


def _same_any(x: Any, members: tuple[Any, ...]) -> bool:
    return any(_same(x, member) for member in members)


_RUNTIME["_same"] = _same
_RUNTIME["_same_any"] = _same_any


def _is_number(x: Any) -> bool:
    return type(x) in (int, float)


def _literal(value: Any) -> str | None:
    """``value`` as a Python literal that reads back as the same value, when there is one."""
    if type(value) is str or type(value) is int:
        return repr(value)
    if type(value) is float and math.isfinite(value):
        return repr(value)
    return None


def _names(types: Any) -> list[str]:
    names = [types] if isinstance(types, str) else types
    if not isinstance(names, list) or not names or any(n not in _TYPE_TESTS for n in names):
        raise Unsupported(f"type {types!r}")
    return names


def _has_any(schema: dict[str, Any], keywords: tuple[str, ...]) -> bool:
    return any(key in schema for key in keywords)


class _Writer:
    """Writes the functions of one schema; :meth:`function` names the one for a subschema."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.functions: dict[int, str] = {}  # id(subschema) -> function name
        self.kept: list[Any] = []  # the subschemas named, alive while their ids are keys
        self.sources: list[str] = []
        self.constants: dict[str, Any] = {}

    # -- names ------------------------------------------------------------------------
    def constant(self, value: Any) -> str:
        name = f"_c{len(self.constants)}"
        self.constants[name] = value
        return name

    def value(self, value: Any) -> str:
        """A number or string from the schema, as a literal or a constant."""
        return _literal(value) or self.constant(value)

    def function(self, schema: Any) -> str:
        """The name of the function checking ``schema`` (written once, recursion-safe)."""
        key = id(schema)
        if key not in self.functions:
            name = f"_s{len(self.functions)}"
            self.functions[key] = name
            self.kept.append(schema)
            body = self.body(schema)
            self.sources.append(f"def {name}(x):\n" + "".join(f"    {line}\n" for line in body))
        return self.functions[key]

    def ref(self, pointer: Any) -> Any:
        if not isinstance(pointer, str) or not pointer.startswith("#"):
            raise Unsupported(f"$ref {pointer}")
        target: Any = self.root
        for part in filter(None, pointer[1:].split("/")):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                raise Unsupported(f"$ref {pointer}")
            target = target[part]
        return target

    # -- expressions ------------------------------------------------------------------
    def expr(self, schema: Any, v: str) -> str:
        """A boolean expression: ``v`` satisfies ``schema`` (exact when True)."""
        if schema is True:
            return "True"
        if schema is False:
            return "False"
        self.known(schema)
        if (
            _has_any(schema, _OBJECT_KEYWORDS)
            or _has_any(schema, _ARRAY_KEYWORDS)
            or "oneOf" in schema
        ):
            return f"{self.function(schema)}({v})"
        t = f"type({v})"
        terms = []
        scalar_keywords = _has_any(schema, _STRING_KEYWORDS) or _has_any(schema, tuple(_BOUNDS))
        if "type" in schema:
            names = _names(schema["type"])
            terms.append(_either([_TYPE_TESTS[n].format(t=t, v=v) for n in names]))
        elif scalar_keywords:
            names = list(_TYPE_TESTS)
            terms.append(f"{t} in _JSON")
        else:
            names = list(_TYPE_TESTS)
        terms += self.generic(schema, v, t)
        strings = self.string_conditions(schema, v)
        if strings:
            terms.append(_guarded(names, {"string"}, f"{t} is not str", strings))
        numbers = [f"not {v} {fails}" for fails in self.bound_failures(schema)]
        if numbers:
            terms.append(_guarded(names, _NUMERIC, f"not ({t} is float or {t} is int)", numbers))
        if not terms:
            return "True"
        return " and ".join(terms) if len(terms) == 1 else " and ".join(f"({e})" for e in terms)

    def generic(self, schema: dict[str, Any], v: str, t: str) -> list[str]:
        """The terms of the keywords that apply to every type (``oneOf`` excepted)."""
        terms = []
        if "enum" in schema:
            members = schema["enum"]
            if not isinstance(members, list):
                raise Unsupported("enum")
            strings = [m for m in members if type(m) is str]
            if members and len(strings) == len(members):  # strings: a set lookup
                terms.append(f"{t} is str and {v} in {self.constant(frozenset(members))}")
            elif strings and all(m is None for m in members if type(m) is not str):
                # strings or null (a receipt's device, 10,000 times): no call per value
                found = f"{t} is str and {v} in {self.constant(frozenset(strings))}"
                terms.append(f"({found}) or {v} is None")
            else:
                terms.append(f"_same_any({v}, {self.constant(tuple(members))})")
        if "const" in schema:
            terms.append(f"_same({v}, {self.constant(schema['const'])})")
        if "$ref" in schema:
            terms.append(f"{self.function(self.ref(schema['$ref']))}({v})")
        if "allOf" in schema:
            terms += [f"({self.expr(sub, v)})" for sub in _branches(schema, "allOf")]
        if "anyOf" in schema:
            terms.append(_either([f"({self.expr(s, v)})" for s in _branches(schema, "anyOf")]))
        return terms

    def string_conditions(self, schema: dict[str, Any], v: str) -> list[str]:
        out = []
        if "minLength" in schema:
            out.append(f"len({v}) >= {self.count(schema['minLength'])}")
        if "pattern" in schema:
            if not isinstance(schema["pattern"], str):
                raise Unsupported("pattern")
            regex = self.constant(re.compile(schema["pattern"]))
            out.append(f"{regex}.search({v}) is not None")
        return out

    def bound_failures(self, schema: dict[str, Any]) -> list[str]:
        """The bounds set, as the comparisons that fail them (``< 0`` for a minimum of 0;
        a NaN fails no comparison and so satisfies every bound, as in jsonschema)."""
        out = []
        for keyword, fails in _BOUNDS.items():
            if keyword in schema:
                if not _is_number(schema[keyword]):
                    raise Unsupported(keyword)
                out.append(f"{fails} {self.value(schema[keyword])}")
        return out

    def count(self, value: Any) -> str:
        if type(value) is not int or value < 0:
            raise Unsupported(repr(value))
        return repr(value)

    def known(self, schema: Any) -> None:
        if not isinstance(schema, dict):
            raise Unsupported(repr(schema))
        for key in schema:
            if key not in _KNOWN and key not in _ANNOTATIONS:
                raise Unsupported(key)

    # -- function bodies --------------------------------------------------------------
    def body(self, schema: Any) -> list[str]:
        """The statements of a function of ``x`` returning whether it satisfies ``schema``."""
        if schema is True or schema is False:
            return [f"return {schema}"]
        self.known(schema)
        lines = ["t = type(x)"]
        if "type" in schema:
            names = _names(schema["type"])
            test = _either([_TYPE_TESTS[n].format(t="t", v="x") for n in names])
            lines.append(f"if not ({test}):")
        else:
            names = list(_TYPE_TESTS)
            lines.append("if t not in _JSON:")
        lines.append("    return False")
        for term in self.generic(schema, "x", "t"):
            lines += [f"if not ({term}):", "    return False"]
        if "oneOf" in schema:
            lines += self.one_of(_branches(schema, "oneOf"))
        strings = [f"not {c}" for c in self.string_conditions(schema, "x")]
        numbers = [f"x {fails}" for fails in self.bound_failures(schema)]
        blocks = [
            ({"object"}, "t is dict", self.object_lines(schema)),
            ({"array"}, "t is list", self.array_lines(schema)),
            ({"string"}, "t is str", _refusals(strings)),
            (_NUMERIC, "t is float or t is int", _refusals(numbers)),
        ]
        for kinds, test, block in blocks:
            if not block:
                continue
            if set(names) <= kinds:
                lines += block
            elif set(names) & kinds:
                lines.append(f"if {test}:")
                lines += [f"    {line}" for line in block]
        lines.append("return True")
        return lines

    def one_of(self, branches: list[Any]) -> list[str]:
        """Exactly one branch holds. Every branch's answer must then be exact, and a branch
        answering False may be a corner not modelled here: accept only when one branch says
        yes and every other one is provably no (its ``type`` test fails)."""
        lines = []
        for i, sub in enumerate(branches):
            lines.append(f"b{i} = {self.expr(sub, 'x')}")
        lines += [
            f"if {' + '.join(f'b{i}' for i in range(len(branches)))} != 1:",
            "    return False",
        ]
        for i, sub in enumerate(branches):
            gate = _type_gate(sub)
            lines += [f"if not (b{i} or {f'not ({gate})' if gate else 'False'}):"]
            lines.append("    return False")
        return lines

    def object_lines(self, schema: dict[str, Any]) -> list[str]:
        lines = []
        required = schema.get("required", [])
        if not isinstance(required, list) or any(type(n) is not str for n in required):
            raise Unsupported("required")
        if required:
            missing = " or ".join(f"{self.value(n)} not in x" for n in required)
            lines += [f"if {missing}:", "    return False"]
        if "minProperties" in schema:
            lines += [f"if len(x) < {self.count(schema['minProperties'])}:", "    return False"]
        properties = schema.get("properties", {})
        if not isinstance(properties, dict):
            raise Unsupported("properties")
        for name, sub in properties.items():
            test = self.expr(sub, "v")
            if test == "True":
                continue
            key = self.value(name)
            check = [f"v = x[{key}]", f"if not ({test}):", "    return False"]
            lines += (
                check if name in required else [f"if {key} in x:", *(f"    {c}" for c in check)]
            )
        if "additionalProperties" in schema:
            lines += self.additional(schema["additionalProperties"], frozenset(properties))
        return lines

    def additional(self, sub: Any, known: frozenset[str]) -> list[str]:
        test = self.expr(sub, "v")
        if test == "True":
            return []
        names = self.constant(known)
        if test == "False":
            return [f"if not {names}.issuperset(x):", "    return False"]
        if not known:
            return ["for v in x.values():", f"    if not ({test}):", "        return False"]
        return [
            "for k, v in x.items():",
            f"    if k not in {names} and not ({test}):",
            "        return False",
        ]

    def array_lines(self, schema: dict[str, Any]) -> list[str]:
        lines = []
        if "minItems" in schema:
            lines += [f"if len(x) < {self.count(schema['minItems'])}:", "    return False"]
        if "maxItems" in schema:
            lines += [f"if len(x) > {self.count(schema['maxItems'])}:", "    return False"]
        if "items" not in schema:
            return lines
        items = schema["items"]
        if isinstance(items, list):
            raise Unsupported("items as a list")
        test = self.expr(items, "v")
        if test == "True":
            return lines
        loop = ["for v in x:", f"    if not ({test}):", "        return False"]
        fast = self.numeric_items(items)
        if fast is None:
            return lines + loop
        # Plain numbers within the bounds, in C; anything else (another type, a NaN
        # extreme that min()/max() cannot see past, a value out of bounds) item by item.
        return [*lines, f"if x and not ({fast}):", *(f"    {line}" for line in loop)]

    def numeric_items(self, items: Any) -> str | None:
        """``{"type": "number", "minimum": 0}`` items as one C-level test of the whole list:
        ``min``/``max`` only for the bounds set (a NaN extreme fails it: item by item)."""
        if not isinstance(items, dict) or items.get("type") != "number":
            return None
        rest = [k for k in items if k not in _ANNOTATIONS and k != "type"]
        if any(k not in _BOUNDS for k in rest):
            return None
        tests = ["set(map(type, x)) <= _NUM"]
        low = [k for k in rest if k in ("minimum", "exclusiveMinimum")]
        high = [k for k in rest if k in ("maximum", "exclusiveMaximum")]
        for extreme, name, keys in (("min", "low", low), ("max", "high", high)):
            if keys:
                tests.append(f"({name} := {extreme}(x)) == {name}")
                tests += [f"not {name} {_BOUNDS[k]} {self.value(items[k])}" for k in keys]
        return " and ".join(tests)


def _refusals(conditions: list[str]) -> list[str]:
    """``return False`` when any of ``conditions`` holds."""
    return [line for condition in conditions for line in (f"if {condition}:", "    return False")]


def _either(tests: list[str]) -> str:
    return tests[0] if len(tests) == 1 else " or ".join(tests)


def _guarded(names: list[str], kinds: AbstractSet[str], other: str, conditions: list[str]) -> str:
    """``conditions`` of the types ``kinds``, holding for values of other types."""
    joined = " and ".join(conditions)
    if set(names) <= kinds:
        return joined
    return f"{other} or ({joined})"


def _branches(schema: dict[str, Any], keyword: str) -> list[Any]:
    branches = schema[keyword]
    if not isinstance(branches, list) or not branches:
        raise Unsupported(keyword)
    return branches


def _type_gate(schema: Any) -> str | None:
    """The branch's ``type`` test on ``x``, which is exact: a value failing it fails the branch."""
    if isinstance(schema, dict) and "type" in schema:
        names = _names(schema["type"])
        return _either([_TYPE_TESTS[n].format(t="type(x)", v="x") for n in names])
    return None


def source(schema: dict[str, Any]) -> str:
    """The Python code :func:`compiled` runs for ``schema`` (raises :class:`Unsupported`)."""
    writer = _Writer(schema)
    writer.function(schema)
    return "\n".join(writer.sources)


def compiled(schema: dict[str, Any]) -> Check | None:
    """The check of ``schema``, or ``None`` when it uses a keyword not modelled here."""
    writer = _Writer(schema)
    try:
        name = writer.function(schema)
    except Unsupported:
        return None
    namespace = {**_RUNTIME, **writer.constants}
    title = str(schema.get("$id") or schema.get("title") or "schema")
    exec(compile("\n".join(writer.sources), f"<fastcheck {title}>", "exec"), namespace)
    check: Check = namespace[name]
    return check
