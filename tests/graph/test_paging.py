"""The page reader: pages in order, at most one page past the last one accepted, the next page
asked for as soon as one arrives, and a clean stop. (Over HTTP: `test_client.py`.)"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from reconciler.errors import GraphError
from reconciler.graph import paging, wire
from reconciler.graph.paging import PageReader


class Pages:
    """p1 … p{count}; each read is recorded, in the reader's thread."""

    def __init__(self, count: int, failing: str | None = None) -> None:
        self.count = count
        self.failing = failing
        self.asked: list[str] = []
        self.changed = threading.Condition()

    def read(self, url: str) -> str:
        with self.changed:
            self.asked.append(url)
            self.changed.notify_all()
        if url == self.failing:
            raise GraphError(method="GET", url=url, status=503, code="x", message="down")
        return f"answer {url}"

    def next_link(self, url: str, answer: str, seen: set[str]) -> str | None:
        assert url in seen and answer == f"answer {url}"
        number = int(url[1:])
        return f"p{number + 1}" if number < self.count else None

    def until_asked(self, count: int) -> list[str]:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.asked) >= count, timeout=10)
            return list(self.asked)


def test_one_page_ahead_of_what_was_accepted_never_more() -> None:
    pages = Pages(4)
    reader = PageReader("p1", pages.read, pages.next_link)
    try:
        seen = iter(reader)
        assert next(seen).url == "p1"
        assert pages.until_asked(2) == ["p1", "p2"]  # asked while p1 is still held
        time.sleep(0.05)
        assert pages.asked == ["p1", "p2"]  # but p3 waits for p1 to be accepted
        reader.accept()
        assert pages.until_asked(3) == ["p1", "p2", "p3"]
        rest = []
        for page in seen:
            rest.append((page.url, page.answer, page.last))
            reader.accept()
        assert rest == [
            ("p2", "answer p2", False),
            ("p3", "answer p3", False),
            ("p4", "answer p4", True),
        ]
    finally:
        reader.stop()


def test_a_failed_read_is_raised_in_its_place_and_stop_lets_the_thread_go() -> None:
    pages = Pages(5, failing="p3")
    reader = PageReader("p1", pages.read, pages.next_link)
    got = []
    with pytest.raises(GraphError, match="down"):
        for page in reader:
            got.append(page.url)
            reader.accept()
    reader.stop()
    assert got == ["p1", "p2"] and pages.asked == ["p1", "p2", "p3"]

    held = Pages(5)
    early = PageReader("p1", held.read, held.next_link)
    next(iter(early))
    held.until_asked(2)
    early.stop()  # leaving with p1 unaccepted: the reader ends without asking for p3
    early._thread.join(timeout=10)
    assert not early._thread.is_alive() and held.asked == ["p1", "p2"]


def test_a_link_not_followed_comes_with_its_page() -> None:
    refused = GraphError(
        method="GET", url="p1", status=200, code="UnexpectedNextLink", message="no"
    )

    def next_link(url: str, answer: str, seen: set[str]) -> str | None:
        raise refused

    reader = PageReader("p1", lambda url: url, next_link)
    try:
        (page,) = list(reader)
        assert page.bad_link is refused and page.last
    finally:
        reader.stop()


def test_threads_switch_quickly_while_any_reader_runs_and_as_before_after() -> None:
    from reconciler.graph.paging import QUICK_SWITCH

    before = sys.getswitchinterval()
    one = PageReader("p1", Pages(2).read, Pages(2).next_link)
    two = PageReader("p1", Pages(2).read, Pages(2).next_link)
    try:
        assert sys.getswitchinterval() == min(before, QUICK_SWITCH)
        one.stop()
        one.stop()  # twice: counted once
        assert sys.getswitchinterval() == min(before, QUICK_SWITCH)  # two still reads
    finally:
        one.stop()
        two.stop()
    assert sys.getswitchinterval() == before


def test_a_reader_thread_that_cannot_start_leaves_the_switch_interval_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No reader is returned, so nobody could stop it: the interval goes back at once."""
    before = sys.getswitchinterval()

    def cannot_start(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", cannot_start)
    with pytest.raises(RuntimeError, match="can't start new thread"):
        PageReader("p1", Pages(2).read, Pages(2).next_link)
    assert sys.getswitchinterval() == before


class SlowToSend(Pages):
    """Building and sending the request for p2 takes a while; its answer is held until
    released. What happened is recorded in order."""

    def __init__(self, *, says_sent: bool) -> None:
        super().__init__(2)
        self.says_sent = says_sent
        self.happened: list[str] = []
        self.release = threading.Event()

    def read(self, url: str) -> str:
        if url == "p2":
            time.sleep(0.2)  # a caller not waiting for the request would take p1 meanwhile
            if self.says_sent:
                self.happened.append("p2 sent")
                wire.request_sent()
            self.release.wait(10)
        return super().read(url)


@contextlib.contextmanager
def reading(
    pages: Pages, handoff: float, monkeypatch: pytest.MonkeyPatch
) -> Iterator[PageReader[str]]:
    """A page reader over `pages` that holds a page back at most `handoff` seconds."""
    monkeypatch.setattr(paging, "HANDOFF", handoff)
    reader = PageReader("p1", pages.read, pages.next_link)
    try:
        yield reader
    finally:
        if isinstance(pages, SlowToSend):
            pages.release.set()
        reader.stop()


def test_a_page_is_handed_over_once_the_request_for_the_next_is_on_the_wire(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pages = SlowToSend(says_sent=True)
    with reading(pages, 30.0, monkeypatch) as reader:
        started = time.monotonic()
        first = next(iter(reader))
        pages.happened.append(f"{first.url} handed over")
        assert pages.happened == ["p2 sent", "p1 handed over"]
        assert time.monotonic() - started < 10  # on the word "sent", not at HANDOFF


def test_a_connection_that_cannot_say_sent_holds_a_page_back_only_briefly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pages = SlowToSend(says_sent=False)
    with reading(pages, 0.05, monkeypatch) as reader:
        assert next(iter(reader)).url == "p1"  # while p2's request is still being made
        assert pages.asked == ["p1"] and not pages.release.is_set()


def test_a_request_that_fails_before_it_is_sent_holds_no_page_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pages = Pages(3, failing="p2")  # fails without a word of "sent"
    with reading(pages, 30.0, monkeypatch) as reader:
        started = time.monotonic()
        seen = iter(reader)
        assert next(seen).url == "p1"
        assert time.monotonic() - started < 10  # released by the failure, not at HANDOFF
        reader.accept()
        with pytest.raises(GraphError, match="down"):
            next(seen)
