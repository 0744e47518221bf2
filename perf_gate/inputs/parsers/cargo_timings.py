"""``cargo build --timings`` reports (``target/cargo-timings/cargo-timing.html``).

Read strictly: the summary table's ``Total time:`` row (``28.4s``, ``123.4s (2m 3.4s)``)
gives ``build time (cargo --timings)``, kind ``build_time``; the ``const UNIT_DATA = [...]``
block must be JSON, and its slowest units (name, version, duration) go into the
explanation so a slower build says which crates to look at.
"""

from __future__ import annotations

import json
import re

from perf_gate.core.model import Kind, Metric, ParseResult
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import Sniff, line_error, one_file

_TOTAL = re.compile(
    r"^<td>Total time:</td><td>(?P<s>\d+(?:\.\d+)?)s(?: \(\d+m \d+(?:\.\d+)?s\))?</td>$"
)
_UNITS = re.compile(r"^const UNIT_DATA = (?P<rest>\[.*)$")
SLOWEST = 3


class CargoTimings:
    name = "cargo-timings"
    description = "cargo build --timings: target/cargo-timings/cargo-timing.html"
    schema: str | None = None

    def detect(self, sniff: Sniff) -> bool:
        if sniff.json is not None:
            return False  # an HTML page; a JSON file's text is never decoded to look
        head = sniff.text[:4000]
        return "<title>Cargo Build Timings" in head or (
            "summary-table" in sniff.text and "const UNIT_DATA" in sniff.text
        )

    def parse(self, sniff: Sniff) -> ParseResult:
        total: float | None = None
        units_at: int | None = None
        for lineno, raw in enumerate(sniff.lines, start=1):
            line = raw.strip()
            if line.startswith("<td>Total time:"):
                found = _TOTAL.match(line)
                if found is None:
                    raise line_error(sniff, lineno, f"malformed Total time row: {line[:80]!r}")
                total = float(found.group("s"))
            elif _UNITS.match(line):
                units_at = lineno
        if total is None:
            raise line_error(sniff, len(sniff.lines), "no `Total time:` row in the summary table")
        if units_at is None:
            raise line_error(sniff, len(sniff.lines), "no `const UNIT_DATA = [...]` block")
        units = _unit_data(sniff, units_at)
        slowest = sorted(units, key=lambda u: -u[1])[:SLOWEST]
        note = "slowest units: " + ", ".join(f"{n} {d:.1f}s" for n, d in slowest)
        metric = Metric(
            name="build time (cargo --timings)",
            value=total * 1e9,
            unit="ns",
            kind=Kind.BUILD_TIME,
            direction="lower",
            source=str(sniff.path),
            format=self.name,
            meta=(("note", note),) if slowest else (),
        )
        return one_file(sniff, self.name, [metric])


def _unit_data(sniff: Sniff, start: int) -> list[tuple[str, float]]:
    """``(name version, duration in s)`` of each unit of the ``UNIT_DATA`` JSON block."""
    lines = [sniff.lines[start - 1].split("=", 1)[1]]
    for line in sniff.lines[start:]:
        lines.append(line)
        if line.startswith("];"):
            break
    text = "\n".join(lines).strip().removesuffix(";")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise line_error(sniff, start, f"UNIT_DATA is not JSON: {exc}") from None
    if not isinstance(data, list):
        raise line_error(sniff, start, "UNIT_DATA is not a list")
    out = []
    for i, unit in enumerate(data):
        duration = unit.get("duration") if isinstance(unit, dict) else None
        if not isinstance(duration, (int, float)) or isinstance(duration, bool) or duration < 0:
            raise line_error(sniff, start, f"UNIT_DATA[{i}] has no duration in seconds")
        out.append((f"{unit.get('name', '?')} {unit.get('version', '')}".strip(), float(duration)))
    return out


register(CargoTimings(), priority=10)
