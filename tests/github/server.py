"""A local GitHub: a real HTTP server on 127.0.0.1 that plays GitHub's REST API with state.

It keeps check runs, issue comments (paged with ``Link`` headers, as GitHub does,
through ``/repositories/{id}/…`` URLs), commit statuses and pull requests, and it
checks EVERY request against GitHub's published OpenAPI description
(:mod:`tests.github.openapi`): an unknown path, a wrong method, a bad or unknown
query parameter, a body the schema refuses → ``422``/``404`` and an entry in
``violations``. Tests assert that list stays empty.

Beyond the description it does what GitHub does: ``401`` for unknown tokens, ``403``
on the Checks API for personal access tokens (``"pat"``) and on every write for
read-only tokens (``"read"``), 65,536-character comment bodies, 140-character status
descriptions. Faults (``inject``) answer a matching request with a chosen status and
headers a given number of times; rendezvous points (``rendezvous``) hold matching
requests until all parties arrived and all were processed, to stage races exactly;
``slow`` holds matching requests for a while before carrying them out (a slow write
that lands after others). Comments are written as the token's login, and
``GET /user`` answers it for a PAT (403 for an installation token, as GitHub does).

Python::

    with GitHubServer() as server:           # or GitHubServer(...).start() -> base_url
        server.add_pull("octo/repo", 7, head_sha="a" * 40)
        ...  # point GITHUB_API_URL at server.base_url

Command line (for the container tests)::

    python -m tests.github.server --port 0 --state state.json

prints the base URL as its first line, serves until SIGTERM/SIGINT, and writes the
state (the same JSON as :meth:`GitHubServer.snapshot`) to ``--state`` after every
change. A state file that exists at start seeds the server; its keys: ``tokens``
(``{token: "app"|"pat"|"read"}``; empty accepts any token as ``app``), ``logins``
(``{token: login}``: who the token writes as; ``github-actions[bot]`` for app and
read tokens, ``octocat`` for a PAT, unless given), ``repos``
(``{"owner/name": {"id", "pulls": {"7": {...}}, "comments": {"7": [...]},
"check_runs": [...], "statuses": {sha: [...]}}}``), ``faults``, ``next_id``,
``requests`` (method, path, query, status of each request) and ``violations``.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

if __package__ in (None, ""):  # python tests/github/server.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.github.openapi import OpenAPIValidator, default_validator
else:
    from .openapi import OpenAPIValidator, default_validator

API_VERSIONS = frozenset({"2022-11-28"})
COMMENT_LIMIT = 65_536
STATUS_DESCRIPTION_LIMIT = 140
_DOCS = "https://docs.github.com/rest"


class Reply(Exception):
    """Answer the current request with ``status`` and ``body``."""

    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def _message(status: int, message: str) -> Reply:
    return Reply(status, {"message": message, "documentation_url": _DOCS, "status": str(status)})


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def empty_state() -> dict[str, Any]:
    return {
        "tokens": {},
        "logins": {},
        "repos": {},
        "faults": [],
        "next_id": 1000,
        "requests": [],
        "violations": [],
    }


class _Rendezvous:
    def __init__(self, method: str, path: str, parties: int, timeout: float) -> None:
        self.method = method
        self.path = re.compile(path)
        self.remaining = parties
        self.before = threading.Barrier(parties, timeout=timeout)
        self.after = threading.Barrier(parties, timeout=timeout)


class GitHubServer:
    """The server and its state. All state access goes through one lock."""

    def __init__(
        self,
        state: dict[str, Any] | None = None,
        *,
        state_file: Path | None = None,
        validator: OpenAPIValidator | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        page_size_default: int = 30,
    ) -> None:
        self.state = empty_state()
        if state:
            self.state.update(copy.deepcopy(state))
        self.state_file = state_file
        self.validator = validator or default_validator()
        self.lock = threading.RLock()
        self.page_size_default = page_size_default
        self._rendezvous: list[_Rendezvous] = []
        self._slow: list[dict[str, Any]] = []
        self._host = host
        self._port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    # -- life cycle --------------------------------------------------------------------

    def start(self) -> str:
        server = self

        class Handler(_Handler):
            github = server

        self._httpd = ThreadingHTTPServer((self._host, self._port), Handler)
        self._httpd.daemon_threads = True
        host, port = self._httpd.server_address[:2]
        self.base_url = f"http://{host!s}:{port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.save()

    def __enter__(self) -> GitHubServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return copy.deepcopy(self.state)

    def save(self) -> None:
        """Write the state file (atomically; one writer at a time)."""
        if self.state_file is None:
            return
        with self.lock:
            data = json.dumps(self.state, indent=1, ensure_ascii=False)
            partial = self.state_file.with_name(self.state_file.name + ".partial")
            partial.write_text(data, encoding="utf-8")
            partial.replace(self.state_file)

    # -- seeding and looking ------------------------------------------------------------

    def repo(self, full_name: str) -> dict[str, Any]:
        with self.lock:
            repos = self.state["repos"]
            if full_name not in repos:
                repos[full_name] = {
                    "id": 100 + len(repos),
                    "pulls": {},
                    "comments": {},
                    "check_runs": [],
                    "statuses": {},
                }
            repo: dict[str, Any] = repos[full_name]
            return repo

    def next_id(self) -> int:
        with self.lock:
            self.state["next_id"] += 1
            return int(self.state["next_id"])

    def add_token(self, token: str, kind: str = "app", login: str | None = None) -> None:
        """``app`` (GITHUB_TOKEN-like, may write all), ``pat`` (no Checks API writes),
        ``read`` (no writes at all). ``login`` is who the token writes as (an app's
        ``slug[bot]``, a PAT's user)."""
        assert kind in ("app", "pat", "read")
        with self.lock:
            self.state["tokens"][token] = kind
            if login is not None:
                self.state["logins"][token] = login

    def login_of(self, token: str) -> str:
        with self.lock:
            login = self.state.get("logins", {}).get(token)
            kind = self.state["tokens"].get(token, "app")
        if login:
            return str(login)
        return "octocat" if kind == "pat" else "github-actions[bot]"

    def add_pull(
        self,
        repo: str,
        number: int,
        *,
        head_sha: str,
        head_ref: str = "feature",
        head_repo: str | None = None,
        state: str = "open",
    ) -> dict[str, Any]:
        head_full = head_repo or repo
        pull = {
            "number": number,
            "state": state,
            "title": f"PR {number}",
            "html_url": f"https://github.com/{repo}/pull/{number}",
            "head": {
                "sha": head_sha,
                "ref": head_ref,
                "label": f"{head_full.split('/')[0]}:{head_ref}",
                "repo": {"full_name": head_full, "fork": head_full != repo},
            },
            "base": {"ref": "main", "sha": "b" * 40, "repo": {"full_name": repo}},
        }
        with self.lock:
            self.repo(repo)["pulls"][str(number)] = pull
            self.repo(repo)["comments"].setdefault(str(number), [])
        return pull

    def add_comment(self, repo: str, issue: int, body: str, user: str = "someone") -> int:
        with self.lock:
            comment = self._new_comment(repo, body, user)
            self.repo(repo)["comments"].setdefault(str(issue), []).append(comment)
            return int(comment["id"])

    def comments(self, repo: str, issue: int) -> list[dict[str, Any]]:
        with self.lock:
            return copy.deepcopy(self.repo(repo)["comments"].get(str(issue), []))

    def comment_body(self, repo: str, comment_id: int) -> str:
        return str(self._find_comment(repo, comment_id)[1]["body"])

    def set_comment_body(self, repo: str, comment_id: int, body: str) -> None:
        with self.lock:
            self._find_comment(repo, comment_id)[1]["body"] = body

    def check_runs(self, repo: str) -> list[dict[str, Any]]:
        with self.lock:
            return copy.deepcopy(self.repo(repo)["check_runs"])

    def statuses(self, repo: str, sha: str) -> list[dict[str, Any]]:
        with self.lock:
            return copy.deepcopy(self.repo(repo)["statuses"].get(sha, []))

    @property
    def violations(self) -> list[str]:
        with self.lock:
            return list(self.state["violations"])

    @property
    def requests(self) -> list[dict[str, Any]]:
        with self.lock:
            return copy.deepcopy(self.state["requests"])

    def requests_matching(self, method: str, pattern: str) -> list[dict[str, Any]]:
        regex = re.compile(pattern)
        return [r for r in self.requests if r["method"] == method and regex.search(r["path"])]

    # -- staging trouble -------------------------------------------------------------------

    def inject(
        self,
        method: str,
        path: str,
        status: int,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        body: Any = None,
        landed: bool = False,
    ) -> None:
        """The next ``times`` requests matching ``method`` and the regex ``path`` get
        ``status`` (with ``headers`` and a JSON ``body``) instead of an answer. With
        ``landed`` the request is carried out first and only its answer is lost."""
        with self.lock:
            self.state["faults"].append(
                {
                    "method": method,
                    "path": path,
                    "status": status,
                    "times": times,
                    "headers": headers or {},
                    "body": body,
                    "landed": landed,
                }
            )

    def slow(self, method: str, path: str, seconds: float, *, times: int = 1) -> None:
        """The next ``times`` requests matching wait ``seconds`` before being carried out."""
        with self.lock:
            self._slow.append(
                {"method": method, "path": re.compile(path), "seconds": seconds, "times": times}
            )

    def _delay(self, method: str, path: str) -> float:
        with self.lock:
            for entry in self._slow:
                if entry["times"] > 0 and entry["method"] == method and entry["path"].search(path):
                    entry["times"] -= 1
                    return float(entry["seconds"])
        return 0.0

    def rendezvous(self, method: str, path: str, parties: int = 2, timeout: float = 10) -> None:
        """The first ``parties`` requests matching meet: none is processed before all
        arrived, none is answered before all were processed."""
        with self.lock:
            self._rendezvous.append(_Rendezvous(method, path, parties, timeout))

    # -- request handling ----------------------------------------------------------------

    def _new_comment(self, repo: str, body: str, user: str) -> dict[str, Any]:
        comment_id = self.next_id()
        stamp = _now()
        return {
            "id": comment_id,
            "node_id": f"IC_{comment_id}",
            "body": body,
            "user": {"login": user, "type": "Bot" if user.endswith("[bot]") else "User"},
            "html_url": f"https://github.com/{repo}/pull/0#issuecomment-{comment_id}",
            "url": f"{self.base_url}/repos/{repo}/issues/comments/{comment_id}",
            "created_at": stamp,
            "updated_at": stamp,
        }

    def _find_comment(
        self, repo: str, comment_id: int
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        with self.lock:
            for comments in self.repo(repo)["comments"].values():
                for comment in comments:
                    if comment["id"] == comment_id:
                        return comments, comment
        raise _message(404, "Not Found")

    def _meet(self, method: str, path: str) -> _Rendezvous | None:
        with self.lock:
            for point in self._rendezvous:
                if point.method == method and point.path.search(path) and point.remaining > 0:
                    point.remaining -= 1
                    return point
        return None

    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], raw_body: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        url = urlsplit(raw_path)
        path = self._canonical(url.path)
        query = parse_qs(url.query, keep_blank_values=True)
        record = {"method": method, "path": path, "query": query, "status": 0}
        try:
            has_body = bool(raw_body.strip())
            try:
                body = json.loads(raw_body) if has_body else None
            except ValueError:
                self._violation(f"{method} {path}: the body is not JSON")
                raise _message(400, "Problems parsing JSON") from None
            self._check_headers(method, path, headers)
            operation, errors = self.validator.validate(method, path, query, body, has_body)
            if errors:
                for error in errors:
                    self._violation(f"{method} {path}: {error}")
                if operation is None:
                    raise _message(404, "Not Found")
                raise _message(422, "Invalid request.\n\n" + "\n".join(errors))
            kind, login = self._authorize(headers)
            self._fault(method, path, landed=False)
            point = self._meet(method, path)
            if point is not None:
                point.before.wait()
            delay = self._delay(method, path)
            if delay:
                time.sleep(delay)
            try:
                with self.lock:
                    status, data, extra = self._route(method, path, query, body, kind, login)
                    self._fault(method, path, landed=True)
            finally:
                if point is not None:
                    point.after.wait()
            record["status"] = status
            return status, data, extra
        except Reply as reply:
            record["status"] = reply.status
            return reply.status, reply.body, reply.headers
        except Exception as exc:  # a bug in this server: make it loud
            self._violation(f"{method} {path}: the local GitHub failed: {exc!r}")
            record["status"] = 500
            return 500, {"message": f"local GitHub error: {exc!r}"}, {}
        finally:
            with self.lock:
                self.state["requests"].append(record)
            if method != "GET":
                self.save()

    def _violation(self, text: str) -> None:
        with self.lock:
            self.state["violations"].append(text)

    def _canonical(self, path: str) -> str:
        match = re.match(r"^/repositories/(\d+)(/.*)?$", path)
        if match:
            with self.lock:
                for name, repo in self.state["repos"].items():
                    if str(repo["id"]) == match.group(1):
                        return f"/repos/{name}{match.group(2) or ''}"
        return path.rstrip("/") or "/"

    def _check_headers(self, method: str, path: str, headers: dict[str, str]) -> None:
        version = headers.get("x-github-api-version")
        if version is not None and version not in API_VERSIONS:
            self._violation(f"{method} {path}: unsupported X-GitHub-Api-Version {version}")
            raise _message(400, f"API version {version} is not supported.")
        if version is None:
            self._violation(f"{method} {path}: no X-GitHub-Api-Version header")
        if "application/vnd.github+json" not in headers.get("accept", ""):
            self._violation(f"{method} {path}: Accept is not application/vnd.github+json")

    def _authorize(self, headers: dict[str, str]) -> tuple[str, str]:
        """The token's kind and login."""
        auth = headers.get("authorization", "")
        match = re.match(r"^(?:Bearer|token)\s+(\S+)$", auth, re.IGNORECASE)
        with self.lock:
            tokens = dict(self.state["tokens"])
        if match is None:
            raise _message(401, "Requires authentication")
        if not tokens:
            return "app", self.login_of(match.group(1))
        kind = tokens.get(match.group(1))
        if kind is None:
            raise _message(401, "Bad credentials")
        return str(kind), self.login_of(match.group(1))

    def _fault(self, method: str, path: str, *, landed: bool) -> None:
        with self.lock:
            for fault in self.state["faults"]:
                if (
                    bool(fault.get("landed")) == landed
                    and fault["times"] > 0
                    and fault["method"] == method
                    and re.search(fault["path"], path)
                ):
                    fault["times"] -= 1
                    body = fault["body"]
                    if body is None:
                        body = {"message": f"injected {fault['status']}"}
                    raise Reply(fault["status"], body, dict(fault["headers"]))

    # -- the endpoints ----------------------------------------------------------------------

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, kind: str, login: str
    ) -> tuple[int, Any, dict[str, str]]:
        if path == "/user" and method == "GET":
            if kind != "pat":
                raise _message(403, "Resource not accessible by integration")
            return 200, {"login": login, "id": 1, "type": "User"}, {}
        match = re.match(r"^/repos/([^/]+/[^/]+)(/.*)$", path)
        if match is None:
            raise _message(404, "Not Found")
        name, rest = match.group(1), match.group(2)
        if method != "GET" and kind == "read":
            raise _message(403, "Resource not accessible by integration")
        repo = self.repo(name)
        for pattern, verb, handler in self._ROUTES:
            found = re.match(pattern, rest)
            if found and verb == method:
                result: tuple[int, Any, dict[str, str]] = handler(
                    self, name, repo, found, query, body, (kind, login)
                )
                return result
        raise _message(501, f"the local GitHub does not implement {method} {rest}")

    def _page(
        self,
        name: str,
        repo: dict[str, Any],
        path: str,
        items: list[Any],
        query: dict[str, list[str]],
    ) -> tuple[list[Any], dict[str, str]]:
        per_page = min(100, int(query.get("per_page", [self.page_size_default])[0]))
        page = max(1, int(query.get("page", ["1"])[0]))
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        base = f"{self.base_url}/repositories/{repo['id']}{path}"
        keep = {k: v[0] for k, v in query.items() if k not in ("page", "per_page")}

        def link(number: int, rel: str) -> str:
            return (
                f'<{base}?{urlencode({**keep, "per_page": per_page, "page": number})}>; rel="{rel}"'
            )

        links = []
        if page > 1:
            links += [link(page - 1, "prev"), link(1, "first")]
        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        return chunk, ({"Link": ", ".join(links)} if links else {})

    def _list_check_runs(self, name, repo, found, query, body, kind):  # type: ignore[no-untyped-def]
        ref = found.group(1)
        runs = [r for r in repo["check_runs"] if r["head_sha"] == ref]
        if "check_name" in query:
            runs = [r for r in runs if r["name"] == query["check_name"][0]]
        if query.get("filter", ["latest"])[0] == "latest":
            newest: dict[str, dict[str, Any]] = {}
            for run in runs:
                newest[run["name"]] = run
            runs = list(newest.values())
        runs = sorted(runs, key=lambda r: -r["id"])
        chunk, headers = self._page(name, repo, f"/commits/{ref}/check-runs", runs, query)
        public = [{k: v for k, v in r.items() if k != "annotations"} for r in chunk]
        return 200, {"total_count": len(runs), "check_runs": public}, headers

    def _create_check_run(self, name, repo, found, query, body, who):  # type: ignore[no-untyped-def]
        kind, login = who
        if kind == "pat":
            raise _message(403, "You must authenticate via a GitHub App.")
        if body.get("status") == "completed" and "conclusion" not in body:
            raise _message(
                422, "Invalid request.\n\nconclusion is required when status is completed"
            )
        run_id = self.next_id()
        run: dict[str, Any] = {
            "id": run_id,
            "name": body["name"],
            "head_sha": body["head_sha"],
            "status": body.get("status", "queued"),
            "conclusion": body.get("conclusion"),
            "details_url": body.get("details_url"),
            "external_id": body.get("external_id"),
            "started_at": body.get("started_at", _now()),
            "completed_at": body.get("completed_at"),
            "html_url": f"https://github.com/{name}/runs/{run_id}",
            "app": {"slug": login.removesuffix("[bot]")},
            "output": {"title": None, "summary": None, "text": None, "annotations_count": 0},
            "annotations": [],
        }
        if run["conclusion"] is not None:
            run["status"] = "completed"
        self._apply_output(run, body.get("output"))
        repo["check_runs"].append(run)
        return 201, {k: v for k, v in run.items() if k != "annotations"}, {}

    def _update_check_run(self, name, repo, found, query, body, who):  # type: ignore[no-untyped-def]
        if who[0] == "pat":
            raise _message(403, "You must authenticate via a GitHub App.")
        run_id = int(found.group(1))
        run = next((r for r in repo["check_runs"] if r["id"] == run_id), None)
        if run is None:
            raise _message(404, "Not Found")
        for key in (
            "name",
            "details_url",
            "external_id",
            "started_at",
            "status",
            "conclusion",
            "completed_at",
        ):
            if key in body:
                run[key] = body[key]
        if body.get("conclusion"):
            run["status"] = "completed"
        self._apply_output(run, body.get("output"))
        return 200, {k: v for k, v in run.items() if k != "annotations"}, {}

    @staticmethod
    def _apply_output(run: dict[str, Any], output: dict[str, Any] | None) -> None:
        if not output:
            return
        for key in ("title", "summary", "text"):
            if key in output:
                run["output"][key] = output[key]
        annotations = output.get("annotations") or []
        run["annotations"].extend(annotations)
        run["output"]["annotations_count"] = len(run["annotations"])

    def _issue_comments(self, repo: dict[str, Any], number: str) -> list[dict[str, Any]]:
        if number not in repo["comments"] and number not in repo["pulls"]:
            raise _message(404, "Not Found")
        comments: list[dict[str, Any]] = repo["comments"].setdefault(number, [])
        return comments

    def _list_comments(self, name, repo, found, query, body, kind):  # type: ignore[no-untyped-def]
        number = found.group(1)
        comments = self._issue_comments(repo, number)
        chunk, headers = self._page(name, repo, f"/issues/{number}/comments", comments, query)
        return 200, copy.deepcopy(chunk), headers

    def _create_comment(self, name, repo, found, query, body, who):  # type: ignore[no-untyped-def]
        comments = self._issue_comments(repo, found.group(1))
        self._check_comment_body(body["body"])
        comment = self._new_comment(name, body["body"], who[1])
        comments.append(comment)
        return 201, copy.deepcopy(comment), {}

    @staticmethod
    def _check_comment_body(text: str) -> None:
        if len(text) > COMMENT_LIMIT:
            raise _message(
                422, f"Validation Failed: body is too long (maximum is {COMMENT_LIMIT} characters)"
            )

    def _get_comment(self, name, repo, found, query, body, kind):  # type: ignore[no-untyped-def]
        return 200, copy.deepcopy(self._find_comment(name, int(found.group(1)))[1]), {}

    def _update_comment(self, name, repo, found, query, body, kind):  # type: ignore[no-untyped-def]
        comment = self._find_comment(name, int(found.group(1)))[1]
        self._check_comment_body(body["body"])
        comment["body"] = body["body"]
        comment["updated_at"] = _now()
        return 200, copy.deepcopy(comment), {}

    def _delete_comment(self, name, repo, found, query, body, kind):  # type: ignore[no-untyped-def]
        comments, comment = self._find_comment(name, int(found.group(1)))
        comments.remove(comment)
        return 204, None, {}

    def _create_status(self, name, repo, found, query, body, who):  # type: ignore[no-untyped-def]
        description = body.get("description") or ""
        if len(description) > STATUS_DESCRIPTION_LIMIT:
            raise _message(
                422,
                "Validation Failed: description is too long (maximum is "
                f"{STATUS_DESCRIPTION_LIMIT} characters)",
            )
        status = {
            "id": self.next_id(),
            "state": body["state"],
            "context": body.get("context", "default"),
            "description": body.get("description"),
            "target_url": body.get("target_url"),
            "url": f"{self.base_url}/repos/{name}/statuses/{found.group(1)}",
            "created_at": _now(),
            "creator": {"login": who[1]},
        }
        repo["statuses"].setdefault(found.group(1), []).append(status)
        return 201, copy.deepcopy(status), {}

    def _get_pull(self, name, repo, found, query, body, kind):  # type: ignore[no-untyped-def]
        pull = repo["pulls"].get(found.group(1))
        if pull is None:
            raise _message(404, "Not Found")
        return 200, copy.deepcopy(pull), {}

    def _list_pulls(self, name, repo, found, query, body, kind):  # type: ignore[no-untyped-def]
        state = query.get("state", ["open"])[0]
        pulls = [p for p in repo["pulls"].values() if state == "all" or p["state"] == state]
        if "head" in query:
            pulls = [p for p in pulls if p["head"]["label"] == query["head"][0]]
        chunk, headers = self._page(name, repo, "/pulls", pulls, query)
        return 200, copy.deepcopy(chunk), headers

    _ROUTES = (
        (r"^/commits/([^/]+)/check-runs$", "GET", _list_check_runs),
        (r"^/check-runs$", "POST", _create_check_run),
        (r"^/check-runs/(\d+)$", "PATCH", _update_check_run),
        (r"^/issues/(\d+)/comments$", "GET", _list_comments),
        (r"^/issues/(\d+)/comments$", "POST", _create_comment),
        (r"^/issues/comments/(\d+)$", "GET", _get_comment),
        (r"^/issues/comments/(\d+)$", "PATCH", _update_comment),
        (r"^/issues/comments/(\d+)$", "DELETE", _delete_comment),
        (r"^/statuses/(.+)$", "POST", _create_status),
        (r"^/pulls/(\d+)$", "GET", _get_pull),
        (r"^/pulls$", "GET", _list_pulls),
    )


class _Handler(BaseHTTPRequestHandler):
    github: GitHubServer
    protocol_version = "HTTP/1.1"
    wbufsize = -1  # one write per response: no Nagle/delayed-ACK stalls on keep-alive
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, data, extra = self.github.handle(self.command, self.path, headers, raw)
        payload = b"" if data is None or status == 204 else json.dumps(data).encode()
        self.send_response(status)
        if payload:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve


@contextmanager
def running(state: dict[str, Any] | None = None, **kwargs: Any) -> Iterator[GitHubServer]:
    server = GitHubServer(state, **kwargs)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.github.server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--state", type=Path, help="seed from and write the state to FILE")
    args = parser.parse_args(argv)
    seed = None
    if args.state is not None and args.state.is_file() and args.state.stat().st_size:
        seed = json.loads(args.state.read_text(encoding="utf-8"))
    server = GitHubServer(seed, state_file=args.state, host=args.host, port=args.port)
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    print(server.start(), flush=True)
    server.save()
    stopped.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
