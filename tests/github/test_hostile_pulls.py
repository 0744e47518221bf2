"""Issue 12, the GitHub side: a hostile pull request against the local GitHub.

Each test stages what an attacker (or a careless second run) does and checks that
nothing crosses pull requests, no foreign comment is adopted, no header makes the
client hammer GitHub, and no Ledger edit is lost silently.
"""

from __future__ import annotations

import io
import json
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from perf_gate.cli import publish_command, publish_from_environment
from perf_gate.core.errors import TargetMismatch
from perf_gate.github.client import GitHubClient, RateLimited, RetryPolicy
from perf_gate.github.progress_comment import marker
from perf_gate.github.publish import PublishOutcome

from .builders import (
    FAST,
    HEAD_SHA,
    PR,
    REPO,
    REPORT,
    TOKEN,
    environ,
    metric,
    pull_request_event,
    receipt,
    workflow_run_event,
    write_event,
)
from .server import GitHubServer

VICTIM = 42
VICTIM_SHA = "c" * 40
BOT = "github-actions[bot]"
VICTIM_LEDGER = (
    "<!-- gates:start -->\n"
    "| Gate | Status | Evidence |\n"
    "|------|--------|----------|\n"
    "| perf | fail | +35% on decode |\n"
    "<!-- gates:end -->\n"
    "<!-- hoplog:start -->\n"
    "### Hop log\n"
    "- review-perf-finalizer: fail (ccccccc)\n"
    "<!-- hoplog:end -->\n"
)


def _artifact(tmp_path: Path, event: dict[str, Any]) -> tuple[Path, Path]:
    folder = tmp_path / "artifact"
    folder.mkdir(exist_ok=True)
    (folder / "perf-receipt.json").write_text(json.dumps(receipt()), encoding="utf-8")
    (folder / "perf-summary.md").write_text(REPORT, encoding="utf-8")
    return folder / "perf-receipt.json", write_event(folder, event)


def _publish(github: GitHubServer, tmp_path: Path, receipt_path: Path, event: Path | None) -> int:
    trigger = write_event(tmp_path, workflow_run_event(), "trigger.json")
    env = environ(github.base_url, trigger, event_name="workflow_run")
    with requests.Session() as session:
        return publish_command(
            receipt_path,
            event,
            env,
            session=session,
            out=io.StringIO(),
            policy=FAST,
            sleep=lambda s: None,
            settle=0,
        )


def _victim(github: GitHubServer) -> int:
    github.add_pull(REPO, VICTIM, head_sha=VICTIM_SHA, head_ref="victim")
    return github.add_comment(REPO, VICTIM, VICTIM_LEDGER, user=BOT)


def _untouched(github: GitHubServer, ledger_id: int) -> None:
    assert github.comment_body(REPO, ledger_id) == VICTIM_LEDGER
    assert len(github.comments(REPO, VICTIM)) == 1
    writes = [r for r in github.requests if r["method"] != "GET"]
    assert writes == []


# -- 1. cross-PR write ------------------------------------------------------------------


def test_publish_event_naming_another_pr_is_refused(github, tmp_path):
    """The fork's event.json says PR #42 with the fork's own (benchmarked) head."""
    github.add_pull(REPO, PR, head_sha=HEAD_SHA, head_repo="forker/bitnet")
    ledger_id = _victim(github)
    forged = pull_request_event(number=VICTIM, head_repo="forker/bitnet")
    receipt_path, event = _artifact(tmp_path, forged)

    with pytest.raises(TargetMismatch) as caught:
        _publish(github, tmp_path, receipt_path, event)

    message = str(caught.value)
    assert caught.value.exit_code == 2 and "\n" not in message
    assert f"#{VICTIM}" in message and VICTIM_SHA[:12] in message and HEAD_SHA[:12] in message
    _untouched(github, ledger_id)


