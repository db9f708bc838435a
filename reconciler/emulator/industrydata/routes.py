"""Which Industry Data resource a request path addresses (404 for anything else).

`/beta/external/industryData/{collection}[/{id}|('{id}')][/{child or relationship}[/{id}]]
[/{action}]`: segments match case-insensitively, actions may be qualified
(`microsoft.graph.industryData.validate`) and written as functions (`getStatistics()`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from reconciler.emulator.graph_errors import GraphFault
from reconciler.emulator.industrydata.binds import split_key
from reconciler.emulator.industrydata.catalog import (
    NAMESPACE,
    CollectionDef,
    Shape,
    collection_named,
    concrete_variants,
    type_named,
)

_ROOT = ("beta", "external", "industrydata")
_ACTIONS = frozenset({"start", "validate", "getstatistics", "reset"})


@dataclass(frozen=True)
class Address:
    #: None = the industryData root itself.
    collection: CollectionDef | None = None
    #: The containing entity's id for contained collections (provisioningFlows).
    parent: str | None = None
    entity_id: str | None = None
    #: A single-valued relationship of the entity (`dataConnector`, `sourceSystem`, `year`).
    navigation: str | None = None
    #: An action or function name, unqualified and lower-case (`validate`, `start`).
    action: str | None = None


def serves(path: str) -> bool:
    """Whether a request path is under `/beta/external/industryData`."""
    segments = [s.lower() for s in path.split("/") if s]
    return tuple(segments[: len(_ROOT)]) == _ROOT


def _not_found(segment: str) -> GraphFault:
    return GraphFault(404, "ResourceNotFound", f"Resource not found for the segment '{segment}'.")


def _action_name(segment: str) -> str | None:
    name = segment.removesuffix("()")
    prefix = f"{NAMESPACE.lower()}."
    if name.lower().startswith(prefix):
        name = name[len(prefix) :]
    return name.lower() if name.lower() in _ACTIONS else None


def _navigation(collection: CollectionDef, segment: str) -> str | None:
    for variant in concrete_variants(collection.entity):
        for member in type_named(variant.name).members:
            if member.shape is Shape.NAV and member.name.lower() == segment.lower():
                return member.name
    return None


class _Walk:
    def __init__(self, segments: list[str]) -> None:
        self.rest = list(segments)

    def take(self) -> str | None:
        return self.rest.pop(0) if self.rest else None


def _entity(walk: _Walk, collection: CollectionDef) -> tuple[str | None, str | None]:
    """(id, action) for what follows a collection segment: `{id}`, `('{id}')` or an action."""
    segment = walk.take()
    if segment is None:
        return None, None
    action = _action_name(segment)
    if action is not None and collection.name == "runs" and action == "start":
        return None, action
    return segment, None


def resolve(path: str) -> Address:
    """The address of a path `serves` accepted."""
    segments = [unquote(s) for s in path.split("/") if s][len(_ROOT) :]
    if not segments:
        return Address()
    walk = _Walk(segments)
    first = walk.take() or ""
    name, key = split_key(first)
    collection = collection_named(name)
    if collection is None or collection.parent:
        raise _not_found(first)
    if key is not None:
        walk.rest.insert(0, key)
    entity_id, action = _entity(walk, collection)
    if entity_id is None or action is not None:
        return _finish(walk, Address(collection, action=action))
    return _below_entity(walk, collection, entity_id)


def _below_entity(walk: _Walk, collection: CollectionDef, entity_id: str) -> Address:
    segment = walk.take()
    if segment is None:
        return Address(collection, entity_id=entity_id)
    action = _action_name(segment)
    if action is not None:
        return _finish(walk, Address(collection, entity_id=entity_id, action=action))
    name, key = split_key(segment)
    child = collection_named(name)
    if child is not None and child.parent == collection.name:
        if key is not None:
            walk.rest.insert(0, key)
        child_id = walk.take()
        if child_id is None:
            return Address(child, parent=entity_id)
        follow = walk.take()
        child_action = _action_name(follow) if follow is not None else None
        if follow is not None and child_action is None:
            raise _not_found(follow)
        return _finish(
            walk, Address(child, parent=entity_id, entity_id=child_id, action=child_action)
        )
    navigation = _navigation(collection, segment)
    if navigation is None:
        raise _not_found(segment)
    follow = walk.take()
    nav_action = _action_name(follow) if follow is not None else None
    if follow is not None and nav_action is None:
        raise _not_found(follow)
    return _finish(
        walk, Address(collection, entity_id=entity_id, navigation=navigation, action=nav_action)
    )


def _finish(walk: _Walk, address: Address) -> Address:
    leftover = walk.take()
    if leftover is not None:
        raise _not_found(leftover)
    return address
