"""One dispatch over the type tree: every walker (normalise, diff, request bodies, validation,
JSON Schema, export, field paths) is a `TypeVisitor` with one method per node type.

Adding a node type to `TypeExpr` makes `visit` fail mypy (`assert_never`) until it dispatches
the new node, and every visitor that lacks the new method abstract, so mypy refuses to
instantiate it; `tests/kinds/test_typetree.py` checks the same at run time.

The few structural questions every walker asks (which object type governs this value, the type
of member `key`, is this a container) are answered once, here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any, Generic, ParamSpec, TypeVar, assert_never

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
from reconciler.kinds.odata import resolve_variant

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
K = TypeVar("K")

#: The node methods every visitor implements (a test checks each visitor against it).
NODE_METHODS = (
    "scalar",
    "set_of",
    "list_of",
    "keyed_list",
    "polymorphic",
    "object_type",
    "opaque",
    "reference",
)


class TypeVisitor(ABC, Generic[P, R]):
    """One method per node type; `visit(texpr, visitor, *args)` calls the right one."""

    @abstractmethod
    def scalar(self, node: Scalar, *args: P.args, **kwargs: P.kwargs) -> R: ...

    @abstractmethod
    def set_of(self, node: SetOf, *args: P.args, **kwargs: P.kwargs) -> R: ...

    @abstractmethod
    def list_of(self, node: ListOf, *args: P.args, **kwargs: P.kwargs) -> R: ...

    @abstractmethod
    def keyed_list(self, node: KeyedList, *args: P.args, **kwargs: P.kwargs) -> R: ...

    @abstractmethod
    def polymorphic(self, node: Polymorphic, *args: P.args, **kwargs: P.kwargs) -> R: ...

    @abstractmethod
    def object_type(self, node: ObjectType, *args: P.args, **kwargs: P.kwargs) -> R: ...

    @abstractmethod
    def opaque(self, node: Opaque, *args: P.args, **kwargs: P.kwargs) -> R: ...

    @abstractmethod
    def reference(self, node: Reference, *args: P.args, **kwargs: P.kwargs) -> R: ...


def visit(texpr: TypeExpr, visitor: TypeVisitor[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    # Every walker calls this for every value it meets: a table lookup by the node's class is
    # several times cheaper than the `match` below, which fills the table (and is what mypy
    # checks for exhaustiveness).
    name = _METHOD_NAMES.get(type(texpr))
    if name is not None:
        method: Callable[..., R] = getattr(visitor, name)
        return method(texpr, *args, **kwargs)
    _METHOD_NAMES[type(texpr)] = _method_name(texpr)
    return visit(texpr, visitor, *args, **kwargs)


_METHOD_NAMES: dict[type, str] = {}


def _method_name(texpr: TypeExpr) -> str:
    match texpr:
        case Scalar():
            return "scalar"
        case SetOf():
            return "set_of"
        case ListOf():
            return "list_of"
        case KeyedList():
            return "keyed_list"
        case Polymorphic():
            return "polymorphic"
        case ObjectType():
            return "object_type"
        case Opaque():
            return "opaque"
        case Reference():
            return "reference"
        case _:
            assert_never(texpr)


# -- structural questions, answered once -------------------------------------------------------
class _ObjectTypeOf(TypeVisitor[[Any], "ObjectType | None"]):
    """The object type whose properties a value has: the type itself, or the variant its
    `@odata.type` names; None for anything that is not an object."""

    def scalar(self, node: Scalar, value: Any) -> ObjectType | None:
        return None

    def set_of(self, node: SetOf, value: Any) -> ObjectType | None:
        return None

    def list_of(self, node: ListOf, value: Any) -> ObjectType | None:
        return None

    def keyed_list(self, node: KeyedList, value: Any) -> ObjectType | None:
        return None

    def polymorphic(self, node: Polymorphic, value: Any) -> ObjectType | None:
        spelling = value.get(ODATA_TYPE) if isinstance(value, Mapping) else None
        return resolve_variant(node, spelling) if isinstance(spelling, str) else None

    def object_type(self, node: ObjectType, value: Any) -> ObjectType | None:
        return node

    def opaque(self, node: Opaque, value: Any) -> ObjectType | None:
        return None

    def reference(self, node: Reference, value: Any) -> ObjectType | None:
        return None


_OBJECT_TYPE_OF = _ObjectTypeOf()


def object_type_of(texpr: TypeExpr | None, value: Any) -> ObjectType | None:
    """The object type governing `value` (a polymorphic member: the variant it names)."""
    return None if texpr is None else visit(texpr, _OBJECT_TYPE_OF, value)


class _Member(TypeVisitor[[str, Any], "tuple[TypeExpr | None, Prop | None]"]):
    """The type (and property) of member `key` of a value; `hint` is a tree holding the
    value's `@odata.type`, for polymorphic members. A keyed list's members are its items."""

    def scalar(self, node: Scalar, key: str, hint: Any) -> tuple[TypeExpr | None, Prop | None]:
        return None, None

    def set_of(self, node: SetOf, key: str, hint: Any) -> tuple[TypeExpr | None, Prop | None]:
        return None, None

    def list_of(self, node: ListOf, key: str, hint: Any) -> tuple[TypeExpr | None, Prop | None]:
        return None, None

    def keyed_list(
        self, node: KeyedList, key: str, hint: Any
    ) -> tuple[TypeExpr | None, Prop | None]:
        return node.item, None

    def polymorphic(
        self, node: Polymorphic, key: str, hint: Any
    ) -> tuple[TypeExpr | None, Prop | None]:
        # Normalised trees hold the canonical variant name; raw bodies any spelling.
        name = hint.get(ODATA_TYPE) if isinstance(hint, Mapping) else None
        variant = None
        if isinstance(name, str):
            variant = node.variant(name) or resolve_variant(node, name)
        prop = variant.prop(key) if variant else None
        return (prop.type if prop else None), prop

    def object_type(
        self, node: ObjectType, key: str, hint: Any
    ) -> tuple[TypeExpr | None, Prop | None]:
        prop = node.prop(key)
        return (prop.type if prop else None), prop

    def opaque(self, node: Opaque, key: str, hint: Any) -> tuple[TypeExpr | None, Prop | None]:
        return None, None

    def reference(
        self, node: Reference, key: str, hint: Any
    ) -> tuple[TypeExpr | None, Prop | None]:
        return None, None


_MEMBER = _Member()


def member_type(texpr: TypeExpr, key: str, hint: Any) -> tuple[TypeExpr | None, Prop | None]:
    """The type of member `key` of a value of type `texpr` (hint: the value, for variants)."""
    return visit(texpr, _MEMBER, key, hint)


class _Items(TypeVisitor[[], "TypeExpr | None"]):
    """The type of a collection's items (a set's items are scalars, kept as they are)."""

    def scalar(self, node: Scalar) -> TypeExpr | None:
        return None

    def set_of(self, node: SetOf) -> TypeExpr | None:
        return node.item

    def list_of(self, node: ListOf) -> TypeExpr | None:
        return node.item

    def keyed_list(self, node: KeyedList) -> TypeExpr | None:
        return node.item

    def polymorphic(self, node: Polymorphic) -> TypeExpr | None:
        return None

    def object_type(self, node: ObjectType) -> TypeExpr | None:
        return None

    def opaque(self, node: Opaque) -> TypeExpr | None:
        return None

    def reference(self, node: Reference) -> TypeExpr | None:
        return None


_ITEMS = _Items()


def item_type_of(texpr: TypeExpr | None) -> TypeExpr | None:
    return None if texpr is None else visit(texpr, _ITEMS)


class Shape(Enum):
    """What a node holds, as walkers care: members by name (an object or a polymorphic
    member), items by key (a keyed list, held as `{[key]: item}` once normalised), a list or
    set (one field, compared and shown whole), or a single value."""

    OBJECT = "object"
    KEYED = "keyed"
    LIST = "list"
    LEAF = "leaf"


class _Shape(TypeVisitor[[], Shape]):
    def of(self, texpr: TypeExpr) -> Shape:
        return visit(texpr, self)

    def scalar(self, node: Scalar) -> Shape:
        return Shape.LEAF

    def set_of(self, node: SetOf) -> Shape:
        return Shape.LIST

    def list_of(self, node: ListOf) -> Shape:
        return Shape.LIST

    def keyed_list(self, node: KeyedList) -> Shape:
        return Shape.KEYED

    def polymorphic(self, node: Polymorphic) -> Shape:
        return Shape.OBJECT

    def object_type(self, node: ObjectType) -> Shape:
        return Shape.OBJECT

    def opaque(self, node: Opaque) -> Shape:
        return Shape.LEAF

    def reference(self, node: Reference) -> Shape:
        return Shape.LEAF  # compared and shown as the target's natural key


_SHAPE = _Shape()


#: Shapes already asked for (every walker asks this of every member it meets).
_SHAPES: dict[int, tuple[TypeExpr, Shape]] = {}


def by_identity(cache: dict[int, tuple[K, T]], texpr: K, make: Callable[[K], T]) -> T:
    """`make(texpr)`, worked out once per node (or kind): walkers ask the same questions of
    the same few type nodes for every value, and hashing a frozen type tree costs more than
    the answer. Keyed by identity; the node is kept, so its id stays its own."""
    known = cache.get(id(texpr))
    if known is not None and known[0] is texpr:
        return known[1]
    found = make(texpr)
    cache[id(texpr)] = (texpr, found)
    return found


def shape(texpr: TypeExpr | None) -> Shape:
    """A missing type (an unknown member) is a single value."""
    if texpr is None:
        return Shape.LEAF
    return by_identity(_SHAPES, texpr, _SHAPE.of)


def has_members(texpr: TypeExpr | None) -> bool:
    """Whether a value of this type is walked member by member (objects and keyed lists)."""
    return shape(texpr) in {Shape.OBJECT, Shape.KEYED}


def is_keyed(texpr: TypeExpr | None) -> bool:
    return shape(texpr) is Shape.KEYED


def is_list(texpr: TypeExpr | None) -> bool:
    """A list or set: one field, compared and shown whole."""
    return shape(texpr) is Shape.LIST


class _ReferencePaths(TypeVisitor[["tuple[str, ...]"], "list[tuple[tuple[str, ...], Reference]]"]):
    """Every Reference member below a type, with its dotted path (list items are transparent:
    `userMatchingSettings.roleGroup` is each item's)."""

    def scalar(
        self, node: Scalar, path: tuple[str, ...]
    ) -> list[tuple[tuple[str, ...], Reference]]:
        return []

    def set_of(self, node: SetOf, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], Reference]]:
        return []

    def list_of(
        self, node: ListOf, path: tuple[str, ...]
    ) -> list[tuple[tuple[str, ...], Reference]]:
        return visit(node.item, self, path)

    def keyed_list(
        self, node: KeyedList, path: tuple[str, ...]
    ) -> list[tuple[tuple[str, ...], Reference]]:
        return visit(node.item, self, path)

    def polymorphic(
        self, node: Polymorphic, path: tuple[str, ...]
    ) -> list[tuple[tuple[str, ...], Reference]]:
        found = [entry for v in node.variants for entry in self.object_type(v, path)]
        return list(dict.fromkeys(found))

    def object_type(
        self, node: ObjectType, path: tuple[str, ...]
    ) -> list[tuple[tuple[str, ...], Reference]]:
        return [entry for p in node.props for entry in visit(p.type, self, (*path, p.name))]

    def opaque(
        self, node: Opaque, path: tuple[str, ...]
    ) -> list[tuple[tuple[str, ...], Reference]]:
        return []

    def reference(
        self, node: Reference, path: tuple[str, ...]
    ) -> list[tuple[tuple[str, ...], Reference]]:
        return [(path, node)]


def reference_paths(texpr: TypeExpr) -> tuple[tuple[tuple[str, ...], Reference], ...]:
    """(dotted path segments, Reference) of every reference a type can hold. Asked for every
    object a plan compares, so each type's answer is worked out once."""

    return by_identity(_REFERENCE_PATHS, texpr, _all_reference_paths)


def _all_reference_paths(texpr: TypeExpr) -> tuple[tuple[tuple[str, ...], Reference], ...]:
    paths: list[tuple[tuple[str, ...], Reference]] = visit(texpr, _ReferencePaths(), ())
    return tuple(paths)


_REFERENCE_PATHS: dict[int, tuple[TypeExpr, tuple[tuple[tuple[str, ...], Reference], ...]]] = {}
