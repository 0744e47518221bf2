"""``.perf-gate.yml``: read, validate against its schema (``config.schema.json``), and model."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from perf_gate.core.errors import ConfigError
from perf_gate.core.model import Device, Direction, Kind, Metric
from perf_gate.schemas import check_schema

DEFAULT_GATE_NAME = "review:gate:perf"


@dataclass(frozen=True)
class Routes:
    """Names of the agents or teams each outcome is routed to (the seed's defaults)."""

    pass_: str = "review-docs-reviewer"
    fail: str = "review-perf-fixer"
    baseline_update: str = "baseline-manager"
    hardware: str = "gpu-troubleshooter"


@dataclass(frozen=True)
class PolicyRule:
    """One ``policies:`` entry: which metrics it matches and what it sets."""

    match: tuple[str, ...] = ()
    kind: Kind | None = None
    device: Device | None = None
    direction: Direction | None = None
    tolerance: float | None = None
    floor: float | None = None
    ceiling: float | None = None
    critical: bool | None = None
    ignore: bool = False

    def matches(self, metric: Metric) -> bool:
        if self.kind is not None and metric.kind is not self.kind:
            return False
        if self.device is not None and metric.device != self.device:
            return False
        if self.match:
            names = (metric.name, metric.label)
            return any(fnmatch.fnmatchcase(n, pattern) for pattern in self.match for n in names)
        return True


@dataclass(frozen=True)
class Config:
    gate_name: str = DEFAULT_GATE_NAME
    threshold: float | None = None  # default tolerance for metrics no policy names
    missing: str = "warn"
    alpha: float = 0.05
    routes: Routes = field(default_factory=Routes)
    gpu_expected: bool = False
    policies: tuple[PolicyRule, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict)
    path: str | None = None


def _rule(entry: dict[str, Any]) -> PolicyRule:
    match = entry.get("match", ())
    return PolicyRule(
        match=(match,) if isinstance(match, str) else tuple(match),
        kind=Kind(entry["kind"]) if "kind" in entry else None,
        device=entry.get("device"),
        direction=entry.get("direction"),
        tolerance=entry.get("tolerance"),
        floor=entry.get("floor"),
        ceiling=entry.get("ceiling"),
        critical=entry.get("critical"),
        ignore=bool(entry.get("ignore", False)),
    )


def config_from_mapping(doc: dict[str, Any], path: str | None = None) -> Config:
    """Build a :class:`Config` from an already parsed document, validating it first."""
    check_schema(doc, "config.schema.json", path, ConfigError)
    gate = doc.get("gate", {})
    routes = doc.get("routes", {})
    return Config(
        gate_name=gate.get("name", DEFAULT_GATE_NAME),
        threshold=gate.get("threshold"),
        missing=gate.get("missing", "warn"),
        alpha=gate.get("alpha", 0.05),
        routes=Routes(
            pass_=routes.get("pass", Routes.pass_),
            fail=routes.get("fail", Routes.fail),
            baseline_update=routes.get("baseline_update", Routes.baseline_update),
            hardware=routes.get("hardware", Routes.hardware),
        ),
        gpu_expected=bool(doc.get("gpu", {}).get("expected", False)),
        policies=tuple(_rule(entry) for entry in doc.get("policies", [])),
        raw=doc,
        path=path,
    )


def load_config(path: Path | None) -> Config:
    """Read ``.perf-gate.yml``; ``None`` gives the defaults."""
    if path is None:
        return Config()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("config file not found", path=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read config: {exc.strerror}", path=str(path)) from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        problem = getattr(exc, "problem", None) or "malformed YAML"
        raise ConfigError(f"malformed YAML: {problem}", path=str(path), where=where) from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise ConfigError("expected a mapping at the top level", path=str(path), where="$")
    return config_from_mapping(doc, str(path))
