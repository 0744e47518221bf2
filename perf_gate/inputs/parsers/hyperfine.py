"""hyperfine ``--export-json``: one timing metric per command, ``times`` as raw samples."""

from __future__ import annotations

from typing import Any

from perf_gate.core.model import Finding, Kind, Metric, ParseResult
from perf_gate.core.units import to_ns
from perf_gate.inputs.parsers import register
from perf_gate.inputs.parsers.base import Sniff, finite, one_file, validate_or_raise


class Hyperfine:
    name = "hyperfine"
    description = "hyperfine --export-json results.json -- '<command>' ..."
    schema: str | None = "hyperfine.schema.json"

    def detect(self, sniff: Sniff) -> bool:
        doc = sniff.json
        if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
            return False
        if not doc["results"]:
            return set(doc) == {"results"}  # an empty hyperfine export: parse() says so
        first = doc["results"][0]
        return (
            isinstance(first, dict)
            and "command" in first
            and bool({"mean", "median", "times"} & first.keys())
        )

    def parse(self, sniff: Sniff) -> ParseResult:
        doc = sniff.json_or_error()
        validate_or_raise(sniff, doc, "hyperfine.schema.json")
        metrics = []
        findings = []
        for i, result in enumerate(doc["results"]):
            where = f"$.results[{i}]"
            times = result.get("times") or []
            samples = tuple(
                to_ns(finite(t, sniff, f"{where}.times[{j}]"), "s") for j, t in enumerate(times)
            )
            value = to_ns(finite(result.get("median", result["mean"]), sniff, where), "s")
            metrics.append(
                Metric(
                    name=str(result["command"]),
                    value=value,
                    unit="ns",
                    kind=Kind.TIMING,
                    direction="lower",
                    samples=samples,
                    source=str(sniff.path),
                    format=self.name,
                )
            )
            failed = _exit_problem(str(result["command"]), result.get("exit_codes") or [])
            if failed is not None:
                findings.append(Finding(str(sniff.path), failed, "fail", "command-failed"))
        return one_file(sniff, self.name, metrics, findings)


def _exit_problem(command: str, exit_codes: list[Any]) -> str | None:
    """Why the runs of ``command`` do not count (``hyperfine -i`` keeps failing runs), or None.

    ``null`` is a run killed by a signal.
    """
    bad = [code for code in exit_codes if code != 0]
    if not bad:
        return None
    codes = sorted({str(code) for code in bad if code is not None})
    how = [f"exit code{'s' if len(codes) > 1 else ''} {', '.join(codes)}"] if codes else []
    how += ["killed by a signal"] if None in bad else []
    return (
        f"{command!r} exited non-zero in {len(bad)} of {len(exit_codes)} runs "
        f"({'; '.join(how)}): its timings measure a failing command"
    )


register(Hyperfine())
