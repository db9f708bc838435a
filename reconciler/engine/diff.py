"""Semantic diff of two normalised trees, on deepdiff's tree view.

Only what the desired side declares is compared (server defaults you did not write are not
drift); a keyed list is owned whole; a list or set is one field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler import fieldpaths
from reconciler.engine.normalize import external
from reconciler.kinds.model import (
    ODATA_TYPE,
    KeyedList,
    ListOf,
    ObjectType,
    Opaque,
    Polymorphic,
    Reference,
    Scalar,
    SetOf,
    TypeExpr,
)
from reconciler.kinds.typetree import (
    TypeVisitor,
    by_identity,
    has_members,
    is_keyed,
    member_type,
    object_type_of,
    visit,
)

_ABSENT = object()


@dataclass(frozen=True)
class FieldDiff:
    """One field's values before and after, in Graph's shape (lists as lists)."""

    path: str
    before: Any
    after: Any


def project(actual: Any, desired: Any, texpr: TypeExpr) -> Any:
    """`actual` cut down to the members `desired` declares, absent members taking the value the
    server reports by default (so an unwritten `isSyncDeferred` equals `false`)."""
    if not isinstance(desired, dict):
        return actual
    return _PROJECTORS.of(texpr)(actual, desired)


#: Projects one value (`actual`) onto what a desired dict declares; None for a type that has
#: no members (the value is taken whole).
_ProjectFn = Callable[[Any, dict[str, Any]], Any]


class _Projectors(TypeVisitor[[], "_ProjectFn | None"]):
    """Each type node becomes, once, the function that projects values of that type (as the
    normaliser is compiled): a plan projects every matched tenant object."""

    def __init__(self) -> None:
        self._made: dict[int, tuple[TypeExpr, _ProjectFn | None]] = {}

    def of(self, texpr: TypeExpr) -> _ProjectFn:
        return self._maybe(texpr) or _whole

    def _maybe(self, texpr: TypeExpr) -> _ProjectFn | None:
        return by_identity(self._made, texpr, lambda t: visit(t, self))

    def keyed_list(self, node: KeyedList) -> _ProjectFn | None:
        item = self._maybe(node.item)

        def entries(actual: Any, desired: dict[str, Any]) -> Any:
            if not isinstance(actual, dict) or item is None:
                return actual
            out = {}
            for key, entry in actual.items():
                wanted = desired.get(key, _ABSENT)
                out[key] = item(entry, wanted) if isinstance(wanted, dict) else entry
            return out

        return entries

    def _members(self, otype: ObjectType) -> _ProjectFn:
        # name → (its projector or None, the value an absent member reads as)
        members = {
            p.name: (self._maybe(p.type), p.default if p.has_default else None) for p in otype.props
        }

        def members_of(actual: Any, desired: dict[str, Any]) -> Any:
            source = actual if isinstance(actual, dict) else {}
            out: dict[str, Any] = {}
            for key, wanted in desired.items():
                member = members.get(key)
                if member is None:  # an unknown member, or the @odata.type: taken as it is
                    out[key] = source.get(key)
                    continue
                projector, default = member
                value = source.get(key, default)
                if projector is not None and isinstance(wanted, dict):
                    value = projector(value, wanted)
                out[key] = value
            return out

        return members_of

    def object_type(self, node: ObjectType) -> _ProjectFn | None:
        return self._members(node)

    def polymorphic(self, node: Polymorphic) -> _ProjectFn | None:
        # The variant `desired` names governs every member.
        variants: dict[Any, _ProjectFn] = {}

        def variant_of(actual: Any, desired: dict[str, Any]) -> Any:
            name = desired.get(ODATA_TYPE)
            members = variants.get(name)
            if members is None:
                variant = object_type_of(node, desired)
                members = self._members(variant) if variant is not None else _declared
                variants[name] = members
            return members(actual, desired)

        return variant_of

    def scalar(self, node: Scalar) -> _ProjectFn | None:
        return None

    def set_of(self, node: SetOf) -> _ProjectFn | None:
        return None

    def list_of(self, node: ListOf) -> _ProjectFn | None:
        return None

    def opaque(self, node: Opaque) -> _ProjectFn | None:
        return None

    def reference(self, node: Reference) -> _ProjectFn | None:
        return None


def _whole(actual: Any, desired: dict[str, Any]) -> Any:
    return actual


def _declared(actual: Any, desired: dict[str, Any]) -> Any:
    """An unknown variant: the members `desired` declares, as they are."""
    source = actual if isinstance(actual, dict) else {}
    return {key: source.get(key) for key in desired}


_PROJECTORS = _Projectors()


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


def field_of(path: Sequence[Any], texpr: TypeExpr, desired: Any) -> tuple[str, ...]:
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
        if not has_members(current):
            break
    return tuple(segments)


def diff(before: Any, after: Any, texpr: TypeExpr) -> list[FieldDiff]:
    """Field-level differences between two normalised, projected trees."""
    fields: dict[tuple[str, ...], FieldDiff] = {}
    for path in _explained(*_differing(before, after)):
        segments = field_of(path, texpr, after)
        if segments and segments not in fields:
            texpr_at = type_at(texpr, segments, after) or type_at(texpr, segments, before)
            fields[segments] = FieldDiff(
                fieldpaths.join(segments),
                external(value_at(before, segments), texpr_at),
                external(value_at(after, segments), texpr_at),
            )
    return sorted(fields.values(), key=lambda f: f.path)


def _explained(was: Any, now: Any) -> tuple[tuple[Any, ...], ...]:
    """deepdiff's paths (tree view) between two skeletons. A skeleton holds member names and
    markers, never values, so objects drifted alike (one field changed in the portal on
    every profile of a template) have one skeleton: each is explained once per run."""
    key = repr((was, now))
    known = _EXPLAINED.get(key)
    if known is None:
        # Imported here: deepdiff pulls in pydantic (~150 ms), which `--help` should not pay for.
        from deepdiff import DeepDiff

        tree = DeepDiff(was, now, view="tree", ignore_order=False)
        known = tuple(
            tuple(level.path(output_format="list")) for report in tree.values() for level in report
        )
        if len(_EXPLAINED) < _EXPLAINED_MAX:
            _EXPLAINED[key] = known
    return known


_EXPLAINED: dict[str, tuple[tuple[Any, ...], ...]] = {}
_EXPLAINED_MAX = 4096


def explanations_held() -> int:
    return len(_EXPLAINED)


def forget_explanations() -> None:
    """Start again as a new run would (a benchmark that plans several times in one process
    must not find the last plan's explanations)."""
    _EXPLAINED.clear()


def _differing(before: Any, after: Any) -> tuple[Any, Any]:
    """The skeleton of where two trees differ: the members that differ (and the `@odata.type`
    beside them, which says what type they are), each differing value replaced by a marker.
    deepdiff's cost grows with all it walks, each step a few objects; most of a drifted
    profile is equal, and `==` finds that out far faster. The paths in the skeleton are the
    paths in the whole trees, and the values shown are read from the whole trees."""
    if not (isinstance(before, dict) and isinstance(after, dict)):
        return _WAS, _IS
    kept_before: dict[str, Any] = {}
    kept_after: dict[str, Any] = {}
    for key in [*before, *(k for k in after if k not in before)]:
        if key not in after:
            kept_before[key] = _WAS
        elif key not in before:
            kept_after[key] = _IS
        elif key == ODATA_TYPE:
            kept_before[key], kept_after[key] = (
                (_WAS, _IS) if before[key] != after[key] else (_SAME, _SAME)
            )
        elif before[key] != after[key]:
            kept_before[key], kept_after[key] = _differing(before[key], after[key])
    return kept_before, kept_after


#: The markers a skeleton holds: a value before, a different one after, an equal type name.
_WAS, _IS, _SAME = 0, 1, 2


def leaves(tree: Any, texpr: TypeExpr, prefix: tuple[str, ...] = ()) -> Iterator[FieldDiff]:
    """Every field of a normalised tree, as (path, None, value): what a create would set."""
    if isinstance(tree, dict) and has_members(texpr) and tree:
        for key in tree:
            path = (*prefix, key)
            member, _prop = member_type(texpr, key, tree)
            # A keyed-list item is shown whole, on one line: it reads like the YAML.
            if key == ODATA_TYPE or member is None or is_keyed(texpr):
                yield FieldDiff(fieldpaths.join(path), None, external(tree[key], member))
            else:
                yield from leaves(tree[key], member, path)
        return
    if prefix:
        yield FieldDiff(fieldpaths.join(prefix), None, external(tree, texpr))
