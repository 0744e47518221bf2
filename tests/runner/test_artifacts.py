"""Baselines from workflow artifacts, through the local GitHub checked against GitHub's
OpenAPI description, plus a separate "blob storage" host the zip download redirects to."""

from __future__ import annotations

import gzip
import io
import json
import re
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests

from perf_gate.cli import main
from perf_gate.github.artifacts import from_artifact
from perf_gate.github.context import GitHubContext
from tests.github.openapi import (
    OpenAPIValidator,
    to_json_schema,
)
from tests.github.server import GitHubServer, Reply

REPO = "octo/bitnet"
TOKEN = "ghs_artifacttoken0123456789"
NAME = "perf-baseline"


class Storage:
    """Where GitHub's 302 points: serves zip bytes, remembers the headers it was sent."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self.seen: list[dict[str, str]] = []
        storage = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                storage.seen.append({k.lower(): v for k, v in self.headers.items()})
                blob = storage.blobs.get(self.path.split("?")[0])
                self.send_response(200 if blob is not None else 404)
                self.send_header("Content-Type", "application/zip")
                self.send_header("Content-Length", str(len(blob or b"")))
                self.end_headers()
                self.wfile.write(blob or b"")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}
        )
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


class ActionsGitHub(GitHubServer):
    """The local GitHub plus the Actions endpoints a baseline download needs."""

    storage: Storage
    artifact_schema: Any

    def _list_artifacts(self, name, repo, found, query, body, kind):  # type: ignore[no-untyped-def]
        items = sorted(repo.get("artifacts", []), key=lambda a: a["created_at"], reverse=True)
        if "name" in query:
            items = [a for a in items if a["name"] == query["name"][0]]
        for item in items:
            jsonschema.validate(item, self.artifact_schema)  # what GitHub would send
        chunk, headers = self._page(name, repo, "/actions/artifacts", items, query)
        return 200, {"total_count": len(items), "artifacts": chunk}, headers

    def _download(self, name, repo, found, query, body, kind):  # type: ignore[no-untyped-def]
        artifact_id, archive = int(found.group(1)), found.group(2)
        item = next((a for a in repo.get("artifacts", []) if a["id"] == artifact_id), None)
        if item is None or archive != "zip":
            raise Reply(404, {"message": "Not Found"})
        if item["expired"]:
            raise Reply(410, {"message": "Artifact has expired"})
        return 302, None, {"Location": f"{self.storage.url}/blob/{artifact_id}?sig=abc"}

    def _get_run(self, name, repo, found, query, body, kind):  # type: ignore[no-untyped-def]
        run = repo.get("runs", {}).get(found.group(1))
        if run is None:
            raise Reply(404, {"message": "Not Found"})
        return 200, run, {}

    _ROUTES = (
        *GitHubServer._ROUTES,
        (r"^/actions/artifacts$", "GET", _list_artifacts),
        (r"^/actions/artifacts/(\d+)/([a-z]+)$", "GET", _download),
        (r"^/actions/runs/(\d+)$", "GET", _get_run),
    )

    def _route(self, method, path, query, body, *who):  # type: ignore[no-untyped-def]
        match = re.match(r"^/repos/([^/]+/[^/]+)$", path)
        if match and method == "GET":
            return 200, {"full_name": match.group(1), "default_branch": "trunk"}, {}
        return super()._route(method, path, query, body, *who)

    def add_artifact(
        self, *, branch: str, conclusion: str, created: str, blob: bytes, expired: bool = False
    ) -> int:
        artifact_id = self.next_id()
        run_id = self.next_id()
        repo = self.repo(REPO)
        repo.setdefault("runs", {})[str(run_id)] = {
            "id": run_id,
            "head_branch": branch,
            "status": "completed",
            "conclusion": conclusion,
        }
        api = f"{self.base_url}/repos/{REPO}/actions/artifacts/{artifact_id}"
        repo.setdefault("artifacts", []).append(
            {
                "id": artifact_id,
                "node_id": f"MDg6QXJ0aWZhY3Q{artifact_id}",
                "name": NAME,
                "size_in_bytes": len(blob),
                "url": api,
                "archive_download_url": f"{api}/zip",
                "expired": expired,
                "created_at": created,
                "expires_at": "2031-12-01T00:00:00Z",
                "updated_at": created,
                "workflow_run": {
                    "id": run_id,
                    "repository_id": 100,
                    "head_repository_id": 100,
                    "head_branch": branch,
                    "head_sha": f"{artifact_id:040d}",
                },
            }
        )
        self.storage.blobs[f"/blob/{artifact_id}"] = blob
        return artifact_id


def finalize_with_artifact(tmp_path: Path) -> int:
    """``finalize`` of a 45 tok/s run against the artifact baseline, outputs in ``o/``."""
    argv = ["finalize", "--current", str(current(tmp_path, 45.0)), "--baseline-artifact", NAME]
    return main([*argv, "--no-publish", "--output-dir", str(tmp_path / "o")])


@pytest.fixture
def github(validator: OpenAPIValidator) -> Iterator[ActionsGitHub]:
    storage = Storage()
    server = ActionsGitHub(validator=validator)
    server.storage = storage
    server.artifact_schema = to_json_schema(
        validator.spec["components"]["schemas"]["artifact"], validator.spec
    )
    server.add_token(TOKEN, "app")
    server.start()
    try:
        yield server
    finally:
        server.stop()
        storage.stop()
    assert server.violations == [], "requests GitHub's description rejects"
    assert all("authorization" not in h for h in storage.seen), "the token leaked to storage"


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def baseline_zip(value: float, commit: str = "", history: list[float] = ()) -> bytes:  # type: ignore[assignment]
    def metrics(v: float) -> list[dict[str, Any]]:
        return [
            {
                "name": "inference",
                "value": v,
                "unit": "tok/s",
                "kind": "inference",
                "direction": "higher",
                "device": "cpu",
                "format": "xtask-benchmark",
            }
        ]

    doc = {
        "perf_gate_baseline": 1,
        "commit": commit,
        "created_at": "2031-04-01T00:00:00Z",
        "metrics": metrics(value),
        "history": [{"metrics": metrics(v)} for v in history],
    }
    return zipped({"baseline.json": json.dumps(doc), "../evil.json": "{}"})


def results_zip(value: float) -> bytes:
    xtask = {
        "model_path": "m.gguf",
        "prompt": "Hello",
        "generated_text": " world",
        "tokens_generated": 128,
        "warmup_tokens": 8,
        "device": "cpu",
        "timing": {
            "warmup_ms": 1.0,
            "prefill_ms": 1.0,
            "decode_ms": 1.0,
            "generation_ms": 1.0,
            "total_ms": 1.0,
        },
        "performance": {
            "tokens_per_sec": value,
            "ms_per_token": 1000 / value,
            "total_tokens_per_sec": value,
        },
        "success": True,
    }
    return zipped({"results/crossval-perf.json": json.dumps(xtask)})


def context(github: ActionsGitHub) -> GitHubContext:
    return GitHubContext(REPO, TOKEN, api_url=github.base_url)


def test_newest_artifact_of_a_successful_run_on_the_base_branch(github: ActionsGitHub) -> None:
    github.add_artifact(
        branch="main",
        conclusion="success",
        created="2031-04-01T00:00:00Z",
        blob=baseline_zip(40.0, "old"),
    )
    wanted = github.add_artifact(
        branch="main",
        conclusion="success",
        created="2031-04-02T00:00:00Z",
        blob=baseline_zip(44.0, "c" * 40, history=[42.0, 43.0]),
    )
    github.add_artifact(
        branch="main", conclusion="failure", created="2031-04-03T00:00:00Z", blob=baseline_zip(1.0)
    )
    github.add_artifact(
        branch="feature",
        conclusion="success",
        created="2031-04-04T00:00:00Z",
        blob=baseline_zip(2.0),
    )
    github.add_artifact(
        branch="main",
        conclusion="success",
        created="2031-04-05T00:00:00Z",
        blob=baseline_zip(3.0),
        expired=True,
    )
    with requests.Session() as session:
        runs, what = from_artifact(context(github), NAME, "main", None, history=5, session=session)
    assert what == "artifact perf-baseline on main"
    assert [r.run.metrics[0].value for r in runs] == [42.0, 43.0, 44.0]
    assert runs[-1].commit == "c" * 40 and runs[-1].branch == "main"
    assert runs[-1].source == f"artifact {NAME} (run {wanted + 1}):baseline.json"
    downloads = github.requests_matching("GET", r"/actions/artifacts/\d+/zip")
    assert len(downloads) == 1


def test_raw_results_artifacts_build_the_history(github: ActionsGitHub) -> None:
    for day, value in ((1, 40.0), (2, 41.0), (3, 42.0)):
        github.add_artifact(
            branch="main",
            conclusion="success",
            created=f"2031-04-0{day}T00:00:00Z",
            blob=results_zip(value),
        )
    with requests.Session() as session:
        runs, _ = from_artifact(context(github), NAME, "main", None, history=2, session=session)
    assert [r.run.metrics[0].value for r in runs if r.run.metrics[0].name == "inference"] == [
        41.0,
        42.0,
    ]
    newest = runs[-1]
    assert newest.commit.endswith(str(github.repo(REPO)["artifacts"][-1]["id"]))
    assert newest.run.files[0].path.endswith(":results/crossval-perf.json")


def test_default_branch_is_asked_when_none_is_given(github: ActionsGitHub) -> None:
    github.add_artifact(
        branch="trunk",
        conclusion="success",
        created="2031-04-01T00:00:00Z",
        blob=baseline_zip(44.0),
    )
    with requests.Session() as session:
        runs, what = from_artifact(context(github), NAME, None, None, session=session)
    assert what == "artifact perf-baseline on trunk" and len(runs) == 1


def env(github: ActionsGitHub, monkeypatch: pytest.MonkeyPatch, base_ref: str = "main") -> None:
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_API_URL", github.base_url)
    monkeypatch.setenv("GITHUB_BASE_REF", base_ref)
    monkeypatch.delenv("INPUT_GITHUB-TOKEN", raising=False)


def current(tmp_path: Path, value: float) -> Path:
    path = tmp_path / "current.json"
    path.write_text(
        json.dumps(
            [
                {
                    "name": "inference",
                    "unit": "tok/s",
                    "value": value,
                    "device": "cpu",
                    "kind": "inference",
                }
            ]
        )
    )
    return path


def test_finalize_with_baseline_artifact(
    github: ActionsGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env(github, monkeypatch)
    github.add_artifact(
        branch="main",
        conclusion="success",
        created="2031-04-02T00:00:00Z",
        blob=baseline_zip(44.0, "d" * 40),
    )
    code = finalize_with_artifact(tmp_path)
    receipt = json.loads((tmp_path / "o" / "perf-receipt.json").read_text())
    assert code == 0 and receipt["metrics"][0]["status"] == "pass"
    assert receipt["baseline"]["source"] == "artifact perf-baseline on main"
    assert receipt["baseline"]["commit"] == "d" * 40


def test_no_matching_artifact_is_a_skipped_gate_that_says_why(
    github: ActionsGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env(github, monkeypatch)
    github.add_artifact(
        branch="main",
        conclusion="success",
        created="2031-04-02T00:00:00Z",
        blob=baseline_zip(44.0),
        expired=True,
    )
    code = finalize_with_artifact(tmp_path)
    assert code == 0
    receipt = json.loads((tmp_path / "o" / "perf-receipt.json").read_text())
    assert receipt["gate"]["status"] == "skipped"
    summary = (tmp_path / "o" / "perf-summary.md").read_text().replace("\\", "")
    assert (
        "No baseline found (no unexpired artifact 'perf-baseline' from a successful run "
        "on main (1 expired))"
    ) in summary


def test_forbidden_token_names_the_missing_permission(
    github: ActionsGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env(github, monkeypatch)
    github.inject(
        "GET",
        r"/actions/artifacts$",
        403,
        body={"message": "Resource not accessible by integration"},
    )
    code = finalize_with_artifact(tmp_path)
    assert code == 0
    summary = (tmp_path / "o" / "perf-summary.md").read_text().replace("\\", "")
    assert "403 Resource not accessible by integration" in summary
    assert "(the workflow needs permissions: actions: read)" in summary


def test_baseline_update_rolls_the_artifact_into_history(
    github: ActionsGitHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env(github, monkeypatch)
    monkeypatch.setenv("GITHUB_REF_NAME", "main")
    github.add_artifact(
        branch="main",
        conclusion="success",
        created="2031-04-02T00:00:00Z",
        blob=baseline_zip(44.0, "d" * 40, history=[43.0]),
    )
    out = tmp_path / "perf" / "baseline.json"
    code = main(
        [
            "baseline",
            "update",
            "--current",
            str(current(tmp_path, 45.0)),
            "--previous-artifact",
            NAME,
            "--output",
            str(out),
            "--commit",
            "e" * 40,
        ]
    )
    assert code == 0
    doc = json.loads(out.read_text())
    assert doc["branch"] == "main" and doc["commit"] == "e" * 40
    assert [h["metrics"][0]["value"] for h in doc["history"]] == [43.0, 44.0]
    assert doc["history"][-1]["commit"] == "d" * 40


def test_baseline_update_without_a_previous_artifact_starts_afresh(
    github: ActionsGitHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env(github, monkeypatch)
    out = tmp_path / "baseline.json"
    code = main(
        [
            "baseline",
            "update",
            "--current",
            str(current(tmp_path, 45.0)),
            "--previous-artifact",
            NAME,
            "--output",
            str(out),
            "--branch",
            "main",
        ]
    )
    assert code == 0 and json.loads(out.read_text())["history"] == []
    assert "no previous baseline (no unexpired artifact 'perf-baseline'" in capsys.readouterr().out


# -- issue 12: hostile artifacts are a warning, never a crash -------------------------


def _patch(blob: bytes, signature: bytes, offset: int, value: bytes) -> bytes:
    """``value`` written at ``offset`` of every record with ``signature`` in a real zip."""
    data = bytearray(blob)
    start = data.find(signature)
    while start != -1:
        data[start + offset : start + offset + len(value)] = value
        start = data.find(signature, start + 4)
    return bytes(data)


def _bad_crc() -> bytes:
    blob = baseline_zip(44.0)
    at = blob.find(b"44.0")
    return blob[:at] + b"45.0" + blob[at + 4 :]


def _lying_size() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("results.json", b"[" + b" " * 30_000_000 + b"]")
    small = (100).to_bytes(4, "little")
    blob = _patch(buffer.getvalue(), b"PK\x03\x04", 22, small)
    return _patch(blob, b"PK\x01\x02", 24, small)


def _encrypted() -> bytes:
    blob = _patch(baseline_zip(44.0), b"PK\x03\x04", 6, b"\x01")
    return _patch(blob, b"PK\x01\x02", 8, b"\x01")


def _gz_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("results.json.gz", gzip.compress(b"[" + b" " * 20_000_000 + b"]"))
    return buffer.getvalue()


BAD_ZIPS = {
    "bad_crc": _bad_crc,
    "bomb_lying_size": _lying_size,
    "encrypted": _encrypted,
    "dot_entry": lambda: zipped({".": "x", "./": "y"}),
    "file_folder_clash": lambda: zipped({"a": "x", "a/baseline.json": "{}"}),
    "long_name": lambda: zipped({"x" * 300 + ".json": "[]"}),
    "deep_json": lambda: zipped(
        {"baseline.json": '{"perf_gate_baseline": 1, "m": ' + "[" * 100_000 + "]" * 100_000 + "}"}
    ),
    "nested_gz_bomb": _gz_bomb,
    "not_a_zip": lambda: b"PK\x03\x04 nothing more",
}


@pytest.mark.parametrize("case", sorted(BAD_ZIPS))
def test_bad_baseline_zip_is_a_warning_and_the_metrics_are_new(
    github: ActionsGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    env(github, monkeypatch)
    github.add_artifact(
        branch="main", conclusion="success", created="2031-04-02T00:00:00Z", blob=BAD_ZIPS[case]()
    )
    code = finalize_with_artifact(tmp_path)
    assert code == 0
    receipt = json.loads((tmp_path / "o" / "perf-receipt.json").read_text())
    assert [m["status"] for m in receipt["metrics"]] == ["new"]
    summary = (tmp_path / "o" / "perf-summary.md").read_text().replace("\\", "")
    assert "artifact perf-baseline" in summary
