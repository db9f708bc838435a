"""Objects written inside another's document (`Kind.contained`): a flow set's
`provisioningFlows:` list holds the set's flows, each an object of the `provisioningFlow` kind.

The loader splits them out so every later step sees one object per Graph object: each item
becomes an object of the contained kind at the item's own position, with its `${NAME}` values
and references re-rooted, and its container named by the kind's `parent_ref` member
(`flowSet: {ref: <the set's key>}`); the container keeps everything else. A contained object
is protected when its container is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, TypeVar

from reconciler.kinds.model import Reference
from reconciler.kinds.registry import Registry
from reconciler.objects import DesiredObject, Lifecycle, RawPath, ReferenceSite

V = TypeVar("V")

#: Where a path of the document is written: (line, column).
Where = Callable[[RawPath], tuple[int, int]]


def _under(values: Mapping[RawPath, V], prefix: RawPath) -> dict[RawPath, V]:
    """The entries below `prefix`, their paths made relative to it."""
    return {path[len(prefix) :]: v for path, v in values.items() if path[: len(prefix)] == prefix}


def _outside(values: Mapping[RawPath, V], member: str) -> dict[RawPath, V]:
    return {path: v for path, v in values.items() if not path or path[0] != member}


def split_contained(obj: DesiredObject, registry: Registry, where: Where) -> list[DesiredObject]:
    """The container (without its contained members) followed by each contained object."""
    if not obj.kind.contained:
        return [obj]
    body: dict[str, Any] = dict(obj.body)
    variables, positions = dict(obj.variables), dict(obj.variable_positions)
    references = list(obj.references)
    contained: list[DesiredObject] = []
    for member in obj.kind.contained:
        kind = registry[member.kind]
        parent_ref = kind.endpoint.parent_ref or ""
        items = body.pop(member.member, None)
        for i, item in enumerate(items if isinstance(items, list) else []):
            if not isinstance(item, dict):
                continue  # the type check has reported it
            prefix: RawPath = (member.member, i)
            line, column = where(prefix)
            sites = [
                replace(site, path=site.path[len(prefix) :])
                for site in obj.references
                if site.path[: len(prefix)] == prefix
            ]
            sites.append(ReferenceSite((parent_ref,), obj.kind.name, obj.name, line, column))
            contained.append(
                DesiredObject(
                    kind=kind,
                    file=obj.file,
                    line=line,
                    column=column,
                    body={**item, parent_ref: {Reference.KEY: obj.name}},
                    lifecycle=Lifecycle(protect=obj.lifecycle.protect),
                    variables=_under(obj.variables, prefix),
                    variable_positions=_under(obj.variable_positions, prefix),
                    references=tuple(sites),
                )
            )
        variables = _outside(variables, member.member)
        positions = _outside(positions, member.member)
        references = [s for s in references if not s.path or s.path[0] != member.member]
    container = replace(
        obj,
        body=body,
        variables=variables,
        variable_positions=positions,
        references=tuple(references),
    )
    return [container, *contained]
