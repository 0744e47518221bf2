"""dhat-rs / DHAT heap profiles (``dhat-heap.json``), validated against ``dhat-heap.schema.json``.

Summed over the program points: total bytes and blocks allocated, bytes at the global
peak (``gb``, at ``t-gmax``) and bytes still live at exit (``eb``, at ``t-end``). All are
allocation patterns: totals and the peak are judged against the baseline under the
memory tolerance; what is still live at exit is shown (dhat-rs programs often keep
statics alive), not judged.
"""

from __future__ import annotations

from perf_gate.core.model import ParseResult
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import (
    LeakRule,
    Sniff,
    leak_metric,
    one_file,
    validate_or_raise,
)


class Dhat:
    name = "dhat-heap"
    description = "dhat-rs / DHAT heap profile: dhat-heap.json"
    schema: str | None = "dhat-heap.schema.json"

    def detect(self, sniff: Sniff) -> bool:
        doc = sniff.json
        return isinstance(doc, dict) and "dhatFileVersion" in doc

    def parse(self, sniff: Sniff) -> ParseResult:
        doc = sniff.json_or_error()
        validate_or_raise(sniff, doc, "dhat-heap.schema.json")
        pps = doc["pps"]
        command = str(doc.get("cmd") or sniff.path.name)
        prefix = f"dhat {command}"

        def total(key: str) -> int:
            return sum(int(pp.get(key, 0)) for pp in pps)

        measures: list[tuple[str, int, str, LeakRule]] = [
            ("total bytes", total("tb"), "bytes", "baseline"),
            ("total blocks", total("tbk"), "blocks", "baseline"),
        ]
        if all("gb" in pp for pp in pps):
            measures.append(("bytes at peak", total("gb"), "bytes", "baseline"))
        if all("eb" in pp for pp in pps):
            measures.append(("bytes live at exit", total("eb"), "bytes", "report"))
            measures.append(("blocks live at exit", total("ebk"), "blocks", "report"))
        metrics = [
            leak_metric(sniff, self.name, f"{prefix}: {label}", value, unit, rule)
            for label, value, unit, rule in measures
        ]
        return one_file(sniff, self.name, metrics)


register(Dhat(), priority=10)
