"""One normaliser for both sides: Graph JSON (desired or actual) → a canonical, comparable tree.

Rules (Graph facts in the SDS reference §3): read-only members and `@odata.*` annotations go,
polymorphic members keep their canonical type name, keyed lists become mappings keyed `[key]`,
sets are sorted (case-folded where case does not matter), date-times become UTC instants with
DateTime.MinValue read as null, enums take their canonical spelling. Write-only secrets and
values from `${NAME}` are dropped for comparison and shown as "(sensitive)" for display.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

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
    ScalarKind,
    SetOf,
    TypeExpr,
)
from reconciler.kinds.odata import resolve_variant, type_leaf
from reconciler.kinds.typetree import TypeVisitor, by_identity, is_list, visit
from reconciler.objects import DesiredObject

SENSITIVE = "(sensitive)"
RawPath = tuple[str | int, ...]


class Mode(Enum):
    COMPARE = "compare"  # secrets and ${} values removed
    DISPLAY = "display"  # secrets and ${} values shown as "(sensitive)"


def key_label(value: Any) -> str:
    return f"[{value}]"


def parse_instant(text: str) -> dt.datetime | None:
    """An ISO-8601 DateTimeOffset as an aware UTC datetime; Graph sends up to 7 fraction digits."""
    cleaned = text.strip().replace("z", "Z").replace("Z", "+00:00")
    if "." in cleaned:
        head, _, tail = cleaned.partition(".")
        digits = len(tail) - len(tail.lstrip("0123456789"))
        cleaned = f"{head}.{tail[:digits][:6].ljust(6, '0')}{tail[digits:]}"
    try:
        parsed = dt.datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


_MIN_VALUE = dt.datetime(1, 1, 1, tzinfo=dt.UTC)


def canonical_scalar(value: Any, scalar: Scalar) -> Any:
    if value is None or not isinstance(value, str):
        return value
    if scalar.kind is ScalarKind.DATETIME:
        instant = parse_instant(value)
        if instant is None:
            return value
        if instant == _MIN_VALUE or value in scalar.null_sentinels:
            return None
        return instant.isoformat(timespec="microseconds").replace("+00:00", "Z")
    if scalar.enum:
        return scalar.spellings.get(value.lower(), value)
    return value


def reference_text(value: Any) -> Any:
    """A reference as compared and shown: its target's natural key (`{ref: KEY}` in git; the
    tenant side carries the target's id too, and a key of None when the id is unknown)."""
    if not isinstance(value, dict):
        return value
    key = value.get(Reference.KEY)
    if key is None and value.get("id"):
        return f"(unknown object, id {value['id']})"
    return key


@dataclass(frozen=True)
class _Context:
    mode: Mode


#: Where `${NAME}` values are in a raw body, as a tree: member names and list indexes lead to
#: the nodes below them; `_HERE` marks a node whose value itself came from `${NAME}`.
_Marks = dict[Any, Any]
_HERE = "#variable"  # not a member name (Graph's names never start with #) nor an index

#: Normalises one value of a given type. `marks` are the `${NAME}` marks below the value, or
#: None when there are none (the tenant side, and most of a desired object): nothing is
#: looked up for such a value's members.
_NormalizeFn = Callable[[Any, "_Marks | None", _Context], Any]


