"""Publishing against the local GitHub: the scenarios of issue 5, end to end."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path
from typing import Any

import pytest
import requests

from perf_gate.cli import publish_command, publish_from_environment
from perf_gate.core.errors import InputError, PublishError, TargetMismatch
from perf_gate.environment import context_from_environment
from perf_gate.github import ledger as ledger_mod
from perf_gate.github.client import GitHubClient, NotFound, Unauthorized
from perf_gate.github.context import GitHubContext
from perf_gate.github.progress_comment import marker
from perf_gate.github.publish import PublishOutcome, publish

from .builders import (
    FAST,
    HEAD_SHA,
    MERGE_SHA,
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

BOT = "github-actions[bot]"
"""Who ``TOKEN`` writes as: another gate of the same workflow shares it."""
FOREIGN_LEDGER = (
    "<!-- gates:start -->\n"
    "| Gate | Status | Evidence | Agent | Timestamp |\n"
    "|:-----|:------:|----------|-------|-----------|\n"
    "| **freshness** | ✅ pass | up to date | review-freshness | 2025-01-01T00:00Z |\n"
    "| clippy | ❌ fail | 3 warnings \\| deny | review-lint | 2025-01-01T00:01Z |\n"
    "| perf | ⏳ pending | queued | review-perf-finalizer | 2025-01-01T00:02Z |\n"
    "| tests | ✅ pass | 412/412 🎉 | review-tests | 2025-01-01T00:03Z |\n"
    "<!-- gates:end -->\n"
    "\n"
    "<!-- hoplog:start -->\n"
    "### Hop log\n"
    "- review-freshness: rebased on main\n"
    "<!-- hoplog:end -->\n"
    "<!-- trace:start -->\n"
    "trace: a → b → c   (trailing spaces kept)   \n"
    "<!-- trace:end -->\n"
    "<!-- decision:start -->\n"
    "**State:** in-progress\n"
    "**Why:** waiting for perf\n"
    "**Next:** review-perf-finalizer\n"
    "<!-- decision:end -->\n"
    "<!-- quality:start -->quality: 🟢<!-- quality:end -->"
)


def run(
    github: GitHubServer,
    tmp_path: Path,
    sleeps: list[float],
    data: dict[str, Any] | None = None,
    *,
    event: dict[str, Any] | None = None,
    event_name: str = "pull_request",
    token: str = TOKEN,
    out: io.StringIO | None = None,
    **kwargs: Any,
) -> PublishOutcome:
    path = write_event(tmp_path, event if event is not None else pull_request_event())
    env = environ(
        github.base_url,
        path,
        event_name=event_name,
        token=token,
        summary=tmp_path / "step-summary.md",
    )
    with requests.Session() as session:
        return publish_from_environment(
            data or receipt(),
            REPORT,
            env,
            session=session,
            out=out or io.StringIO(),
            policy=FAST,
            sleep=sleeps.append,
            settle=0,
            **kwargs,
        )


def ledgers(github: GitHubServer) -> list[dict[str, Any]]:
    return [c for c in github.comments(REPO, PR) if ledger_mod.is_ledger(c["body"])]


def test_first_run_creates_check_run_ledger_and_progress_comment(github, tmp_path, sleeps):
    github.add_pull(REPO, PR, head_sha=HEAD_SHA)
    out = io.StringIO()

    outcome = run(github, tmp_path, sleeps, out=out)

    [check] = github.check_runs(REPO)
    assert check["name"] == "review:gate:perf"
    assert check["head_sha"] == HEAD_SHA != MERGE_SHA
    assert (check["status"], check["conclusion"]) == ("completed", "success")
    assert "review:gate:perf = pass" in check["output"]["summary"]
    assert (
        "| CPU Inference | 44.3 tok/s | 45.2 tok/s | +2.0% | ±5% | ✅ PASS |"
        in (check["output"]["summary"])
    )
    assert check["output"]["text"].startswith("## Performance Validation Summary")
    assert check["details_url"] == "https://github.com/octo/bitnet/actions/runs/4242"
    [ledger] = ledgers(github)
    assert (
        "| perf | pass | Δ ≤ threshold; inference: 45.2 tok/s (+2%); quantization: I2S 99.8% |"
        in ledger["body"]
    )
    assert "**Next:** review-docs-reviewer" in ledger["body"]
    progress = [
        c for c in github.comments(REPO, PR) if marker("review:gate:perf", HEAD_SHA) in c["body"]
    ]
    assert len(progress) == 1 and len(github.comments(REPO, PR)) == 2
    assert outcome.check_run_id == check["id"]
    assert outcome.ledger_comment_id == ledger["id"] and outcome.ledger_created
    assert outcome.progress_comment_id == progress[0]["id"]
    assert outcome.published and not outcome.read_only
    printed = out.getvalue()
    assert printed.count(TOKEN) == 1 and f"::add-mask::{TOKEN}" in printed


def test_rerun_updates_in_place_without_duplicates(github, tmp_path, sleeps):
    github.add_pull(REPO, PR, head_sha=HEAD_SHA)
    run(github, tmp_path, sleeps)
    failing = receipt(
        "fail",
        metrics=[metric("CPU Inference", "fail", -12.0)],
        route="review-perf-fixer",
        ledger="Δ > threshold; inference: 39.0 tok/s (-12%)",
    )

    outcome = run(github, tmp_path, sleeps, failing)
    run(github, tmp_path, sleeps, failing)  # the same result again changes nothing

    [check] = github.check_runs(REPO)
    assert check["conclusion"] == "failure" and outcome.check_run_id == check["id"]
    assert len(check["annotations"]) == 1  # not repeated by the rerun
    assert len(github.requests_matching("POST", r"/check-runs$")) == 1
    comments = github.comments(REPO, PR)
    assert len(comments) == 2
    [ledger] = ledgers(github)
    assert "| perf | fail | Δ &gt; threshold; inference: 39.0 tok/s (-12%) |" in ledger["body"]
    assert "| perf | pass |" not in ledger["body"]
    assert ledger["body"].count("- review-perf-finalizer:") == 2
    assert "**Next:** review-perf-fixer" in ledger["body"]
    assert not outcome.ledger_created


def test_existing_ledger_keeps_every_foreign_byte(github, tmp_path, sleeps):
    github.add_pull(REPO, PR, head_sha=HEAD_SHA)
    ledger_id = github.add_comment(REPO, PR, FOREIGN_LEDGER, user=BOT)

    run(github, tmp_path, sleeps)

    body = github.comment_body(REPO, ledger_id)
    lines = body.split("\n")
    [row] = [line for line in lines if line.startswith("| perf |")]
    assert row.startswith(
        "| perf | ✅ pass | Δ ≤ threshold; inference: 45.2 tok/s (+2%); quantization: I2S 99.8% "
        "| review-perf-finalizer | "
    )
    bullet = (
        "- review-perf-finalizer: review:gate:perf = pass (inference: Δ+2%; quantization: all "
        "≥99%) → review-docs-reviewer (1111111)"
    )
    expected = (
        FOREIGN_LEDGER.replace(
            "| perf | ⏳ pending | queued | review-perf-finalizer | 2025-01-01T00:02Z |", row
        )
        .replace(
            "- review-freshness: rebased on main\n",
            f"- review-freshness: rebased on main\n{bullet}\n",
        )
        .replace("**Next:** review-perf-finalizer", "**Next:** review-docs-reviewer")
    )
    assert body == expected
    assert len(ledgers(github)) == 1


def test_two_concurrent_ledger_editors_both_land(github, tmp_path, sleeps):
    github.add_pull(REPO, PR, head_sha=HEAD_SHA)
    ledger_id = github.add_comment(REPO, PR, FOREIGN_LEDGER, user=BOT)
    # Both read the same body, both write: without the re-read one edit would be lost.
    github.rendezvous("GET", rf"/issues/{PR}/comments$")
    github.rendezvous("PATCH", rf"/issues/comments/{ledger_id}$")
    env = environ(github.base_url, write_event(tmp_path, pull_request_event(), "other.json"))
    other_context = context_from_environment(env)
    other = ledger_mod.LedgerEdit(
        row=ledger_mod.GateRow("freshness", "fail", "12 commits behind", agent="review-freshness"),
        bullet="- review-freshness: behind main again",
    )
    errors: list[BaseException] = []

    def other_gate() -> None:
        try:
            with requests.Session() as session:
                client = GitHubClient(session, github.base_url, TOKEN, policy=FAST)
                ledger_mod.update_ledger(
                    client, other_context, other, author=BOT, settle=0, sleep=lambda s: None
                )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=other_gate)
    thread.start()
    outcome = run(github, tmp_path, sleeps, progress_comment=False)
    thread.join(timeout=30)

    assert not errors
    body = github.comment_body(REPO, ledger_id)
    assert "| perf | ✅ pass | Δ ≤ threshold;" in body
    assert "| **freshness** | ❌ fail | 12 commits behind | review-freshness |" in body
    assert "- review-freshness: behind main again" in body
    assert "- review-perf-finalizer: review:gate:perf = pass" in body
    assert outcome.ledger_comment_id == ledger_id
    assert len(github.requests_matching("PATCH", rf"/issues/comments/{ledger_id}$")) >= 3


def test_two_gates_creating_the_ledger_at_once_end_with_one(github, tmp_path, sleeps):
    github.add_pull(REPO, PR, head_sha=HEAD_SHA)
    github.rendezvous("GET", rf"/issues/{PR}/comments$")
    github.rendezvous("POST", rf"/issues/{PR}/comments$")
    env = environ(github.base_url, write_event(tmp_path, pull_request_event(), "other.json"))
    other_context = context_from_environment(env)
    other = ledger_mod.LedgerEdit(row=ledger_mod.GateRow("format", "pass", "rustfmt clean"))

    def other_gate() -> None:
        with requests.Session() as session:
            client = GitHubClient(session, github.base_url, TOKEN, policy=FAST)
            ledger_mod.update_ledger(
                client, other_context, other, author=BOT, settle=0, sleep=lambda s: None
            )

    thread = threading.Thread(target=other_gate)
    thread.start()
    run(github, tmp_path, sleeps, progress_comment=False)
    thread.join(timeout=30)

    [ledger] = ledgers(github)
    assert (
        "| perf | pass |" in ledger["body"]
        and "| format | pass | rustfmt clean |" in (ledger["body"])
    )


def test_ledger_found_through_250_comments_of_pagination(github, tmp_path, sleeps):
    github.add_pull(REPO, PR, head_sha=HEAD_SHA)
    for index in range(250):
        github.add_comment(REPO, PR, f"comment {index} with @someone and <!-- noise -->")
    ledger_id = github.add_comment(REPO, PR, FOREIGN_LEDGER, user=BOT)

    outcome = run(github, tmp_path, sleeps)

    assert outcome.ledger_comment_id == ledger_id and not outcome.ledger_created
    assert len(ledgers(github)) == 1
    assert "| perf | ✅ pass |" in github.comment_body(REPO, ledger_id)
    pages = [
        r
        for r in github.requests
        if r["path"].endswith(f"/issues/{PR}/comments") and r["method"] == "GET"
    ]
    assert {r["query"].get("page", ["1"])[0] for r in pages} == {"1", "2", "3"}
    assert len(github.comments(REPO, PR)) == 252


def test_502_then_success_retries_with_backoff(github, tmp_path, sleeps):
    github.add_pull(REPO, PR, head_sha=HEAD_SHA)
    github.inject("POST", r"/check-runs$", 502, times=2)
    github.inject("GET", r"/pulls/\d+$", 503)

    outcome = run(github, tmp_path, sleeps)

    assert len(github.check_runs(REPO)) == 1 and outcome.check_run_id is not None
    assert sleeps[:3] == [0.001, 0.001, 0.002]


def test_a_post_that_landed_behind_a_502_is_not_repeated(github, tmp_path, sleeps):
    github.add_pull(REPO, PR, head_sha=HEAD_SHA)
    github.inject("POST", r"/check-runs$", 502, landed=True)
    github.inject("POST", rf"/issues/{PR}/comments$", 504, landed=True, times=2)

    outcome = run(github, tmp_path, sleeps)

    assert len(github.check_runs(REPO)) == 1 and outcome.check_run_id is not None
    assert len(github.requests_matching("POST", r"/check-runs$")) == 1
    assert len(github.comments(REPO, PR)) == 2 and len(ledgers(github)) == 1
    assert outcome.progress_comment_id is not None and outcome.ledger_created


def test_secondary_rate_limit_honours_retry_after(github, tmp_path, sleeps):
    github.add_pull(REPO, PR, head_sha=HEAD_SHA)
    github.inject(
        "POST",
        r"/check-runs$",
        403,
        headers={"retry-after": "3"},
        body={"message": "You have exceeded a secondary rate limit. Please wait a few minutes."},
    )

    outcome = run(github, tmp_path, sleeps)

    assert sleeps == [3.0]
    assert outcome.check_run_id is not None and len(github.check_runs(REPO)) == 1


def test_pat_falls_back_to_a_commit_status(github, tmp_path, sleeps):
    github.add_pull(REPO, PR, head_sha=HEAD_SHA)
    github.add_token("ghp_personal", "pat")

    outcome = run(github, tmp_path, sleeps, token="ghp_personal")

    assert github.check_runs(REPO) == []
    [status] = github.statuses(REPO, HEAD_SHA)
    assert status["context"] == "review:gate:perf" and status["state"] == "success"
    assert len(status["description"]) <= 140
    assert status["target_url"] == "https://github.com/octo/bitnet/actions/runs/4242"
    assert outcome.status_context == "review:gate:perf" and outcome.check_run_id is None
    assert outcome.ledger_comment_id is not None and outcome.progress_comment_id is not None
    assert any("commit status set instead" in s for s in outcome.skipped)


def test_fork_read_only_writes_job_summary_and_warns(github, tmp_path, sleeps):
    github.add_pull(REPO, PR, head_sha=HEAD_SHA, head_repo="forker/bitnet")
    github.add_token("ghs_readonly", "read")
    out = io.StringIO()
    event = pull_request_event(head_repo="forker/bitnet")

    outcome = run(github, tmp_path, sleeps, event=event, token="ghs_readonly", out=out)

    assert outcome.read_only and outcome.job_summary_written and not outcome.published
    assert github.check_runs(REPO) == [] and github.comments(REPO, PR) == []
    summary = (tmp_path / "step-summary.md").read_text(encoding="utf-8")
    assert "read-only" in summary and "| CPU Inference |" in summary
    assert "perf-gate publish --receipt perf-gate-out/perf-receipt.json" in summary
    warnings = [line for line in out.getvalue().splitlines() if line.startswith("::warning::")]
    assert len(warnings) == 1 and "workflow_run" in warnings[0]
    assert "ghs_readonly" not in out.getvalue().replace("::add-mask::ghs_readonly", "")


def test_workflow_run_publishes_the_fork_receipt(github, tmp_path, sleeps):
    github.add_pull(REPO, PR, head_sha=HEAD_SHA, head_repo="forker/bitnet")
    artifact = tmp_path / "artifact"
    artifact.mkdir()
    (artifact / "perf-receipt.json").write_text(json.dumps(receipt()), encoding="utf-8")
    (artifact / "perf-summary.md").write_text(REPORT, encoding="utf-8")
    pr_event = write_event(artifact, pull_request_event(head_repo="forker/bitnet"))
    trigger = write_event(tmp_path, workflow_run_event(), "trigger.json")
    env = environ(github.base_url, trigger, event_name="workflow_run")
    out = io.StringIO()

    with requests.Session() as session:
        code = publish_command(
            artifact / "perf-receipt.json",
            pr_event,
            env,
            session=session,
            out=out,
            policy=FAST,
            sleep=sleeps.append,
            settle=0,
        )

    assert code == 0
    assert len(github.check_runs(REPO)) == 1 and len(ledgers(github)) == 1
    assert "publish: check run" in out.getvalue()


def test_workflow_run_finds_the_fork_pr_by_head_branch(github, tmp_path, sleeps):
    github.add_pull(REPO, 3, head_sha="2" * 40, head_ref="feature", head_repo="forker/bitnet")
    github.add_pull(REPO, PR, head_sha=HEAD_SHA, head_ref="feature", head_repo="forker/bitnet")
    (tmp_path / "perf-receipt.json").write_text(json.dumps(receipt()))
    trigger = write_event(tmp_path, workflow_run_event(), "trigger.json")
    env = environ(github.base_url, trigger, event_name="workflow_run")

    with requests.Session() as session:
        publish_command(
            tmp_path / "perf-receipt.json",
            None,
            env,
            session=session,
            out=io.StringIO(),
            policy=FAST,
            sleep=sleeps.append,
            settle=0,
        )

    assert len(ledgers(github)) == 1 and github.comments(REPO, 3) == []
    [lookup] = github.requests_matching("GET", r"/pulls$")
    assert lookup["query"]["head"] == ["forker:feature"]


def test_workflow_run_refuses_an_event_from_another_commit(github, tmp_path, sleeps):
    (tmp_path / "perf-receipt.json").write_text(json.dumps(receipt()))
    forged = write_event(tmp_path, pull_request_event(head_sha="3" * 40))
    trigger = write_event(tmp_path, workflow_run_event(), "trigger.json")
    env = environ(github.base_url, trigger, event_name="workflow_run")

    with pytest.raises(TargetMismatch, match="is not the head"):
        publish_command(tmp_path / "perf-receipt.json", forged, env, out=io.StringIO())
    assert github.requests == []


def test_404_pull_request_is_one_clear_line(github, tmp_path, sleeps):
    with pytest.raises(NotFound) as caught:
        run(github, tmp_path, sleeps, event=pull_request_event(number=99))

    message = str(caught.value)
    assert "pull request #99 not found in octo/bitnet" in message and "\n" not in message
    assert caught.value.exit_code == 4
    assert github.check_runs(REPO) == [] and github.comments(REPO, 99) == []


def test_401_bad_token_is_one_clear_line(github, tmp_path, sleeps):
    github.add_pull(REPO, PR, head_sha=HEAD_SHA)

    with pytest.raises(Unauthorized, match="token is missing, expired or wrong") as caught:
        run(github, tmp_path, sleeps, token="ghs_wrong")
    assert "ghs_wrong" not in str(caught.value)


def test_missing_permissions_on_a_same_repo_pr_say_what_to_add(github, tmp_path, sleeps):
    github.add_pull(REPO, PR, head_sha=HEAD_SHA)
    github.add_token("ghs_readonly", "read")
    out = io.StringIO()

    with pytest.raises(PublishError, match="checks: write, pull-requests: write"):
        run(github, tmp_path, sleeps, token="ghs_readonly", out=out)
    assert "::error::" in out.getvalue() and "statuses: write" in out.getvalue()
    assert "permissions" in (tmp_path / "step-summary.md").read_text(encoding="utf-8")


def test_workflow_dispatch_takes_the_pr_head_from_the_pr(github, tmp_path, sleeps):
    github.add_pull(REPO, PR, head_sha=HEAD_SHA)
    event = {"inputs": {"pr-number": str(PR)}, "ref": "refs/heads/main"}

    outcome = run(github, tmp_path, sleeps, event=event, event_name="workflow_dispatch")

    assert outcome.head_sha == HEAD_SHA and outcome.pr_number == PR
    assert github.check_runs(REPO)[0]["head_sha"] == HEAD_SHA


def test_push_event_sets_only_the_check_run(github, tmp_path, sleeps):
    outcome = run(github, tmp_path, sleeps, event={"ref": "refs/heads/main"}, event_name="push")

    assert github.check_runs(REPO)[0]["head_sha"] == MERGE_SHA
    assert outcome.ledger_comment_id is None
    assert any("no pull request" in reason for reason in outcome.skipped)


def test_without_a_token_nothing_is_published():
    out = io.StringIO()
    context = GitHubContext(REPO, "", api_url="http://127.0.0.1:9", head_sha=HEAD_SHA)
    with requests.Session() as session:
        outcome = publish(receipt(), REPORT, context, session, out=out)

    assert not outcome.published
    assert outcome.skipped == ("no GitHub token (set the github-token input or GITHUB_TOKEN)",)
    assert outcome.to_dict()["skipped"] == list(outcome.skipped)
    assert out.getvalue().startswith("::warning::perf-gate: not published")


def test_hostile_benchmark_names_cannot_break_anything(github, tmp_path, sleeps):
    github.add_pull(REPO, PR, head_sha=HEAD_SHA)
    ledger_id = github.add_comment(REPO, PR, FOREIGN_LEDGER, user=BOT)
    name = "evil|bench\n<!-- gates:end --> @octocat"
    data = receipt(
        "fail",
        metrics=[metric(name, "fail", -20.0)],
        ledger=f"Δ > threshold; {name}",
        route="review-perf-fixer @team",
    )

    run(github, tmp_path, sleeps, data)

    body = github.comment_body(REPO, ledger_id)
    assert body.count("<!-- gates:end -->") == 1
    [row] = [line for line in body.split("\n") if line.startswith("| perf |")]
    assert ledger_mod.split_cells(row)[2] == (
        "Δ &gt; threshold; evil\\|bench &lt;!-- gates:end --&gt; @\u200boctocat"
    )
    assert "@team" not in body and "@octocat" not in body
    [check] = github.check_runs(REPO)
    table = [line for line in check["output"]["summary"].split("\n") if "evil" in line]
    assert len(table) == 1 and ledger_mod.split_cells(table[0])[0].startswith("evil\\|bench")
    for comment in github.comments(REPO, PR):
        assert "@octocat" not in comment["body"]


def test_big_results_fit_github_limits(github, tmp_path, sleeps):
    github.add_pull(REPO, PR, head_sha=HEAD_SHA)
    metrics = [metric(f"bench-{i:04d}-" + "x" * 200, "pass") for i in range(600)]
    metrics += [metric(f"regressed-{i:03d}", "fail", -30.0) for i in range(120)]
    data = receipt("fail", metrics=metrics, route="review-perf-fixer")
    huge_report = REPORT + "\n".join(f"- line {i} " + "y" * 100 for i in range(2000))

    path = write_event(tmp_path, pull_request_event())
    env = environ(github.base_url, path)
    with requests.Session() as session:
        publish_from_environment(
            data,
            huge_report,
            env,
            session=session,
            out=io.StringIO(),
            policy=FAST,
            sleep=sleeps.append,
            settle=0,
        )

    [check] = github.check_runs(REPO)
    summary, text = check["output"]["summary"], check["output"]["text"]
    assert len(summary.encode()) <= 65_535 and len(text.encode()) <= 65_535
    assert summary.index("regressed-000") < summary.index("bench-0000")
    assert "more metrics not shown" in summary and "actions/runs/4242" in summary
    assert text.startswith("### Regressions") and "the full report is perf-summary.md" in text
    assert len(check["annotations"]) == 120
    patches = github.requests_matching("PATCH", r"/check-runs/\d+$")
    assert len(patches) == 2  # 50 on create, 50 + 20 in two PATCHes
    for comment in github.comments(REPO, PR):
        assert len(comment["body"]) <= 65_536


def test_publish_command_refuses_a_receipt_that_is_not_one(tmp_path):
    bad = tmp_path / "perf-receipt.json"
    bad.write_text(json.dumps({"gate": {}}))
    env = environ("http://127.0.0.1:9", None, event_name="workflow_run")
    with pytest.raises(InputError, match="not a perf-gate receipt"):
        publish_command(bad, None, env, out=io.StringIO())
