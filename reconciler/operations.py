"""Change → HTTP requests: the only place that knows URL shapes and request bodies.

Bodies are built from the plan's change alone: create sends the desired object; `put` sends
the complete object (desired merged over actual, read-only members removed, secrets
resolved); `patch` sends each changed top-level property whole. Polymorphic members always
carry `#microsoft.graph.<typeName>`.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from reconciler import fieldpaths
from reconciler.desired.secrets import resolve
from reconciler.desired.unset import describe, unusable
from reconciler.engine.normalize import SENSITIVE
from reconciler.engine.plan import PAUSED_FIELD, Action, Change
from reconciler.errors import ReconcileError
from reconciler.jsontypes import JSON, JSONObject
from reconciler.kinds.model import (
    ODATA_TYPE,
    KeyedList,
    Kind,
    ObjectType,
    Polymorphic,
    TypeExpr,
)
from reconciler.kinds.odata import resolve_variant, wire_name
from reconciler.settings import UpdateMethod


class PreflightError(ReconcileError):
    """Apply refused before any write."""


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: JSON = None
    #: The body as shown to people: secrets replaced by "(sensitive)".
    shown_body: JSON = None


def to_wire(value: Any, texpr: TypeExpr) -> Any:
    """Graph JSON as it should be sent: known writable members only, canonical @odata.type."""
    if value is None:
        return None
    if isinstance(texpr, Polymorphic) and isinstance(value, dict):
        variant = resolve_variant(texpr, str(value.get(ODATA_TYPE, "")))
        if variant is None:
            return value
        return {ODATA_TYPE: wire_name(variant), **to_wire(value, variant)}
    if isinstance(texpr, ObjectType) and isinstance(value, dict):
        out = {}
        for key, child in value.items():
            prop = texpr.prop(key)
            if prop is not None and not prop.read_only:
                out[key] = to_wire(child, prop.type)
        return out
    if isinstance(texpr, KeyedList) and isinstance(value, list):
        return [to_wire(item, texpr.item) for item in value]
    return value


def merge(desired: Any, actual: Any, texpr: TypeExpr) -> Any:
    """Desired merged over actual: what desired declares wins, the rest of actual is kept."""
    if isinstance(texpr, Polymorphic):
        if not isinstance(desired, dict) or not isinstance(actual, dict):
            return desired
        want = resolve_variant(texpr, str(desired.get(ODATA_TYPE, "")))
        have = resolve_variant(texpr, str(actual.get(ODATA_TYPE, "")))
        if want is None or want is not have:
            return desired  # a different concrete type: nothing of the old one carries over
        merged = merge(desired, actual, want)
        merged[ODATA_TYPE] = desired[ODATA_TYPE]
        return merged
    if isinstance(texpr, ObjectType) and isinstance(desired, dict) and isinstance(actual, dict):
        out = {k: v for k, v in actual.items() if (p := texpr.prop(k)) and not p.read_only}
        for key, wanted in desired.items():
            prop = texpr.prop(key)
            out[key] = merge(wanted, actual.get(key), prop.type) if prop else wanted
        return out
    if isinstance(texpr, KeyedList) and isinstance(desired, list) and isinstance(actual, list):

        def key_of(item: Any) -> str:
            return str(item.get(texpr.key, "")).lower() if isinstance(item, dict) else ""

        by_key = {key_of(item): item for item in actual}
        return [merge(item, by_key.get(key_of(item)), texpr.item) for item in desired]
    return desired


def mask(value: Any, texpr: TypeExpr, secrets: frozenset[str]) -> Any:
    """The body with write-only secrets and every value that came from ${NAME} hidden."""
    if isinstance(value, str):
        # Short values are matched whole: "1" must not mask every string holding a 1.
        hidden = any(s == value or (len(s) >= 4 and s in value) for s in secrets if s)
        return SENSITIVE if hidden else value
    if isinstance(texpr, Polymorphic) and isinstance(value, dict):
        variant = resolve_variant(texpr, str(value.get(ODATA_TYPE, "")))
        return mask(value, variant, secrets) if variant else value
    if isinstance(value, dict):
        out = {}
        for key, child in value.items():
            prop = texpr.prop(key) if isinstance(texpr, ObjectType) else None
            if prop is not None and prop.secret:
                out[key] = SENSITIVE
            else:
                out[key] = mask(child, prop.type if prop else texpr, secrets)
        return out
    if isinstance(value, list):
        item = texpr.item if isinstance(texpr, KeyedList) else texpr
        return [mask(v, item, secrets) for v in value]
    return value


def missing_secrets(body: JSONObject, texpr: TypeExpr, prefix: tuple[str, ...] = ()) -> list[str]:
    """Paths of write-only secrets a body would send empty (Graph never returns them, so a
    merged body lacks them unless the YAML supplies them)."""
    found: list[str] = []
    otype: ObjectType | None = None
    if isinstance(texpr, Polymorphic) and isinstance(body, dict):
        otype = resolve_variant(texpr, str(body.get(ODATA_TYPE, "")))
    elif isinstance(texpr, ObjectType):
        otype = texpr
    if otype is None or not isinstance(body, dict):
        return found
    for prop in otype.props:
        if prop.secret and not body.get(prop.name):
            found.append(fieldpaths.join([*prefix, prop.name]))
        elif prop.name in body and isinstance(prop.type, (ObjectType, Polymorphic)):
            found.extend(missing_secrets(body[prop.name], prop.type, (*prefix, prop.name)))
    return found


def patched_properties(change: Change) -> set[str]:
    """The top-level properties a PATCH for this change sends."""
    return {fieldpaths.parse(f.path)[0] for f in change.fields if f.path != PAUSED_FIELD}


def variables_needed(change: Change, update_method: UpdateMethod) -> set[str]:
    """The environment variables apply must resolve to send this change's body."""
    if change.desired is None or change.action not in {
        Action.CREATE,
        Action.UPDATE,
        Action.REPLACE,
    }:
        return set()
    sent = (
        patched_properties(change)
        if change.action is Action.UPDATE and update_method is UpdateMethod.PATCH
        else None
    )
    return {
        name
        for path, names in change.desired.variables.items()
        if sent is None or path[0] in sent
        for name in names
    }


