"""What every parser shares: the sniffed input, the interface, and checked readers.

A parser is a module in this package that defines a class with a ``name`` and
``detect``/``parse`` methods and registers an instance with
:func:`perf_gate.inputs.parsers.register`. Readers here raise :class:`InputError` with
the file and the JSON path, never a bare ``KeyError``.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from perf_gate.core import limits
from perf_gate.core.cached import cached
from perf_gate.core.errors import InputError
from perf_gate.core.json_input import loads
from perf_gate.core.limits import TooLarge, gunzip
from perf_gate.core.model import Device, InputFile, Kind, Metric, ParseResult
from perf_gate.schemas import check_schema
from perf_gate.schemas import json_path as json_path  # parsers name where a value sits

_GZIP_MAGIC = b"\x1f\x8b"
_POSIX = os.sep == "/" and os.altsep is None  # a Path writes a string's slashes as they are
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# What ``text.lstrip()`` starting with a bracket looks like in the bytes, in the common case
# (a BOM, which the text drops, and ASCII white space): no decoding needed to see it.
_JSON_START = re.compile(rb"(?:\xef\xbb\xbf)?[ \t\n\r\x0b\x0c]*[{\[]")


@dataclass(frozen=True)
class Sniff:
    """One input file, read once: its bytes, its text and, when it is JSON, its value.

    ``location`` is its path as given. A :class:`~pathlib.Path` is made from a string only
    when a parser asks for :attr:`path`: a criterion tree is 60,000 files read by their
    path strings, and making a ``Path`` of each cost more than checking its JSON (7 µs:
    0.4 s at 10,000 benchmarks). Messages and the receipt write :attr:`shown`, which is
    ``str(self.path)``."""

    location: Path | str
    data: bytes

    @cached
    def path(self) -> Path:
        location = self.location
        return location if isinstance(location, Path) else Path(location)

    @cached
    def shown(self) -> str:
        """``str(self.path)``, without making the ``Path`` when the string is already
        written as a ``Path`` writes it."""
        location = self.location
        if isinstance(location, str) and _written_as_path(location):
            return location
        return str(self.path)

    @cached
    def content(self) -> bytes | None:
        """The file's bytes, gunzipped for ``*.gz`` files (not tarballs); ``None`` if corrupt."""
        if self.data[:2] != _GZIP_MAGIC or self.path.name.endswith((".tar.gz", ".tgz")):
            return self.data
        try:
            return gunzip(self.data, limits.current().input_bytes)
        except TooLarge as exc:
            raise InputError(f"gzip data {exc}", path=self.shown) from None
        except (OSError, EOFError, zlib.error):
            return None

    @cached
    def text(self) -> str:
        return (self.content or b"").decode("utf-8-sig", errors="replace")

    @cached
    def lines(self) -> list[str]:
        """The text's lines without terminal colour codes; ``lines[0]`` is line 1."""
        return [_ANSI.sub("", line) for line in self.text.splitlines()]

    @cached
    def json(self) -> Any:
        """The parsed JSON document, or ``None`` when the file is not JSON."""
        seen = _JSON_START.match(self.content or b"")  # else the text decides
        if not seen and not self.text.lstrip().startswith(("{", "[")):
            return None
        try:
            return loads(self.content or b"", self.shown)  # read as the text reads
        except InputError:
            return None

    def json_or_error(self) -> Any:
        """The parsed JSON document; malformed JSON raises with line and column."""
        if "json" in self.__dict__ and self.__dict__["json"] is not None:
            return self.__dict__["json"]  # already parsed by detection: parse once
        if self.content is None:
            raise InputError("corrupt gzip data", path=self.shown)
        return loads(self.content, self.shown)  # bytes: as ``text`` would read them

    @cached
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def input_file(self, fmt: str) -> InputFile:
        return InputFile(path=self.shown, format=fmt, sha256=self.sha256)


def _written_as_path(text: str) -> bool:
    """Whether ``str(Path(text)) == text`` for sure: a POSIX path without an empty or ``.``
    part and without a trailing slash (what ``os.path.join`` of such parts gives)."""
    return (
        _POSIX
        and text not in ("", ".")
        and "//" not in text
        and "/./" not in text
        and not text.startswith("./")
        and not text.endswith(("/", "/."))
    )


class Parser(Protocol):
    """The interface of one input format."""

    name: str
    description: str
    schema: str | None  # file name in schemas/, for JSON formats

    def detect(self, sniff: Sniff) -> bool:
        """True when this file is of this format (cheap, never raises)."""
        ...

    def parse(self, sniff: Sniff) -> ParseResult:
        """Read the file into metrics; raises :class:`InputError` when it is malformed."""
        ...


def read_sniff(path: Path) -> Sniff:
    try:
        return _read_sniff(path)
    except FileNotFoundError:
        raise InputError("no such file", path=str(path)) from None
    except NotADirectoryError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=str(path)) from None


