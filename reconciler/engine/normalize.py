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
    Scalar,
    ScalarKind,
    SetOf,
    TypeExpr,
)
from reconciler.kinds.odata import resolve_variant, type_leaf

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


class Normalizer:
    def __init__(self, mode: Mode, variables: Mapping[RawPath, Any] | None = None) -> None:
        self.mode = mode
        self.variables = variables or {}

    def run(self, value: Any, texpr: TypeExpr, raw: RawPath = ()) -> Any:
        if value is None:
            return None
        if isinstance(texpr, ObjectType):
            return self._object(value, texpr, raw)
        if isinstance(texpr, Polymorphic):
            return self._polymorphic(value, texpr, raw)
        if isinstance(texpr, KeyedList):
            return self._keyed(value, texpr, raw)
        if isinstance(texpr, SetOf):
            return self._set(value, texpr)
        if isinstance(texpr, ListOf):
            return [self.run(v, texpr.item, (*raw, i)) for i, v in enumerate(value)]
        if isinstance(texpr, Opaque):
            return value
        return canonical_scalar(value, texpr)

    def _object(self, value: Any, otype: ObjectType, raw: RawPath) -> Any:
        if not isinstance(value, dict):
            return value
        out: dict[str, Any] = {}
        for key, child in value.items():
            prop = otype.prop(key)
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
        if not isinstance(texpr, (SetOf, ListOf)):
            return False
        return any(len(v) > len(path) and v[: len(path)] == path for v in self.variables)

    def _polymorphic(self, value: Any, poly: Polymorphic, raw: RawPath) -> Any:
        if not isinstance(value, dict):
            return value
        spelling = value.get(ODATA_TYPE)
        variant = resolve_variant(poly, spelling) if isinstance(spelling, str) else None
        if variant is None:
            # Unknown to us: keep a comparable name so a real type change still shows up.
            return {ODATA_TYPE: type_leaf(str(spelling)) if spelling else None}
        return {ODATA_TYPE: variant.name, **self._object(value, variant, raw)}

    def _keyed(self, value: Any, klist: KeyedList, raw: RawPath) -> Any:
        if not isinstance(value, list):
            return value
        key_prop = klist.item.prop(klist.key)
        out: dict[str, Any] = {}
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                continue
            key = item.get(klist.key)
            if key_prop is not None and isinstance(key_prop.type, Scalar):
                key = canonical_scalar(key, key_prop.type)
            out[key_label(key)] = self.run(item, klist.item, (*raw, i))
        return out

    def _set(self, value: Any, sset: SetOf) -> Any:
        if not isinstance(value, list):
            return value
        items = [canonical_scalar(v, sset.item) for v in value]
        if sset.case_insensitive:
            items = [v.lower() if isinstance(v, str) else v for v in items]
        try:
            unique: Any = set(items)
        except TypeError:  # an object or list inside a set (a malformed answer): one of each
            unique = {json.dumps(v, sort_keys=True, default=str): v for v in items}.values()
        return sorted(unique, key=lambda v: (str(type(v)), str(v)))


def external(value: Any, texpr: TypeExpr | None) -> Any:
    """A normalised value in the shape Graph and the YAML use: keyed lists (held as
    `{"[key]": item}` for matching) become lists again, empty ones included. Everything a plan
    shows or saves passes through here, so the internal form never reaches output."""
    if isinstance(texpr, KeyedList):
        if isinstance(value, dict):
            return [external(item, texpr.item) for item in value.values()]
        return value
    if isinstance(value, dict) and isinstance(texpr, (ObjectType, Polymorphic)):
        variant = texpr if isinstance(texpr, ObjectType) else _variant_named(texpr, value)
        out: dict[str, Any] = {}
        for key, child in value.items():
            prop = variant.prop(key) if variant is not None else None
            out[key] = external(child, prop.type if prop is not None else None)
        return out
    if isinstance(value, list) and isinstance(texpr, ListOf):
        return [external(v, texpr.item) for v in value]
    return value


def _variant_named(poly: Polymorphic, value: dict[str, Any]) -> ObjectType | None:
    name = value.get(ODATA_TYPE)
    return poly.variant(name) if isinstance(name, str) else None


def normalize(
    value: Any,
    texpr: TypeExpr,
    *,
    mode: Mode = Mode.COMPARE,
    variables: Mapping[RawPath, Any] | None = None,
) -> Any:
    return Normalizer(mode, variables).run(value, texpr)
