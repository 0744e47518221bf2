"""Cross-validation parity as text: ``Rust vs C++: parity within 1e-5; 12/12 tests pass``.

The seed's crossval evidence line (also with its ``crossval:`` prefix), as a
cross-validation job prints or records it; other lines of the log are ignored. Each
such line is one parity metric: ``crossval parity`` (or ``crossval parity (LABEL)`` for
another label than ``Rust vs C++``) whose value is the percentage of tests that passed,
with ``passed`` (all of them) and the stated ``tolerance``. A line that mentions
``parity within`` but does not read this way is an error naming it.
"""

from __future__ import annotations

import re

from perf_gate.core.model import Kind, Metric, ParseResult
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import Sniff, device_from_name, line_error, one_file

_PARITY = re.compile(
    r"^\s*(?:crossval\s*:\s*)?(?:(?P<label>[^:;]+?)\s*:\s*)?parity within\s+"
    r"(?P<tolerance>[0-9.]+(?:[eE][-+]?[0-9]+)?)\s*[;,]\s*"
    r"(?P<passed>[0-9]+)\s*/\s*(?P<total>[0-9]+)\s+tests?\s+pass(?:ed)?\b",
    re.IGNORECASE,
)
_MENTION = re.compile(r"parity within", re.IGNORECASE)
_DEFAULT_LABEL = "rust vs c++"


class CrossvalText:
    name = "crossval-text"
    description = "crossval parity lines: `Rust vs C++: parity within 1e-5; 12/12 tests pass`"
    schema: str | None = None

    def detect(self, sniff: Sniff) -> bool:
        return sniff.json is None and any(_PARITY.match(line) for line in sniff.lines)

    def parse(self, sniff: Sniff) -> ParseResult:
        source = str(sniff.path)
        device = device_from_name(sniff.path)
        metrics = []
        seen: set[str] = set()
        for lineno, line in enumerate(sniff.lines, start=1):
            if not _MENTION.search(line):
                continue
            found = _PARITY.match(line)
            if found is None:
                raise line_error(
                    sniff, lineno, "expected `LABEL: parity within TOLERANCE; N/M tests pass`"
                )
            passed, total = int(found.group("passed")), int(found.group("total"))
            if total == 0 or passed > total:
                raise line_error(sniff, lineno, f"{passed}/{total} is not a count of tests")
            label = (found.group("label") or "").strip()
            name = "crossval parity"
            if label and label.lower() != _DEFAULT_LABEL:
                name = f"crossval parity ({label})"
            if name in seen:
                raise line_error(sniff, lineno, f"{name!r} is given twice")
            seen.add(name)
            metrics.append(
                Metric(
                    name=name,
                    value=passed / total * 100.0,
                    unit="%",
                    kind=Kind.PARITY,
                    direction="higher",
                    device=device,
                    passed=passed == total,
                    tolerance=float(found.group("tolerance")),
                    source=source,
                    format=self.name,
                    meta=(("tests_passed", str(passed)), ("tests_total", str(total))),
                )
            )
        return one_file(sniff, self.name, metrics)


register(CrossvalText(), priority=15)
