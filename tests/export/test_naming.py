"""File names and placeholder names derived from natural keys: valid, unique, stable."""

from __future__ import annotations

import re

import pytest

from reconciler.export.naming import (
    env_slug,
    file_slug,
    name_text,
    short_id,
    unique_stems,
    upper_snake,
)
from reconciler.kinds import KINDS


@pytest.mark.parametrize(
    ("text", "file", "env"),
    [
        (
            "Contoso PowerSchool 2025-26",
            "contoso-powerschool-2025-26",
            "CONTOSO_POWERSCHOOL_2025_26",
        ),
        ("Lycée Nord / Süd", "lycee-nord-sud", "LYCEE_NORD_SUD"),
        ("  --weird__name!!  ", "weird-name", "WEIRD_NAME"),
        ("日本語", "", ""),
    ],
)
def test_slugs(text: str, file: str, env: str) -> None:
    assert file_slug(text) == file
    assert env_slug(text) == env


@pytest.mark.parametrize(
    ("name", "expected"),
    [("clientSecret", "CLIENT_SECRET"), ("tokenUrl", "TOKEN_URL"), ("id", "ID")],
)
def test_upper_snake(name: str, expected: str) -> None:
    assert upper_snake(name) == expected


def test_name_text_reads_the_kinds_name_keys() -> None:
    kind = KINDS["synchronizationProfile"]
    assert name_text(kind, {"displayName": "Test Profile", "id": "x"}) == "Test Profile"


def test_a_flow_is_named_by_its_sets_name_and_its_type_not_by_ids() -> None:
    from reconciler.kinds.industry_data import WITH_INDUSTRY_DATA

    flow = {
        "id": "29960e61-0000-4000-8000-000000000001",
        "@odata.type": "#microsoft.graph.industryData.userProvisioningFlow",
        "flowSet": {"id": "89325c8d-0000-4000-8000-000000000002", "ref": "Contoso provisioning"},
    }
    text = name_text(WITH_INDUSTRY_DATA["provisioningFlow"], flow)
    assert text == "Contoso provisioning user"
    assert (file_slug(text), env_slug(text)) == (
        "contoso-provisioning-user",
        "CONTOSO_PROVISIONING_USER",
    )


def test_unique_stems_are_left_alone_when_unique() -> None:
    stems = unique_stems([("id-1", "Alpha"), ("id-2", "Beta")], for_env=False)
    assert stems == {"id-1": "alpha", "id-2": "beta"}


def test_a_shared_stem_gets_every_owners_short_id_so_adding_one_renames_nothing_else() -> None:
    ids = ["0b1c2d3e-aaaa-4bbb-8ccc-000000000001", "9f8e7d6c-aaaa-4bbb-8ccc-000000000002"]
    stems = unique_stems([(ids[0], "Contoso A"), (ids[1], "contoso-a")], for_env=False)
    assert stems == {ids[0]: "contoso-a-0b1c2d3e", ids[1]: "contoso-a-9f8e7d6c"}
    # Same input, other order: same answer (no counters).
    again = unique_stems([(ids[1], "contoso-a"), (ids[0], "Contoso A")], for_env=False)
    assert again == stems


def test_a_stem_already_taken_by_a_file_gets_the_id() -> None:
    stems = unique_stems([("ABCDEF12-0000", "Test Profile")], for_env=False, taken=["TEST-PROFILE"])
    assert stems == {"ABCDEF12-0000": "test-profile-abcdef12"}


def test_env_stems_are_valid_shell_names_even_without_ascii_letters() -> None:
    stems = unique_stems([("5e6f7a8b-1", "日本語"), ("1a2b", "2025 Sync")], for_env=True)
    for stem in stems.values():
        assert re.fullmatch(r"[A-Z0-9_]+", stem)
    assert stems["5e6f7a8b-1"] == "5E6F7A8B"
    assert short_id("") == "noid"


@pytest.mark.parametrize("name", ["CON", "prn", "Aux", "nul", "COM1", "com9", "LPT1", "lpt9"])
def test_windows_reserved_names_get_the_id(name: str) -> None:
    stems = unique_stems([("3b8f5c1e-6a2d", name)], for_env=False)
    assert stems == {"3b8f5c1e-6a2d": f"{name.lower()}-3b8f5c1e"}
    # Only whole reserved names: a longer one is a normal file name on Windows too.
    assert unique_stems([("x", f"{name} High")], for_env=False) == {"x": f"{name.lower()}-high"}
