"""A small GitHub REST client on `requests`: paging by `Link`, bounded retries that honour
GitHub's rate-limit headers, and errors as one line a person can act on.

Why not urllib3's Retry (as the Graph client does): GitHub signals rate limits with a 403 *or*
429 carrying `x-ratelimit-remaining: 0` / `x-ratelimit-reset` (epoch seconds) or `Retry-After`,
and a wait longer than the cap must end the run at once with the reset time, not sleep for an
hour. The clock and the sleep are injected so tests stay fast.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from reconciler import __version__
from reconciler.github.context import DEFAULT_API_URL
from reconciler.github.errors import GitHubError
from reconciler.logsetup import register_secret

log = logging.getLogger("reconciler.github")

API_VERSION = "2022-11-28"
MAX_ATTEMPTS = 4
MAX_WAIT_SECONDS = 60.0
TIMEOUT = (10.0, 30.0)
MAX_PAGES = 100
PER_PAGE = 100
#: Idempotent methods are retried on 5xx and connection errors; POST only when GitHub said it
#: did not act (a rate-limit answer), so a comment is never posted twice by a retry.
IDEMPOTENT = frozenset({"GET", "PATCH", "PUT", "DELETE"})
TRANSIENT = frozenset({500, 502, 503, 504})


@dataclass(frozen=True)
class Response:
    status: int
    body: Any
    headers: Mapping[str, str]


def _message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason or "no message"
    if isinstance(body, dict):
        text = str(body.get("message") or response.reason or "no message")
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            details = [
                str(e.get("message") or e.get("code")) if isinstance(e, dict) else str(e)
                for e in errors[:3]
            ]
            text += f" ({'; '.join(details)})"
        return text
    return response.reason or "no message"


def _next_link(header: str | None) -> str | None:
    """The `rel="next"` URL of a `Link` header (RFC 8288), as GitHub writes it."""
    for part in (header or "").split(","):
        url, _, params = part.partition(";")
        if 'rel="next"' in params.replace(" ", ""):
            return url.strip().removeprefix("<").removesuffix(">")
    return None


class GitHubClient:
    def __init__(
        self,
        token: str,
        *,
        api_url: str = DEFAULT_API_URL,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        max_attempts: int = MAX_ATTEMPTS,
        max_wait: float = MAX_WAIT_SECONDS,
    ) -> None:
        register_secret(token)
        self.api_url = (api_url or DEFAULT_API_URL).rstrip("/")
        self._session = session or requests.Session()
        self._session.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": f"edusync-reconcile/{__version__}",
            }
        )
        self._sleep = sleep
        self._clock = clock
        self._max_attempts = max(1, max_attempts)
        self._max_wait = max_wait

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- verbs ---------------------------------------------------------------------------------
    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params).body

    def post(self, path: str, body: Mapping[str, Any]) -> Any:
        return self.request("POST", path, json=body).body

    def patch(self, path: str, body: Mapping[str, Any]) -> Any:
        return self.request("PATCH", path, json=body).body

    def delete(self, path: str) -> None:
        self.request("DELETE", path)

    def paged(self, path: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        """Every item of a list endpoint, following `Link: <…>; rel="next"`."""
        items: list[Any] = []
        url: str | None = path
        query: Mapping[str, Any] | None = {"per_page": PER_PAGE, **(params or {})}
        for _ in range(MAX_PAGES):
            if url is None:
                return items
            response = self.request("GET", url, params=query)
            if not isinstance(response.body, list):
                raise GitHubError("GET", path, response.status, "expected a list in the answer")
            items.extend(response.body)
            url = _next_link(response.headers.get("Link"))
            query = None  # the next link carries the query already
        raise GitHubError("GET", path, None, f"more than {MAX_PAGES} pages; stopped")

    # -- the one place that sends --------------------------------------------------------------
    def _url(self, path: str) -> str:
        if not path.startswith(("http://", "https://")):
            return f"{self.api_url}/{path.lstrip('/')}"
        # A next link elsewhere would receive our token: only follow the API's own origin.
        here, there = urlsplit(self.api_url), urlsplit(path)
        if (here.scheme, here.netloc) != (there.scheme, there.netloc):
            raise GitHubError("GET", path, None, "refusing to follow a link to another host")
        return path

    @staticmethod
    def _shown(url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Mapping[str, Any] | None = None,
    ) -> Response:
        url = self._url(path)
        shown = self._shown(url) if path.startswith("http") else "/" + path.lstrip("/")
        for attempt in range(1, self._max_attempts + 1):
            last = attempt == self._max_attempts
            try:
                response = self._session.request(
                    method, url, params=params, json=json, timeout=TIMEOUT
                )
            except requests.RequestException as exc:
                if method in IDEMPOTENT and not last:
                    self._wait(self._backoff(attempt), method, shown, type(exc).__name__)
                    continue
                raise GitHubError(method, shown, None, type(exc).__name__) from None
            request_id = response.headers.get("x-github-request-id")
            if response.status_code < 400:
                body = response.json() if response.content.strip() else None
                return Response(response.status_code, body, response.headers)
            message = _message(response)
            wait = self._retry_wait(response, method, attempt)
            if wait is None or last:
                raise GitHubError(method, shown, response.status_code, message, request_id)
            if wait > self._max_wait:
                raise GitHubError(
                    method,
                    shown,
                    response.status_code,
                    f"{message}; rate limited for another {wait:.0f} s (over the "
                    f"{self._max_wait:.0f} s this run waits)",
                    request_id,
                )
            self._wait(wait, method, shown, f"HTTP {response.status_code}")
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int) -> float:
        return float(min(2 ** (attempt - 1), self._max_wait))

    def _retry_wait(self, response: requests.Response, method: str, attempt: int) -> float | None:
        """Seconds to wait before trying again, or None when this answer is final."""
        headers = response.headers
        retry_after = headers.get("Retry-After", "").strip()
        limited = response.status_code == 429 or (
            response.status_code == 403
            and (headers.get("x-ratelimit-remaining") == "0" or bool(retry_after))
        )
        if limited:
            if retry_after:
                try:
                    return max(float(retry_after), 0.0)
                except ValueError:
                    return self._backoff(attempt)
            reset = headers.get("x-ratelimit-reset", "").strip()
            if reset.isdigit():
                return max(int(reset) - self._clock(), 0.0) + 1.0
            return self._backoff(attempt)
        if response.status_code in TRANSIENT and method in IDEMPOTENT:
            return self._backoff(attempt)
        return None

    def _wait(self, seconds: float, method: str, shown: str, reason: str) -> None:
        log.info("GitHub %s %s: %s; retrying in %.1f s", method, shown, reason, seconds)
        self._sleep(seconds)
