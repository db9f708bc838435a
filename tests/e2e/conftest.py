"""End-to-end fixtures: the built-in emulator on loopback and a desired-state tree pointing at it."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator import Emulator

TOKEN = "e2e-opaque-token"
SECRETS = {
    "POWERSCHOOL_CLIENT_SECRET": "ps-secret-value-1234",
    "ONEROSTER_CLIENT_SECRET": "or-secret-value-5678",
}
SAMPLE = Path(__file__).resolve().parents[2] / "desired-state"


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(token=TOKEN, page_size=2, provisioning_delay=0.05) as emu:
        yield emu


@pytest.fixture
def graph_env(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    for name in (
        "AZURE_CLIENT_ID",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_SECRET",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "EDUSYNC_FORMAT",
        "EDUSYNC_UPDATE_METHOD",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EDUSYNC_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("EDUSYNC_GRAPH_URL", emulator.base_url)
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    return emulator


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped sample tree, as ./desired-state of a fresh working directory."""
    target = tmp_path / "desired-state"
    shutil.copytree(SAMPLE, target)
    monkeypatch.chdir(tmp_path)
    return target


@pytest.fixture
def id_district(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, graph_env: Emulator) -> Path:
    """The Industry Data sample district (examples/industry-data) as ./desired-state, its
    secrets set, the emulator answering."""
    from tests.kinds.idkinds import ENV, SAMPLES

    target = tmp_path / "desired-state"
    shutil.copytree(SAMPLES, target)
    monkeypatch.chdir(tmp_path)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    return target


def converged(cli: Callable[..., Any], root: Path, *extra: str) -> None:
    """`apply` succeeds, and a plan right after has nothing to do."""
    applied = cli("apply", str(root), "--auto-approve", *extra)
    assert applied.code == 0, applied.out + applied.err
    again = cli("plan", str(root), "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert "No changes" in again.out
