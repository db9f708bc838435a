"""`@odata.type` spellings: Graph and its docs use many; the engine uses one."""

from __future__ import annotations

from reconciler.kinds.model import ObjectType, Polymorphic


def type_leaf(spelling: str) -> str:
    """`#Microsoft.Education.DataSync.educationCsvDataProvider` -> `educationCsvDataProvider`."""
    return spelling.strip().lstrip("#").rsplit(".", 1)[-1]


def resolve_variant(poly: Polymorphic, spelling: str) -> ObjectType | None:
    """The concrete type a spelling names: any namespace, with or without `#`, any case,
    legacy short names included."""
    leaf = type_leaf(spelling).lower()
    for variant in poly.variants:
        if leaf == variant.name.lower() or leaf in (a.lower() for a in variant.aliases):
            return variant
    return None


def wire_name(variant: ObjectType) -> str:
    """The spelling sent to Graph (the SDK's serialised form)."""
    return f"#microsoft.graph.{variant.name}"
