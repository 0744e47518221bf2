"""Reading untrusted JSON: the one ``json.loads`` for results, baselines and manifests.

Plain :func:`json.loads` takes ``NaN`` and ``Infinity``, keeps the last of two equal
keys, turns a 400-digit integer into something ``float()`` cannot hold and recurses
until Python gives up. Here each of those is :class:`InputError` naming the file and
where: duplicate keys and non-finite numbers by JSON path, a syntax error by line.

A document is read by ``orjson`` (three times faster) when its result is provably the
strict reader's: orjson refuses what the strict reader refuses by name (``NaN``,
``Infinity``, ``1e400``, lone surrogates, a BOM, malformed text); the nesting is checked
first; orjson's own dump of the parsed objects holds as many keys as the text has ``:``
outside strings (no key given twice: orjson keeps the last silently), counted in C; and no
float in it may have been an integer beyond 64 bits (an "e+" in the dump). Anything else
goes the :mod:`json` way, which writes every message as before.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

from perf_gate.core.errors import InputError, PerfGateError, json_path

MAX_DEPTH = 64  # no results format nests half as deep
MAX_NUMBER_DIGITS = 300  # float's range ends at about 1.8e308


class _Refused(ValueError):
    pass


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise _Refused(f"integer of {len(text.lstrip('-'))} digits")
    return int(text)


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Refused(f"duplicate key {key[:80]!r}")
            seen.add(key)
    return out


# On the UTF-8 bytes (no multi-byte character holds a quote, backslash, bracket or digit byte):
# a JSON string, an unterminated one running to the end.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\Z)', re.DOTALL)
_STRUCTURE = b'"\\[]{}'  # all the depth count needs when there is no escape
_NOT_STRUCTURE = bytes(sorted(set(range(256)) - set(_STRUCTURE)))
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
# Digits read as "0", "E" as "e", "+" dropped: a number too big for a float (or an integer
# too long for int()) is then a plain substring. Overflow needs an exponent of 3 digits or
# more, or 200 digits in a row (under 200 integer digits and a 2-digit exponent stay below
# 1e299). A match anywhere, even in a string, only costs the slow path.
_ZEROED = bytes.maketrans(b"123456789E", b"000000000e")
_LONG_RUN = b"0" * 200
_BIG_EXPONENT = b"e000"


def _constant(name: str, seen: list[str]) -> float:
    seen.append(name)
    return float(name)


def _too_deep(outside: bytes) -> bool:
    """More than ``MAX_DEPTH`` open brackets at once in ``outside`` (see :func:`_outside`)."""
    brackets = outside.translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > MAX_DEPTH


def _number_risks(data: bytes) -> tuple[bool, bool]:
    """(a 200-digit run, a 3-digit exponent) anywhere in ``data``."""
    zeroed = data.translate(_ZEROED, b"+")
    return _LONG_RUN in zeroed, _BIG_EXPONENT in zeroed


# The fast path. Outside strings, a ``:`` separates a key from its value, so a document
# holds a key twice exactly when its objects hold fewer keys than the text has such colons
# (orjson keeps the last of two equal keys silently). The keys are counted on orjson's own
# dump of the document, in C: it writes no spaces, and a ``:`` outside its strings only after
# a key. Each key and string of the document is a distinct string of the text (a duplicate's
# pair, dropped, takes its strings with it), so without a backslash in the text (a colon in
# a string is then spelt ``:`` in both) ``dump.count(":") <= text.count(":")``, equal exactly
# when no key was dropped. With an escape in the text, both sides count colons outside
# strings: the text's structure bytes keep every byte that may follow a backslash (a valid
# escape's; an invalid escape fails orjson), so strings are stripped from them as from the
# whole text.
_KEYED = b'"\\[]{}:'
_NOT_ESCAPED = bytes(sorted(set(range(256)) - set(_KEYED + b"/bfnrtu")))
_QUOTED = re.compile(rb'"[^"]*(?:"|\Z)')  # a string of a text without backslashes
# orjson reads an integer beyond 64 bits as a float (1.8446744073709552e+19 for 2**64), and
# writes every float of magnitude 1e16 or more with an exponent "e+" (no timing is that big):
# one outside the dump's strings declines the document (tests/unit/core/test_json_fast_path.py
# pins the rule on the installed orjson).
_BIG_FLOAT = b"e+"
_DECLINED = object()
# orjson's import costs 5 ms (it imports uuid and platform): a run that reads little JSON (a
# PR's few results files) does not pay it; one that has read this much has gained it back.
FAST_AFTER = 1 << 20
_read = [0]  # bytes of JSON read so far by this process


def _worth_orjson(size: int) -> bool:
    _read[0] += size
    return _read[0] >= FAST_AFTER


def _outside_strings(data: bytes) -> bytes:
    """``data`` (JSON text, or structure bytes of it) without its strings."""
    if b"\\" in data:
        return _STRING.sub(b"", data)
    # Two quotes side by side (an empty string, or the end of one and the start of the
    # next) leave every other byte as far inside or outside a string: dropped in one C pass,
    # they leave only the strings that hold structure (a pytest name's "[", ":").
    return _QUOTED.sub(b"", data.replace(b'""', b""))


def _outside(data: bytes) -> bytes:
    """The brackets (and, with an escape in UTF-8 ``data``, colons) of ``data`` outside its
    strings: the structure bytes, small, with strings stripped as from the whole text."""
    escaped = b"\\" in data
    return _outside_strings(data.translate(None, _NOT_ESCAPED if escaped else _NOT_STRUCTURE))


def _big_float_written(dump: bytes) -> bool:
    """Whether orjson's ``dump`` holds a float of magnitude 1e16 or more: "e+" outside its
    strings. An "e+" is rare (base64 in a baseline store has one in 4,096 characters), and
    only one that could end a number outside strings (after ``[``, ``,`` or ``:`` and
    digits, before ``,``, ``]``, ``}`` or the end: every number orjson writes is so placed)
    costs stripping the strings (pytest-benchmark's "ops" strings such as "1.00002e+06" in a
    baseline store do not). The search is for "+" (a byte of a date or a signed exponent:
    memchr, 1 ms a 30 MB dump), then its "e": a search for "e+" stops at every "e" of the
    text ("e-" of every small float, 29 ms)."""
    plus = dump.find(b"+")
    while plus >= 0:
        if plus and dump[plus - 1] == _BIG_FLOAT[0] and _number_around(dump, plus):
            return _BIG_FLOAT in _outside_strings(dump)
        plus = dump.find(b"+", plus + 1)
    return False


def _number_around(dump: bytes, plus: int) -> bool:
    """Whether the "+" at ``plus`` (after an "e") is placed as in a number of the dump."""
    start = plus - 1
    while start > 0 and dump[start - 1] in _MANTISSA:
        start -= 1
    end = plus + 1
    while end < len(dump) and dump[end] in _DIGITS:
        end += 1
    before = start == 0 or dump[start - 1] in _BEFORE_NUMBER
    return before and (end == len(dump) or dump[end] in _AFTER_NUMBER)


_MANTISSA = frozenset(b"0123456789.-")
_DIGITS = frozenset(b"0123456789")
_BEFORE_NUMBER = frozenset(b"[,:")
_AFTER_NUMBER = frozenset(b",]}")


def _fast(data: bytes) -> Any:
    """The document orjson reads from UTF-8 ``data`` when it is provably the one the strict
    reader gives, else ``_DECLINED``; never raises."""
    escaped = b"\\" in data
    # Structure outside strings: for the depth when there are enough brackets to pass it,
    # for the colons when an escape may hide one (a small file, the common case: neither).
    # The brackets are counted on the structure bytes, one C pass over the text and a few
    # per cent of its size, not by two counts over all of it (30 MB: 40 ms).
    structure = data.translate(None, _NOT_ESCAPED if escaped else _NOT_STRUCTURE)
    deep = structure.count(b"[") + structure.count(b"{") > MAX_DEPTH
    outside = _outside_strings(structure) if escaped or deep else b""
    if deep and _too_deep(outside):
        return _DECLINED  # refused the json way, with its message
    import orjson  # here, not at the top: see FAST_AFTER

    try:
        document = orjson.loads(data)  # NaN, Infinity, 1e400, lone surrogates: refused
        dump = orjson.dumps(document)
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return _DECLINED
    if _big_float_written(dump):
        return _DECLINED
    if escaped:
        keys = _outside_strings(dump.translate(None, _NOT_ESCAPED)).count(b":")
        colons = outside.count(b":")
    else:
        keys, colons = dump.count(b":"), data.count(b":")
    return document if keys == colons else _DECLINED


def loads(
    text: str | bytes,
    path: str | None = None,
    error: type[PerfGateError] = InputError,
) -> Any:
    """The JSON document in ``text``; anything a strict reader would refuse raises ``error``.

    Bytes are read as the text ``text.decode("utf-8-sig", "replace")`` (a file's text, see
    :attr:`perf_gate.inputs.parsers.base.Sniff.text`), decoded only when orjson cannot be
    proved to read them alike.
    """
    if isinstance(text, bytes):
        data = text[3:] if text.startswith(b"\xef\xbb\xbf") else text
        document = _fast(data) if _worth_orjson(len(data)) else _DECLINED
        if document is not _DECLINED:
            return document
        return _strict(data.decode("utf-8", "replace"), path, error)
    if _worth_orjson(len(text)):
        data = text.encode("utf-8", "surrogatepass")  # lone surrogates: invalid, orjson refuses
        document = _fast(data)
        del data
        if document is not _DECLINED:
            return document
    return _strict(text, path, error)


def _strict(text: str, path: str | None, error: type[PerfGateError]) -> Any:
    """The :mod:`json` way, for anything the fast path declines: every message as before."""
    data = text.encode("utf-8", "surrogatepass")  # byte scans: fast, and freed before parsing
    if data.count(b"[") + data.count(b"{") > MAX_DEPTH and _too_deep(_outside(data)):
        raise error(f"JSON nested more than {MAX_DEPTH} levels deep", path=path)
    long_run, big_exponent = _number_risks(data)
    del data
    constants: list[str] = []
    try:
        document = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_int=_integer if long_run else None,  # no 200-digit run: no 301-digit integer
            parse_constant=lambda name: _constant(name, constants),
        )
    except _Refused as exc:
        raise error(str(exc), path=path) from None
    except json.JSONDecodeError as exc:
        raise error(f"malformed JSON: {exc.msg}", path=path, where=f"line {exc.lineno}") from None
    except (RecursionError, ValueError) as exc:
        raise error(f"malformed JSON: {exc}", path=path) from None
    if constants or long_run or big_exponent:
        # NaN, Infinity, 1e999: named by JSON path. Depth was checked on the text, and JSON
        # text, capped in bytes, has no aliases to make a tree of more values than it spells.
        check_document(document, path, error, max_nodes=None)
    return document


def dumps(document: Any, **kwargs: Any) -> str:
    """Strict JSON out: a non-finite number is a bug, never a bare ``NaN`` in a file."""
    return json.dumps(document, allow_nan=False, **kwargs)


MAX_NODES = 1_000_000  # YAML aliases can make a small file a huge tree


def check_document(
    document: Any,
    path: str | None = None,
    error: type[PerfGateError] = InputError,
    max_nodes: int | None = MAX_NODES,
) -> None:
    """Refuse a parsed document (JSON or YAML) that holds a non-finite number, nests more
    than ``MAX_DEPTH`` levels or has more than ``max_nodes`` values; names the JSON path."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(document, ())]
    seen = 0
    while stack:
        value, where = stack.pop()
        seen += 1
        if max_nodes is not None and seen > max_nodes:
            raise error(f"more than {max_nodes:,} values", path=path)
        if len(where) > MAX_DEPTH:
            raise error(f"nested more than {MAX_DEPTH} levels deep", path=path, where=_at(where))
        if isinstance(value, float) and not math.isfinite(value):
            raise error(f"not a finite number: {value!r}", path=path, where=_at(where))
        if isinstance(value, dict):
            stack.extend((v, (*where, k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, (*where, i)) for i, v in enumerate(value))


def _at(where: tuple[Any, ...]) -> str:
    return json_path(list(where))
