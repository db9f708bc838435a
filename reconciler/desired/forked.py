"""Reading a big desired-state tree on every core: the files are cut into small runs that
this process and forked copies of it take one at a time from a shared queue (a pipe holding one
byte per run, as make's jobserver does); a child sends each run's answer, pickled, as soon as
it has it, and the answer is put together in file order. Reading is pure CPU (Python holds
one core whatever the threads), and a district with 1,000 files waits for it on every
`validate` and `plan`.

Taking runs as they go, rather than a fixed share each, lets this process do other work first
(`meanwhile`: `plan` imports the Graph client and the engine while the files are read) and the
children read more of the tree.

Only where it is safe and pays: Linux (fork, not spawn: the child already holds every module
and the kind models), no other thread running (a fork copies locks another thread may hold),
at least two cores, enough files. Anything unexpected in a child — it dies, is killed, answers
garbage — and the parent reads the runs that child took and did not answer for itself; a fork
the system refuses (a process limit) leaves the reading to those there are: the answer never
depends on how it was read.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import queue
import signal
import sys
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Fewer files than this are read in this process: a fork, and pickling the answer back, cost
#: about as much as reading 50 files.
MIN_FILES_PER_WORKER = 100
MAX_WORKERS = 4
#: Runs per tree: one byte names a run in the queue. Small runs keep every process busy to
#: the end; a run costs one read of the pipe.
MAX_RUNS = 256


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
    meanwhile: Callable[[], None] | None = None,
) -> list[R]:
    """`[fn(item) for item in items]`, runs of them read in forked children. `shared` names the
    objects a child must not copy back (the kinds: the parent's own are put in their place by
    `restore`); it answers None for every other object. `meanwhile` is done by this process
    once the children are reading; when nothing is forked it is not done at all (it is work
    the caller would do later anyway, or not need)."""
    if workers <= 1 or len(items) < 2:
        return [fn(item) for item in items]
    runs = _runs(len(items))
    tokens, tokens_in = os.pipe()
    os.write(tokens_in, bytes(range(len(runs))))  # well under a pipe's buffer: never blocks
    os.close(tokens_in)  # the children inherit only the reading end: empty means done
    children: list[_Child] = []
    answers: list[_Answers] = []
    try:
        for _ in range(workers - 1):
            with _interrupts_held() as usual:
                child = _start(fn, items, runs, tokens, shared, usual)
                if child is not None:
                    children.append(child)  # before a Ctrl-C can leave it unknown
            if child is None:  # the system would not fork one more: read with those there are
                break
        # Threads only now, every fork made.
        for child in children:
            answers.append(_Answers(child, restore, runs))
        if meanwhile is not None:
            meanwhile()
        done: dict[int, list[R]] = {}
        for run in _taken(tokens):
            done[run] = _read_run(fn, items, runs[run])
            for arriving in answers:  # taken in between, not all at the end
                done.update(arriving.arrived())
        for arriving in answers:
            done.update(arriving.rest())
        for child in children:
            _reap(child, kill=False)
        results: list[R] = []
        for run, bounds in enumerate(runs):
            # A run a failed child had taken is read here.
            results += done[run] if run in done else _read_run(fn, items, bounds)
        return results
    finally:
        os.close(tokens)
        for child in children[len(answers) :]:
            os.close(child.reader)  # the parent left before this pipe had its reader thread
        for child in children:
            _reap(child, kill=True)  # only those not collected: the parent is leaving early


def _runs(count: int) -> list[tuple[int, int]]:
    """[start, stop) of each run, in order."""
    size = -(-count // MAX_RUNS)
    return [(start, min(start + size, count)) for start in range(0, count, size)]


def _read_run(fn: Callable[[T], R], items: Sequence[T], bounds: tuple[int, int]) -> list[R]:
    start, stop = bounds
    return [fn(item) for item in items[start:stop]]


def _taken(tokens: int) -> Iterator[int]:
    """The runs this process takes from the queue, one at a time, until it is empty (a read
    of one byte from a pipe is whole: no two processes get the same run)."""
    while taken := os.read(tokens, 1):
        yield taken[0]


class _Child:
    def __init__(self, pid: int, reader: int) -> None:
        self.pid = pid
        self.reader = reader
        self.reaped = False


def _start(
    fn: Callable[[T], R],
    items: Sequence[T],
    runs: list[tuple[int, int]],
    tokens: int,
    shared: Callable[[Any], Hashable | None],
    usual: Iterable[int | signal.Signals],
) -> _Child | None:
    """A child reading runs, or None when the system will not fork one (a limit on processes,
    or memory: EAGAIN, ENOMEM). `usual`: the signal mask the child goes back to."""
    reader, writer = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(reader)
        os.close(writer)
        return None
    if pid == 0:  # pragma: no cover - the child leaves by os._exit, before coverage can save
        # The child: read the runs it takes, send each one's answer as soon as it has it (a
        # frame: its length, then the pickle), leave without any clean-up.
        status = 1
        try:
            os.close(reader)
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it; the parent reports
            signal.pthread_sigmask(signal.SIG_SETMASK, usual)
            with os.fdopen(writer, "wb") as out:
                for run in _taken(tokens):
                    buffer = io.BytesIO()
                    answer = _read_run(fn, items, runs[run])
                    _Pickler(buffer, shared).dump((run, answer))
                    out.write(len(buffer.getbuffer()).to_bytes(_LENGTH, "little"))
                    out.write(buffer.getbuffer())
                    out.flush()
            status = 0
        finally:
            os._exit(status)  # no atexit handlers, no flush of the parent's copied buffers
    os.close(writer)
    return _Child(pid, reader)


@contextlib.contextmanager
def _interrupts_held() -> Iterator[set[int | signal.Signals]]:
    """Ctrl-C held back (blocked, not lost) while a child is forked and noted: one that came
    in between would leave a child the parent does not know of, never killed or reaped. The
    usual mask is given to the child, which goes back to it."""
    usual = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield usual
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, usual)


#: Bytes of a frame's length.
_LENGTH = 8


class _Answers:
    """One child's answers, read off its pipe by a thread as they come: the pipe never fills
    (a run's answer is bigger than its buffer), so the child never waits while this process
    reads files of its own, and they are unpickled in between rather than all at the end. A
    frame that is cut off, will not unpickle or does not fit its run is left out: the parent
    reads that run itself. The thread owns the pipe, and closes it."""

    def __init__(
        self, child: _Child, restore: Callable[[Hashable], Any], runs: list[tuple[int, int]]
    ) -> None:
        self._restore = restore
        self._runs = runs
        self._frames: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._ended = False
        thread = threading.Thread(
            target=self._read, args=(child.reader,), name="forked-answers", daemon=True
        )
        thread.start()

    def _read(self, reader: int) -> None:
        with os.fdopen(reader, "rb") as source:
            while len(head := source.read(_LENGTH)) == _LENGTH:
                # A frame the child died writing is cut off: it will not unpickle.
                self._frames.put(source.read(int.from_bytes(head, "little")))
        self._frames.put(None)

    def arrived(self) -> Iterator[tuple[int, list[Any]]]:
        """The answers that have come so far."""
        while not self._ended:
            try:
                frame = self._frames.get_nowait()
            except queue.Empty:
                return
            yield from self._answer(frame)

    def rest(self) -> Iterator[tuple[int, list[Any]]]:
        """Every answer still to come, until the child has closed its end (done or dead)."""
        while not self._ended:
            yield from self._answer(self._frames.get())

    def _answer(self, frame: bytes | None) -> Iterator[tuple[int, list[Any]]]:
        if frame is None:
            self._ended = True
            return
        try:
            answer = _Unpickler(io.BytesIO(frame), self._restore).load()
            run, results = answer
        except Exception:
            return
        if (
            isinstance(run, int)
            and 0 <= run < len(self._runs)
            and isinstance(results, list)
            and len(results) == self._runs[run][1] - self._runs[run][0]
        ):
            yield run, results


def _reap(child: _Child, *, kill: bool) -> None:
    """Wait for the child to end (its exit code says nothing its answers do not: a run it did
    not answer for is read by the parent either way)."""
    if child.reaped:
        return
    if kill:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child.pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(child.pid, 0)
    child.reaped = True


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
