"""``.perf-gate.yml``: read, validate against its schema (``config.schema.json``), fully typed.

Every section is a dataclass; nothing downstream reads the raw YAML. Over 400 lines because
each section (gate, policies, derived, benchmarks, fallback, A/B, baseline, hardware) has
its dataclass and its reader here, next to the one schema they follow."""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perf_gate.core.errors import ConfigError
from perf_gate.core.json_input import check_document
from perf_gate.core.limits import Limits
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
class DerivedRule:
    """One ``derived:`` entry: a ratio of two metrics with a floor and/or a tolerance.

    The ratio says how many times better the numerator is than the denominator: time over
    time is inverted (denominator / numerator), so ``floor: 2`` reads "twice as fast"."""

    numerator: str
    denominator: str
    name: str | None = None
    floor: float | None = None
    tolerance: float | None = None
    critical: bool = True


@dataclass(frozen=True)
class Config:
    gate_name: str = DEFAULT_GATE_NAME
    threshold: float | None = None  # default tolerance for metrics no policy names
    missing: str = "warn"
    alpha: float = 0.05
    routes: Routes = field(default_factory=Routes)
    gpu_expected: bool = False
    policies: tuple[PolicyRule, ...] = ()
    derived: tuple[DerivedRule, ...] = ()
    ci_timeout: float | None = None  # seconds: the CI job's timeout
    ci_timeout_share: float = 80.0  # percent of it a build or test time may take
    mode: str = "history"  # or "ab"
    baseline: BaselineSettings = field(default_factory=lambda: BaselineSettings())
    hardware: HardwareSettings = field(default_factory=lambda: HardwareSettings())
    ab: AbSection = field(default_factory=lambda: AbSection())
    confirm: ConfirmSection = field(default_factory=lambda: ConfirmSection())
    benchmarks: tuple[Benchmark, ...] = ()
    fallback: FallbackSection = field(default_factory=lambda: FallbackSection())
    limits: Limits = field(default_factory=Limits)
    path: str | None = None


# -- the sections `perf-gate run` and the baseline sources read -----------------------

DEFAULT_HISTORY = 5
DEFAULT_ROUNDS = 5
Command = str | tuple[str, ...]
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$")


def shown_command(command: Command) -> str:
    """A command as the job log and the manifest show it."""
    return command if isinstance(command, str) else " ".join(command)


@dataclass(frozen=True)
class BaselineSettings:
    """``baseline:``: where the baseline is looked for, and how much history is kept."""

    path: str | None = None
    artifact: str | None = None
    ref: str | None = None
    branch: str | None = None
    history: int = DEFAULT_HISTORY
    max_age_days: float | None = None


@dataclass(frozen=True)
class HardwareSettings:
    """``hardware:``: which ``nvidia-smi`` to ask, and whether differing hardware softens."""

    nvidia_smi: str = "nvidia-smi"
    compare: bool = True


DEFAULT_AB_CACHE = ".perf-gate-cache/ab-base"


@dataclass(frozen=True)
class AbSection:
    """``ab:``: the base ref (``None``: from the environment), rounds, build, worktree,
    and the folder that keeps the base side's build between runs (``""``: none)."""

    base: str | None = None
    rounds: int = DEFAULT_ROUNDS
    build: Command | None = None
    worktree: str | None = None
    cache: str = DEFAULT_AB_CACHE


DEFAULT_CONFIRM_ROUNDS = 3
DEFAULT_CONFIRM_BUDGET = 120.0


@dataclass(frozen=True)
class ConfirmSection:
    """``confirm:``: in A/B mode, the suspects of the first pass (beyond the tolerance but
    not clearly) get up to ``rounds`` more ``B A`` rounds within ``budget`` seconds."""

    rounds: int = DEFAULT_CONFIRM_ROUNDS
    budget: float = DEFAULT_CONFIRM_BUDGET


