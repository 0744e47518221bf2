"""A plain ``memory-usage.txt``: one ``name: value UNIT`` line per measurement.

The seed's memory receipt, written by whatever measured it (``peak_rss: 2150.4 MB``,
``model load: 1.2 GiB``, ``kv cache: 512 MiB``). Every line that is not blank or a
``#`` comment must have that shape, with a memory unit (B, KB, KiB, MB, MiB, GB,
GiB); the value is converted to MB and named as written, lower is better. A line whose
name mentions a leak (``leaked: 0 MB``) with a value above zero fails the gate.
"""

from __future__ import annotations

import re

from perf_gate.core.model import Finding, Kind, Metric, ParseResult
from perf_gate.core.units import is_memory_unit, to_mb
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import (
    Sniff,
    content_lines,
    device_from_name,
    line_error,
    one_file,
)

_LINE = re.compile(
    r"^\s*(?P<name>[^:#][^:]*?)\s*:\s*(?P<value>[0-9][0-9,_]*(?:\.[0-9]+)?)\s*(?P<unit>[A-Za-z]+)\s*$"
)


def _memory_line(line: str) -> re.Match[str] | None:
    found = _LINE.match(line)
    return found if found and is_memory_unit(found.group("unit")) else None


class MemoryText:
    name = "memory-usage"
    description = "memory-usage.txt: `name: value MB` lines (the seed's memory receipt)"
    schema: str | None = None

    def detect(self, sniff: Sniff) -> bool:
        if sniff.json is not None:
            return False
        content = content_lines(sniff)
        return bool(content) and _memory_line(content[0][1]) is not None

    def parse(self, sniff: Sniff) -> ParseResult:
        source = str(sniff.path)
        device = device_from_name(sniff.path)
        metrics = []
        findings = []
        seen: set[str] = set()
        for lineno, line in content_lines(sniff):
            found = _memory_line(line)
            if found is None:
                raise line_error(
                    sniff,
                    lineno,
                    f"expected `name: value UNIT` with a memory unit, got {line.strip()!r}",
                )
            name = found.group("name")
            if name in seen:
                raise line_error(sniff, lineno, f"{name!r} is given twice")
            seen.add(name)
            value = to_mb(
                float(found.group("value").replace(",", "").replace("_", "")), found.group("unit")
            )
            metrics.append(
                Metric(
                    name, value, "MB", Kind.MEMORY, "lower", device, source=source, format=self.name
                )
            )
            if "leak" in name.lower() and value > 0:
                findings.append(
                    Finding(
                        source,
                        f"memory leak: {name} is {value:g} MB (line {lineno})",
                        "fail",
                        "memory-leak",
                    )
                )
        return one_file(sniff, self.name, metrics, findings)


register(MemoryText(), priority=5)
