"""Body validation and server normalisation (reference §3, §5; corrections 5, 7, 9): what comes
back 400, what comes back different from what was sent, and what never comes back."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.emulator import Emulator
from tests.emulator.industrydata.idhelpers import (
    CLASS_GROUP_FLOW,
    GRAPH,
    NS,
    SECURITY_GROUP_FLOW,
    USER_FLOW,
    District,
    IndustryGraph,
    data_lake_connector,
    deep,
    error_of,
    flow_set,
    inbound_flow,
    one_roster_connector,
    source_system,
    year,
)


def refused(response: Any, *words: str) -> str:
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["code"] == "BadRequest"
    assert error["innerError"]["request-id"] == response.headers["request-id"]
    for word in words:
        assert word in error["message"], error["message"]
    return str(error["message"])


# -- unknown, read-only and polymorphic members --------------------------------------------------


def test_unknown_members_are_refused_with_a_suggestion(idg: IndustryGraph) -> None:
    refused(
        idg.post("/sourceSystems", json=source_system(vendorName="x")),
        "vendorName: unknown property of sourceSystemDefinition (did you mean 'vendor'?)",
    )
    body = source_system()
    body["userMatchingSettings"][0]["priority"] = 1
    refused(idg.post("/sourceSystems", json=body), "userMatchingSettings[0].priority")
    refused(idg.post("/years", json=year(extra={"a": 1})), "extra: unknown property")
    assert idg.list_all("/sourceSystems") == [] and idg.list_all("/years") == []


@pytest.mark.parametrize(
    ("path", "member"),
    [
        ("/sourceSystems", {"id": "9b5c1f2e-0000-0000-0000-000000000000"}),
        ("/outboundProvisioningFlowSets", {"createdDateTime": "2025-01-01T00:00:00Z"}),
        ("/outboundProvisioningFlowSets", {"lastModifiedDateTime": "2025-01-01T00:00:00Z"}),
    ],
)
def test_read_only_members_in_a_write_body(
    idg: IndustryGraph, path: str, member: dict[str, Any]
) -> None:
    body = source_system() if path == "/sourceSystems" else flow_set()
    refused(idg.post(path, json={**body, **member}), "is read-only")


def test_read_only_members_nested_and_on_flows(idg: IndustryGraph) -> None:
    district = District(idg)
    connector = one_roster_connector(district.source, "Other")
    connector["credential"]["isValid"] = True
    refused(idg.post("/dataConnectors", json=connector), "credential.isValid: is read-only")
    refused(
        idg.post(district.flows_path, json={**USER_FLOW, "readinessStatus": "ready"}),
        "readinessStatus: is read-only",
    )
    refused(
        idg.post(
            "/referenceDefinitions",
            json={
                "referenceType": "RefGradeLevel",
                "code": "X1",
                "isDisabled": False,
                "sortIndex": 500,
                "source": "CEDS",
            },
        ),
        "source: is read-only",
    )


def test_a_patch_may_repeat_the_objects_own_id_but_no_other(idg: IndustryGraph) -> None:
    source = idg.create("/sourceSystems", source_system())["id"]
    assert idg.patch(f"/sourceSystems/{source}", json={"id": source.upper()}).status_code == 204
    refused(idg.patch(f"/sourceSystems/{source}", json={"id": "other"}), "id: is read-only")


@pytest.mark.parametrize(
    ("spelling", "words"),
    [
        (None, "@odata.type: is required (industryDataConnector is abstract)"),
        ("#microsoft.graph.industryData.csvConnector", "unknown type"),
        ("#microsoft.graph.industryData.fileDataConnector", "unknown type"),  # abstract
        ("#microsoft.graph.azureDataLakeConnector", "unknown type"),  # wrong namespace
        (42, "unknown type"),
    ],
)
def test_polymorphic_collections_need_a_known_concrete_type(
    idg: IndustryGraph, spelling: Any, words: str
) -> None:
    source = idg.create("/sourceSystems", source_system())["id"]
    body = data_lake_connector(source)
    if spelling is None:
        del body["@odata.type"]
    else:
        body["@odata.type"] = spelling
    refused(idg.post("/dataConnectors", json=body), words)


@pytest.mark.parametrize(
    "spelling",
    [
        "#microsoft.graph.industryData.azureDataLakeConnector",
        "microsoft.graph.industryData.azureDataLakeConnector",  # PATCH examples drop the #
        "#Microsoft.Graph.IndustryData.AZUREDATALAKECONNECTOR",
        "azureDataLakeConnector",
    ],
)
def test_type_spellings_are_accepted_and_echoed_canonical(
    idg: IndustryGraph, spelling: str
) -> None:
    source = idg.create("/sourceSystems", source_system())["id"]
    body = {**data_lake_connector(source), "@odata.type": spelling}
    created = idg.create("/dataConnectors", body)
    assert created["@odata.type"] == f"{NS}azureDataLakeConnector"
    patch = {"@odata.type": spelling, "displayName": "Renamed"}
    assert idg.patch(f"/dataConnectors/{created['id']}", json=patch).status_code == 204


def test_nested_values_must_name_their_own_type(idg: IndustryGraph) -> None:
    set_id = idg.create("/outboundProvisioningFlowSets", flow_set())["id"]
    flows = f"/outboundProvisioningFlowSets/{set_id}/provisioningFlows"
    body = deep(CLASS_GROUP_FLOW)
    body["configuration"]["@odata.type"] = f"{NS}userManagementOptions"
    refused(idg.post(flows, json=body), "configuration.@odata.type", "classGroupConfiguration")
    body["configuration"]["@odata.type"] = f"{NS}classGroupConfiguration"
    mappings = body["configuration"]["enrollmentMappings"]
    mappings["ownerEnrollmentMappings"][0]["@odata.type"] = f"{NS}roleReferenceValue"
    refused(idg.post(flows, json=body), "ownerEnrollmentMappings[0].@odata.type")


def test_a_patch_of_a_polymorphic_object_names_its_type(idg: IndustryGraph) -> None:
    district = District(idg)
    flow = idg.create(district.flows_path, SECURITY_GROUP_FLOW)["id"]
    path = f"{district.flows_path}/{flow}"
    refused(
        idg.patch(path, json={"creationOptions": {"createBasedOnRoleGroup": False}}),
        "@odata.type: is required",
    )


# -- create-only and required-on-PATCH members ---------------------------------------------------


def create_only_cases(idg: IndustryGraph) -> list[tuple[str, dict[str, Any], str]]:
    district = District(idg)
    other_source = idg.create("/sourceSystems", source_system("Other"))["id"]
    other_year = idg.create("/years", year("2027"))["id"]
    csv = idg.create("/dataConnectors", data_lake_connector(district.source))["id"]
    user_flow = idg.create(district.flows_path, USER_FLOW)["id"]
    connector = one_roster_connector(district.source)
    whole = {k: v for k, v in connector.items() if not k.endswith("@odata.bind")}
    api_flow = {"@odata.type": f"{NS}inboundApiFlow", "displayName": "x"}
    api_flow["effectiveDateTime"] = "2025-08-01T00:00:00Z"
    years_patch = {"displayName": "x", "startDate": "2025-08-15", "endDate": "2026-06-30"}
    return [
        (f"/sourceSystems/{district.source}", {"displayName": "Renamed"}, "displayName"),
        (
            f"/dataConnectors/{district.connector}",
            {**whole, "@odata.type": f"{NS}azureDataLakeConnector"},
            "cannot change from oneRosterApiDataConnector to azureDataLakeConnector",
        ),
        (
            f"/dataConnectors/{district.connector}",
            {**whole, "sourceSystem@odata.bind": f"{GRAPH}/sourceSystems/{other_source}"},
            "sourceSystem@odata.bind",
        ),
        (
            f"/dataConnectors/{csv}",
            {"@odata.type": f"{NS}azureDataLakeConnector", "fileFormat": {"code": "v1"}},
            "fileFormat",
        ),
        (
            f"/inboundFlows/{district.flow}",
            {**api_flow, "@odata.type": f"{NS}inboundFileFlow"},
            "cannot change from inboundApiFlow to inboundFileFlow",
        ),
        (
            f"/inboundFlows/{district.flow}",
            {**api_flow, "dataDomain": "educationRostering"},
            "dataDomain",
        ),
        (
            f"/inboundFlows/{district.flow}",
            {
                **api_flow,
                "dataConnector@odata.bind": f"{GRAPH}/dataConnectors/{district.connector}",
            },
            "dataConnector@odata.bind",
        ),
        (
            f"/inboundFlows/{district.flow}",
            {**api_flow, "year@odata.bind": f"{GRAPH}/years/{other_year}"},
            "year@odata.bind",
        ),
        (f"/years/{district.year}", {**years_patch, "year": {"code": "2026"}}, "year"),
        (
            "/referenceDefinitions/RefGradeLevel-KG",
            {"referenceType": "RefOrgType"},
            "referenceType",
        ),
        ("/referenceDefinitions/RefGradeLevel-KG", {"code": "K"}, "code"),
        (
            f"{district.flows_path}/{user_flow}",
            {**CLASS_GROUP_FLOW, "managementOptions": {}},
            "cannot change from userProvisioningFlow to classGroupProvisioningFlow",
        ),
    ]


def test_create_only_members_cannot_be_patched(idg: IndustryGraph) -> None:
    for path, patch, words in create_only_cases(idg):
        before = idg.read(path)
        response = idg.patch(path, json=patch)
        message = refused(response, words)
        assert "created" in message or "creation" in message or "create" in message, path
        assert idg.read(path) == before, path  # nothing changed


def required_cases(idg: IndustryGraph) -> list[tuple[str, dict[str, Any], str]]:
    district = District(idg)
    user_flow = idg.create(district.flows_path, USER_FLOW)["id"]
    group_flow = idg.create(district.flows_path, SECURITY_GROUP_FLOW)["id"]
    connector = one_roster_connector(district.source)
    whole = {k: v for k, v in connector.items() if not k.endswith("@odata.bind")}
    secretless = deep(whole)
    del secretless["credential"]["clientSecret"]
    api = {"@odata.type": f"{NS}inboundApiFlow"}
    return [
        (f"/years/{district.year}", {"displayName": "x"}, "startDate: is required in every PATCH"),
        (f"/years/{district.year}", {"startDate": "2025-08-01"}, "displayName: is required"),
        (
            f"/dataConnectors/{district.connector}",
            {"@odata.type": whole["@odata.type"], "displayName": "Renamed"},
            "credential: is required in every PATCH of oneRosterApiDataConnector",
        ),
        (
            f"/dataConnectors/{district.connector}",
            {k: v for k, v in whole.items() if k != "isFlagsEnabled"},
            "isFlagsEnabled: is required",
        ),
        (
            f"/dataConnectors/{district.connector}",
            secretless,
            "credential.clientSecret: is required",
        ),
        (
            f"/inboundFlows/{district.flow}",
            {**api, "expirationDateTime": "2026-07-31T00:00:00Z"},
            "displayName: is required in every PATCH of inboundApiFlow",
        ),
        (
            f"/inboundFlows/{district.flow}",
            {**api, "displayName": "x"},
            "effectiveDateTime: is required",
        ),
        (
            f"{district.flows_path}/{user_flow}",
            {"@odata.type": USER_FLOW["@odata.type"], "createUnmatchedUsers": True},
            "managementOptions: is required in every PATCH of userProvisioningFlow",
        ),
        (
            f"{district.flows_path}/{group_flow}",
            {"@odata.type": SECURITY_GROUP_FLOW["@odata.type"]},
            "creationOptions: is required in every PATCH of securityGroupProvisioningFlow",
        ),
    ]


def test_patches_must_carry_the_members_the_docs_mark_required(idg: IndustryGraph) -> None:
    for path, patch, words in required_cases(idg):
        refused(idg.patch(path, json=patch), words)


def test_other_patches_may_be_partial(idg: IndustryGraph) -> None:
    district = District(idg)
    source = idg.create("/sourceSystems", source_system("CSV source"))["id"]
    csv = idg.create("/dataConnectors", data_lake_connector(source))["id"]
    csv_year = idg.create("/years", year("2027"))["id"]
    file_flow = inbound_flow(csv, csv_year, kind="inboundFileFlow", name="CSV 2027")
    flow = idg.create("/inboundFlows", file_flow)["id"]
    class_flow = idg.create(district.flows_path, CLASS_GROUP_FLOW)["id"]
    for path, patch in (
        (f"/inboundFlows/{flow}", {"@odata.type": f"{NS}inboundFileFlow", "displayName": "y"}),
        (f"{district.flows_path}/{class_flow}", {"@odata.type": CLASS_GROUP_FLOW["@odata.type"]}),
        (f"/sourceSystems/{district.source}", {"vendor": None}),
        (f"/outboundProvisioningFlowSets/{district.flow_set}", {"filter": None}),
    ):
        assert idg.patch(path, json=patch).status_code == 204, path


def test_required_create_members(idg: IndustryGraph) -> None:
    refused(idg.post("/years", json={"displayName": "x"}), "startDate: is required", "year:")
    refused(idg.post("/sourceSystems", json={"vendor": "x"}), "displayName: is required")
    refused(idg.post("/sourceSystems", json=source_system("   ")), "displayName: cannot be empty")
    refused(idg.post("/sourceSystems", json=source_system("x" * 101)), "longer than 100")
    source = idg.create("/sourceSystems", source_system())["id"]
    body = one_roster_connector(source)
    del body["credential"]["tokenUrl"]
    refused(idg.post("/dataConnectors", json=body), "credential.tokenUrl: is required")


# -- shapes, normalisation and what is never returned --------------------------------------------


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2023-03-12T16:40:46.924769+05:30", "2023-03-12T11:10:46.924769Z"),  # the docs' example
        ("2025-08-01T00:00:00Z", "2025-08-01T00:00:00Z"),
        ("2025-08-01T00:00:00.0000000Z", "2025-08-01T00:00:00Z"),
        ("2025-08-01T00:00:00.1234567-07:00", "2025-08-01T07:00:00.1234567Z"),
        ("2025-08-01T23:30+00:00", "2025-08-01T23:30:00Z"),
        ("2025-12-31T23:00:00.5-02:00", "2026-01-01T01:00:00.5Z"),
    ],
)
def test_timestamps_come_back_in_utc(idg: IndustryGraph, sent: str, stored: str) -> None:
    district = District(idg)
    patch = {"@odata.type": f"{NS}inboundApiFlow", "displayName": "x", "effectiveDateTime": sent}
    assert idg.patch(f"/inboundFlows/{district.flow}", json=patch).status_code == 204
    assert idg.read(f"/inboundFlows/{district.flow}")["effectiveDateTime"] == stored


@pytest.mark.parametrize(
    "value",
    ["2025-08-01", "2025-08-01T00:00:00", "2025-13-01T00:00:00Z", "yesterday", 20250801],
)
def test_timestamps_without_a_zone_are_refused(idg: IndustryGraph, value: Any) -> None:
    district = District(idg)
    patch = {"@odata.type": f"{NS}inboundApiFlow", "displayName": "x", "effectiveDateTime": value}
    refused(idg.patch(f"/inboundFlows/{district.flow}", json=patch), "effectiveDateTime")


def test_dates_are_plain_dates(idg: IndustryGraph) -> None:
    refused(idg.post("/years", json=year(startDate="2025-08-01T00:00:00Z")), "Edm.Date")
    refused(idg.post("/years", json=year(endDate="2026-02-30")), "endDate")
    refused(idg.post("/years", json=year(code="26")), "is not a RefAcademicYear code")


def test_codes_take_the_reference_rows_spelling(idg: IndustryGraph) -> None:
    set_id = idg.create("/outboundProvisioningFlowSets", flow_set())["id"]
    created = idg.create(
        f"/outboundProvisioningFlowSets/{set_id}/provisioningFlows", CLASS_GROUP_FLOW
    )
    owners = created["configuration"]["enrollmentMappings"]["ownerEnrollmentMappings"]
    assert owners == [{"code": "teacher"}, {"code": "paraprofessional"}]  # §5
    source = idg.create("/sourceSystems", source_system())["id"]
    body = data_lake_connector(source)
    body["fileFormat"] = {"code": "SCHOOLDATASYNCV2REV1"}
    assert idg.create("/dataConnectors", body)["fileFormat"] == {"code": "schoolDataSyncV2Rev1"}


@pytest.mark.parametrize("code", ["schoolDataSyncV1", "schoolDataSyncV2Rev1", "schoolDataSyncV2.1"])
def test_every_file_format_spelling_microsoft_sends(idg: IndustryGraph, code: str) -> None:
    source = idg.create("/sourceSystems", source_system())["id"]
    body = data_lake_connector(source)
    body["fileFormat"] = {"code": code}
    assert idg.create("/dataConnectors", body)["fileFormat"] == {"code": code}


def test_unknown_codes_of_documented_lists_are_refused(idg: IndustryGraph) -> None:
    source = idg.create("/sourceSystems", source_system())["id"]
    body = data_lake_connector(source)
    body["fileFormat"] = {"code": "sds-v3"}
    refused(idg.post("/dataConnectors", json=body), "'sds-v3' is not a RefFileFormat code")
    flow = deep(CLASS_GROUP_FLOW)
    flow["configuration"]["enrollmentMappings"]["memberEnrollmentMappings"] = [{"code": "pupil"}]
    set_id = idg.create("/outboundProvisioningFlowSets", flow_set())["id"]
    refused(
        idg.post(f"/outboundProvisioningFlowSets/{set_id}/provisioningFlows", json=flow),
        "memberEnrollmentMappings[0]",
        "RefSectionRole",
    )


def test_codes_of_open_lists_are_kept_and_known_ones_respelled(idg: IndustryGraph) -> None:
    body = source_system()
    body["userMatchingSettings"][0]["sourceIdentifier"] = {"code": "districtLoginId"}
    body["userMatchingSettings"][1]["matchTarget"] = {"code": "USERPRINCIPALNAME"}
    created = idg.create("/sourceSystems", body)
    settings = created["userMatchingSettings"]
    assert settings[0]["sourceIdentifier"] == {"code": "districtLoginId"}
    assert settings[1]["matchTarget"] == {"code": "userPrincipalName"}


def test_reference_values_may_bind_a_reference_definition(idg: IndustryGraph) -> None:
    body = source_system()
    setting = body["userMatchingSettings"][0]
    setting["sourceIdentifier"] = {
        "value@odata.bind": "external/industryData/referenceDefinitions/RefIdentifierType-username"
    }
    assert idg.create("/sourceSystems", body)["userMatchingSettings"][0]["sourceIdentifier"] == {
        "code": "username"
    }
    setting["sourceIdentifier"] = {
        "value@odata.bind": f"{GRAPH}/referenceDefinitions('RefRole-teacher')"
    }
    refused(idg.post("/sourceSystems", json=body), "is not a RefIdentifierType row")
    setting["sourceIdentifier"] = {"code": "username", "value@odata.bind": "x"}
    refused(idg.post("/sourceSystems", json=body), "give exactly one of 'code'")
    created = idg.create(
        "/years",
        year(year={"value@odata.bind": f"{GRAPH}/referenceDefinitions/RefAcademicYear-2031"}),
    )
    assert created["year"] == {"code": "2031"}


def test_enums_match_case_insensitively_and_come_back_canonical(idg: IndustryGraph) -> None:
    district = District(idg)
    body = deep(USER_FLOW)
    body["managementOptions"]["additionalOptions"]["studentAgeGroup"] = "NOTADULT"
    body["managementOptions"]["additionalAttributes"] = ["USERNUMBER"]
    created = idg.create(district.flows_path, body)
    options = created["managementOptions"]
    assert options["additionalOptions"]["studentAgeGroup"] == "notAdult"
    assert options["additionalAttributes"] == ["userNumber"]
    flow = inbound_flow(district.connector, district.year, expiration="2020-01-01T00:00:00Z")
    flow["dataDomain"] = "EDUCATIONROSTERING"
    assert idg.create("/inboundFlows", flow)["dataDomain"] == "educationRostering"
    refused(
        idg.post(district.flows_path, json={**USER_FLOW, "createUnmatchedUsers": "yes"}), "boolean"
    )
    bad = deep(USER_FLOW)
    bad["managementOptions"]["additionalAttributes"] = ["shoeSize"]
    refused(idg.post(district.flows_path, json=bad), "must be one of userGradeLevel")


def test_member_names_are_case_tolerant_and_echoed_canonical(idg: IndustryGraph) -> None:
    set_id = idg.create("/outboundProvisioningFlowSets", flow_set())["id"]
    flows = f"/outboundProvisioningFlowSets/{set_id}/provisioningFlows"
    created = idg.create(
        flows,
        {
            "@odata.type": f"{NS}securityGroupProvisioningFlow",
            "creationOptions": {
                "createBasedOnroleGroup": True,
                "createBasedOnOrgPlusroleGroup": False,
            },
        },
    )
    assert created["creationOptions"] == {
        "createBasedOnRoleGroup": True,
        "createBasedOnOrgPlusRoleGroup": False,
    }
    twice = {"displayName": "a", "DisplayName": "b"}
    refused(idg.post("/outboundProvisioningFlowSets", json=twice), "repeats 'displayName'")


def test_secrets_are_never_returned(emu: Emulator, idg: IndustryGraph) -> None:
    district = District(idg)
    flow = idg.create(district.flows_path, USER_FLOW)
    reads = [
        idg.read(f"/dataConnectors/{district.connector}"),
        idg.read("/dataConnectors"),
        idg.read(f"/inboundFlows/{district.flow}/dataConnector"),
        idg.read(f"/inboundFlows/{district.flow}?$expand=dataConnector"),
        flow,
        idg.read(f"{district.flows_path}/{flow['id']}"),
        idg.read("/outboundProvisioningFlowSets?$expand=provisioningFlows"),
    ]
    for read in reads:
        text = str(read)
        assert "one-roster-secret" not in text and "clientSecret" not in text
        assert "Welcome-2026!" not in text
    password = flow["creationOptions"]["configurations"][0]["defaultPasswordSettings"]
    assert password == {"@odata.type": f"{NS}simplePasswordSettings", "password": "***************"}
    stored = emu.industry_data.stored("provisioningFlows", flow["id"])
    configuration = stored["creationOptions"]["configurations"][0]
    assert configuration["defaultPasswordSettings"]["password"] == "Welcome-2026!"


def test_the_documented_mask_sent_back_is_stored_as_sent(emu: Emulator, idg: IndustryGraph) -> None:
    """The user-flow PATCH example sends the mask (correction 9); the emulator keeps what it
    receives, so a test can catch a client that echoes a mask instead of a password."""
    district = District(idg)
    flow = idg.create(district.flows_path, USER_FLOW)["id"]
    body = deep(USER_FLOW)
    body["creationOptions"]["configurations"][0]["defaultPasswordSettings"]["password"] = "********"
    assert idg.patch(f"{district.flows_path}/{flow}", json=body).status_code == 204
    stored = emu.industry_data.stored("provisioningFlows", flow)
    assert stored["creationOptions"]["configurations"][0]["defaultPasswordSettings"] == {
        "@odata.type": f"{NS}simplePasswordSettings",
        "password": "********",
    }


def test_server_filled_members(idg: IndustryGraph) -> None:
    source = idg.create("/sourceSystems", source_system())
    assert source["vendor"] is None  # omitted vendor comes back null (§5)
    connector = idg.create("/dataConnectors", one_roster_connector(source["id"]))
    credential = connector["credential"]
    assert credential["isValid"] is True  # before any validate (correction 9)
    assert credential["lastValidDateTime"] is None and credential["scope"] is None
    flow_set_body = idg.create("/outboundProvisioningFlowSets", flow_set())
    assert flow_set_body["createdDateTime"] == flow_set_body["lastModifiedDateTime"]


def test_undocumented_and_deprecated_members(idg: IndustryGraph) -> None:
    body = source_system()
    body["userMatchingSettings"][1]["domainName"] = "students.contoso.edu"
    settings = idg.create("/sourceSystems", body)["userMatchingSettings"]
    assert settings[1]["domainName"] == "students.contoso.edu"  # correction 4
    assert "domainName" not in settings[0]  # left out while unset
    district = District(idg)
    flow = deep(USER_FLOW)
    flow["managementOptions"]["additionalOptions"]["markAllStudentsAsMinors"] = True
    created = idg.create(district.flows_path, flow)
    assert "markAllStudentsAsMinors" not in created["managementOptions"]["additionalOptions"]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"{not json", "not valid JSON"),
        (b"", "A JSON request body is required"),
        (b"[]", "(body): must be a JSON object"),
        (b'"x"', "must be a JSON object"),
    ],
)
def test_bodies_that_are_not_objects(idg: IndustryGraph, data: bytes, words: str) -> None:
    headers = {"Content-Type": "application/json"}
    refused(idg.post("/years", data=data, headers=headers), words)


def test_instance_annotations_other_than_binds_are_refused(idg: IndustryGraph) -> None:
    body = {**year(), "@odata.context": "ignored", "displayName@odata.type": "#String"}
    refused(idg.post("/years", json=body), "instance annotations are not accepted")