@dataclass(frozen=True)
class Benchmark:
    """One ``benchmarks:`` entry."""

    name: str
    command: Command
    device: Device = "cpu"
    timeout: float | None = None  # seconds
    log: str | None = None
    results: tuple[str, ...] = ()
    format: str | None = None
    env: tuple[tuple[str, str], ...] = ()
    workdir: str | None = None
    required: bool = True  # a failure fails the gate (else it only warns)
    memory: bool = True  # record the peak-memory metric
    artifacts: tuple[str, ...] = ()  # extra files (globs) to list as receipts
    # ``devices: {cpu: [globs], gpu: [globs]}``: the device of each result by its name,
    # so a mixed suite (a CPU test in a GPU pytest run) keeps honest labels.
    devices: tuple[tuple[Device, tuple[str, ...]], ...] = ()

    def device_of(self, metric_name: str) -> Device:
        """The device of a result named ``metric_name``: the first ``devices:`` glob that
        matches it, else the command's ``device``."""
        for device, patterns in self.devices:
            if any(fnmatch.fnmatchcase(metric_name, p) for p in patterns):
                return device
        return self.device

    @property
    def shown(self) -> str:
        return shown_command(self.command)

    def cwd(self, root: Path) -> Path:
        return root / self.workdir if self.workdir else root

    def log_path(self, output_dir: Path) -> Path:
        return Path(self.log) if self.log else output_dir / f"{self.name}.log"


@dataclass(frozen=True)
class FallbackCommand:
    name: str
    command: Command
    kind: Kind  # TEST_TIME or BUILD_TIME
    device: Device = "cpu"
    timeout: float | None = None
    log: str | None = None
    repeat: int = 1  # runs; with 5 or more the times are samples for the noise model


@dataclass(frozen=True)
class FallbackSection:
    """``fallback:``: timed build/test commands, and when they run."""

    when: str = "missing"
    commands: tuple[FallbackCommand, ...] = ()


