"""Faults the emulator injects, switchable at run time from any thread.

Graph throttles with 429 + `Retry-After` (fractional seconds allowed) and may answer 503
(graph-sds-api.md §4.1); a write may also be carried out while its response is lost. Random
faults draw from a seeded `random.Random`, so a failing run can be reproduced. A `Schedule`
(any callable, e.g. a test's seeded campaign) may decide each request's fault instead.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum

from reconciler.emulator.graph_errors import GraphFault

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_CODES = {
    400: "badRequest",
    401: "InvalidAuthenticationToken",
    403: "accessDenied",
    404: "itemNotFound",
    409: "conflict",
    429: "TooManyRequests",
    500: "generalException",
    502: "badGateway",
    503: "serviceNotAvailable",
    504: "gatewayTimeout",
}
_MESSAGES = {
    429: "Please retry again later.",  # the throttling doc's example body (§4.1)
    503: "The service is temporarily unavailable. Please retry later.",
}
_THROTTLING = (429, 503)


class Inherit(Enum):
    """`retry_after` not given: use `Faults.retry_after` for 429 and 503, no header otherwise."""

    INHERIT = "inherit"


INHERIT = Inherit.INHERIT


def format_seconds(seconds: float) -> str:
    """`Retry-After` text: decimal seconds, never exponent notation (`0.05`, `2.128`, `5`)."""
    return f"{seconds:.3f}".rstrip("0").rstrip(".") or "0"


def fault_for(status: int, retry_after: float | None) -> GraphFault:
    headers = {"Retry-After": format_seconds(retry_after)} if retry_after is not None else {}
    message = _MESSAGES.get(status, f"Injected fault: HTTP {status}.")
    return GraphFault(status, _CODES.get(status, "UnknownError"), message, headers=headers)


@dataclass
class _Planned:
    status: int
    remaining: int
    methods: frozenset[str] | None
    retry_after: float | Inherit | None


@dataclass(frozen=True)
class Scheduled:
    """What a fault schedule does to one request; the default does nothing."""

    #: A latency spike: waited before handling, on top of `Faults.latency_ms`.
    delay_ms: int = 0
    #: Answer with this Graph error instead of handling the request.
    status: int | None = None
    #: With `status`: the `Retry-After` seconds sent; None sends no header.
    retry_after: float | None = None
    #: A write lost on the way in: the connection closes unread and nothing is done.
    drop_before: bool = False
    #: A write carried out whose answer is lost: the connection closes after the commit.
    drop_after: bool = False

    def fault(self) -> GraphFault | None:
        return None if self.status is None else fault_for(self.status, self.retry_after)


NO_FAULT = Scheduled()

#: Decides the fault of each request from its method and path (called from server threads).
Schedule = Callable[[str, str], Scheduled | None]


def _probability(value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"a probability is between 0 and 1, not {value}")
    return float(value)


class Faults:
    """Latency, random 429/503, a deterministic queue, and dropped responses after writes."""

    def __init__(
        self,
        *,
        seed: int = 0,
        latency_ms: int = 0,
        p429: float = 0.0,
        p503: float = 0.0,
        retry_after: float | str | None = 0.05,
        drop_after_commit: int = 0,
    ) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(seed)  # noqa: S311 (reproducible faults, not crypto)
        self._planned: list[_Planned] = []
        self._p429 = _probability(p429)
        self._p503 = _probability(p503)
        self._retry_after = None if retry_after is None else float(retry_after)
        self._latency_ms = latency_ms
        self._drop_after_commit = drop_after_commit
        self._drop_before_commit = 0
        self._schedule: Schedule | None = None

    @property
    def schedule(self) -> Schedule | None:
        """Consulted first for every request: its answer adds to the other faults."""
        with self._lock:
            return self._schedule

    @schedule.setter
    def schedule(self, value: Schedule | None) -> None:
        with self._lock:
            self._schedule = value

    def scheduled(self, method: str, path: str) -> Scheduled:
        """What the schedule (if any) does to this request."""
        schedule = self.schedule
        decided = schedule(method.upper(), path) if schedule is not None else None
        return decided or NO_FAULT

    @property
    def p429(self) -> float:
        with self._lock:
            return self._p429

    @p429.setter
    def p429(self, value: float) -> None:
        with self._lock:
            self._p429 = _probability(value)

    @property
    def p503(self) -> float:
        with self._lock:
            return self._p503

    @p503.setter
    def p503(self, value: float) -> None:
        with self._lock:
            self._p503 = _probability(value)

    @property
    def retry_after(self) -> float | None:
        """Seconds sent in `Retry-After` on 429/503; None sends no header."""
        with self._lock:
            return self._retry_after

    @retry_after.setter
    def retry_after(self, value: float | str | None) -> None:
        seconds = None if value is None else float(value)  # "0.05" as the header would say
        if seconds is not None and seconds < 0:
            raise ValueError("retry_after is at least 0 seconds")
        with self._lock:
            self._retry_after = seconds

    @property
    def latency_ms(self) -> int:
        """Added to every request before it is handled."""
        with self._lock:
            return self._latency_ms

    @latency_ms.setter
    def latency_ms(self, value: int) -> None:
        if value < 0:
            raise ValueError("latency_ms is at least 0")
        with self._lock:
            self._latency_ms = value

    @property
    def drop_after_commit(self) -> int:
        """How many of the next successful writes lose their response (connection closed)."""
        with self._lock:
            return self._drop_after_commit

    @drop_after_commit.setter
    def drop_after_commit(self, value: int) -> None:
        if value < 0:
            raise ValueError("drop_after_commit is at least 0")
        with self._lock:
            self._drop_after_commit = value

    @property
    def drop_before_commit(self) -> int:
        """How many of the next writes are dropped unread: connection closed, nothing done."""
        with self._lock:
            return self._drop_before_commit

    @drop_before_commit.setter
    def drop_before_commit(self, value: int) -> None:
        if value < 0:
            raise ValueError("drop_before_commit is at least 0")
        with self._lock:
            self._drop_before_commit = value

    def take_drop_before(self, method: str) -> bool:
        """Whether this write is lost before the server acts on it (uses up one drop)."""
        with self._lock:
            if method.upper() not in WRITE_METHODS or self._drop_before_commit == 0:
                return False
            self._drop_before_commit -= 1
            return True

    def fail_next(
        self,
        status: int,
        count: int = 1,
        *,
        methods: Iterable[str] | None = None,
        retry_after: float | str | Inherit | None = INHERIT,
    ) -> None:
        """Answer the next `count` requests (of `methods`, if given) with `status` and a Graph
        error body, without handling them. Queued plans are served in order."""
        if count < 1 or not 100 <= status <= 599:
            raise ValueError("fail_next needs an HTTP status and a count of at least 1")
        wanted = frozenset(m.upper() for m in methods) if methods is not None else None
        with self._lock:
            retry = retry_after if isinstance(retry_after, Inherit | None) else float(retry_after)
            self._planned.append(_Planned(status, count, wanted, retry))

    def clear(self) -> None:
        """No faults at all (latency included)."""
        with self._lock:
            self._planned.clear()
            self._p429 = self._p503 = 0.0
            self._latency_ms = 0
            self._drop_after_commit = 0
            self._drop_before_commit = 0
            self._schedule = None

    def _take_planned(self, method: str) -> GraphFault | None:
        for plan in self._planned:
            if plan.methods is None or method in plan.methods:
                plan.remaining -= 1
                if plan.remaining == 0:
                    self._planned.remove(plan)
                retry = plan.retry_after
                if isinstance(retry, Inherit):
                    retry = self._retry_after if plan.status in _THROTTLING else None
                return fault_for(plan.status, retry)
        return None

    def draw(self, method: str) -> GraphFault | None:
        """The fault this request gets, if any: a planned one first, then a random draw."""
        with self._lock:
            planned = self._take_planned(method.upper())
            if planned is not None:
                return planned
            if self._p429 == 0.0 and self._p503 == 0.0:
                return None
            roll = self._random.random()
            if roll < self._p429:
                return fault_for(429, self._retry_after)
            if roll < self._p429 + self._p503:
                return fault_for(503, self._retry_after)
            return None

    def take_drop(self, method: str) -> bool:
        """Whether this committed write loses its response (uses up one drop)."""
        with self._lock:
            if method.upper() not in WRITE_METHODS or self._drop_after_commit == 0:
                return False
            self._drop_after_commit -= 1
            return True
