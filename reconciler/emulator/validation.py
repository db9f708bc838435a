"""Request-body validation: what Graph answers with 400 on create/update (model validation).

Every problem names the offending member path (`licensesToAssign[0].appliesTo`), and all problems
of a body are reported at once, so a test or a user sees the whole picture in one response.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Any

from reconciler.emulator.catalog import (
    PROFILE,
    PROFILE_STATUS,
    Member,
    Shape,
    TypeDef,
    resolve_type,
    type_named,
    variants_of,
)
from reconciler.emulator.graph_errors import GraphFault
from reconciler.jsontypes import JSON, JSONObject

ODATA_TYPE = "@odata.type"
# OData JSON format §4.5.1: a request payload MAY carry its context URL; it is ignored.
_IGNORED_ROOT_ANNOTATIONS = ("@odata.context",)
REQUIRED_PROFILE_MEMBERS = ("displayName", "dataProvider", "identitySynchronizationConfiguration")

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE
)


class Mode(StrEnum):
    CREATE = "create"  # POST: the whole object, required members present
    REPLACE = "replace"  # PUT: the whole object, required members present
    PATCH = "patch"  # PATCH: only the members named, each replaced whole


def invalid_model(type_name: str, problems: list[str]) -> GraphFault:
    # EDUTOOLS: "400 when model validation fails" on create and update.
    return GraphFault(
        400, "ModelValidationFailed", f"Invalid {type_name} in request body: {'; '.join(problems)}"
    )


def join_path(path: str, name: str) -> str:
    """`path.name`, or `name` at the top of a body (in the emulator's problem messages)."""
    return f"{path}.{name}" if path else name


def did_you_mean(name: str, names: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the writable member closest to `name`, or ""."""
    by_lower = {n.lower(): n for n in names}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    return f" (did you mean '{by_lower[close[0]]}'?)" if close else ""


def _did_you_mean(name: str, type_def: TypeDef) -> str:
    return did_you_mean(name, (m.name for m in type_def.members if not m.read_only))


def json_kind(value: Any) -> str:
    """What a JSON value is, in the words Graph's model errors use."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


class _Checker:
    """Walks a body against the catalog, collecting problems and building a canonical copy."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, path: str, text: str) -> None:
        self.problems.append(f"{path or '(body)'}: {text}")

    def object(
        self, value: JSONObject, type_def: TypeDef, path: str, *, allowed_id: str | None = None
    ) -> JSONObject:
        out: JSONObject = {}
        for name, item in value.items():
            where = join_path(path, name)
            if name == ODATA_TYPE:
                # Non-polymorphic objects may carry their own type name (seed 002 sends one on the
                # root and on license items); it must name this type and is then ignored.
                self._own_type(item, type_def, where)
                continue
            if not path and name in _IGNORED_ROOT_ANNOTATIONS:
                continue
            if "@" in name:
                self.problem(where, "instance annotations are not accepted in a request body")
                continue
            member = type_def.member(name)
            if member is None:
                self.problem(
                    where, f"unknown property of {type_def.name}{_did_you_mean(name, type_def)}"
                )
            elif member.read_only:
                if name == "id" and isinstance(item, str) and _same_id(item, allowed_id):
                    continue
                self.problem(where, "is read-only and cannot be written")
            else:
                out[name] = self.value(item, member, where)
        return out

    def _own_type(self, spelling: JSON, type_def: TypeDef, where: str) -> None:
        if not isinstance(spelling, str):
            self.problem(where, f"must be a string, not {json_kind(spelling)}")
        elif resolve_type(spelling, (type_def,)) is None:
            self.problem(where, f"'{spelling}' does not name {type_def.name}")

    def value(self, value: JSON, member: Member, where: str) -> JSON:
        if value is None:
            return None
        checker = _SHAPE_CHECKS[member.shape]
        return checker(self, value, member, where)

    def string(self, value: JSON, _member: Member, where: str) -> JSON:
        if not isinstance(value, str):
            self.problem(where, f"must be a string, not {json_kind(value)}")
        return value

    def boolean(self, value: JSON, _member: Member, where: str) -> JSON:
        if not isinstance(value, bool):
            self.problem(where, f"must be a boolean, not {json_kind(value)}")
        return value

    def integer(self, value: JSON, _member: Member, where: str) -> JSON:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(where, f"must be an integer, not {json_kind(value)}")
        return value

    def date(self, value: JSON, _member: Member, where: str) -> JSON:
        if not isinstance(value, str) or not _DATE.match(value) or not _valid_date(value):
            self.problem(where, f"must be an Edm.Date 'YYYY-MM-DD', not {value!r}")
        return value

    def datetime(self, value: JSON, _member: Member, where: str) -> JSON:
        match = _DATETIME.match(value) if isinstance(value, str) else None
        if match is None or not _valid_date(match.group(1)):
            self.problem(
                where, f"must be an ISO-8601 DateTimeOffset with a zone (…Z), not {value!r}"
            )
        return value

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

    def nested(self, value: JSON, member: Member, where: str) -> JSON:
        if not isinstance(value, dict):
            self.problem(where, f"must be an object ({member.target}), not {json_kind(value)}")
            return value
        return self.object(value, type_named(member.target), where)

    def nested_list(self, value: JSON, member: Member, where: str) -> JSON:
        if not isinstance(value, list):
            self.problem(where, f"must be an array of {member.target}, not {json_kind(value)}")
            return value
        return [self.nested(item, member, f"{where}[{i}]") for i, item in enumerate(value)]

    def polymorphic(self, value: JSON, member: Member, where: str) -> JSON:
        if not isinstance(value, dict):
            self.problem(where, f"must be an object ({member.target}), not {json_kind(value)}")
            return value
        variants = variants_of(member.target)
        expected = ", ".join(f"#microsoft.graph.{v.name}" for v in variants)
        spelling = value.get(ODATA_TYPE)
        if spelling is None:
            # The declared type is abstract (graph-sds-api.md §1.3): without the annotation
            # the service cannot tell which provider or identity option is meant.
            self.problem(
                where,
                f"@odata.type is required ({member.target} is abstract); use one of {expected}",
            )
            return value
        concrete = resolve_type(spelling, variants) if isinstance(spelling, str) else None
        if concrete is None:
            self.problem(
                join_path(where, ODATA_TYPE),
                f"unknown type {spelling!r} for {member.target}; use one of {expected}",
            )
            return value
        rest = {k: v for k, v in value.items() if k != ODATA_TYPE}
        return {
            ODATA_TYPE: f"#microsoft.graph.{concrete.name}",
            **self.object(rest, concrete, where),
        }


_SHAPE_CHECKS = {
    Shape.STRING: _Checker.string,
    Shape.BOOLEAN: _Checker.boolean,
    Shape.INTEGER: _Checker.integer,
    Shape.DATE: _Checker.date,
    Shape.DATETIME: _Checker.datetime,
    Shape.STRING_LIST: _Checker.string_list,
    Shape.ENUM: _Checker.enum,
    Shape.OBJECT: _Checker.nested,
    Shape.OBJECT_LIST: _Checker.nested_list,
    Shape.POLYMORPHIC: _Checker.polymorphic,
}


def _valid_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _same_id(given: str, allowed: str | None) -> bool:
    return allowed is not None and given.strip().lower() == allowed.strip().lower()


def _require_object(body: JSON, type_name: str) -> JSONObject:
    if not isinstance(body, dict):
        raise invalid_model(type_name, [f"(body): must be a JSON object, not {json_kind(body)}"])
    return body


def validate_profile(body: JSON, mode: Mode, *, allowed_id: str | None = None) -> JSONObject:
    """A checked, canonical copy of a profile write body (polymorphic `@odata.type` respelled
    `#microsoft.graph.<name>`, enum members in Graph's case, `id` and ignored annotations
    dropped). Raises GraphFault 400 naming every offending member path."""
    checker = _Checker()
    out = checker.object(
        _require_object(body, PROFILE), type_named(PROFILE), "", allowed_id=allowed_id
    )
    for name in REQUIRED_PROFILE_MEMBERS:
        if mode is not Mode.PATCH and out.get(name) is None:
            checker.problem(name, f"is required when the whole profile is written ({mode.value})")
        elif name in out and out[name] is None:
            checker.problem(name, "is required and cannot be null")
    if out.get("displayName") == "" or (
        isinstance(out.get("displayName"), str) and not out["displayName"].strip()
    ):
        checker.problem("displayName", "cannot be empty")
    if checker.problems:
        raise invalid_model(PROFILE, checker.problems)
    return out


def validate_profile_status(body: JSON, *, profile_id: str, require_status: bool) -> JSONObject:
    """The members of a profileStatus POST (seed 000) or PATCH (seed 003) body."""
    checker = _Checker()
    out = checker.object(
        _require_object(body, PROFILE_STATUS),
        type_named(PROFILE_STATUS),
        "",
        allowed_id=profile_id,
    )
    if require_status and out.get("status") is None:
        checker.problem("status", "is required when a status is created")
    if checker.problems:
        raise invalid_model(PROFILE_STATUS, checker.problems)
    return out
