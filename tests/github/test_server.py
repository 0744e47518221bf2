"""The local GitHub itself: it refuses what GitHub's description refuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from .builders import REPO, TOKEN
from .openapi import REPO_ROOT, OpenAPIValidator, to_json_schema

HEADERS = {
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
    "Authorization": f"Bearer {TOKEN}",
}


@pytest.mark.parametrize(
    ("method", "path", "params", "body", "expected"),
    [
        (
            "POST",
            f"/repos/{REPO}/check-runs",
            None,
            {"name": "x", "head_sha": "a", "conclusion": "passed"},
            "is not one of",
        ),
        ("POST", f"/repos/{REPO}/check-runs", None, {"head_sha": "a"}, "'name' is a required"),
        (
            "POST",
            f"/repos/{REPO}/check-runs",
            None,
            {"name": "x", "head_sha": "a", "output": {"title": "t", "summary": "s" * 65_536}},
            "maxLength",
        ),
        (
            "POST",
            f"/repos/{REPO}/check-runs",
            None,
            {
                "name": "x",
                "head_sha": "a",
                "output": {
                    "title": "t",
                    "summary": "s",
                    "annotations": [
                        {
                            "path": "p",
                            "start_line": 1,
                            "end_line": 1,
                            "annotation_level": "failure",
                            "message": "m",
                        }
                    ]
                    * 51,
                },
            },
            "maxItems=50",
        ),
        (
            "POST",
            f"/repos/{REPO}/check-runs",
            None,
            {"name": "x", "head_sha": "a", "completed_at": "yesterday"},
            "date-time",
        ),
        (
            "GET",
            f"/repos/{REPO}/commits/abc/check-runs",
            {"check_nam": "x"},
            None,
            "check_nam is not in the description",
        ),
        ("GET", f"/repos/{REPO}/issues/x/comments", None, None, "not an integer"),
        ("POST", f"/repos/{REPO}/statuses/abc", None, {"state": "passing"}, "is not one of"),
        ("PATCH", f"/repos/{REPO}/issues/comments/1", None, {"bodi": "x"}, "'body' is a required"),
        ("PUT", f"/repos/{REPO}/check-runs", None, {}, "method not allowed"),
        ("GET", f"/repos/{REPO}/no-such-thing", None, None, "no such path"),
    ],
)
def test_requests_github_would_reject_are_rejected(github, method, path, params, body, expected):
    response = requests.request(
        method, github.base_url + path, params=params, json=body, headers=HEADERS, timeout=5
    )
    assert response.status_code in (404, 422)
    assert any(expected in v for v in github.violations), github.violations
    github.state["violations"].clear()  # seen: keep the fixture's final check for the rest


def test_missing_api_version_and_accept_headers_are_violations(github):
    requests.get(
        f"{github.base_url}/repos/{REPO}/pulls", headers={"Authorization": "Bearer x"}, timeout=5
    )
    assert len(github.violations) == 2
    github.state["violations"].clear()


def test_nullable_turns_into_null_types(validator: OpenAPIValidator):
    schema = to_json_schema({"type": "string", "nullable": True, "enum": ["a"]}, validator.spec)
    assert schema == {"type": ["string", "null"], "enum": ["a", None]}


def test_every_operation_the_package_uses_is_in_the_description(validator: OpenAPIValidator):
    used = [
        ("GET", "/repos/o/r/commits/abc/check-runs"),
        ("POST", "/repos/o/r/check-runs"),
        ("PATCH", "/repos/o/r/check-runs/1"),
        ("GET", "/repos/o/r/issues/1/comments"),
        ("POST", "/repos/o/r/issues/1/comments"),
        ("GET", "/repos/o/r/issues/comments/1"),
        ("PATCH", "/repos/o/r/issues/comments/1"),
        ("DELETE", "/repos/o/r/issues/comments/1"),
        ("POST", "/repos/o/r/statuses/abc"),
        ("GET", "/repos/o/r/pulls/1"),
        ("GET", "/repos/o/r/pulls"),
    ]
    operations = [validator.find(method, path)[0] for method, path in used]
    assert all(operations)
    assert [op.operation_id for op in operations if op][:2] == [
        "checks/list-for-ref",
        "checks/create",
    ]


def test_command_line_server_writes_its_state(tmp_path: Path):
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"tokens": {TOKEN: "app"}}))
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.github.server", "--port", "0", "--state", str(state)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        response = requests.post(
            f"{base_url}/repos/{REPO}/statuses/{'a' * 40}",
            json={"state": "success", "context": "review:gate:perf"},
            headers=HEADERS,
            timeout=5,
        )
        assert response.status_code == 201
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
    saved = json.loads(state.read_text())
    assert saved["repos"][REPO]["statuses"]["a" * 40][0]["context"] == "review:gate:perf"
    assert saved["violations"] == []
