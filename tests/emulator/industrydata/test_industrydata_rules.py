"""Service constraints beyond one body (reference §3): delete ordering, one active inbound flow per
year, one provisioning flow per type per set, and reference definitions (system rows, tenant rows,
soft delete)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.industrydata.idhelpers import (
    ADMIN_UNIT_FLOW,
    CLASS_GROUP_FLOW,
    NS,
    SECURITY_GROUP_FLOW,
    USER_FLOW,
    District,
    IndustryGraph,
    error_of,
    inbound_flow,
    one_roster_connector,
    year,
)


def conflicted(response: Any, *words: str) -> str:
    assert response.status_code == 409, response.text
    error = error_of(response)
    assert error["code"] == "Conflict"
    for word in words:
        assert word in error["message"], error["message"]
    return str(error["message"])


# -- delete ordering ------------------------------------------------------------------------------


def test_objects_still_referenced_cannot_be_deleted(idg: IndustryGraph) -> None:
    district = District(idg)
    flow = idg.create(district.flows_path, USER_FLOW)["id"]
    conflicted(
        idg.delete(f"/sourceSystems/{district.source}"),
        "still referenced by dataConnectors",
        district.connector,
    )
    conflicted(idg.delete(f"/dataConnectors/{district.connector}"), "inboundFlows", district.flow)
    conflicted(idg.delete(f"/years/{district.year}"), "inboundFlows")
    conflicted(
        idg.delete(f"/outboundProvisioningFlowSets/{district.flow_set}"),
        f"provisioningFlows('{flow}')",
    )
    # Nothing was deleted; children first, then each parent goes.
    assert idg.get(f"/sourceSystems/{district.source}").status_code == 200
    assert idg.delete(f"{district.flows_path}/{flow}").status_code == 204
    assert idg.delete(f"/outboundProvisioningFlowSets/{district.flow_set}").status_code == 204
    assert idg.delete(f"/inboundFlows/{district.flow}").status_code == 204
    assert idg.delete(f"/years/{district.year}").status_code == 204
    assert idg.delete(f"/dataConnectors/{district.connector}").status_code == 204
    assert idg.delete(f"/sourceSystems/{district.source}").status_code == 204


def test_a_conflict_names_at_most_five_referrers(idg: IndustryGraph) -> None:
    district = District(idg)
    for index in range(6):
        idg.create("/dataConnectors", one_roster_connector(district.source, f"Extra {index}"))
    message = conflicted(idg.delete(f"/sourceSystems/{district.source}"))
    assert message.count("dataConnectors('") == 5 and "and 2 more" in message


# -- inbound flows per year -----------------------------------------------------------------------


def test_one_active_inbound_flow_per_year(idg: IndustryGraph) -> None:
    district = District(idg)
    second = inbound_flow(district.connector, district.year, name="Second 2026")
    conflicted(idg.post("/inboundFlows", json=second), "already has an active inbound flow")
    # An expired flow of that year does not count, and does not block either.
    expired = inbound_flow(
        district.connector, district.year, name="Old", expiration="2024-07-31T00:00:00Z"
    )
    old = idg.create("/inboundFlows", expired)["id"]
    # Reopening the expired one while another is active is the same conflict.
    reopen = {
        "@odata.type": f"{NS}inboundApiFlow",
        "displayName": "Old",
        "effectiveDateTime": "2025-08-01T00:00:00Z",
        "expirationDateTime": None,
    }
    conflicted(idg.patch(f"/inboundFlows/{old}", json=reopen), district.flow)


def test_rollover_adds_a_year_and_its_flow(idg: IndustryGraph) -> None:
    district = District(idg)
    next_year = idg.create("/years", year("2027"))["id"]
    flow = inbound_flow(district.connector, next_year, name="Rostering 2027")
    assert idg.post("/inboundFlows", json=flow).status_code == 201


def test_replacing_a_flow_works_delete_first(idg: IndustryGraph) -> None:
    """A create-only change (e.g. the connector) is a replace: delete, then create."""
    district = District(idg)
    other = idg.create("/dataConnectors", one_roster_connector(district.source, "New SIS"))["id"]
    replacement = inbound_flow(other, district.year, name="Rostering 2026")
    conflicted(idg.post("/inboundFlows", json=replacement))  # create first: refused
    assert idg.delete(f"/inboundFlows/{district.flow}").status_code == 204
    assert idg.post("/inboundFlows", json=replacement).status_code == 201


# -- provisioning flows per set ------------------------------------------------------------------


@pytest.mark.parametrize(
    "body", [USER_FLOW, CLASS_GROUP_FLOW, SECURITY_GROUP_FLOW, ADMIN_UNIT_FLOW]
)
def test_one_provisioning_flow_of_each_type_per_set(
    idg: IndustryGraph, body: dict[str, Any]
) -> None:
    district = District(idg)
    first = idg.create(district.flows_path, body)["id"]
    conflicted(idg.post(district.flows_path, json=body), "at most one flow of each type", first)
    other_set = idg.create("/outboundProvisioningFlowSets", {"displayName": "Other"})["id"]
    other_flows = f"/outboundProvisioningFlowSets/{other_set}/provisioningFlows"
    assert idg.post(other_flows, json=body).status_code == 201  # per set, not per tenant
    assert idg.delete(f"{district.flows_path}/{first}").status_code == 204
    assert idg.post(district.flows_path, json=body).status_code == 201


def test_a_set_holds_one_flow_of_every_type_together(idg: IndustryGraph) -> None:
    district = District(idg)
    for body in (USER_FLOW, CLASS_GROUP_FLOW, SECURITY_GROUP_FLOW, ADMIN_UNIT_FLOW):
        idg.create(district.flows_path, body)
    types = [f["@odata.type"] for f in idg.list_all(district.flows_path)]
    assert len(set(types)) == 4


# -- reference definitions ------------------------------------------------------------------------


def test_system_rows_are_there_from_the_start(idg: IndustryGraph) -> None:
    rows = idg.list_all("/referenceDefinitions")
    by_id = {r["id"]: r for r in rows}
    kindergarten = by_id["RefGradeLevel-KG"]
    assert kindergarten["source"] == "CEDS"
    assert kindergarten["createdDateTime"] == "0001-01-01T00:00:00Z"
    assert kindergarten["lastModifiedDateTime"] == "0001-01-01T00:00:00Z"
    assert kindergarten["@odata.type"] == f"{NS}referenceDefinition"
    assert by_id["RefSectionRole-paraprofessional"]["code"] == "paraprofessional"
    assert {
        "RefRole-student",
        "RefIdentifierType-username",
        "RefFileFormat-schoolDataSyncV1",
    } <= set(by_id)
    assert idg.read("/referenceDefinitions/refgradelevel-kg")["id"] == "RefGradeLevel-KG"


def tenant_row(**changes: Any) -> dict[str, Any]:
    """referencedefinition-post.md's request."""
    body: dict[str, Any] = {
        "@odata.type": f"{NS}referenceDefinition",
        "referenceType": "RefGradeLevel",
        "code": "TestGrade",
        "isDisabled": False,
        "sortIndex": 300,
        "displayName": "New Test Grade Level",
    }
    body.update(changes)
    return body


