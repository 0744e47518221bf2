"""Where publishing happens: the Actions environment and event, as one frozen value.

One converter per field, like every settings object of a container action: each
reads the environment (and the event payload) and says clearly what is wrong.
The token is in the settings but never in their ``repr``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from perf_gate.core.config import DEFAULT_GATE_NAME
from perf_gate.core.errors import PublishError, TargetMismatch

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


# -- converters, one per field --------------------------------------------------------


def token_from(environ: Mapping[str, str]) -> str:
    """The action input ``github-token`` wins over ``GITHUB_TOKEN``."""
    for name in ("INPUT_GITHUB-TOKEN", "INPUT_GITHUB_TOKEN", "GITHUB_TOKEN"):
        value = environ.get(name, "").strip()
        if value:
            return value
    return ""


def github_available(environ: Mapping[str, str]) -> bool:
    """A repository and a token: enough to publish (else the CLI only writes files)."""
    return bool(environ.get("GITHUB_REPOSITORY", "").strip()) and bool(token_from(environ))


def api_context(environ: Mapping[str, str]) -> GitHubContext | None:
    """Repository, token and API URL alone: enough to read artifacts (no event needed).
    ``None`` without a repository or a token."""
    if not github_available(environ):
        return None
    return GitHubContext(
        repository=repository_from(environ),
        token=token_from(environ),
        api_url=url_from(environ, "GITHUB_API_URL", DEFAULT_API_URL),
    )


_RUN_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_RUN_SERVER = re.compile(r"https?://[^\s()<>\[\]]+")


def artifacts_url(environ: Mapping[str, str]) -> str | None:
    """The workflow run's page, where its artifacts are listed
    (``GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID#artifacts``);
    ``None`` outside Actions or when a part is not what GitHub sets, so that the URL
    can go into a Markdown link as it is."""
    server = environ.get("GITHUB_SERVER_URL", "").strip().rstrip("/") or DEFAULT_SERVER_URL
    repository = environ.get("GITHUB_REPOSITORY", "").strip()
    run_id = environ.get("GITHUB_RUN_ID", "").strip()
    if not (
        _RUN_SERVER.fullmatch(server)
        and _RUN_REPOSITORY.fullmatch(repository)
        and run_id.isascii()
        and run_id.isdigit()
    ):
        return None
    return f"{server}/{repository}/actions/runs/{run_id}#artifacts"


def repository_from(environ: Mapping[str, str]) -> str:
    value = environ.get("GITHUB_REPOSITORY", "").strip()
    owner, _, name = value.partition("/")
    if not owner or not name or "/" in name:
        raise PublishError(f"GITHUB_REPOSITORY must be owner/name, got {value!r}")
    return value


def url_from(environ: Mapping[str, str], name: str, default: str) -> str:
    value = environ.get(name, "").strip() or default
    if not value.startswith(("https://", "http://")):
        raise PublishError(f"{name} must be an http(s) URL, got {value!r}")
    return value.rstrip("/")


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
class _Target:
    head_sha: str
    pr_number: int | None
    fork: bool
    head_lookup: HeadLookup | None
    claimed: bool = False


def _pull_request_target(pull: Mapping[str, Any], repository: str) -> _Target:
    head_repo = _full_name(_get(pull, "head", "repo"))
    base_repo = _full_name(_get(pull, "base", "repo")) or repository
    return _Target(
        head_sha=str(_get(pull, "head", "sha") or ""),
        pr_number=pr_number_from(pull.get("number"), "pull_request.number"),
        fork=head_repo is None or head_repo.lower() != base_repo.lower(),
        head_lookup=None,
    )


def _workflow_run_target(run: Mapping[str, Any], repository: str) -> _Target:
    head_sha = str(run.get("head_sha") or "")
    head_repo = _full_name(run.get("head_repository"))
    fork = head_repo is not None and head_repo.lower() != repository.lower()
    for pull in run.get("pull_requests") or []:
        if _get(pull, "head", "sha") in (head_sha, None):
            number = pr_number_from(pull.get("number"), "workflow_run.pull_requests[].number")
            return _Target(head_sha, number, fork, None)
    branch = run.get("head_branch")
    owner = _get(run, "head_repository", "owner", "login")
    lookup = None
    if isinstance(branch, str) and isinstance(owner, str) and branch:
        lookup = HeadLookup(label=f"{owner}:{branch}", head_sha=head_sha)
    return _Target(head_sha, None, fork, lookup)


def target_from_event(
    event_name: str,
    event: Mapping[str, Any],
    environ: Mapping[str, str],
    repository: str,
) -> _Target:
    """Head sha and pull request of the event: the PR head, never the merge commit."""
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
    sha = "" if number is not None else environ.get("GITHUB_SHA", "")
    return _Target(
        head_sha=sha, pr_number=number, fork=False, head_lookup=None, claimed=number is not None
    )


def context_from_environment(
    environ: Mapping[str, str],
    *,
    event_path: Path | None = None,
    pr_number: int | None = None,
    head_sha: str | None = None,
    gate_name: str | None = None,
) -> GitHubContext:
    """Build the context from the Actions environment; explicit arguments win.

    ``event_path`` overrides ``GITHUB_EVENT_PATH``. For ``workflow_dispatch`` the
    pull request comes from ``pr_number`` (the action's ``pr-number`` input, passed by the
    entry point) or the event's ``pr-number`` input; its head sha is looked up later
    (``GITHUB_SHA`` is the dispatched branch, not the PR). Action inputs (``INPUT_*``) are
    the action's to read, never this module's.
    """
    repository = repository_from(environ)
    event_name = environ.get("GITHUB_EVENT_NAME", "").strip()
    if event_path is None and environ.get("GITHUB_EVENT_PATH"):
        event_path = Path(environ["GITHUB_EVENT_PATH"])
    event = load_event(event_path)
    target = target_from_event(event_name, event, environ, repository)
    run = event.get("workflow_run")
    if head_sha and isinstance(run, dict) and head_sha != run.get("head_sha"):
        raise TargetMismatch(
            f"head sha {head_sha[:12]} is not the head {str(run.get('head_sha'))[:12]} of the "
            "workflow run that triggered this one"
        )
    summary = environ.get("GITHUB_STEP_SUMMARY", "").strip()
    return GitHubContext(
        repository=repository,
        token=token_from(environ),
        api_url=url_from(environ, "GITHUB_API_URL", DEFAULT_API_URL),
        server_url=url_from(environ, "GITHUB_SERVER_URL", DEFAULT_SERVER_URL),
        event_name=event_name,
        head_sha=head_sha or target.head_sha,
        pr_number=pr_number if pr_number is not None else target.pr_number,
        run_id=environ.get("GITHUB_RUN_ID") or None,
        run_attempt=environ.get("GITHUB_RUN_ATTEMPT") or None,
        gate_name=gate_name or DEFAULT_GATE_NAME,
        read_only_token=event_name == "pull_request"
        and (target.fork or environ.get("GITHUB_ACTOR", "") in READ_ONLY_ACTORS),
        head_lookup=None if pr_number is not None else target.head_lookup,
        pr_claimed=pr_number is not None or target.claimed,
        step_summary=Path(summary) if summary else None,
        in_actions=environ.get("GITHUB_ACTIONS") == "true",
        workflow=environ.get("GITHUB_WORKFLOW", ""),
    )
