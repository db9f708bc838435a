"""Request-body validation for Industry Data writes: what Graph refuses with 400.

One walk over the catalog checks a POST or PATCH body and builds its canonical stored form:
member names in their canonical spelling, enum members in Graph's case, reference-value codes
as the reference row spells them, timestamps in UTC, polymorphic values with
`#microsoft.graph.industryData.<type>`, and relationships (`NAME@odata.bind`) resolved to the
target's id. Every problem of a body is reported at once, each naming its member path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from reconciler.emulator.graph_errors import GraphFault
from reconciler.emulator.industrydata.catalog import (
    BIND_SUFFIX,
    ODATA_TYPE,
    REFERENCE_VALUE_TYPES,
    Member,
    Shape,
    TypeDef,
    concrete_variants,
    resolve_type,
    spelled,
    type_named,
)
from reconciler.emulator.industrydata.timestamps import normalise
from reconciler.emulator.validation import did_you_mean, join_path, json_kind
from reconciler.jsontypes import JSON, JSONObject

_INT32 = (-(2**31), 2**31 - 1)
#: OData JSON format §4.5.1: a request payload MAY carry its context URL; it is ignored.
_IGNORED_ROOT_ANNOTATIONS = ("@odata.context",)
_REFERENCE_BIND = "value" + BIND_SUFFIX


class Mode(StrEnum):
    CREATE = "create"  # POST: required members present
    PATCH = "patch"  # PATCH: members named are replaced whole; create-only members refused


class Links(Protocol):
    """What the validator asks the store: does a bind target exist, is a code known."""

    def entity_id(self, collection: str, url: JSON) -> str:
        """The id of the entity `url` binds to in `collection`; ValueError if none."""
        ...

    def reference_code(self, reference_type: str, code: str) -> str:
        """The stored spelling of `code`; ValueError when the type refuses it."""
        ...

    def reference_code_at(self, reference_type: str, url: JSON) -> str:
        """The code of the referenceDefinition `url` binds to; ValueError if none."""
        ...


@dataclass(frozen=True)
class Checked:
    type_name: str
    body: JSONObject


def invalid_body(type_name: str, problems: list[str]) -> GraphFault:
    return GraphFault(
        400, "BadRequest", f"Invalid {type_name} in request body: {'; '.join(problems)}"
    )


def _same_id(given: JSON, own_id: str | None) -> bool:
    return isinstance(given, str) and own_id is not None and given.strip().lower() == own_id.lower()


def _did_you_mean(name: str, type_def: TypeDef) -> str:
    return did_you_mean(name, (m.name for m in type_def.members if not m.read_only))


class _Checker:
    def __init__(self, links: Links, mode: Mode) -> None:
        self.links = links
        self.mode = mode
        self.problems: list[str] = []

    def problem(self, path: str, text: str) -> None:
        self.problems.append(f"{path or '(body)'}: {text}")

    # -- objects -------------------------------------------------------------------------------

    def object(
        self, value: JSONObject, type_def: TypeDef, path: str, *, own_id: str | None = None
    ) -> JSONObject:
        """The canonical copy of one object's members; `path == ""` is the entity itself."""
        out: JSONObject = {}
        seen: dict[str, str] = {}
        for key, item in value.items():
            where = join_path(path, key)
            if key == ODATA_TYPE or (not path and key in _IGNORED_ROOT_ANNOTATIONS):
                continue  # the type was resolved by the caller
            name, is_bind = (
                (key[: -len(BIND_SUFFIX)], True)
                if key.endswith(BIND_SUFFIX)
                else (
                    key,
                    False,
                )
            )
            if "@" in name:
                self.problem(where, "instance annotations are not accepted in a request body")
                continue
            member = type_def.member(name)
            if member is None:
                self.problem(
                    where, f"unknown property of {type_def.name}{_did_you_mean(name, type_def)}"
                )
                continue
            if member.name in seen:
                self.problem(where, f"repeats '{seen[member.name]}' (names ignore case)")
                continue
            seen[member.name] = key
            self.member(out, member, item, where, is_bind=is_bind, own_id=own_id)
        self.required(out, type_def, path)
        return out

    def member(
        self,
        out: JSONObject,
        member: Member,
        item: JSON,
        where: str,
        *,
        is_bind: bool,
        own_id: str | None,
    ) -> None:
        if member.read_only:
            if member.name == "id" and _same_id(item, own_id):
                return  # a PATCH body may repeat the object's own id
            self.problem(where, "is read-only and cannot be written")
        elif member.shape is Shape.NAV and not is_bind:
            self.problem(
                where,
                f"is a relationship: write it as '{member.name}{BIND_SUFFIX}' with the URL of "
                f"the {member.target} entry",
            )
        elif member.shape is not Shape.NAV and is_bind:
            self.problem(where, f"'{member.name}' is not a relationship; binds are not accepted")
        elif member.shape is Shape.NAV:
            out[member.name] = self.bind(item, member, where)
        else:
            out[member.name] = (
                None if item is None else _SHAPES[member.shape](self, item, member, where)
            )

    def required(self, out: JSONObject, type_def: TypeDef, path: str) -> None:
        at_entity_patch = not path and self.mode is Mode.PATCH
        names = (
            type_def.required_on_patch
            if at_entity_patch
            else tuple(m.name for m in type_def.members if m.required)
        )
        for name in names:
            if out.get(name) is None:
                member = type_def.member(name)
                shown = f"{name}{BIND_SUFFIX}" if member and member.shape is Shape.NAV else name
                when = "in every PATCH of" if at_entity_patch else "for"
                self.problem(join_path(path, shown), f"is required {when} {type_def.name}")

    def own_type(self, value: JSONObject, type_def: TypeDef, where: str) -> None:
        """A non-polymorphic value may name its own type (the class-group example does)."""
        spelling = value.get(ODATA_TYPE)
        if spelling is None:
            return
        if not isinstance(spelling, str) or resolve_type(spelling, (type_def,)) is None:
            self.problem(
                join_path(where, ODATA_TYPE), f"{spelling!r} does not name {type_def.name}"
            )

    def concrete(self, value: JSONObject, base: str, where: str) -> TypeDef | None:
        """The concrete type a polymorphic value's `@odata.type` names (required)."""
        variants = concrete_variants(base)
        expected = ", ".join(spelled(v.name) for v in variants)
        spelling = value.get(ODATA_TYPE)
        if spelling is None:
            self.problem(
                join_path(where, ODATA_TYPE),
                f"is required ({base} is abstract); use one of {expected}",
            )
            return None
        found = resolve_type(spelling, variants) if isinstance(spelling, str) else None
        if found is None:
            self.problem(
                join_path(where, ODATA_TYPE),
                f"unknown type {spelling!r} for {base}; use one of {expected}",
            )
        return found

    # -- shapes --------------------------------------------------------------------------------

    def string(self, value: JSON, member: Member, where: str) -> JSON:
        if not isinstance(value, str):
            self.problem(where, f"must be a string, not {json_kind(value)}")
        elif member.max_length is not None and len(value) > member.max_length:
            self.problem(where, f"is longer than {member.max_length} characters")
        elif member.required and not value.strip():
            self.problem(where, "cannot be empty")
        return value

    def boolean(self, value: JSON, _member: Member, where: str) -> JSON:
        if not isinstance(value, bool):
            self.problem(where, f"must be a boolean, not {json_kind(value)}")
        return value

    def integer(self, value: JSON, _member: Member, where: str) -> JSON:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(where, f"must be an integer, not {json_kind(value)}")
        elif not _INT32[0] <= value <= _INT32[1]:
            self.problem(where, "is out of the Int32 range")
        return value

    def date(self, value: JSON, _member: Member, where: str) -> JSON:
        try:
            valid = isinstance(value, str) and len(value) == 10 and bool(date.fromisoformat(value))
        except ValueError:
            valid = False
        if not valid:
            self.problem(where, f"must be an Edm.Date 'YYYY-MM-DD', not {value!r}")
        return value

    def datetime(self, value: JSON, _member: Member, where: str) -> JSON:
        normalised = normalise(value) if isinstance(value, str) else None
        if normalised is None:
            self.problem(
                where, f"must be an ISO-8601 DateTimeOffset with a zone (…Z), not {value!r}"
            )
            return value
        return normalised

    def string_list(self, value: JSON, _member: Member, where: str) -> JSON:
        if not isinstance(value, list):
            self.problem(where, f"must be an array of strings, not {json_kind(value)}")
            return value
        for index, item in enumerate(value):
            if not isinstance(item, str):
                self.problem(f"{where}[{index}]", f"must be a string, not {json_kind(item)}")
        return list(value)

    def enum(self, value: JSON, member: Member, where: str) -> JSON:
        by_lower = {c.lower(): c for c in member.choices}
        if isinstance(value, str) and value.lower() in by_lower:
            return by_lower[value.lower()]
        self.problem(where, f"must be one of {', '.join(member.choices)}, not {value!r}")
        return value

    def enum_list(self, value: JSON, member: Member, where: str) -> JSON:
        if not isinstance(value, list):
            self.problem(where, f"must be an array, not {json_kind(value)}")
            return value
        return [self.enum(item, member, f"{where}[{i}]") for i, item in enumerate(value)]

    def nested(self, value: JSON, member: Member, where: str) -> JSON:
        if not isinstance(value, dict):
            self.problem(where, f"must be an object ({member.target}), not {json_kind(value)}")
            return value
        type_def = type_named(member.target)
        self.own_type(value, type_def, where)
        return self.object(value, type_def, where)

    def nested_list(self, value: JSON, member: Member, where: str) -> JSON:
        if not isinstance(value, list):
            self.problem(where, f"must be an array of {member.target}, not {json_kind(value)}")
            return value
        items = [self.nested(item, member, f"{where}[{i}]") for i, item in enumerate(value)]
        self.one_per_role_group(items, where)
        return items

    def one_per_role_group(self, items: list[JSON], where: str) -> None:
        """userMatchingSettings and user configurations hold one entry per role group (§1.1)."""
        seen: set[str] = set()
        for index, item in enumerate(items):
            group = item.get("roleGroup") if isinstance(item, dict) else None
            if isinstance(group, str):
                if group in seen:
                    self.problem(f"{where}[{index}]", f"a second entry for role group '{group}'")
                seen.add(group)

    def polymorphic(self, value: JSON, member: Member, where: str) -> JSON:
        if not isinstance(value, dict):
            self.problem(where, f"must be an object ({member.target}), not {json_kind(value)}")
            return value
        concrete = self.concrete(value, member.target, where)
        if concrete is None:
            return value
        return {ODATA_TYPE: spelled(concrete.name), **self.object(value, concrete, where)}

    def reference(self, value: JSON, member: Member, where: str) -> JSON:
        """`{"code": "username"}` or `{"value@odata.bind": ".../referenceDefinitions/…"}`."""
        subtype = REFERENCE_VALUE_TYPES[member.target]
        if not isinstance(value, dict):
            self.problem(where, f"must be an object ({subtype}), not {json_kind(value)}")
            return value
        spelling = value.get(ODATA_TYPE)
        if spelling is not None and (
            not isinstance(spelling, str)
            or resolve_type(spelling, (TypeDef(subtype, ()), _REFERENCE_VALUE)) is None
        ):
            self.problem(join_path(where, ODATA_TYPE), f"{spelling!r} does not name {subtype}")
        unknown = sorted(set(value) - {"code", _REFERENCE_BIND, ODATA_TYPE})
        for name in unknown:
            self.problem(join_path(where, name), f"unknown property of {subtype}")
        code, url = value.get("code"), value.get(_REFERENCE_BIND)
        if (code is None) == (url is None):
            self.problem(where, f"give exactly one of 'code' and '{_REFERENCE_BIND}'")
            return value
        try:
            if url is not None:
                return {"code": self.links.reference_code_at(member.target, url)}
            if not isinstance(code, str) or not code.strip():
                self.problem(join_path(where, "code"), f"must be a string, not {json_kind(code)}")
                return value
            return {"code": self.links.reference_code(member.target, code)}
        except ValueError as exc:
            self.problem(where, str(exc))
            return value

    def reference_list(self, value: JSON, member: Member, where: str) -> JSON:
        if not isinstance(value, list):
            self.problem(where, f"must be an array, not {json_kind(value)}")
            return value
        return [self.reference(item, member, f"{where}[{i}]") for i, item in enumerate(value)]

    def bind(self, url: JSON, member: Member, where: str) -> str | None:
        if url is None:
            return None
        try:
            return self.links.entity_id(member.target, url)
        except ValueError as exc:
            self.problem(f"{where}", str(exc))
            return None