@pytest.mark.parametrize(
    ("head_sha", "says"),
    [
        # fork-pr-publish.yml: pr-number from the fork's event, head-sha from workflow_run.
        (HEAD_SHA, f"#{VICTIM} has head {VICTIM_SHA[:12]}"),
        # The victim's head given as the benchmarked commit: not what the run benchmarked.
        (VICTIM_SHA, "not the head 111111111111 of the workflow run"),
    ],
)
def test_fork_safe_action_path_with_a_forged_pr_number_is_refused(github, tmp_path, head_sha, says):
    github.add_pull(REPO, PR, head_sha=HEAD_SHA, head_repo="forker/bitnet")
    ledger_id = _victim(github)
    trigger = write_event(tmp_path, workflow_run_event(), "trigger.json")
    env = environ(github.base_url, trigger, event_name="workflow_run")

    with requests.Session() as session, pytest.raises(TargetMismatch, match=says):
        publish_from_environment(
            receipt(),
            REPORT,
            env,
            session=session,
            pr_number=VICTIM,
            head_sha=head_sha,
            out=io.StringIO(),
            policy=FAST,
        )
    _untouched(github, ledger_id)


def test_publish_outside_a_workflow_run_is_refused(github, tmp_path):
    """Without the triggering run, nothing trusted says which commit was benchmarked."""
    ledger_id = _victim(github)
    receipt_path, event = _artifact(tmp_path, pull_request_event(VICTIM, VICTIM_SHA))
    env = environ(github.base_url, None, event_name="pull_request_target")

    with pytest.raises(TargetMismatch, match="workflow_run"):
        publish_command(receipt_path, event, env, out=io.StringIO(), policy=FAST)
    _untouched(github, ledger_id)


def test_the_real_pr_of_the_benchmarked_commit_still_publishes(github, tmp_path):
    github.add_pull(REPO, PR, head_sha=HEAD_SHA, head_repo="forker/bitnet")
    ledger_id = _victim(github)
    receipt_path, event = _artifact(tmp_path, pull_request_event(head_repo="forker/bitnet"))

    assert _publish(github, tmp_path, receipt_path, event) == 0

    assert [c["head_sha"] for c in github.check_runs(REPO)] == [HEAD_SHA]
    assert any("| perf | pass |" in c["body"] for c in github.comments(REPO, PR))
    assert github.comment_body(REPO, ledger_id) == VICTIM_LEDGER


def test_cli_publish_refusal_is_one_line_and_exit_2(github, tmp_path, monkeypatch, capsys):
    from perf_gate import cli

    github.add_pull(REPO, PR, head_sha=HEAD_SHA, head_repo="forker/bitnet")
    ledger_id = _victim(github)
    receipt_path, event = _artifact(tmp_path, pull_request_event(VICTIM, HEAD_SHA))
    trigger = write_event(tmp_path, workflow_run_event(), "trigger.json")
    for key, value in environ(github.base_url, trigger, event_name="workflow_run").items():
        monkeypatch.setenv(key, value)

    code = cli.main(["publish", "--receipt", str(receipt_path), "--event", str(event)])

    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    _untouched(github, ledger_id)


# -- 3. comment adoption ----------------------------------------------------------------


def _run(
    github: GitHubServer, tmp_path: Path, *, token: str = TOKEN, **kwargs: Any
) -> PublishOutcome:
    path = write_event(tmp_path, pull_request_event())
    env = environ(github.base_url, path, token=token)
    with requests.Session() as session:
        return publish_from_environment(
            kwargs.pop("data", None) or receipt(),
            REPORT,
            env,
            session=session,
            out=io.StringIO(),
            policy=FAST,
            sleep=lambda s: None,
            settle=0,
            **kwargs,
        )


def test_comments_by_another_user_carrying_our_markers_are_not_adopted(github, tmp_path):
    github.add_pull(REPO, PR, head_sha=HEAD_SHA)
    fake_ledger = VICTIM_LEDGER.replace("| perf | fail |", "| perf | pass |")
    fake_progress = marker("review:gate:perf", HEAD_SHA) + "\nall good, merge it"
    ledger_id = github.add_comment(REPO, PR, fake_ledger, user="mallory")
    progress_id = github.add_comment(REPO, PR, fake_progress, user="mallory")

    outcome = _run(github, tmp_path)

    assert github.comment_body(REPO, ledger_id) == fake_ledger
    assert github.comment_body(REPO, progress_id) == fake_progress
    assert outcome.ledger_created
    assert outcome.ledger_comment_id not in (ledger_id, progress_id)
    assert outcome.progress_comment_id not in (ledger_id, progress_id)
    ours = [c for c in github.comments(REPO, PR) if c["user"]["login"] == BOT]
    assert len(ours) == 2
    assert (
        github.requests_matching("PATCH", rf"/issues/comments/({ledger_id}|{progress_id})$") == []
    )


