"""The tenant's state logic without HTTP: defaults, validation, lifecycle, secrets, persistence."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from reconciler.emulator import GraphFault, Tenant
from tests.emulator.emulator_helpers import (
    CSV_PROFILE,
    ONEROSTER_PROFILE,
    POWERSCHOOL_PROFILE,
    ManualClock,
    body,
    load_seed,
)

SLOT_BOOLEANS = {"isSyncDeferred": False, "allowDisplayNameUpdate": False}


@pytest.fixture
def tenant(clock: ManualClock) -> Tenant:
    return Tenant(provisioning_delay=0.2, clock=clock)


def fault_of(call: Any, *args: Any) -> GraphFault:
    with pytest.raises(GraphFault) as caught:
        call(*args)
    return caught.value


# -- server-filled defaults (seed 001) ------------------------------------------------------------


def test_create_fills_all_six_customization_slots_like_seed_001(tenant: Tenant) -> None:
    created = tenant.create(load_seed("001_create_request.json"))
    expected = load_seed("001_create_response.json")["dataProvider"]["customizations"]
    assert created["dataProvider"]["customizations"] == expected
    assert list(created["dataProvider"]["customizations"]) == [
        "school",
        "section",
        "student",
        "teacher",
        "studentEnrollment",
        "teacherRoster",
    ]


def test_provider_without_customizations_gets_every_default_slot(tenant: Tenant) -> None:
    created = tenant.create(POWERSCHOOL_PROFILE)
    slots = created["dataProvider"]["customizations"]
    assert slots["school"] == SLOT_BOOLEANS
    assert slots["student"] == SLOT_BOOLEANS
    assert slots["teacherRoster"] == SLOT_BOOLEANS
    assert slots["section"]["optionalPropertiesToSync"] == ["Term Name", "Course Number", "Periods"]
    assert len(slots["teacher"]["optionalPropertiesToSync"]) == 7
    assert slots["studentEnrollment"] == {
        "synchronizationStartDate": "0001-01-01T00:00:00Z",
        **SLOT_BOOLEANS,
    }


def test_a_sent_slot_keeps_its_fields_and_only_missing_booleans_are_defaulted(
    tenant: Tenant,
) -> None:
    provider = {
        "@odata.type": "#microsoft.graph.educationCsvDataProvider",
        "customizations": {
            "teacher": {"optionalPropertiesToSync": [], "isSyncDeferred": True},
            "studentEnrollment": {"optionalPropertiesToSync": None},
        },
    }
    slots = tenant.create(body(CSV_PROFILE, dataProvider=provider))["dataProvider"][
        "customizations"
    ]
    assert slots["teacher"] == {
        "optionalPropertiesToSync": [],
        "isSyncDeferred": True,
        "allowDisplayNameUpdate": False,
    }
    # A sent slot gets no synchronizationStartDate: seed 001's student slot has none.
    assert slots["studentEnrollment"] == {"optionalPropertiesToSync": None, **SLOT_BOOLEANS}


def test_optional_top_level_values_are_echoed_only_when_set(tenant: Tenant) -> None:
    plain = tenant.create(CSV_PROFILE)
    assert "expirationDate" not in plain
    assert "handleSpecialCharacterConstraint" not in plain
    nulls = tenant.create(body(CSV_PROFILE, expirationDate=None))
    assert "expirationDate" not in nulls
    powerschool = tenant.create(POWERSCHOOL_PROFILE)
    assert powerschool["expirationDate"] == "2025-06-30"
    assert powerschool["handleSpecialCharacterConstraint"] is True


def test_enum_members_are_stored_in_graphs_case(tenant: Tenant) -> None:
    licenses = [{"appliesTo": "Teacher", "skuIds": ["A"]}]
    created = tenant.create(body(CSV_PROFILE, licensesToAssign=licenses))
    assert created["licensesToAssign"] == [{"appliesTo": "teacher", "skuIds": ["A"]}]


# -- secrets ----------------------------------------------------------------------------------


@pytest.mark.parametrize("template", [POWERSCHOOL_PROFILE, ONEROSTER_PROFILE])
def test_secrets_are_stored_but_never_returned(tenant: Tenant, template: dict[str, Any]) -> None:
    created = tenant.create(template)
    views = [created, tenant.get(created["id"]), tenant.list_page().items[0]]
    for view in views:
        assert "secret-value" not in repr(view)
        assert "clientSecret" not in repr(view)
    stored = tenant.stored(created["id"])
    assert "secret-value" in repr(stored)


def test_oneroster_connection_settings_keep_their_non_secret_members(tenant: Tenant) -> None:
    created = tenant.get(tenant.create(ONEROSTER_PROFILE)["id"])
    settings = created["dataProvider"]["connectionSettings"]
    assert settings == {
        "@odata.type": "microsoft.graph.educationSynchronizationOAuth2ClientCredentialsConnectionSettings",
        "clientId": "or-client",
        "tokenUrl": "https://oneroster.example.edu/token",
        "scope": "roster.readonly",
    }


# -- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (
            {"displayNme": "x"},
            "displayNme",
            "unknown property of educationSynchronizationProfile (did you mean 'displayName'?)",
        ),
        ({"state": "provisioned"}, "state", "read-only"),
        ({"profileStatus": {"status": "paused"}}, "profileStatus", "read-only"),
        ({"errors": []}, "errors", "read-only"),
        ({"id": "86904b1e-c7d0-4ead-b13a-98f11fc400ee"}, "id", "read-only"),
        ({"@odata.etag": "W/1"}, "@odata.etag", "annotations are not accepted"),
        ({"displayName": 7}, "displayName", "must be a string, not a number"),
        ({"displayName": "  "}, "displayName", "cannot be empty"),
        (
            {"handleSpecialCharacterConstraint": "yes"},
            "handleSpecialCharacterConstraint",
            "boolean",
        ),
        ({"expirationDate": "2025-02-30"}, "expirationDate", "Edm.Date"),
        ({"expirationDate": "30/06/2025"}, "expirationDate", "Edm.Date"),
        ({"licensesToAssign": {"appliesTo": "teacher"}}, "licensesToAssign", "must be an array"),
        (
            {"licensesToAssign": [{"appliesTo": "teacher", "skuIds": "abc"}]},
            "licensesToAssign[0].skuIds",
            "array of strings",
        ),
        (
            {"licensesToAssign": [{"appliesTo": "principal", "skuIds": []}]},
            "licensesToAssign[0].appliesTo",
            "must be one of student, teacher",
        ),
        (
            {"licensesToAssign": [{"appliesTo": "teacher", "skuIds": [], "sku": 1}]},
            "licensesToAssign[0].sku",
            "unknown property",
        ),
        (
            {"licensesToAssign": [{"@odata.type": "#microsoft.graph.x", "appliesTo": "teacher"}]},
            "licensesToAssign[0].@odata.type",
            "does not name educationSynchronizationLicenseAssignment",
        ),
        (
            {"dataProvider": {"customizations": {}}},
            "dataProvider",
            "@odata.type is required (educationSynchronizationDataProvider is abstract)",
        ),
        (
            {"dataProvider": {"@odata.type": "#microsoft.graph.educationExcelDataProvider"}},
            "dataProvider.@odata.type",
            "unknown type '#microsoft.graph.educationExcelDataProvider'",
        ),
        (
            {
                "dataProvider": {
                    "@odata.type": "microsoft.graph.educationSynchronizationDataProvider"
                }
            },
            "dataProvider.@odata.type",
            "unknown type",
        ),
        (
            {
                "dataProvider": {
                    "@odata.type": "#microsoft.graph.educationCsvDataProvider",
                    "customizations": {"student": {"optionalPropertiesToSyn": []}},
                }
            },
            "dataProvider.customizations.student.optionalPropertiesToSyn",
            "did you mean 'optionalPropertiesToSync'?",
        ),
        (
            {
                "dataProvider": {
                    "@odata.type": "#microsoft.graph.educationCsvDataProvider",
                    "customizations": {"guardian": {}},
                }
            },
            "dataProvider.customizations.guardian",
            "unknown property of educationSynchronizationCustomizations",
        ),
        (
            {
                "dataProvider": {
                    "@odata.type": "#microsoft.graph.educationCsvDataProvider",
                    "customizations": {"student": {"synchronizationStartDate": "2024-09-01"}},
                }
            },
            "dataProvider.customizations.student.synchronizationStartDate",
            "DateTimeOffset",
        ),
        (
            {
                "dataProvider": {
                    "@odata.type": "#microsoft.graph.educationCsvDataProvider",
                    "connectionUrl": "https://x",
                }
            },
            "dataProvider.connectionUrl",
            "unknown property of educationCsvDataProvider",
        ),
        (
            {"identitySynchronizationConfiguration": {"userDomains": []}},
            "identitySynchronizationConfiguration",
            "@odata.type is required",
        ),
    ],
)
def test_invalid_bodies_name_the_offending_member(
    tenant: Tenant, change: dict[str, Any], path: str, words: str
) -> None:
    fault = fault_of(tenant.create, body(CSV_PROFILE, **change))
    assert fault.status == 400
    assert fault.code == "ModelValidationFailed"
    assert f"{path}: " in fault.message
    assert words in fault.message
    assert tenant.ids() == []


def test_connection_settings_need_their_type(tenant: Tenant) -> None:
    provider = dict(ONEROSTER_PROFILE["dataProvider"])
    provider["connectionSettings"] = {"clientId": "x", "clientSecret": "y"}
    fault = fault_of(tenant.create, body(ONEROSTER_PROFILE, dataProvider=provider))
    assert "dataProvider.connectionSettings: @odata.type is required" in fault.message
    assert "educationSynchronizationConnectionSettings is abstract" in fault.message


@pytest.mark.parametrize(
    "missing", ["displayName", "dataProvider", "identitySynchronizationConfiguration"]
)
def test_create_and_put_need_the_required_members(tenant: Tenant, missing: str) -> None:
    incomplete = body(CSV_PROFILE)
    del incomplete[missing]
    assert f"{missing}: is required" in fault_of(tenant.create, incomplete).message
    profile_id = tenant.seed_profile(CSV_PROFILE)
    assert f"{missing}: is required" in fault_of(tenant.replace, profile_id, incomplete).message


def test_every_problem_is_reported_at_once(tenant: Tenant) -> None:
    message = fault_of(tenant.create, {"state": "x", "colour": "red"}).message
    for part in ("state: ", "colour: ", "displayName: ", "dataProvider: "):
        assert part in message


def test_body_must_be_an_object(tenant: Tenant) -> None:
    assert "must be a JSON object, not an array" in fault_of(tenant.create, []).message


def test_odata_type_and_context_on_non_polymorphic_objects_are_accepted(tenant: Tenant) -> None:
    # Seed 002 annotates the root and every license item; GET output carries @odata.context.
    annotated = body(
        CSV_PROFILE,
        licensesToAssign=[
            {
                "@odata.type": "microsoft.graph.educationSynchronizationLicenseAssignment",
                "appliesTo": "teacher",
                "skuIds": ["A"],
            }
        ],
    )
    annotated["@odata.type"] = "#microsoft.graph.educationSynchronizationProfile"
    annotated["@odata.context"] = "https://graph.microsoft.com/beta/$metadata#x"
    created = tenant.create(annotated)
    assert created["licensesToAssign"] == [{"appliesTo": "teacher", "skuIds": ["A"]}]
    assert "@odata.context" not in tenant.stored(created["id"])


# -- lifecycle ----------------------------------------------------------------------------------


def test_provisioning_settles_after_the_delay(tenant: Tenant, clock: ManualClock) -> None:
    created = tenant.create(CSV_PROFILE)
    assert created["state"] == "provisioning"
    assert tenant.profile_status(created["id"])["status"] is None
    clock.advance(0.19)
    assert tenant.get(created["id"])["state"] == "provisioning"
    clock.advance(0.02)
    assert tenant.get(created["id"])["state"] == "provisioned"
    assert tenant.profile_status(created["id"])["status"] == "inProgress"


def test_put_replaces_the_whole_object(tenant: Tenant, clock: ManualClock) -> None:
    profile_id = tenant.seed_profile(POWERSCHOOL_PROFILE)
    replacement = body(POWERSCHOOL_PROFILE, displayName="Renamed")
    del replacement["expirationDate"]
    del replacement["dataProvider"]["clientSecret"]
    updated = tenant.replace(profile_id, replacement)
    assert updated["state"] == "provisioning"
    assert updated["displayName"] == "Renamed"
    assert "expirationDate" not in updated
    # A PUT without the secret drops it: PUT means "this is the whole object".
    assert "clientSecret" not in tenant.stored(profile_id)["dataProvider"]
    clock.advance(0.2)
    assert tenant.get(profile_id)["state"] == "provisioned"


def test_patch_replaces_each_named_top_level_property_whole(tenant: Tenant) -> None:
    profile_id = tenant.seed_profile(POWERSCHOOL_PROFILE)
    provider = {
        "@odata.type": "#microsoft.graph.educationPowerSchoolDataProvider",
        "connectionUrl": "https://new.example.edu",
        "clientId": "ps-client",
        "customizations": {"student": {"optionalPropertiesToSync": ["Grade"]}},
    }
    updated = tenant.patch(profile_id, {"dataProvider": provider, "expirationDate": None})
    assert updated["displayName"] == "PowerSchool 2024"  # untouched
    assert (
        updated["identitySynchronizationConfiguration"]["matchingOptions"][0]["appliesTo"]
        == "student"
    )
    assert updated["dataProvider"]["connectionUrl"] == "https://new.example.edu"
    assert "schoolsIds" not in updated["dataProvider"]  # the member was replaced whole
    assert updated["dataProvider"]["customizations"]["teacher"]["optionalPropertiesToSync"]
    assert "expirationDate" not in updated
    assert updated["state"] == "provisioning"


def test_patch_cannot_null_a_required_member(tenant: Tenant) -> None:
    profile_id = tenant.seed_profile(CSV_PROFILE)
    fault = fault_of(tenant.patch, profile_id, {"dataProvider": None})
    assert "dataProvider: is required and cannot be null" in fault.message


def test_put_body_id_must_match(tenant: Tenant) -> None:
    profile_id = tenant.seed_profile(CSV_PROFILE)
    assert tenant.replace(profile_id, body(CSV_PROFILE, id=profile_id.upper()))["id"] == profile_id
    other = "00000000-0000-0000-0000-000000000001"
    assert (
        "id: is read-only"
        in fault_of(tenant.replace, profile_id, body(CSV_PROFILE, id=other)).message
    )


def test_idless_put_takes_the_id_from_the_body(tenant: Tenant) -> None:
    profile_id = tenant.seed_profile(CSV_PROFILE)
    updated = tenant.replace_by_body(body(CSV_PROFILE, id=profile_id, displayName="B"))
    assert updated["displayName"] == "B"
    assert fault_of(tenant.replace_by_body, body(CSV_PROFILE)).status == 400
    missing = body(CSV_PROFILE, id="00000000-0000-0000-0000-000000000001")
    assert fault_of(tenant.replace_by_body, missing).status == 404


def test_delete_passes_through_deleting(tenant: Tenant, clock: ManualClock) -> None:
    profile_id = tenant.seed_profile(CSV_PROFILE)
    tenant.delete(profile_id)
    assert tenant.get(profile_id)["state"] == "deleting"
    assert fault_of(tenant.patch, profile_id, {"displayName": "x"}).status == 409
    clock.advance(0.2)
    assert fault_of(tenant.get, profile_id).status == 404
    assert tenant.ids() == []


def test_run_state_actions(tenant: Tenant) -> None:
    profile_id = tenant.seed_profile(CSV_PROFILE)
    tenant.add_error(profile_id)
    tenant.pause(profile_id)
    assert tenant.profile_status(profile_id)["status"] == "paused"
    tenant.resume(profile_id)
    assert tenant.profile_status(profile_id)["status"] == "inProgress"
    tenant.pause(profile_id)
    assert tenant.profile_status(profile_id)["errorCount"] == 1
    tenant.reset(profile_id)
    status = tenant.profile_status(profile_id)
    assert (status["status"], status["errorCount"]) == ("inProgress", 0)


def test_pause_during_provisioning_survives_it(tenant: Tenant, clock: ManualClock) -> None:
    profile_id = tenant.create(CSV_PROFILE)["id"]
    tenant.pause(profile_id)
    clock.advance(1)
    assert tenant.get(profile_id)["state"] == "provisioned"
    assert tenant.profile_status(profile_id)["status"] == "paused"


def test_an_update_does_not_change_the_run_state(tenant: Tenant, clock: ManualClock) -> None:
    # EDUTOOLS update scenario: a running profile keeps running, a paused one stays paused.
    profile_id = tenant.seed_profile(CSV_PROFILE, status="paused")
    tenant.replace(profile_id, CSV_PROFILE)
    clock.advance(1)
    assert tenant.profile_status(profile_id)["status"] == "paused"


def test_start_and_upload_url_are_for_provisioned_csv_profiles(
    tenant: Tenant, clock: ManualClock
) -> None:
    csv_id = tenant.create(CSV_PROFILE)["id"]
    assert fault_of(tenant.start, csv_id).status == 409  # still provisioning
    clock.advance(1)
    assert tenant.start(csv_id) == []
    assert tenant.upload_url(csv_id).startswith("https://")
    powerschool_id = tenant.seed_profile(POWERSCHOOL_PROFILE)
    assert fault_of(tenant.upload_url, powerschool_id).status == 400


def test_profile_status_create_and_update_follow_seeds_000_and_003(tenant: Tenant) -> None:
    profile_id = tenant.seed_profile(CSV_PROFILE)
    created_form = load_seed("000_status_create_request.json") | {"status": "success"}
    created = tenant.create_profile_status(profile_id, created_form)
    assert created["status"] == "success"
    assert created["lastSynchronizationDateTime"] == "2016-12-31T23:58:26.3743195+03:00"
    assert created["id"] == profile_id
    update_form = load_seed("003_status_update_request.json") | {
        "status": "Error",
        "lastActivityDateTime": "2024-05-01T10:00:00Z",
        "lastSynchronizationDateTime": "2024-05-01T09:00:00.1234567Z",
    }
    updated = tenant.update_profile_status(profile_id, update_form)
    assert updated["status"] == "error"
    assert updated["lastActivityDateTime"] == "2024-05-01T10:00:00Z"
    assert set(updated) == {
        "id",
        "status",
        "lastSynchronizationDateTime",
        "lastActivityDateTime",
        "errorCount",
        "statusMessage",
    }


def test_profile_status_placeholders_of_the_templates_are_rejected(tenant: Tenant) -> None:
    # Seeds 000/003 are generated templates: "String" is not an educationSynchronizationStatus.
    profile_id = tenant.seed_profile(CSV_PROFILE)
    fault = fault_of(
        tenant.update_profile_status, profile_id, load_seed("003_status_update_request.json")
    )
    assert "status: must be one of paused, inProgress" in fault.message
    assert "lastActivityDateTime: must be an ISO-8601 DateTimeOffset" in fault.message
    assert (
        "errorCount: is read-only"
        in fault_of(tenant.update_profile_status, profile_id, {"errorCount": 3}).message
    )
    assert "status: is required" in fault_of(tenant.create_profile_status, profile_id, {}).message


def test_errors_are_paged(tenant: Tenant) -> None:
    profile_id = tenant.seed_profile(CSV_PROFILE)
    ids = [tenant.add_error(profile_id, {"joiningValue": f"u{i}"}) for i in range(5)]
    first = tenant.errors_page(profile_id, limit=2)
    assert [e["id"] for e in first.items] == ids[:2]
    assert first.total == 5 and first.next_after is not None
    rest = tenant.errors_page(profile_id, after=first.next_after, limit=10)
    assert [e["id"] for e in rest.items] == ids[2:]
    assert rest.next_after is None


# -- seeding and persistence ----------------------------------------------------------------------


def test_seed_profile_pins_ids_and_keeps_its_state(tenant: Tenant, clock: ManualClock) -> None:
    pinned = "11111111-2222-3333-4444-555555555555"
    assert tenant.seed_profile(body(CSV_PROFILE, id=pinned), state="provisioning") == pinned
    clock.advance(60)
    assert tenant.get(pinned)["state"] == "provisioning"  # seeded states stick
    with pytest.raises(ValueError, match="already exists"):
        tenant.seed_profile(body(CSV_PROFILE, id=pinned))
    with pytest.raises(ValueError, match="displayName"):
        tenant.seed_profile({"dataProvider": {}})


def test_snapshot_round_trip_keeps_secrets_status_and_errors(clock: ManualClock) -> None:
    source = Tenant(clock=clock)
    profile_id = source.create(POWERSCHOOL_PROFILE)["id"]
    source.pause(profile_id)
    source.add_error(profile_id, {"joiningValue": "kim@example.edu"})
    doomed = source.seed_profile(CSV_PROFILE)
    source.delete(doomed)
    restored = Tenant(clock=clock)
    restored.load_snapshot(source.snapshot())
    assert restored.ids() == [profile_id]  # the profile being deleted is gone
    assert restored.get(profile_id)["state"] == "provisioned"  # in-flight work finished
    assert restored.stored(profile_id)["dataProvider"]["clientSecret"] == "ps-secret-value"
    assert restored.profile_status(profile_id)["status"] == "paused"
    assert restored.errors_page(profile_id).items[0]["joiningValue"] == "kim@example.edu"


def test_concurrent_creates_get_distinct_ids(tenant: Tenant) -> None:
    created: list[str] = []

    def create(n: int) -> None:
        created.append(tenant.create(body(CSV_PROFILE, displayName=f"P{n}"))["id"])

    threads = [threading.Thread(target=create, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(created)) == 16
    assert sorted(tenant.ids()) == sorted(created)