#: Reference values may name their subtype or the base type; neither adds members here.
_REFERENCE_VALUE = TypeDef("referenceValue", ())


_SHAPES: dict[Shape, Callable[[_Checker, JSON, Member, str], JSON]] = {
    Shape.STRING: _Checker.string,
    Shape.BOOLEAN: _Checker.boolean,
    Shape.INTEGER: _Checker.integer,
    Shape.DATE: _Checker.date,
    Shape.DATETIME: _Checker.datetime,
    Shape.STRING_LIST: _Checker.string_list,
    Shape.ENUM: _Checker.enum,
    Shape.ENUM_LIST: _Checker.enum_list,
    Shape.OBJECT: _Checker.nested,
    Shape.OBJECT_LIST: _Checker.nested_list,
    Shape.POLYMORPHIC: _Checker.polymorphic,
    Shape.REFERENCE: _Checker.reference,
    Shape.REFERENCE_LIST: _Checker.reference_list,
}


def _entity_type(
    checker: _Checker, body: JSONObject, declared: str, current: str | None
) -> TypeDef | None:
    """The concrete type a write addresses. Polymorphic collections need `@odata.type` on
    POST and PATCH (every documented PATCH of them carries it, correction 5); a PATCH naming
    another type than the stored one is a change of a create-only property."""
    declared_def = type_named(declared)
    if not declared_def.abstract:
        checker.own_type(body, declared_def, "")
        return declared_def
    concrete = checker.concrete(body, declared, "")
    if concrete is not None and current is not None and concrete.name != current:
        checker.problem(
            ODATA_TYPE,
            f"cannot change from {current} to {concrete.name}: the type is set on create "
            "(delete the object and create it again)",
        )
        return None
    return concrete


