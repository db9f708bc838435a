"""Every request the emulator received, for tests to assert on ("dry-run sent zero writes")."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from reconciler.emulator.faults import WRITE_METHODS
from reconciler.jsontypes import JSON

REDACTED = "(redacted)"


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    #: Path and query string exactly as requested.
    path: str
    #: Request headers; `Authorization` is redacted.
    headers: dict[str, str]
    #: The parsed JSON body; the raw text when it was not JSON; None when there was none.
    body: JSON
    #: The status answered; None when the connection was dropped without a response.
    status: int | None
    #: `time.monotonic()` when the request had been read, before the injected latency.
    received_at: float = field(default=0.0, compare=False)
    #: `time.monotonic()` when the answer was ready (it is written right after) or the
    #: connection was dropped. With `received_at`, benchmarks time the server side of a write.
    replied_at: float = field(default=0.0, compare=False)

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k: (REDACTED if k.lower() == "authorization" else v) for k, v in headers.items()}


class RequestLog:
    """Thread-safe, append-only list of `LoggedRequest`s (until `clear`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LoggedRequest] = []

    def append(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def writes(self) -> list[LoggedRequest]:
        """POST, PUT, PATCH and DELETE requests, whatever their outcome."""
        return [e for e in self.entries() if e.is_write]

    def count_writes(self) -> int:
        return len(self.writes())

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __iter__(self) -> Iterator[LoggedRequest]:
        return iter(self.entries())

    def __getitem__(self, index: int) -> LoggedRequest:
        with self._lock:
            return self._entries[index]
