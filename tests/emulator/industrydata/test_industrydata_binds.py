"""Relationships: written as `NAME@odata.bind` in every documented form, validated, not echoed by
POST or plain GET, and readable through navigation GETs and `$expand` (§1.10, corrections 3, 10)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.industrydata.idhelpers import (
    GRAPH,
    USER_FLOW,
    District,
    IndustryGraph,
    deep,
    error_of,
    inbound_flow,
    one_roster_connector,
    source_system,
    year,
)

#: Every form a bind URL takes in Microsoft's docs and tools, for entity id `{id}`.
BIND_FORMS = [
    f"{GRAPH}/{{collection}}/{{id}}",
    f"{GRAPH}/{{collection}}('{{id}}')",
    f"{GRAPH}/{{collection}}({{id}})",
    "https://graph.microsoft.com/beta/external/industryData/{collection}/{id}",
    "/external/industryData/{collection}('{id}')",
    "external/industryData/{collection}/{id}",
    "beta/external/industryData/{collection}/{id}",
    "{emulator}/external/industryData/{collection}/{id}",
]


def spell(form: str, collection: str, entity_id: str, emulator: str) -> str:
    return form.format(collection=collection, id=entity_id, emulator=emulator)


@pytest.mark.parametrize("form", BIND_FORMS)
def test_every_bind_form_reaches_the_same_object(idg: IndustryGraph, form: str) -> None:
    source = idg.create("/sourceSystems", source_system())["id"]
    year_id = idg.create("/years", year())["id"]
    connector_body = one_roster_connector(source)
    connector_body["sourceSystem@odata.bind"] = spell(form, "sourceSystems", source, idg.base_url)
    connector = idg.create("/dataConnectors", connector_body)["id"]
    flow_body = inbound_flow(connector, year_id)
    flow_body["dataConnector@odata.bind"] = spell(form, "dataConnectors", connector, idg.base_url)
    flow_body["year@odata.bind"] = spell(form, "years", year_id.upper(), idg.base_url)
    flow = idg.create("/inboundFlows", flow_body)["id"]
    assert idg.read(f"/dataConnectors/{connector}/sourceSystem")["id"] == source
    assert idg.read(f"/inboundFlows/{flow}/dataConnector")["id"] == connector
    assert idg.read(f"/inboundFlows/{flow}/year")["id"] == year_id


@pytest.mark.parametrize(
    "url", ["/roleGroups/staff", "/roleGroups('staff')", "/roleGroups(staff)", "/RoleGroups/STAFF"]
)
def test_role_group_binds(idg: IndustryGraph, url: str) -> None:
    body = source_system()
    body["userMatchingSettings"] = body["userMatchingSettings"][:1]
    body["userMatchingSettings"][0]["roleGroup@odata.bind"] = f"{GRAPH}{url}"
    created = idg.create("/sourceSystems", body)
    expanded = idg.read(f"/sourceSystems/{created['id']}?$expand=userMatchingSettings/roleGroup")
    assert expanded["userMatchingSettings"][0]["roleGroup"]["id"] == "staff"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        (f"{GRAPH}/sourceSystems/00000000-0000-0000-0000-000000000000", "does not exist"),
        (f"{GRAPH}/years/{{source}}", "must address an entry of sourceSystems"),
        ("https://graph.microsoft.com/v1.0/external/industryData/sourceSystems/x", "beta only"),
        ("sourceSystems/{source}", "external/industryData"),
        (f"{GRAPH}/sourceSystems", "{collection}/{id}"),
        ("", "non-empty URL"),
        (42, "non-empty URL"),
    ],
)
def test_a_bind_to_nothing_is_a_400(idg: IndustryGraph, url: Any, words: str) -> None:
    source = idg.create("/sourceSystems", source_system())["id"]
    body = one_roster_connector(source)
    body["sourceSystem@odata.bind"] = url.format(source=source) if isinstance(url, str) else url
    response = idg.post("/dataConnectors", json=body)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "BadRequest"
    assert "sourceSystem@odata.bind" in error["message"] and words in error["message"]
    assert error["innerError"]["request-id"] == response.headers["request-id"]
    assert idg.list_all("/dataConnectors") == []


def test_binds_are_not_echoed_by_post_get_or_list(idg: IndustryGraph) -> None:
    district = District(idg)
    for path, relationships in (
        (f"/dataConnectors/{district.connector}", ("sourceSystem",)),
        (f"/inboundFlows/{district.flow}", ("dataConnector", "year")),
    ):
        read = idg.read(path)
        collection = path.split("/")[1]
        listed = idg.list_all(f"/{collection}")[0]
        for name in relationships:
            for shown in (read, listed):
                assert name not in shown and f"{name}@odata.bind" not in shown
    source = idg.read(f"/sourceSystems/{district.source}")
    assert all("roleGroup" not in s for s in source["userMatchingSettings"])
    flow = idg.create(district.flows_path, USER_FLOW)  # the POST body has no roleGroup either
    assert all("roleGroup" not in c for c in flow["creationOptions"]["configurations"])


def test_navigation_reads_return_the_bound_object(idg: IndustryGraph) -> None:
    district = District(idg)
    source = idg.read(f"/dataConnectors/{district.connector}/sourceSystem")
    assert source["id"] == district.source
    assert source["@odata.context"].endswith("#external/industryData/sourceSystems/$entity")
    connector = idg.read(f"/inboundFlows/{district.flow}/dataConnector")
    assert connector["@odata.type"] == "#microsoft.graph.industryData.oneRosterApiDataConnector"
    assert "clientSecret" not in connector["credential"]
    assert idg.read(f"/inboundFlows('{district.flow}')/year")["year"] == {"code": "2026"}
    assert idg.get(f"/inboundFlows/{district.flow}/year", params={}).status_code == 200
    assert idg.post(f"/inboundFlows/{district.flow}/year").status_code == 405


def test_expand_on_items_and_lists(idg: IndustryGraph) -> None:
    district = District(idg)
    flow = idg.read(f"/inboundFlows/{district.flow}?$expand=dataConnector,year")
    assert flow["dataConnector"]["id"] == district.connector
    assert flow["year"]["id"] == district.year
    listed = idg.read("/inboundFlows?$expand=year")["value"][0]
    assert listed["year"]["id"] == district.year and "dataConnector" not in listed
    connectors = idg.read("/dataConnectors?$expand=sourceSystem")["value"]
    assert connectors[0]["sourceSystem"]["id"] == district.source
    everything = idg.read(f"/inboundFlows/{district.flow}?$expand=*")
    assert {"dataConnector", "year"} <= set(everything)


def test_flow_sets_expand_their_flows(idg: IndustryGraph) -> None:
    district = District(idg)
    flow = idg.create(district.flows_path, USER_FLOW)
    sets = idg.read("/outboundProvisioningFlowSets?expand=ignored&$expand=provisioningFlows")
    assert [f["id"] for f in sets["value"][0]["provisioningFlows"]] == [flow["id"]]
    plain = idg.read(f"/outboundProvisioningFlowSets/{district.flow_set}")
    assert "provisioningFlows" not in plain


def test_user_flow_get_returns_role_groups_inline(idg: IndustryGraph) -> None:
    """industrydata-userprovisioningflow-get.md (correction 3): configurations[].roleGroup."""
    district = District(idg)
    body = deep(USER_FLOW)
    staff = deep(body["creationOptions"]["configurations"][0])
    staff["roleGroup@odata.bind"] = f"{GRAPH}/roleGroups('staff')"
    body["creationOptions"]["configurations"].append(staff)
    flow = idg.create(district.flows_path, body)
    read = idg.read(f"{district.flows_path}/{flow['id']}")
    groups = [c["roleGroup"] for c in read["creationOptions"]["configurations"]]
    assert [g["id"] for g in groups] == ["students", "staff"]
    assert groups[0] == {
        "id": "students",
        "displayName": "Students",
        "roles": [{"code": "student"}],
    }


def test_user_matching_role_groups_are_read_with_expand(idg: IndustryGraph) -> None:
    source = idg.create("/sourceSystems", source_system())["id"]
    path = f"/sourceSystems/{source}?$expand=userMatchingSettings/roleGroup"
    settings = idg.read(path)["userMatchingSettings"]
    assert [(s["priorityOrder"], s["roleGroup"]["id"]) for s in settings] == [
        (0, "staff"),
        (1, "students"),
    ]
    listed = idg.read("/sourceSystems?$expand=userMatchingSettings/roleGroup")["value"]
    assert listed[0]["userMatchingSettings"][1]["roleGroup"]["displayName"] == "Students"


@pytest.mark.parametrize(
    ("path", "expand"),
    [
        ("/inboundFlows", "sourceSystem"),
        ("/years", "year"),
        ("/dataConnectors", "sourceSystem($select=id)"),
        ("/sourceSystems", "roleGroup"),
    ],
)
def test_unknown_expansions_are_refused(idg: IndustryGraph, path: str, expand: str) -> None:
    response = idg.get(path, params={"$expand": expand})
    assert response.status_code == 400
    assert "$expand" in error_of(response)["message"]


def test_binds_must_be_written_as_binds(idg: IndustryGraph) -> None:
    source = idg.create("/sourceSystems", source_system())["id"]
    body = one_roster_connector(source)
    del body["sourceSystem@odata.bind"]
    body["sourceSystem"] = {"id": source}  # a deep insert / inline reference
    response = idg.post("/dataConnectors", json=body)
    assert response.status_code == 400
    assert "write it as 'sourceSystem@odata.bind'" in error_of(response)["message"]
    body = one_roster_connector(source)
    body["displayName@odata.bind"] = body.pop("displayName")
    response = idg.post("/dataConnectors", json=body)
    assert response.status_code == 400
    assert "not a relationship" in error_of(response)["message"]


def test_inbound_flows_need_both_binds_and_a_matching_connector(idg: IndustryGraph) -> None:
    district = District(idg)
    body = inbound_flow(district.connector, district.year, name="Second")
    del body["year@odata.bind"]
    response = idg.post("/inboundFlows", json=body)
    assert response.status_code == 400
    assert "year@odata.bind: is required" in error_of(response)["message"]
    file_flow = inbound_flow(district.connector, district.year, kind="inboundFileFlow")
    response = idg.post("/inboundFlows", json=file_flow)
    assert response.status_code == 400
    assert "needs an azureDataLakeConnector" in error_of(response)["message"]


def test_role_groups_appear_once_per_list(idg: IndustryGraph) -> None:
    body = source_system()
    body["userMatchingSettings"][1]["roleGroup@odata.bind"] = f"{GRAPH}/roleGroups/staff"
    response = idg.post("/sourceSystems", json=body)
    assert response.status_code == 400
    assert "a second entry for role group 'staff'" in error_of(response)["message"]
