"""The minimal document of a tenant object: only what is not the server's doing."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

from reconciler.export.minimal import minimal_document
from reconciler.export.yamltree import dump, to_node
from reconciler.kinds import KINDS

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
PROFILE = KINDS["synchronizationProfile"]


def seed(name: str) -> dict:
    return json.loads((SEEDS / name).read_text(encoding="utf-8"))


def test_seed_001_response_exports_as_what_its_request_said() -> None:
    response = seed("001_create_response.json")
    doc = minimal_document(PROFILE, response, "TEST_PROFILE")
    assert doc.body == {
        "id": "86904b1e-c7d0-4ead-b13a-98f11fc400ee",
        "displayName": "Test Profile",
        "dataProvider": {
            "@odata.type": "#microsoft.graph.educationCsvDataProvider",
            # school/section/teacher/studentEnrollment/teacherRoster: what the server filled
            "customizations": {
                "student": {"optionalPropertiesToSync": ["Middle Name", "State ID"]}
            },
        },
        "identitySynchronizationConfiguration": {
            "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration",
            "userDomains": [
                {"appliesTo": "student", "name": "testschool.edu"},
                {"appliesTo": "teacher", "name": "testschool.edu"},
            ],
        },
        "licensesToAssign": [
            {"appliesTo": "student", "skuIds": ["6fd2c87f-b296-42f0-b197-1e91e994b900"]},
            {"appliesTo": "teacher", "skuIds": ["6fd2c87f-b296-42f0-b197-1e91e994b900"]},
        ],
    }
    assert list(doc.body) == [
        "id",
        "displayName",
        "dataProvider",
        "identitySynchronizationConfiguration",
        "licensesToAssign",
    ]
    assert doc.placeholders == [] and doc.notes == []


def test_a_slot_that_differs_from_what_the_server_fills_is_kept() -> None:
    response = seed("001_create_response.json")
    teacher = response["dataProvider"]["customizations"]["teacher"]
    teacher["optionalPropertiesToSync"] = ["State ID"]
    teacher["isSyncDeferred"] = True
    doc = minimal_document(PROFILE, response, "X")
    assert doc.body["dataProvider"]["customizations"]["teacher"] == {
        "optionalPropertiesToSync": ["State ID"],
        "isSyncDeferred": True,
    }


def test_read_only_members_and_annotations_go_enums_and_types_become_canonical() -> None:
    body = {
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#x",
        "id": "p1",
        "displayName": "P",
        "state": "provisioned",
        "profileStatus": {"status": "success"},
        "dataProvider": {"@odata.type": "microsoft.graph.csvDataProvider"},
        "identitySynchronizationConfiguration": {
            "@odata.type": "#Microsoft.Education.DataSync.educationIdentityMatchingConfiguration",
            "matchingOptions": [
                {
                    "appliesTo": "Teacher",
                    "sourcePropertyName": "Username",
                    "targetPropertyName": "userPrincipalName",
                    "targetDomain": None,
                },
                {
                    "appliesTo": "STUDENT",
                    "sourcePropertyName": "Username",
                    "targetPropertyName": "userPrincipalName",
                },
            ],
        },
        "licensesToAssign": [
            {
                "@odata.type": "microsoft.graph.educationSynchronizationLicenseAssignment",
                "appliesTo": "teacher",
                "skuIds": ["B", "a"],
            }
        ],
        "newMemberFromTheFuture": 1,
    }
    doc = minimal_document(PROFILE, body, "P")
    assert doc.body["dataProvider"] == {"@odata.type": "#microsoft.graph.educationCsvDataProvider"}
    identity = doc.body["identitySynchronizationConfiguration"]
    assert identity["@odata.type"] == "#microsoft.graph.educationIdentityMatchingConfiguration"
    assert [o["appliesTo"] for o in identity["matchingOptions"]] == ["student", "teacher"]
    assert "targetDomain" not in identity["matchingOptions"][1]
    assert doc.body["licensesToAssign"] == [{"appliesTo": "teacher", "skuIds": ["a", "B"]}]
    for gone in ("state", "profileStatus", "@odata.context", "newMemberFromTheFuture"):
        assert gone not in doc.body
    assert doc.notes == [
        "newMemberFromTheFuture: the tenant returned a member this version does not know; left out"
    ]


def test_every_write_only_secret_becomes_a_placeholder_named_by_provider() -> None:
    body = {
        "id": "p2",
        "displayName": "Fabrikam 2025",
        "dataProvider": {
            "@odata.type": "#microsoft.graph.educationOneRosterApiDataProvider",
            "connectionUrl": "https://or.example",
            "connectionSettings": {
                "@odata.type": "#microsoft.graph.educationSynchronizationOAuth1ConnectionSettings",
                "clientId": "cid",
                "clientSecret": "the-real-secret",  # never returned by Graph, but if it were
            },
        },
        "identitySynchronizationConfiguration": {
            "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration",
            "userDomains": [{"appliesTo": "student", "name": "s.example"}],
        },
    }
    doc = minimal_document(PROFILE, copy.deepcopy(body), "FABRIKAM_2025")
    settings = doc.body["dataProvider"]["connectionSettings"]
    assert settings["clientSecret"] == "${ONEROSTER_FABRIKAM_2025_CLIENT_SECRET}"
    assert list(settings) == ["@odata.type", "clientId", "clientSecret"]
    assert [(p.variable, p.field) for p in doc.placeholders] == [
        ("ONEROSTER_FABRIKAM_2025_CLIENT_SECRET", "dataProvider.connectionSettings.clientSecret")
    ]
    assert "the-real-secret" not in json.dumps(doc.body)
    assert re.fullmatch(r"[A-Z_][A-Z0-9_]*", doc.placeholders[0].variable)


def test_null_means_something_for_collections_and_nothing_for_scalars() -> None:
    body = {
        "id": "p3",
        "displayName": "P",
        "expirationDate": None,
        "dataProvider": {
            "@odata.type": "#microsoft.graph.educationCsvDataProvider",
            "customizations": {
                "student": {
                    "optionalPropertiesToSync": None,
                    "synchronizationStartDate": "0001-01-01T00:00:00Z",
                },
                "studentEnrollment": {"synchronizationStartDate": "2025-08-01T00:00:00Z"},
            },
        },
    }
    body["licensesToAssign"] = None  # no documented meaning: the same as absent
    doc = minimal_document(PROFILE, body, "P")
    assert "expirationDate" not in doc.body and "licensesToAssign" not in doc.body
    assert doc.body["dataProvider"]["customizations"] == {
        "student": {"optionalPropertiesToSync": None},
        "studentEnrollment": {"synchronizationStartDate": "2025-08-01T00:00:00Z"},
    }
    # A meaningful null is written as `null` and says what it means, never as `key:` alone.
    text = dump([to_node(doc.body, PROFILE.root)])
    assert "optionalPropertiesToSync: null  # null: sync every optional column\n" in text


def test_an_unknown_polymorphic_type_is_kept_and_noted() -> None:
    body = {
        "id": "p4",
        "displayName": "P",
        "dataProvider": {"@odata.type": "#x.newProvider", "a": 1},
    }
    doc = minimal_document(PROFILE, body, "P")
    assert doc.body["dataProvider"] == {"@odata.type": "#x.newProvider", "a": 1}
    assert "newProvider" in doc.notes[0]
