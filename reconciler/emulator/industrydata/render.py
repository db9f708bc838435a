"""How stored Industry Data objects look on the wire.

Like the documented responses: every declared member is present (null when unset, e.g.
`vendor`, OAuth2 `scope`), write-only secrets are left out (`clientSecret`), passwords are masked,
relationships are left out unless expanded (§1.10), polymorphic values and entities carry
`@odata.type` spelled `#microsoft.graph.industryData.<type>`, non-polymorphic ones do not.
"""

from __future__ import annotations

from reconciler.emulator.industrydata.catalog import (
    COLLECTIONS,
    ODATA_TYPE,
    PASSWORD_MASK,
    SYSTEM_ONLY,
    Member,
    Secret,
    Shape,
    TypeDef,
    spelled,
    type_named,
)
from reconciler.emulator.industrydata.records import Record, View
from reconciler.jsontypes import JSON, JSONObject

#: Expansion paths, e.g. ("dataConnector",) or ("userMatchingSettings", "roleGroup").
Expand = frozenset[tuple[str, ...]]


def _below(expand: Expand, name: str) -> Expand:
    return frozenset(path[1:] for path in expand if len(path) > 1 and path[0] == name)


def _value(value: JSON, member: Member, expand: Expand, view: View) -> JSON:
    if member.secret is Secret.MASKED:
        return None if value is None else PASSWORD_MASK
    if value is None:
        return None
    if member.shape is Shape.OBJECT:
        return _object(value, type_named(member.target), _below(expand, member.name), view)
    if member.shape is Shape.OBJECT_LIST:
        inner = _below(expand, member.name)
        return [_object(item, type_named(member.target), inner, view) for item in value]
    if member.shape is Shape.POLYMORPHIC:
        concrete = type_named(str(value[ODATA_TYPE]).rsplit(".", 1)[-1])
        rest = _object(value, concrete, _below(expand, member.name), view)
        return {ODATA_TYPE: spelled(concrete.name), **rest}
    if member.shape is Shape.REFERENCE:
        return {"code": value["code"]}
    if member.shape is Shape.REFERENCE_LIST:
        return [{"code": item["code"]} for item in value]
    return list(value) if isinstance(value, list) else value


def _object(stored: JSONObject, type_def: TypeDef, expand: Expand, view: View) -> JSONObject:
    out: JSONObject = {}
    for member in type_def.members:
        if member.secret is Secret.HIDDEN:
            continue
        value = stored.get(member.name)
        if member.shape is Shape.NAV:
            if (member.name,) in expand:
                out[member.name] = _expanded(member.target, value, view)
            continue
        if value is None and member.omit_when_null:
            continue
        out[member.name] = _value(value, member, expand, view)
    return out


def _expanded(collection: str, entity_id: JSON, view: View) -> JSON:
    target = view.find(collection, str(entity_id)) if entity_id is not None else None
    return None if target is None else render(target, view)


def render(record: Record, view: View, expand: Expand = frozenset()) -> JSONObject:
    """The entity as GET/list/POST responses show it (without `@odata.context`)."""
    collection = COLLECTIONS[record.collection]
    head: JSONObject = {}
    type_def = type_named(record.type_name) if record.collection not in SYSTEM_ONLY else None
    if type_def is None or collection.polymorphic or type_def.annotated:
        head[ODATA_TYPE] = spelled(record.type_name)
    if type_def is None:  # runs and operations are stored as the wire shows them
        return {**head, **record.body}
    body = _object({**record.body, "id": record.id}, type_def, expand, view)
    for child in (c for c in COLLECTIONS.values() if c.parent == record.collection):
        if (child.name,) in expand:
            body[child.name] = [render(r, view) for r in view.children(child.name, record.id)]
    return {**head, **body}