def read_sniff_if_present(path: Path | str) -> Sniff | None:
    """:func:`read_sniff`, or ``None`` when there is no such file (or a folder on its way is
    a file): one ``open`` where an ``exists()`` first would add a ``stat`` (three per
    criterion benchmark folder)."""
    try:
        return _read_sniff(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


def _read_sniff(path: Path | str) -> Sniff:
    """The file at ``path``, read; a missing file raises :class:`FileNotFoundError`."""
    try:
        limit = limits.current().input_bytes
        # A bare descriptor, not open()'s buffered file object: a criterion tree is 60,000
        # small files, and the object costs more than the read (30,000 files: 250 -> 140 ms).
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            # read(n) allocates n bytes first: a buffer the file's size, not the limit's
            # (64 MB for every one of 60,000 criterion files), then on to the limit if the
            # file is longer than it said (it grew, or a pipe says 0).
            expected = os.fstat(fd).st_size
            data = _read_upto(fd, min(expected, limit) + 1)
            if expected < len(data) <= limit:
                data += _read_upto(fd, limit + 1 - len(data))
        finally:
            os.close(fd)
        if len(data) > limit:
            raise InputError(
                f"larger than the input limit of {limit:,} bytes "
                "(limits.input_bytes in .perf-gate.yml)",
                path=str(path),
            )
        return Sniff(path, data)
    except (FileNotFoundError, NotADirectoryError):
        raise
    except IsADirectoryError:
        raise InputError("is a directory, expected a file", path=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=str(path)) from None


def _read_upto(fd: int, size: int) -> bytes:
    """Up to ``size`` bytes from ``fd``, fewer only at its end (as a buffered ``read(size)``
    gives them: a pipe or a growing file may answer a read with less)."""
    data = os.read(fd, size)
    if len(data) == size or not data:
        return data
    parts = [data]
    got = len(data)
    while got < size:
        more = os.read(fd, size - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)  # one part: that same bytes object, not a copy


def validate_or_raise(sniff: Sniff, document: Any, schema_name: str) -> None:
    """Raise :class:`InputError` naming the first schema violation (and how many more)."""
    check_schema(document, schema_name, sniff.shown)


def finite(value: Any, sniff: Sniff, where: str, *, positive: bool = True) -> float:
    """A finite number (and > 0 for timings, rates and sizes); else :class:`InputError`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"expected a number, got {value!r}", path=str(sniff.path), where=where)
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):  # also a huge integer: float() gives inf or raises
        raise InputError(f"not a finite number: {value!r}", path=str(sniff.path), where=where)
    if positive and number < 0:
        raise InputError(f"negative value {number:g}", path=str(sniff.path), where=where)
    return number


_PLAIN_NUMBERS = frozenset({int, float})
_FLOATS = frozenset({float})


def finite_array(
    values: list[Any], sniff: Sniff, where: str, scale: float = 1.0, *, schema_checked: bool = False
) -> tuple[float, ...]:
    """Every item of ``values`` as a finite number ≥ 0, times ``scale``; else :class:`InputError`
    naming the first bad item (``where[i]``).

    The common case is checked in C: plain numbers whose sum is finite and whose smallest is
    not negative (one ``sum`` only when ``schema_checked``: the file's schema already held
    the items to ``{"type": "number", "minimum": 0}``, so they are numbers, not booleans,
    and none is below 0, and only NaN and the infinities are left). Floats come back as they
    are when ``scale`` is 1. Anything else (another type, NaN, an infinity, a negative, an
    integer too large for a float) goes item by item through :func:`finite`, which names
    the first bad one.
    """
    try:
        plain = (
            math.isfinite(sum(values))
            if schema_checked
            else set(map(type, values)) <= _PLAIN_NUMBERS
            and math.isfinite(sum(values))
            and (not values or min(values) >= 0)
        )
    except (OverflowError, TypeError):  # an integer beyond a float's range; not a number
        plain = False
    if plain:
        if scale != 1.0:
            return tuple([v * scale for v in values])
        return tuple(values) if set(map(type, values)) <= _FLOATS else tuple(map(float, values))
    return tuple(finite(v, sniff, f"{where}[{i}]") * scale for i, v in enumerate(values))


def content_lines(sniff: Sniff) -> list[tuple[int, str]]:
    """``(line number, line)`` of every line that is not blank or a ``#`` comment."""
    return [
        (lineno, line)
        for lineno, line in enumerate(sniff.lines, start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def line_error(sniff: Sniff, lineno: int, message: str) -> InputError:
    """The error for a malformed line of a text format (``lineno`` counts from 1)."""
    return InputError(message, path=str(sniff.path), where=f"line {lineno}")


_DEVICE_WORD = re.compile(r"(?:^|[^a-z0-9])(cpu|gpu|cuda)(?:[^a-z0-9]|$)")


def device_from_name(path: Path) -> Device | None:
    """``cpu-bench.log`` → ``cpu``; ``gpu-bench.log``, ``cuda_results.json`` → ``gpu``."""
    found = _DEVICE_WORD.search(path.name.lower())
    if found is None:
        return None
    return "cpu" if found.group(1) == "cpu" else "gpu"


def device_of(backend: object) -> Device | None:
    """A harness's backend or device name as the model's device (``cuda`` → ``gpu``)."""
    lowered = str(backend).strip().lower()
    if lowered == "cpu":
        return "cpu"
    if lowered in ("cuda", "gpu", "metal", "rocm", "hip", "vulkan"):
        return "gpu"
    return None


def one_file(
    sniff: Sniff, fmt: str, metrics: list[Any], findings: list[Any] | None = None
) -> ParseResult:
    """The usual result: metrics from a single file."""
    return ParseResult(
        metrics=tuple(metrics), findings=tuple(findings or ()), files=(sniff.input_file(fmt),)
    )


LeakRule = Literal["zero", "baseline", "report"]


def leak_metric(
    sniff: Sniff, fmt: str, name: str, value: float, unit: str, rule: LeakRule
) -> Metric:
    """A ``leak`` metric. ``zero``: must be 0 (definitely or indirectly lost, leaked);
    ``baseline``: an allocation count or size, judged against the baseline under the memory
    tolerance; ``report``: shown, not judged (possibly lost, still live at exit: usually 0,
    which no relative tolerance can judge against)."""
    return Metric(
        name=name,
        value=value,
        unit=unit,
        kind=Kind.LEAK,
        direction="lower",
        source=str(sniff.path),
        format=fmt,
        meta=(("leak", rule),),
    )