class _Compiler(TypeVisitor[[], _NormalizeFn]):
    """Each type node becomes, once, a function that normalises values of that type: what a
    node means (its members, defaults, variants, enum spellings) is worked out when it is
    compiled, not again for every value of every object. A plan normalises every tenant
    object; at 10,000 profiles that is a million members."""

    def __init__(self) -> None:
        self._made: dict[int, tuple[TypeExpr, _NormalizeFn]] = {}

    def of(self, texpr: TypeExpr) -> _NormalizeFn:
        return by_identity(self._made, texpr, self._compile)

    def _compile(self, texpr: TypeExpr) -> _NormalizeFn:
        return visit(texpr, self)

    def scalar(self, node: Scalar) -> _NormalizeFn:
        if node.kind is ScalarKind.DATETIME:

            def instant(value: Any, raw: _Marks | None, ctx: _Context) -> Any:
                return canonical_scalar(value, node)

            return instant
        if node.enum:
            spellings = node.spellings

            def member(value: Any, raw: _Marks | None, ctx: _Context) -> Any:
                if not isinstance(value, str):
                    return value
                return spellings.get(value.lower(), value)

            return member
        return _as_is

    def opaque(self, node: Opaque) -> _NormalizeFn:
        return _as_is

    def reference(self, node: Reference) -> _NormalizeFn:
        def target_key(value: Any, raw: _Marks | None, ctx: _Context) -> Any:
            return reference_text(value)

        return target_key

    def list_of(self, node: ListOf) -> _NormalizeFn:
        item = self.of(node.item)

        def items(value: Any, raw: _Marks | None, ctx: _Context) -> Any:
            if not isinstance(value, list):
                return value
            if raw is None:
                return [None if v is None else item(v, None, ctx) for v in value]
            return [None if v is None else item(v, raw.get(i), ctx) for i, v in enumerate(value)]

        return items

    def object_type(self, node: ObjectType) -> _NormalizeFn:
        fill = self._filler(node)

        def normalize_members(value: Any, raw: _Marks | None, ctx: _Context) -> Any:
            if not isinstance(value, dict):
                return value
            out: dict[str, Any] = {}
            fill(out, value, raw, ctx)
            return out

        return normalize_members

    def _filler(self, node: ObjectType) -> _FillFn:
        """Puts the normalised members of an object value into `out` (which may already hold
        its `@odata.type`). Most members are plain text or numbers: they are copied as they
        are, without a call; a null with a server default reads as that default, made once."""
        # name → (secret, its normaliser or None when the value is kept as is, its prop);
        # read-only and unknown members (annotations, server-managed) are not in here.
        members: dict[str, tuple[bool, _NormalizeFn | None, Prop]] = {}
        listy: set[str] = set()
        defaults: dict[str, Any] = {}  # member → its default, normalised (immutable ones)
        for p in node.props:
            if p.read_only:
                continue
            fn = self.of(p.type)
            members[p.name] = (p.secret, None if fn is _as_is else fn, p)
            if is_list(p.type):
                listy.add(p.name)
            if p.has_default and isinstance(p.default, _IMMUTABLE):
                defaults[p.name] = fn(p.default, None, _PLAIN)

        def null_member(key: str, prop: Prop, marks: _Marks | None, ctx: _Context) -> Any:
            if not prop.has_default:
                return None
            if key in defaults:
                return defaults[key]
            return _COMPILER.of(prop.type)(prop.default, marks, ctx)

        def fill(
            out: dict[str, Any], value: dict[str, Any], raw: _Marks | None, ctx: _Context
        ) -> None:
            for key, child in value.items():
                member = members.get(key)
                if member is None:
                    continue
                secret, normalize_member, prop = member
                below = None if raw is None else raw.get(key)  # None: no ${NAME} in there
                # A list or set is one field: if any item came from ${NAME}, all of it is secret.
                if secret or (below is not None and (_HERE in below or key in listy)):
                    if ctx.mode is Mode.DISPLAY:
                        out[key] = SENSITIVE
                elif child is None:
                    out[key] = null_member(key, prop, below, ctx)
                elif normalize_member is None:
                    out[key] = child
                else:
                    out[key] = normalize_member(child, below, ctx)

        return fill

    def polymorphic(self, node: Polymorphic) -> _NormalizeFn:
        variants: dict[str, _NormalizeFn | None] = {}  # by spelling, as they are met

        def variant_of(spelling: str) -> _NormalizeFn | None:
            if spelling not in variants:
                variant = resolve_variant(node, spelling)
                variants[spelling] = None if variant is None else self._named(variant)
            return variants[spelling]

        def normalize_variant(value: Any, raw: _Marks | None, ctx: _Context) -> Any:
            if not isinstance(value, dict):
                return value
            spelling = value.get(ODATA_TYPE)
            named = variant_of(spelling) if isinstance(spelling, str) else None
            if named is None:
                # Unknown to us: keep a comparable name so a real type change still shows up.
                return {ODATA_TYPE: type_leaf(str(spelling)) if spelling else None}
            return named(value, raw, ctx)

        return normalize_variant

    def _named(self, variant: ObjectType) -> _NormalizeFn:
        fill = self._filler(variant)
        name = variant.name

        def with_type(value: Any, raw: _Marks | None, ctx: _Context) -> Any:
            out: dict[str, Any] = {ODATA_TYPE: name}
            fill(out, value, raw, ctx)
            return out

        return with_type

    def keyed_list(self, node: KeyedList) -> _NormalizeFn:
        item = self.of(node.item)
        label = entry_label(node)

        def by_key(value: Any, raw: _Marks | None, ctx: _Context) -> Any:
            if not isinstance(value, list):
                return value
            out: dict[str, Any] = {}
            for i, entry in enumerate(value):
                if not isinstance(entry, dict):
                    continue
                out[label(entry)] = item(entry, None if raw is None else raw.get(i), ctx)
            return out

        return by_key

    def set_of(self, node: SetOf) -> _NormalizeFn:
        texts = set_texts(node)

        def as_set(value: Any, raw: _Marks | None, ctx: _Context) -> Any:
            if not isinstance(value, list):
                return value
            items = texts(value)
            # The usual set, all text: ordered by (type, text) is ordered by text.
            if all(type(v) is str for v in items):
                return sorted(set(items))
            try:
                unique: Any = set(items)
            except TypeError:  # an object or list inside a set (a malformed answer): one of each
                unique = {json.dumps(v, sort_keys=True, default=str): v for v in items}.values()
            return sorted(unique, key=_set_order)

        return as_set


