"""The cycle collector's pauses: paused while a tree is built, running again after (also when
building fails), and what was built set aside for good only in a batch run — never in a test
session or a server, where cyclic garbage of their own would be kept forever."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from reconciler.collector import collect_as_usual, collect_less_often, collector_paused


@pytest.fixture
def restored() -> Iterator[None]:
    usual, enabled = gc.get_threshold(), gc.isenabled()
    yield
    collect_as_usual()  # no longer a batch run: later tests must not freeze what they make
    gc.set_threshold(*usual)
    gc.unfreeze()  # what a test froze goes back to the collector
    if enabled:
        gc.enable()


def _tree(size: int) -> list[dict[str, list[int]]]:
    return [{"members": [n]} for n in range(size)]


def test_outside_a_batch_run_the_collector_runs_again_after_and_freezes_nothing(
    restored: None,
) -> None:
    collect_as_usual()
    frozen = gc.get_freeze_count()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            built = _tree(1000)
        assert not gc.isenabled()  # a nested pause ends nothing
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    assert len(built) == 1000


def test_a_batch_run_sets_what_it_built_aside_once_the_outermost_pause_ends(
    restored: None,
) -> None:
    collect_less_often()
    frozen = gc.get_freeze_count()
    with collector_paused():
        with collector_paused():
            built = _tree(5000)
        assert gc.get_freeze_count() == frozen  # not at the inner pause's end
    assert gc.isenabled()
    assert gc.get_freeze_count() >= frozen + 5000  # each object and list built, at least
    assert len(built) == 5000


def test_a_failure_while_paused_leaves_the_collector_running(restored: None) -> None:
    collect_less_often()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("reading failed")
    assert gc.isenabled()
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()  # paused by someone else before: left as it was
