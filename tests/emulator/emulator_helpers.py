"""Helpers for the emulator tests: seed loading, a manual clock, a Graph-like session, sample
bodies. (A uniquely named module, so rootdir-style imports cannot clash.)"""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import requests

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
TOKEN = "test-token"
TIMEOUT = 5


def load_seed(name: str) -> Any:
    return json.loads((SEEDS / name).read_text(encoding="utf-8"))


class ManualClock:
    """An injectable clock: provisioning settles only when a test says time has passed."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Graph:
    """A requests session addressed like Graph: paths relative to the emulator's base URL."""

    def __init__(self, base_url: str, token: str | None = TOKEN) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        if token is not None:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def url(self, path: str = "") -> str:
        return f"{self.base_url}/education/synchronizationProfiles{path}"

    def request(self, method: str, path: str = "", **kwargs: Any) -> requests.Response:
        return self.session.request(method, self.url(path), timeout=TIMEOUT, **kwargs)

    def get(self, path: str = "", **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str = "", **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str = "", **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str = "", **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str = "", **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self.post(json=body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created


def jwt(claims: dict[str, Any]) -> str:
    """An unsigned JWT with these claims (the emulator reads, never verifies, the payload)."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.sig"


CSV_PROFILE: dict[str, Any] = {
    "displayName": "District A 2024",
    "dataProvider": {
        "@odata.type": "#microsoft.graph.educationCsvDataProvider",
        "customizations": {"student": {"optionalPropertiesToSync": ["State ID"]}},
    },
    "identitySynchronizationConfiguration": {
        "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration",
        "userDomains": [
            {"appliesTo": "student", "name": "students.example.edu"},
            {"appliesTo": "teacher", "name": "example.edu"},
        ],
    },
    "licensesToAssign": [
        {"appliesTo": "teacher", "skuIds": ["6fd2c87f-b296-42f0-b197-1e91e994b900"]}
    ],
}

POWERSCHOOL_PROFILE: dict[str, Any] = {
    "displayName": "PowerSchool 2024",
    "expirationDate": "2025-06-30",
    "handleSpecialCharacterConstraint": True,
    "dataProvider": {
        "@odata.type": "#microsoft.graph.educationPowerSchoolDataProvider",
        "connectionUrl": "https://ps.example.edu",
        "clientId": "ps-client",
        "clientSecret": "ps-secret-value",
        "schoolsIds": ["1", "2"],
        "schoolYear": "2024",
        "allowTeachersInMultipleSchools": False,
    },
    "identitySynchronizationConfiguration": {
        "@odata.type": "#microsoft.graph.educationIdentityMatchingConfiguration",
        "matchingOptions": [
            {
                "appliesTo": "student",
                "sourcePropertyName": "Username",
                "targetPropertyName": "userPrincipalName",
                "targetDomain": "example.edu",
            }
        ],
    },
}

ONEROSTER_PROFILE: dict[str, Any] = {
    "displayName": "OneRoster 2024",
    "dataProvider": {
        "@odata.type": "#microsoft.graph.educationOneRosterApiDataProvider",
        "connectionUrl": "https://oneroster.example.edu/ims/oneroster/v1p1",
        "providerName": "Example SIS",
        "schoolsIds": ["org-1"],
        "termIds": ["term-1"],
        "connectionSettings": {
            "@odata.type": "#microsoft.graph.educationSynchronizationOAuth2ClientCredentialsConnectionSettings",
            "clientId": "or-client",
            "clientSecret": "or-secret-value",
            "tokenUrl": "https://oneroster.example.edu/token",
            "scope": "roster.readonly",
        },
    },
    "identitySynchronizationConfiguration": {
        "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration",
        "userDomains": [{"appliesTo": "student", "name": "students.example.edu"}],
    },
}


def body(template: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A deep copy of a sample profile with top-level members replaced."""
    copied = copy.deepcopy(template)
    copied.update(changes)
    return copied
