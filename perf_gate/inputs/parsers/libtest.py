"""``cargo test`` output: libtest's ``test result: ... finished in Ns`` lines, summed per suite.

Each ``Running <target> (<binary>)`` or ``Doc-tests <crate>`` line opens a suite; its
``test result:`` line must have libtest's exact shape (``test result: ok. 12 passed; 0
failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.52s``). Each suite becomes
``test time: <suite>`` (kind ``test_time``), plus ``test time (total)``; a suite whose
result is ``FAILED`` fails the gate (``tests-failed``).
"""

from __future__ import annotations

import re

from perf_gate.core.model import Finding, Kind, Metric, ParseResult
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import Sniff, line_error, one_file

_RESULT = re.compile(
    r"^test result: (?P<status>ok|FAILED)\. (?P<passed>\d+) passed; (?P<failed>\d+) failed; "
    r"\d+ ignored; \d+ measured; \d+ filtered out; finished in (?P<s>\d+(?:\.\d+)?)s$"
)
_RUNNING = re.compile(r"^Running (?P<target>.+?)(?: \((?P<binary>[^()]+)\))?$")
_DOC = re.compile(r"^Doc-tests (?P<crate>\S+)$")
_HASH = re.compile(r"-[0-9a-f]{8,}$")


class Libtest:
    name = "libtest"
    description = "cargo test 2>&1 | tee test.log (libtest's `test result:` lines)"
    schema: str | None = None

    def detect(self, sniff: Sniff) -> bool:
        if sniff.json is not None:
            return False
        lines = [line.strip() for line in sniff.lines]
        if any(" ... bench:" in line or line.startswith("time:") for line in lines):
            return False  # a cargo bench / criterion log: its results are benchmarks
        results = [_RESULT.match(line) for line in lines if line.startswith("test result:")]
        # a bench run's harness reports `0 passed`: only a log that ran tests is a test log
        return any(r is None or int(r["passed"]) + int(r["failed"]) > 0 for r in results)

    def parse(self, sniff: Sniff) -> ParseResult:
        source = str(sniff.path)
        suite = "tests"
        times: dict[str, float] = {}
        findings = []
        for lineno, raw in enumerate(sniff.lines, start=1):
            line = raw.strip()
            running, doc = _RUNNING.match(line), _DOC.match(line)
            if running is not None:
                binary = (running.group("binary") or "").rsplit("/", 1)[-1]
                crate = _HASH.sub("", binary)
                suite = f"{crate} {running.group('target')}".strip()
            elif doc is not None:
                suite = f"{doc.group('crate')} doc-tests"
            elif line.startswith("test result:"):
                found = _RESULT.match(line)
                if found is None:
                    raise line_error(sniff, lineno, f"malformed libtest result: {line!r}")
                times[suite] = times.get(suite, 0.0) + float(found.group("s"))
                if found.group("status") == "FAILED":
                    message = f"{suite}: {found.group('failed')} test(s) failed (line {lineno})"
                    findings.append(Finding(source, message, "fail", "tests-failed"))
        metrics = [
            Metric(
                f"test time: {name}",
                s * 1e9,
                "ns",
                Kind.TEST_TIME,
                "lower",
                source=source,
                format=self.name,
            )
            for name, s in times.items()
        ]
        if len(times) > 1:
            total = sum(times.values()) * 1e9
            metrics.append(
                Metric(
                    "test time (total)",
                    total,
                    "ns",
                    Kind.TEST_TIME,
                    "lower",
                    source=source,
                    format=self.name,
                )
            )
        return one_file(sniff, self.name, metrics, findings)


register(Libtest(), priority=9)
