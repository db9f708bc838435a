"""Helpers for the Industry Data emulator tests: a Graph-like session rooted at
`/external/industryData`, bind URLs, and request bodies taken from the Graph docs' examples.
(A uniquely named module, so rootdir-style imports cannot clash.)"""

from __future__ import annotations

import copy
from typing import Any

import requests

from tests.emulator.emulator_helpers import TIMEOUT, TOKEN

GRAPH = "https://graph.microsoft.com/beta/external/industryData"
NS = "#microsoft.graph.industryData."


class IndustryGraph:
    """A requests session addressed like Graph, paths relative to `/external/industryData`."""

    def __init__(self, base_url: str, token: str | None = TOKEN) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        if token is not None:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def url(self, path: str = "") -> str:
        return f"{self.base_url}/external/industryData{path}"

    def request(self, method: str, path: str = "", **kwargs: Any) -> requests.Response:
        return self.session.request(method, self.url(path), timeout=TIMEOUT, **kwargs)

    def get(self, path: str = "", **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str = "", **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str = "", **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str = "", **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def create(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.post(path, json=body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def read(self, path: str) -> dict[str, Any]:
        response = self.get(path)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    def list_all(self, path: str) -> list[dict[str, Any]]:
        """Every item of a collection, following `@odata.nextLink`."""
        items: list[dict[str, Any]] = []
        page = self.read(path)
        while True:
            items.extend(page["value"])
            link = page.get("@odata.nextLink")
            if not link:
                return items
            response = self.session.get(link, timeout=TIMEOUT)
            assert response.status_code == 200, response.text
            page = response.json()


def bind(path: str) -> str:
    """A full Graph URL, as the docs write binds."""
    return f"{GRAPH}{path}"


def error_of(response: requests.Response) -> dict[str, Any]:
    error: dict[str, Any] = response.json()["error"]
    return error


# -- request bodies (after the Graph docs' examples) --------------------------------------------


def source_system(name: str = "Rostering source", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "displayName": name,
        "userMatchingSettings": [
            {
                "matchTarget": {"code": "userPrincipalName"},
                "priorityOrder": 0,
                "roleGroup@odata.bind": bind("/roleGroups/staff"),
                "sourceIdentifier": {"code": "username"},
            },
            {
                "matchTarget": {"code": "userPrincipalName"},
                "priorityOrder": 1,
                "roleGroup@odata.bind": bind("/roleGroups('students')"),
                "sourceIdentifier": {"code": "username"},
            },
        ],
    }
    body.update(changes)
    return body


def year(code: str = "2026", **changes: Any) -> dict[str, Any]:
    ending = int(code)
    body: dict[str, Any] = {
        "displayName": f"School year {ending - 1}-{ending}",
        "startDate": f"{ending - 1}-08-15",
        "endDate": f"{ending}-06-30",
        "year": {"code": code},
    }
    body.update(changes)
    return body


def one_roster_connector(source_id: str, name: str = "Contoso OneRoster") -> dict[str, Any]:
    return {
        "@odata.type": f"{NS}oneRosterApiDataConnector",
        "displayName": name,
        "sourceSystem@odata.bind": bind(f"/sourceSystems('{source_id}')"),
        "apiFormat": "oneRoster",
        "baseUrl": "https://sis.example.edu/ims/oneroster/v1p1",
        "apiVersion": "1.1",
        "credential": {
            "@odata.type": f"{NS}oAuth2ClientCredential",
            "displayName": "One Roster API Credentials",
            "clientId": "530be723-6af3-4952-8658-668fb2598ad7",
            "clientSecret": "one-roster-secret",
            "tokenUrl": "https://sis.example.edu/oauth2/token",
            "scope": None,
        },
        "isDemographicsEnabled": False,
        "isFlagsEnabled": False,
        "isContactsEnabled": False,
    }


def data_lake_connector(source_id: str, name: str = "Contoso CSV") -> dict[str, Any]:
    return {
        "@odata.type": f"{NS}azureDataLakeConnector",
        "displayName": name,
        "sourceSystem@odata.bind": bind(f"/sourceSystems/{source_id}"),
        "fileFormat": {"code": "schoolDataSyncV2Rev1"},
    }


def inbound_flow(
    connector_id: str,
    year_id: str,
    *,
    kind: str = "inboundApiFlow",
    name: str = "Rostering 2026",
    expiration: str | None = "2099-07-31T00:00:00Z",
) -> dict[str, Any]:
    return {
        "@odata.type": f"{NS}{kind}",
        "displayName": name,
        "dataDomain": "educationRostering",
        "effectiveDateTime": "2025-08-01T00:00:00Z",
        "expirationDateTime": expiration,
        "dataConnector@odata.bind": bind(f"/dataConnectors/{connector_id}"),
        "year@odata.bind": bind(f"/years/{year_id}"),
    }


def flow_set(name: str = "Manage Contoso") -> dict[str, Any]:
    return {
        "displayName": name,
        "filter": {"@odata.type": f"{NS}basicFilter", "attribute": "orgExternalId", "in": ["S1"]},
    }


USER_FLOW: dict[str, Any] = {
    "@odata.type": f"{NS}userProvisioningFlow",
    "createUnmatchedUsers": False,
    "managementOptions": {
        "additionalAttributes": ["userGradeLevel"],
        "additionalOptions": {"studentAgeGroup": "minor", "allowStudentContactAssociation": False},
    },
    "creationOptions": {
        "configurations": [
            {
                "roleGroup@odata.bind": bind("/roleGroups/students"),
                "licenseSkus": ["314c4481-f395-4525-be8b-2ec4bb1e9d91"],
                "defaultPasswordSettings": {
                    "@odata.type": f"{NS}simplePasswordSettings",
                    "password": "Welcome-2026!",
                },
            }
        ]
    },
}

CLASS_GROUP_FLOW: dict[str, Any] = {
    "@odata.type": f"{NS}classGroupProvisioningFlow",
    "configuration": {
        "additionalAttributes": ["courseTitle", "courseCode"],
        "additionalOptions": {"createTeam": True, "writeDisplayNameOnCreateOnly": True},
        "enrollmentMappings": {
            "ownerEnrollmentMappings": [{"code": "teacher"}, {"code": "paraProfessional"}],
            "memberEnrollmentMappings": [{"code": "student"}],
        },
    },
}

SECURITY_GROUP_FLOW: dict[str, Any] = {
    "@odata.type": f"{NS}securityGroupProvisioningFlow",
    "creationOptions": {"createBasedOnRoleGroup": True, "createBasedOnOrgPlusRoleGroup": False},
}

ADMIN_UNIT_FLOW: dict[str, Any] = {
    "@odata.type": f"{NS}administrativeUnitProvisioningFlow",
    "creationOptions": {"createBasedOnOrg": True, "createBasedOnOrgPlusRoleGroup": True},
}


def deep(body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    copied = copy.deepcopy(body)
    copied.update(changes)
    return copied


class District:
    """Ids of a small district built through the API: source, year, connector, flow, set."""

    def __init__(self, idg: IndustryGraph, *, year_code: str = "2026") -> None:
        self.source = idg.create("/sourceSystems", source_system())["id"]
        self.year = idg.create("/years", year(year_code))["id"]
        self.connector = idg.create("/dataConnectors", one_roster_connector(self.source))["id"]
        self.flow = idg.create("/inboundFlows", inbound_flow(self.connector, self.year))["id"]
        self.flow_set = idg.create("/outboundProvisioningFlowSets", flow_set())["id"]
        self.flows_path = f"/outboundProvisioningFlowSets/{self.flow_set}/provisioningFlows"
