"""Who the token writes as: the one author whose comments perf-gate adopts.

A comment that carries the Ledger's anchors or the progress marker proves nothing:
anyone who may comment on the pull request can type them, and could then edit the
verdict perf-gate wrote into it. So perf-gate edits only comments written by the
identity its token writes as, and leaves every other one alone:

- an installation token (``GITHUB_TOKEN``, a GitHub App's) writes as the app's bot,
  ``<slug>[bot]``; only such tokens may create check runs, so the check run just
  written names the app (``github-actions`` for ``GITHUB_TOKEN``);
- a user's token (a PAT) writes as its user, which ``GET /user`` names (an
  installation token gets 403 there);
- failing both, the creator of the commit status just set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from perf_gate.github.client import Forbidden, GitHubClient, NotFound

ACTIONS_BOT = "github-actions[bot]"


def token_login(
    client: GitHubClient, *, app_slug: str | None = None, status_creator: str | None = None
) -> str:
    """The login the token's comments carry."""
    if app_slug:
        return f"{app_slug}[bot]"
    try:
        data = client.get("user").data
    except (Forbidden, NotFound):
        data = None
    login = data.get("login") if isinstance(data, dict) else None
    if isinstance(login, str) and login:
        return login
    return status_creator or ACTIONS_BOT


def written_by(comment: Mapping[str, Any], login: str) -> bool:
    """``comment`` was written by ``login`` (GitHub logins ignore case)."""
    user = comment.get("user")
    author = user.get("login") if isinstance(user, dict) else None
    return isinstance(author, str) and author.lower() == login.lower()
