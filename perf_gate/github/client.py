"""A tiny GitHub REST client over a :class:`requests.Session` that the caller passes in.

It knows four things beyond plain HTTP: the headers GitHub wants, the ``Link``
header for pagination, which failures are worth retrying (5xx and broken
connections, with capped exponential backoff; 403/429 rate limits, honouring
``retry-after`` and ``x-ratelimit-reset`` within a total time cap), and turning
the rest into one-line :class:`~perf_gate.core.errors.PublishError` subclasses.
Writes are serialized and spaced, as GitHub asks of integrations.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from perf_gate import __version__
from perf_gate.core.errors import PublishError

if TYPE_CHECKING:  # a session is passed in; requests is imported where one is made
    import requests

API_VERSION = "2022-11-28"
MEDIA_TYPE = "application/vnd.github+json"
_WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})
_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="([^"]+)"')
_RETRY_STATUSES = frozenset({500, 502, 503, 504})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})

JSON = Any
"""A decoded JSON value, as GitHub sent it."""


class GitHubError(PublishError):
    """GitHub answered with an error. ``status`` is the HTTP status (0: no answer)."""

    def __init__(self, message: str, *, status: int = 0, method: str = "", path: str = ""):
        super().__init__(message, where="GitHub")
        self.status = status
        self.method = method
        self.path = path


class Unauthorized(GitHubError):
    """401: the token is missing, expired or wrong."""


class Forbidden(GitHubError):
    """403 that is not a rate limit: the token may not do this."""


class NotFound(GitHubError):
    """404: no such repository, pull request or object, or the token cannot see it."""


class RateLimited(GitHubError):
    """403/429 rate limit that would not lift within the time cap."""


class ServerError(GitHubError):
    """5xx or no answer at all, still failing after every retry."""


class Rejected(GitHubError):
    """422 or another 4xx: GitHub refused the request as sent."""


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep trying. Tests pass tiny delays; production uses the defaults.

    ``attempts`` bounds retries of 5xx and connection errors, with delays
    ``base_delay * 2**n`` capped at ``max_delay``. Rate-limit waits add up to at most
    ``max_total_wait`` seconds; a wait that would exceed it fails at once. Whatever the
    answers and their headers say, one call sends at most ``max_requests`` requests, and
    no wait is shorter than the backoff (``retry-after: 0``, ``nan`` or a reset in the
    past do not make it hammer GitHub).
    ``write_spacing`` is the pause kept between two writes.
    """

    attempts: int = 5
    max_requests: int = 6
    base_delay: float = 1.0
    max_delay: float = 30.0
    max_total_wait: float = 300.0
    secondary_default_wait: float = 60.0
    write_spacing: float = 1.0
    timeout: float = 30.0


@dataclass(frozen=True)
class Response:
    """What a call returns: the decoded body and the headers that matter."""

    status: int
    data: JSON
    headers: Mapping[str, str]

    def links(self) -> dict[str, str]:
        """``rel`` → URL from the ``Link`` header."""
        return {rel: url for url, rel in _LINK.findall(self.headers.get("link", ""))}