def _refuse_create_only(checker: _Checker, body: JSONObject, type_def: TypeDef) -> None:
    for name in body:
        member = type_def.member(name)
        if member is not None and member.create_only:
            shown = f"{member.name}{BIND_SUFFIX}" if member.shape is Shape.NAV else member.name
            checker.problem(
                shown,
                "cannot be changed after creation (not in the update table); delete the "
                "object and create it again",
            )


def check_write(
    body: JSON,
    *,
    declared: str,
    mode: Mode,
    links: Links,
    current_type: str | None = None,
    own_id: str | None = None,
) -> Checked:
    """The canonical form of a POST (`mode=CREATE`) or PATCH body for an entity declared as
    `declared` (the collection's type); raises GraphFault 400 listing every problem."""
    if not isinstance(body, dict):
        raise invalid_body(declared, [f"(body): must be a JSON object, not {json_kind(body)}"])
    checker = _Checker(links, mode)
    concrete = _entity_type(checker, body, declared, current_type)
    if concrete is None:
        raise invalid_body(declared, checker.problems)
    out = checker.object(body, concrete, "", own_id=own_id)
    if mode is Mode.PATCH:
        _refuse_create_only(checker, out, concrete)
    if checker.problems:
        raise invalid_body(concrete.name, checker.problems)
    return Checked(concrete.name, out)
