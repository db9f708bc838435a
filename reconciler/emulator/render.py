"""How stored profiles look on the wire: secrets removed, `@odata.type` respelled per response.

graph-sds-api.md §3.2: the create (POST) response spells polymorphic types
`#microsoft.graph.educationCsvDataProvider` and has no annotation on license items (seed 001);
get, list and PUT responses spell them without `#` and annotate every `licensesToAssign` item
with `microsoft.graph.educationSynchronizationLicenseAssignment`.
"""

from __future__ import annotations

from enum import StrEnum

from reconciler.emulator.catalog import (
    LICENSE_ASSIGNMENT,
    PROFILE,
    Member,
    Shape,
    TypeDef,
    create_spelling,
    read_spelling,
    resolve_type,
    type_named,
    variants_of,
)
from reconciler.jsontypes import JSON, JSONObject

ODATA_TYPE = "@odata.type"


class Spelling(StrEnum):
    CREATE = "create"  # POST response
    READ = "read"  # GET item, list, PUT and PATCH responses


def _spell(type_name: str, spelling: Spelling) -> str:
    return create_spelling(type_name) if spelling is Spelling.CREATE else read_spelling(type_name)


def _object(stored: JSONObject, type_def: TypeDef, spelling: Spelling) -> JSONObject:
    out: JSONObject = {}
    for name, value in stored.items():
        member = type_def.member(name)
        if member is None or member.secret:
            continue
        out[name] = _value(value, member, spelling)
    return out


def _value(value: JSON, member: Member, spelling: Spelling) -> JSON:
    if value is None:
        return None
    if member.shape is Shape.OBJECT:
        return _object(value, type_named(member.target), spelling)
    if member.shape is Shape.OBJECT_LIST:
        return [_list_item(item, member.target, spelling) for item in value]
    if member.shape is Shape.POLYMORPHIC:
        return _polymorphic(value, member.target, spelling)
    if isinstance(value, list):
        return list(value)
    return value


def _list_item(item: JSONObject, target: str, spelling: Spelling) -> JSONObject:
    body = _object(item, type_named(target), spelling)
    if target == LICENSE_ASSIGNMENT and spelling is Spelling.READ:
        return {ODATA_TYPE: read_spelling(LICENSE_ASSIGNMENT), **body}
    return body


def _polymorphic(value: JSONObject, base: str, spelling: Spelling) -> JSONObject:
    concrete = resolve_type(str(value[ODATA_TYPE]), variants_of(base))
    if concrete is None:  # the validator only stores resolvable types
        raise ValueError(f"stored {base} has an unknown type {value[ODATA_TYPE]!r}")
    rest = {k: v for k, v in value.items() if k != ODATA_TYPE}
    return {ODATA_TYPE: _spell(concrete.name, spelling), **_object(rest, concrete, spelling)}


def render_profile(
    body: JSONObject, *, profile_id: str, state: str, spelling: Spelling
) -> JSONObject:
    """The profile as a response shows it (key order follows seed 001's create response)."""
    rendered = _object(body, type_named(PROFILE), spelling)
    head: JSONObject = {"displayName": rendered.pop("displayName", None)}
    return {**head, "state": state, "id": profile_id, **rendered}