class GitHubClient:
    """Calls GitHub's REST API at ``api_url`` with ``token``; the token never appears in
    errors or ``repr``."""

    def __init__(
        self,
        session: requests.Session,
        api_url: str,
        token: str,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._session = session
        self._api_url = api_url.rstrip("/") + "/"
        self._token = token
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        self._write_lock = threading.Lock()
        self._last_write = float("-inf")
        self._waited = 0.0

    def __repr__(self) -> str:
        return f"GitHubClient(api_url={self._api_url!r})"

    # -- public calls ---------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Response:
        return self.request("GET", path, params=params)

    def post(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        recheck: Callable[[], Response | None] | None = None,
    ) -> Response:
        """Create something. A 5xx or lost connection may hide a POST that did land:
        before trying again, ``recheck`` looks for it and its answer, if any, is kept."""
        return self.request("POST", path, json=body, recheck=recheck)

    def patch(self, path: str, body: Mapping[str, Any]) -> Response:
        return self.request("PATCH", path, json=body)

    def delete(self, path: str) -> Response:
        return self.request("DELETE", path)

    def paginate(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[JSON]:
        """Every item of a list endpoint, following ``Link: rel="next"`` to the end.

        Endpoints that wrap their list (``{"total_count": n, "check_runs": [...]}``)
        yield the items of the one list-valued field.
        """
        query = {"per_page": 100, **(params or {})}
        response = self.get(path, query)
        while True:
            yield from _items(response.data)
            next_url = response.links().get("next")
            if not next_url:
                return
            response = self.request("GET", next_url)

    def download(self, path: str, *, limit: int) -> bytes:
        """A file GitHub serves by redirect (an artifact zip): at most ``limit + 1`` bytes,
        so that the caller can tell a file too large.

        The API call carries the token; the short-lived storage URL it redirects to is
        fetched without it (the token must not leak to another host). No retries: a
        missing baseline is reported, not waited for.
        """
        url = self._url(path)
        shown = _shown_path(url)
        timeout = self.policy.timeout
        first = self._session.get(
            url, headers=self._headers(), allow_redirects=False, timeout=timeout
        )
        if first.status_code == 200:
            return bytes(first.content[: limit + 1])
        if first.status_code not in _REDIRECTS:
            raise _error_for(first, "GET", shown)
        location = first.headers.get("location", "")
        if not location:
            raise GitHubError(f"GET {shown}: a redirect without a Location", path=shown)
        agent = {"User-Agent": f"perf-gate/{__version__}"}
        with self._session.get(location, headers=agent, timeout=timeout, stream=True) as second:
            if second.status_code != 200:
                raise GitHubError(
                    f"artifact storage answered {second.status_code}",
                    status=second.status_code,
                    method="GET",
                    path=shown,
                )
            return bytes(second.raw.read(limit + 1, decode_content=True))

    # -- the one place that talks HTTP ----------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Mapping[str, Any] | None = None,
        recheck: Callable[[], Response | None] | None = None,
    ) -> Response:
        """One call with retries. ``path`` is relative to the API root or a full URL
        on the same host (as ``Link`` headers give them)."""
        url = self._url(path)
        shown = _shown_path(url)
        if method in _WRITES:
            with self._write_lock:
                self._space_writes()
                try:
                    return self._with_retries(method, url, shown, params, json, recheck)
                finally:
                    self._last_write = self._clock()
        return self._with_retries(method, url, shown, params, json, None)

    def _with_retries(
        self,
        method: str,
        url: str,
        shown: str,
        params: Mapping[str, Any] | None,
        body: Mapping[str, Any] | None,
        recheck: Callable[[], Response | None] | None,
    ) -> Response:
        policy = self.policy
        failures = 0
        secondary_hits = 0
        import requests  # loaded already: the caller made the session

        raw: requests.Response | None
        for sent in range(1, policy.max_requests + 1):
            last = sent == policy.max_requests
            try:
                raw = self._session.request(
                    method,
                    url,
                    params=dict(params) if params else None,
                    json=body,
                    headers=self._headers(),
                    timeout=policy.timeout,
                    allow_redirects=True,
                )
            except requests.RequestException as exc:
                raw, failure = None, f"no answer to {method} {shown} after {sent} tries "
                failure += f"({type(exc).__name__})"
            else:
                if raw.status_code < 300:
                    return Response(raw.status_code, _decode(raw), _headers(raw))
                failure = f"{method} {shown} failed with {raw.status_code} after {sent} tries"
            if raw is None or raw.status_code in _RETRY_STATUSES:
                failures += 1
                if failures >= policy.attempts or last:
                    status = 0 if raw is None else raw.status_code
                    raise ServerError(failure, status=status, method=method, path=shown)
                self._sleep(self._backoff(failures))
                landed = recheck() if recheck is not None else None
                if landed is not None:
                    return landed
                continue
            status = raw.status_code
            wait = self._rate_limit_wait(raw, secondary_hits)
            if wait is not None:
                secondary_hits += 1
                wait = max(wait, self._backoff(secondary_hits))
                if last or self._waited + wait > policy.max_total_wait:
                    why = (
                        f"still limited after {sent} tries"
                        if last
                        else f"GitHub asks to wait {wait:.0f} s, beyond the "
                        f"{policy.max_total_wait:.0f} s cap"
                    )
                    where: dict[str, Any] = {"status": status, "method": method, "path": shown}
                    raise RateLimited(f"rate limited on {method} {shown}: {why}", **where)
                self._waited += wait
                self._sleep(wait)
                continue
            raise _error_for(raw, method, shown)
        raise AssertionError("unreachable: the last try returns or raises")  # pragma: no cover

    # -- helpers --------------------------------------------------------------------

    def _url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            if urlsplit(path).netloc != urlsplit(self._api_url).netloc:
                raise PublishError(f"refusing to follow a link to another host: {path}")
            return path
        return urljoin(self._api_url, path.lstrip("/"))

    def _headers(self) -> dict[str, str]:
        return {
            "Accept": MEDIA_TYPE,
            "X-GitHub-Api-Version": API_VERSION,
            "Authorization": f"Bearer {self._token}",
            "User-Agent": f"perf-gate/{__version__}",
        }

    def _backoff(self, failures: int) -> float:
        policy = self.policy
        return float(min(policy.max_delay, policy.base_delay * 2 ** (failures - 1)))

    def _space_writes(self) -> None:
        gap = self._clock() - self._last_write
        if gap < self.policy.write_spacing:
            self._sleep(self.policy.write_spacing - gap)

    def _rate_limit_wait(self, raw: requests.Response, hits: int) -> float | None:
        """Seconds to wait when ``raw`` is a rate-limit answer, else ``None``."""
        if raw.status_code not in (403, 429):
            return None
        headers = raw.headers
        retry_after = headers.get("retry-after")
        if retry_after is not None:
            seconds = _seconds(retry_after)
            return self.policy.secondary_default_wait if seconds is None else max(0.0, seconds)
        if headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset"):
            reset = _seconds(headers["x-ratelimit-reset"])
            if reset is None:
                return self.policy.secondary_default_wait
            return max(0.0, reset - self._clock()) + 1.0
        if raw.status_code == 429 or "rate limit" in _message(raw).lower():
            # Secondary limit without headers: wait a minute, longer each time.
            return float(self.policy.secondary_default_wait * 2**hits)
        return None


def _seconds(text: str) -> float | None:
    """A header's number of seconds; ``None`` for anything but a finite number
    (``inf`` counts as finite-and-huge, which the time cap refuses)."""
    try:
        value = float(text)
    except ValueError:
        return None
    return None if math.isnan(value) else value


def _items(data: JSON) -> Iterator[JSON]:
    if isinstance(data, list):
        yield from data
    elif isinstance(data, dict):
        lists = [value for value in data.values() if isinstance(value, list)]
        if len(lists) == 1:
            yield from lists[0]


def _decode(raw: requests.Response) -> JSON:
    if not raw.content:
        return None
    try:
        return raw.json()
    except ValueError:
        return None


def _headers(raw: requests.Response) -> dict[str, str]:
    return {key.lower(): value for key, value in raw.headers.items()}


def _message(raw: requests.Response) -> str:
    data = _decode(raw)
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return " ".join(data["message"].split())
    return raw.reason or ""


def _shown_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _error_for(raw: requests.Response, method: str, shown: str) -> GitHubError:
    status = raw.status_code
    message = _message(raw)
    kwargs: dict[str, Any] = {"status": status, "method": method, "path": shown}
    if status == 401:
        return Unauthorized(
            f"401 {message or 'Bad credentials'} on {method} {shown}: the token is missing, "
            "expired or wrong (check the github-token input or GITHUB_TOKEN)",
            **kwargs,
        )
    if status == 403:
        return Forbidden(f"403 {message or 'Forbidden'} on {method} {shown}", **kwargs)
    if status == 404:
        return NotFound(
            f"404 Not Found on {method} {shown}: it does not exist or the token cannot see it",
            **kwargs,
        )
    return Rejected(f"{status} {message or raw.reason} on {method} {shown}", **kwargs)
