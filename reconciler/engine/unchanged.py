"""Is a tenant object surely what git declares? A compiled yes/no over the two raw bodies.

Most objects of a plan are unchanged. Finding that out the full way normalises both objects
whole, projects the tenant's tree onto what git declares and compares: three trees per object.
This walks the members the desired body declares, with the tenant's beside them, and builds
nothing. It answers True only when the full comparison (`compare.compare`) finds no difference;
whenever it is unsure (a null, a member the tenant lacks, another variant, a keyed-list key
twice, a value of another shape) it answers False and the full comparison decides, so it can
only save time, never change a plan. tests/engine/test_unchanged.py holds it to that, and to
answering True for unchanged objects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reconciler.engine.normalize import (
    VARIABLE,
    entry_label,
    set_texts,
    value_normalizer,
    variable_marks,
)
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
from reconciler.kinds.odata import resolve_variant
from reconciler.kinds.typetree import TypeVisitor, by_identity, is_list, visit
from reconciler.objects import DesiredObject

#: (desired value, the `${NAME}` marks below it or None, tenant value) → surely the same?
_SameFn = Callable[[Any, Any, Any], bool]


class _Compiler(TypeVisitor[[], _SameFn]):
    """Each type node becomes, once, the function that answers for values of that type."""

    def __init__(self) -> None:
        self._made: dict[int, tuple[TypeExpr, _SameFn]] = {}

    def of(self, texpr: TypeExpr) -> _SameFn:
        return by_identity(self._made, texpr, lambda t: visit(t, self))

    def _whole(self, texpr: TypeExpr) -> _SameFn:
        """A value compared whole (no members to project): equal once both are normalised."""
        normal = value_normalizer(texpr)
        if normal is None:
            return _equal

        def whole_same(mine: Any, marks: Any, theirs: Any) -> bool:
            if type(mine) is str and type(theirs) is str and mine == theirs:
                return True  # the same text normalises alike: most enum members and dates
            return bool(normal(mine) == normal(theirs))

        return whole_same

    def scalar(self, node: Scalar) -> _SameFn:
        return self._whole(node)

    def set_of(self, node: SetOf) -> _SameFn:
        whole = self._whole(node)
        texts = set_texts(node)

        def set_same(mine: Any, marks: Any, theirs: Any) -> bool:
            # The usual set, all text: equal as sets is equal once sorted (no sort needed).
            if type(mine) is not list or type(theirs) is not list:
                return whole(mine, marks, theirs)
            ours, others = texts(mine), texts(theirs)
            if not all(type(v) is str for v in ours) or not all(type(v) is str for v in others):
                return whole(mine, marks, theirs)
            return set(ours) == set(others)

        return set_same

    def list_of(self, node: ListOf) -> _SameFn:
        return self._whole(node)

    def opaque(self, node: Opaque) -> _SameFn:
        return self._whole(node)

    def reference(self, node: Reference) -> _SameFn:
        return self._whole(node)

    def object_type(self, node: ObjectType) -> _SameFn:
        return self._members(node)

    def _members(self, node: ObjectType) -> _SameFn:
        # The members a normalised desired tree holds: read-only ones never, secrets and
        # values from ${NAME} not for comparison (a list or set with one inside is all secret).
        # name → (secret, a list or set, its check; None: equal as they are, no call made)
        table: dict[str, tuple[bool, bool, _SameFn | None]] = {}
        for p in node.props:
            if not p.read_only:
                same = self.of(p.type)
                table[p.name] = (p.secret, is_list(p.type), None if same is _equal else same)

        def members_same(mine: Any, marks: Any, theirs: Any) -> bool:
            if type(mine) is not dict or type(theirs) is not dict:
                return False
            for key, value in mine.items():
                member = table.get(key)
                if member is None:
                    continue
                secret, listy, same = member
                below = None if marks is None else marks.get(key)
                if secret or (below is not None and (VARIABLE in below or listy)):
                    continue
                if value is None:
                    return False  # a null reads as the member's default: the full way decides
                other = theirs.get(key)
                if other is None:
                    return False
                if same is None:
                    if value != other:
                        return False
                elif not same(value, below, other):
                    return False
            return True

        return members_same

    def polymorphic(self, node: Polymorphic) -> _SameFn:
        def variant_same(mine: Any, marks: Any, theirs: Any) -> bool:
            if type(mine) is not dict or type(theirs) is not dict:
                return False
            spelling, other = mine.get(ODATA_TYPE), theirs.get(ODATA_TYPE)
            if not isinstance(spelling, str) or not isinstance(other, str):
                return False
            variant = resolve_variant(node, spelling)
            if variant is None or resolve_variant(node, other) is not variant:
                return False
            return self.of(variant)(mine, marks, theirs)

        return variant_same

    def keyed_list(self, node: KeyedList) -> _SameFn:
        item = self.of(node.item)
        label = entry_label(node)

        def entries_same(mine: Any, marks: Any, theirs: Any) -> bool:
            if type(mine) is not list or type(theirs) is not list or len(mine) != len(theirs):
                return False
            wanted: dict[str, tuple[dict[str, Any], Any]] = {}
            for i, entry in enumerate(mine):
                if type(entry) is not dict:
                    return False
                at = label(entry)
                if at in wanted:
                    return False
                wanted[at] = (entry, None if marks is None else marks.get(i))
            for entry in theirs:
                if type(entry) is not dict:
                    return False
                found = wanted.pop(label(entry), None)  # popped: a key twice is not found again
                if found is None or not item(found[0], found[1], entry):
                    return False
            return True

        return entries_same


def _equal(mine: Any, marks: Any, theirs: Any) -> bool:
    return bool(mine == theirs)


_COMPILER = _Compiler()


def surely_unchanged(desired: DesiredObject, actual: Any) -> bool:
    """True only when comparing `desired` with the tenant object `actual` finds no difference
    (no ignored paths: with `ignore_changes`, ask the full comparison)."""
    marks = variable_marks(desired.variables)
    return _COMPILER.of(desired.kind.root)(desired.body, marks, actual)
