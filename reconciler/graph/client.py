"""The one place that speaks HTTP to Microsoft Graph.

One session for reads and one for writes (their retry policies differ), timeouts on every call,
`client-request-id` per request, verbatim `@odata.nextLink` paging, and a GraphError carrying
method, URL, status, Graph's error code and message and the request-id for every failure.
"""

from __future__ import annotations

import builtins
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from reconciler import __version__
from reconciler.errors import GraphError, WriteOutcomeUnknown
from reconciler.graph.answers import MAX_BODY_BYTES, lenient_json, read_json, summary
from reconciler.graph.failures import describe_no_response
from reconciler.graph.hints import status_hint
from reconciler.graph.paging import PageReader
from reconciler.graph.retry import GraphRetry, read_retry, write_retry
from reconciler.graph.wire import SayingSentAdapter
from reconciler.identity import TokenProvider
from reconciler.jsontypes import JSON, JSONObject
from reconciler.logsetup import redact

log = logging.getLogger("reconciler.graph")

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
MAX_PAGES = 10_000
#: Graph pages hold at most 999 objects; a page ten times that is no Graph answer (and a
#: tenant read must not grow without bound on it).
MAX_PAGE_ITEMS = 10_000
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
    #: For a read: why the body is not the JSON Graph sends (an HTML page, cut off), or None.
    problem: str | None = None
    client_request_id: str | None = None


