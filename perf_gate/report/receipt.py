"""The JSON receipt (``perf-receipt.json``): the audit trail of one gate decision."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any, Literal, Protocol

from perf_gate import __version__
from perf_gate.core.model import Finding, InputFile
from perf_gate.judge.decide import Decision
from perf_gate.judge.verdict import Row
from perf_gate.report.evidence import Evidence, display_name
from perf_gate.schemas import validate

SCHEMA_VERSION = "1.0.0"


class Cells(Protocol):
    """The summary's formatted cells of a row (:class:`perf_gate.report.render.TableRow`)."""

    @property
    def metric(self) -> str: ...
    @property
    def threshold(self) -> str: ...


def _round(value: float | None, digits: Literal[4, 6] = 6) -> float | None:
    """``value`` to ``digits`` (6 or 4) significant figures; a literal format spec formats
    twice as fast as one built per call, and 10,000 metrics round 50,000 values."""
    if value is None:
        return None
    return float(f"{value:.6g}") if digits == 6 else float(f"{value:.4g}")


def metric_entry(row: Row, cells: Cells | None = None) -> dict[str, Any]:
    """``cells``: the row's table cells when the caller has them (its display name and
    threshold are the same strings)."""
    metric = row.metric
    entry: dict[str, Any] = {
        "name": metric.name,
        "label": metric.label,
        "display": display_name(row) if cells is None else cells.metric,
        "kind": metric.kind.value,
        "unit": metric.unit,
        "device": metric.device,
        "direction": row.threshold.direction,
        "baseline": _round(row.baseline.value) if row.baseline else None,
        "current": _round(row.current.value) if row.current else None,
        "delta_pct": _round(row.delta_pct, 4),
        "threshold": row.threshold.describe() if cells is None else cells.threshold,
        "status": row.status.value,
        "explanation": row.explanation,
        "method": row.method,
        "improvement": row.improvement,
        "interval_pct": [_round(x, 4) for x in row.interval_pct] if row.interval_pct else None,
        "source": metric.source,
    }
    counts = {  # a side may keep its samples' summary only (a baseline store's history)
        side: m.sample_count
        for side, m in (("baseline", row.baseline), ("current", row.current))
        if m is not None and m.sample_count
    }
    if counts:
        entry["samples"] = counts
    return entry


def build_receipt(
    *,
    gate_name: str,
    decision: Decision,
    evidence: Evidence,
    rows: list[Row],
    findings: tuple[Finding, ...],
    inputs: tuple[InputFile, ...],
    artifacts: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
    table: Sequence[Cells] | None = None,
) -> dict[str, Any]:
    """``table``: the summary's cells of ``rows``, in the same order, when already made."""
    created = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    receipt: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "perf-gate", "version": __version__},
        "created_at": created.isoformat().replace("+00:00", "Z"),
        "gate": {
            "name": gate_name,
            "status": decision.status,
            "conclusion": decision.conclusion,
            "summary": evidence.gate_line,
            "reason": decision.reason,
        },
        "route": {"next": decision.route, "reason": decision.route_reason},
        "metrics": (
            [metric_entry(row) for row in rows]
            if table is None
            else [metric_entry(row, cells) for row, cells in zip(rows, table, strict=True)]
        ),
        "findings": [
            {"source": f.source, "message": f.message, "severity": f.severity, "code": f.code}
            for f in findings
        ],
        "evidence": {
            "perf": evidence.perf,
            "lines": list(evidence.lines),
            "ledger": evidence.ledger,
            "chain": {
                "method": evidence.method,
                "result": evidence.result,
                "reason": evidence.reason,
            },
            **{
                k: v
                for k, v in (
                    ("inference", evidence.inference),
                    ("quantization", evidence.quantization),
                    ("crossval", evidence.crossval),
                )
                if v
            },
        },
        "counts": decision.counts,
        "inputs": [
            {"path": f.path, "format": f.format, "sha256": f.sha256, "role": f.role} for f in inputs
        ],
        "artifacts": artifacts or [],
    }
    receipt.update(extra or {})
    validate(receipt, "perf-receipt.schema.json")
    return receipt


_ONE_PER_LINE = ("metrics", "inputs")
# One encoder for every entry: json.dumps makes a new one per call (a fifth of the time
# for 10,000 metrics); no cycle check, the receipt is plain data built above.
_ENTRY = json.JSONEncoder(ensure_ascii=False, check_circular=False)
# And its C encoder made once: JSONEncoder.encode builds one per call (10,000 metrics:
# 0.133 -> 0.078 s, the same text; tests/unit/test_large_input_paths.py compares them).
_MAKE_C_ENCODER: Callable[..., Callable[[Any, int], Sequence[str]]] | None = getattr(
    json.encoder, "c_make_encoder", None
)
_C_ENTRY = (
    _MAKE_C_ENCODER(
        None,  # markers: no cycle check, as above
        _ENTRY.default,
        json.encoder.encode_basestring,  # what ensure_ascii=False encodes strings with
        None,  # no indent
        _ENTRY.key_separator,
        _ENTRY.item_separator,
        False,  # sort_keys
        False,  # skipkeys
        True,  # allow_nan
    )
    if _MAKE_C_ENCODER is not None
    else None
)


def _entries(entries: list[Any]) -> str:
    """Each entry as compact one-line JSON (``_ENTRY.encode``), joined for the receipt."""
    if _C_ENTRY is None:
        return ",\n    ".join([_ENTRY.encode(e) for e in entries])
    encode = _C_ENTRY
    return ",\n    ".join(["".join(encode(e, 0)) for e in entries])


def dumps(receipt: dict[str, Any]) -> bytes:
    """The receipt as indented JSON in UTF-8, with each entry of its long lists on one line.

    ``json.dumps(indent=...)`` runs Python's pure-Python encoder, which for a suite of
    10,000 metrics costs more than judging it; the compact entries use the C encoder,
    and the text is joined once (a receipt of 60,000 input files is 20 MB). Bytes, not
    text: one "µ" makes a Python string 2 bytes a character, so the 20 MB receipt held
    40 MB as a string (and as much again while joined) at the run's peak memory.
    """
    head = {k: ([] if k in _ONE_PER_LINE else v) for k, v in receipt.items()}
    rest = json.dumps(head, indent=2, ensure_ascii=False)
    parts: list[bytes] = []
    for key in [k for k in receipt if k in _ONE_PER_LINE]:  # in the order the text has them
        entries = receipt[key]
        empty = f'\n  "{key}": []'
        if not entries or empty not in rest:
            continue
        before, _, rest = rest.partition(empty)
        parts += [before.encode(), f'\n  "{key}": [\n    '.encode()]
        parts.append(_entries(entries).encode())
        parts.append(b"\n  ]")
    parts += [rest.encode(), b"\n"]
    return b"".join(parts)
