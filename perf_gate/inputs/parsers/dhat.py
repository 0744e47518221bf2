"""dhat-rs / DHAT heap profiles (``dhat-heap.json``), validated against ``dhat-heap.schema.json``.

Summed over the program points: total bytes and blocks allocated, bytes at the global
peak (``gb``, at ``t-gmax``) and bytes still live at exit (``eb``, at ``t-end``). All are
allocation patterns, judged against the baseline under the memory tolerance.
"""

from __future__ import annotations

from perf_gate.core.model import ParseResult
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import Sniff, leak_metric, one_file, validate_or_raise


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

        measures = [
            ("total bytes", total("tb"), "bytes"),
            ("total blocks", total("tbk"), "blocks"),
        ]
        if all("gb" in pp for pp in pps):
            measures.append(("bytes at peak", total("gb"), "bytes"))
        if all("eb" in pp for pp in pps):
            measures.append(("bytes live at exit", total("eb"), "bytes"))
            measures.append(("blocks live at exit", total("ebk"), "blocks"))
        metrics = [
            leak_metric(sniff, self.name, f"{prefix}: {label}", value, unit, lost=False)
            for label, value, unit in measures
        ]
        return one_file(sniff, self.name, metrics)


register(Dhat(), priority=10)
