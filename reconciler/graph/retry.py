"""Retry policy on urllib3's Retry: reads retry on transient failures, writes only when the
server said it did not act.

- Reads (GET): connection errors, timeouts, 429, 503, 504.
- A refused connection or failed DNS lookup is an answer, not congestion: it is tried again at
  most twice, quickly (a server restarting), instead of six times with growing waits.
- Writes: a connection that could not be opened (nothing was sent), or a 429/503 *response*.
  A timeout or dropped connection after sending is never replayed here: its outcome is unknown
  and apply re-reads the tenant instead (urllib3 would otherwise replay PUT and DELETE).
- `Retry-After` is honoured with fractional seconds (urllib3's parser only takes whole ones),
  every wait is capped at 60 s, at most 6 attempts; otherwise exponential backoff with jitter.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any, cast

from urllib3.exceptions import InvalidHeader, MaxRetryError, NewConnectionError, ProxyError
from urllib3.util.retry import Retry

if TYPE_CHECKING:
    from urllib3.connectionpool import ConnectionPool

MAX_ATTEMPTS = 6
MAX_WAIT_SECONDS = 60.0
#: Extra tries, and the wait before each, for a connection that was refused or a host not found.
UNREACHABLE_RETRIES = 2
UNREACHABLE_WAIT_SECONDS = 0.2
READ_METHODS = frozenset({"GET", "HEAD"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

log = logging.getLogger("reconciler.graph")

_SECONDS = re.compile(r"^\s*\d+(\.\d+)?\s*$")


class GraphRetry(Retry):
    """Retry with fractional Retry-After, a 60 s cap per wait, and a log line per retry."""

    max_wait = MAX_WAIT_SECONDS
    #: urllib3 also honours Retry-After on 413; Graph's throttling answers are 429 and 503.
    RETRY_AFTER_STATUS_CODES = frozenset({429, 503})

    def parse_retry_after(self, retry_after: str) -> float:
        if _SECONDS.match(retry_after):
            return min(float(retry_after), self.max_wait)
        try:
            return min(max(super().parse_retry_after(retry_after), 0.0), self.max_wait)
        except InvalidHeader:
            return 0.0  # unreadable: fall back to exponential backoff rather than fail

    def get_backoff_time(self) -> float:
        if self.history and _unreachable(self.history[-1].error):
            return UNREACHABLE_WAIT_SECONDS
        return min(super().get_backoff_time(), self.max_wait)

    def new(self, **kw: Any) -> GraphRetry:
        fresh = super().new(**kw)
        fresh.max_wait = self.max_wait
        return fresh

    def increment(  # type: ignore[override]
        self, method: str | None = None, url: str | None = None, *args: Any, **kwargs: Any
    ) -> Retry:
        response = kwargs.get("response")
        error = kwargs.get("error")
        retry = super().increment(method, url, *args, **kwargs)
        attempts = MAX_ATTEMPTS
        if _unreachable(error):
            attempts = 1 + UNREACHABLE_RETRIES
            if sum(1 for h in retry.history if _unreachable(h.error)) >= attempts:
                pool = cast("ConnectionPool", kwargs.get("_pool"))
                raise MaxRetryError(pool, url or "", error) from error
        reason = f"HTTP {response.status}" if response is not None else type(error).__name__
        log.info(
            "retrying %s %s after %s (attempt %d of %d)",
            method,
            url,
            reason,
            len(retry.history) + 1,
            attempts,
        )
        return retry


def _unreachable(error: Exception | None) -> bool:
    """Refused, unreachable or not found: urllib3's NewConnectionError (a connect *timeout*
    is a ConnectTimeoutError and keeps the full retry budget)."""
    if isinstance(error, ProxyError):
        error = error.original_error
    return isinstance(error, NewConnectionError)


def _policy(
    *, methods: frozenset[str], statuses: frozenset[int], read_errors: int, backoff: float
) -> GraphRetry:
    retries = MAX_ATTEMPTS - 1
    return GraphRetry(
        total=retries,
        connect=retries,  # the request never left: always safe to try again
        read=read_errors,
        status=retries,
        other=0,
        redirect=0,
        allowed_methods=methods,
        status_forcelist=statuses,
        respect_retry_after_header=True,
        raise_on_status=False,  # the last answer becomes a GraphError with code and request-id
        raise_on_redirect=False,
        backoff_factor=backoff,
        backoff_max=MAX_WAIT_SECONDS,
        backoff_jitter=backoff,
    )


def read_retry(backoff_factor: float = 0.5) -> GraphRetry:
    return _policy(
        methods=READ_METHODS,
        statuses=frozenset({429, 503, 504}),
        read_errors=MAX_ATTEMPTS - 1,
        backoff=backoff_factor,
    )


def write_retry(backoff_factor: float = 0.5) -> GraphRetry:
    # read_errors=0: sent but no answer means the outcome is unknown; never replayed blindly.
    return _policy(
        methods=WRITE_METHODS,
        statuses=frozenset({429, 503}),
        read_errors=0,
        backoff=backoff_factor,
    )
