"""The A/B evaluation harness runs and keeps its headline: A/B holds under drift."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ab_catches_slowdowns_without_false_alarms_under_drift() -> None:
    spec = importlib.util.spec_from_file_location(
        "evaluate_ab", ROOT / "benchmarks" / "evaluate_ab.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["evaluate_ab"] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules["evaluate_ab"]
    results = module.evaluate(trials=6, seed=3)
    for scenario in ("even", "uneven"):
        ab = results[scenario]["ab"]
        assert ab["0%"].false_alarm == 0.0
        assert ab["20%"].detection == 1.0
    table = module.render(results, 6)
    assert "| uneven | ab | 0.0% |" in table
