"""The client's fault handling: retries, rate limits, clear errors."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from perf_gate.core.errors import PublishError
from perf_gate.github.client import (
    Forbidden,
    GitHubClient,
    NotFound,
    RateLimited,
    Rejected,
    RetryPolicy,
    ServerError,
)

from .builders import FAST, REPO, TOKEN


def client(github, sleeps, session, **kwargs: Any) -> GitHubClient:
    return GitHubClient(session, github.base_url, TOKEN, policy=FAST, sleep=sleeps.append, **kwargs)


def test_5xx_retries_back_off_exponentially_with_a_cap(github, sleeps):
    github.add_pull(REPO, 1, head_sha="a" * 40)
    github.inject("GET", r"/pulls/1$", 500, times=3)
    with requests.Session() as session:
        assert client(github, sleeps, session).get(f"repos/{REPO}/pulls/1").data["number"] == 1
    assert sleeps == [0.001, 0.002, 0.004]


def test_5xx_gives_up_after_the_attempts(github, sleeps):
    github.inject("GET", r"/pulls/1$", 502, times=10)
    with requests.Session() as session, pytest.raises(ServerError, match="failed with 502"):
        client(github, sleeps, session).get(f"repos/{REPO}/pulls/1")
    assert len(sleeps) == FAST.attempts - 1


def test_connection_errors_are_retried(github, sleeps):
    class Flaky(requests.Session):
        calls = 0

        def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
            Flaky.calls += 1
            if Flaky.calls == 1:
                raise requests.ConnectionError("connection reset")
            return super().request(*args, **kwargs)

    github.add_pull(REPO, 1, head_sha="a" * 40)
    with Flaky() as session:
        client(github, sleeps, session).get(f"repos/{REPO}/pulls/1")
    assert Flaky.calls == 2 and sleeps == [0.001]


def test_no_answer_at_all_is_a_server_error(sleeps):
    with requests.Session() as session:
        dead = GitHubClient(session, "http://127.0.0.1:9", TOKEN, policy=FAST, sleep=sleeps.append)
        with pytest.raises(ServerError, match="no answer"):
            dead.get("repos/o/r/pulls/1")


def test_primary_rate_limit_waits_until_the_reset(github, sleeps):
    github.add_pull(REPO, 1, head_sha="a" * 40)
    github.inject(
        "GET",
        r"/pulls/1$",
        403,
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000"},
        body={"message": "API rate limit exceeded"},
    )
    with requests.Session() as session:
        client(github, sleeps, session, clock=lambda: 990.0).get(f"repos/{REPO}/pulls/1")
    assert sleeps == [11.0]


def test_rate_limit_beyond_the_cap_fails_at_once(github, sleeps):
    github.inject("GET", r"/pulls/1$", 429, headers={"retry-after": "3600"})
    with requests.Session() as session, pytest.raises(RateLimited, match="beyond the 120 s cap"):
        client(github, sleeps, session).get(f"repos/{REPO}/pulls/1")
    assert sleeps == []


def test_secondary_limit_without_headers_waits_longer_each_time(github, sleeps):
    github.add_pull(REPO, 1, head_sha="a" * 40)
    github.inject(
        "GET",
        r"/pulls/1$",
        403,
        times=2,
        body={"message": "You have exceeded a secondary rate limit"},
    )
    with requests.Session() as session:
        client(github, sleeps, session).get(f"repos/{REPO}/pulls/1")
    assert sleeps == [0.01, 0.02]


def test_plain_403_and_404_and_422_are_not_retried(github, sleeps):
    github.inject("GET", r"/pulls/1$", 403, body={"message": "Resource not accessible"})
    with requests.Session() as session:
        api = client(github, sleeps, session)
        with pytest.raises(Forbidden, match="Resource not accessible"):
            api.get(f"repos/{REPO}/pulls/1")
        with pytest.raises(NotFound, match="404"):
            api.get(f"repos/{REPO}/pulls/1")
        github.inject("POST", r"/statuses/", 422, body={"message": "Validation Failed"})
        with pytest.raises(Rejected, match="422 Validation Failed"):
            api.post(f"repos/{REPO}/statuses/{'a' * 40}", {"state": "success"})
    assert sleeps == []


def test_writes_are_spaced(github, sleeps):
    github.add_pull(REPO, 1, head_sha="a" * 40)
    ticks = iter([100.0, 100.2, 100.4, 100.5])
    with requests.Session() as session:
        api = GitHubClient(
            session,
            github.base_url,
            TOKEN,
            sleep=sleeps.append,
            clock=lambda: next(ticks),
            policy=RetryPolicy(write_spacing=1.0),
        )
        api.post(f"repos/{REPO}/issues/1/comments", {"body": "one"})
        api.post(f"repos/{REPO}/issues/1/comments", {"body": "two"})
    assert sleeps == [pytest.approx(0.8)]


def test_links_to_another_host_are_not_followed(github, sleeps):
    with requests.Session() as session:
        api = client(github, sleeps, session)
        with pytest.raises(PublishError, match="another host"):
            api.get("https://evil.example/steal")


def test_the_token_is_sent_but_never_shown(github, sleeps):
    with requests.Session() as session:
        api = client(github, sleeps, session)
        assert TOKEN not in repr(api)
        with pytest.raises(NotFound) as caught:
            api.get(f"repos/{REPO}/pulls/5")
    assert TOKEN not in str(caught.value)
