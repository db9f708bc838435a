"""References among objects, in the engine (pure): the tenant side named by the target's
identity, the ids a body binds, and the order in which changes must run."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from reconciler.engine.matching import Match
from reconciler.engine.model import Action, Actual, Bind, Change, PlanError
from reconciler.kinds.model import Kind, Reference
from reconciler.kinds.registry import Registry
from reconciler.kinds.typetree import reference_paths
from reconciler.objects import DesiredObject

#: Where a tenant object's reference keeps the target's id (the natural key sits beside it).
ID = "id"


def _map_at(value: Any, segments: tuple[str, ...], fn: Callable[[Any], Any]) -> Any:
    """`value` with `fn` applied at `segments` (list items are transparent)."""
    if isinstance(value, list):
        return [_map_at(item, segments, fn) for item in value]
    if not segments:
        return fn(value)
    if isinstance(value, dict) and segments[0] in value:
        return {**value, segments[0]: _map_at(value[segments[0]], segments[1:], fn)}
    return value


def referenced_ids(kind: Kind, body: Any) -> list[tuple[str, str]]:
    """(target kind name, tenant id) of every reference a tenant object holds."""
    found: list[tuple[str, str]] = []
    for segments, ref in reference_paths(kind.root):

        def note(value: Any, target: str = ref.target) -> Any:
            if isinstance(value, dict) and value.get(ID):
                found.append((target, str(value[ID])))
            return value

        _map_at(body, segments, note)
    return found


class Identities:
    """Tenant ids ↔ natural keys for every kind read. A tenant object matched to a desired
    object is known by the desired object's name (so both sides compare alike, whatever the
    case rule); any other by its own key."""

    def __init__(
        self,
        registry: Registry,
        tenant: dict[str, list[Actual]],
        desired: Sequence[DesiredObject],
        matches: Sequence[Match],
    ) -> None:
        self.registry = registry
        self._names: dict[tuple[str, str], str] = {}
        self._ids: dict[tuple[str, str], str] = {}
        for kind_name, objects in tenant.items():
            kind = registry[kind_name]
            for actual in objects:
                name = kind.key_of(actual.body)
                self._names[(kind_name, actual.id.lower())] = name
                self._ids.setdefault((kind_name, kind.key.fold(name)), actual.id)
        for obj, match in zip(desired, matches, strict=True):
            if match.actual is not None:
                self._names[(obj.kind.name, match.actual.id.lower())] = obj.name
                self._ids[(obj.kind.name, obj.kind.key.fold(obj.name))] = match.actual.id

    def name_of(self, kind_name: str, object_id: str) -> str | None:
        return self._names.get((kind_name, object_id.lower()))

    def id_of(self, kind: Kind, key: str) -> str | None:
        return self._ids.get((kind.name, kind.key.fold(key)))

    def resolve(self, kind: Kind, actual: Actual) -> Actual:
        """The tenant object with each reference as `{id, ref: target's key}` (ref None: the
        id names nothing that was read)."""
        paths = reference_paths(kind.root)
        if not paths:
            return actual
        body: Any = actual.body
        for segments, ref in paths:

            def named(value: Any, target: str = ref.target) -> Any:
                if not isinstance(value, dict) or not value.get(ID):
                    return value
                object_id = str(value[ID])
                return {ID: object_id, Reference.KEY: self.name_of(target, object_id)}

            body = _map_at(body, segments, named)
        return replace(actual, body=body)

    def binds(self, obj: DesiredObject) -> tuple[Bind, ...]:
        return tuple(
            Bind(site.path, self.registry[site.target], site.key, self.id_of(target, site.key))
            for site in obj.references
            if (target := self.registry.get(site.target)) is not None
        )


def with_dependencies(changes: list[Change]) -> list[Change]:
    """Each change with the changes it waits for: a create, update or replace waits for the
    writes of the objects it binds to (parents first); a delete (or the delete half of a
    replace) waits for the changes of the objects that still refer to it (children first).
    Binds to a target created or replaced in this run carry no id: apply binds the new one."""
    by_target: dict[tuple[str, str], Change] = {}
    by_id: dict[tuple[str, str], Change] = {}
    for change in changes:
        if change.after is not None and change.action is not Action.DELETE:
            by_target[(change.kind.name, change.kind.key.fold(change.after.name))] = change
        if change.id and change.action in {Action.DELETE, Action.REPLACE}:
            by_id[(change.kind.name, change.id.lower())] = change
    after: dict[str, list[str]] = {c.key: [] for c in changes}
    updated: dict[str, Change] = {}
    for change in changes:
        if not change.writes:
            continue
        binds = []
        for bind in change.binds:
            parent = by_target.get((bind.target.name, bind.target.key.fold(bind.key)))
            new_id = False
            if parent is not None and parent.writes and parent is not change:
                after[change.key].append(parent.key)
                new_id = parent.action in {Action.CREATE, Action.REPLACE}
            binds.append(replace(bind, id=None) if new_id else bind)
        updated[change.key] = replace(change, binds=tuple(binds))
        before = change.before if change.action is not Action.CREATE else None
        for target, object_id in referenced_ids(change.kind, before) if before else ():
            doomed = by_id.get((target, object_id.lower()))
            if doomed is not None and doomed is not change:
                after[doomed.key].append(change.key)
    return [
        replace(updated.get(c.key, c), depends_on=tuple(dict.fromkeys(after[c.key])))
        for c in changes
    ]


def in_dependency_order(changes: list[Change]) -> tuple[list[Change], list[PlanError]]:
    """The changes so that each comes after what it depends on, otherwise in their given order;
    a cycle is an error naming its members (they are left in the given order)."""
    position = {c.key: i for i, c in enumerate(changes)}
    waiting = {c.key: {k for k in c.depends_on if k in position} for c in changes}
    dependants: dict[str, list[str]] = {}
    for key, needs in waiting.items():
        for need in needs:
            dependants.setdefault(need, []).append(key)
    ready = [position[k] for k, needs in waiting.items() if not needs]
    heapq.heapify(ready)
    ordered: list[Change] = []
    while ready:
        change = changes[heapq.heappop(ready)]
        ordered.append(change)
        for key in dependants.get(change.key, ()):
            waiting[key].discard(change.key)
            if not waiting[key]:
                heapq.heappush(ready, position[key])
    stuck = [c for c in changes if waiting[c.key] and c not in ordered]
    if not stuck:
        return ordered, []
    names = ", ".join(f"{c.action.value} {c.label}" for c in stuck)
    error = PlanError(
        stuck[0].name,
        f"these changes depend on each other, so no order can carry them out: {names}. "
        "Make them in two steps (e.g. change the references first, apply, then the rest)",
    )
    return ordered + stuck, [error]


def kinds_referenced(objects: Iterable[DesiredObject], registry: Registry) -> list[Kind]:
    """The kinds the desired objects refer to (read too, to know their ids)."""
    names = dict.fromkeys(site.target for obj in objects for site in obj.references)
    return [registry[n] for n in names if n in registry.names]
