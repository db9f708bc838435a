"""Microsoft's own create examples (seeds 001 and 004) against the emulator over HTTP, and the
`@odata.type` spellings each kind of response uses (graph-sds-api.md §3.2)."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest

from reconciler.emulator import Emulator
from tests.emulator.emulator_helpers import (
    CSV_PROFILE,
    ONEROSTER_PROFILE,
    Graph,
    ManualClock,
    body,
    load_seed,
)

LICENSE_TYPE = "microsoft.graph.educationSynchronizationLicenseAssignment"


def without_id(profile: dict[str, Any]) -> dict[str, Any]:
    uuid.UUID(profile["id"])  # a GUID is there, whatever its value
    return {k: v for k, v in profile.items() if k != "id"}


def test_seed_001_request_gets_seed_001_response(graph: Graph) -> None:
    response = graph.post(json=load_seed("001_create_request.json"))
    assert response.status_code == 201
    assert response.headers["Content-Type"].startswith("application/json")
    assert without_id(response.json()) == without_id(load_seed("001_create_response.json"))


def test_seed_004_request_agrees_with_seed_004_where_the_seeds_agree(graph: Graph) -> None:
    response = graph.post(json=load_seed("004_create_request.json"))
    assert response.status_code == 201
    got = without_id(response.json())
    seed = without_id(load_seed("004_create_response.json"))
    # Everything outside customizations and license annotations is identical, including the
    # canonical respelling of the request's all-lower-case "#microsoft.graph.educationcsvdataprovider".
    assert {k: v for k, v in got.items() if k not in ("dataProvider", "licensesToAssign")} == {
        k: v for k, v in seed.items() if k not in ("dataProvider", "licensesToAssign")
    }
    assert got["dataProvider"]["@odata.type"] == seed["dataProvider"]["@odata.type"]
    assert [
        {k: v for k, v in item.items() if k != "@odata.type"} for item in seed["licensesToAssign"]
    ] == got["licensesToAssign"]
    got_slots = got["dataProvider"]["customizations"]
    seed_slots = seed["dataProvider"]["customizations"]
    for name, seed_slot in seed_slots.items():
        for field in ("isSyncDeferred", "allowDisplayNameUpdate"):
            assert got_slots[name][field] == seed_slot[field]
        if seed_slot["optionalPropertiesToSync"]:
            assert (
                got_slots[name]["optionalPropertiesToSync"] == seed_slot["optionalPropertiesToSync"]
            )


def test_seed_004_differences_follow_seed_001_as_the_contract_says(graph: Graph) -> None:
    """Documented differences: seed 004 (older rendering) has no school/section slots, puts
    synchronizationStartDate and `optionalPropertiesToSync: []` everywhere and annotates license
    items in the create response. The emulator follows seed 001 on all three."""
    got = graph.post(json=load_seed("004_create_request.json")).json()
    seed = load_seed("004_create_response.json")
    got_slots = got["dataProvider"]["customizations"]
    assert "school" not in seed["dataProvider"]["customizations"]
    assert {"school", "section"} <= set(got_slots)
    assert "synchronizationStartDate" in seed["dataProvider"]["customizations"]["student"]
    assert "synchronizationStartDate" not in got_slots["student"]
    assert "optionalPropertiesToSync" not in got_slots["teacherRoster"]
    assert "@odata.type" in seed["licensesToAssign"][0]
    assert "@odata.type" not in got["licensesToAssign"][0]


PROVIDER_SPELLINGS = [
    "#Microsoft.Education.DataSync.educationCsvDataProvider",
    "#microsoft.graph.educationCsvDataProvider",
    "microsoft.graph.educationCsvDataProvider",
    "#microsoft.graph.educationcsvdataprovider",
    "microsoft.graph.educationcsvdataprovider",
    "#microsoft.graph.csvDataProvider",
]
IDENTITY_SPELLINGS = [
    "#Microsoft.Education.DataSync.educationIdentityCreationConfiguration",
    "#microsoft.graph.educationIdentityCreationConfiguration",
    "#microsoft.graph.educationidentitycreationconfiguration",
    "#microsoft.graph.identityCreationConfiguration",
]


@pytest.mark.parametrize("spelling", PROVIDER_SPELLINGS)
def test_every_documented_provider_spelling_is_accepted(graph: Graph, spelling: str) -> None:
    sent = copy.deepcopy(CSV_PROFILE)
    sent["dataProvider"]["@odata.type"] = spelling
    created = graph.create(sent)
    assert created["dataProvider"]["@odata.type"] == "#microsoft.graph.educationCsvDataProvider"


@pytest.mark.parametrize("spelling", IDENTITY_SPELLINGS)
def test_every_documented_identity_spelling_is_accepted(graph: Graph, spelling: str) -> None:
    sent = copy.deepcopy(CSV_PROFILE)
    sent["identitySynchronizationConfiguration"]["@odata.type"] = spelling
    created = graph.create(sent)
    expected = "#microsoft.graph.educationIdentityCreationConfiguration"
    assert created["identitySynchronizationConfiguration"]["@odata.type"] == expected


@pytest.mark.parametrize(
    ("provider", "expected"),
    [
        ("#microsoft.graph.powerSchoolDataProvider", "educationPowerSchoolDataProvider"),
        ("microsoft.graph.educationoneRosterApiDataProvider", "educationOneRosterApiDataProvider"),
    ],
)
def test_legacy_and_misspelled_provider_names(graph: Graph, provider: str, expected: str) -> None:
    sent = copy.deepcopy(ONEROSTER_PROFILE)
    if expected == "educationPowerSchoolDataProvider":
        sent["dataProvider"] = {"connectionUrl": "https://ps", "clientId": "c", "clientSecret": "s"}
    sent["dataProvider"]["@odata.type"] = provider
    created = graph.create(sent)
    assert created["dataProvider"]["@odata.type"] == f"#microsoft.graph.{expected}"


def test_matching_configuration_legacy_name(graph: Graph) -> None:
    sent = body(
        CSV_PROFILE,
        identitySynchronizationConfiguration={
            "@odata.type": "#microsoft.graph.identityMatchingConfiguration",
            "matchingOptions": [
                {
                    "appliesTo": "teacher",
                    "sourcePropertyName": "Username",
                    "targetPropertyName": "userPrincipalName",
                }
            ],
        },
    )
    created = graph.create(sent)
    assert created["identitySynchronizationConfiguration"]["@odata.type"] == (
        "#microsoft.graph.educationIdentityMatchingConfiguration"
    )


def test_read_responses_spell_types_without_hash_and_annotate_licenses(
    graph: Graph, clock: ManualClock
) -> None:
    created = graph.create(load_seed("001_create_request.json"))
    profile_id = created["id"]
    clock.advance(1)
    item = graph.get(f"/{profile_id}").json()
    listed = graph.get().json()["value"][0]
    replaced = graph.put(f"/{profile_id}", json=load_seed("001_create_request.json")).json()
    patched = graph.patch(f"/{profile_id}", json={"displayName": "Renamed"}).json()
    for view in (item, listed, replaced, patched):
        assert view["dataProvider"]["@odata.type"] == "microsoft.graph.educationCsvDataProvider"
        assert view["identitySynchronizationConfiguration"]["@odata.type"] == (
            "microsoft.graph.educationIdentityCreationConfiguration"
        )
        assert [lic["@odata.type"] for lic in view["licensesToAssign"]] == [LICENSE_TYPE] * 2
        assert view["id"] == profile_id
    # Apart from the spellings, GET shows what the create response showed.
    assert as_create_response(item) == created | {"state": "provisioned"}


def as_create_response(view: dict[str, Any]) -> dict[str, Any]:
    """A read view respelled the way the create response spells it."""
    out = {k: v for k, v in copy.deepcopy(view).items() if k != "@odata.context"}
    for member in ("dataProvider", "identitySynchronizationConfiguration"):
        out[member]["@odata.type"] = "#" + out[member]["@odata.type"]
    for item in out.get("licensesToAssign", []):
        del item["@odata.type"]
    return out


def test_item_get_carries_its_context_and_list_its_own(emu: Emulator, graph: Graph) -> None:
    profile_id = graph.create(CSV_PROFILE)["id"]
    item = graph.get(f"/{profile_id}").json()
    assert item["@odata.context"] == (
        f"{emu.base_url}/$metadata#education/synchronizationProfiles/$entity"
    )
    listing = graph.get().json()
    assert (
        listing["@odata.context"] == f"{emu.base_url}/$metadata#education/synchronizationProfiles"
    )
    assert "@odata.context" not in listing["value"][0]
    assert "@odata.nextLink" not in listing


def test_oneroster_connection_settings_are_respelled_per_response(graph: Graph) -> None:
    created = graph.create(ONEROSTER_PROFILE)
    settings_type = "educationSynchronizationOAuth2ClientCredentialsConnectionSettings"
    assert (
        created["dataProvider"]["connectionSettings"]["@odata.type"]
        == f"#microsoft.graph.{settings_type}"
    )
    item = graph.get(f"/{created['id']}").json()
    assert (
        item["dataProvider"]["connectionSettings"]["@odata.type"]
        == f"microsoft.graph.{settings_type}"
    )
