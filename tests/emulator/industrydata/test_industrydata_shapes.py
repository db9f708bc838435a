"""Every member shape refuses a value of the wrong JSON kind with a 400 naming the member path
(table-driven: one body, one wrong value at a time)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.industrydata.idhelpers import (
    CLASS_GROUP_FLOW,
    GRAPH,
    USER_FLOW,
    IndustryGraph,
    deep,
    error_of,
    flow_set,
    source_system,
    year,
)


def at(body: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = deep(body)
    holder: Any = changed
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = value
    return changed


SOURCE = source_system()
SETTING = ("userMatchingSettings", 0)
CASES = [
    ("/sourceSystems", at(SOURCE, ("vendor",), 7), "vendor: must be a string, not a number"),
    (
        "/sourceSystems",
        at(SOURCE, ("userMatchingSettings",), {}),
        "must be an array of userMatchingSetting",
    ),
    (
        "/sourceSystems",
        at(SOURCE, ("userMatchingSettings", 0), "x"),
        "userMatchingSettings[0]: must be an object",
    ),
    (
        "/sourceSystems",
        at(SOURCE, (*SETTING, "priorityOrder"), "1"),
        "priorityOrder: must be an integer, not a string",
    ),
    (
        "/sourceSystems",
        at(SOURCE, (*SETTING, "priorityOrder"), True),
        "must be an integer, not a boolean",
    ),
    ("/sourceSystems", at(SOURCE, (*SETTING, "priorityOrder"), 2**31), "out of the Int32 range"),
    (
        "/sourceSystems",
        at(SOURCE, (*SETTING, "priorityOrder"), 1.5),
        "must be an integer, not a number",
    ),
    (
        "/sourceSystems",
        at(SOURCE, (*SETTING, "sourceIdentifier"), "username"),
        "sourceIdentifier: must be an object (identifierTypeReferenceValue)",
    ),
    (
        "/sourceSystems",
        at(SOURCE, (*SETTING, "sourceIdentifier"), {"code": 5}),
        "sourceIdentifier.code: must be a string",
    ),
    (
        "/sourceSystems",
        at(SOURCE, (*SETTING, "sourceIdentifier"), {"code": "x", "name": "y"}),
        "sourceIdentifier.name: unknown property",
    ),
    (
        "/sourceSystems",
        at(SOURCE, (*SETTING, "sourceIdentifier"), {"value@odata.bind": f"{GRAPH}/years/x"}),
        "must address an entry of referenceDefinitions",
    ),
    (
        "/sourceSystems",
        at(
            SOURCE,
            (*SETTING, "sourceIdentifier"),
            {"value@odata.bind": f"{GRAPH}/referenceDefinitions/RefIdentifierType-nope"},
        ),
        "does not exist",
    ),
    (
        "/sourceSystems",
        at(SOURCE, (*SETTING, "sourceIdentifier"), {"value@odata.bind": "nope"}),
        "external/industryData",
    ),
    (
        "/sourceSystems",
        at(SOURCE, (*SETTING, "roleGroup@odata.bind"), f"{GRAPH}/roleGroups/teachers"),
        "roleGroups('teachers') does not exist",
    ),
    (
        "/years",
        at(year(), ("year",), {"code": "2026", "@odata.type": 3}),
        "year.@odata.type: 3 does not name yearReferenceValue",
    ),
    (
        "/years",
        at(
            year(),
            ("year",),
            {"value@odata.bind": f"{GRAPH}/referenceDefinitions/RefAcademicYear-20x6"},
        ),
        "is not a RefAcademicYear code",
    ),
    (
        "/outboundProvisioningFlowSets",
        at(flow_set(), ("filter",), []),
        "filter: must be an object (filter)",
    ),
    (
        "/outboundProvisioningFlowSets",
        at(flow_set(), ("filter", "in"), "S1"),
        "filter.in: must be an array of strings",
    ),
    (
        "/outboundProvisioningFlowSets",
        at(flow_set(), ("filter", "in"), ["S1", 2]),
        "filter.in[1]: must be a string",
    ),
    (
        "/outboundProvisioningFlowSets",
        at(flow_set(), ("filter", "attribute"), "orgName"),
        "must be one of orgExternalId",
    ),
    (
        "/outboundProvisioningFlowSets",
        at(flow_set(), ("filter",), {"attribute": "orgExternalId"}),
        "filter.@odata.type: is required",
    ),
    (
        "flows",
        at(USER_FLOW, ("managementOptions",), "x"),
        "managementOptions: must be an object (userManagementOptions)",
    ),
    (
        "flows",
        at(USER_FLOW, ("managementOptions", "additionalAttributes"), "userNumber"),
        "additionalAttributes: must be an array",
    ),
    (
        "flows",
        at(
            USER_FLOW,
            ("creationOptions", "configurations", 0, "defaultPasswordSettings"),
            {"@odata.type": "#microsoft.graph.industryData.simplePasswordSettings"},
        ),
        "defaultPasswordSettings.password: is required",
    ),
    ("flows", at(USER_FLOW, ("creationOptions", "configurations", 0, "licenseSkus"), None), None),
    (
        "flows",
        at(
            CLASS_GROUP_FLOW,
            ("configuration", "enrollmentMappings", "ownerEnrollmentMappings"),
            {"code": "teacher"},
        ),
        "ownerEnrollmentMappings: must be an array",
    ),
]


@pytest.mark.parametrize(("path", "body", "words"), CASES)
def test_a_value_of_the_wrong_kind_is_named(
    idg: IndustryGraph, path: str, body: dict[str, Any], words: str | None
) -> None:
    if path == "flows":
        set_id = idg.create("/outboundProvisioningFlowSets", flow_set())["id"]
        path = f"/outboundProvisioningFlowSets/{set_id}/provisioningFlows"
    response = idg.post(path, json=body)
    if words is None:  # null is accepted for an optional member
        assert response.status_code == 201, response.text
        return
    assert response.status_code == 400, response.text
    assert words in error_of(response)["message"]