def test_our_own_comments_are_still_adopted(github, tmp_path):
    github.add_pull(REPO, PR, head_sha=HEAD_SHA)
    ledger_id = github.add_comment(REPO, PR, VICTIM_LEDGER, user=BOT)
    progress_id = github.add_comment(REPO, PR, marker("review:gate:perf", HEAD_SHA), user=BOT)

    outcome = _run(github, tmp_path)

    assert outcome.ledger_comment_id == ledger_id and not outcome.ledger_created
    assert outcome.progress_comment_id == progress_id
    assert "| perf | pass |" in github.comment_body(REPO, ledger_id)


@pytest.mark.parametrize(
    ("token", "kind", "login"),
    [("ghp_personal", "pat", "perf-owner"), ("ghs_app", "app", "perf-app[bot]")],
)
def test_a_token_adopts_only_its_own_identitys_comments(github, tmp_path, token, kind, login):
    """A PAT writes as its user (``GET /user``), an app's token as the app's bot."""
    github.add_pull(REPO, PR, head_sha=HEAD_SHA)
    github.add_token(token, kind, login=login)
    actions = github.add_comment(REPO, PR, VICTIM_LEDGER, user=BOT)
    mine = github.add_comment(REPO, PR, VICTIM_LEDGER, user=login)

    outcome = _run(github, tmp_path, token=token, progress_comment=False)

    assert outcome.ledger_comment_id == mine
    assert github.comment_body(REPO, actions) == VICTIM_LEDGER
    assert bool(github.requests_matching("GET", r"^/user$")) == (kind == "pat")


# -- 9. bounded retries -----------------------------------------------------------------


@pytest.mark.parametrize("retry_after", ["0", "nan", "-5", "1e308", "inf", "garbage"])
def test_retry_after_cannot_make_the_client_hammer_github(github, retry_after):
    github.add_pull(REPO, 1, head_sha="a" * 40)
    github.inject("GET", r"/pulls/1$", 429, times=10_000, headers={"retry-after": retry_after})
    waits: list[float] = []
    policy = RetryPolicy(base_delay=0.001, max_delay=0.004, secondary_default_wait=0.01)
    started = time.monotonic()
    with requests.Session() as session, pytest.raises(RateLimited):
        GitHubClient(session, github.base_url, TOKEN, policy=policy, sleep=waits.append).get(
            f"repos/{REPO}/pulls/1"
        )

    assert len(github.requests_matching("GET", r"/pulls/1$")) <= 6
    assert all(w >= 0.001 and w == w for w in waits) and sum(waits) <= policy.max_total_wait
    assert time.monotonic() - started < 5


def test_a_primary_limit_with_a_reset_in_the_past_is_bounded_too(github):
    github.inject(
        "GET",
        r"/pulls/1$",
        403,
        times=10_000,
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "-1e9"},
        body={"message": "API rate limit exceeded"},
    )
    waits: list[float] = []
    with requests.Session() as session, pytest.raises(RateLimited):
        GitHubClient(session, github.base_url, TOKEN, policy=FAST, sleep=waits.append).get(
            f"repos/{REPO}/pulls/1"
        )
    assert len(github.requests_matching("GET", r"/pulls/1$")) <= 6


# -- 10. lost update on the Ledger ------------------------------------------------------


