"""Two desired objects that read one source: copying powerschool.yaml to a new file and changing
only `displayName` makes two profiles syncing one SIS. `validate` warns (naming both files); the
plan flags each such create like a rename look-alike, and `apply` refuses it unless
`--allow-duplicate-source` (two profiles on one SIS, e.g. for two school years, can be meant).

What identifies a source is kind data (`Kind.source_identity`), compared as `lookalike` does
(URL case and a trailing slash do not matter). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from reconciler.engine.compare import DesiredSources
from reconciler.engine.lookalike import Lookalike, describe_source, loose
from reconciler.names import quoted
from reconciler.objects import DesiredObject

if TYPE_CHECKING:  # plan.py imports this module
    from reconciler.engine.model import Change


@dataclass(frozen=True)
class Twin:
    """`later` reads the source `earlier` reads (in file order)."""

    earlier: DesiredObject
    later: DesiredObject
    #: "educationPowerSchoolDataProvider, https://…, <client id>"
    source: str


def _key(obj: DesiredObject, source: dict[str, Any]) -> tuple[Any, ...] | None:
    if not source:
        return None
    # Objects of different containers are different objects (`lookalike.same_container`).
    parent_ref = obj.kind.endpoint.parent_ref
    container = repr(obj.body.get(parent_ref)) if parent_ref else None
    return (obj.kind.name, container, *sorted((p, repr(loose(v))) for p, v in source.items()))


def twins(objects: Iterable[DesiredObject], sources: DesiredSources | None = None) -> list[Twin]:
    """Every later object that reads a source an earlier one reads (each pair once)."""
    known = sources or DesiredSources()
    first: dict[tuple[Any, ...], DesiredObject] = {}
    found: list[Twin] = []
    for obj in objects:
        source = known.source(obj)
        key = _key(obj, source)
        if key is None:
            continue
        earlier = first.setdefault(key, obj)
        if earlier is not obj and earlier.name != obj.name:  # one name twice: its own error
            found.append(Twin(earlier, obj, describe_source(source)))
    return found


def twin_warning(name: str, other: Lookalike) -> str:
    return (
        f"SAME SOURCE AS ANOTHER FILE: {quoted(name)} {other.reason}; applying both makes two "
        "profiles syncing one SIS. If one file is a copy, delete it (or give it its own "
        "source); if both are meant, apply with --allow-duplicate-source"
    )


def mark_twins(
    changes: Sequence[Change],
    objects: Sequence[DesiredObject],
    sources: DesiredSources | None = None,
) -> list[Change]:
    """Flag each planned create (a `Change`) that reads the source of another desired object.
    A plan with no create has nothing to flag, and finds no sources."""
    if not any(_creates(change) for change in changes):
        return list(changes)
    pairs = twins(objects, sources)
    if not pairs:
        return list(changes)
    ids = {(c.kind.name, c.name): c.id for c in changes if c.id}
    others: dict[int, list[Lookalike]] = {}
    for pair in pairs:
        for this, that in ((pair.earlier, pair.later), (pair.later, pair.earlier)):
            reason = f"reads the same source ({pair.source}) as {quoted(that.name)} in {that.where}"
            look = Lookalike(ids.get((that.kind.name, that.name), ""), that.name, reason)
            others.setdefault(id(this), []).append(replace(look, declared_at=that.where))
    marked = []
    for change in changes:
        found = others.get(id(change.after)) if _creates(change) else None
        if not found:
            marked.append(change)
            continue
        notes = tuple(twin_warning(change.name, look) for look in found)
        marked.append(
            replace(
                change,
                warnings=(*change.warnings, *notes),
                duplicate_of=(*change.duplicate_of, *found),
            )
        )
    return marked


def _creates(change: Change) -> bool:
    return change.action.value == "create" and change.after is not None
