"""Baseline artifacts of earlier runs on the base branch, found and downloaded from GitHub.

``GET /repos/{o}/{r}/actions/artifacts?name=`` through the one :class:`GitHubClient`;
the zip too (:meth:`GitHubClient.download` follows GitHub's redirect without the token
on the storage host). :func:`artifact_source` gives :mod:`perf_gate.inputs.baseline.sources` a
fetcher without the inputs layer knowing about GitHub.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from perf_gate.core.config import DEFAULT_HISTORY
from perf_gate.core.errors import InputError
from perf_gate.github.context import GitHubContext
from perf_gate.inputs.baseline.sources import MAX_ZIP_BYTES, ArtifactSource, runs_from_zip
from perf_gate.inputs.baseline.store import StoredRun

if TYPE_CHECKING:  # the client is imported when an artifact is fetched, not by every finalize
    import requests

    from perf_gate.github.client import GitHubClient


def download_zip(client: GitHubClient, repo_path: str, artifact_id: int) -> bytes:
    """``GET .../actions/artifacts/{id}/zip`` through the client, which fetches the storage
    URL GitHub redirects to without the token; errors become one line about the artifact."""
    from perf_gate.github.client import GitHubError

    path = f"{repo_path}/actions/artifacts/{artifact_id}/zip"
    try:
        data = client.download(path, limit=MAX_ZIP_BYTES)
    except GitHubError as exc:
        if exc.status == 410:
            raise InputError(f"artifact {artifact_id} has expired (410 Gone)") from None
        raise InputError(f"artifact download: {exc}", path=path) from None
    if len(data) > MAX_ZIP_BYTES:
        raise InputError(f"artifact {artifact_id} is larger than {MAX_ZIP_BYTES >> 20} MiB")
    return data


def from_artifact(
    context: GitHubContext,
    name: str,
    branch: str | None,
    fmt: str | None,
    *,
    history: int = DEFAULT_HISTORY,
    session: requests.Session | None = None,
) -> tuple[list[StoredRun], str]:
    """The newest artifact ``name`` of successful runs on ``branch`` (and older ones as
    history, up to ``history`` runs). Returns (runs oldest first, what was found)."""
    if session is not None:
        return _from_artifact(context, session, name, branch, fmt, history)
    import requests  # here, not at start-up: a finalize without artifacts never needs it

    with requests.Session() as own:
        return _from_artifact(context, own, name, branch, fmt, history)


def _from_artifact(
    context: GitHubContext,
    session: requests.Session,
    name: str,
    branch: str | None,
    fmt: str | None,
    history: int,
) -> tuple[list[StoredRun], str]:
    from perf_gate.github.client import GitHubClient, RetryPolicy

    client = GitHubClient(
        session,
        context.api_url,
        context.token,
        policy=RetryPolicy(attempts=3, base_delay=0.5, max_total_wait=30.0),
    )
    repo = context.repo_path
    if not branch:
        branch = str(client.get(repo).data.get("default_branch") or "main")
    candidates = []
    expired = 0
    for item in client.paginate(f"{repo}/actions/artifacts", {"name": name}):
        if item.get("name") != name:
            continue
        if item.get("expired"):
            expired += 1
            continue
        if (item.get("workflow_run") or {}).get("head_branch") != branch:
            continue
        candidates.append(item)
        if len(candidates) >= 100:
            break
    candidates.sort(key=lambda a: str(a.get("created_at", "")), reverse=True)
    conclusions: dict[int, str] = {}
    runs: list[StoredRun] = []
    for item in candidates:
        run_id = int(item["workflow_run"]["id"])
        if run_id not in conclusions:
            run = client.get(f"{repo}/actions/runs/{run_id}").data
            conclusions[run_id] = str(run.get("conclusion") or run.get("status") or "")
        if conclusions[run_id] != "success":
            continue
        label = f"artifact {name} (run {run_id})"
        found = runs_from_zip(download_zip(client, repo, int(item["id"])), fmt, label)
        newest = found[-1]
        found[-1] = replace(
            newest,
            commit=newest.commit or item["workflow_run"].get("head_sha", ""),
            branch=newest.branch or branch,
            created_at=newest.created_at or str(item.get("created_at", "")),
        )
        runs = found + runs
        if len(found) > 1 or len(runs) >= history:
            break  # a store file carries its own history
    if not runs:
        why = f"no unexpired artifact {name!r} from a successful run on {branch}"
        if expired:
            why += f" ({expired} expired)"
        return [], why
    return runs[-history:], f"artifact {name} on {branch}"


def artifact_source(context: GitHubContext | None) -> ArtifactSource | None:
    """The fetcher :class:`~perf_gate.inputs.baseline.sources.BaselineRequest` takes."""
    return None if context is None else partial(from_artifact, context)
