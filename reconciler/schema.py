"""JSON Schema (draft 2020-12) for desired-state files, generated from the kind model so that
editors complete and check exactly what `validate` accepts."""

from __future__ import annotations

import re
from typing import Any

from reconciler.kinds.model import (
    FORMAT_PATTERNS,
    ODATA_TYPE,
    Format,
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
from reconciler.kinds.odata import wire_name
from reconciler.kinds.registry import Registry
from reconciler.kinds.typetree import TypeVisitor, visit

SCHEMA_ID = "https://edusync-reconcile.dev/schema/desired-state.schema.json"
_VARIABLE = r".*\$\{[A-Za-z_][A-Za-z0-9_]*\}.*"


def _scalar(scalar: Scalar, nullable: bool) -> dict[str, Any]:
    types: list[str]
    if scalar.kind is ScalarKind.BOOLEAN:
        out: dict[str, Any] = {"type": "boolean"}
    elif scalar.kind is ScalarKind.INTEGER:
        out = {"type": "integer"}
    elif scalar.kind is ScalarKind.DATE:
        out = {"type": ["string", "number"], "format": "date"}
    elif scalar.kind is ScalarKind.DATETIME:
        out = {"type": "string", "format": "date-time"}
    elif scalar.enum:
        out = {"type": "string", "enum": list(scalar.enum)}
    elif scalar.format is Format.YEAR:
        # A YAML number is a year too (`code: 2027`): `pattern` constrains only text.
        pattern = f"{FORMAT_PATTERNS[scalar.format]}|{_VARIABLE}"
        out = {"type": ["string", "integer"], "pattern": pattern, "minimum": 1000, "maximum": 9999}
    elif scalar.format is not None:
        # The format `validate` checks, or a ${NAME} reference (resolved from the environment).
        out = {"type": "string", "pattern": f"{FORMAT_PATTERNS[scalar.format]}|{_VARIABLE}"}
    else:
        # YAML numbers are accepted where Graph wants text (schoolYear: 2026).
        out = {"type": ["string", "number"]}
    if nullable:
        types = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = [*types, "null"]
    return out


def _type_pattern(poly: Polymorphic, otype: ObjectType) -> str:
    """Any spelling `resolve_variant` accepts: the namespace (or an older one) or none, with
    or without `#`, any case."""
    namespaces = "|".join(re.escape(n) for n in (poly.namespace.name, *poly.namespace.accepted))
    names = "|".join(re.escape(n) for n in (otype.name, *otype.aliases))
    return f"(?i)^#?(({namespaces})\\.)?({names})$"


def _object(
    otype: ObjectType, defs: dict[str, Any], *, variant_of: Polymorphic | None = None
) -> dict[str, Any]:
    """A $ref to the object's definition; a variant of a polymorphic member is inlined, with
    its required `@odata.type`."""
    variant = variant_of is not None
    if otype.name not in defs or variant_of is not None:
        properties: dict[str, Any] = {}
        if variant_of is not None:
            properties[ODATA_TYPE] = {
                "type": "string",
                "description": f"Concrete type; any Graph spelling of {otype.name}.",
                "pattern": _type_pattern(variant_of, otype),
                "examples": [wire_name(variant_of, otype)],
            }
        else:
            properties[ODATA_TYPE] = {"type": "string"}
        for prop in otype.props:
            if prop.read_only and prop.name != "id":
                properties[prop.name] = {"description": "Read-only (server-managed); ignored."}
                continue
            properties[prop.name] = _prop(prop, defs)
        schema = {
            "type": "object",
            "description": otype.description,
            "properties": properties,
            "additionalProperties": False,
            "required": [p.name for p in otype.props if p.required]
            + ([ODATA_TYPE] if variant else []),
        }
        if variant:
            return schema
        defs[otype.name] = schema
    return {"$ref": f"#/$defs/{otype.name}"}


def _type(texpr: TypeExpr, defs: dict[str, Any], nullable: bool) -> dict[str, Any]:
    return visit(texpr, _SchemaOf(defs), nullable)


class _SchemaOf(TypeVisitor[[bool], dict[str, Any]]):
    """The schema of one node; object definitions are collected in `defs` (`$ref`ed)."""

    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs

    def scalar(self, node: Scalar, nullable: bool) -> dict[str, Any]:
        return _scalar(node, nullable)

    def set_of(self, node: SetOf, nullable: bool) -> dict[str, Any]:
        return {
            "type": ["array", "null"] if nullable else "array",
            "items": _scalar(node.item, False),
        }

    def list_of(self, node: ListOf, nullable: bool) -> dict[str, Any]:
        return {"type": "array", "items": _type(node.item, self.defs, False)}

    def keyed_list(self, node: KeyedList, nullable: bool) -> dict[str, Any]:
        return {"type": "array", "items": _object(node.item, self.defs)}

    def polymorphic(self, node: Polymorphic, nullable: bool) -> dict[str, Any]:
        if node.base not in self.defs:
            self.defs[node.base] = {
                "oneOf": [_object(v, self.defs, variant_of=node) for v in node.variants],
            }
        return {"$ref": f"#/$defs/{node.base}"}

    def object_type(self, node: ObjectType, nullable: bool) -> dict[str, Any]:
        return _object(node, self.defs)

    def opaque(self, node: Opaque, nullable: bool) -> dict[str, Any]:
        return {}

    def reference(self, node: Reference, nullable: bool) -> dict[str, Any]:
        return {
            "type": ["object", "null"] if nullable else "object",
            "description": f"A {node.target}, by its natural key: {{ref: NAME}}.",
            "properties": {node.KEY: {"type": ["string", "number"], "minLength": 1}},
            "required": [node.KEY],
            "additionalProperties": False,
        }


def _prop(prop: Prop, defs: dict[str, Any]) -> dict[str, Any]:
    schema = _type(prop.type, defs, prop.nullable)
    description = prop.description
    if prop.secret:
        description += " Write-only secret: must be a ${NAME} environment reference."
        schema = {"type": "string", "pattern": _VARIABLE}
    elif prop.required and isinstance(prop.type, Scalar) and prop.type.kind is ScalarKind.STRING:
        schema = {**schema, "minLength": 1}  # an empty required value is an error too
    if description:
        schema = {**schema, "description": description.strip()}
    return schema


def desired_state_schema(registry: Registry) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    kinds = []
    contained = {c.kind for kind in registry for c in kind.contained}
    for kind in registry:
        if not kind.managed or kind.name in contained:
            continue  # never a document of its own: referenced, or written inside another
        body = _type(kind.root, defs, False)
        # The reserved keys sit beside the object's own (in every variant of a polymorphic one).
        root = defs[kind.root.name if isinstance(kind.root, ObjectType) else kind.root.base]
        for root_def in root.get("oneOf", [root]):
            root_def["properties"]["kind"] = {"const": kind.name, "description": "Resource kind."}
            root_def["properties"]["lifecycle"] = {"$ref": "#/$defs/lifecycle"}
        kinds.append(body)
    defs["lifecycle"] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "paused": {
                "type": "boolean",
                "description": "Keep the profile paused (true) or running (false).",
            },
            "protect": {"type": "boolean", "description": "Never delete or replace this profile."},
            "ignoreChanges": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Field paths never compared, e.g. licensesToAssign[teacher].skuIds.",
            },
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "edusync-reconcile desired-state file",
        "description": "One School Data Sync profile as Graph JSON, written as YAML.",
        **(kinds[0] if len(kinds) == 1 else {"oneOf": kinds}),
        "$defs": defs,
    }
