"""The orjson fast path of the strict JSON reader reads every input exactly as the json way.

Each input is read twice: by :func:`loads` (orjson when it can prove the result, else the
json way) and by the json way alone. Both must accept or refuse alike, with the same
message and JSON path, and give equal documents: the same types, key order and float bits.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from perf_gate.core import json_input
from perf_gate.core.errors import InputError
from perf_gate.core.json_input import loads

TESTS = Path(__file__).resolve().parents[2]
BOM = b"\xef\xbb\xbf"


@pytest.fixture(autouse=True)
def orjson_from_the_first_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_input, "FAST_AFTER", 0)


def _shape(value: Any) -> Any:
    """``value`` with every type spelt out and floats as their bits (``-0.0`` is not ``0.0``)."""
    if isinstance(value, dict):
        return ("dict", [(k, _shape(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_shape(v) for v in value])
    if isinstance(value, float):
        return ("float", value.hex())
    return (type(value).__name__, value)


def _outcome(read: Any) -> tuple[str, Any]:
    try:
        return "ok", _shape(read())
    except InputError as exc:
        return "refused", (type(exc), exc.message, exc.path, exc.where)


def _json_way(source: str | bytes) -> Any:
    text = source.decode("utf-8-sig", "replace") if isinstance(source, bytes) else source
    return json_input._strict(text, "in.json", InputError)


def assert_read_alike(source: str | bytes) -> None:
    fast = _outcome(lambda: loads(source, "in.json"))
    slow = _outcome(lambda: _json_way(source))
    assert fast == slow, source[:300]


def _both(text: str) -> list[str | bytes]:
    return [text, text.encode("utf-8", "surrogatepass")]


# Duplicate keys at every depth, spelt out and through escapes (``\u0062`` is ``b``).
def _nested(depth: int, leaf: str) -> str:
    return '{"k": [' * depth + leaf + "]}" * depth


DUPLICATES = [
    _nested(depth, leaf)
    for depth in range(6)
    for leaf in (
        '{"a": 1, "a": 2}',
        '{"a": 1, "b": {"x": 1}, "a": 2}',
        '{"ab": 1, "a\\u0062": 2}',
        '{"a:b": 1, "a\\u003ab": 2}',
        '{"\\"": 1, "\\u0022": 2}',
        '{"x": 1, "y": [1, 2, {"z": 1, "z": 1}]}',
    )
] + [
    '{"a": 1, "b": 2, "c": {"d": [1, 2, 3]}, "a": 2}',
    '{"a": {"b": 1}, "a": {"b": 1}}',
]

COLONS_AND_ESCAPES = [
    '{"a:b": "c:d", "e": ":"}',
    '{"a\\u003a": 1, "b": "\\u003a\\u003a"}',
    '{"\\\\": 1, "\\\\\\"": 2, "q\\"": "\\":\\"", "s": "\\\\"}',
    '{"\\\\": {"\\\\\\\\": [":", "\\\\:"]}}',
    '{"\\n\\t\\r\\b\\f\\/": ":", "u": "\\u00e9\\u20ac\\ud83d\\ude00"}',
    '{"a": "[{:}]", "b": "\\"[{\\"", "c": [1, {"d": "}"}]}',
]

NUMBERS = [
    "[-0]",
    "[-0.0, 0.0, 0e0, -0e-0, 0E+0]",
    "[9223372036854775807, -9223372036854775808]",
    "[9223372036854775808, 18446744073709551615]",
    "[18446744073709551616, -9223372036854775809]",
    "[100000000000000000000000000000]",
    '{"n": 1' + "0" * 300 + "}",
    '{"n": 1' + "0" * 301 + "}",
    "[1e308, 1.7976931348623157e308, 1.7976931348623158e308, 1.8e308]",
    "[1e400, -1e400, 1e-400, -1e-400]",
    "[5e-324, 2.4703282292062328e-324, 2.4703282292062327e-324, 2.2250738585072011e-308]",
    "[2.2250738585072014e-308, 4.9406564584124654e-324, 1e-320]",
    "[0.1000000000000000055511151231257827021181583404541015625]",
    "[9007199254740993, 9007199254740993.0, 1.00000000000000011102230246251565404]",
    "[1" + "0" * 30 + ".5, 0." + "0" * 40 + "1]",
    "[1.0e+10, 1E-5, 12345678901234567890e-5, 0.0012345678901234567]",
    "[NaN]",
    "[Infinity, -Infinity]",
    '{"a": [1.0, NaN]}',
    "[1.5e-300, 1e0400]",
]

STRINGS = [
    '["\\ud800"]',
    '["\\udc00x"]',
    '["\\ud83d\\ude00", "\\uD83D\\uDE00"]',
    '["\\u0000", "\\u001f", "\x7f"]',
    '{"\\ud800": 1}',
    '["\\x"]',
    '["\\u12"]',
    '["abc',
    '["\\"',
]

MALFORMED = [
    "",
    " ",
    "[",
    "[1,]",
    '{"a": 1,}',
    "{'a': 1}",
    "[1] [2]",
    "[1] x",
    "\x0c[]",
    "[01]",
    "[1.]",
    "[.5]",
    "[-]",
    "[+1]",
    "[1e]",
    '{"a" 1}',
    '{"a": }',
    "[true, false, null, tru]",
    "/* c */ []",
    '{"a": 1}\x00',
    "[1,\x0c2]",
    "[1,\x0b2]",
    "[1,\xa02]",
    "[1,\u20282]",
    '["\\U0041"]',
    '["\\a"]',
    '["\\u00G1"]',
    "[-NaN]",
    "[0x10]",
    "[1_000]",
    "[1e+]",
    "[--1]",
    "{1: 2}",
    '{"a": 1 "b": 2}',
    '{"a":: 1}',
]

# The key count is taken from orjson's dump of the document: strings that look like keys or
# big numbers there, with and without an escape in the text, and duplicates beside them.
DUMP_COUNTS = [
    '{":": 1, "::": ":", "a": ":b"}',
    '{"\\u003a": [], "b": ":", "c": "\\":"}',
    '{"a\\":": "\\":", "b": ["\\":\\"", "\\\\:"]}',
    '{"k": "\\":1,\\"k\\":2", "k2": "x"}',
    '{"a": "\\":", "a": 1}',
    '{"a": ":", "a": ":"}',
    '{":": 1, "\\u003a": 2}',
    '{"s": "e+", "t": "1e+16", "e+": "+", "u": "x\\"e+"}',
    '{"s": "e+", "s": "e+"}',
    '{"s": "a+b", "n": 1e16}',
    '{"e+": 1.5, "n": [1e15, -1e15, 9999999999999998.0]}',
    "[1e16, 9.3e18]",
    "[-1e16]",
    "[9.223372036854776e18, 9.3e18, 1.8e19]",
    '{"a": [0.5, 2.5e-7, 1e-16, 123456.789e3]}',
    '{"n": 9223372036854775807, "m": 18446744073709551615, "s": "e+"}',
    '{"n": 18446744073709551616, "s": "x"}',
    # a "+" that is no exponent's (a date's) before an integer beyond 64 bits
    '{"t": "2026-01-01T00:00:00+00:00", "n": 18446744073709551616}',
    '{"a": {"b": 1, "c": {"d": 1e16}}, "a": 2}',
    # "e+" in strings placed like a number's and beside real ones (pytest-benchmark's "ops"
    # strings in a baseline store): only a number outside strings declines
    '{"ops": "1.00002e+06", "m": [["ops", "2e+06"]], "n": 1e16}',
    '{"ops": "1.00002e+06", "m": [["ops", "2e+06"], ",3e+16]"], "n": 1e15}',
    '["x,1e+16]", 1e16]',
    "1e16",
]

DEPTHS = ["[" * d + "]" * d for d in (1, 63, 64, 65, 100, 2000)] + [
    '{"a":' * 64 + "1" + "}" * 64,
    '{"a":' * 65 + "1" + "}" * 65,
    '["' + "[" * 100 + '"]',
    '["\\\\"' + ", [" * 70 + "]" * 71,
]

SCALARS = ["1", "-0", "1.5", '"s"', "true", "false", "null", '"\\u003a"']

CONTROL = ['["a' + chr(c) + 'b"]' for c in range(32)] + [
    '{"k' + chr(c) + '": 1}' for c in (0, 9, 10)
]

TEXTS = (DUPLICATES + COLONS_AND_ESCAPES + DUMP_COUNTS + NUMBERS + STRINGS + MALFORMED + DEPTHS) + (
    SCALARS + CONTROL
)

BYTES_ONLY = [
    BOM + b'{"a": 1}',
    BOM + BOM + b'{"a": 1}',
    b' \xef\xbb\xbf{"a": 1}',
    BOM + b'{"a": 1, "a": 2}',
    b'{"a": "\xff"}',
    b'["\xc3"]',
    b'["\xc0\xaf"]',
    b'["\xed\xa0\x80"]',
    b'{"\xe2\x82": 1}',
    b'["\xf4\x90\x80\x80"]',
    b'{"caf\xc3\xa9": "\xe2\x82\xac", "\xf0\x9f\x98\x80": 1}',
    b'{"a": 1, "\xff": 2, "\xfe": 3}',
    b'{"\xff": 1, "\xfe": 2}',
]


@pytest.mark.parametrize("text", TEXTS)
def test_a_crafted_text_reads_alike(text: str) -> None:
    for source in _both(text):
        assert_read_alike(source)


@pytest.mark.parametrize("data", BYTES_ONLY)
def test_crafted_bytes_read_alike(data: bytes) -> None:
    assert_read_alike(data)
    assert_read_alike(data.decode("utf-8", "surrogateescape"))


def test_a_lone_surrogate_in_text_reads_alike() -> None:
    for text in ['["\ud800"]', '{"\udc80": 1}', '{"a": "\ud83d"}']:
        assert_read_alike(text)


def _fixtures() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.json") if p.is_file())


def test_every_json_file_of_the_tests_reads_alike() -> None:
    files = _fixtures()
    assert len(files) > 30
    for path in files:
        data = path.read_bytes()
        assert_read_alike(data)
        assert_read_alike(data.decode("utf-8", "replace"))


def test_the_fast_path_reads_the_fixtures() -> None:
    """Not a vacuous comparison: orjson reads the ordinary files."""
    taken = [json_input._fast(p.read_bytes()) is not json_input._DECLINED for p in _fixtures()]
    assert sum(taken) >= 0.9 * len(taken)


def _float_text(rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:  # any double, as Python writes it
        bits = rng.getrandbits(64)
        value = float.fromhex(f"{'-' if bits >> 63 else ''}0x1.{bits & (2**52 - 1):013x}p0")
        return repr(value * 2.0 ** rng.randint(-1074, 1023)).replace("inf", "1e400")
    if kind == 1:  # long mantissas, both sides of a rounding boundary
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(15, 40)))
        return f"{digits[0]}.{digits[1:]}e{rng.randint(-330, 310)}"
    if kind == 2:  # subnormals and the edge of underflow
        return f"{rng.uniform(1, 10):.{rng.randint(1, 25)}f}e-{rng.randint(300, 330)}"
    if kind == 3:  # timings in seconds
        return repr(10 ** rng.uniform(-9, 3))
    if kind == 4:  # integers around 64 bits
        return str(rng.choice([-1, 1]) * rng.randint(0, 2 ** rng.choice([31, 62, 63, 64, 65, 90])))
    return rng.choice(["-0", "0", "-0.0", "1E5", "1e-7", "12.5E+3"])


def _random_document(rng: random.Random, depth: int = 0) -> str:
    roll = rng.random()
    if depth > 4 or roll < 0.35:
        return rng.choice(
            [_float_text(rng), _float_text(rng), '"s"', '"a\\":"', "true", "null", "[]", "{}"]
        )
    if roll < 0.65:
        items = [_random_document(rng, depth + 1) for _ in range(rng.randint(0, 6))]
        return "[" + ", ".join(items) + "]"
    keys = [rng.choice(["a", "b", "c", "d:e", "a\\u0062", "\\\\", "\\u003a"]) for _ in range(6)]
    members = [f'"{k}": {_random_document(rng, depth + 1)}' for k in keys[: rng.randint(0, 6)]]
    return "{" + ", ".join(members) + "}"


def test_generated_documents_read_alike() -> None:
    rng = random.Random(20261130)
    outcomes = {"ok": 0, "refused": 0}
    for _ in range(400):
        text = _random_document(rng)
        for source in _both(text):
            assert_read_alike(source)
        outcomes[_outcome(lambda text=text: loads(text))[0]] += 1
    assert min(outcomes.values()) > 50  # both kinds were exercised


def test_generated_numbers_read_alike_bit_for_bit() -> None:
    rng = random.Random(7)
    numbers = [_float_text(rng) for _ in range(20_000)]
    assert_read_alike("[" + ", ".join(numbers) + "]")
    for chunk in range(0, len(numbers), 500):  # one refused number refuses its whole list
        assert_read_alike("[" + ", ".join(numbers[chunk : chunk + 500]) + "]")


def _taken(text: str) -> bool:
    return json_input._fast(text.encode()) is not json_input._DECLINED


def test_strings_that_look_like_keys_or_big_numbers_stay_on_the_fast_path() -> None:
    """Not declined for what is only inside a string: ``:`` (a key's colon in the dump),
    ``"``, ``e+`` and ``+``, with and without escapes."""
    for text in [
        '{":": 1, "::": ":", "a": ":b"}',
        '{"s": "e+", "t": "1e+16", "e+": "+"}',
        '{"a\\":": "\\":e+", "b": ["\\":\\"", "\\\\:"], "n": 1e15}',
        '{"\\u003a": ":", "x": [1.5, -2.5e-7]}',
    ]:
        assert _taken(text), text


def test_the_fast_path_declines_duplicates_and_floats_from_64_bit_integers_up() -> None:
    for text in [
        '{"a": 1, "a": 2}',
        '{"a": ":", "a": ":"}',
        '{"\\u0061": 1, "a": "\\":"}',
        '{"k": [{"x": {"y": 1, "y": 1}}]}',
        "[1e16]",
        "[9.3e18]",
        '{"a": -1e16}',
        "[18446744073709551616]",
        "[-9223372036854775809]",
        "1e20",
    ]:
        assert not _taken(text), text


def test_orjson_writes_every_float_from_1e16_with_an_exponent() -> None:
    """The rule the big-integer proof rests on, checked on the installed orjson: a float of
    magnitude 2**63 or more (an integer beyond 64 bits read by orjson) dumps with ``e+``."""
    import orjson

    rng = random.Random(11)
    big = [2.0**63, 1e16, 9.3e18, 1.8446744073709552e19, 1.7976931348623157e308]
    big += [10 ** rng.uniform(16, 308) for _ in range(5000)]
    big += [float(rng.randint(2**63, 2**70)) for _ in range(1000)]
    for value in big:
        for signed in (value, -value):
            assert b"e+" in orjson.dumps(signed), signed
    assert orjson.dumps([1e15, 9999999999999998.0]) == b"[1000000000000000.0,9999999999999998.0]"


def test_a_big_document_is_read_by_orjson_and_alike() -> None:
    rng = random.Random(3)
    benchmarks = [
        {"name": f"b{i}", "stats": {"data": [rng.lognormvariate(-9, 1) for _ in range(50)]}}
        for i in range(500)
    ]
    data = json.dumps({"id": "0" * 40, "benchmarks": benchmarks}).encode()
    assert json_input._fast(data) is not json_input._DECLINED
    assert_read_alike(data)
    duplicated = data[:-1] + b', "id": "x"}'
    assert json_input._fast(duplicated) is json_input._DECLINED
    with pytest.raises(InputError, match="duplicate key 'id'"):
        loads(duplicated, "in.json")


PROBE = """
import sys
from perf_gate.core.json_input import FAST_AFTER, loads
loads(b'{"a": [1.5, 2]}')
print("orjson" in sys.modules, end=" ")
loads(b"[" + b"1.5," * (FAST_AFTER // 4) + b"1]")
print("orjson" in sys.modules)
"""


def test_orjson_is_imported_only_once_a_run_has_read_enough_json() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, cwd=TESTS.parent
    )
    assert out.stdout == "False True\n"