def test_tenant_rows_are_created_for_the_six_documented_types(idg: IndustryGraph) -> None:
    created = idg.create("/referenceDefinitions", tenant_row(referenceType="refgradelevel"))
    assert created["id"] == "RefGradeLevel-TestGrade"
    assert created["referenceType"] == "RefGradeLevel"
    assert created["source"] == "Tenant Defined"
    assert created["createdDateTime"] == created["lastModifiedDateTime"] != "0001-01-01T00:00:00Z"
    assert created["@odata.context"].endswith("referenceDefinitions/$entity")
    for reference_type in (
        "RefAcademicSubject",
        "RefRace",
        "RefEthnicity",
        "RefOrgType",
        "RefPersonFlagType",
    ):
        body = tenant_row(referenceType=reference_type, code="Local1", sortIndex=900)
        assert idg.post("/referenceDefinitions", json=body).status_code == 201, reference_type
    response = idg.post("/referenceDefinitions", json=tenant_row(referenceType="RefRole"))
    assert response.status_code == 400
    assert "codes can be added only to" in error_of(response)["message"]


def test_duplicates_conflict(idg: IndustryGraph) -> None:
    idg.create("/referenceDefinitions", tenant_row())
    conflicted(
        idg.post("/referenceDefinitions", json=tenant_row(code="testgrade", sortIndex=301)),
        "already exists",
    )
    conflicted(
        idg.post("/referenceDefinitions", json=tenant_row(code="Extra", sortIndex=1)),
        "sortIndex 1 is already used by referenceDefinitions('RefGradeLevel-IT')",
    )
    conflicted(
        idg.patch("/referenceDefinitions/RefGradeLevel-TestGrade", json={"sortIndex": 2}),
        "sortIndex 2",
    )


def test_system_rows_can_be_overridden(idg: IndustryGraph) -> None:
    path = "/referenceDefinitions/RefGradeLevel-KG"
    change = {"displayName": "Kindergarten (K)", "isDisabled": True, "sortIndex": 99}
    assert idg.patch(path, json=change).status_code == 204
    read = idg.read(path)
    assert {k: read[k] for k in change} == change
    assert read["source"] == "CEDS" and read["lastModifiedDateTime"] != "0001-01-01T00:00:00Z"


def test_the_documented_patch_example(idg: IndustryGraph) -> None:
    idg.create("/referenceDefinitions", tenant_row())
    patch = {"@odata.type": f"{NS}referenceDefinition", "displayName": "Updated Test Grade Name"}
    response = idg.patch("/referenceDefinitions/RefGradeLevel-TestGrade", json=patch)
    assert response.status_code == 204 and response.content == b""


@pytest.mark.parametrize("row", ["RefGradeLevel-TestGrade", "RefGradeLevel-KG"])
def test_delete_is_a_soft_delete(idg: IndustryGraph, row: str) -> None:
    idg.create("/referenceDefinitions", tenant_row())
    before = len(idg.list_all("/referenceDefinitions"))
    response = idg.delete(f"/referenceDefinitions/{row}")
    assert response.status_code == 204 and response.content == b""
    rows = idg.list_all("/referenceDefinitions")
    assert len(rows) == before  # still listed …
    assert next(r for r in rows if r["id"] == row)["isDisabled"] is True  # … and disabled
    assert idg.delete(f"/referenceDefinitions/{row}").status_code == 204  # again: same answer
    enabled = idg.patch(f"/referenceDefinitions/{row}", json={"isDisabled": False})
    assert enabled.status_code == 204
    assert idg.read(f"/referenceDefinitions/{row}")["isDisabled"] is False


def test_tenant_rows_are_listed_after_the_system_rows(idg: IndustryGraph) -> None:
    idg.create("/referenceDefinitions", tenant_row(referenceType="RefOrgType", code="Academy"))
    rows = [r for r in idg.list_all("/referenceDefinitions") if r["referenceType"] == "RefOrgType"]
    assert [r["code"] for r in rows][-1] == "Academy"
    assert {r["source"] for r in rows[:-1]} == {"IMS Global"}
