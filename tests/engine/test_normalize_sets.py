"""Sets in the normaliser: order and case do not matter, and a malformed member does not crash."""

from __future__ import annotations

from reconciler.engine.normalize import normalize
from reconciler.kinds.sync_profile import PROFILE

SKU = "314c4481-f395-4525-be8b-2ec4bb1e9d91"


def _skus(*skus: object) -> object:
    tree = normalize(
        {"licensesToAssign": [{"appliesTo": "student", "skuIds": list(skus)}]}, PROFILE
    )
    return tree["licensesToAssign"]["[student]"]["skuIds"]


def test_a_set_ignores_order_case_and_repeats() -> None:
    other = "94763226-9b3c-4e75-a931-5c89701abe66"
    assert _skus(SKU.upper(), other, SKU) == _skus(other, SKU) == sorted([SKU, other])


def test_objects_inside_a_set_are_kept_once_each_not_a_crash() -> None:
    # Before: sorted(set(items)) raised TypeError (unhashable dict) -> "internal error".
    kept = _skus({"a": 1}, [2], {"a": 1}, SKU)
    assert kept == _skus(SKU, [2], {"a": 1})  # order does not matter
    assert isinstance(kept, list) and len(kept) == 3
    assert {"a": 1} in kept and [2] in kept and SKU in kept
    assert _skus({"a": 1}) != _skus({"a": 2})
