"""References among objects, in the engine (pure): the tenant side named by the target's
identity, the ids a body binds, and the order in which changes must run."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import cached_property
from typing import Any

from reconciler import fieldpaths
from reconciler.engine.matching import Match
from reconciler.engine.model import REMOVED, Action, Actual, Bind, Change, PlanError
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
        self._tenant, self._desired, self._matches = tenant, desired, matches

    @cached_property
    def _known(self) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]:
        # Worked out when first asked: a plan whose kinds hold no reference never asks.
        names: dict[tuple[str, str], str] = {}
        ids: dict[tuple[str, str], str] = {}
        registry = self.registry
        for kind_name, objects in self._tenant.items():
            kind = registry[kind_name]
            for actual in objects:
                name = kind.key_of(actual.body)
                names[(kind_name, actual.id.lower())] = name
                ids.setdefault((kind_name, kind.key.fold(name)), actual.id)
        for obj, match in zip(self._desired, self._matches, strict=True):
            if match.actual is not None:
                names[(obj.kind.name, match.actual.id.lower())] = obj.name
                ids[(obj.kind.name, obj.kind.key.fold(obj.name))] = match.actual.id
        return names, ids

    def name_of(self, kind_name: str, object_id: str) -> str | None:
        return self._known[0].get((kind_name, object_id.lower()))

    def id_of(self, kind: Kind, key: str) -> str | None:
        return self._known[1].get((kind.name, kind.key.fold(key)))

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
        """What the body sends; a contained kind's container is its URL, not a bind."""
        container = obj.kind.endpoint.parent_ref
        return tuple(
            Bind(site.path, target, site.key, self.id_of(target, site.key))
            for site in obj.references
            if (target := self.registry.get(site.target)) is not None and site.path != (container,)
        )

    def container(self, kind: Kind, desired: DesiredObject | None, actual: Any) -> Bind | None:
        """The object a contained kind's object lives in: as git names it, else as read."""
        endpoint = kind.endpoint
        if endpoint.parent is None or not endpoint.parent_ref:
            return None
        parent = self.registry[endpoint.parent]
        at = (endpoint.parent_ref,)
        if desired is not None:
            site = next((s for s in desired.references if s.path == at), None)
            if site is not None:
                return Bind(at, parent, site.key, self.id_of(parent, site.key))
        held = actual.get(endpoint.parent_ref) if isinstance(actual, dict) else None
        if isinstance(held, dict) and held.get(ID):
            object_id = str(held[ID])
            return Bind(at, parent, self.name_of(parent.name, object_id) or object_id, object_id)
        return None


def with_dependencies(changes: list[Change]) -> list[Change]:
    """Each change with the changes it waits for: a create, update or replace waits for the
    writes of the objects it binds to (parents first); a delete (or the delete half of a
    replace) waits for the changes of the objects that still refer to it (children first).
    Binds to a target created or replaced in this run carry no id: apply binds the new one.
    Changes that bind nothing, of kinds that hold no reference, wait for nothing: as given."""
    kinds = {c.kind.name: c.kind for c in changes}.values()
    if not any(c.binds or c.container for c in changes) and not any(
        reference_paths(k.root) for k in kinds
    ):
        return list(changes)
    by_target: dict[tuple[str, str], Change] = {}
    by_id: dict[tuple[str, str], Change] = {}
    for change in changes:
        if change.after is not None and change.action is not Action.DELETE:
            by_target[(change.kind.name, change.kind.key.fold(change.after.name))] = change
        if change.id and change.action in {Action.DELETE, Action.REPLACE}:
            by_id[(change.kind.name, change.id.lower())] = change
    after: dict[str, list[str]] = {c.key: [] for c in changes}
    removal: dict[str, list[str]] = {c.key: [] for c in changes}
    updated: dict[str, Change] = {}
    for change in changes:
        if not change.writes:
            continue
        binds = []
        container = change.container
        for bind in (*change.binds, *([container] if container else [])):
            parent = by_target.get((bind.target.name, bind.target.key.fold(bind.key)))
            new_id = False
            if parent is not None and parent.writes and parent is not change:
                if change.action is not Action.DELETE:  # a delete only waits for its children
                    after[change.key].append(parent.key)
                new_id = parent.action in {Action.CREATE, Action.REPLACE}
            kept = replace(bind, id=None) if new_id and change.action is not Action.DELETE else bind
            if bind is container:
                container = kept
            else:
                binds.append(kept)
        if tuple(binds) != change.binds or container is not change.container:
            updated[change.key] = replace(change, binds=tuple(binds), container=container)
        before = change.before if change.action is not Action.CREATE else None
        # What refers to a doomed object must let go first: a replace of the referrer only
        # needs its delete done; a replace of the doomed object only holds its delete back.
        gone = change.key + REMOVED if change.action is Action.REPLACE else change.key
        for target, object_id in referenced_ids(change.kind, before) if before else ():
            doomed = by_id.get((target, object_id.lower()))
            if doomed is not None and doomed is not change:
                waits = removal if doomed.action is Action.REPLACE else after
                waits[doomed.key].append(gone)
    return [_waiting(updated.get(c.key, c), after[c.key], removal[c.key]) for c in changes]


def _waiting(change: Change, after: list[str], removal: list[str]) -> Change:
    depends_on, removal_after = tuple(dict.fromkeys(after)), tuple(dict.fromkeys(removal))
    if depends_on == change.depends_on and removal_after == change.removal_after:
        return change  # most changes wait for nothing: no copy
    return replace(change, depends_on=depends_on, removal_after=removal_after)


