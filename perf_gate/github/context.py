"""Where publishing happens: repository, commit, pull request and token, as one frozen value.

The entry points build it from the environment (``perf_gate/environment.py``) and pass it
down; this module only defines it and reads the event payload, one converter per field,
each saying clearly what is wrong. The token is in the context but never in its ``repr``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from perf_gate.core.config import DEFAULT_GATE_NAME
from perf_gate.core.errors import PublishError

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_SERVER_URL = "https://github.com"
PR_EVENTS = frozenset({"pull_request", "pull_request_target"})
READ_ONLY_ACTORS = frozenset({"dependabot[bot]"})
"""Actors whose ``pull_request`` runs get a read-only token, as forks do."""


@dataclass(frozen=True)
class HeadLookup:
    """A pull request still to be found through the API (``workflow_run`` from a fork).

    ``label`` is ``owner:branch`` as ``GET /pulls?head=`` wants it.
    """

    label: str
    head_sha: str


@dataclass(frozen=True)
class GitHubContext:
    """Everything publishing needs to know about the repository, commit and pull request."""

    repository: str
    token: str = field(repr=False)
    api_url: str = DEFAULT_API_URL
    server_url: str = DEFAULT_SERVER_URL
    event_name: str = ""
    head_sha: str = ""
    pr_number: int | None = None
    run_id: str | None = None
    run_attempt: str | None = None
    gate_name: str = DEFAULT_GATE_NAME
    read_only_token: bool = False
    """The event hands out a read-only token (a ``pull_request`` run for a fork or for
    Dependabot): a 403 then means exactly that, not a missing permission."""
    head_lookup: HeadLookup | None = None
    pr_claimed: bool = False
    """The pull request number was not taken from GitHub's own event (``pull_request``,
    ``workflow_run``) but given (``--pr-number``, the ``pr-number`` input, an uploaded
    event): it is used only when the PR's head is the benchmarked commit."""
    step_summary: Path | None = None
    in_actions: bool = False
    workflow: str = ""
    workspace: str | None = None
    """Where the repository is checked out (``GITHUB_WORKSPACE``): annotation paths are
    made relative to it."""

    @property
    def owner(self) -> str:
        return self.repository.split("/", 1)[0]

    @property
    def repo(self) -> str:
        return self.repository.split("/", 1)[1]

    @property
    def repo_path(self) -> str:
        """``repos/{owner}/{repo}``, the prefix of every call."""
        return f"repos/{self.repository}"

    @property
    def run_url(self) -> str | None:
        if not self.run_id:
            return None
        return f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}"

    def with_pull(self, number: int, head_sha: str) -> GitHubContext:
        return replace(self, pr_number=number, head_sha=head_sha, head_lookup=None)


# -- reading the event, one converter per field ----------------------------------------


def pr_number_from(value: object, source: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip().lstrip("#"))
    except ValueError:
        raise PublishError(f"{source}: a pull request number, got {value!r}") from None
    if number <= 0:
        raise PublishError(f"{source}: a pull request number, got {value!r}")
    return number


def load_event(path: Path | None) -> dict[str, Any]:
    """The event payload, ``{}`` when there is none."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PublishError(f"cannot read the event file {path}: {exc}") from None
    if not isinstance(data, dict):
        raise PublishError(f"the event file {path} does not hold a JSON object")
    return data


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _full_name(repo: Any) -> str | None:
    name = _get(repo, "full_name")
    return name if isinstance(name, str) else None


@dataclass(frozen=True)
class Target:
    head_sha: str
    pr_number: int | None
    fork: bool
    head_lookup: HeadLookup | None
    claimed: bool = False


def _pull_request_target(pull: Mapping[str, Any], repository: str) -> Target:
    head_repo = _full_name(_get(pull, "head", "repo"))
    base_repo = _full_name(_get(pull, "base", "repo")) or repository
    return Target(
        head_sha=str(_get(pull, "head", "sha") or ""),
        pr_number=pr_number_from(pull.get("number"), "pull_request.number"),
        fork=head_repo is None or head_repo.lower() != base_repo.lower(),
        head_lookup=None,
    )


def _workflow_run_target(run: Mapping[str, Any], repository: str) -> Target:
    head_sha = str(run.get("head_sha") or "")
    head_repo = _full_name(run.get("head_repository"))
    fork = head_repo is not None and head_repo.lower() != repository.lower()
    for pull in run.get("pull_requests") or []:
        if _get(pull, "head", "sha") in (head_sha, None):
            number = pr_number_from(pull.get("number"), "workflow_run.pull_requests[].number")
            return Target(head_sha, number, fork, None)
    branch = run.get("head_branch")
    owner = _get(run, "head_repository", "owner", "login")
    lookup = None
    if isinstance(branch, str) and isinstance(owner, str) and branch:
        lookup = HeadLookup(label=f"{owner}:{branch}", head_sha=head_sha)
    return Target(head_sha, None, fork, lookup)


def target_from_event(event: Mapping[str, Any], sha: str, repository: str) -> Target:
    """Head sha and pull request of the event: the PR head, never the merge commit.

    ``sha`` is the workflow's commit (``GITHUB_SHA``), used for events without a PR."""
    pull = event.get("pull_request")
    if isinstance(pull, dict):
        return _pull_request_target(pull, repository)
    run = event.get("workflow_run")
    if isinstance(run, dict):
        return _workflow_run_target(run, repository)
    raw_inputs = event.get("inputs")
    inputs: Mapping[str, Any] = raw_inputs if isinstance(raw_inputs, dict) else {}
    number = None
    for key in ("pr-number", "pr_number", "pr", "pull_request", "pull-request"):
        number = pr_number_from(inputs.get(key), f"workflow_dispatch input {key}")
        if number is not None:
            break
    # With a pull request, GITHUB_SHA is the dispatched branch: the PR's head is looked up.
    return Target(
        head_sha="" if number is not None else sha,
        pr_number=number,
        fork=False,
        head_lookup=None,
        claimed=number is not None,
    )
