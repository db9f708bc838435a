"""`@odata.type` spellings: Graph and its docs use many; the engine uses one.

A spelling is `[#]NAMESPACE.typeName`. Each polymorphic member names its namespace (classic
SDS types live in `microsoft.graph`, Industry Data ones in `microsoft.graph.industryData`)
and the older namespaces Graph has used for it, so a type of another API is never taken for
one of ours just because its last segment matches.
"""

from __future__ import annotations

from reconciler.kinds.model import Namespace, ObjectType, Polymorphic


def split_spelling(spelling: str) -> tuple[str, str]:
    """`#Microsoft.Education.DataSync.educationCsvDataProvider` ->
    (`Microsoft.Education.DataSync`, `educationCsvDataProvider`); a bare name has no prefix."""
    prefix, _, leaf = spelling.strip().lstrip("#").rpartition(".")
    return prefix, leaf


def type_leaf(spelling: str) -> str:
    """`#Microsoft.Education.DataSync.educationCsvDataProvider` -> `educationCsvDataProvider`."""
    return split_spelling(spelling)[1]


def named_variant(poly: Polymorphic, leaf: str) -> ObjectType | None:
    """The variant a type name means, any case, legacy short names included."""
    wanted = leaf.lower()
    for variant in poly.variants:
        if wanted == variant.name.lower() or wanted in (a.lower() for a in variant.aliases):
            return variant
    return None


def resolve_variant(poly: Polymorphic, spelling: str) -> ObjectType | None:
    """The concrete type a spelling names: the member's namespace or one Graph used before for
    it (any case), or none at all; with or without `#`; legacy short names included."""
    known = _RESOLVED.get((id(poly), spelling))
    if known is not None and known[0] is poly:
        return known[1]
    prefix, leaf = split_spelling(spelling)
    variant = named_variant(poly, leaf) if poly.namespace.accepts(prefix) else None
    if len(_RESOLVED) < _RESOLVED_MAX:  # spellings come from files and Graph: keep it bounded
        _RESOLVED[(id(poly), spelling)] = (poly, variant)
    return variant


#: Spellings already resolved, by the member's identity (the member is kept, so its id stays
#: its own): every tenant object names its variants, in the same few spellings.
_RESOLVED: dict[tuple[int, str], tuple[Polymorphic, ObjectType | None]] = {}
_RESOLVED_MAX = 4096


def wire_name(poly: Polymorphic, variant: ObjectType) -> str:
    """The spelling sent to Graph (the SDK's serialised form)."""
    return poly.namespace.wire(variant.name)


__all__ = [
    "Namespace",
    "named_variant",
    "resolve_variant",
    "split_spelling",
    "type_leaf",
    "wire_name",
]