@dataclass(frozen=True)
class BodyBuilder:
    env: Mapping[str, str]
    update_method: UpdateMethod
    #: `ignoreChanges` of edusync.yaml; each object's own lifecycle list is added to it.
    ignore_changes: tuple[str, ...] = ()

    def _resolved(
        self, change: Change, only: Collection[str] | None = None
    ) -> tuple[JSONObject, frozenset[str]]:
        assert change.desired is not None
        resolved = resolve(change.desired, self.env, only=only)
        needed = {name for _path, name in resolved.missing} | {
            name
            for path, names in change.desired.variables.items()
            if only is None or path[0] in only
            for name in names
        }
        found = unusable(needed, self.env)
        if found:
            line, col, _names = change.desired.variable_places(found)[0]  # at the value
            raise PreflightError(
                f"{change.desired.file}:{line}:{col}: '{change.name}' needs environment "
                f"variable(s) {describe(found)}; nothing was written"
            )
        secrets = frozenset(
            value
            for path in change.desired.variables
            if isinstance(value := _value_at(resolved.body, path), str) and value
        )
        return resolved.body, secrets

    def create(self, change: Change) -> Request:
        kind = change.kind
        body, secrets = self._resolved(change)
        wire = to_wire(body, kind.root)
        return Request("POST", kind.collection, wire, mask(wire, kind.root, secrets))

    def update(self, change: Change) -> Request:
        kind = change.kind
        assert change.desired is not None
        actual = change.actual or {}
        sent: set[str] | None = None
        if self.update_method is UpdateMethod.PATCH:
            sent = patched_properties(change)
        desired, secrets = self._resolved(change, only=sent)
        # Ignored paths keep the tenant's value: ignoreChanges means "never write", too.
        for ignored in (*self.ignore_changes, *change.desired.lifecycle.ignore_changes):
            desired = keep_actual(desired, actual, fieldpaths.parse(ignored), kind.root)
        merged = to_wire(merge(desired, actual, kind.root), kind.root)
        if sent is not None:
            merged = {k: v for k, v in merged.items() if k in sent}
        gaps = missing_secrets(merged, kind.root)
        if gaps:
            raise PreflightError(
                f"{change.desired.where}: updating '{change.name}' would send {', '.join(gaps)} "
                "empty (Graph never returns secrets, so they cannot be copied from the tenant). "
                "Declare it as ${VARIABLE} in the YAML, or use --update-method patch if the "
                "change does not touch the member holding it"
            )
        method = "PATCH" if self.update_method is UpdateMethod.PATCH else "PUT"
        path = f"{kind.collection}/{change.id}"
        return Request(method, path, merged, mask(merged, kind.root, secrets))


