"""LeakSanitizer / AddressSanitizer reports (``ASAN_OPTIONS=log_path=...`` or captured stderr).

A strict grammar over the report's own lines: ``ERROR: LeakSanitizer: detected memory
leaks``, one ``Direct leak of N byte(s) in M object(s) allocated from:`` or ``Indirect
leak of ...`` line per leak, and ``SUMMARY: AddressSanitizer: N byte(s) leaked in M
allocation(s).`` (``LeakSanitizer`` when run alone). The leak lines must add up to the
summary. Leaked bytes and allocations must be zero; any other sanitizer error
(``SUMMARY: AddressSanitizer: heap-use-after-free ...``) fails the gate as a finding.
"""

from __future__ import annotations

import re

from perf_gate.core.model import Finding, ParseResult
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import Sniff, leak_metric, line_error, one_file

_TOOL = r"(?:Address|Leak)Sanitizer"
_ERROR = re.compile(rf"^==\d+==ERROR: {_TOOL}: (?P<what>.+)$")
_SUMMARY = re.compile(rf"^SUMMARY: {_TOOL}: (?P<what>.+)$")
_LEAKED = re.compile(r"^(\d+) byte\(s\) leaked in (\d+) allocation\(s\)\.$")
_LEAK = re.compile(
    r"^(Direct|Indirect) leak of (\d+) byte\(s\) in (\d+) object\(s\) allocated from:$"
)


class Sanitizer:
    name = "sanitizer-leaks"
    description = "LeakSanitizer / AddressSanitizer report (ASAN_OPTIONS=log_path=asan.log)"
    schema: str | None = None

    def detect(self, sniff: Sniff) -> bool:
        if sniff.json is not None:
            return False
        return any(_ERROR.match(line) or _SUMMARY.match(line) for line in sniff.lines)

    def parse(self, sniff: Sniff) -> ParseResult:
        source = str(sniff.path)
        leaked = [0, 0]
        listed = [0, 0]
        reports = 0
        last_summary = 0
        findings = []
        for lineno, raw in enumerate(sniff.lines, start=1):
            line = raw.strip()
            leak = _LEAK.match(line)
            if leak is not None:
                listed[0] += int(leak.group(2))
                listed[1] += int(leak.group(3))
                continue
            if line.startswith("Direct leak") or line.startswith("Indirect leak"):
                raise line_error(sniff, lineno, f"malformed leak line: {line!r}")
            summary = _SUMMARY.match(line)
            if summary is None:
                continue
            what = summary.group("what")
            if "leaked in" in what:
                found = _LEAKED.match(what)
                if found is None:
                    raise line_error(sniff, lineno, f"malformed leak SUMMARY: {what!r}")
                leaked[0] += int(found.group(1))
                leaked[1] += int(found.group(2))
                reports += 1
                last_summary = lineno
            else:
                findings.append(
                    Finding(source, f"sanitizer error: {what}", "fail", "sanitizer-error")
                )
        detected = [
            lineno
            for lineno, line in enumerate(sniff.lines, start=1)
            if (m := _ERROR.match(line.strip())) and "detected memory leaks" in m.group("what")
        ]
        if detected and not reports:
            raise line_error(
                sniff, detected[-1], "a leak report without its SUMMARY line (truncated?)"
            )
        if listed != leaked:
            raise line_error(
                sniff,
                last_summary or len(sniff.lines),
                f"the leak lines add up to {listed[0]} byte(s) in {listed[1]} allocation(s), "
                f"the SUMMARY says {leaked[0]} in {leaked[1]}",
            )
        prefix = f"sanitizer {sniff.path.name}"
        metrics = [
            leak_metric(sniff, self.name, f"{prefix}: leaked", leaked[0], "bytes", "zero"),
            leak_metric(
                sniff, self.name, f"{prefix}: leaked allocations", leaked[1], "allocs", "zero"
            ),
        ]
        return one_file(sniff, self.name, metrics, findings)


register(Sanitizer(), priority=8)
