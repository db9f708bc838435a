"""Random JSON for the normaliser and the tenant read: mostly shaped as a kind's model says
(so that the deep rules run: polymorphic types in every spelling, keyed lists, sets, dates,
enums, defaults), with random JSON of any shape put anywhere. Seeded, like yaml_texts."""

from __future__ import annotations

import random
from typing import Any

from reconciler.kinds.model import (
    KeyedList,
    Kind,
    ListOf,
    ObjectType,
    Opaque,
    Polymorphic,
    Reference,
    Scalar,
    ScalarKind,
    SetOf,
    TypeExpr,
)

TEXTS = [
    "",
    " ",
    "x",
    "student",
    "Teacher",
    "STUDENT",
    "0001-01-01T00:00:00Z",
    "0001-01-01",
    "2026-09-01",
    "2026-09-01T08:00:00.1234567Z",
    "2026-09-01T08:00:00+01:00",
    "2026-13-45",
    "not a date",
    "314C4481-F395-4525-BE8B-2EC4BB1E9D91",
    "314c4481-f395-4525-be8b-2ec4bb1e9d91",
    "#microsoft.graph.x",
    "(sensitive)",
    "${SECRET}",
    "é😀",
    "[x]",
    "a.b",
    "@odata.type",
]


def any_json(r: random.Random, depth: int = 0) -> Any:
    roll = r.random()
    if depth > 3 or roll < 0.6:
        return r.choice(
            [None, True, False, 0, -1, 2**70, 1.5, float("inf"), r.choice(TEXTS), r.random()]
        )
    if roll < 0.8:
        return [any_json(r, depth + 1) for _ in range(r.randint(0, 3))]
    return {
        r.choice([*TEXTS, "id", "value"]): any_json(r, depth + 1) for _ in range(r.randint(0, 3))
    }


def shaped(texpr: TypeExpr, r: random.Random, depth: int = 0, wild: float = 0.05) -> Any:
    """A value of `texpr`'s shape; with probability `wild` at each node, any JSON instead."""
    if r.random() < wild or depth > 8:
        return any_json(r)
    if isinstance(texpr, Scalar):
        if texpr.enum and r.random() < 0.6:
            value = r.choice(texpr.enum)
            return value.upper() if r.random() < 0.2 else value
        if texpr.kind is ScalarKind.BOOLEAN:
            return r.choice([True, False, None])
        if texpr.kind is ScalarKind.INTEGER:
            return r.choice([0, 1, 7, None])
        return r.choice(TEXTS + list(texpr.null_sentinels))
    if isinstance(texpr, Polymorphic):
        variant = r.choice(texpr.variants)
        spelling = r.choice(
            [
                f"#microsoft.graph.{variant.name}",
                f"microsoft.graph.{variant.name}",
                f"#Microsoft.Education.DataSync.{variant.name}",
                variant.name.upper(),
                *variant.aliases,
            ]
        )
        body = shaped(variant, r, depth + 1, wild)
        if isinstance(body, dict):
            body["@odata.type"] = spelling
        return body
    if isinstance(texpr, ObjectType):
        return {p.name: shaped(p.type, r, depth + 1, wild) for p in texpr.props if r.random() < 0.6}
    if isinstance(texpr, KeyedList):
        return [shaped(texpr.item, r, depth + 1, wild) for _ in range(r.randint(0, 3))]
    if isinstance(texpr, (SetOf, ListOf)):
        return [shaped(texpr.item, r, depth + 1, wild) for _ in range(r.randint(0, 4))]
    if isinstance(texpr, Reference):  # as the read leaves it: the target's id, named or not
        return r.choice([{"id": "t1"}, {"ref": "T", "id": "t1"}, {"ref": None, "id": "t2"}, None])
    assert isinstance(texpr, Opaque)
    return any_json(r)


def tenant_object(kind: Kind, r: random.Random, wild: float = 0.05) -> Any:
    """One object as a (possibly broken) Graph list might hold it."""
    body = shaped(kind.root, r, wild=wild)
    if isinstance(body, dict):
        if r.random() < 0.9:
            body["id"] = r.choice(["0f3c", "0F3C", "1", ""]) if r.random() < 0.3 else "0f3c"
        with_key(body, kind, r.choice(["P", "Q", ""]), replace=False)
        if r.random() < 0.3:
            body["@odata.context"] = "x"
    return body


def with_key(
    body: dict[str, Any], kind: Kind, value: str, *, replace: bool = True
) -> dict[str, Any]:
    """`body` (changed in place, and returned) with `value` at the kind's first key path
    (`year.code`: nested)."""
    *heads, last = kind.key.paths[0].split(".")
    holder = body
    for head in heads:
        if not isinstance(holder.get(head), dict):
            holder[head] = {}
        holder = holder[head]
    if replace or last not in holder:
        holder[last] = value
    return body
