"""Quantization accuracy as text: ``I2S: 99.82%`` lines, or the seed's evidence line.

Each line that is not blank or a ``#`` comment is one or more ``NAME: VALUE%`` or
``NAME: pass|fail`` items, comma-separated; ``quantization: I2S: 99.8%, TL1: 99.7%,
TL2: 99.7% accuracy`` (the gate's own evidence grammar) reads too. A name without the
word accuracy gets it (``I2S`` → ``I2S accuracy``). A percentage is an accuracy metric
(unit ``%``, higher is better; the policy's floor is 99 %); ``pass``/``fail`` is a test
verdict (``passed``, value 1 or 0, no unit). The first line must be such a line; a later
line that is not is an error naming it.
"""

from __future__ import annotations

import re

from perf_gate.core.model import Kind, Metric, ParseResult
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import (
    Sniff,
    content_lines,
    device_from_name,
    line_error,
    one_file,
)

_ITEM = re.compile(
    r"^\s*(?P<name>[A-Za-z][\w .()/+-]*?)\s*[:=]\s*"
    r"(?:(?P<pct>[0-9]+(?:\.[0-9]+)?)\s*%|(?P<verdict>pass(?:ed)?|ok|fail(?:ed)?))"
    r"(?:\s+accuracy)?\s*$",
    re.IGNORECASE,
)
_PREFIX = re.compile(r"^\s*quantization\s*:\s*", re.IGNORECASE)


def _items(line: str) -> list[re.Match[str]] | None:
    """The accuracy items of one line, or None when any part is not one."""
    parts = _PREFIX.sub("", line).split(",")
    found = [_ITEM.match(part) for part in parts]
    if not all(found):
        return None
    return [m for m in found if m is not None]


def metric_name(name: str) -> str:
    """``I2S`` → ``I2S accuracy``; ``TL1 accuracy`` stays."""
    name = " ".join(name.split())
    return name if "accuracy" in name.lower() else f"{name} accuracy"


class AccuracyText:
    name = "accuracy-text"
    description = "quantization accuracy lines: `I2S: 99.82%` (or `TL1: pass`)"
    schema: str | None = None

    def detect(self, sniff: Sniff) -> bool:
        if sniff.json is not None:
            return False
        content = content_lines(sniff)
        return bool(content) and _items(content[0][1]) is not None

    def parse(self, sniff: Sniff) -> ParseResult:
        source = str(sniff.path)
        device = device_from_name(sniff.path)
        metrics = []
        seen: set[str] = set()
        for lineno, line in content_lines(sniff):
            items = _items(line)
            if items is None:
                raise line_error(
                    sniff,
                    lineno,
                    f"expected `NAME: VALUE%` or `NAME: pass|fail`, got {line.strip()!r}",
                )
            for item in items:
                name = metric_name(item.group("name"))
                if name in seen:
                    raise line_error(sniff, lineno, f"{name!r} is given twice")
                seen.add(name)
                verdict = item.group("verdict")
                passed = None if verdict is None else verdict.lower() in ("pass", "passed", "ok")
                value = float(item.group("pct")) if passed is None else float(passed)
                if value > 100:
                    raise line_error(sniff, lineno, f"accuracy {value:g}% is above 100%")
                metrics.append(
                    Metric(
                        name,
                        value,
                        "%" if passed is None else "",
                        Kind.ACCURACY,
                        "higher",
                        device,
                        passed=passed,
                        source=source,
                        format=self.name,
                    )
                )
        return one_file(sniff, self.name, metrics)


register(AccuracyText(), priority=5)
