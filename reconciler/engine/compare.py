"""One desired object against its tenant counterpart: field differences, what cannot change in
place, what a create sets and what a delete loses. Pure."""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from typing import Any

from reconciler import fieldpaths
from reconciler.engine.diff import FieldDiff, diff, drop, leaves, project, type_at, value_at
from reconciler.engine.lookalike import source_of
from reconciler.engine.normalize import Mode, desired_tree, external, normalize
from reconciler.engine.unchanged import surely_unchanged
from reconciler.jsontypes import JSONObject
from reconciler.kinds.model import ODATA_TYPE, Kind
from reconciler.kinds.typetree import by_identity
from reconciler.objects import DesiredObject


def desired_source(obj: DesiredObject) -> dict[str, Any]:
    """The source a (checked) desired object reads: `lookalike.source_of` its tree. Only the
    members the kind's source paths start at are normalised (each member of an object
    normalises alone, so those members come out as in the whole tree): the loader asks this
    of every file, and most of a profile is not where its source is named."""
    if not obj.kind.source_identity:
        return {}
    body = obj.body
    part = {key: body[key] for key in _source_heads(obj.kind) if key in body}
    return source_of(obj.kind, normalize(part, obj.kind.root, variables=obj.variables))


def _source_heads(kind: Kind) -> tuple[str, ...]:
    # By identity: hashing a kind hashes its whole type tree.
    return by_identity(_HEADS, kind, _heads)


def _heads(kind: Kind) -> tuple[str, ...]:
    # The type is one of the heads: a polymorphic root's members depend on the variant it names.
    heads = (ODATA_TYPE, *(_parsed(path)[0] for path in kind.source_identity))
    return tuple(dict.fromkeys(heads))


_HEADS: dict[int, tuple[Kind, tuple[str, ...]]] = {}


class DesiredSources:
    """The source each desired object reads, for the same-source check: handed over by the
    loader's readers (`note`) or worked out when asked (`source`). A plan given the loader's
    `DesiredSources` checks for twins without normalising anything. Sources, never trees, are
    kept: 10,000 trees held through a plan cost more memory than making one again costs time."""

    def __init__(self) -> None:
        # The object is kept beside its source: while it is, its id stays its own.
        self._sources: dict[int, tuple[DesiredObject, dict[str, Any]]] = {}

    def note(self, obj: DesiredObject, source: dict[str, Any]) -> None:
        self._sources[id(obj)] = (obj, source)

    def source(self, obj: DesiredObject) -> dict[str, Any]:
        known = self._sources.get(id(obj))
        if known is None:
            source = desired_source(obj)
            self.note(obj, source)
            return source
        return known[1]


def tenant_tree(kind: Kind, actual: JSONObject) -> Any:
    """A tenant object normalised for comparison (and for its fingerprint)."""
    return normalize(actual, kind.root)


def fingerprint(kind: Kind, actual: JSONObject, paused: bool | None = None) -> str:
    """Of the normalised object, and of whether it was paused when read (None: its run state
    was not read). A pause since the plan was made makes a saved plan stale; an ordinary sync
    run must not."""
    canonical = tenant_tree(kind, actual)
    if paused is not None:
        canonical = {**canonical, "#paused": paused}
    digest = hashlib.sha256(_CANONICAL_JSON.encode(canonical).encode())
    return f"sha256:{digest.hexdigest()}"


#: Keys sorted: the same object read twice hashes the same whatever order Graph sent its
#: members in. A normalised tree is acyclic (it comes from JSON), so no cycle check.
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, default=str, check_circular=False)


def compare(
    desired: DesiredObject,
    actual: JSONObject,
    extra_ignores: tuple[str, ...] = (),
) -> list[FieldDiff]:
    """Field differences between one desired object and its tenant counterpart."""
    ignores = (*extra_ignores, *desired.lifecycle.ignore_changes)
    if not ignores and surely_unchanged(desired, actual):
        return []  # the common case, found without making a tree
    return compare_trees(desired, actual, ignores)


def compare_trees(
    desired: DesiredObject, actual: JSONObject, ignores: tuple[str, ...]
) -> list[FieldDiff]:
    """`compare` the full way: both objects normalised, the tenant's projected onto what the
    desired one declares, `ignores` cut from both, deepdiff explaining any difference."""
    root = desired.kind.root
    wanted = desired_tree(desired)
    full = tenant_tree(desired.kind, actual)
    have = project(full, wanted, root)
    if ignores:
        # Dropping an ignored path cuts in place, and the tree holds opaque members' values
        # as read (the change's `before`): cut a copy.
        have = copy.deepcopy(have)
    for ignored in ignores:
        segments = fieldpaths.parse(ignored)
        if len(segments) > 1 and value_at(have, segments[:-1]) is None:
            continue  # the tenant lacks the parent: it is created whole, ignored part included
        drop(wanted, segments)
        drop(have, segments)
    if have == wanted:
        return []
    return diff(have, wanted, root)


def replace_reasons(kind: Kind, fields: list[FieldDiff]) -> list[str]:
    """Why the object cannot be changed in place: each field that changes at or below one of
    the kind's create-only paths, in words."""
    create_only = [_parsed(path) for path in kind.writes.create_only]
    reasons = []
    for f in fields:
        segments = _parsed(f.path)
        if any(fieldpaths.is_prefix(path, segments) for path in create_only):
            reasons.append(_reason(kind, segments, f))
    return reasons


@functools.lru_cache(maxsize=1024)
def _parsed(path: str) -> tuple[str, ...]:
    """A field path's segments; the same few paths are asked about for every object."""
    return fieldpaths.parse(path)


def _reason(kind: Kind, segments: tuple[str, ...], f: FieldDiff) -> str:
    if segments[-1] == ODATA_TYPE:
        owner = fieldpaths.join(segments[:-1]) if len(segments) > 1 else f"the {kind.noun}"
        return f"{owner} changes type from {f.before} to {f.after}"
    if kind.endpoint.parent and segments == (kind.endpoint.parent_ref,):
        return (
            f"the {kind.noun} moves from {kind.endpoint.parent} {_shown(f.before)} to "
            f"{_shown(f.after)}, and cannot move in place (its {kind.endpoint.parent} is part "
            "of its URL)"
        )
    return (
        f"{f.path} can only be set when the {kind.noun} is created "
        f"({_shown(f.before)} → {_shown(f.after)})"
    )


def _shown(value: Any) -> str:
    return "(not set)" if value is None else json.dumps(value, ensure_ascii=False)


def display_fields(desired: DesiredObject) -> tuple[FieldDiff, ...]:
    tree = normalize(
        desired.body, desired.kind.root, mode=Mode.DISPLAY, variables=desired.variables
    )
    return tuple(leaves(tree, desired.kind.root))


def removal_fields(kind: Kind, actual: JSONObject) -> tuple[FieldDiff, ...]:
    """What a delete loses, as the admin knows it: the kind's key settings that hold a value
    (server defaults and empty slots left out); every field for a kind that names none."""
    tree = normalize(actual, kind.root, mode=Mode.DISPLAY)
    if not kind.key_settings:
        return tuple(FieldDiff(f.path, f.after, None) for f in leaves(tree, kind.root))
    fields = []
    for path in kind.key_settings:
        segments = fieldpaths.parse(path)
        value = value_at(tree, segments)
        if value in (None, [], {}):
            continue
        fields.append(FieldDiff(path, external(value, type_at(kind.root, segments, tree)), None))
    return tuple(fields)
