"""Fixtures: an Industry Data client on the emulator of tests/emulator/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reconciler.emulator import Emulator
from tests.emulator.industrydata.idhelpers import IndustryGraph


@pytest.fixture
def idg(emu: Emulator) -> Iterator[IndustryGraph]:
    client = IndustryGraph(emu.base_url)
    yield client
    client.session.close()
