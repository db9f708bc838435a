"""Fixtures: a running emulator on loopback (with a manual clock) and a Graph-like session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reconciler.emulator import Emulator
from tests.emulator.emulator_helpers import Graph, ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def emu(clock: ManualClock) -> Iterator[Emulator]:
    with Emulator(clock=clock) as emulator:
        yield emulator


@pytest.fixture
def graph(emu: Emulator) -> Iterator[Graph]:
    client = Graph(emu.base_url)
    yield client
    client.session.close()