_GONE = object()


def keep_actual(desired: Any, actual: Any, segments: tuple[str, ...], texpr: TypeExpr) -> Any:
    """`desired` with the value at `segments` taken from `actual` (removed where actual has
    none), so that a merge leaves that path exactly as the tenant has it."""
    if not segments:
        return copy.deepcopy(actual) if actual is not _GONE else _GONE
    head, rest = segments[0], segments[1:]
    if isinstance(texpr, KeyedList) and isinstance(desired, list):
        return _keep_in_keyed_list(desired, actual, head, rest, texpr)
    if isinstance(texpr, Polymorphic) and isinstance(desired, dict):
        variant = resolve_variant(texpr, str(desired.get(ODATA_TYPE, "")))
        return keep_actual(desired, actual, segments, variant) if variant else desired
    if not isinstance(texpr, ObjectType) or not isinstance(desired, dict):
        return desired
    prop = texpr.prop(head)
    have = actual.get(head, _GONE) if isinstance(actual, dict) else _GONE
    if prop is None or (rest and (head not in desired or have is _GONE)):
        return desired  # nothing of the tenant's to keep below here
    kept = keep_actual(desired.get(head), have, rest, prop.type) if rest else have
    out = {k: v for k, v in desired.items() if k != head}
    if kept is not _GONE:
        out[head] = copy.deepcopy(kept)
    return out


def _keep_in_keyed_list(
    desired: list[Any], actual: Any, head: str, rest: tuple[str, ...], klist: KeyedList
) -> list[Any]:
    wanted = head.strip("[]").lower()

    def find(items: Any) -> Any:
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and str(item.get(klist.key, "")).lower() == wanted:
                return item
        return _GONE

    mine, theirs = find(desired), find(actual)
    if rest and theirs is _GONE:
        return desired  # the tenant lacks the item: it is created whole, as the YAML says
    kept = keep_actual(mine, theirs, rest, klist.item) if rest and mine is not _GONE else theirs
    out = [item for item in desired if item is not mine]
    if kept is not _GONE:
        out.append(kept)
    return out


def _value_at(body: Any, path: tuple[str | int, ...]) -> Any:
    for element in path:
        try:
            body = body[element]
        except (KeyError, IndexError, TypeError):
            return None
    return body


def delete_request(kind: Kind, object_id: str) -> Request:
    return Request("DELETE", f"{kind.collection}/{object_id}")


def run_state_request(kind: Kind, object_id: str, action: Action) -> Request:
    name = kind.pause_action if action is Action.PAUSE else kind.resume_action
    if not name:
        raise ReconcileError(f"{kind.name} has no {action.value} action")
    return Request("POST", f"{kind.collection}/{object_id}/{name}")
