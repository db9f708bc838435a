"""Semantic diff of two normalised trees, on deepdiff's tree view.

Only what the desired side declares is compared (server defaults you did not write are not
drift); a keyed list is owned whole; a list or set is one field.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from reconciler import fieldpaths
from reconciler.engine.normalize import external
from reconciler.kinds.model import (
    ODATA_TYPE,
    KeyedList,
    ObjectType,
    Polymorphic,
    Prop,
    TypeExpr,
)

_ABSENT = object()


@dataclass(frozen=True)
class FieldDiff:
    """One field's values before and after, in Graph's shape (lists as lists)."""

    path: str
    before: Any
    after: Any


def _variant_of(poly: Polymorphic, value: Any) -> ObjectType | None:
    name = value.get(ODATA_TYPE) if isinstance(value, dict) else None
    return poly.variant(name) if isinstance(name, str) else None


def member_type(texpr: TypeExpr, key: str, hint: Any) -> tuple[TypeExpr | None, Prop | None]:
    """The type of member `key` of a value of type `texpr` (hint: the value, for variants)."""
    if isinstance(texpr, KeyedList):
        return texpr.item, None
    if isinstance(texpr, Polymorphic):
        variant = _variant_of(texpr, hint)
        prop = variant.prop(key) if variant else None
        return (prop.type if prop else None), prop
    if isinstance(texpr, ObjectType):
        prop = texpr.prop(key)
        return (prop.type if prop else None), prop
    return None, None


def project(actual: Any, desired: Any, texpr: TypeExpr) -> Any:
    """`actual` cut down to the members `desired` declares, absent members taking the value the
    server reports by default (so an unwritten `isSyncDeferred` equals `false`)."""
    if not isinstance(desired, dict) or not isinstance(texpr, (ObjectType, Polymorphic, KeyedList)):
        return actual
    source = actual if isinstance(actual, dict) else {}
    if isinstance(texpr, KeyedList):
        if not isinstance(actual, dict):
            return actual
        return {
            key: project(item, desired[key], texpr.item) if key in desired else item
            for key, item in source.items()
        }
    out: dict[str, Any] = {}
    for key, wanted in desired.items():
        if key == ODATA_TYPE:
            out[key] = source.get(key)
            continue
        member, prop = member_type(texpr, key, desired)
        if key in source:
            value = source[key]
        else:
            value = prop.default if prop is not None and prop.has_default else None
        out[key] = project(value, wanted, member) if member is not None else value
    return out


def drop(tree: Any, segments: tuple[str, ...]) -> None:
    """Remove the member at `segments` from a normalised tree, in place (for ignoreChanges)."""
    node = tree
    for segment in segments[:-1]:
        if not isinstance(node, dict):
            return
        node = _lookup(node, segment)
    if isinstance(node, dict):
        key = _matching_key(node, segments[-1])
        if key is not None:
            del node[key]


def _matching_key(node: dict[str, Any], segment: str) -> str | None:
    if segment in node:
        return segment
    if segment.startswith("["):
        return next((k for k in node if k.lower() == segment.lower()), None)
    return None


def _lookup(node: dict[str, Any], segment: str) -> Any:
    key = _matching_key(node, segment)
    return node[key] if key is not None else None


def type_at(texpr: TypeExpr, segments: tuple[str, ...], hint: Any) -> TypeExpr | None:
    """The type of the member at `segments` (hint: a tree holding it, for polymorphic members)."""
    current: TypeExpr | None = texpr
    for segment in segments:
        if current is None or segment == ODATA_TYPE:
            return None
        current, _prop = member_type(current, segment, hint)
        hint = _lookup(hint, segment) if isinstance(hint, dict) else None
    return current


def value_at(tree: Any, segments: tuple[str, ...]) -> Any:
    node = tree
    for segment in segments:
        if not isinstance(node, dict):
            return None
        node = _lookup(node, segment)
    return node


def field_of(path: list[Any], texpr: TypeExpr, desired: Any) -> tuple[str, ...]:
    """Cut a deepdiff path down to the field it belongs to: lists and sets are one field, and so
    is an `@odata.type` or a keyed-list item added or removed whole."""
    segments: list[str] = []
    current: TypeExpr | None = texpr
    hint = desired
    for element in path:
        if not isinstance(element, str) or current is None:
            break
        segments.append(element)
        if element == ODATA_TYPE:
            break
        current, _prop = member_type(current, element, hint)
        hint = hint.get(element) if isinstance(hint, dict) else None
        if not isinstance(current, (ObjectType, Polymorphic, KeyedList)):
            break
    return tuple(segments)


def diff(before: Any, after: Any, texpr: TypeExpr) -> list[FieldDiff]:
    """Field-level differences between two normalised, projected trees."""
    # Imported here: deepdiff pulls in pydantic (~150 ms), which `--help` should not pay for.
    from deepdiff import DeepDiff

    tree = DeepDiff(before, after, view="tree", ignore_order=False)
    fields: dict[tuple[str, ...], FieldDiff] = {}
    for report in tree.values():
        for level in report:
            segments = field_of(level.path(output_format="list"), texpr, after)
            if segments and segments not in fields:
                texpr_at = type_at(texpr, segments, after) or type_at(texpr, segments, before)
                fields[segments] = FieldDiff(
                    fieldpaths.join(segments),
                    external(value_at(before, segments), texpr_at),
                    external(value_at(after, segments), texpr_at),
                )
    return sorted(fields.values(), key=lambda f: f.path)


def leaves(tree: Any, texpr: TypeExpr, prefix: tuple[str, ...] = ()) -> Iterator[FieldDiff]:
    """Every field of a normalised tree, as (path, None, value): what a create would set."""
    if isinstance(tree, dict) and isinstance(texpr, (ObjectType, Polymorphic, KeyedList)) and tree:
        for key in tree:
            path = (*prefix, key)
            member, _prop = member_type(texpr, key, tree)
            # A keyed-list item is shown whole, on one line: it reads like the YAML.
            if key == ODATA_TYPE or member is None or isinstance(texpr, KeyedList):
                yield FieldDiff(fieldpaths.join(path), None, external(tree[key], member))
            else:
                yield from leaves(tree[key], member, path)
        return
    if prefix:
        yield FieldDiff(fieldpaths.join(prefix), None, external(tree, texpr))
