"""The state file: a JSON list of stored profiles, loaded at start, saved after writes and at stop."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from reconciler.emulator import Emulator
from reconciler.errors import ConfigError
from tests.emulator.emulator_helpers import CSV_PROFILE, POWERSCHOOL_PROFILE, Graph


def test_writes_are_saved_at_once_and_loaded_by_the_next_run(tmp_path: Path) -> None:
    state = tmp_path / "tenant.json"
    with Emulator(state_file=state, provisioning_delay=0) as first:
        graph = Graph(first.base_url)
        profile_id = graph.create(POWERSCHOOL_PROFILE)["id"]
        saved = json.loads(state.read_text(encoding="utf-8"))  # saved before stop
        assert [p["id"] for p in saved] == [profile_id]
        assert saved[0]["dataProvider"]["clientSecret"] == "ps-secret-value"
        assert stat.S_IMODE(state.stat().st_mode) == 0o600  # it holds secrets
        assert graph.post(f"/{profile_id}/pause").status_code == 200
    with Emulator(state_file=state) as second:
        graph = Graph(second.base_url)
        loaded = graph.get(f"/{profile_id}").json()
        assert loaded["state"] == "provisioned"
        assert loaded["displayName"] == POWERSCHOOL_PROFILE["displayName"]
        assert graph.get(f"/{profile_id}/profileStatus").json()["status"] == "paused"
        assert second.tenant.stored(profile_id)["dataProvider"]["clientSecret"] == "ps-secret-value"


def test_a_missing_file_starts_empty_and_stop_creates_it(tmp_path: Path) -> None:
    state = tmp_path / "new" / "tenant.json"
    with Emulator(state_file=state) as emu:
        assert Graph(emu.base_url).get().json()["value"] == []
        emu.tenant.seed_profile(CSV_PROFILE)  # not an HTTP write: saved at stop
    assert [p["displayName"] for p in json.loads(state.read_text(encoding="utf-8"))] == [
        CSV_PROFILE["displayName"]
    ]


def test_a_hand_written_file_in_graph_spelling_loads(tmp_path: Path) -> None:
    state = tmp_path / "tenant.json"
    profile = {
        "id": "11111111-2222-3333-4444-555555555555",
        "state": "provisioned",
        **CSV_PROFILE,
    }
    profile["dataProvider"] = {"@odata.type": "microsoft.graph.educationcsvdataprovider"}
    state.write_text(json.dumps([profile]), encoding="utf-8")
    with Emulator(state_file=state) as emu:
        loaded = Graph(emu.base_url).get(f"/{profile['id']}").json()
        assert loaded["dataProvider"]["@odata.type"] == "microsoft.graph.educationCsvDataProvider"
        assert len(loaded["dataProvider"]["customizations"]) == 6


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", "cannot read"),
        ('{"value": []}', "JSON list of profiles"),
        ('[{"displayName": "x"}]', "invalid stored profile"),
    ],
)
def test_a_broken_file_is_a_config_error(tmp_path: Path, content: str, words: str) -> None:
    state = tmp_path / "tenant.json"
    state.write_text(content, encoding="utf-8")
    emulator = Emulator(state_file=state)
    with pytest.raises(ConfigError, match=words):
        emulator.start()
    emulator.stop()
    assert state.read_text(encoding="utf-8") == content  # never overwritten
