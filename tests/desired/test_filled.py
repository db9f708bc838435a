"""`filled_problems`: a value written with `${NAME}`, judged once filled in, by the type of the
property it stands in — through polymorphic members, keyed lists and sets — in words that
quote nothing of the value."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.desired.filled import filled_problems
from reconciler.kinds import REGISTRY

ROOT = REGISTRY["synchronizationProfile"].root
GUID = "314c4481-f395-4525-be8b-2ec4bb1e9d91"


def _written(**values: str) -> dict[str, Any]:
    """A profile body as written, each of `values` in place of a `${NAME}`."""
    return {
        "displayName": values.get("name", "P"),
        "expirationDate": values.get("date", "2027-06-30"),
        "dataProvider": {
            "@odata.type": "#microsoft.graph.educationPowerSchoolDataProvider",
            "connectionUrl": values.get("url", "https://ps.contoso.edu"),
            "customizations": {
                "student": {"synchronizationStartDate": values.get("start", "2026-08-01T00:00:00Z")}
            },
        },
        "identitySynchronizationConfiguration": {
            "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration",
            "userDomains": [
                {"appliesTo": "teacher", "name": "contoso.edu"},
                {
                    "appliesTo": values.get("role", "student"),
                    "name": values.get("domain", "s.contoso.edu"),
                },
            ],
        },
        "licensesToAssign": [{"appliesTo": "teacher", "skuIds": [GUID, values.get("sku", GUID)]}],
    }


PATHS = {
    "url": ("dataProvider", "connectionUrl"),
    "date": ("expirationDate",),
    "start": ("dataProvider", "customizations", "student", "synchronizationStartDate"),
    "role": ("identitySynchronizationConfiguration", "userDomains", 1, "appliesTo"),
    "domain": ("identitySynchronizationConfiguration", "userDomains", 1, "name"),
    "sku": ("licensesToAssign", 0, "skuIds", 1),
    "name": ("displayName",),
}


def _check(field: str, filled: str) -> list[tuple[Any, str]]:
    written = _written(**{field: "${V}"})
    return filled_problems(ROOT, written, _written(**{field: filled}), [PATHS[field]])


@pytest.mark.parametrize(
    ("field", "filled", "need"),
    [
        ("url", "https://bad host", "an https:// address with a valid host name and no spaces"),
        ("url", "ps.contoso.edu", "an https:// address"),
        ("date", "30/06/2027", "a date written YYYY-MM-DD"),
        ("date", "2027-02-30", "a date written YYYY-MM-DD"),
        ("start", "tomorrow", "an ISO-8601 date-time"),
        ("role", "pupil", "one of: student, teacher"),
        ("domain", "https://contoso.edu", "a domain name"),
        ("sku", "not-a-guid", "a GUID"),
    ],
)
def test_a_filled_in_value_wrong_for_its_property_is_named_by_path(
    field: str, filled: str, need: str
) -> None:
    ((path, said),) = _check(field, filled)
    assert path == PATHS[field]
    assert said.startswith(need)
    assert filled not in said  # a filled-in value is a secret


@pytest.mark.parametrize(
    ("field", "filled"),
    [
        ("url", "https://ps.contoso.edu:8443/api"),
        ("date", "2027-06-30"),
        ("start", "2026-08-01T08:00:00+02:00"),
        ("role", "Teacher"),  # the enum takes any case
        ("domain", "students.contoso.edu"),
        ("sku", GUID.upper()),
        ("name", "any text at all, spaces and # included"),
    ],
)
def test_a_filled_in_value_right_for_its_property_passes(field: str, filled: str) -> None:
    assert _check(field, filled) == []


def test_paths_that_lead_nowhere_are_left_alone() -> None:
    written = _written()
    for path in [("nope",), ("licensesToAssign", 5, "skuIds", 0), ("dataProvider", "x", "y")]:
        assert filled_problems(ROOT, written, written, [path]) == []