#: What a list's `check` says of one item: None when it is fine, else the problem in words.
ItemCheck = Callable[[Any], str | None]


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
        adapter = SayingSentAdapter(
            max_retries=retry, pool_connections=2, pool_maxsize=max(pool_size, 2)
        )
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
    def list(
        self,
        path: str,
        check: ItemCheck | None = None,
        on_page: Callable[[builtins.list[JSONObject]], None] | None = None,
    ) -> list[JSONObject]:
        """Every item of a collection, following `@odata.nextLink` exactly as given. `check`
        looks at each item as its page arrives; a problem fails the read, naming the page
        (at most the page after it was asked for). A good page is then handed to `on_page`
        (work that can be done ahead). The next page is asked for by the page reader as soon
        as a page arrives (`paging.py`): paging is one request after another, and the checks
        and the work on a page would otherwise add to every round trip."""
        items: list[JSONObject] = []
        pages = PageReader(self.url(path), self._read_page, self._next_page)
        try:
            for page in pages:
                value = self._page_items(page.url, page.answer)
                for number, item in enumerate(value, start=len(items) + 1):
                    # Graph collections hold objects; every caller reads items as mappings.
                    problem = "is not an object" if not isinstance(item, dict) else None
                    if problem is None and check is not None:
                        problem = check(item)
                    if problem:
                        raise self._unexpected(
                            page.url, page.answer, f"item {number:,} of the list {problem}"
                        )
                if on_page is not None:
                    on_page(value)
                items.extend(value)
                if page.bad_link is not None:
                    raise page.bad_link
                pages.accept()
            return items
        finally:
            pages.stop()

    def _read_page(self, url: str) -> GraphResponse:
        """A page of a collection: one that is not shaped as Graph sends it ends the read
        there, before its `nextLink` is followed."""
        page = self._read(url)
        self._page_items(url, page)
        return page

    def _page_items(self, url: str, page: GraphResponse) -> builtins.list[Any]:
        value = page.body.get("value") if isinstance(page.body, dict) else None
        if not isinstance(value, list):
            raise self._unexpected(url, page, "a collection answer without a 'value' list")
        if len(value) > MAX_PAGE_ITEMS:
            raise self._unexpected(
                url,
                page,
                f"a page of {len(value):,} items (Graph sends at most 999 per page); "
                "refused rather than read on",
            )
        return value

    def get(self, path: str) -> JSONObject | None:
        """One object, or None when Graph answers 404."""
        url = self.url(path)
        try:
            answer = self._read(url)
        except GraphError as exc:
            if exc.status == 404:
                return None
            raise
        if not isinstance(answer.body, dict):
            raise self._unexpected(url, answer, "JSON that is not an object")
        return answer.body

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
    def _read(self, url: str) -> GraphResponse:
        """A GET whose answer must be Graph's JSON."""
        answer = self._send("GET", url)
        if answer.problem:
            raise self._unexpected(url, answer, answer.problem)
        return answer

    def _next_page(self, url: str, page: GraphResponse, seen: set[str]) -> str | None:
        next_link = page.body.get("@odata.nextLink") if isinstance(page.body, dict) else None
        if next_link is None:
            return None
        if not isinstance(next_link, str) or not next_link.startswith(("https://", "http://")):
            raise self._unexpected(url, page, f"@odata.nextLink {next_link!r} is not a URL")
        # The bearer token goes to every page: never follow a link to another host, nor from
        # https to http.
        here, there = urlsplit(url), urlsplit(next_link)
        if (there.scheme, there.netloc) != (here.scheme, here.netloc):
            raise self._unexpected(
                url,
                page,
                f"@odata.nextLink points to another host ({there.scheme}://{there.netloc}); "
                "refused to send the token there",
                code="UnexpectedNextLink",
            )
        if next_link in seen or len(seen) >= MAX_PAGES:
            raise self._unexpected(
                url,
                page,
                "the server repeated a nextLink; stopped to avoid a loop"
                if next_link in seen
                else f"more than {MAX_PAGES:,} pages; stopped",
                code="PagingLoop",
            )
        return next_link

    @staticmethod
    def _unexpected(
        url: str, answer: GraphResponse, problem: str, code: str = "UnexpectedResponse"
    ) -> GraphError:
        """A read whose answer is not what Graph sends: never taken for data."""
        return GraphError(
            method="GET",
            url=url,
            status=answer.status,
            code=code,
            message=problem,
            request_id=answer.request_id,
            client_request_id=answer.client_request_id,
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
        response: requests.Response | None = None
        try:
            # Redirects are never followed: Graph does not redirect its API, requests would turn
            # a redirected POST into a GET, and the token must not follow a redirect.
            response = session.request(
                method,
                url,
                data=data,
                headers=headers,
                timeout=self._timeout,
                stream=True,
                allow_redirects=False,
            )
            content = _read_capped(response)
        except requests.RequestException as exc:  # no (complete) answer of any kind
            raise self._no_answer(exc, method, url, client_request_id, started, response) from None
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
        status = response.status_code
        content_type = response.headers.get("Content-Type")
        if status >= 400:
            hint = status_hint(status, method, url, self.base_url, self._tokens.identity)
            raise _graph_error(method, url, response, content, client_request_id, hint)
        if 300 <= status < 400:
            raise _redirect_error(method, url, response, client_request_id)
        problem = None
        if content is None:
            parsed: JSON = None
            problem = f"the answer is larger than {MAX_BODY_BYTES // 2**20} MiB; refused"
        elif method in {"GET", "HEAD"}:
            answer = read_json(content, content_type)
            parsed, problem = answer.value, answer.problem
        else:  # a write's echo is welcome but not needed: the write was carried out
            parsed = lenient_json(content)
        if parsed is not None and log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s response: %s", method, url, _preview(parsed))
        return GraphResponse(
            status,
            parsed,
            request_id,
            response.headers.get("Location"),
            problem,
            response.headers.get("client-request-id") or client_request_id,
        )

    def _no_answer(
        self,
        exc: requests.RequestException,
        method: str,
        url: str,
        client_request_id: str,
        started: float,
        response: requests.Response | None,
    ) -> GraphError:
        """No (complete) answer: what failed in plain words; a write's outcome is unknown
        unless the request evidently never left."""
        log.info(
            "%s %s → no response after %.2fs (%s) client-request-id=%s",
            method,
            url,
            time.monotonic() - started,
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
        is_read = method in {"GET", "HEAD"}
        error_class = GraphError if is_read or failure.never_sent else WriteOutcomeUnknown
        # A timeout while reading the body (after the headers, so urllib3 did not retry it)
        # arrives as a plain ConnectionError; one urllib3 gave up on says "Max retries".
        text = str(exc)
        mid_body = "Read timed out" in text and "Max retries exceeded" not in text
        code = type(exc).__name__ if type(exc).__name__ in _BODY_ERRORS else failure.code
        return error_class(
            method=method,
            url=url,
            status=None,
            code="BodyReadTimeout" if mid_body else code,
            message=failure.message,
            # The headers arrived when the body was cut off: they name the request.
            request_id=response.headers.get("request-id") if response is not None else None,
            client_request_id=client_request_id,
        )


def _read_capped(response: requests.Response) -> bytes | None:
    """The whole body, or None (and the connection closed) past MAX_BODY_BYTES."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        response.close()
        return None
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(256 * 1024):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            response.close()
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _redirect_error(
    method: str, url: str, response: requests.Response, client_request_id: str
) -> GraphError:
    target = response.headers.get("Location") or "nowhere"
    return GraphError(
        method=method,
        url=url,
        status=response.status_code,
        code="Redirect",
        message=f"the server redirects to {target}, and Graph never redirects its API: "
        "not followed (is --graph-url / EDUSYNC_GRAPH_URL right, with https://? is a proxy "
        "or sign-in page answering?)",
        request_id=response.headers.get("request-id"),
        client_request_id=response.headers.get("client-request-id") or client_request_id,
    )


def _graph_error(
    method: str,
    url: str,
    response: requests.Response,
    content: bytes | None,
    client_request_id: str,
    hint: str | None = None,
) -> GraphError:
    body = lenient_json(content or b"")
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
    if message is None and content:  # an HTML error page, plain text: one line of it
        message = summary(content, response.headers.get("Content-Type"))
    return GraphError(
        method=method,
        url=url,
        status=response.status_code,
        code=code or response.reason,
        message=message,
        request_id=response.headers.get("request-id") or inner_request_id,
        client_request_id=response.headers.get("client-request-id") or client_request_id,
        hint=hint,
        attempts=_attempts(response),
    )


def _attempts(response: requests.Response) -> int:
    """How many requests this answer took: urllib3 hands the last one the retry state,
    whose history holds one entry per attempt that was tried again."""
    retries = getattr(response.raw, "retries", None)
    history = getattr(retries, "history", None)
    return len(history) + 1 if isinstance(history, tuple) else 1


def _preview(body: JSON, limit: int = 2000) -> str:
    # Redact before cutting: a secret cut in half would no longer be recognised.
    text = redact(json.dumps(body, sort_keys=True))
    return text if len(text) <= limit else text[:limit] + "…"