def in_dependency_order(changes: list[Change]) -> tuple[list[Change], list[PlanError]]:
    """The changes so that each comes after what it depends on, otherwise in their given order;
    a cycle is an error naming its members (they are left in the given order). A replace is
    two steps here: its delete (`KEY#removed`) and its create."""
    if not any(c.depends_on or c.removal_after or c.action is Action.REPLACE for c in changes):
        return list(changes), []  # nothing waits for anything: the given order
    position: dict[str, tuple[int, int]] = {}
    waiting: dict[str, set[str]] = {}
    for i, change in enumerate(changes):
        position[change.key] = (i, 1)
        waiting[change.key] = set(change.depends_on)
        if change.action is Action.REPLACE:
            position[change.key + REMOVED] = (i, 0)
            waiting[change.key + REMOVED] = set(change.removal_after)
            waiting[change.key].add(change.key + REMOVED)
    for key, needs in waiting.items():
        # Only what is in this plan is waited for (set.intersection_update would walk all of
        # `position` for each change).
        waiting[key] = {need for need in needs if need in position}
    dependants: dict[str, list[str]] = {}
    for key, needs in waiting.items():
        for need in needs:
            dependants.setdefault(need, []).append(key)
    ready = [(position[k], k) for k, needs in waiting.items() if not needs]
    heapq.heapify(ready)
    ordered: list[Change] = []
    while ready:
        (index, half), key = heapq.heappop(ready)
        if half == 1:
            ordered.append(changes[index])
        for dependant in dependants.get(key, ()):
            waiting[dependant].discard(key)
            if not waiting[dependant]:
                heapq.heappush(ready, (position[dependant], dependant))
    placed = {id(c) for c in ordered}  # by identity: comparing changes field by field is slow
    stuck = [c for c in changes if id(c) not in placed]
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


def carry_replaces(changes: list[Change]) -> list[Change]:
    """A replaced object gets a new id: an object that refers to it through a create-only
    member cannot follow in place, so it is replaced too (deleted before it, created after
    it), and says why. Carried down chains of such references."""
    replaced = {(c.kind.name, c.id.lower()) for c in changes if c.id and c.action is Action.REPLACE}
    out = list(changes)
    carried = True
    while replaced and carried:
        carried = False
        for i, change in enumerate(out):
            if change.action not in {Action.NOOP, Action.UPDATE} or not change.id:
                continue
            because = _bound_to_replaced(change, replaced)
            if because is None:
                continue
            out[i] = _carried_replace(change, *because)
            replaced.add((change.kind.name, change.id.lower()))
            carried = True
    return out


def _bound_to_replaced(change: Change, replaced: set[tuple[str, str]]) -> tuple[str, str] | None:
    """(create-only path, target kind name) of a reference to a replaced object, or None."""
    kind = change.kind
    create_only = [fieldpaths.parse(p) for p in kind.writes.create_only]
    for segments, ref in reference_paths(kind.root):
        if not any(fieldpaths.is_prefix(p, segments) for p in create_only):
            continue
        found: list[str] = []

        def note(value: Any, found: list[str] = found) -> Any:
            if isinstance(value, dict) and value.get(ID):
                found.append(str(value[ID]).lower())
            return value

        _map_at(change.before, segments, note)
        if any((ref.target, object_id) in replaced for object_id in found):
            return ".".join(segments), ref.target
    return None


def _carried_replace(change: Change, path: str, target: str) -> Change:
    kind = change.kind
    paused = change.after is not None and change.after.lifecycle.paused
    reason = (
        f"REPLACE: {path} refers to a {target} that is replaced (it gets a new id), and can "
        f"only be set when the {kind.noun} is created. The {kind.noun} will be deleted and "
        f"created anew (what that costs: {kind.writes.replace_loses}); apply needs --allow-replace"
    )
    return replace(
        change,
        action=Action.REPLACE,
        warnings=(*change.warnings, reason),
        then=Action.PAUSE if paused else None,
    )


def warn_referred_replaces(
    changes: list[Change], tenant: dict[str, list[Actual]], registry: Registry
) -> list[Change]:
    """A replace deletes the object first, and Graph refuses that while other objects still
    refer to it: such a replace names them (this run does not carry the replace through
    them), unless they are deleted in the same run."""
    replaced = {(c.kind.name, c.id.lower()) for c in changes if c.id and c.action is Action.REPLACE}
    if not replaced:
        return changes
    # A referrer deleted or replaced in the same run lets go of it first.
    leaving = {
        (c.kind.name, c.id.lower())
        for c in changes
        if c.id and c.action in {Action.DELETE, Action.REPLACE}
    }
    referrers: dict[tuple[str, str], list[str]] = {}
    for kind_name, objects in tenant.items():
        kind = registry[kind_name]
        for actual in objects:
            if (kind_name, actual.id.lower()) in leaving:
                continue
            for target, object_id in referenced_ids(kind, actual.body):
                if (target, object_id.lower()) in replaced:
                    referrers.setdefault((target, object_id.lower()), []).append(
                        f"{kind_name} '{kind.key_of(actual.body) or actual.id}'"
                    )
    out = []
    for change in changes:
        names = referrers.get((change.kind.name, (change.id or "").lower()))
        if change.action is Action.REPLACE and names:
            note = (
                f"{', '.join(names)} still refer(s) to this {change.kind.noun}, and Graph "
                "refuses to delete an object others refer to: point them elsewhere (or remove "
                "them) and apply first, then replace this one"
            )
            out.append(replace(change, warnings=(*change.warnings, note)))
        else:
            out.append(change)
    return out