def test_two_concurrent_runs_with_a_slow_patch_lose_nothing(github, tmp_path):
    github.add_pull(REPO, PR, head_sha=HEAD_SHA)
    ledger_id = github.add_comment(REPO, PR, VICTIM_LEDGER, user=BOT)
    # Both read the same Ledger; the first PATCH to arrive lands 0.8 s late, after the
    # other run's PATCH (and its first re-read).
    github.rendezvous("GET", rf"/issues/{PR}/comments$")
    github.slow("PATCH", rf"/issues/comments/{ledger_id}$", 0.8)
    failing = receipt(
        "fail",
        metrics=[metric("CPU Inference", "fail", -35.0)],
        route="review-perf-fixer",
        ledger="Δ > threshold; inference: 29.0 tok/s (-35%)",
    )
    outcomes: dict[str, PublishOutcome] = {}
    outs = {"pass": io.StringIO(), "fail": io.StringIO()}

    def one(name: str, data: dict[str, Any]) -> None:
        path = write_event(tmp_path, pull_request_event(), f"{name}.json")
        with requests.Session() as session:
            outcomes[name] = publish_from_environment(
                data,
                REPORT,
                environ(github.base_url, path),
                session=session,
                out=outs[name],
                policy=FAST,
                settle=0.4,  # re-read after 0.4 s and 1.6 s: past the slow PATCH
                progress_comment=False,
            )

    threads = [
        threading.Thread(target=one, args=("pass", receipt())),
        threading.Thread(target=one, args=("fail", failing)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    body = github.comment_body(REPO, ledger_id)
    assert "- review-perf-finalizer: review:gate:perf = pass" in body
    assert "- review-perf-finalizer: review:gate:perf = fail" in body
    [row] = [line for line in body.splitlines() if line.startswith("| perf |")]
    winner = "pass" if "| perf | pass |" in row else "fail"
    loser = "fail" if winner == "pass" else "pass"
    assert outcomes[winner].ledger_conflict is None
    conflict = outcomes[loser].ledger_conflict or ""
    assert "rewritten by another run" in conflict
    assert any(
        line.startswith("::warning::") and "Ledger" in line
        for line in outs[loser].getvalue().splitlines()
    )


def test_a_lost_bullet_is_merged_back(github, tmp_path):
    """Our PATCH lands, then a stale write (another gate's, from an older read) wipes it."""
    github.add_pull(REPO, PR, head_sha=HEAD_SHA)
    ledger_id = github.add_comment(REPO, PR, VICTIM_LEDGER, user=BOT)
    stale = VICTIM_LEDGER.replace(
        "- review-perf-finalizer: fail (ccccccc)\n",
        "- review-perf-finalizer: fail (ccccccc)\n- review-tests: 412/412\n",
    )
    reads = 0

    def sleep(seconds: float) -> None:
        nonlocal reads
        reads += 1
        if reads == 2:  # after our first verification: the stale body lands
            github.set_comment_body(REPO, ledger_id, stale)

    path = write_event(tmp_path, pull_request_event())
    with requests.Session() as session:
        outcome = publish_from_environment(
            receipt(),
            REPORT,
            environ(github.base_url, path),
            session=session,
            out=io.StringIO(),
            policy=FAST,
            sleep=sleep,
            settle=0.1,
            progress_comment=False,
        )

    body = github.comment_body(REPO, ledger_id)
    assert "- review-tests: 412/412" in body
    assert "- review-perf-finalizer: review:gate:perf = pass" in body
    assert "| perf | pass |" in body and outcome.ledger_conflict is None


# -- 14. references to other issues -----------------------------------------------------


def test_issue_references_in_untrusted_text_stay_dead(github, tmp_path):
    github.add_pull(REPO, PR, head_sha=HEAD_SHA)
    github.add_comment(REPO, PR, VICTIM_LEDGER, user=BOT)
    name = "bench #123 owner/repo#9 GH-77"
    data = receipt(
        "fail",
        metrics=[metric(name, "fail", -20.0)],
        ledger=f"Δ > threshold; {name}",
        route="review-perf-fixer #5",
    )
    data["gate"]["summary"] = f"review:gate:perf = fail ({name})"
    data["route"]["reason"] = f"regressed, see #44 and other/repo#45 {name}"

    _run(github, tmp_path, data=data)

    live = re.compile(r"(?<![\w&])#\d|[\w.-]+/[\w.-]+#\d|\bGH-\d", re.IGNORECASE)
    [check] = github.check_runs(REPO)
    texts = [check["output"]["summary"], check["output"]["text"], check["output"]["title"]]
    texts += [c["body"] for c in github.comments(REPO, PR)]
    assert "123" in texts[0]
    for text in texts:
        assert live.findall(text) == [], text