def entry_label(node: KeyedList) -> Callable[[dict[str, Any]], str]:
    """The label (`[key]`) a keyed-list entry is held under: its key in canonical form (an
    enum member in its own spelling; a reference by its target's natural key, whether or not
    its id is there)."""
    key_prop = node.item.prop(node.key)
    key_type = key_prop.type if key_prop is not None else None
    if isinstance(key_type, Reference):
        return lambda entry: key_label(reference_text(entry.get(node.key)))
    if isinstance(key_type, Scalar) and key_type.enum and key_type.kind is not ScalarKind.DATETIME:
        spellings = key_type.spellings  # the usual key (`appliesTo`): looked up directly

        def member_label(entry: dict[str, Any]) -> str:
            key = entry.get(node.key)
            return key_label(spellings.get(key.lower(), key) if isinstance(key, str) else key)

        return member_label
    if isinstance(key_type, Scalar):
        return lambda entry: key_label(canonical_scalar(entry.get(node.key), key_type))
    return lambda entry: key_label(entry.get(node.key))


def set_texts(node: SetOf) -> Callable[[list[Any]], list[Any]]:
    """A set's items as compared, in their order: dates as instants, enum members in their own
    spelling, case folded where it does not matter."""
    item = node.item
    canonical = item.kind is ScalarKind.DATETIME or bool(item.enum)
    fold = node.case_insensitive

    def texts(value: list[Any]) -> list[Any]:
        items = [canonical_scalar(v, item) for v in value] if canonical else value
        if fold:
            items = [v.lower() if isinstance(v, str) else v for v in items]
        return items

    return texts


def _as_is(value: Any, raw: _Marks | None, ctx: _Context) -> Any:
    return value


#: Puts an object value's normalised members into a dict (see `_Compiler._filler`).
_FillFn = Callable[[dict[str, Any], dict[str, Any], "_Marks | None", _Context], None]
#: Defaults that can be made once and shared between trees (nothing can change them).
_IMMUTABLE = (str, int, float, bool, type(None))
_CONTEXTS = {mode: _Context(mode) for mode in Mode}
_PLAIN = _CONTEXTS[Mode.COMPARE]


