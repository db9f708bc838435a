"""Knowing, on the thread that sends a request, the moment it is on the wire.

`requests` sends a request and waits for its answer in one call; the page reader
(`paging.py`) wants to know when the sending is done, so that the caller, busy with the page
before, lets the reader send the next request first: the two threads share one interpreter,
and a caller that takes it while the reader is still building its request makes every page
wait longer (about 2 ms a page at 25 ms of latency, measured). urllib3's connection
classes are subclassed only to say "sent" once their `request` has written the request;
nothing else about a connection changes. A proxy's connections are urllib3's own and say
nothing: whoever waits for "sent" must not wait long.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_this_thread = threading.local()


@contextlib.contextmanager
def when_sent(callback: Callable[[], None]) -> Iterator[None]:
    """Call `callback` each time this thread has written a request (a retry writes it
    again), until the block ends (then the listener before it, if any, hears again)."""
    before = getattr(_this_thread, "callback", None)
    _this_thread.callback = callback
    try:
        yield
    finally:
        _this_thread.callback = before


def request_sent() -> None:
    """What a connection calls on its thread once it has written a request."""
    callback = getattr(_this_thread, "callback", None)
    if callback is not None:
        callback()


class _Connection(HTTPConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        super().request(*args, **kwargs)
        request_sent()


class _TLSConnection(HTTPSConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        super().request(*args, **kwargs)
        request_sent()


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Connection


class _TLSPool(HTTPSConnectionPool):
    ConnectionCls = _TLSConnection


class SayingSentAdapter(HTTPAdapter):
    """requests' adapter, whose direct connections say when a request is sent."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _TLSPool}
