"""A tenant object as the smallest desired-state document that plans as a no-op.

Walks the kind's model, never a property name: read-only members, `@odata.*` annotations,
values equal to a member's server default, DateTime.MinValue sentinels, members the service
fills in when omitted (`Kind.server_filled`) and objects left empty by all that are dropped;
polymorphic members get their canonical `#microsoft.graph.<type>`; sets and keyed lists are
sorted so that a re-export does not reorder them; every write-only member becomes a
`${NAME}` placeholder (Graph never returns its value).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reconciler.engine.normalize import canonical_scalar, normalize, reference_text
from reconciler.export.naming import upper_snake
from reconciler.kinds.model import (
    ODATA_TYPE,
    KeyedList,
    Kind,
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
from reconciler.kinds.odata import resolve_variant, type_leaf, wire_name
from reconciler.kinds.typetree import TypeVisitor, visit

_OMIT = object()
FieldPath = tuple[str, ...]


@dataclass(frozen=True)
class Placeholder:
    """A `${NAME}` written for a write-only member."""

    variable: str
    #: Dotted field path inside the object, e.g. `dataProvider.clientSecret`.
    field: str


@dataclass
class Minimal:
    body: dict[str, Any]
    placeholders: list[Placeholder] = field(default_factory=list)
    #: What the export could not represent faithfully (unknown members or types).
    notes: list[str] = field(default_factory=list)


def shown_path(path: FieldPath) -> str:
    """`creationOptions.configurations[students].defaultPasswordSettings.password`."""
    return ".".join(path).replace(".[", "[")


def _sort_key(value: Any) -> tuple[str, str]:
    return (str(value).casefold(), str(value))


class _Minimizer(TypeVisitor[[Any, FieldPath, str], Any]):
    def __init__(self, kind: Kind, stem: str) -> None:
        self.kind = kind
        self.stem = stem
        self.filled = dict(kind.server_filled)
        self.result = Minimal(body={})

    def placeholder(self, prefix: str, prop: Prop, path: FieldPath) -> str:
        name = f"{prefix}_{self.stem}_{upper_snake(prop.name)}" if self.stem else ""
        taken = {p.variable for p in self.result.placeholders}
        if not name or name in taken:  # two secrets of one object under one prefix
            name = f"{prefix}_{self.stem}_{'_'.join(upper_snake(p) for p in path)}".replace(
                "__", "_"
            )
        self.result.placeholders.append(Placeholder(name, shown_path(path)))
        return f"${{{name}}}"

    def object(self, value: dict[str, Any], otype: ObjectType, path: FieldPath, prefix: str) -> Any:
        out: dict[str, Any] = {}
        for prop in otype.props:
            if prop.read_only:
                continue
            member_path = (*path, prop.name)
            if prop.secret:
                out[prop.name] = self.placeholder(prefix, prop, member_path)
                continue
            if prop.name not in value:
                continue
            kept = self.member(value[prop.name], prop, member_path, prefix)
            if kept is not _OMIT:
                out[prop.name] = kept
        for key in value:
            if otype.prop(key) is None and not key.startswith("@"):
                where = shown_path((*path, key))
                self.result.notes.append(
                    f"{where}: the tenant returned a member this version does not know; left out"
                )
        return out

    def member(self, child: Any, prop: Prop, path: FieldPath, prefix: str) -> Any:
        if child is None:  # kept only where null means something absent does not
            return None if prop.null_means else _OMIT
        if prop.has_default and normalize(child, prop.type) == normalize(prop.default, prop.type):
            return _OMIT
        kept = self.value(child, prop.type, path, prefix)
        if kept is _OMIT:
            return _OMIT
        filled = self.filled.get(".".join(path))
        if filled is not None and normalize(kept, prop.type) == normalize(filled, prop.type):
            return _OMIT
        if kept == {} and not prop.required and isinstance(prop.type, ObjectType):
            return _OMIT
        return kept

    def value(self, value: Any, texpr: TypeExpr, path: FieldPath, prefix: str) -> Any:
        return visit(texpr, self, value, path, prefix)

    def object_type(self, node: ObjectType, value: Any, path: FieldPath, prefix: str) -> Any:
        return self.object(value, node, path, prefix) if isinstance(value, dict) else value

    def set_of(self, node: SetOf, value: Any, path: FieldPath, prefix: str) -> Any:
        return sorted(value, key=_sort_key) if isinstance(value, list) else value

    def list_of(self, node: ListOf, value: Any, path: FieldPath, prefix: str) -> Any:
        if not isinstance(value, list):
            return value
        return [self.value(v, node.item, (*path, str(i)), prefix) for i, v in enumerate(value)]

    def opaque(self, node: Opaque, value: Any, path: FieldPath, prefix: str) -> Any:
        return value

    def reference(self, node: Reference, value: Any, path: FieldPath, prefix: str) -> Any:
        key = reference_text(value)
        if isinstance(value, dict) and value.get(node.KEY) is None:
            self.result.notes.append(
                f"{'.'.join(path)}: refers to a {node.target} the tenant did not list "
                f"(id {value.get('id')}); left out"
            )
            return _OMIT
        return {node.KEY: key}

    def scalar(self, scalar: Scalar, value: Any, path: FieldPath, prefix: str) -> Any:
        canonical = canonical_scalar(value, scalar)
        if scalar.kind is ScalarKind.DATETIME:
            return _OMIT if canonical is None else value  # DateTime.MinValue means unset
        return canonical if scalar.enum else value

    def polymorphic(self, poly: Polymorphic, value: Any, path: FieldPath, prefix: str) -> Any:
        if not isinstance(value, dict):
            return value
        spelling = value.get(ODATA_TYPE)
        variant = resolve_variant(poly, spelling) if isinstance(spelling, str) else None
        if variant is None:
            self.result.notes.append(
                f"{'.'.join(path)}: type {type_leaf(str(spelling))!r} is unknown to this version; "
                "exported as the tenant returned it (validate will report it)"
            )
            return {k: v for k, v in value.items() if k == ODATA_TYPE or not k.startswith("@")}
        inner = self.kind.secret_prefix(variant.name) or prefix
        return {ODATA_TYPE: wire_name(poly, variant), **self.object(value, variant, path, inner)}

    def keyed_list(self, klist: KeyedList, value: Any, path: FieldPath, prefix: str) -> Any:
        if not isinstance(value, list):
            return value
        key_prop = klist.item.prop(klist.key)

        def key_of(item: Any) -> tuple[str, str]:
            key = item.get(klist.key) if isinstance(item, dict) else None
            if key_prop is not None and isinstance(key_prop.type, Scalar):
                key = canonical_scalar(key, key_prop.type)
            elif key_prop is not None and isinstance(key_prop.type, Reference):
                key = reference_text(key)  # `[students]`, not the target's id and key
            return _sort_key(key)

        return [
            self.object(item, klist.item, (*path, f"[{key_of(item)[1]}]"), prefix)
            if isinstance(item, dict)
            else item
            for item in sorted(value, key=key_of)
        ]


def minimal_document(
    kind: Kind, actual: dict[str, Any], stem: str, *, default_kind: str = "synchronizationProfile"
) -> Minimal:
    """The desired-state document for one tenant object: `kind` (unless `default_kind`, the
    registry's default) and `id` first, then the model's members in the model's order. `stem`
    names placeholders."""
    minimizer = _Minimizer(kind, stem)
    body: dict[str, Any] = {}
    if kind.name != default_kind:
        body["kind"] = kind.name
    body["id"] = actual.get("id")
    body.update(minimizer.value(actual, kind.root, (), upper_snake(kind.name)))
    minimizer.result.body = body
    return minimizer.result
