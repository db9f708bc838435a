"""The look-alike matcher: when does a planned create look like an unmanaged tenant profile?
Table-driven over pure data: a desired body and a tenant body per case."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from reconciler.desired.loader import DesiredObject
from reconciler.engine.lookalike import Candidate, lookalikes
from reconciler.engine.twins import twins
from reconciler.kinds import KINDS
from reconciler.kinds.industry_data.flow_set import PROVISIONING_FLOW
from reconciler.kinds.sync_profile import SYNCHRONIZATION_PROFILE
from tests.engine_family.kinds import PART

KIND = SYNCHRONIZATION_PROFILE

CREATION = {
    "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration",
    "userDomains": [
        {"appliesTo": "student", "name": "students.springfield.edu"},
        {"appliesTo": "teacher", "name": "springfield.edu"},
    ],
}
LICENCES = [{"appliesTo": "student", "skuIds": ["314c4481-f395-4525-be8b-2ec4bb1e9d91"]}]

POWERSCHOOL = {
    "displayName": "Springfield PowerSchool 2025-26",
    "dataProvider": {
        "@odata.type": "#microsoft.graph.educationPowerSchoolDataProvider",
        "connectionUrl": "https://springfield.powerschool.com",
        "clientId": "11111111-aaaa-bbbb-cccc-000000000001",
        "clientSecret": "${PS_SECRET}",
        "schoolYear": "2026",
        "schoolsIds": ["1", "2"],
    },
    "identitySynchronizationConfiguration": CREATION,
    "licensesToAssign": LICENCES,
}
ONEROSTER = {
    "displayName": "Springfield OneRoster",
    "dataProvider": {
        "@odata.type": "#microsoft.graph.educationOneRosterApiDataProvider",
        "connectionUrl": "https://sis.springfield.edu/ims/oneroster/v1p1",
        "connectionSettings": {
            "@odata.type": "#microsoft.graph.educationSynchronizationOAuth1ConnectionSettings",
            "clientId": "springfield-sds",
            "clientSecret": "${OR_SECRET}",
        },
    },
    "identitySynchronizationConfiguration": CREATION,
}
CSV = {
    "displayName": "Springfield CSV 2025-26",
    "dataProvider": {"@odata.type": "#microsoft.graph.educationCsvDataProvider"},
    "identitySynchronizationConfiguration": CREATION,
    "licensesToAssign": LICENCES,
}


def changed(body: dict[str, Any], **edits: Any) -> dict[str, Any]:
    """A copy with `a.b=value` edits (None deletes); the tenant side never has secrets."""
    out = copy.deepcopy(body)
    for dotted, value in edits.items():
        keys = dotted.split("__")
        node = out
        for key in keys[:-1]:
            node = node[key]
        if value is None:
            node.pop(keys[-1], None)
        else:
            node[keys[-1]] = value
    out["id"] = "99999999-0000-0000-0000-000000000001"
    provider = out["dataProvider"]
    provider.pop("clientSecret", None)
    provider.get("connectionSettings", {}).pop("clientSecret", None)
    return out


def desired(body: dict[str, Any]) -> DesiredObject:
    variables = {}
    if "clientSecret" in body["dataProvider"]:
        variables[("dataProvider", "clientSecret")] = ("PS_SECRET",)
    return DesiredObject(KIND, "desired-state/p.yaml", 1, 1, body, variables=variables)


CASES = [
    # (case, desired body, tenant body, expected reason start or None)
    (
        "renamed PowerSchool profile: same URL and client id",
        POWERSCHOOL,
        changed(POWERSCHOOL, displayName="Springfield PS (old)", licensesToAssign=[]),
        "has the same source (educationPowerSchoolDataProvider, https://springfield.powerschool.com",
    ),
    (
        "URL spelt with another case and a trailing slash is the same source",
        POWERSCHOOL,
        changed(
            POWERSCHOOL,
            displayName="old",
            dataProvider__connectionUrl="HTTPS://Springfield.PowerSchool.com/",
        ),
        "has the same source",
    ),
    (
        "same URL, other client id, other fields: another integration, not a look-alike",
        POWERSCHOOL,
        changed(
            POWERSCHOOL,
            displayName="other",
            dataProvider__clientId="22222222-aaaa-bbbb-cccc-000000000002",
            dataProvider__schoolYear="2025",
            dataProvider__schoolsIds=["9"],
            identitySynchronizationConfiguration={
                "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration",
                "userDomains": [{"appliesTo": "student", "name": "other.edu"}],
            },
            licensesToAssign=[],
        ),
        None,
    ),
    (
        "another URL, every other field equal: most declared fields equal",
        POWERSCHOOL,
        changed(
            POWERSCHOOL,
            displayName="Springfield PowerSchool (east)",
            dataProvider__connectionUrl="https://east.springfield.powerschool.com",
        ),
        "has the same values in 8 of the 9 fields git declares",
    ),
    (
        "a rename plus a new client id, same URL, the rest equal: most declared fields equal",
        POWERSCHOOL,
        changed(
            POWERSCHOOL,
            displayName="Springfield PS (old)",
            dataProvider__clientId="22222222-aaaa-bbbb-cccc-000000000002",
        ),
        "has the same values in 8 of the 9 fields git declares",
    ),
    (
        "other provider type with the same URL is not the same source",
        POWERSCHOOL,
        {
            "id": "99999999-0000-0000-0000-000000000001",
            "displayName": "x",
            "dataProvider": {
                "@odata.type": "#microsoft.graph.educationOneRosterApiDataProvider",
                "connectionUrl": "https://springfield.powerschool.com",
            },
        },
        None,
    ),
    (
        "OneRoster: same URL and connection client id",
        ONEROSTER,
        changed(ONEROSTER, displayName="old OneRoster", identitySynchronizationConfiguration=None),
        "has the same source (educationOneRosterApiDataProvider, https://sis.springfield.edu",
    ),
    (
        "CSV names no source: all declared fields equal",
        CSV,
        changed(CSV, displayName="Springfield csv 2025-26"),
        "has the same values in all 5 fields git declares",
    ),
    (
        "CSV: most declared fields equal (a rename with one more edit)",
        CSV,
        changed(CSV, displayName="old", licensesToAssign=[]),
        "has the same values in 4 of the 5 fields git declares",
    ),
    (
        "CSV from the same template for another domain: not a look-alike",
        CSV,
        changed(
            CSV,
            displayName="Shelbyville CSV",
            identitySynchronizationConfiguration={
                "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration",
                "userDomains": [
                    {"appliesTo": "student", "name": "students.shelbyville.edu"},
                    {"appliesTo": "teacher", "name": "shelbyville.edu"},
                ],
            },
        ),
        None,
    ),
    (
        "CSV for another school: only the types are equal",
        CSV,
        changed(
            CSV,
            displayName="Shelbyville CSV",
            identitySynchronizationConfiguration={
                "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration",
                "userDomains": [
                    {"appliesTo": "student", "name": "students.shelbyville.edu"},
                    {"appliesTo": "teacher", "name": "shelbyville.edu"},
                ],
            },
            licensesToAssign=[],
        ),
        None,
    ),
    (
        "a tenant profile of another provider type is not a look-alike",
        CSV,
        changed(POWERSCHOOL, displayName="PS", licensesToAssign=[]),
        None,
    ),
]


@pytest.mark.parametrize(
    ("desired_body", "tenant_body", "expected"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_lookalike_rules(desired_body, tenant_body, expected) -> None:
    found = lookalikes(desired(desired_body), [Candidate.of(KIND, tenant_body)])
    if expected is None:
        assert found == ()
    else:
        (look,) = found
        assert look.id == tenant_body["id"] and look.name == tenant_body["displayName"]
        assert look.reason.startswith(expected), look.reason


def test_a_source_made_of_types_only_is_no_source() -> None:
    from reconciler.engine.lookalike import source_of
    from reconciler.engine.normalize import normalize

    tree = normalize(CSV, KIND.root)
    assert source_of(KIND, tree) == {}


@pytest.mark.parametrize("kind", list(KINDS.values()), ids=list(KINDS))
def test_kind_paths_name_real_fields(kind) -> None:
    """Look-alike and delete summaries read the kind's data: every path must exist."""
    from reconciler import fieldpaths

    for path in (*kind.source_identity, *kind.key_settings):
        assert fieldpaths.resolve(kind.root, fieldpaths.parse(path)) is None, path


