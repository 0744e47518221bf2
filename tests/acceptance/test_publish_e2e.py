"""``perf-gate finalize`` end to end against the local GitHub (validated against GitHub's
published REST description): the real command, the example PR, a rerun, a fork."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.github.builders import HEAD_SHA, PR, REPO, TOKEN, pull_request_event
from tests.github.server import GitHubServer

EXAMPLE = ROOT / "examples" / "bitnet-pr"


@pytest.fixture
def github() -> Iterator[GitHubServer]:
    server = GitHubServer()
    server.add_token(TOKEN, "app")
    server.add_token("ghs_readonly", "read")
    server.add_pull(REPO, PR, head_sha=HEAD_SHA)
    server.start()
    try:
        yield server
    finally:
        server.stop()
    assert server.violations == []


def actions_env(
    tmp_path: Path, server: GitHubServer, token: str = TOKEN, event: dict | None = None
) -> dict[str, str]:
    event_path = tmp_path / "event.json"
    event_path.write_text(json.dumps(event or pull_request_event()))
    summary = tmp_path / "step-summary.md"
    summary.touch()
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_API_URL": server.base_url,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_TOKEN": token,
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_SHA": "9" * 40,
        "GITHUB_RUN_ID": "1234",
        "GITHUB_STEP_SUMMARY": str(summary),
    }


def finalize(cli, env: dict[str, str]):
    return cli(
        "finalize",
        "--config",
        str(EXAMPLE / ".perf-gate.yml"),
        "--current",
        str(EXAMPLE / "current"),
        "--baseline",
        str(EXAMPLE / "baseline"),
        env=env,
    )


def test_finalize_publishes_once_and_reruns_update_in_place(
    cli, tmp_path: Path, github: GitHubServer
) -> None:
    env = actions_env(tmp_path, github)
    first = finalize(cli, env)
    assert first.returncode == 0, first.stderr
    output = (first.stdout + first.stderr).splitlines()
    assert [line for line in output if TOKEN in line] == [f"::add-mask::{TOKEN}"]
    second = finalize(cli, env)
    assert second.returncode == 0, second.stderr

    runs = github.check_runs(REPO)
    assert len(runs) == 1
    assert runs[0]["name"] == "review:gate:perf"
    assert runs[0]["head_sha"] == HEAD_SHA  # the PR head, never the merge commit
    assert runs[0]["conclusion"] == "success"
    bodies = [c["body"] for c in github.comments(REPO, PR)]
    ledgers = [b for b in bodies if "<!-- gates:start -->" in b]
    assert len(ledgers) == 1
    perf_rows = [line for line in ledgers[0].splitlines() if line.startswith("| perf |")]
    assert len(perf_rows) == 1 and perf_rows[0].startswith("| perf | pass |")
    assert len(bodies) == 2  # the Ledger and one progress comment for this head sha
    receipt = json.loads((tmp_path / "perf-gate-out" / "perf-receipt.json").read_text())
    assert receipt["gate"]["summary"] in runs[0]["output"]["summary"]


def test_fork_read_only_token_keeps_receipt_and_does_not_fail(
    cli, tmp_path: Path, github: GitHubServer
) -> None:
    event = pull_request_event(head_repo="forker/bitnet")
    env = actions_env(tmp_path, github, token="ghs_readonly", event=event)
    result = finalize(cli, env)
    assert result.returncode == 0, result.stderr
    assert "::warning" in result.stdout + result.stderr
    assert (tmp_path / "perf-gate-out" / "perf-receipt.json").exists()
    assert "review:gate:perf" in (tmp_path / "step-summary.md").read_text()
    assert github.check_runs(REPO) == []
