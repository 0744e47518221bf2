"""valgrind memcheck logs (``valgrind --leak-check=full --log-file=memcheck.log ...``).

A strict grammar over the ``==PID==`` lines (other lines, the program's own output when
stderr was captured together, are not read). Per process: the ``Command:`` line, the
``HEAP SUMMARY`` (``in use at exit``, ``total heap usage``) and either ``All heap blocks
were freed -- no leaks are possible`` or a ``LEAK SUMMARY`` with ``definitely lost``,
``indirectly lost`` and ``possibly lost``. Definitely lost bytes and blocks must be zero;
the others are allocation patterns, judged against the baseline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from perf_gate.core.model import Metric, ParseResult
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import Sniff, leak_metric, line_error, one_file

_PREFIX = re.compile(r"^==(?P<pid>\d+)== ?(?P<rest>.*)$")
_HEADER = "Memcheck, a memory error detector"
_NUMBER = r"[0-9][0-9,]*"
_IN_USE = re.compile(rf"^\s*in use at exit: ({_NUMBER}) bytes in ({_NUMBER}) blocks$")
_USAGE = re.compile(
    rf"^\s*total heap usage: ({_NUMBER}) allocs, ({_NUMBER}) frees, ({_NUMBER}) bytes allocated$"
)
_LOST = re.compile(
    rf"^\s*(definitely lost|indirectly lost|possibly lost|still reachable|suppressed): "
    rf"({_NUMBER}) bytes in ({_NUMBER}) blocks$"
)
_NO_LEAKS = "All heap blocks were freed -- no leaks are possible"


def _int(text: str) -> int:
    return int(text.replace(",", ""))


@dataclass
class _Process:
    pid: str
    first_line: int
    command: str = ""
    in_use: tuple[int, int] | None = None
    usage: tuple[int, int, int] | None = None
    freed_all: bool = False
    leak_summary: bool = False
    lost: dict[str, tuple[int, int]] = field(default_factory=dict)


class Valgrind:
    name = "valgrind-memcheck"
    description = "valgrind --leak-check=full --log-file=memcheck.log <program>"
    schema: str | None = None

    def detect(self, sniff: Sniff) -> bool:
        if sniff.json is not None:
            return False
        for line in sniff.lines[:50]:
            found = _PREFIX.match(line)
            if found and found.group("rest").strip() == _HEADER:
                return True
        return False

    def parse(self, sniff: Sniff) -> ParseResult:
        processes: dict[str, _Process] = {}
        for lineno, line in enumerate(sniff.lines, start=1):
            found = _PREFIX.match(line)
            if found is None:
                continue
            proc = processes.setdefault(found.group("pid"), _Process(found.group("pid"), lineno))
            _read_line(sniff, lineno, found.group("rest"), proc)
        metrics: list[Metric] = []
        names: set[str] = set()
        for proc in processes.values():
            metrics += self._metrics(sniff, proc, names)
        return one_file(sniff, self.name, metrics)

    def _metrics(self, sniff: Sniff, proc: _Process, names: set[str]) -> list[Metric]:
        where = f"process {proc.pid}"
        if proc.in_use is None or proc.usage is None:
            raise line_error(
                sniff,
                proc.first_line,
                f"{where} has no complete HEAP SUMMARY (did valgrind finish?)",
            )
        if not proc.freed_all and "definitely lost" not in proc.lost:
            raise line_error(
                sniff,
                proc.first_line,
                f"{where} has no LEAK SUMMARY with `definitely lost` "
                "(run with --leak-check=summary or full)",
            )
        prefix = f"valgrind {proc.command or 'process'}"
        while prefix in names:
            prefix += f" [{proc.pid}]"
        names.add(prefix)

        def lost(kind: str) -> tuple[int, int]:
            return proc.lost.get(kind, (0, 0))

        allocs, _frees, allocated = proc.usage
        return [
            leak_metric(
                sniff,
                self.name,
                f"{prefix}: definitely lost",
                lost("definitely lost")[0],
                "bytes",
                "zero",
            ),
            leak_metric(
                sniff,
                self.name,
                f"{prefix}: definitely lost blocks",
                lost("definitely lost")[1],
                "blocks",
                "zero",
            ),
            leak_metric(
                sniff,
                self.name,
                f"{prefix}: indirectly lost",
                lost("indirectly lost")[0],
                "bytes",
                "zero",
            ),
            leak_metric(
                sniff,
                self.name,
                f"{prefix}: possibly lost",
                lost("possibly lost")[0],
                "bytes",
                "report",
            ),
            leak_metric(
                sniff, self.name, f"{prefix}: in use at exit", proc.in_use[0], "bytes", "report"
            ),
            leak_metric(sniff, self.name, f"{prefix}: allocations", allocs, "allocs", "baseline"),
            leak_metric(
                sniff, self.name, f"{prefix}: bytes allocated", allocated, "bytes", "baseline"
            ),
        ]


def _read_line(sniff: Sniff, lineno: int, rest: str, proc: _Process) -> None:
    text = rest.strip()
    if text.startswith("Command:"):
        proc.command = text.removeprefix("Command:").strip()
    elif text == "HEAP SUMMARY:":
        proc.in_use = proc.usage = None
    elif text.startswith("in use at exit:"):
        found = _IN_USE.match(text)
        if found is None:
            raise line_error(sniff, lineno, f"malformed `in use at exit` line: {text!r}")
        proc.in_use = (_int(found.group(1)), _int(found.group(2)))
    elif text.startswith("total heap usage:"):
        usage = _USAGE.match(text)
        if usage is None:
            raise line_error(sniff, lineno, f"malformed `total heap usage` line: {text!r}")
        proc.usage = (_int(usage.group(1)), _int(usage.group(2)), _int(usage.group(3)))
    elif text == _NO_LEAKS:
        proc.freed_all = True
    elif text == "LEAK SUMMARY:":
        proc.leak_summary = True
        proc.lost = {}
    elif proc.leak_summary and text.split(":")[0] in (
        "definitely lost",
        "indirectly lost",
        "possibly lost",
        "still reachable",
        "suppressed",
    ):
        found = _LOST.match(text)
        if found is None:
            raise line_error(sniff, lineno, f"malformed LEAK SUMMARY line: {text!r}")
        if found.group(1) in proc.lost:
            raise line_error(sniff, lineno, f"{found.group(1)!r} is given twice")
        proc.lost[found.group(1)] = (_int(found.group(2)), _int(found.group(3)))


register(Valgrind(), priority=8)