def parse_duration(value: Any) -> float | None:
    """``600``, ``"90s"``, ``"30m"``, ``"2h"`` → seconds."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if match is None:
            raise ConfigError(f"not a duration: {value!r} (use seconds or 30s, 10m, 2h)")
        number, unit = float(match.group(1)), match.group(2) or "s"
        seconds = number * {"ms": 1e-3, "s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}[unit]
    if not (math.isfinite(seconds) and seconds > 0):
        raise ConfigError(f"a duration must be more than 0 seconds, not {value!r}")
    return seconds


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(str(v) for v in value)


def _command(value: Any) -> Command:
    return value if isinstance(value, str) else tuple(str(c) for c in value)


def benchmark_from_mapping(entry: Mapping[str, Any]) -> Benchmark:
    return Benchmark(
        name=str(entry["name"]),
        command=_command(entry["command"]),
        device=entry.get("device", "cpu"),
        timeout=parse_duration(entry.get("timeout")),
        log=entry.get("log"),
        results=_strings(entry.get("results")),
        format=entry.get("format"),
        env=tuple(sorted((str(k), str(v)) for k, v in entry.get("env", {}).items())),
        workdir=entry.get("workdir"),
        required=bool(entry.get("required", True)),
        memory=bool(entry.get("memory", True)),
        artifacts=_strings(entry.get("artifacts")),
        devices=tuple(
            (device, _strings(entry["devices"][device]))
            for device in ("cpu", "gpu")
            if device in entry.get("devices", {})
        ),
    )


def infer_kind(command: Command) -> Kind:
    """``cargo build`` times a build, anything else (``cargo test``, ``pytest``) a test run."""
    words = command.split() if isinstance(command, str) else list(command)
    return Kind.BUILD_TIME if "build" in words else Kind.TEST_TIME


def fallback_command_from_mapping(entry: Mapping[str, Any]) -> FallbackCommand:
    command = _command(entry["command"])
    kind = Kind(entry["kind"]) if "kind" in entry else infer_kind(command)
    if kind not in (Kind.TEST_TIME, Kind.BUILD_TIME):
        raise ConfigError(f"fallback kind must be test_time or build_time, not {kind.value}")
    default_name = "build time" if kind is Kind.BUILD_TIME else "test time"
    return FallbackCommand(
        name=str(entry.get("name", default_name)),
        command=command,
        kind=kind,
        device=entry.get("device", "cpu"),
        timeout=parse_duration(entry.get("timeout")),
        log=entry.get("log"),
        repeat=int(entry.get("repeat", 1)),
    )


def _fallback(raw: Any) -> FallbackSection:
    if raw is None:
        return FallbackSection()
    if isinstance(raw, list):
        entries, when = raw, "missing"
    else:
        entries, when = raw.get("commands", []), raw.get("when", "missing")
    return FallbackSection(when, tuple(fallback_command_from_mapping(e) for e in entries))


def _ab(raw: Mapping[str, Any]) -> AbSection:
    build = raw.get("build")
    return AbSection(
        base=str(raw["base"]) if raw.get("base") else None,
        rounds=int(raw.get("rounds", DEFAULT_ROUNDS)),
        build=None if build is None else _command(build),
        worktree=raw.get("worktree"),
        cache=str(raw.get("cache", DEFAULT_AB_CACHE)),
    )


def _confirm(raw: Mapping[str, Any]) -> ConfirmSection:
    budget = parse_duration(raw.get("budget"))
    return ConfirmSection(
        rounds=int(raw.get("rounds", DEFAULT_CONFIRM_ROUNDS)),
        budget=DEFAULT_CONFIRM_BUDGET if budget is None else budget,
    )


def _baseline(raw: Mapping[str, Any]) -> BaselineSettings:
    return BaselineSettings(
        path=raw.get("path"),
        artifact=raw.get("artifact"),
        ref=raw.get("ref"),
        branch=raw.get("branch"),
        history=int(raw.get("history", DEFAULT_HISTORY)),
        max_age_days=raw.get("max_age_days"),
    )


def _hardware(raw: Mapping[str, Any]) -> HardwareSettings:
    return HardwareSettings(
        nvidia_smi=str(raw.get("nvidia_smi", "nvidia-smi")), compare=bool(raw.get("compare", True))
    )


def _ceiling(value: Any) -> float | None:
    """A number as written, or a duration (``45m``) in nanoseconds, the unit of times."""
    if isinstance(value, str):
        seconds = parse_duration(value)
        return None if seconds is None else seconds * 1e9
    return value if value is None else float(value)


def _rule(entry: dict[str, Any]) -> PolicyRule:
    match = entry.get("match", ())
    return PolicyRule(
        match=(match,) if isinstance(match, str) else tuple(match),
        kind=Kind(entry["kind"]) if "kind" in entry else None,
        device=entry.get("device"),
        direction=entry.get("direction"),
        tolerance=entry.get("tolerance"),
        floor=entry.get("floor"),
        ceiling=_ceiling(entry.get("ceiling")),
        critical=entry.get("critical"),
        ignore=bool(entry.get("ignore", False)),
    )


def _derived(entry: dict[str, Any]) -> DerivedRule:
    return DerivedRule(
        numerator=str(entry["numerator"]),
        denominator=str(entry["denominator"]),
        name=entry.get("name"),
        floor=entry.get("floor"),
        tolerance=entry.get("tolerance"),
        critical=bool(entry.get("critical", True)),
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
        ci_timeout=parse_duration(gate.get("ci_timeout")),
        ci_timeout_share=float(gate.get("ci_timeout_share", 80.0)),
        routes=Routes(
            pass_=routes.get("pass", Routes.pass_),
            fail=routes.get("fail", Routes.fail),
            baseline_update=routes.get("baseline_update", Routes.baseline_update),
            hardware=routes.get("hardware", Routes.hardware),
        ),
        gpu_expected=bool(doc.get("gpu", {}).get("expected", False)),
        policies=tuple(_rule(entry) for entry in doc.get("policies", [])),
        derived=tuple(_derived(entry) for entry in doc.get("derived", [])),
        mode=str(doc.get("mode", "history")),
        baseline=_baseline(doc.get("baseline", {})),
        hardware=_hardware(doc.get("hardware", {})),
        ab=_ab(doc.get("ab", {})),
        confirm=_confirm(doc.get("confirm", {})),
        benchmarks=tuple(benchmark_from_mapping(e) for e in doc.get("benchmarks", [])),
        fallback=_fallback(doc.get("fallback")),
        limits=Limits(**doc.get("limits", {})),
        path=path,
    )


def load_config(path: Path | None) -> Config:
    """Read ``.perf-gate.yml``; ``None`` gives the defaults."""
    if path is None:
        return Config()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"not UTF-8 text (byte {exc.start}: {exc.reason})", path=str(path)
        ) from None
    except FileNotFoundError:
        raise ConfigError("config file not found", path=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read config: {exc.strerror}", path=str(path)) from None
    import yaml  # here: a finalize without a config file never needs it (14 ms at start-up)

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        problem = getattr(exc, "problem", None) or "malformed YAML"
        raise ConfigError(f"malformed YAML: {problem}", path=str(path), where=where) from None
    except RecursionError:
        raise ConfigError("YAML nested too deeply", path=str(path)) from None
    check_document(doc, str(path), ConfigError)
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise ConfigError("expected a mapping at the top level", path=str(path), where="$")
    return config_from_mapping(doc, str(path))
