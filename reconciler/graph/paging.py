"""Reading a collection's pages on a thread of their own, at most one page ahead.

Paging is one request after another: the next page's address is in the page before. The
reader asks for it as soon as a page has arrived, rather than when the caller gets round to
it: a caller busy with the page it has (checking it, comparing it) holds the interpreter,
and a request handed to another thread by that caller waited up to a switch interval (5 ms)
to start, every page. The reader never runs further than one page past the page the caller
holds (it waits for that page to be accepted first), so a page with a problem the caller finds
is followed by at most one request; a page the reader itself cannot read on from (an error,
no `value` list, a link it will not follow) ends the reading there.

While pages are read the interpreter hands over between threads every 0.5 ms instead of every
5 ms: when a page arrives the caller wakes and takes the interpreter, and the reader, which
still has the next request to send, waited for it up to a whole interval — measured, 36 ms a
page instead of 32 at 25 ms of latency. And a page is handed to the caller only once the
request for the next one is on the wire (`wire.py`; at most HANDOFF later, where the
connection cannot say): the reader builds and sends it with the interpreter to itself, and
the caller works on the page while the reader waits for the network — 32 → 30 ms a page.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Generic, TypeVar

from reconciler.errors import GraphError
from reconciler.graph import wire

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    url: str
    answer: T
    #: Why the link to the next page was not followed (another host, a loop), or None.
    bad_link: GraphError | None
    last: bool


#: Seconds between thread switches while pages are read.
QUICK_SWITCH = 0.0005
#: The longest a page waits, once it has come, for the request for the next one to be sent.
HANDOFF = 0.005


class _QuickSwitching:
    """The switch interval, shortened while any reader runs and given back after the last."""

    _lock = threading.Lock()
    _readers = 0
    _saved = 0.0

    @classmethod
    def start(cls) -> None:
        with cls._lock:
            if cls._readers == 0:
                cls._saved = sys.getswitchinterval()
                sys.setswitchinterval(min(cls._saved, QUICK_SWITCH))
            cls._readers += 1

    @classmethod
    def end(cls) -> None:
        with cls._lock:
            cls._readers -= 1
            if cls._readers == 0:
                sys.setswitchinterval(cls._saved)


class PageReader(Generic[T]):
    """Iterate for the pages in order; `accept()` each one the caller is done with (the page
    after the next may then be asked for); `stop()` when leaving, early or not. `read` raises
    for a page that cannot be read on from; the error is raised to the caller in its place."""

    def __init__(
        self,
        url: str,
        read: Callable[[str], T],
        next_link: Callable[[str, T, set[str]], str | None],
    ) -> None:
        self._read = read
        self._next_link = next_link
        self._pages: queue.SimpleQueue[Page[T] | BaseException] = queue.SimpleQueue()
        # One permit: the second page is read while the caller has the first.
        self._ahead = threading.Semaphore(1)
        self._stopped = threading.Event()
        # How many requests the reader has sent (or finished trying to send).
        self._sent = 0
        self._sending = threading.Condition()
        self._thread = threading.Thread(
            target=self._run, args=(url,), name="graph-pages", daemon=True
        )
        _QuickSwitching.start()
        try:
            self._thread.start()
        except BaseException:  # no reader to stop later: the interval goes back now
            _QuickSwitching.end()
            raise

    def _run(self, url: str) -> None:
        seen: set[str] = set()
        first = True
        while True:
            if not first:
                self._ahead.acquire()
            first = False
            if self._stopped.is_set():
                return
            try:
                sent = partial(self._note_sent, len(seen) + 1)  # this page's number
                try:
                    with wire.when_sent(sent):
                        answer = self._read(url)
                finally:
                    sent()  # also when the connection could not say, or nothing was sent
                seen.add(url)
                try:
                    next_url, bad_link = self._next_link(url, answer, seen), None
                except GraphError as exc:  # the caller reports it after this page's problems
                    next_url, bad_link = None, exc
            except BaseException as exc:  # handed to the caller, raised there
                self._pages.put(exc)
                return
            self._pages.put(Page(url, answer, bad_link, last=next_url is None))
            if next_url is None:
                return
            url = next_url

    def _sent_past(self, number: int) -> bool:
        return self._sent > number

    def _note_sent(self, number: int) -> None:
        with self._sending:
            if number > self._sent:
                self._sent = number
                self._sending.notify_all()

    def __iter__(self) -> Iterator[Page[T]]:
        got = 0
        while True:
            page = self._pages.get()
            if isinstance(page, BaseException):
                raise page
            got += 1
            if not page.last:
                # The page before was accepted: the reader is sending the next request now.
                with self._sending:
                    self._sending.wait_for(partial(self._sent_past, got), timeout=HANDOFF)
            yield page
            if page.last:
                return

    def accept(self) -> None:
        self._ahead.release()

    def stop(self) -> None:
        """Let the reader go: it leaves after the request it is making, if any (a daemon
        thread: a slow answer never holds the process)."""
        if not self._stopped.is_set():
            self._stopped.set()
            _QuickSwitching.end()
        self._ahead.release()
