"""The Actions environment and event → publishing context."""

from __future__ import annotations

import pytest

from perf_gate.core.errors import PublishError
from perf_gate.environment import context_from_environment

from .builders import HEAD_SHA, MERGE_SHA, PR, environ, pull_request_event, workflow_run_event
from .builders import write_event as write


def test_pull_request_uses_the_head_sha_not_the_merge_commit(tmp_path):
    ctx = context_from_environment(
        environ("https://api.github.com", write(tmp_path, pull_request_event()))
    )
    assert (ctx.head_sha, ctx.pr_number, ctx.read_only_token) == (HEAD_SHA, PR, False)
    assert ctx.head_sha != MERGE_SHA
    assert ctx.run_url == "https://github.com/octo/bitnet/actions/runs/4242"


def test_token_input_wins_and_never_shows_in_repr(tmp_path):
    env = environ("https://ghe.example/api/v3", None, **{"INPUT_GITHUB-TOKEN": "ghs_input"})
    ctx = context_from_environment(env)
    assert ctx.token == "ghs_input" and "ghs_input" not in repr(ctx)
    assert ctx.api_url == "https://ghe.example/api/v3"


def test_fork_pull_request_expects_a_read_only_token(tmp_path):
    event = write(tmp_path, pull_request_event(head_repo="forker/bitnet"))
    assert context_from_environment(environ("https://x", event)).read_only_token
    target = context_from_environment(environ("https://x", event, event_name="pull_request_target"))
    assert not target.read_only_token


def test_dependabot_gets_read_only_tokens_too(tmp_path):
    env = environ(
        "https://x", write(tmp_path, pull_request_event()), GITHUB_ACTOR="dependabot[bot]"
    )
    assert context_from_environment(env).read_only_token


def test_workflow_run_with_pull_requests_takes_the_matching_one(tmp_path):
    event = workflow_run_event(
        pull_requests=[
            {"number": 5, "head": {"sha": "0" * 40}},
            {"number": 8, "head": {"sha": HEAD_SHA}},
        ]
    )
    ctx = context_from_environment(
        environ("https://x", write(tmp_path, event), event_name="workflow_run")
    )
    assert (ctx.pr_number, ctx.head_sha, ctx.head_lookup) == (8, HEAD_SHA, None)


def test_workflow_run_from_a_fork_looks_the_pr_up_by_head_label(tmp_path):
    ctx = context_from_environment(
        environ("https://x", write(tmp_path, workflow_run_event()), event_name="workflow_run")
    )
    assert ctx.pr_number is None and ctx.head_lookup is not None
    assert (ctx.head_lookup.label, ctx.head_lookup.head_sha) == ("forker:feature", HEAD_SHA)


def test_workflow_dispatch_reads_the_pr_number_input(tmp_path):
    event = write(tmp_path, {"inputs": {"pr_number": "#12"}})
    ctx = context_from_environment(environ("https://x", event, event_name="workflow_dispatch"))
    assert (ctx.pr_number, ctx.head_sha) == (12, "")
    push = context_from_environment(environ("https://x", None, event_name="workflow_dispatch"))
    assert (push.pr_number, push.head_sha) == (None, MERGE_SHA)


def test_explicit_arguments_win(tmp_path):
    ctx = context_from_environment(
        environ("https://x", write(tmp_path, pull_request_event())),
        pr_number=3,
        head_sha="abc",
        gate_name="review:gate:perf-gpu",
    )
    assert (ctx.pr_number, ctx.head_sha, ctx.gate_name) == (3, "abc", "review:gate:perf-gpu")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("GITHUB_REPOSITORY", "nope", "owner/name"),
        ("GITHUB_API_URL", "ftp://x", "http"),
    ],
)
def test_bad_settings_are_clear_errors(key, value, message):
    env = environ("https://x", None, event_name="workflow_dispatch")
    env[key] = value
    with pytest.raises(PublishError, match=message):
        context_from_environment(env)


def test_a_bad_dispatch_pr_number_is_a_clear_error(tmp_path):
    event = write(tmp_path, {"inputs": {"pr-number": "abc"}})
    with pytest.raises(PublishError, match="pull request number"):
        context_from_environment(environ("https://x", event, event_name="workflow_dispatch"))


def test_action_inputs_are_not_read_here_the_entry_point_passes_them():
    env = environ("https://x", None, event_name="workflow_dispatch")
    env.update({"INPUT_PR-NUMBER": "7", "INPUT_GATE-NAME": "review:gate:other"})
    ctx = context_from_environment(env)
    assert (ctx.pr_number, ctx.gate_name) == (None, "review:gate:perf")
    passed = context_from_environment(env, pr_number=7, gate_name="review:gate:other")
    assert (passed.pr_number, passed.gate_name) == (7, "review:gate:other")


def test_unreadable_event_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "event.json"
    bad.write_text("{nope")
    with pytest.raises(PublishError, match="cannot read the event file"):
        context_from_environment(environ("https://x", bad))


def test_publishing_needs_a_repository_and_the_one_token_reading() -> None:
    """The CLI decides to publish with the same token rule the client uses (token_from)."""
    from perf_gate.environment import github_available

    assert github_available({"GITHUB_REPOSITORY": "o/r", "INPUT_GITHUB_TOKEN": "t"})
    assert not github_available({"GITHUB_REPOSITORY": "o/r", "GITHUB_TOKEN": "  "})
    assert not github_available({"GITHUB_TOKEN": "t"})
