"""The compiled schema check accepts exactly what the JSON Schema validator accepts.

Over the fixture corpus (every JSON file under ``tests/fixtures`` and ``examples``, against
every shipped schema) and over seeded variants of each (a value replaced by another type,
a negative, NaN, infinity; a key removed; a bad element put into an array, first, last or
in between), the compiled predicate and ``jsonschema`` agree; and the error
:func:`check_schema` raises is the full validator's first problem, path and message.
"""

from __future__ import annotations

import collections
import copy
import enum
import json
import math
import random
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from perf_gate.core.errors import InputError
from perf_gate.schemas import check_schema, fast_check, is_valid, load_schema, schema_problems
from perf_gate.schemas.fastcheck import compiled, source

ROOT = Path(__file__).resolve().parents[3]
SCHEMAS = sorted(
    p.name for p in resources.files("perf_gate.schemas").iterdir() if p.name.endswith(".json")
)
REPLACEMENTS: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    -0.5,
    1.5,
    2.0,
    "",
    "x",
    [],
    {},
    [1],
    {"a": 1},
    math.nan,
    math.inf,
    -math.inf,
    "ns",
    "Linear",
]


def _corpus() -> list[tuple[str, Any]]:
    out = []
    for folder in (ROOT / "tests" / "fixtures", ROOT / "examples"):
        for path in sorted(folder.rglob("*.json")):
            try:
                out.append((str(path.relative_to(ROOT)), json.loads(path.read_text("utf-8"))))
            except (ValueError, UnicodeDecodeError):
                continue  # the corpus holds deliberately broken files too
    return out


def _receipts() -> list[tuple[str, Any]]:
    """Receipts the gate writes, judged from the fixture runs (for the receipt schema)."""
    from perf_gate.core.config import load_config
    from perf_gate.inputs.runs import load_run
    from perf_gate.report.finalize import evaluate

    out = []
    for case in ("pr-small", "pr-regression"):
        folder = ROOT / "tests" / "fixtures" / case
        current = load_run([folder / "current"], None)
        baseline = load_run([folder / "baseline"], None, role="baseline")
        out.append((case, evaluate(current, [baseline], load_config(None)).receipt))
    return out


CORPUS = _corpus() + _receipts()


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc[:3]):  # the first items stand for the rest
            yield from _paths(value, (*prefix, i))
        if len(doc) > 3:
            yield from _paths(doc[-1], (*prefix, len(doc) - 1))


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        doc = doc[part]
    return doc


