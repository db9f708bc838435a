"""Building classic profiles for the converter's table-driven tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from reconciler.convert import ClassicProfile, Conversion, Entry, Status, convert

#: "Today" for every pure test: academic year 2026-2027 (code 2027) is the current one.
TODAY = date(2026, 11, 29)
NS = "#microsoft.graph.industryData."

CSV: dict[str, Any] = {"@odata.type": "#Microsoft.Education.DataSync.educationCsvDataProvider"}


def powerschool(url: str = "https://contoso.powerschool.com", **extra: Any) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.educationPowerSchoolDataProvider",
        "connectionUrl": url,
        "clientId": "ps-client",
        "clientSecret": "${PS_SECRET}",
        **extra,
    }


def oneroster(
    url: str = "https://sis.example.org/ims/oneroster/v1p1", *, oauth2: bool = True, **extra: Any
) -> dict[str, Any]:
    settings: dict[str, Any] = {"clientId": "or-client", "clientSecret": "${OR_SECRET}"}
    if oauth2:
        settings = {
            "@odata.type": "#microsoft.graph.educationSynchronizationOAuth2ClientCredentialsConnectionSettings",
            **settings,
            "tokenUrl": "https://sis.example.org/oauth/token",
            "scope": "roster",
        }
    else:
        settings = {
            "@odata.type": "#microsoft.graph.educationSynchronizationOAuth1ConnectionSettings",
            **settings,
        }
    return {
        "@odata.type": "#microsoft.graph.educationOneRosterApiDataProvider",
        "connectionUrl": url,
        "connectionSettings": settings,
        **extra,
    }


def creation(**domains: str) -> dict[str, Any]:
    """`creation(student="s.example.edu", teacher="example.edu")`."""
    domains = domains or {"student": "students.example.edu", "teacher": "example.edu"}
    return {
        "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration",
        "userDomains": [{"appliesTo": role, "name": name} for role, name in domains.items()],
    }


def matching(*options: tuple[str, str, str] | tuple[str, str, str, str]) -> dict[str, Any]:
    """`matching(("student", "Username", "userPrincipalName", "s.example.edu"), …)`."""
    options = options or (("student", "Username", "userPrincipalName"),)
    rules = []
    for option in options:
        rule = {"appliesTo": option[0], "sourcePropertyName": option[1]}
        rule["targetPropertyName"] = option[2]
        if len(option) > 3:
            rule["targetDomain"] = option[3]
        rules.append(rule)
    return {
        "@odata.type": "#microsoft.graph.educationIdentityMatchingConfiguration",
        "matchingOptions": rules,
    }


def body(
    name: str = "Profile",
    provider: dict[str, Any] | None = None,
    identity: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "displayName": name,
        "dataProvider": provider if provider is not None else dict(CSV),
        "identitySynchronizationConfiguration": identity if identity is not None else creation(),
        **extra,
    }


def profile(
    value: dict[str, Any],
    *,
    file: str = "p.yaml",
    line: int = 1,
    protect: bool = False,
    paused: bool | None = None,
    ignore: tuple[str, ...] = (),
) -> ClassicProfile:
    return ClassicProfile(
        file=file,
        line=line,
        column=1,
        body=value,
        protect=protect,
        paused=paused,
        ignore_changes=ignore,
    )


def run(*profiles: ClassicProfile, today: date = TODAY) -> Conversion:
    return convert(list(profiles), tree="desired-state", today=today)


def run_one(value: dict[str, Any], **options: Any) -> Conversion:
    return run(profile(value, **options))


def docs(conversion: Conversion, kind: str) -> list[dict[str, Any]]:
    return [o.document.body for o in conversion.outputs if o.document.kind == kind]


def one(conversion: Conversion, kind: str) -> dict[str, Any]:
    found = docs(conversion, kind)
    assert len(found) == 1, f"{len(found)} {kind} documents"
    return found[0]


def flows(conversion: Conversion, flow_type: str, set_name: str | None = None) -> list[Any]:
    sets = docs(conversion, "provisioningFlowSet")
    return [
        f
        for s in sets
        if set_name is None or s["displayName"] == set_name
        for f in s["provisioningFlows"]
        if f["@odata.type"] == NS + flow_type
    ]


def entries(
    conversion: Conversion, status: Status | None = None, field: str | None = None
) -> list[Entry]:
    return [
        e
        for e in conversion.entries
        if (status is None or e.status is status) and (field is None or e.field == field)
    ]


def messages(conversion: Conversion, status: Status | None = None) -> str:
    return "\n".join(e.message for e in entries(conversion, status))