def test_at_most_three_lookalikes_strongest_first() -> None:
    exact = [changed(CSV, displayName=f"copy {i}") for i in range(5)]
    for i, body in enumerate(exact):
        body["id"] = f"id-exact-{i}"
    close = changed(CSV, displayName="close", licensesToAssign=[])  # 4 of 5 fields
    close["id"] = "id-close"
    found = lookalikes(desired(CSV), [Candidate.of(KIND, b) for b in [close, *exact]])
    assert [look.id for look in found] == ["id-exact-0", "id-exact-1", "id-exact-2"]


USER_FLOW = {
    "@odata.type": "#microsoft.graph.industryData.userProvisioningFlow",
    "createUnmatchedUsers": True,
    "managementOptions": {"additionalAttributes": ["userGradeLevel"]},
}


def _flow_in(set_name: str) -> DesiredObject:
    body = {**USER_FLOW, "flowSet": {"ref": set_name}}
    return DesiredObject(PROVISIONING_FLOW, "desired-state/sets.yaml", 1, 1, body)


def _tenant_flow_in(set_name: str) -> Candidate:
    body = {**USER_FLOW, "id": "f-1", "flowSet": {"id": "s-1", "ref": set_name}}
    return Candidate.of(PROVISIONING_FLOW, body)


def test_objects_of_a_contained_kind_look_alike_only_within_one_container() -> None:
    # Another set with the same user flow (same rules, other schools) is another flow.
    assert lookalikes(_flow_in("Middle schools"), [_tenant_flow_in("High schools")]) == ()
    (look,) = lookalikes(_flow_in("High schools"), [_tenant_flow_in("High schools")])
    assert look.id == "f-1" and look.reason.startswith("has the same values in all")


def test_objects_of_a_contained_kind_read_one_source_only_within_one_container() -> None:
    reading = replace(PART, source_identity=("weight",))
    a, b, c = (
        DesiredObject(reading, "desired-state/parts.yaml", line, 1, body)
        for line, body in (
            (1, {"displayName": "Bolt", "weight": "1", "group": {"ref": "Blue"}}),
            (5, {"displayName": "Nut", "weight": "1", "group": {"ref": "Red"}}),
            (9, {"displayName": "Screw", "weight": "1", "group": {"ref": "Blue"}}),
        )
    )
    assert [(t.earlier.line, t.later.line) for t in twins([a, b, c])] == [(1, 9)]