def _set_order(value: Any) -> tuple[str, str]:
    return str(type(value)), str(value)


def _marks(paths: Iterable[RawPath]) -> _Marks:
    root: _Marks = {}
    for path in paths:
        node = root
        for segment in path:
            node = node.setdefault(segment, {})
        node[_HERE] = True
    return root


_COMPILER = _Compiler()


def variable_marks(variables: Mapping[RawPath, Any] | None) -> _Marks | None:
    """Where a body's `${NAME}` values are, as the normaliser follows them (None: nowhere)."""
    return _marks(variables) if variables else None


#: The mark on a node whose value itself came from `${NAME}` (see `variable_marks`).
VARIABLE = _HERE


def value_normalizer(texpr: TypeExpr) -> Callable[[Any], Any] | None:
    """Normalises (for comparison) a value of `texpr` that holds no `${NAME}` value; None
    when the value is kept as it is."""
    fn = _COMPILER.of(texpr)
    if fn is _as_is:
        return None
    if isinstance(texpr, Scalar):  # an enum member or a date-time: one call, not two
        return lambda value: canonical_scalar(value, texpr)
    return lambda value: fn(value, None, _PLAIN)


class Normalizer:
    """Graph JSON (either side) → the canonical tree; `raw` is the value's path in the raw
    body (where `${NAME}` values are recorded)."""

    def __init__(self, mode: Mode, variables: Mapping[RawPath, Any] | None = None) -> None:
        self._context = _CONTEXTS[mode]
        self._marks = _marks(variables) if variables else None

    def run(self, value: Any, texpr: TypeExpr, raw: RawPath = ()) -> Any:
        if value is None:
            return None
        marks = self._marks
        for segment in raw:
            marks = marks.get(segment) if marks is not None else None
        return _COMPILER.of(texpr)(value, marks, self._context)


class _External(TypeVisitor[[Any], Any]):
    """A normalised value in the shape Graph and the YAML use (keyed lists as lists again)."""

    def run(self, value: Any, texpr: TypeExpr | None) -> Any:
        return value if texpr is None else visit(texpr, self, value)

    def keyed_list(self, node: KeyedList, value: Any) -> Any:
        if isinstance(value, dict):
            return [self.run(item, node.item) for item in value.values()]
        return value

    def _members(self, variant: ObjectType | None, value: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, child in value.items():
            prop = variant.prop(key) if variant is not None else None
            out[key] = self.run(child, prop.type if prop is not None else None)
        return out

    def object_type(self, node: ObjectType, value: Any) -> Any:
        return self._members(node, value) if isinstance(value, dict) else value

    def polymorphic(self, node: Polymorphic, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        name = value.get(ODATA_TYPE)
        return self._members(node.variant(name) if isinstance(name, str) else None, value)

    def list_of(self, node: ListOf, value: Any) -> Any:
        if isinstance(value, list):
            return [self.run(v, node.item) for v in value]
        return value

    def set_of(self, node: SetOf, value: Any) -> Any:
        return value

    def scalar(self, node: Scalar, value: Any) -> Any:
        return value

    def opaque(self, node: Opaque, value: Any) -> Any:
        return value

    def reference(self, node: Reference, value: Any) -> Any:
        return value


_EXTERNAL = _External()


def external(value: Any, texpr: TypeExpr | None) -> Any:
    """A normalised value in the shape Graph and the YAML use: keyed lists (held as
    `{"[key]": item}` for matching) become lists again, empty ones included. Everything a plan
    shows or saves passes through here, so the internal form never reaches output."""
    return _EXTERNAL.run(value, texpr)


def normalize(
    value: Any,
    texpr: TypeExpr,
    *,
    mode: Mode = Mode.COMPARE,
    variables: Mapping[RawPath, Any] | None = None,
) -> Any:
    return Normalizer(mode, variables).run(value, texpr)


def desired_tree(obj: DesiredObject) -> Any:
    """A desired object normalised for comparison (its `${NAME}` values left out)."""
    return normalize(obj.body, obj.kind.root, variables=obj.variables)
