"""Field paths as users write them: `licensesToAssign[teacher].skuIds`, `dataProvider.@odata.type`.

Property names are joined with `.`; an item of a keyed list is `[key]`.
"""

from __future__ import annotations

import difflib
import re

from reconciler.kinds.model import (
    ODATA_TYPE,
    KeyedList,
    ListOf,
    ObjectType,
    Opaque,
    Polymorphic,
    Prop,
    Reference,
    Scalar,
    SetOf,
    TypeExpr,
)
from reconciler.kinds.typetree import TypeVisitor, visit

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


def resolve(root: TypeExpr, segments: tuple[Segment, ...]) -> str | None:
    """None when `segments` names a property of `root`; else a message saying what is wrong,
    with the path it most likely meant (suggested at the level that is wrong, keys included)."""
    return _RESOLVER.step(root, segments, 0)


class _Resolver(TypeVisitor[[tuple[Segment, ...], int], "str | None"]):
    """Walks `segments` from index `i` down a type; each node says whether its segment fits."""

    def step(self, texpr: TypeExpr, segments: tuple[Segment, ...], i: int) -> str | None:
        return None if i == len(segments) else visit(texpr, self, segments, i)

    def _list(self, segments: tuple[Segment, ...], i: int) -> str:
        return f"{join(segments[:i])!r} is a list, compared whole; stop the path there"

    def set_of(self, node: SetOf, segments: tuple[Segment, ...], i: int) -> str | None:
        return self._list(segments, i)

    def list_of(self, node: ListOf, segments: tuple[Segment, ...], i: int) -> str | None:
        return self._list(segments, i)

    def keyed_list(self, node: KeyedList, segments: tuple[Segment, ...], i: int) -> str | None:
        if not segments[i].startswith("["):
            return _needs_key(node, segments, i)
        return _key_problem(node, segments, i) or self.step(node.item, segments, i + 1)

    def _members(
        self, names: list[str], found: Prop | None, segments: tuple[Segment, ...], i: int
    ) -> str | None:
        here = join(segments[: i + 1])
        if segments[i].startswith("["):
            return f"{here!r}: only keyed lists have [key] items"
        if found is None:
            return f"{here!r} is not a property{_meant(segments, i, names)}"
        return self.step(found.type, segments, i + 1)

    def polymorphic(self, node: Polymorphic, segments: tuple[Segment, ...], i: int) -> str | None:
        if segments[i] == ODATA_TYPE:
            here = join(segments[: i + 1])
            return None if i == len(segments) - 1 else f"nothing is below {here!r}"
        names = [p.name for v in node.variants for p in v.props if not p.read_only]
        candidates = [v.prop(segments[i]) for v in node.variants]
        found = next((p for p in candidates if p is not None), None)
        return self._members(names, found, segments, i)

    def object_type(self, node: ObjectType, segments: tuple[Segment, ...], i: int) -> str | None:
        names = [p.name for p in node.props if not p.read_only]
        return self._members(names, node.prop(segments[i]), segments, i)

    def _leaf(self, segments: tuple[Segment, ...], i: int) -> str:
        if segments[i].startswith("["):
            return f"{join(segments[: i + 1])!r}: only keyed lists have [key] items"
        return f"{join(segments[:i])!r} has no properties below it"

    def scalar(self, node: Scalar, segments: tuple[Segment, ...], i: int) -> str | None:
        return self._leaf(segments, i)

    def opaque(self, node: Opaque, segments: tuple[Segment, ...], i: int) -> str | None:
        return self._leaf(segments, i)

    def reference(self, node: Reference, segments: tuple[Segment, ...], i: int) -> str | None:
        return self._leaf(segments, i)


_RESOLVER = _Resolver()


def _needs_key(klist: KeyedList, segments: tuple[Segment, ...], i: int) -> str:
    """`licensesToAssign.skuIds` → address an item: `licensesToAssign[teacher].skuIds`."""
    example_key = _key_values(klist)[:2]
    key = "teacher" if "teacher" in example_key else (example_key or ["key"])[0]
    rest = segments[i:] if klist.item.prop(segments[i]) else ()
    example = join((*segments[:i], f"[{key}]", *rest))
    return (
        f"{join(segments[:i])!r} is a keyed list: address an item by its {klist.key}, "
        f"e.g. {example}"
    )


def _key_problem(klist: KeyedList, segments: tuple[Segment, ...], i: int) -> str | None:
    """A key that no item can have (`[teachr]`) would silently match nothing."""
    allowed = _key_values(klist)
    key = segments[i][1:-1]
    if not allowed or key.lower() in (a.lower() for a in allowed):
        return None
    meant = _close(key, allowed)
    suggestion = ""
    if meant:
        suggestion = f" (did you mean {join((*segments[:i], f'[{meant}]', *segments[i + 1 :]))!r}?)"
    return (
        f"{join(segments[: i + 1])!r}: {key!r} is not a valid {klist.key}{suggestion}; use one "
        f"of: {', '.join(allowed)}"
    )


def _key_values(klist: KeyedList) -> list[str]:
    key_prop = klist.item.prop(klist.key)
    if key_prop is None or not isinstance(key_prop.type, Scalar):
        return []
    return [v for v in key_prop.type.enum if v != "unknownFutureValue"]


def _meant(segments: tuple[Segment, ...], i: int, names: list[str]) -> str:
    meant = _close(segments[i], names)
    if meant is None:
        return ""
    return f" (did you mean {join((*segments[:i], meant, *segments[i + 1 :]))!r}?)"


def _close(word: str, choices: list[str]) -> str | None:
    lowered = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None
