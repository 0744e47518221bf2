"""gungraun (formerly iai-callgrind) text output: instruction counts under Valgrind.

``cargo bench`` with gungraun prints, per benchmark, its id (``module::group::bench
id:args``) and indented ``Label: new|old (change)`` lines for callgrind
(``Instructions``, ``L1 Hits``, ``Estimated Cycles``...) and DHAT (``Total bytes``...).
Each line is ``<benchmark> <label>`` with the new value, a count, lower is better.
The count is exact (no noise), so any change is real.
"""

from __future__ import annotations

import math
import re

from perf_gate.core.model import Kind, Metric, ParseResult
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import Sniff, device_from_name, line_error, one_file

_HEADER = re.compile(r"^(?P<id>\S+::\S+(?: \S.*)?)$")
_SECTION = re.compile(r"^\s+=+ [A-Z]+ =+\s*$")
_VALUE = re.compile(
    r"^\s{2,}(?P<label>[A-Za-z][\w +/().-]*?):\s+(?P<value>\S+?)"
    r"(?:\|(?P<old>\S+))?(?:\s+[(\[].*)?\s*$"
)


class Gungraun:
    name = "gungraun"
    description = "cargo bench (gungraun / iai-callgrind benchmarks)"
    schema: str | None = None

    def detect(self, sniff: Sniff) -> bool:
        if sniff.json is not None:
            return False
        lines = sniff.lines
        return any(
            _HEADER.match(line)
            and i + 1 < len(lines)
            and (_SECTION.match(lines[i + 1]) or lines[i + 1].strip().startswith("Instructions:"))
            for i, line in enumerate(lines)
        )

    def parse(self, sniff: Sniff) -> ParseResult:
        source = str(sniff.path)
        device = device_from_name(sniff.path)
        metrics = []
        bench: str | None = None
        seen: set[str] = set()
        for lineno, line in enumerate(sniff.lines, start=1):
            if not line.strip() or _SECTION.match(line):
                continue
            if not line[0].isspace():
                found = _HEADER.match(line)
                bench = found.group("id") if found else None
                continue
            found = _VALUE.match(line)
            if bench is None or found is None:
                continue
            try:
                value = float(found.group("value"))
            except ValueError:
                value = math.nan
            if not (math.isfinite(value) and value >= 0):
                raise line_error(sniff, lineno, f"not a count: {found.group('value')!r}")
            name = f"{bench} {found.group('label')}"
            if name in seen:
                raise line_error(sniff, lineno, f"{name!r} is given twice")
            seen.add(name)
            metrics.append(
                Metric(
                    name,
                    value,
                    "count",
                    Kind.OTHER,
                    "lower",
                    device,
                    source=source,
                    format=self.name,
                )
            )
        return one_file(sniff, self.name, metrics)


register(Gungraun(), priority=15)
