"""BitNet.rs ``ci/baseline.json``: ``{cpu: {<model>: {tok_s, rss_mb}}, gpu: {...}, metadata}``.

The committed reference numbers BitNet.rs's CI checks receipts against. Each model of
each device gives ``inference <model>`` (tok/s) and ``peak memory (inference) <model>``
(MB) on that device; the ``model_default`` entry, the one BitNet.rs falls back to for
a model it has no row for, is named as a receipt or an ``xtask benchmark`` report
names its numbers (``inference``, ``peak memory (inference)``), so that it pairs with
them when this file is the baseline.
"""

from __future__ import annotations

from typing import Any

from perf_gate.core.model import Device, Kind, Metric, ParseResult
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import Sniff, finite, one_file, validate_or_raise

_DEVICES: dict[str, Device] = {"cpu": "cpu", "gpu": "gpu", "cuda": "gpu"}
DEFAULT_MODEL = "model_default"


class BitnetBaseline:
    name = "bitnet-baseline"
    description = "BitNet.rs ci/baseline.json (committed reference tok/s and RSS per model)"
    schema: str | None = "bitnet-baseline.schema.json"

    def detect(self, sniff: Sniff) -> bool:
        doc = sniff.json
        if not isinstance(doc, dict):
            return False
        sections = [doc[k] for k in _DEVICES if isinstance(doc.get(k), dict)]
        return bool(sections) and all(
            isinstance(row, dict) and ("tok_s" in row or "rss_mb" in row)
            for section in sections
            for row in section.values()
        )

    def parse(self, sniff: Sniff) -> ParseResult:
        doc = sniff.json_or_error()
        validate_or_raise(sniff, doc, "bitnet-baseline.schema.json")
        metrics = []
        for section, device in _DEVICES.items():
            for model, row in (doc.get(section) or {}).items():
                metrics += self._metrics(sniff, section, device, model, row)
        return one_file(sniff, self.name, metrics)

    def _metrics(
        self, sniff: Sniff, section: str, device: Device, model: str, row: dict[str, Any]
    ) -> list[Metric]:
        suffix = "" if model == DEFAULT_MODEL else f" {model}"
        where = f"$.{section}.{model}"
        out = []
        for key, name, unit, kind in (
            ("tok_s", "inference", "tok/s", Kind.INFERENCE),
            ("rss_mb", "peak memory (inference)", "MB", Kind.MEMORY),
        ):
            if key in row:
                out.append(
                    Metric(
                        name=name + suffix,
                        value=finite(row[key], sniff, f"{where}.{key}"),
                        unit=unit,
                        kind=kind,
                        direction="higher" if kind is Kind.INFERENCE else "lower",
                        device=device,
                        source=str(sniff.path),
                        format=self.name,
                        meta=(("model", model),),
                    )
                )
        return out


register(BitnetBaseline(), priority=10)
