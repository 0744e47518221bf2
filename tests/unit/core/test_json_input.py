"""The strict JSON reader: fast on big documents, as strict as the full walk."""

from __future__ import annotations

import pytest

from perf_gate.core.errors import InputError
from perf_gate.core.json_input import loads


def test_a_json_document_of_over_a_million_values_is_read() -> None:
    # A pytest-benchmark run of 10,000 benchmarks x 100 samples holds more than 10^6
    # numbers; only YAML aliases (not JSON text, capped in bytes) can blow a tree up.
    values = loads("[" + ",".join(["0.5"] * 1_000_001) + "]", "big.json")
    assert len(values) == 1_000_001


@pytest.mark.parametrize(
    ("text", "deep"),
    [
        ('["' + "[" * 100 + '"]', False),  # brackets in a string do not nest
        ('["\\"' + "{" * 100 + '"]', False),  # nor after an escaped quote
        ('["\\\\"' + ", [" * 70 + "]" * 71, True),  # an escaped backslash ends no string
        ("[" * 65 + "]" * 65, True),
        ("[" * 64 + "]" * 64, False),
        ("[]" * 100, False),
        ('["' + "[" * 100, False),  # an unterminated string runs to the end
        ('["\\u00e9\\"' + "[" * 100, False),  # escapes, unterminated
    ],
)
def test_depth_is_counted_outside_strings(text: str, deep: bool) -> None:
    if deep:
        with pytest.raises(InputError, match="nested more than 64 levels deep"):
            loads(text, "d.json")
    else:
        try:
            loads(text, "d.json")
        except InputError as exc:
            assert "nested" not in exc.message


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"a": [1.0, NaN]}', "$.a[1]"),
        ('{"a": [1.0, -Infinity]}', "$.a[1]"),
        ('{"a": {"b": 1e999}}', "$.a.b"),
        ('{"a": {"b": 1E+400}}', "$.a.b"),
        ('{"a": [' + "9" * 310 + ".0]}", "$.a[0]"),
    ],
)
def test_a_non_finite_number_is_named_by_its_path(text: str, where: str) -> None:
    with pytest.raises(InputError, match="not a finite number") as caught:
        loads(text, "n.json")
    assert caught.value.where == where


@pytest.mark.parametrize(
    "number", ["1" + "0" * 215 + "e99", "1e0400", "1" + "0" * 309 + ".5", "2E+308"]
)
def test_a_number_too_big_for_a_float_is_found(number: str) -> None:
    with pytest.raises(InputError, match="not a finite number: inf"):
        loads(f'{{"x": [1.5e-300, {number}]}}', "n.json")


def test_a_duplicate_key_is_refused_and_named() -> None:
    with pytest.raises(InputError, match="duplicate key 'a'"):
        loads('{"b": {"a": 1, "c": 2, "a": 3}}', "dup.json")
    assert loads('{"a": {"a": 1}, "b": [{"a": 2}, {"a": 3}]}') == {
        "a": {"a": 1},
        "b": [{"a": 2}, {"a": 3}],
    }


def test_a_long_integer_is_refused_even_without_a_number_too_big_for_a_float() -> None:
    with pytest.raises(InputError, match="integer of 301 digits"):
        loads('{"n": ' + "1" * 301 + "}", "long.json")
    assert loads('{"n": ' + "1" * 300 + "}")["n"] == int("1" * 300)
