"""Does a profile the plan would create look like one the tenant already has?

A `displayName` changed without `id:` plans a create while the old profile stays in the tenant:
two profiles syncing one SIS. Before that create is made, each tenant object no desired object
accounts for is compared with it, by the kind's data alone:

- never when the `@odata.type` paths of `Kind.source_identity` differ (another provider type);
- never, for a kind contained in another (`Endpoint.parent`), across containers: a flow of
  another flow set is another flow (same rules, other schools), whatever it holds;
- when the desired object names its source (a `Kind.source_identity` path other than an
  `@odata.type` is set: PowerSchool URL + client id, OneRoster URL + client id): the same source,
  equal on every one of those paths it sets;
- otherwise (another source, or a CSV profile, which names none) most declared fields equal
  (a rename that also moved the client id or URL is still a rename): more than three
  quarters of the fields the YAML declares (the natural key aside; a keyed-list item is one
  field) equal the tenant's, at least one of them more than an `@odata.type`. Three quarters,
  not a half: profiles made from one district template share licences and customizations
  while their domains differ, and those are different profiles.

Pure: no I/O, nothing but the kind model.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from reconciler import fieldpaths
from reconciler.engine.diff import value_at
from reconciler.engine.normalize import desired_tree, normalize
from reconciler.jsontypes import JSONObject
from reconciler.kinds.model import ODATA_TYPE, Kind, TypeExpr
from reconciler.kinds.typetree import has_members, is_keyed, member_type
from reconciler.objects import DesiredObject


@dataclass(frozen=True)
class Candidate:
    """A tenant object no desired object accounts for, normalised once for every comparison."""

    id: str
    name: str
    tree: Any

    @classmethod
    def of(cls, kind: Kind, actual: JSONObject) -> Candidate:
        return cls(
            str(actual.get("id", "")),
            kind.key_of(actual),
            normalize(actual, kind.root),
        )


@dataclass(frozen=True)
class Lookalike:
    """A tenant object a planned create resembles, and why."""

    id: str
    name: str
    #: Plain words: "has the same source (…)" or "has 9 of 10 declared fields equal".
    reason: str
    #: Set when the look-alike is another desired object (FILE:LINE:COL), not a tenant one.
    declared_at: str | None = None


def loose(value: Any) -> Any:
    """URLs and ids as people write them: case and a trailing slash do not matter."""
    return value.strip().rstrip("/").casefold() if isinstance(value, str) else value


def _is_type(path: str) -> bool:
    return path.endswith(ODATA_TYPE)


@functools.lru_cache(maxsize=256)
def _segments(path: str) -> tuple[str, ...]:
    return fieldpaths.parse(path)


def source_of(kind: Kind, tree: Any) -> dict[str, Any]:
    """The source-identity values a normalised object sets (empty: it names no source)."""
    found = {p: value_at(tree, _segments(p)) for p in kind.source_identity}
    present = {p: v for p, v in found.items() if v is not None}
    return present if any(not _is_type(p) for p in present) else {}


@dataclass(frozen=True)
class _Field:
    """One field the YAML declares, ready to be compared with many tenant objects."""

    segments: tuple[str, ...]
    value: Any
    #: What the server reports when the member is absent (isSyncDeferred: false), if anything.
    default: Any
    #: A keyed-list item: only the members the YAML declares are compared.
    item: bool
    is_type: bool


def _fields(texpr: TypeExpr, tree: Any, prefix: tuple[str, ...] = ()) -> Iterator[_Field]:
    """The declared fields of a normalised tree, as `diff.leaves` cuts them."""
    if isinstance(tree, dict) and tree and has_members(texpr):
        for key, value in tree.items():
            member, prop = member_type(texpr, key, tree)
            path = (*prefix, key)
            if key == ODATA_TYPE or member is None or is_keyed(texpr):
                default = prop.default if prop is not None and prop.has_default else None
                yield _Field(path, value, default, is_keyed(texpr), key == ODATA_TYPE)
            else:
                yield from _fields(member, value, path)
    elif prefix:
        yield _Field(prefix, tree, None, False, prefix[-1] == ODATA_TYPE)


def _covers(have: Any, wanted: Any) -> bool:
    """`have` holds every member `wanted` declares, equal (extra members are the server's)."""
    if isinstance(wanted, dict):
        return isinstance(have, dict) and all(_covers(have.get(k), v) for k, v in wanted.items())
    return bool(have == wanted)


def _equal(field: _Field, have_tree: Any) -> bool:
    have = value_at(have_tree, field.segments)
    if have is None and field.default is not None:
        have = field.default
    return _covers(have, field.value) if field.item else bool(have == field.value)


@dataclass(frozen=True)
class Wanted:
    """A desired object, normalised and cut into fields once for every comparison."""

    kind: Kind
    tree: Any
    source: dict[str, Any]
    fields: tuple[_Field, ...]

    @classmethod
    def of(cls, desired: DesiredObject) -> Wanted:
        kind = desired.kind
        tree = desired_tree(desired)
        keys = {tuple(path.split(".")) for path in kind.key.paths}
        fields = tuple(f for f in _fields(kind.root, tree) if f.segments not in keys)
        return cls(kind, tree, source_of(kind, tree), fields)


def same_types(kind: Kind, wanted: Any, have: Any) -> bool:
    """Whether both agree on the source-identity type paths (another provider type is another
    source, however many other fields are equal)."""
    return all(
        value_at(have, _segments(p)) == value_at(wanted, _segments(p))
        for p in kind.source_identity
        if _is_type(p)
    )


def same_container(kind: Kind, wanted: Any, have: Any) -> bool:
    """Whether both live in one container (always, for a kind that is not contained): objects
    of different containers are different objects, however alike."""
    ref = kind.endpoint.parent_ref
    return ref is None or value_at(have, (ref,)) == value_at(wanted, (ref,))


def describe_source(values: dict[str, Any]) -> str:
    shown = [str(v) for p, v in values.items() if not _is_type(p)]
    kinds = [str(v) for p, v in values.items() if _is_type(p)]
    return ", ".join(kinds[:1] + shown)


def resemblance(wanted: Wanted, have: Any) -> tuple[float, str] | None:
    """How strongly and why the tenant object `have` (normalised) looks like `wanted`: the
    same source scores above any share of equal fields. None: it does not."""
    kind = wanted.kind
    if not same_types(kind, wanted.tree, have) or not same_container(kind, wanted.tree, have):
        return None
    if wanted.source and all(
        loose(value_at(have, _segments(p))) == loose(v) for p, v in wanted.source.items()
    ):
        return 2.0, f"has the same source ({describe_source(wanted.source)})"
    # Another source can still be the same profile: a rename plus a new client id or URL.
    declared = len(wanted.fields)
    allowed_misses = declared - (declared * 3 // 4 + 1)  # more than three quarters must match
    equal: list[_Field] = []
    misses = 0
    for field in wanted.fields:
        if _equal(field, have):
            equal.append(field)
        else:
            misses += 1
            if misses > allowed_misses:
                return None  # cannot reach the share any more: most pairs end here
    beyond_types = any(not f.is_type for f in equal)
    if declared and beyond_types and len(equal) * 4 > declared * 3:
        share = "all" if len(equal) == declared else f"{len(equal)} of the"
        return len(
            equal
        ) / declared, f"has the same values in {share} {declared} fields git declares"
    return None


#: At most this many look-alikes are named per create (the strongest): a tenant full of
#: profiles made from one template must not bury the plan.
MOST_LOOKALIKES = 3


def lookalikes(
    desired: DesiredObject, candidates: Iterable[Candidate], most: int = MOST_LOOKALIKES
) -> tuple[Lookalike, ...]:
    """The candidates a create of `desired` resembles, strongest first (at most `most`)."""
    wanted = Wanted.of(desired)
    scored = []
    for candidate in candidates:
        found = resemblance(wanted, candidate.tree)
        if found:
            scored.append(
                (-found[0], candidate.name, Lookalike(candidate.id, candidate.name, found[1]))
            )
    scored.sort(key=lambda entry: entry[:2])
    return tuple(look for _score, _name, look in scored[:most])


def second_object_advice(kind: Kind, old: str, old_id: str, where: str, *, flag: str) -> str:
    """What to do about a create that looks like tenant object `old` (quoted): rename that one
    in place by pinning its id, where the kind allows it; else replace it (create the new one,
    delete the old with --prune); or keep both on purpose with `flag`."""
    noun = kind.noun
    if kind.renames_in_place:
        return (
            f"To rename {old} in place, add `id: {old_id}` to {where}; to create a second "
            f"{noun} on purpose, {flag}"
        )
    return (
        f"A {noun}'s {kind.key.label} cannot change in place: to replace {old}, keep the new "
        f"file and delete {old} with --prune (or in the SDS portal); to have both on purpose, "
        f"{flag}"
    )
