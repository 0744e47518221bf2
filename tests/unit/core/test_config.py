"""``.perf-gate.yml`` is fully typed: every section a dataclass, no raw YAML downstream."""

from __future__ import annotations

import dataclasses

import pytest

from perf_gate.core.config import (
    AbSection,
    BaselineSettings,
    Config,
    ConfirmSection,
    FallbackSection,
    HardwareSettings,
    config_from_mapping,
)
from perf_gate.core.errors import ConfigError
from perf_gate.core.model import Kind


def test_every_section_is_typed() -> None:
    config = config_from_mapping(
        {
            "mode": "ab",
            "baseline": {"path": "perf/b.json", "history": 7, "max_age_days": 30},
            "hardware": {"nvidia_smi": "/opt/smi", "compare": False},
            "ab": {"rounds": 3, "build": ["cargo", "build"]},
            "benchmarks": [{"name": "cpu", "command": "cargo bench", "timeout": "2m"}],
            "fallback": {"when": "always", "commands": [{"command": "cargo build"}]},
        }
    )
    assert config.mode == "ab"
    assert config.baseline == BaselineSettings(path="perf/b.json", history=7, max_age_days=30)
    assert config.hardware == HardwareSettings(nvidia_smi="/opt/smi", compare=False)
    assert config.ab == AbSection(rounds=3, build=("cargo", "build"))
    assert config.benchmarks[0].timeout == 120.0
    assert config.fallback.when == "always"
    assert config.fallback.commands[0].kind is Kind.BUILD_TIME
    assert config.fallback.commands[0].name == "build time"


def test_defaults_and_no_raw_document() -> None:
    config = config_from_mapping({})
    assert config.baseline.history == 5 and config.hardware.nvidia_smi == "nvidia-smi"
    assert config.fallback == FallbackSection() and config.benchmarks == ()
    assert "raw" not in {f.name for f in dataclasses.fields(Config)}


def test_confirm_section_rounds_and_budget() -> None:
    assert config_from_mapping({}).confirm == ConfirmSection(rounds=3, budget=120.0)
    config = config_from_mapping({"confirm": {"rounds": 2, "budget": "3m"}})
    assert config.confirm == ConfirmSection(rounds=2, budget=180.0)
    assert config_from_mapping({"confirm": {"rounds": 0}}).confirm.rounds == 0


@pytest.mark.parametrize(
    ("section", "words"),
    [({"rounds": -1}, "rounds"), ({"budget": "soon"}, "budget"), ({"budget": 0}, "budget")],
)
def test_bad_confirm_section_is_a_config_error(section: dict[str, object], words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"confirm": section}, "x.yml")
    assert "x.yml" in str(caught.value) and words in str(caught.value)
