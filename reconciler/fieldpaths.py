"""Field paths as users write them: `licensesToAssign[teacher].skuIds`, `dataProvider.@odata.type`.

Property names are joined with `.`; an item of a keyed list is `[key]`.
"""

from __future__ import annotations

import re

from reconciler.kinds.model import (
    ODATA_TYPE,
    KeyedList,
    ListOf,
    ObjectType,
    Polymorphic,
    SetOf,
    TypeExpr,
)

Segment = str  # a property name, or "[key]" for a keyed-list item

_SEGMENT = re.compile(r"(@odata\.type|[^.\[\]]+)|\[([^\]]*)\]")


def parse(path: str) -> tuple[Segment, ...]:
    """Split a dotted path; raises ValueError if it is malformed."""
    segments: list[Segment] = []
    pos = 0
    while pos < len(path):
        if path[pos] == "." and segments and pos + 1 < len(path):
            pos += 1
        match = _SEGMENT.match(path, pos)
        if not match or match.end() == pos:
            raise ValueError(f"malformed field path {path!r} near position {pos + 1}")
        segments.append(match.group(1) if match.group(1) else f"[{match.group(2)}]")
        pos = match.end()
    if not segments:
        raise ValueError("empty field path")
    return tuple(segments)


def join(segments: tuple[Segment, ...] | list[Segment]) -> str:
    out = ""
    for segment in segments:
        out += segment if (segment.startswith("[") or not out) else f".{segment}"
    return out


def is_prefix(prefix: tuple[Segment, ...], path: tuple[Segment, ...]) -> bool:
    """Whether `prefix` names `path` or one of its ancestors (keys compare case-insensitively)."""
    if len(prefix) > len(path):
        return False
    return all(
        a == b or (a.startswith("[") and a.lower() == b.lower())
        for a, b in zip(prefix, path, strict=False)
    )


def resolve(root: ObjectType, segments: tuple[Segment, ...]) -> str | None:
    """None when `segments` names a property of `root`; else a message saying what is wrong."""
    current: TypeExpr = root
    for i, segment in enumerate(segments):
        here = join(segments[: i + 1])
        if isinstance(current, (SetOf, ListOf)):
            return f"{join(segments[:i])!r} is a list, compared whole; stop the path there"
        if isinstance(current, KeyedList):
            if not segment.startswith("["):
                return f"{join(segments[:i])!r} is a keyed list: address an item as [key]"
            current = current.item
            continue
        if segment.startswith("["):
            return f"{here!r}: only keyed lists have [key] items"
        if isinstance(current, Polymorphic):
            if segment == ODATA_TYPE:
                return None if i == len(segments) - 1 else f"nothing is below {here!r}"
            candidates = [v.prop(segment) for v in current.variants]
            found = next((p for p in candidates if p is not None), None)
        elif isinstance(current, ObjectType):
            found = current.prop(segment)
        else:
            return f"{join(segments[:i])!r} has no properties below it"
        if found is None:
            return f"{here!r} is not a property"
        current = found.type
    return None
