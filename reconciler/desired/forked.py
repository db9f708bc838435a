"""Reading a big desired-state tree on every core: the files are split into contiguous runs,
each run after the first is read by a forked copy of this process, and the answers come back
pickled, in file order. Reading is pure CPU (Python holds one core whatever the threads), and
a district with 1,000 files waits for it on every `validate` and `plan`.

Only where it is safe and pays: Linux (fork, not spawn: the child already holds every module
and the kind models), no other thread running (a fork copies locks another thread may hold),
at least two cores, enough files. Anything unexpected in a child — it dies, is killed, answers
garbage — and the parent reads that run itself: the answer never depends on how it was read.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Fewer files than this are read in this process: a fork, and pickling the answer back, cost
#: about as much as reading 50 files.
MIN_FILES_PER_WORKER = 100
MAX_WORKERS = 4


def workers_for(items: int) -> int:
    """How many processes (this one included) should read `items` files."""
    if sys.platform != "linux" or not hasattr(os, "fork") or threading.active_count() > 1:
        return 1
    cores = len(os.sched_getaffinity(0))
    return max(1, min(cores, MAX_WORKERS, items // MIN_FILES_PER_WORKER))


def map_forked(
    fn: Callable[[T], R],
    items: Sequence[T],
    workers: int,
    *,
    shared: Callable[[Any], Hashable | None],
    restore: Callable[[Hashable], Any],
) -> list[R]:
    """`[fn(item) for item in items]`, the later runs in forked children. `shared` names the
    objects a child must not copy back (the kinds: the parent's own are put in their place by
    `restore`); it answers None for every other object."""
    if workers <= 1 or len(items) < 2:
        return [fn(item) for item in items]
    size = -(-len(items) // workers)
    runs = [items[i : i + size] for i in range(0, len(items), size)]
    children = [_start(fn, run, shared) for run in runs[1:]]
    try:
        results = [fn(item) for item in runs[0]]
        for run, child in zip(runs[1:], children, strict=True):
            answer = _collect(child, restore)
            results += answer if answer is not None else [fn(item) for item in run]
    finally:
        for child in children:
            _reap(child, kill=True)  # only those not collected: the parent is leaving early
    return results


class _Child:
    def __init__(self, pid: int, reader: int) -> None:
        self.pid = pid
        self.reader = reader
        self.reaped = False
        self.status = -1  # its exit code, once reaped


def _start(
    fn: Callable[[T], R], run: Sequence[T], shared: Callable[[Any], Hashable | None]
) -> _Child:
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child leaves by os._exit, before coverage can save
        # The child: read its run, send the answer, leave without any clean-up.
        status = 1
        try:
            os.close(reader)
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it; the parent reports
            buffer = io.BytesIO()
            _Pickler(buffer, shared).dump([fn(item) for item in run])
            with os.fdopen(writer, "wb") as out:
                out.write(buffer.getbuffer())
            status = 0
        finally:
            os._exit(status)  # no atexit handlers, no flush of the parent's copied buffers
    os.close(writer)
    return _Child(pid, reader)


def _collect(child: _Child, restore: Callable[[Hashable], Any]) -> list[Any] | None:
    """The child's answer, or None when it has none to give (the parent reads the run)."""
    with os.fdopen(child.reader, "rb") as source:
        data = source.read()
    _reap(child, kill=False)
    if child.status != 0 or not data:
        return None
    try:
        answer = _Unpickler(io.BytesIO(data), restore).load()
    except Exception:
        return None
    return answer if isinstance(answer, list) else None


def _reap(child: _Child, *, kill: bool) -> None:
    if child.reaped:
        return
    if kill:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child.pid, signal.SIGKILL)
    try:
        _, status = os.waitpid(child.pid, 0)
        child.status = os.waitstatus_to_exitcode(status)
    except ChildProcessError:
        child.status = -1
    child.reaped = True
    if kill:
        with contextlib.suppress(OSError):  # the parent may have closed it already
            os.close(child.reader)


class _Shared:
    """Stands, in a pickle, for the function that gives back a shared object by its name: the
    unpickler puts its `restore` in its place (`_Unpickler.find_class`)."""


class _Pickler(pickle.Pickler):
    """Shared objects are written by name. `reducer_override`, not `persistent_id`: the pickler
    asks persistent_id about every object, each string and number included, but
    reducer_override only about instances of classes it has no fast path for (a handful per
    file: objects, problems, kinds), which halves a child's pickling."""

    def __init__(self, file: io.BytesIO, shared: Callable[[Any], Hashable | None]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._shared = shared

    def reducer_override(self, obj: Any) -> Any:
        pid = self._shared(obj)
        return NotImplemented if pid is None else (_Shared, (pid,))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, restore: Callable[[Hashable], Any]) -> None:
        super().__init__(file)
        self._restore = restore

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == _Shared.__qualname__:
            return self._restore
        return super().find_class(module, name)
