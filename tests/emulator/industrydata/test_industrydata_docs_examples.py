"""The documented request/response pairs, sent as written: the minimal payloads of
graph-industrydata-api.md §5 and the Graph docs' examples (industrydata-*-post.md, the user-flow
PATCH and GET, referenceDefinition POST/PATCH/DELETE). Responses are compared member by member,
leaving out what the server makes up (ids, timestamps, contexts)."""

from __future__ import annotations

from typing import Any

from tests.emulator.industrydata.idhelpers import GRAPH, NS, IndustryGraph

_SERVER_MADE = {"id", "@odata.context", "createdDateTime", "lastModifiedDateTime"}


def assert_matches(actual: Any, expected: Any, where: str = "") -> None:
    """`expected`'s members are in `actual` with the same values (server-made ones skipped)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), where
        for key, value in expected.items():
            if key in _SERVER_MADE:
                continue
            assert key in actual, f"{where}.{key} missing from {actual}"
            assert_matches(actual[key], value, f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), where
        for index, (got, want) in enumerate(zip(actual, expected, strict=True)):
            assert_matches(got, want, f"{where}[{index}]")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def sourcesystem_post() -> tuple[dict[str, Any], dict[str, Any]]:
    setting = {
        "matchTarget": {"code": "userPrincipalName"},
        "sourceIdentifier": {"code": "username"},
    }
    request = {
        "displayName": "Rostering source",
        "userMatchingSettings": [
            {**setting, "priorityOrder": 0, "roleGroup@odata.bind": f"{GRAPH}/roleGroups/staff"},
            {
                **setting,
                "priorityOrder": 1,
                "roleGroup@odata.bind": f"{GRAPH}/roleGroups('students')",
            },
        ],
    }
    response = {
        "displayName": "Rostering source",
        "vendor": None,
        "userMatchingSettings": [{**setting, "priorityOrder": 0}, {**setting, "priorityOrder": 1}],
    }
    return request, response


def test_the_documented_district_as_written(idg: IndustryGraph) -> None:
    request, response = sourcesystem_post()
    created = idg.create("/sourceSystems", request)
    assert_matches(created, response)
    assert all("roleGroup" not in s for s in created["userMatchingSettings"])
    source = created["id"]

    connector = idg.create(
        "/dataConnectors",
        {
            "@odata.type": f"{NS}oneRosterApiDataConnector",
            "displayName": "Generic OAuth2 Connector",
            "sourceSystem@odata.bind": f"{GRAPH}/sourceSystems('{source}')",
            "apiFormat": "oneRoster",
            "baseUrl": "https://fakeProvider.net/ims/oneroster/v1p1",
            "apiVersion": "1.1",
            "credential": {
                "@odata.type": f"{NS}oAuth2ClientCredential",
                "displayName": "One Roster API Credentials",
                "clientId": "530be723-6af3-4952-8658-668fb2598ad7",
                "clientSecret": "thisIsASecret",
                "tokenUrl": "https://login.microsoftonline.com/c27f982b/oauth2/token",
                "scope": None,
            },
            "isDemographicsEnabled": False,
            "isFlagsEnabled": False,
            "isContactsEnabled": False,
        },
    )
    assert_matches(
        connector,
        {
            "@odata.type": f"{NS}oneRosterApiDataConnector",
            "displayName": "Generic OAuth2 Connector",
            "apiFormat": "oneRoster",
            "baseUrl": "https://fakeProvider.net/ims/oneroster/v1p1",
            "apiVersion": "1.1",
            "isDemographicsEnabled": False,
            "isFlagsEnabled": False,
            "isContactsEnabled": False,
            "credential": {
                "@odata.type": f"{NS}oAuth2ClientCredential",
                "displayName": "One Roster API Credentials",
                "isValid": True,
                "lastValidDateTime": None,
                "clientId": "530be723-6af3-4952-8658-668fb2598ad7",
                "tokenUrl": "https://login.microsoftonline.com/c27f982b/oauth2/token",
                "scope": None,
            },
        },
    )
    assert "clientSecret" not in connector["credential"] and "sourceSystem" not in connector

    year_request = {
        "displayName": "Fiscal Year 2022",
        "endDate": "2023-06-15",
        "startDate": "2022-09-01",
        "year": {"code": "2022"},
    }
    year = idg.create("/years", year_request)
    assert {k: v for k, v in year.items() if k not in _SERVER_MADE} == year_request

    # Reference §5's minimal inbound-flow payload, ids filled in.
    flow = idg.create(
        "/inboundFlows",
        {
            "@odata.type": "#microsoft.graph.industryData.inboundApiFlow",
            "displayName": "Rostering 2025",
            "dataDomain": "educationRostering",
            "effectiveDateTime": "2025-08-01T00:00:00Z",
            "expirationDateTime": "2026-07-31T00:00:00Z",
            "dataConnector@odata.bind": f"{GRAPH}/dataConnectors/{connector['id']}",
            "year@odata.bind": f"{GRAPH}/years/{year['id']}",
        },
    )
    assert_matches(
        flow,
        {
            "@odata.type": f"{NS}inboundApiFlow",
            "displayName": "Rostering 2025",
            "readinessStatus": "ready",
            "dataDomain": "educationRostering",
            "effectiveDateTime": "2025-08-01T00:00:00Z",
            "expirationDateTime": "2026-07-31T00:00:00Z",
        },
    )


def test_the_documented_inbound_file_flow(idg: IndustryGraph) -> None:
    source = idg.create("/sourceSystems", sourcesystem_post()[0])["id"]
    connector = idg.create(
        "/dataConnectors",
        {
            "@odata.type": f"{NS}azureDataLakeConnector",
            "displayName": "Rostering connector",
            "sourceSystem@odata.bind": f"{GRAPH}/sourceSystems/{source}",
        },
    )  # Microsoft's ADF template sends no fileFormat (correction 7)
    assert connector["fileFormat"] is None
    year = idg.create(
        "/years",
        {
            "displayName": "2023",
            "startDate": "2022-08-01",
            "endDate": "2023-07-31",
            "year": {"code": "2023"},
        },
    )
    created = idg.create(
        "/inboundFlows",
        {
            "@odata.type": "#microsoft.graph.industryData.inboundFileFlow",
            "dataDomain": "educationRostering",
            "displayName": "Inbound rostering flow",
            "effectiveDateTime": "2023-03-12T16:40:46.924769+05:30",
            "expirationDateTime": "2023-03-13T16:40:46.924769+05:30",
            "year@odata.bind": f"{GRAPH}/years/{year['id']}",
            "dataConnector@odata.bind": f"{GRAPH}/dataConnectors/{connector['id']}",
        },
    )
    assert_matches(
        created,
        {
            "@odata.type": "#microsoft.graph.industryData.inboundFileFlow",
            "displayName": "Inbound rostering flow",
            "readinessStatus": "ready",
            "dataDomain": "educationRostering",
            "effectiveDateTime": "2023-03-12T11:10:46.924769Z",
            "expirationDateTime": "2023-03-13T11:10:46.924769Z",
        },
    )


def test_the_documented_flow_set_and_flows(idg: IndustryGraph) -> None:
    flow_set = idg.create(
        "/OutboundProvisioningFlowSets",
        {
            "@odata.type": "#microsoft.graph.industryData.outboundProvisioningFlowSet",
            "displayName": "Outbound Provisioning Flow Test",
            "filter": {
                "@odata.type": "#microsoft.graph.industryData.basicFilter",
                "attribute": "orgExternalId",
                "in": ["Quarter", "Demo"],
            },
        },
    )
    assert_matches(
        flow_set,
        {
            "displayName": "Outbound Provisioning Flow Test",
            "filter": {
                "@odata.type": "#microsoft.graph.industryData.basicFilter",
                "attribute": "orgExternalId",
                "in": ["Quarter", "Demo"],
            },
        },
    )
    flows = f"/OutboundProvisioningFlowSets/{flow_set['id']}/provisioningFlows"
    admin_unit = idg.create(
        flows,
        {
            "@odata.type": "#microsoft.graph.industryData.administrativeUnitProvisioningFlow",
            "creationOptions": {"createBasedOnOrg": True, "createBasedOnOrgPlusroleGroup": True},
        },
    )
    assert admin_unit["readinessStatus"] == "notReady"
    assert admin_unit["creationOptions"] == {
        "createBasedOnOrg": True,
        "createBasedOnOrgPlusRoleGroup": True,
    }
    owners = ["teacher", "proctor", "teacherAssistant", "paraProfessional", "physicalTherapist"]
    members = ["student", "substitute", "aide", "proctor", "paraProfessional"]

    def mapping(code: str) -> dict[str, str]:
        return {"@odata.type": f"{NS}sectionRoleReferenceValue", "code": code}

    class_group = idg.create(
        flows,
        {
            "@odata.type": "#microsoft.graph.industryData.classGroupProvisioningFlow",
            "configuration": {
                "@odata.type": "#microsoft.graph.industryData.classGroupConfiguration",
                "additionalAttributes": ["courseTitle", "courseCode", "academicSessionExternalId"],
                "additionalOptions": {
                    "@odata.type": "#microsoft.graph.industryData.additionalClassGroupOptions",
                    "createTeam": True,
                    "writeDisplayNameOnCreateOnly": True,
                },
                "enrollmentMappings": {
                    "@odata.type": "#microsoft.graph.industryData.enrollmentMappings",
                    "ownerEnrollmentMappings": [mapping(c) for c in owners],
                    "memberEnrollmentMappings": [mapping(c) for c in members],
                },
            },
        },
    )
    configuration = class_group["configuration"]
    assert "@odata.type" not in configuration  # nested values come back unannotated
    assert configuration["additionalOptions"] == {
        "createTeam": True,
        "writeDisplayNameOnCreateOnly": True,
    }
    lowered = [{"code": c.replace("paraProfessional", "paraprofessional")} for c in owners]
    assert configuration["enrollmentMappings"]["ownerEnrollmentMappings"] == lowered
    security = idg.create(
        flows,
        {
            "@odata.type": "#microsoft.graph.industryData.securityGroupProvisioningFlow",
            "creationOptions": {
                "createBasedOnroleGroup": True,
                "createBasedOnOrgPlusroleGroup": False,
            },
        },
    )
    assert security["creationOptions"] == {
        "createBasedOnRoleGroup": True,
        "createBasedOnOrgPlusRoleGroup": False,
    }


def test_the_documented_user_flow_create_patch_and_get(idg: IndustryGraph) -> None:
    set_id = idg.create("/outboundProvisioningFlowSets", {"displayName": "Users"})["id"]
    flows = f"/outboundProvisioningFlowSets/{set_id}/provisioningFlows"
    # Reference §5's minimal user-flow payload.
    created = idg.create(
        flows,
        {
            "@odata.type": "#microsoft.graph.industryData.userProvisioningFlow",
            "createUnmatchedUsers": False,
            "managementOptions": {
                "additionalAttributes": ["userGradeLevel"],
                "additionalOptions": {
                    "studentAgeGroup": "minor",
                    "allowStudentContactAssociation": False,
                },
            },
            "creationOptions": {
                "configurations": [
                    {
                        "roleGroup@odata.bind": f"{GRAPH}/roleGroups/students",
                        "licenseSkus": ["<skuId>"],
                        "defaultPasswordSettings": {
                            "@odata.type": "#microsoft.graph.industryData.simplePasswordSettings",
                            "password": "<secret>",
                        },
                    }
                ]
            },
        },
    )
    assert created["creationOptions"]["configurations"] == [
        {
            "licenseSkus": ["<skuId>"],
            "defaultPasswordSettings": {
                "@odata.type": f"{NS}simplePasswordSettings",
                "password": "***************",
            },
        }
    ]
    # industrydata-userprovisioningflow-update.md's request, as written (mask included).
    patch = {
        "@odata.type": "#microsoft.graph.industryData.userProvisioningFlow",
        "createUnmatchedUsers": True,
        "managementOptions": {
            "additionalAttributes": ["userGradeLevel"],
            "additionalOptions": {
                "studentAgeGroup": "minor",
                "allowStudentContactAssociation": True,
            },
        },
        "creationOptions": {
            "configurations": [
                {
                    "roleGroup@odata.bind": f"{GRAPH}/roleGroups/staff",
                    "defaultPasswordSettings": {
                        "@odata.type": "#microsoft.graph.industryData.simplePasswordSettings",
                        "password": "********",
                    },
                    "licenseSkus": ["SkuUpdated"],
                },
                {
                    "roleGroup@odata.bind": f"{GRAPH}/roleGroups/students",
                    "defaultPasswordSettings": {
                        "@odata.type": "#microsoft.graph.industryData.simplePasswordSettings",
                        "password": "********",
                    },
                    "licenseSkus": ["SkuUpdated2"],
                },
            ]
        },
    }
    response = idg.patch(f"{flows}/{created['id']}", json=patch)
    assert response.status_code == 204 and response.content == b""
    read = idg.read(f"{flows}/{created['id']}")
    assert read["createUnmatchedUsers"] is True
    assert read["@odata.context"].endswith(
        f"outboundProvisioningFlowSets('{set_id}')/provisioningFlows/$entity"
    )
    configurations = read["creationOptions"]["configurations"]
    assert [c["licenseSkus"] for c in configurations] == [["SkuUpdated"], ["SkuUpdated2"]]
    assert [c["roleGroup"]["displayName"] for c in configurations] == ["Staff", "Students"]
    assert {"code": "paraprofessional"} in configurations[0]["roleGroup"]["roles"]


def test_the_documented_reference_definition_calls(idg: IndustryGraph) -> None:
    created = idg.create(
        "/referenceDefinitions",
        {
            "@odata.type": "#microsoft.graph.industryData.referenceDefinition",
            "referenceType": "RefGradeLevel",
            "code": "TestGrade",
            "isDisabled": False,
            "sortIndex": 300,
            "displayName": "New Test Grade Level",
        },
    )
    assert_matches(
        created,
        {
            "@odata.type": "#microsoft.graph.industryData.referenceDefinition",
            "id": "RefGradeLevel-TestGrade",
            "referenceType": "RefGradeLevel",
            "displayName": "New Test Grade Level",
            "code": "TestGrade",
            "source": "Tenant Defined",
            "isDisabled": False,
            "sortIndex": 300,
        },
    )
    assert created["id"] == "RefGradeLevel-TestGrade"
    patch = {
        "@odata.type": "#microsoft.graph.industryData.referenceDefinition",
        "displayName": "Updated Test Grade Name",
    }
    assert idg.patch("/referenceDefinitions/RefGradeLevel-TestGrade", json=patch).status_code == 204
    # referencedefinition-delete.md deletes RefAcademicSubject-TestGrade: create it first.
    subject = {**patch, "referenceType": "RefAcademicSubject", "code": "TestGrade"}
    idg.create("/referenceDefinitions", {**subject, "isDisabled": False, "sortIndex": 300})
    assert idg.delete("/referenceDefinitions/RefAcademicSubject-TestGrade").status_code == 204


def test_the_documented_role_group_get(idg: IndustryGraph) -> None:
    assert idg.read("/roleGroups/students") == {
        "@odata.context": idg.base_url + "/$metadata#external/industryData/roleGroups/$entity",
        "id": "students",
        "displayName": "Students",
        "roles": [{"code": "student"}],
    }
