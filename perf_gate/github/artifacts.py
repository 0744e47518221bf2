"""Baseline artifacts of earlier runs on the base branch, found and downloaded from GitHub.

``GET /repos/{o}/{r}/actions/artifacts?name=`` through the one :class:`GitHubClient`;
the zip is fetched through the redirect GitHub answers with, without the token on the
storage host. :func:`artifact_source` gives :mod:`perf_gate.inputs.baseline.sources` a
fetcher without the inputs layer knowing about GitHub.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import partial

import requests

from perf_gate import __version__
from perf_gate.core.config import DEFAULT_HISTORY
from perf_gate.core.errors import InputError
from perf_gate.github.client import GitHubClient, RetryPolicy
from perf_gate.github.context import repository_from, token_from, url_from
from perf_gate.inputs.baseline.sources import MAX_ZIP_BYTES, ArtifactSource, runs_from_zip
from perf_gate.inputs.baseline.store import StoredRun


@dataclass(frozen=True)
class GitHubAccess:
    """Enough to read artifacts: repository, token (never printed), API URL, a session."""

    repository: str
    token: str = field(repr=False)
    api_url: str = "https://api.github.com"
    session: requests.Session | None = None
    timeout: float = 30.0

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> GitHubAccess | None:
        token = token_from(environ)
        if not token or not environ.get("GITHUB_REPOSITORY"):
            return None
        return cls(
            repository=repository_from(environ),
            token=token,
            api_url=url_from(environ, "GITHUB_API_URL", "https://api.github.com"),
        )


def _headers(token: str | None) -> dict[str, str]:
    headers = {"User-Agent": f"perf-gate/{__version__}"}
    if token:
        headers.update(
            {
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "Authorization": f"Bearer {token}",
            }
        )
    return headers


def download_zip(access: GitHubAccess, session: requests.Session, artifact_id: int) -> bytes:
    """``GET .../actions/artifacts/{id}/zip``: GitHub answers 302 to a short-lived storage
    URL, which is fetched without the token (it must not leak to another host)."""
    api = access.api_url.rstrip("/")
    url = f"{api}/repos/{access.repository}/actions/artifacts/{artifact_id}/zip"
    first = session.get(
        url, headers=_headers(access.token), allow_redirects=False, timeout=access.timeout
    )
    if first.status_code in (301, 302, 303, 307, 308):
        location = first.headers.get("location", "")
        if not location:
            raise InputError("artifact download redirect without a Location", path=url)
        with session.get(
            location, headers=_headers(None), timeout=access.timeout, stream=True
        ) as second:
            if second.status_code != 200:
                raise InputError(f"artifact storage answered {second.status_code}", path=location)
            data = second.raw.read(MAX_ZIP_BYTES + 1, decode_content=True)
    elif first.status_code == 200:
        data = first.content
    elif first.status_code == 410:
        raise InputError(f"artifact {artifact_id} has expired (410 Gone)")
    else:
        raise InputError(f"artifact download answered {first.status_code}", path=url)
    if len(data) > MAX_ZIP_BYTES:
        raise InputError(f"artifact {artifact_id} is larger than {MAX_ZIP_BYTES >> 20} MiB")
    return bytes(data)


def from_artifact(
    access: GitHubAccess,
    name: str,
    branch: str | None,
    fmt: str | None,
    *,
    history: int = DEFAULT_HISTORY,
) -> tuple[list[StoredRun], str]:
    """The newest artifact ``name`` of successful runs on ``branch`` (and older ones as
    history, up to ``history`` runs). Returns (runs oldest first, what was found)."""
    if access.session is not None:
        return _from_artifact(access, access.session, name, branch, fmt, history)
    with requests.Session() as session:
        return _from_artifact(access, session, name, branch, fmt, history)


def _from_artifact(
    access: GitHubAccess,
    session: requests.Session,
    name: str,
    branch: str | None,
    fmt: str | None,
    history: int,
) -> tuple[list[StoredRun], str]:
    client = GitHubClient(
        session,
        access.api_url,
        access.token,
        policy=RetryPolicy(attempts=3, base_delay=0.5, max_total_wait=30.0),
    )
    repo = f"repos/{access.repository}"
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
        found = runs_from_zip(download_zip(access, session, int(item["id"])), fmt, label)
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


def artifact_source(access: GitHubAccess | None) -> ArtifactSource | None:
    """The fetcher :class:`~perf_gate.inputs.baseline.sources.BaselineRequest` takes."""
    return None if access is None else partial(from_artifact, access)
