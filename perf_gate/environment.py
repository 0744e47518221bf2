"""The process environment, read once: the runner's variables become typed values.

Only the entry points (``cli``, ``action``) import this module and hand its results down:
a :class:`~perf_gate.github.context.GitHubContext` (token, repository, pull request, head
sha, event, gate name, API URL, run), the token values to mask, and the variables that
benchmark commands inherit (without any token). Nothing below the entry points reads
``os.environ`` or an ``INPUT_*`` variable (``tests/unit/test_layers.py`` checks it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from perf_gate.core.config import DEFAULT_GATE_NAME
from perf_gate.core.errors import PublishError, TargetMismatch
from perf_gate.core.secrets import MIN_SECRET_CHARS

if TYPE_CHECKING:  # imported when a GitHub context is made: a local finalize never does
    from perf_gate.github.context import GitHubContext

# Variables that hold a token on a GitHub runner (INPUT_* as the runner spells inputs).
TOKEN_NAMES = (
    "INPUT_GITHUB-TOKEN",
    "INPUT_GITHUB_TOKEN",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "ACTIONS_RUNTIME_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
)


def token_from(environ: Mapping[str, str]) -> str:
    """The action input ``github-token`` wins over ``GITHUB_TOKEN``."""
    for name in ("INPUT_GITHUB-TOKEN", "INPUT_GITHUB_TOKEN", "GITHUB_TOKEN"):
        value = environ.get(name, "").strip()
        if value:
            return value
    return ""


def secrets_in(environ: Mapping[str, str]) -> list[str]:
    """The token values set in ``environ`` (to mask and redact)."""
    values = (environ.get(name, "").strip() for name in TOKEN_NAMES)
    return sorted({v for v in values if len(v) >= MIN_SECRET_CHARS})


def for_children(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables benchmark and build commands inherit: ``environ`` without the tokens."""
    return {name: value for name, value in environ.items() if name not in TOKEN_NAMES}


def github_available(environ: Mapping[str, str]) -> bool:
    """A repository and a token: enough to publish (else the CLI only writes files)."""
    return bool(environ.get("GITHUB_REPOSITORY", "").strip()) and bool(token_from(environ))


def api_context(environ: Mapping[str, str]) -> GitHubContext | None:
    """Repository, token and API URL alone: enough to read artifacts (no event needed).
    ``None`` without a repository or a token."""
    if not github_available(environ):
        return None
    from perf_gate.github.context import DEFAULT_API_URL, GitHubContext

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
    repository = environ.get("GITHUB_REPOSITORY", "").strip()
    run_id = environ.get("GITHUB_RUN_ID", "").strip()
    if not (repository and run_id):
        return None  # not in Actions
    from perf_gate.github.context import DEFAULT_SERVER_URL

    server = environ.get("GITHUB_SERVER_URL", "").strip().rstrip("/") or DEFAULT_SERVER_URL
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
    pull request comes from ``pr_number`` (``--pr-number``, or the action's ``pr-number``
    input) or the event's ``pr-number`` input; its head sha is looked up later
    (``GITHUB_SHA`` is the dispatched branch, not the PR). Action inputs other than the
    token are the action's to read and pass in as arguments.
    """
    from perf_gate.github.context import (
        DEFAULT_API_URL,
        DEFAULT_SERVER_URL,
        READ_ONLY_ACTORS,
        GitHubContext,
        load_event,
        target_from_event,
    )

    repository = repository_from(environ)
    event_name = environ.get("GITHUB_EVENT_NAME", "").strip()
    if event_path is None and environ.get("GITHUB_EVENT_PATH"):
        event_path = Path(environ["GITHUB_EVENT_PATH"])
    event = load_event(event_path)
    target = target_from_event(event, environ.get("GITHUB_SHA", ""), repository)
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
        in_actions=in_actions(environ),
        workflow=environ.get("GITHUB_WORKFLOW", ""),
        workspace=environ.get("GITHUB_WORKSPACE") or None,
    )


def in_actions(environ: Mapping[str, str]) -> bool:
    """Whether this runs in GitHub Actions (which folds ``::group::`` output)."""
    return environ.get("GITHUB_ACTIONS") == "true"


def gate_name_override(environ: Mapping[str, str]) -> str:
    """A check name set by the workflow (``PERF_GATE_NAME``, or a non-default ``gate-name``
    input); ``""`` when none is."""
    for key in ("PERF_GATE_NAME", "INPUT_GATE-NAME"):
        value = environ.get(key, "").strip()
        if value and value != DEFAULT_GATE_NAME:
            return value
    return ""


def workflow_run_trigger(environ: Mapping[str, str]) -> Callable[[str], GitHubContext]:
    """For ``perf-gate publish``: the receipt's (checked) gate name → the context of the
    triggering ``workflow_run``, with a name the workflow sets winning over the receipt's."""
    override = gate_name_override(environ)
    return lambda gate_name: workflow_run_context(environ, override or gate_name)


def workflow_run_context(environ: Mapping[str, str], gate_name: str) -> GitHubContext:
    """The context of ``perf-gate publish``: the triggering ``workflow_run`` only.

    The commit is ``workflow_run.head_sha`` and the pull request one GitHub lists for
    that run (or finds by its head branch). This workflow runs with the base
    repository's token, so a 403 is a real refusal, never a fork's read-only token.
    """
    if not environ.get("GITHUB_REPOSITORY"):
        raise PublishError("GITHUB_REPOSITORY is not set: run this inside GitHub Actions")
    from perf_gate.github.context import load_event

    trigger_path = environ.get("GITHUB_EVENT_PATH", "").strip()
    trigger = load_event(Path(trigger_path)) if trigger_path else {}
    run = trigger.get("workflow_run")
    if not isinstance(run, dict) or not str(run.get("head_sha") or ""):
        raise TargetMismatch(
            "perf-gate publish must run in a workflow triggered by workflow_run: only that "
            "event (workflow_run.head_sha) says which commit the results belong to"
        )
    env = {**environ, "GITHUB_EVENT_NAME": "workflow_run"}
    return replace(context_from_environment(env, gate_name=gate_name), read_only_token=False)
