"""Small valid receipts, events and environments for the GitHub tests."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema

from perf_gate.github.client import RetryPolicy
from perf_gate.schemas import load_schema

REPO = "octo/bitnet"
TOKEN = "ghs_testtoken0123456789"
HEAD_SHA = "1" * 40
MERGE_SHA = "9" * 40
PR = 7
FAST = RetryPolicy(
    attempts=4,
    base_delay=0.001,
    max_delay=0.004,
    max_total_wait=120.0,
    secondary_default_wait=0.01,
    write_spacing=0.0,
    timeout=5.0,
)


def metric(label: str, status: str, delta: float | None = 2.0, **extra: Any) -> dict[str, Any]:
    entry = {
        "name": label.lower().replace(" ", "_"),
        "label": label,
        "kind": "inference",
        "unit": "tok/s",
        "device": "cpu",
        "direction": "higher",
        "baseline": 44.3,
        "current": 45.2,
        "delta_pct": delta,
        "threshold": "±5%",
        "status": status,
        "explanation": f"{label} is {status}",
        "method": "relative",
    }
    entry.update(extra)
    return entry


def receipt(
    status: str = "pass",
    *,
    metrics: list[dict[str, Any]] | None = None,
    gate_name: str = "review:gate:perf",
    route: str = "review-docs-reviewer",
    reason: str = "comprehensive_validation",
    ledger: str = "Δ ≤ threshold; inference: 45.2 tok/s (+2%); quantization: I2S 99.8%",
) -> dict[str, Any]:
    conclusion = {"pass": "success", "fail": "failure", "skipped": "neutral"}[status]
    data = {
        "schema_version": "1.0.0",
        "tool": {"name": "perf-gate", "version": "0.1.0"},
        "created_at": "2025-01-02T03:04:05Z",
        "gate": {
            "name": gate_name,
            "status": status,
            "conclusion": conclusion,
            "summary": f"{gate_name} = {status} (inference: Δ+2%; quantization: all ≥99%)",
            "reason": reason,
        },
        "route": {"next": route, "reason": "all metrics within thresholds"},
        "metrics": metrics if metrics is not None else [metric("CPU Inference", "pass")],
        "findings": [],
        "evidence": {
            "perf": "perf: Δ ≤ threshold",
            "lines": ["perf: Δ ≤ threshold", "inference: 45.2 tokens/sec; Δ vs baseline: +2%"],
            "ledger": ledger,
            "chain": {"method": "xtask_benchmark", "result": "cpu_45.2tok/s", "reason": reason},
        },
        "counts": {"pass": 1},
        "inputs": [],
        "artifacts": [{"path": "perf-summary.md", "kind": "summary"}],
    }
    jsonschema.validate(data, load_schema("perf-receipt.schema.json"))
    return copy.deepcopy(data)


REPORT = """## Performance Validation Summary

**review:gate:perf = pass (inference: Δ+2%; quantization: all ≥99%)**

| Metric | Baseline | Current | Delta | Threshold | Status |
|--------|----------|---------|-------|-----------|--------|
| CPU Inference | 44.3 tok/s | 45.2 tok/s | +2.0% | ±5% | ✅ PASS |
"""


def pull_request_event(
    number: int = PR,
    head_sha: str = HEAD_SHA,
    *,
    repo: str = REPO,
    head_repo: str | None = None,
    head_ref: str = "feature",
) -> dict[str, Any]:
    head_full = head_repo or repo
    return {
        "action": "synchronize",
        "number": number,
        "pull_request": {
            "number": number,
            "head": {
                "sha": head_sha,
                "ref": head_ref,
                "repo": {"full_name": head_full, "fork": head_full != repo},
            },
            "base": {"ref": "main", "sha": "b" * 40, "repo": {"full_name": repo}},
            "merge_commit_sha": MERGE_SHA,
        },
    }


def workflow_run_event(
    head_sha: str = HEAD_SHA,
    *,
    repo: str = REPO,
    head_repo: str = "forker/bitnet",
    head_branch: str = "feature",
    pull_requests: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "action": "completed",
        "workflow_run": {
            "id": 555,
            "head_sha": head_sha,
            "head_branch": head_branch,
            "head_repository": {
                "full_name": head_repo,
                "owner": {"login": head_repo.split("/")[0]},
            },
            "pull_requests": pull_requests or [],
            "conclusion": "success",
        },
    }


def write_event(tmp_path: Path, event: dict[str, Any], name: str = "event.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(event), encoding="utf-8")
    return path


def environ(
    base_url: str,
    event_path: Path | None,
    *,
    event_name: str = "pull_request",
    token: str = TOKEN,
    summary: Path | None = None,
    **extra: str,
) -> dict[str, str]:
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_API_URL": base_url,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_SHA": MERGE_SHA,
        "GITHUB_RUN_ID": "4242",
        "GITHUB_TOKEN": token,
    }
    if event_path is not None:
        env["GITHUB_EVENT_PATH"] = str(event_path)
    if summary is not None:
        env["GITHUB_STEP_SUMMARY"] = str(summary)
    env.update(extra)
    return env
