"""Does a profile the plan would create look like one the tenant already has?

A `displayName` changed without `id:` plans a create while the old profile stays in the tenant:
two profiles syncing one SIS. Before that create is made, each tenant object no desired object
accounts for is compared with it, by the kind's data alone:

- never when the `@odata.type` paths of `Kind.source_identity` differ (another provider type);
- when the desired object names its source (a `Kind.source_identity` path other than an
  `@odata.type` is set: PowerSchool URL + client id, OneRoster URL + client id): the same source,
  equal on every one of those paths it sets; nothing else counts;
- otherwise (a CSV profile names no source) most declared fields equal: more than three
  quarters of the fields the YAML declares (the natural key aside; a keyed-list item is one
  field) equal the tenant's, at least one of them more than an `@odata.type`. Three quarters,
  not a half: profiles made from one district template share licences and customizations
  while their domains differ, and those are different profiles.

Pure: no I/O, nothing but the kind model.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from reconciler import fieldpaths
from reconciler.desired.loader import DesiredObject
from reconciler.engine.diff import leaves, project, value_at
from reconciler.engine.normalize import normalize
from reconciler.jsontypes import JSONObject
from reconciler.kinds.model import ODATA_TYPE, Kind


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
            str(actual.get(kind.natural_key, "")),
            normalize(actual, kind.root),
        )


@dataclass(frozen=True)
class Lookalike:
    """A tenant object a planned create resembles, and why."""

    id: str
    name: str
    #: Plain words: "has the same source (…)" or "has 9 of 10 declared fields equal".
    reason: str


def _loose(value: Any) -> Any:
    """URLs and ids as people write them: case and a trailing slash do not matter."""
    return value.strip().rstrip("/").casefold() if isinstance(value, str) else value


def _is_type(path: str) -> bool:
    return path.endswith(ODATA_TYPE)


def source_of(kind: Kind, tree: Any) -> dict[str, Any]:
    """The source-identity values a normalised object sets (empty: it names no source)."""
    found = {p: value_at(tree, fieldpaths.parse(p)) for p in kind.source_identity}
    present = {p: v for p, v in found.items() if v is not None}
    return present if any(not _is_type(p) for p in present) else {}


def same_source(kind: Kind, wanted: Any, have: Any) -> dict[str, Any]:
    """The identifying values both share, when `have` agrees on every one `wanted` sets."""
    mine = source_of(kind, wanted)
    if not mine:
        return {}
    theirs = {p: value_at(have, fieldpaths.parse(p)) for p in mine}
    return mine if all(_loose(theirs[p]) == _loose(v) for p, v in mine.items()) else {}


def shared_fields(kind: Kind, wanted: Any, have: Any) -> tuple[int, int, bool]:
    """(equal, declared, any equal field beyond @odata.type) over the desired fields."""
    projected = project(have, wanted, kind.root)
    equal = declared = 0
    beyond_types = False
    for field in leaves(wanted, kind.root):
        if field.path == kind.natural_key:
            continue
        declared += 1
        segments = fieldpaths.parse(field.path)
        if value_at(projected, segments) == value_at(wanted, segments):
            equal += 1
            beyond_types = beyond_types or not _is_type(field.path)
    return equal, declared, beyond_types


def _describe_source(values: dict[str, Any]) -> str:
    shown = [str(v) for p, v in values.items() if not _is_type(p)]
    kinds = [str(v) for p, v in values.items() if _is_type(p)]
    return ", ".join(kinds[:1] + shown)


def same_types(kind: Kind, wanted: Any, have: Any) -> bool:
    """Whether both agree on the source-identity type paths (another provider type is another
    source, however many other fields are equal)."""
    return all(
        value_at(have, segments) == value_at(wanted, segments)
        for segments in (fieldpaths.parse(p) for p in kind.source_identity if _is_type(p))
    )


def resemblance(kind: Kind, wanted: Any, have: Any) -> str | None:
    """Why the tenant object `have` looks like the desired object `wanted` (both normalised),
    or None."""
    if not same_types(kind, wanted, have):
        return None
    if source_of(kind, wanted):  # it names its source: that alone decides
        shared = same_source(kind, wanted, have)
        return f"has the same source ({_describe_source(shared)})" if shared else None
    equal, declared, beyond_types = shared_fields(kind, wanted, have)
    if declared and beyond_types and equal * 4 > declared * 3:
        share = "all" if equal == declared else f"{equal} of the"
        return f"has the same values in {share} {declared} fields git declares"
    return None


def lookalikes(desired: DesiredObject, candidates: Iterable[Candidate]) -> tuple[Lookalike, ...]:
    """The candidates a create of `desired` resembles."""
    kind = desired.kind
    wanted = normalize(desired.body, kind.root, variables=desired.variables)
    found = []
    for candidate in candidates:
        reason = resemblance(kind, wanted, candidate.tree)
        if reason:
            found.append(Lookalike(candidate.id, candidate.name, reason))
    return tuple(found)