def _variants(doc: Any, seed: int, count: int) -> Iterator[Any]:
    """Seeded single mutations of ``doc``."""
    rng = random.Random(seed)
    paths = [p for p in _paths(doc) if p]
    if not paths:
        return
    for _ in range(count):
        path = rng.choice(paths)
        mutated = copy.deepcopy(doc)
        parent = _parent(mutated, path)
        key = path[-1]
        action = rng.random()
        value = parent[key]
        if action < 0.15 and isinstance(parent, dict):
            del parent[key]
        elif action < 0.45 and isinstance(value, list):
            bad = rng.choice(REPLACEMENTS)
            where = rng.choice([0, len(value), len(value) // 2])
            value.insert(where, bad)
        elif action < 0.55 and isinstance(value, list):
            value.clear()
        else:
            parent[key] = rng.choice(REPLACEMENTS)
        yield mutated


def _agree(doc: Any, schema: str) -> None:
    check = fast_check(schema)
    assert check is not None, f"{schema} has no compiled check"
    full = not schema_problems(doc, schema)
    assert check(doc) == full, f"{schema}: compiled {check(doc)}, jsonschema {full}: {doc!r:.300}"
    assert is_valid(doc, schema) == full


@cache
def _matching(schema: str) -> list[tuple[str, Any]]:
    """The corpus documents this schema accepts: the ones worth mutating."""
    return [(name, doc) for name, doc in CORPUS if not schema_problems(doc, schema)]


def test_the_corpus_is_big_enough_to_mean_something() -> None:
    assert len(CORPUS) >= 50
    accepted = {schema for schema in SCHEMAS if _matching(schema)}
    for format_schema in (
        "pytest-benchmark.schema.json",
        "criterion-sample.schema.json",
        "criterion-estimates.schema.json",
        "google-benchmark.schema.json",
        "pyperf.schema.json",
        "perf-receipt.schema.json",
    ):
        assert format_schema in accepted


@pytest.mark.parametrize("schema", SCHEMAS)
def test_every_corpus_document_gets_the_same_answer_from_both(schema: str) -> None:
    for _, doc in CORPUS:
        _agree(doc, schema)


@pytest.mark.parametrize("schema", SCHEMAS)
def test_generated_variants_get_the_same_answer_from_both(schema: str) -> None:
    variants = 0
    for n, (_, doc) in enumerate(_matching(schema)[:12]):
        for variant in _variants(doc, seed=n, count=40):
            _agree(variant, schema)
            variants += 1
    assert variants or not _matching(schema)


@pytest.mark.parametrize(
    "values",
    [
        [1.0, 2.0, 3.0],
        [],
        [0, 0.0, -0.0],
        [math.nan, 1.0, -1.0],
        [math.nan, 1.0],
        [1.0, math.nan, -1.0],
        [-1.0, math.nan],
        [1.0, True],
        [1.0, None],
        [1.0, "2"],
        [10**400, 1.0],
        [math.inf, 1.0],
        [-math.inf],
        [1e308, 1e308],
        [-1e-300],
    ],
)
def test_numeric_arrays_are_judged_like_jsonschema_does(values: list[Any]) -> None:
    doc = {"iters": [1.0] * max(1, len(values)), "times": values}
    _agree(doc, "criterion-sample.schema.json")
    stats = {"median": 1.0, "data": values}
    _agree({"benchmarks": [{"name": "b", "stats": stats}]}, "pytest-benchmark.schema.json")


def test_a_rejected_document_is_reported_by_the_full_validator() -> None:
    doc = {"benchmarks": [{"name": "b", "stats": {"median": 1.0, "data": [1.0, -2.0, "x"]}}]}
    problems = schema_problems(doc, "pytest-benchmark.schema.json")
    with pytest.raises(InputError) as caught:
        check_schema(doc, "pytest-benchmark.schema.json", "results.json")
    assert caught.value.where == problems[0][0] == "$.benchmarks[0].stats.data[1]"
    assert caught.value.message.startswith(problems[0][1])
    assert caught.value.message.endswith("(and 1 more problems)")


def test_an_unknown_keyword_means_no_compiled_check() -> None:
    assert compiled({"type": "object", "patternProperties": {"^x": {}}}) is None
    assert compiled({"type": "array", "items": [{"type": "number"}]}) is None
    assert compiled({"$ref": "https://example.com/other.json"}) is None


def test_one_of_accepts_only_when_exactly_one_branch_holds() -> None:
    schema = {"oneOf": [{"type": "number"}, {"type": "integer"}, {"type": "string"}]}
    check = compiled(schema)
    assert check is not None
    assert check(1.5) and check("x")
    assert not check(1)  # number and integer both hold: jsonschema refuses it too


# -- the generated code, construct by construct --------------------------------------------


class _Text(str):
    """A ``str`` subclass: a string to jsonschema, not an exact JSON type."""


class _Real(float):
    """A ``float`` subclass."""


OTHER_TYPES: list[Any] = [  # values jsonschema may accept but the generated code never claims
    collections.OrderedDict(a=1),
    _Text("aa"),
    (1, 2),
    enum.IntEnum("Small", "ONE")(1),
    _Real(1.5),
]
VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    -1,
    1.0,
    1.5,
    -0.0,
    10**400,
    math.nan,
    math.inf,
    -math.inf,
    "",
    "a",
    "aa",
    "ab",
    "é",
    [],
    [1],
    [0.5, 2],
    [1, 2, 3, 4],
    [-1.0],
    [0.0, 10.0],
    [10.5],
    [math.nan, -1.0],
    [1.0, math.nan, -1.0],
    [math.nan, 11.0],
    [True],
    [1.0, None],
    ["a"],
    [[1]],
    {},
    {"a": 1},
    {"a": 1.5},
    {"b": 2},
    {"a": 1, "b": 2},
    {"a": True},
    {"a": None, "c": "x"},
    {"next": {"v": 1}},
    {"next": {"v": 1.5}},
    {"next": {"next": {"v": "x"}}},
    {"child": {"n": "x"}},
    {"child": {"child": {"n": 1}}},
]
# (schema, exact): exact schemas get the same answer as jsonschema for every JSON value;
# the others (enum/const members of another type, oneOf branches of one type) may say no
# to a valid value, never yes to an invalid one.
CONSTRUCTS: list[tuple[dict[str, Any], bool]] = [
    ({}, True),
    ({"type": "integer", "minimum": 1}, True),
    ({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1.5}, True),
    ({"type": ["string", "null"], "minLength": 2}, True),
    ({"minLength": 2}, True),
    ({"minimum": 0, "maximum": 1}, True),
    ({"type": "string", "pattern": "^a+$"}, True),
    ({"type": ["integer", "string"], "pattern": "b", "minimum": 0}, True),
    ({"enum": ["a", "b"]}, True),
    ({"enum": ["a", None, "b"]}, True),  # strings or null: a set lookup or ``is None``
    ({"type": ["string", "null"], "enum": ["aa", None]}, True),
    ({"enum": [1, "a", None, True]}, False),
    ({"const": 1}, False),
    ({"const": "aa"}, True),
    (
        {
            "type": "object",
            "required": ["a"],
            "properties": {"a": {"type": "number"}},
            "additionalProperties": False,
        },
        True,
    ),
    ({"type": "object", "additionalProperties": {"type": "integer"}}, True),
    ({"additionalProperties": False}, True),
    (
        {"properties": {"a": {"type": "boolean"}}, "additionalProperties": {"type": "string"}},
        True,
    ),
    ({"properties": {"a": True, "b": False}, "minProperties": 1}, True),
    (
        {
            "type": "array",
            "items": {"type": "number", "minimum": 0, "maximum": 10},
            "minItems": 1,
            "maxItems": 3,
        },
        True,
    ),
    ({"type": "array", "items": {"type": "number", "exclusiveMinimum": 0}}, True),
    ({"type": "array", "items": {"type": "number", "exclusiveMaximum": 10}}, True),
    ({"type": "array", "items": {"type": "number"}}, True),
    ({"items": {"type": "string"}}, True),
    ({"items": {"type": "integer", "minimum": 1}}, True),
    ({"anyOf": [{"type": "integer"}, {"type": "string", "minLength": 1}]}, True),
    ({"allOf": [{"minimum": 0}, {"maximum": 5}]}, True),
    ({"oneOf": [{"type": "number"}, {"type": "integer"}, {"type": "string"}]}, True),
    ({"oneOf": [{"type": "object", "required": ["a"]}, {"required": ["b"]}]}, False),
    (
        {
            "$defs": {
                "node": {
                    "type": "object",
                    "properties": {"next": {"$ref": "#/$defs/node"}, "v": {"type": "integer"}},
                }
            },
            "$ref": "#/$defs/node",
        },
        True,
    ),
    ({"type": "object", "properties": {"child": {"$ref": "#"}, "n": {"type": "number"}}}, True),
    (
        {
            "properties": {"a": {"anyOf": [{"$ref": "#/$defs/n"}, {"type": "null"}]}},
            "$defs": {"n": {"type": "number", "maximum": 1}},
        },
        True,
    ),
]


@pytest.mark.parametrize(("schema", "exact"), CONSTRUCTS, ids=lambda s: json.dumps(s)[:60])
def test_each_construct_is_judged_like_jsonschema_does(schema: dict[str, Any], exact: bool) -> None:
    import jsonschema

    check = compiled(schema)
    assert check is not None, schema
    assert check.__code__.co_filename.startswith("<fastcheck"), "not the generated code"
    validator = jsonschema.Draft202012Validator(schema)
    for value in VALUES:
        valid = validator.is_valid(value)
        if exact:
            assert check(value) == valid, f"{schema}: {value!r} compiled {check(value)}"
        else:
            assert valid or not check(value), f"{schema}: {value!r} wrongly accepted"
    for value in OTHER_TYPES:
        assert validator.is_valid(value) or not check(value), f"{schema}: {value!r}"


def test_values_of_another_type_are_left_to_the_full_validator() -> None:
    check = compiled({"enum": [1, "a"]})
    assert check is not None
    assert check(1) and check("a")
    assert not check(1.0)  # equal to 1 for jsonschema, too: the full validator says so
    assert is_valid(
        {"benchmarks": [{"name": "b", "stats": {"median": 1.0}}]}, "pytest-benchmark.schema.json"
    )
    ordered = collections.OrderedDict(benchmarks=[{"name": "b", "stats": {"median": 1.0}}])
    fast = fast_check("pytest-benchmark.schema.json")
    assert fast is not None and not fast(ordered)
    assert is_valid(ordered, "pytest-benchmark.schema.json")


@pytest.mark.parametrize("schema", SCHEMAS)
def test_every_shipped_schema_is_checked_by_generated_code(schema: str) -> None:
    check = fast_check(schema)
    assert check is not None
    assert check.__code__.co_filename.startswith("<fastcheck ")


def test_sample_arrays_are_checked_in_c_with_only_the_bounds_the_schema_sets() -> None:
    code = source(load_schema("criterion-sample.schema.json"))
    assert "set(map(type, x)) <= _NUM" in code
    assert "min(x)" in code and "max(x)" not in code  # minimum 0, no maximum
