"""Which of the service's own rows `export` writes: those the tenant changed."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.export.tree import overridden
from reconciler.kinds.industry_data import WITH_INDUSTRY_DATA

UNTOUCHED = {
    "id": "RefGradeLevel-UG",
    "referenceType": "RefGradeLevel",
    "code": "UG",
    "displayName": "UG",
    "isDisabled": False,
    "sortIndex": 20,
    "source": "CEDS",
    "lastModifiedDateTime": "0001-01-01T00:00:00Z",
}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, False),
        ({"lastModifiedDateTime": None}, False),
        ({"isDisabled": True}, True),  # differs from the member's default
        ({"displayName": "Ungraded", "lastModifiedDateTime": "2026-03-01T10:00:00Z"}, True),
    ],
)
def test_a_service_row_is_overridden_once_the_tenant_changed_it(
    changes: dict[str, Any], expected: bool
) -> None:
    body = {**UNTOUCHED, **changes}
    assert overridden(WITH_INDUSTRY_DATA["referenceValue"], body) is expected
