"""The one place that speaks HTTP to Microsoft Graph.

One session for reads and one for writes (their retry policies differ), timeouts on every call,
`client-request-id` per request, verbatim `@odata.nextLink` paging, and a GraphError carrying
method, URL, status, Graph's error code and message and the request-id for every failure.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from reconciler import __version__
from reconciler.errors import GraphError, WriteOutcomeUnknown
from reconciler.graph.failures import describe_no_response
from reconciler.graph.hints import status_hint
from reconciler.graph.retry import GraphRetry, read_retry, write_retry
from reconciler.identity import TokenProvider
from reconciler.jsontypes import JSON, JSONObject
from reconciler.logsetup import redact

log = logging.getLogger("reconciler.graph")

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
MAX_PAGES = 10_000
BODY_READ_ATTEMPTS = 3
_BODY_ERRORS = frozenset({"ChunkedEncodingError", "ContentDecodingError", "BodyReadTimeout"})
USER_AGENT = f"edusync-reconcile/{__version__} (+https://github.com/edusync-reconcile)"


@dataclass(frozen=True)
class GraphResponse:
    status: int
    body: JSON
    request_id: str | None
    #: The created object's URL, when the server says (a 202 may carry no body).
    location: str | None = None


class GraphClient:
    def __init__(
        self,
        base_url: str,
        tokens: TokenProvider,
        *,
        pool_size: int = 4,
        timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
        reads: GraphRetry | None = None,
        writes: GraphRetry | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._tokens = tokens
        self._timeout = timeout
        self._reads = self._session(reads or read_retry(), pool_size)
        self._writes = self._session(writes or write_retry(), pool_size)

    @staticmethod
    def _session(retry: GraphRetry, pool_size: int) -> requests.Session:
        session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry, pool_connections=2, pool_maxsize=max(pool_size, 2))
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        session.headers["User-Agent"] = USER_AGENT
        session.headers["Accept"] = "application/json"
        return session

    def close(self) -> None:
        self._reads.close()
        self._writes.close()

    def url(self, path: str) -> str:
        return (
            path
            if path.startswith(("https://", "http://"))
            else f"{self.base_url}/{path.lstrip('/')}"
        )

    # -- reads --------------------------------------------------------------------------------
    def list(self, path: str) -> list[JSONObject]:
        """Every item of a collection, following `@odata.nextLink` exactly as given."""
        items: list[JSONObject] = []
        url: str | None = self.url(path)
        seen: set[str] = set()
        while url:
            if url in seen or len(seen) >= MAX_PAGES:
                raise GraphError(
                    method="GET",
                    url=url,
                    status=None,
                    code="PagingLoop",
                    message="the server repeated a nextLink; stopped to avoid a loop",
                )
            seen.add(url)
            page = self._send("GET", url).body
            if not isinstance(page, dict) or not isinstance(page.get("value"), list):
                raise GraphError(
                    method="GET",
                    url=url,
                    status=200,
                    code="UnexpectedResponse",
                    message="a collection response without a `value` list",
                )
            items.extend(page["value"])
            next_link = page.get("@odata.nextLink")
            self._check_same_origin(url, next_link)
            url = next_link
        return items

    def get(self, path: str) -> JSONObject | None:
        """One object, or None when Graph answers 404."""
        try:
            body = self._send("GET", self.url(path)).body
        except GraphError as exc:
            if exc.status == 404:
                return None
            raise
        return body if isinstance(body, dict) else None

    def fetch(self, path: str) -> GraphResponse:
        """One GET (a page, an object) with its status and request-id; every non-2xx,
        404 included, raises GraphError (`status` and `doctor` report it as Graph said it)."""
        return self._send("GET", self.url(path))

    # -- writes -------------------------------------------------------------------------------
    def write(self, method: str, path: str, body: JSON = None) -> GraphResponse:
        """POST/PUT/PATCH/DELETE. Raises WriteOutcomeUnknown when the request may have been
        carried out but no answer came back."""
        return self._send(method, self.url(path), body)

    # -- plumbing -----------------------------------------------------------------------------
    def _check_same_origin(self, url: str, next_link: Any) -> None:
        # The bearer token goes to every page: never follow a link to another host.
        if next_link is None:
            return
        if not isinstance(next_link, str) or urlsplit(next_link).netloc != urlsplit(url).netloc:
            raise GraphError(
                method="GET",
                url=url,
                status=200,
                code="UnexpectedNextLink",
                message="@odata.nextLink points to another host; refused to send the token there",
            )

    def _send(self, method: str, url: str, body: JSON = None) -> GraphResponse:
        # urllib3 retries what fails before the response headers; a body cut off mid-way
        # surfaces later, so reads get a few more tries here (writes never: outcome unknown).
        attempts = BODY_READ_ATTEMPTS if method in {"GET", "HEAD"} else 1
        for attempt in range(1, attempts + 1):
            try:
                return self._attempt(method, url, body)
            except GraphError as exc:
                if exc.status is not None or exc.code not in _BODY_ERRORS or attempt == attempts:
                    raise
                log.info(
                    "retrying %s %s after %s (attempt %d of %d)",
                    method,
                    url,
                    exc.code,
                    attempt + 1,
                    attempts,
                )
                time.sleep(0.2 * attempt)
        raise AssertionError("unreachable")

    def _attempt(self, method: str, url: str, body: JSON = None) -> GraphResponse:
        is_read = method in {"GET", "HEAD"}
        session = self._reads if is_read else self._writes
        client_request_id = str(uuid.uuid4())
        headers = {
            "Authorization": f"Bearer {self._tokens.token()}",
            "client-request-id": client_request_id,
            "return-client-request-id": "true",
        }
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
            if log.isEnabledFor(logging.DEBUG):  # the preview costs more than the request
                log.debug("%s %s body: %s", method, url, _preview(body))
        started = time.monotonic()
        try:
            response = session.request(
                method, url, data=data, headers=headers, timeout=self._timeout
            )
        except requests.RequestException as exc:  # no (complete) answer of any kind
            elapsed = time.monotonic() - started
            log.info(
                "%s %s → no response after %.2fs (%s) client-request-id=%s",
                method,
                url,
                elapsed,
                type(exc).__name__,
                client_request_id,
            )
            failure = describe_no_response(
                exc,
                url,
                connect_timeout=self._timeout[0],
                read_timeout=self._timeout[1],
                base_url=self.base_url,
            )
            error_class = GraphError if is_read or failure.never_sent else WriteOutcomeUnknown
            # A timeout while reading the body (after the headers, so urllib3 did not retry it)
            # arrives as a plain ConnectionError; one urllib3 gave up on says "Max retries".
            text = str(exc)
            mid_body = "Read timed out" in text and "Max retries exceeded" not in text
            code = type(exc).__name__ if type(exc).__name__ in _BODY_ERRORS else failure.code
            raise error_class(
                method=method,
                url=url,
                status=None,
                code="BodyReadTimeout" if mid_body else code,
                message=failure.message,
                client_request_id=client_request_id,
            ) from None
        request_id = response.headers.get("request-id")
        log.info(
            "%s %s → %d in %.2fs client-request-id=%s request-id=%s",
            method,
            url,
            response.status_code,
            time.monotonic() - started,
            client_request_id,
            request_id,
        )
        parsed = _json_or_none(response)
        if response.status_code >= 400:
            hint = status_hint(
                response.status_code, method, url, self.base_url, self._tokens.identity
            )
            raise _graph_error(method, url, response, parsed, client_request_id, hint)
        if parsed is not None and log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s response: %s", method, url, _preview(parsed))
        return GraphResponse(
            response.status_code, parsed, request_id, response.headers.get("Location")
        )


def _json_or_none(response: requests.Response) -> JSON:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _graph_error(
    method: str,
    url: str,
    response: requests.Response,
    body: JSON,
    client_request_id: str,
    hint: str | None = None,
) -> GraphError:
    code, message, inner_request_id = None, None, None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code = error.get("code")
        message = error.get("message")
        inner = error.get("innerError") or error.get("innererror")
        # Walk the innerError chain: the most specific code and any request-id spelling.
        while isinstance(inner, dict):
            inner_request_id = inner.get("request-id") or inner.get("requestId") or inner_request_id
            inner = inner.get("innerError") or inner.get("innererror")
    if message is None and response.text:
        message = response.text[:300]
    return GraphError(
        method=method,
        url=url,
        status=response.status_code,
        code=code or response.reason,
        message=message,
        request_id=response.headers.get("request-id") or inner_request_id,
        client_request_id=response.headers.get("client-request-id") or client_request_id,
        hint=hint,
    )


def _preview(body: JSON, limit: int = 2000) -> str:
    # Redact before cutting: a secret cut in half would no longer be recognised.
    text = redact(json.dumps(body, sort_keys=True))
    return text if len(text) <= limit else text[:limit] + "…"
