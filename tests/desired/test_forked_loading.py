"""Reading a tree in forked processes gives exactly what reading it here gives: the same
objects (their kinds the registry's own), problems, digest and settings — valid trees and
broken ones alike — and a child that fails is made up for by the parent. Real forks."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest

from reconciler.desired import load_desired
from reconciler.desired.forked import map_forked, workers_for
from reconciler.desired.loader import DesiredState
from reconciler.kinds import REGISTRY

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="forked reading is for Linux"
)

ROOT = Path(__file__).resolve().parents[2]

BROKEN = {
    "bad-yaml.yaml": "displayName: [unclosed\n",
    "unknown-field.yaml": "displayName: U\ndataProviderr: {}\n",
    "empty.yaml": "",
    "wrong-type.yaml": "displayName: W\nlicensesToAssign: teacher\n",
    "edusync.yaml": "updateMethod: PATCH\nparallelism: 3\nignoreChanges: [expirationDate]\n",
}


def _tree(tmp_path: Path, copies: int, *, broken: bool) -> Path:
    root = tmp_path / "desired-state"
    root.mkdir()
    for i in range(copies):
        for source in sorted((ROOT / "desired-state").glob("*.yaml")):
            text = source.read_text().replace("displayName: ", f"displayName: C{i:03d} ", 1)
            (root / f"{i:03d}-{source.name}").write_text(text)
    for source in sorted((ROOT / "examples" / "industry-data").glob("*.yaml")):
        shutil.copy(source, root / f"zz-{source.name}")
    if broken:
        for name, text in BROKEN.items():
            (root / name).write_text(text)
        (root / "dup-a.yaml").write_text((root / "000-powerschool.yaml").read_text())
    return root


def _same(one: DesiredState, other: DesiredState) -> None:
    assert one.problems == other.problems
    assert one.objects == other.objects
    assert one.digest == other.digest
    assert one.settings == other.settings
    assert one.files == other.files
    for a, b in zip(one.objects, other.objects, strict=True):
        assert b.kind is REGISTRY[a.kind.name]  # restored, not copied


@pytest.mark.parametrize("broken", [False, True], ids=["valid", "broken"])
def test_forked_reading_equals_reading_here(tmp_path: Path, broken: bool) -> None:
    root = _tree(tmp_path, 20, broken=broken)
    here = load_desired(str(root), cwd=tmp_path, workers=1)
    forked = load_desired(str(root), cwd=tmp_path, workers=3)
    _same(here, forked)
    assert len(here.objects) > 60
    assert here.ok is (not broken)
    if broken:
        assert here.settings.parallelism == 3


def _held_back() -> None:
    """The parent's `meanwhile`: long enough for the children to take every run they will."""
    time.sleep(0.3)


def test_a_child_that_fails_is_made_up_for_by_the_parent(tmp_path: Path) -> None:
    parent = os.getpid()
    died = tmp_path / "died"

    def square(n: int) -> tuple[int, bool]:
        if os.getpid() != parent and n == 7:
            died.write_text(str(os.getpid()))
            os._exit(3)  # a child dying mid-run, as a crash or a kill would
        return n * n, os.getpid() == parent

    items = list(range(12))
    answer = map_forked(
        square, items, 3, shared=lambda _: None, restore=lambda _: None, meanwhile=_held_back
    )
    assert [n for n, _here in answer] == [n * n for n in items]
    assert died.exists()  # a child did take item 7, and died
    assert answer[7] == (49, True)  # …and the parent read its run again


def test_a_child_raising_is_made_up_for_too(tmp_path: Path) -> None:
    parent = os.getpid()
    raised = tmp_path / "raised"

    def check(n: int) -> int:
        if os.getpid() != parent:
            raised.write_text(str(n))
            raise RuntimeError("only the parent may answer")
        return -n

    answer = map_forked(
        check, [1, 2, 3, 4], 2, shared=lambda _: None, restore=lambda _: None, meanwhile=_held_back
    )
    assert answer == [-1, -2, -3, -4]
    assert raised.exists()  # the child took a run and failed on it


def test_an_error_in_the_parent_leaves_no_child_behind() -> None:
    def slow_child(n: int) -> int:
        threading.Event().wait(30)  # the child would take long: it must be killed, not awaited
        return n

    def fail() -> None:
        raise ValueError("the parent fails at once")

    before = _children()
    with pytest.raises(ValueError, match="the parent fails"):
        map_forked(
            slow_child, [1, 2], 2, shared=lambda _: None, restore=lambda _: None, meanwhile=fail
        )
    assert _children() == before  # killed and reaped: not running, not a zombie


def test_a_parent_busy_meanwhile_leaves_the_runs_to_the_children() -> None:
    """Runs are taken from a shared queue: while this process does its other work, the
    children read on, and the answer is still in order."""
    parent = os.getpid()
    children_started = threading.Event()

    def who(n: int) -> tuple[int, bool]:
        time.sleep(0.002)
        return n, os.getpid() == parent

    def busy() -> None:
        children_started.set()
        time.sleep(0.5)  # longer than the children need for every run

    items = list(range(300))
    answer = map_forked(
        who, items, 3, shared=lambda _: None, restore=lambda _: None, meanwhile=busy
    )
    assert children_started.is_set()
    assert [n for n, _here in answer] == items
    read_here = sum(here for _n, here in answer)
    assert read_here < len(items) // 3  # a fixed share would have been a third


