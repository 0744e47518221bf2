"""Size limits on untrusted input, and decompression that respects them.

A results file, an artifact or a gzip member larger than these is refused with one
line, never read into memory whole. ``docs/security.md`` lists them; the
``limits:`` section of ``.perf-gate.yml`` changes them for one run.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Every limit in one place (bytes unless named otherwise)."""

    input_bytes: int = 64 * MIB  # one results file, after gunzip
    artifact_bytes: int = 200 * MIB  # a baseline artifact, unpacked
    ratio: int = 200  # unpacked / packed, for every gzip and zip member
    name_chars: int = 1000  # one metric name
    output_bytes: int = 64 * MIB  # captured output of one benchmark command


LIMITS = Limits()  # the defaults


def current() -> Limits:
    """The limits of this run (the config's ``limits:``, set by the entry point)."""
    return _active[0]


def configure(limits: Limits) -> None:
    """Make ``limits`` the limits of this process (the entry point, after reading the config)."""
    _active[0] = limits


_active = [LIMITS]


class TooLarge(ValueError):
    """Decompressed data would pass a limit."""


def gunzip(data: bytes, limit: int, ratio: int | None = None) -> bytes:
    """``data`` gunzipped (concatenated members too), stopping at ``limit`` bytes or at
    ``ratio`` times the packed size. Raises :class:`TooLarge`, or ``zlib.error``/``EOFError``
    for corrupt data."""
    cap = min(limit, max(len(data), 1) * (ratio or current().ratio))
    out = bytearray()
    rest = data
    while rest:
        inflater = zlib.decompressobj(wbits=31)
        out += inflater.decompress(rest, cap + 1 - len(out))
        if len(out) > cap:
            raise TooLarge(f"unpacks to more than {cap:,} bytes")
        if not inflater.eof:
            if inflater.unconsumed_tail:
                raise TooLarge(f"unpacks to more than {cap:,} bytes")
            raise EOFError("truncated gzip data")
        rest = inflater.unused_data
    return bytes(out)
