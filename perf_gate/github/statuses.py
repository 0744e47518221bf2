"""The commit-status fallback, for tokens the Checks API refuses (personal access tokens).

A status with the gate's name as ``context`` replaces the previous one of that
context, so reruns need no lookup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from perf_gate.github import sanitize
from perf_gate.github.client import GitHubClient
from perf_gate.github.context import GitHubContext

DESCRIPTION_LIMIT = 140
STATES = {"pass": "success", "fail": "failure", "skipped": "success"}


@dataclass(frozen=True)
class StatusResult:
    context: str
    state: str
    url: str | None
    creator: str | None = None


def status_body(receipt: Mapping[str, Any], context: GitHubContext) -> dict[str, Any]:
    gate = receipt.get("gate") or {}
    status = str(gate.get("status") or "")
    description = str(gate.get("summary") or status)
    prefix = f"{context.gate_name} = "
    description = description.removeprefix(prefix)
    body: dict[str, Any] = {
        "state": STATES.get(status, "error"),
        "context": context.gate_name,
        "description": sanitize.one_line(description, limit=DESCRIPTION_LIMIT),
    }
    if context.run_url:
        body["target_url"] = context.run_url
    return body


def publish_status(
    client: GitHubClient, context: GitHubContext, receipt: Mapping[str, Any]
) -> StatusResult:
    body = status_body(receipt, context)
    data = client.post(f"{context.repo_path}/statuses/{context.head_sha}", body).data
    url = data.get("url") if isinstance(data, dict) else None
    creator = (data.get("creator") or {}).get("login") if isinstance(data, dict) else None
    return StatusResult(
        context=body["context"],
        state=body["state"],
        url=url,
        creator=creator if isinstance(creator, str) else None,
    )