def test_nothing_forked_nothing_done_meanwhile() -> None:
    """`meanwhile` is work worth doing beside the children (plan's imports); read here, the
    caller does it later if it needs it (a small plan that finds no drift never imports
    deepdiff)."""
    done: list[bool] = []
    answer = map_forked(
        lambda n: n + 1,
        [1, 2],
        1,
        shared=lambda _: None,
        restore=lambda _: None,
        meanwhile=lambda: done.append(True),
    )
    assert answer == [2, 3] and done == []


def test_each_item_is_read_once_whoever_reads_it(tmp_path: Path) -> None:
    """Many small runs over a few processes: each item read exactly once, by whichever process
    took its run (a run taken twice would be read twice), and answered in order."""
    log = tmp_path / "reads"
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)

    def read(n: int) -> str:
        os.write(fd, f"{n}\n".encode())  # one small appending write: whole, whoever writes
        return str(n)

    items = list(range(1000))
    try:
        answer = map_forked(read, items, 4, shared=lambda _: None, restore=lambda _: None)
    finally:
        os.close(fd)
    assert answer == [str(n) for n in items]
    assert sorted(int(line) for line in log.read_text().split()) == items


def _children() -> set[int]:
    """This process's child processes, running or not yet reaped (Linux /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == os.getpid():
            found.add(int(stat.parent.name))
    return found


def test_no_fork_while_another_thread_runs() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert workers_for(10_000) == 1
    finally:
        stop.set()
        thread.join()


def test_small_trees_are_read_here() -> None:
    assert workers_for(10) == 1


def test_a_child_whose_answer_will_not_pickle_is_made_up_for(tmp_path: Path) -> None:
    parent = os.getpid()

    def value(n: int) -> object:
        if os.getpid() != parent and n == 5:
            return lambda: n  # a child cannot send this back
        return n

    answer = map_forked(
        value,
        list(range(8)),
        2,
        shared=lambda _: None,
        restore=lambda _: None,
        meanwhile=_held_back,
    )
    assert answer == list(range(8))  # the parent read item 5 again, and could answer it


def test_frames_cut_off_garbled_or_not_fitting_their_run_are_left_out() -> None:
    """What the parent takes from a child's pipe: whole frames that unpickle to a run and as
    many answers as the run has items; anything else is left to the parent to read."""
    import pickle

    from reconciler.desired.forked import _LENGTH, _Answers, _Child

    def frame(data: bytes) -> bytes:
        return len(data).to_bytes(_LENGTH, "little") + data

    reader, writer = os.pipe()
    os.write(
        writer,
        frame(pickle.dumps((0, ["a"])))
        + frame(b"not a pickle")
        + frame(pickle.dumps((1, ["b"])))  # run 1 has two items
        + frame(pickle.dumps(("2", ["c"])))
        + frame(pickle.dumps((9, ["d"])))  # no such run
        + (100).to_bytes(_LENGTH, "little")
        + b"cut off",
    )
    os.close(writer)
    answers = _Answers(_Child(-1, reader), lambda _: None, [(0, 1), (1, 3), (3, 4)])
    assert list(answers.rest()) == [(0, ["a"])]
    assert list(answers.arrived()) == [] and list(answers.rest()) == []  # ended: nothing more


def _open_fds() -> set[str]:
    return {entry.name for entry in Path("/proc/self/fd").iterdir()}


def test_a_fork_the_system_refuses_leaves_the_reading_to_those_there_are(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The second fork of three hits a process limit (EAGAIN): the one child started and this
    process read everything; the refused fork's pipe is closed; nothing is left behind."""
    real_fork = os.fork
    forks: list[str] = []

    def limited_fork() -> int:
        if forks:
            forks.append("refused")
            raise BlockingIOError(11, "Resource temporarily unavailable")
        forks.append("made")
        return real_fork()

    monkeypatch.setattr(os, "fork", limited_fork)
    before_fds, before_children = _open_fds(), _children()
    items = list(range(300))
    answer = map_forked(
        lambda n: (n, os.getpid()), items, 3, shared=lambda _: None, restore=lambda _: None
    )
    assert [n for n, _pid in answer] == items
    assert forks == ["made", "refused"]  # no second try: the limit is there
    assert len({pid for _n, pid in answer}) <= 2
    assert _open_fds() == before_fds
    assert _children() == before_children


def test_no_fork_at_all_is_reading_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(os, "fork", no_fork)
    before_fds = _open_fds()
    answer = map_forked(
        lambda n: -n, list(range(50)), 4, shared=lambda _: None, restore=lambda _: None
    )
    assert answer == [-n for n in range(50)]
    assert _open_fds() == before_fds


def test_ctrl_c_right_after_a_fork_leaves_no_child_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C arriving in the parent as a fork returns, before the child is noted: it is held
    until the child is, then raised; the child is killed and reaped, its pipe closed."""
    real_fork = os.fork

    def fork_then_interrupted() -> int:
        pid = real_fork()
        if pid:
            os.kill(os.getpid(), signal.SIGINT)  # the parent's Ctrl-C, at the worst moment
        return pid

    def slow(n: int) -> int:
        threading.Event().wait(30)  # a child would take long: it must be killed
        return n

    monkeypatch.setattr(os, "fork", fork_then_interrupted)
    before_fds, before_children = _open_fds(), _children()
    with pytest.raises(KeyboardInterrupt):
        map_forked(slow, [1, 2, 3], 2, shared=lambda _: None, restore=lambda _: None)
    assert _children() == before_children
    assert _open_fds() == before_fds
    assert not signal.pthread_sigmask(signal.SIG_BLOCK, set())  # nothing left blocked
