"""Which tenant object each desired object is: pinned `id` first, then natural key. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reconciler.engine.model import Actual, PlanError
from reconciler.kinds.model import Kind
from reconciler.names import quoted
from reconciler.objects import DesiredObject


class TenantIndex:
    """One kind's tenant objects, indexed once so that matching stays linear: by id, and by
    natural key as the kind compares it (exactly, or case-insensitively)."""

    def __init__(self, kind: Kind, objects: list[Actual]) -> None:
        self.kind = kind
        self.by_id = {a.id.lower(): a for a in objects}
        self.by_name: dict[str, list[Actual]] = {}
        for actual in objects:
            self.by_name.setdefault(kind.key.fold(kind.key_of(actual.body)), []).append(actual)

    def named(self, key: str) -> list[Actual]:
        return self.by_name.get(self.kind.key.fold(key), [])


@dataclass(frozen=True)
class Match:
    actual: Actual | None
    error: PlanError | None = None
    #: Tenant objects this desired object accounts for (never unmanaged, never pruned).
    claims: tuple[Actual, ...] = ()
    warnings: tuple[str, ...] = ()


def repr_name(name: str) -> str:
    """A name quoted for a message (plain quotes, not a Python repr; invisible characters
    shown escaped)."""
    return quoted(name)


def match_pinned(desired: DesiredObject, index: TenantIndex) -> Match:
    assert desired.pinned_id
    hit = index.by_id.get(desired.pinned_id.lower())
    if hit is None:
        return Match(
            None,
            PlanError(
                desired.name,
                f"{desired.where}: pinned id {desired.pinned_id} is not in the tenant; remove `id` "
                f"to create the {desired.kind.noun} anew, or correct it",
            ),
        )
    return Match(hit, claims=(hit,))


def match_by_name(desired: DesiredObject, index: TenantIndex, claimed: set[str]) -> Match:
    named = index.named(desired.name)
    hits = [a for a in named if a.id not in claimed]
    if len(hits) > 1:
        ids = ", ".join(a.id for a in hits)
        return Match(
            None,
            PlanError(
                desired.name,
                f"{desired.where}: the tenant has {len(hits)} {desired.kind.noun}s named "
                f"{repr_name(desired.name)} (ids {ids}); pin the one to manage with `id:` and "
                "remove the others",
            ),
            claims=tuple(hits),
        )
    if len(hits) == len(named):  # the usual case: nothing here is claimed by a pinned id
        return Match(hits[0] if hits else None, claims=tuple(hits))
    warnings = tuple(
        f"the tenant {desired.kind.noun} {a.id} named {repr_name(desired.name)} is managed "
        f"by a pinned `id:` that renames it; this creates a second {desired.kind.noun} with "
        "that name"
        for a in named
        if a.id in claimed
    )
    return Match(hits[0] if hits else None, claims=tuple(hits), warnings=warnings)


def match_all(
    desired: tuple[DesiredObject, ...], indexes: Mapping[str, TenantIndex]
) -> list[Match]:
    """Pinned ids claim their tenant objects first, so no tenant object is matched twice."""
    claimed: dict[str, set[str]] = {}
    matches: dict[int, Match] = {}
    ordered = sorted(range(len(desired)), key=lambda i: desired[i].pinned_id is None)
    for i in ordered:
        obj = desired[i]
        index = indexes.get(obj.kind.name) or TenantIndex(obj.kind, [])
        taken = claimed.setdefault(obj.kind.name, set())
        match = match_pinned(obj, index) if obj.pinned_id else match_by_name(obj, index, taken)
        for claimed_actual in match.claims:
            taken.add(claimed_actual.id)
        matches[i] = match
    return [matches[i] for i in range(len(desired))]
