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
from collections.abc import Mapping
from enum import Enum
from typing import Any

from reconciler.kinds.model import (
    ODATA_TYPE,
    KeyedList,
    ListOf,
    ObjectType,
    Opaque,
    Polymorphic,
    Reference,
    Scalar,
    ScalarKind,
    SetOf,
    TypeExpr,
)
from reconciler.kinds.odata import resolve_variant, type_leaf
from reconciler.kinds.typetree import TypeVisitor, is_list, visit

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
        return next((e for e in scalar.enum if e.lower() == value.lower()), value)
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


class Normalizer(TypeVisitor[[Any, RawPath], Any]):
    """Graph JSON (either side) → the canonical tree; `raw` is the value's path in the raw
    body (where `${NAME}` values are recorded)."""

    def __init__(self, mode: Mode, variables: Mapping[RawPath, Any] | None = None) -> None:
        self.mode = mode
        self.variables = variables or {}

    def run(self, value: Any, texpr: TypeExpr, raw: RawPath = ()) -> Any:
        if value is None:
            return None
        return visit(texpr, self, value, raw)

    def scalar(self, node: Scalar, value: Any, raw: RawPath) -> Any:
        return canonical_scalar(value, node)

    def opaque(self, node: Opaque, value: Any, raw: RawPath) -> Any:
        return value

    def reference(self, node: Reference, value: Any, raw: RawPath) -> Any:
        return reference_text(value)

    def list_of(self, node: ListOf, value: Any, raw: RawPath) -> Any:
        if not isinstance(value, list):
            return value
        return [self.run(v, node.item, (*raw, i)) for i, v in enumerate(value)]

    def object_type(self, node: ObjectType, value: Any, raw: RawPath) -> Any:
        if not isinstance(value, dict):
            return value
        out: dict[str, Any] = {}
        for key, child in value.items():
            prop = node.prop(key)
            if prop is None or prop.read_only:
                continue  # annotations, server-managed and unknown members
            path = (*raw, key)
            if prop.secret or path in self.variables or self._list_has_variable(prop.type, path):
                if self.mode is Mode.DISPLAY:
                    out[key] = SENSITIVE
                continue
            # null reads as the value the server reports for "unset"
            value_or_default = prop.default if child is None and prop.has_default else child
            out[key] = self.run(value_or_default, prop.type, path)
        return out

    def _list_has_variable(self, texpr: TypeExpr, path: RawPath) -> bool:
        """A list or set is one field: if any item came from ${NAME}, all of it is a secret."""
        if not is_list(texpr):
            return False
        return any(len(v) > len(path) and v[: len(path)] == path for v in self.variables)

    def polymorphic(self, node: Polymorphic, value: Any, raw: RawPath) -> Any:
        if not isinstance(value, dict):
            return value
        spelling = value.get(ODATA_TYPE)
        variant = resolve_variant(node, spelling) if isinstance(spelling, str) else None
        if variant is None:
            # Unknown to us: keep a comparable name so a real type change still shows up.
            return {ODATA_TYPE: type_leaf(str(spelling)) if spelling else None}
        return {ODATA_TYPE: variant.name, **self.object_type(variant, value, raw)}

    def keyed_list(self, node: KeyedList, value: Any, raw: RawPath) -> Any:
        if not isinstance(value, list):
            return value
        key_prop = node.item.prop(node.key)
        out: dict[str, Any] = {}
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                continue
            key = item.get(node.key)
            if key_prop is not None and isinstance(key_prop.type, Scalar):
                key = canonical_scalar(key, key_prop.type)
            out[key_label(key)] = self.run(item, node.item, (*raw, i))
        return out

    def set_of(self, node: SetOf, value: Any, raw: RawPath) -> Any:
        if not isinstance(value, list):
            return value
        items = [canonical_scalar(v, node.item) for v in value]
        if node.case_insensitive:
            items = [v.lower() if isinstance(v, str) else v for v in items]
        try:
            unique: Any = set(items)
        except TypeError:  # an object or list inside a set (a malformed answer): one of each
            unique = {json.dumps(v, sort_keys=True, default=str): v for v in items}.values()
        return sorted(unique, key=lambda v: (str(type(v)), str(v)))


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
