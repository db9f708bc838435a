"""The education SKU table: lookups by GUID (any case) and by part number."""

from __future__ import annotations

import re

from reconciler.kinds.skus import EDUCATION_SKUS, sku_by_guid, sku_by_part_number, sku_label

GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_table_is_well_formed_and_unique() -> None:
    assert all(GUID.fullmatch(s.guid) for s in EDUCATION_SKUS)
    assert len({s.guid for s in EDUCATION_SKUS}) == len(EDUCATION_SKUS)
    assert len({s.part_number for s in EDUCATION_SKUS}) == len(EDUCATION_SKUS)


def test_lookups() -> None:
    a1_students = "314c4481-f395-4525-be8b-2ec4bb1e9d91"
    assert sku_label(a1_students.upper()) == "Office 365 A1 for students"
    assert sku_by_part_number("standardwoffpack_faculty") == sku_by_guid(
        "94763226-9b3c-4e75-a931-5c89701abe66"
    )
    assert sku_label("00000000-0000-0000-0000-000000000000") == (
        "00000000-0000-0000-0000-000000000000"
    )
    assert sku_by_part_number("NOT_A_SKU") is None
