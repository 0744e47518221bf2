"""GNU ``/usr/bin/time -v`` output: peak memory and wall time of a command.

``/usr/bin/time -v target/release/bitnet-cli run ... 2> time.txt`` prints
``Maximum resident set size (kbytes): N`` (KiB) and ``Elapsed (wall clock) time
(h:mm:ss or m:ss): M:SS.ss`` among its fields, usually after the program's own stderr.
Each ``Command being timed`` block gives ``peak memory (<program>)`` (MB) and
``wall time (<program>)`` (ns), ``<program>`` being the command's executable (and the
cargo subcommand: ``cargo bench``). A non-zero ``Exit status`` or a command killed by a
signal is a finding that fails the gate.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import PurePath

from perf_gate.core.model import Finding, Kind, Metric, ParseResult
from perf_gate.core.units import to_mb, to_ns
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import Sniff, device_from_name, line_error, one_file

_COMMAND = re.compile(r'^\s*Command being timed:\s*"?(?P<command>.*?)"?\s*$')
_MAX_RSS = re.compile(r"^\s*Maximum resident set size \(kbytes\):\s*(?P<value>.*?)\s*$")
_ELAPSED = re.compile(r"^\s*Elapsed \(wall clock\) time \([^)]*\):\s*(?P<value>.*?)\s*$")
_EXIT = re.compile(r"^\s*Exit status:\s*(?P<value>.*?)\s*$")
_SIGNAL = re.compile(r"^\s*Command terminated by signal (?P<value>\d+)")
_CLOCK = re.compile(r"^(?:(?P<h>\d+):)?(?P<m>\d+):(?P<s>\d+(?:\.\d+)?)$")


@dataclass
class _Block:
    program: str
    rss_kib: float | None = None
    elapsed_s: float | None = None
    problems: list[str] = field(default_factory=list)


def program_of(command: str) -> str:
    """``"target/release/bitnet-cli run -m x"`` → ``bitnet-cli``; ``cargo bench ...`` →
    ``cargo bench``."""
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    if not words:
        return "command"
    program = PurePath(words[0]).name
    if program == "cargo":
        sub = next((w for w in words[1:] if not w.startswith(("-", "+"))), None)
        return f"cargo {sub}" if sub else program
    return program


def seconds(clock: str) -> float | None:
    """``1:02:03`` / ``0:13.12`` → seconds."""
    found = _CLOCK.match(clock)
    if found is None:
        return None
    return int(found.group("h") or 0) * 3600 + int(found.group("m")) * 60 + float(found.group("s"))


class GnuTime:
    name = "gnu-time"
    description = "/usr/bin/time -v COMMAND 2> time.txt"
    schema: str | None = None

    def detect(self, sniff: Sniff) -> bool:
        return sniff.json is None and any(_MAX_RSS.match(line) for line in sniff.lines)

    def parse(self, sniff: Sniff) -> ParseResult:
        blocks: list[_Block] = []
        killed: list[str] = []  # time prints this before the block of the command it ran
        for lineno, line in enumerate(sniff.lines, start=1):
            if found := _COMMAND.match(line):
                blocks.append(_Block(program_of(found.group("command")), problems=killed))
                killed = []
                continue
            if found := _SIGNAL.match(line):
                killed.append(f"was killed by signal {found.group('value')}")
                continue
            if not blocks and (_MAX_RSS.match(line) or _ELAPSED.match(line)):
                blocks.append(_Block("command", problems=killed))
                killed = []
            if found := _MAX_RSS.match(line):
                value = found.group("value")
                if not value.isdigit():
                    raise line_error(
                        sniff, lineno, f"maximum resident set size {value!r} is not kbytes"
                    )
                blocks[-1].rss_kib = float(value)
            elif found := _ELAPSED.match(line):
                elapsed = seconds(found.group("value"))
                if elapsed is None:
                    raise line_error(
                        sniff,
                        lineno,
                        f"elapsed time {found.group('value')!r} is not h:mm:ss or m:ss",
                    )
                blocks[-1].elapsed_s = elapsed
            elif (found := _EXIT.match(line)) and blocks and found.group("value") != "0":
                blocks[-1].problems.append(f"exited with status {found.group('value')}")
        return one_file(sniff, self.name, *self._results(sniff, blocks))

    def _results(self, sniff: Sniff, blocks: list[_Block]) -> tuple[list[Metric], list[Finding]]:
        source = str(sniff.path)
        device = device_from_name(sniff.path)
        metrics: list[Metric] = []
        findings: list[Finding] = []
        seen: dict[str, int] = {}
        for block in blocks:
            seen[block.program] = seen.get(block.program, 0) + 1
            label = (
                block.program
                if seen[block.program] == 1
                else f"{block.program} #{seen[block.program]}"
            )
            if block.rss_kib is not None:
                metrics.append(
                    Metric(
                        f"peak memory ({label})",
                        to_mb(block.rss_kib, "kib"),
                        "MB",
                        Kind.MEMORY,
                        "lower",
                        device,
                        source=source,
                        format=self.name,
                    )
                )
            if block.elapsed_s is not None:
                metrics.append(
                    Metric(
                        f"wall time ({label})",
                        to_ns(block.elapsed_s, "s"),
                        "ns",
                        Kind.TIMING,
                        "lower",
                        device,
                        source=source,
                        format=self.name,
                    )
                )
            findings += [
                Finding(source, f"{label} {problem}", "fail", "command-failed")
                for problem in block.problems
            ]
        return metrics, findings


register(GnuTime(), priority=20)
