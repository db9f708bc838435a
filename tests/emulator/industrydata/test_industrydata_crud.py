"""CRUD over real HTTP on every Industry Data collection: POST 201 with the object, GET and list,
PATCH 204 without a body, DELETE 204 (reference §2, corrections 2 and 10)."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.emulator import Emulator
from tests.emulator.industrydata.idhelpers import (
    ADMIN_UNIT_FLOW,
    CLASS_GROUP_FLOW,
    NS,
    SECURITY_GROUP_FLOW,
    USER_FLOW,
    District,
    IndustryGraph,
    data_lake_connector,
    error_of,
    flow_set,
    inbound_flow,
    one_roster_connector,
    source_system,
    year,
)


def assert_no_content(response: Any) -> None:
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert "Content-Type" not in response.headers


def test_source_systems_create_get_list_patch_delete(idg: IndustryGraph) -> None:
    created = idg.create("/sourceSystems", source_system(vendor="Contoso"))
    assert created["@odata.context"].endswith("#external/industryData/sourceSystems/$entity")
    assert "@odata.type" not in created  # not polymorphic
    path = f"/sourceSystems/{created['id']}"
    assert idg.read(path)["vendor"] == "Contoso"
    assert [s["id"] for s in idg.list_all("/sourceSystems")] == [created["id"]]

    assert_no_content(idg.patch(path, json={"vendor": "Fabrikam"}))
    assert idg.read(path)["vendor"] == "Fabrikam"
    assert idg.read(path)["userMatchingSettings"] == created["userMatchingSettings"]

    assert_no_content(idg.delete(path))
    assert idg.get(path).status_code == 404
    assert idg.list_all("/sourceSystems") == []


def test_years_round_trip_and_patch_replaces_the_members_named(idg: IndustryGraph) -> None:
    created = idg.create("/years", year("2026"))
    path = f"/years/{created['id']}"
    assert {k: created[k] for k in ("startDate", "endDate", "year")} == {
        "startDate": "2025-08-15",
        "endDate": "2026-06-30",
        "year": {"code": "2026"},
    }
    update = {"displayName": "SY 25-26", "startDate": "2025-08-20", "endDate": "2026-06-25"}
    assert_no_content(idg.patch(path, json=update))
    assert {k: v for k, v in idg.read(path).items() if k in update} == update
    assert_no_content(idg.delete(path))
    assert idg.get(path).status_code == 404


@pytest.mark.parametrize("builder", [one_roster_connector, data_lake_connector])
def test_data_connectors_of_both_types(idg: IndustryGraph, builder: Any) -> None:
    source = idg.create("/sourceSystems", source_system())["id"]
    sent = builder(source)
    created = idg.create("/dataConnectors", sent)
    assert created["@odata.type"] == sent["@odata.type"]
    path = f"/dataConnectors/{created['id']}"
    listed = idg.list_all("/dataConnectors")
    assert [c["@odata.type"] for c in listed] == [sent["@odata.type"]]

    patch: dict[str, Any] = {"@odata.type": sent["@odata.type"], "displayName": "Renamed"}
    if "credential" in sent:  # correction 5: a OneRoster PATCH carries every property
        patch = {k: v for k, v in sent.items() if not k.endswith("@odata.bind")}
        patch["displayName"] = "Renamed"
    assert_no_content(idg.patch(path, json=patch))
    assert idg.read(path)["displayName"] == "Renamed"
    assert_no_content(idg.delete(path))
    assert idg.list_all("/dataConnectors") == []


@pytest.mark.parametrize(
    ("flow_type", "connector"),
    [("inboundApiFlow", one_roster_connector), ("inboundFileFlow", data_lake_connector)],
)
def test_inbound_flows_of_both_types(idg: IndustryGraph, flow_type: str, connector: Any) -> None:
    source = idg.create("/sourceSystems", source_system())["id"]
    connector_id = idg.create("/dataConnectors", connector(source))["id"]
    year_id = idg.create("/years", year())["id"]
    created = idg.create("/inboundFlows", inbound_flow(connector_id, year_id, kind=flow_type))
    assert created["@odata.type"] == f"{NS}{flow_type}"
    assert created["readinessStatus"] == "ready"  # §2.2: new inbound flows come back ready
    path = f"/inboundFlows/{created['id']}"
    patch = {
        "@odata.type": f"{NS}{flow_type}",
        "displayName": "Rostering 2026 (renamed)",
        "effectiveDateTime": "2025-08-02T00:00:00Z",
        "expirationDateTime": "2026-08-01T00:00:00Z",
    }
    assert_no_content(idg.patch(path, json=patch))
    read = idg.read(path)
    assert {k: read[k] for k in patch} == patch
    assert_no_content(idg.delete(path))
    assert idg.get(path).status_code == 404


@pytest.mark.parametrize(
    ("body", "patch"),
    [
        (USER_FLOW, {"managementOptions": {"additionalAttributes": ["userNumber"]}}),
        (CLASS_GROUP_FLOW, {"configuration": {"additionalAttributes": ["classCode"]}}),
        (SECURITY_GROUP_FLOW, {"creationOptions": {"createBasedOnRoleGroup": False}}),
        (ADMIN_UNIT_FLOW, {"creationOptions": {"createBasedOnOrg": False}}),
    ],
    ids=["user", "classGroup", "securityGroup", "administrativeUnit"],
)
def test_provisioning_flows_of_every_type(
    idg: IndustryGraph, body: dict[str, Any], patch: dict[str, Any]
) -> None:
    set_id = idg.create("/outboundProvisioningFlowSets", flow_set())["id"]
    flows = f"/outboundProvisioningFlowSets/{set_id}/provisioningFlows"
    created = idg.create(flows, body)
    assert created["@odata.type"] == body["@odata.type"]
    assert created["readinessStatus"] == "notReady"  # §1.8
    assert created["createdDateTime"] == created["lastModifiedDateTime"]
    assert created["@odata.context"].endswith(
        f"outboundProvisioningFlowSets('{set_id}')/provisioningFlows/$entity"
    )
    path = f"{flows}/{created['id']}"
    assert_no_content(idg.patch(path, json={"@odata.type": body["@odata.type"], **patch}))
    read = idg.read(path)
    name, value = next(iter(patch.items()))
    assert {k: read[name][k] for k in value} == value
    assert [f["id"] for f in idg.list_all(flows)] == [created["id"]]
    assert_no_content(idg.delete(path))
    assert idg.list_all(flows) == []


def test_flow_sets_and_their_flows_are_addressed_through_the_set(idg: IndustryGraph) -> None:
    first = idg.create("/outboundProvisioningFlowSets", flow_set("First"))
    second = idg.create("/outboundProvisioningFlowSets", flow_set("Second"))
    assert "@odata.type" not in first
    assert first["createdDateTime"].endswith("Z")
    flow = idg.create(f"/outboundProvisioningFlowSets/{first['id']}/provisioningFlows", USER_FLOW)
    # A flow is not reachable through another set (containment).
    wrong = idg.get(f"/outboundProvisioningFlowSets/{second['id']}/provisioningFlows/{flow['id']}")
    assert wrong.status_code == 404
    assert error_of(wrong)["code"] == "ResourceNotFound"
    assert idg.get("/outboundProvisioningFlowSets/missing/provisioningFlows").status_code == 404
    path = f"/outboundProvisioningFlowSets/{second['id']}"
    assert_no_content(idg.patch(path, json={"displayName": "Second (renamed)"}))
    assert idg.read(path)["displayName"] == "Second (renamed)"
    assert_no_content(idg.delete(path))


def test_role_groups_are_read_only_system_objects(idg: IndustryGraph) -> None:
    groups = idg.list_all("/roleGroups")
    assert [g["id"] for g in groups] == ["staff", "students"]
    students = idg.read("/roleGroups/students")
    assert students["displayName"] == "Students"
    assert students["roles"] == [{"code": "student"}]
    assert "@odata.type" not in students
    assert {"code": "teacher"} in idg.read("/roleGroups('staff')")["roles"]
    for method in ("POST", "PATCH", "DELETE"):
        path = "/roleGroups" if method == "POST" else "/roleGroups/staff"
        response = idg.request(method, path, json={"displayName": "x"})
        assert response.status_code == 405, method
        assert response.headers["Allow"] == "GET"


def test_the_root_and_unknown_paths(idg: IndustryGraph) -> None:
    root = idg.read("")
    assert root["@odata.context"].endswith("$metadata#external/industryData/$entity")
    for path in ("/schools", "/years/x/unknown", "/roleGroups/staff/roles", "/runs/x/y/z"):
        response = idg.get(path)
        assert response.status_code == 404, path
        assert error_of(response)["code"] == "ResourceNotFound"


def test_a_whole_district_is_listed_and_torn_down_children_first(idg: IndustryGraph) -> None:
    district = District(idg)
    flow = idg.create(district.flows_path, USER_FLOW)["id"]
    for path in (
        f"{district.flows_path}/{flow}",
        f"/outboundProvisioningFlowSets/{district.flow_set}",
        f"/inboundFlows/{district.flow}",
        f"/dataConnectors/{district.connector}",
        f"/years/{district.year}",
        f"/sourceSystems/{district.source}",
    ):
        assert_no_content(idg.delete(path))
    for collection in ("sourceSystems", "years", "dataConnectors", "inboundFlows"):
        assert idg.list_all(f"/{collection}") == []


def test_tests_can_read_what_was_stored(emu: Emulator, idg: IndustryGraph) -> None:
    source = idg.create("/sourceSystems", source_system())["id"]
    connector = idg.create("/dataConnectors", one_roster_connector(source))["id"]
    stored = emu.industry_data.stored("dataConnectors", connector)
    assert stored["credential"]["clientSecret"] == "one-roster-secret"
    assert stored["sourceSystem"] == source
    assert emu.industry_data.ids("dataConnectors") == [connector]
