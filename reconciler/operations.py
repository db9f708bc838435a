"""Change → HTTP requests: the only place that knows URL shapes and request bodies.

Bodies are built from the plan's change alone: create sends the desired object; `put` sends
the complete object (desired merged over actual, read-only members removed, secrets
resolved); `patch` sends each changed top-level property whole. Polymorphic members always
carry `#microsoft.graph.<typeName>`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from reconciler import fieldpaths, urls
from reconciler.desired.filled import filled_problems, value_at
from reconciler.desired.secrets import resolve
from reconciler.desired.unset import describe, unusable
from reconciler.desired.words import label
from reconciler.engine.model import PAUSED_FIELD, Action, Bind, Change, Create, Modify, Remove
from reconciler.engine.normalize import SENSITIVE
from reconciler.errors import ReconcileError
from reconciler.jsontypes import JSON, JSONObject
from reconciler.kinds.model import (
    ODATA_TYPE,
    KeyedList,
    Kind,
    ListOf,
    ObjectType,
    Opaque,
    Polymorphic,
    Reference,
    Scalar,
    SetOf,
    TypeExpr,
    UpdateVerb,
)
from reconciler.kinds.odata import wire_name
from reconciler.kinds.typetree import (
    Shape,
    TypeVisitor,
    item_type_of,
    object_type_of,
    shape,
    visit,
)
from reconciler.names import quoted
from reconciler.objects import DesiredObject
from reconciler.settings import UpdateMethod


class PreflightError(ReconcileError):
    """Apply refused before any write."""


#: How a reference travels on the wire: `NAME@odata.bind: {target's URL}`.
BIND_SUFFIX = "@odata.bind"
#: Where `bind_references` leaves the target's URL for `to_wire` (never sent as such).
BIND = "#bind"

#: A bind's target id: from the tenant, created earlier in this run, or (preflight, dry run)
#: a placeholder that names the target.
IdOf = Callable[[Bind], str]


def placeholder_id(bind: Bind) -> str:
    """A bind whose target is created in this run, before that has happened."""
    return bind.id or f"{{id of '{bind.key}'}}"


def owner_of(change: Change, id_of: IdOf, *, current: bool = False) -> urls.Owner | None:
    """The object a contained kind's change lives in, for its URLs (None: a top-level kind):
    `current` for the tenant object as read (its update, its delete), else the one it is
    created in (which may be created, or replaced, in the same run)."""
    container = change.container
    if container is None:
        return None
    held = change.before.get(change.kind.endpoint.parent_ref or "") if change.before else None
    if current and isinstance(held, dict) and held.get("id"):
        return urls.Owner(container.target, str(held["id"]))
    return urls.Owner(container.target, id_of(container))


def bind_references(body: JSONObject, change: Change, graph_url: str, id_of: IdOf) -> JSONObject:
    """`body` with each `{ref: KEY}` replaced by its target's URL, for `to_wire`."""
    if not change.binds:
        return body
    out = copy.deepcopy(body)
    for bind in change.binds:
        holder: Any = out
        for element in bind.path[:-1]:
            holder = holder[element]
        holder[bind.path[-1]] = {BIND: urls.bind_url(graph_url, bind.target, id_of(bind))}
    return out


class Purpose(StrEnum):
    """What a request is for: the executor acts on this, never on its method and URL."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    PAUSE = "pause"
    RESUME = "resume"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: JSON = None
    #: The body as shown to people: secrets replaced by "(sensitive)".
    shown_body: JSON = None
    purpose: Purpose = Purpose.UPDATE


def to_wire(value: Any, texpr: TypeExpr) -> Any:
    """Graph JSON as it should be sent: known writable members only, canonical @odata.type."""
    return _TO_WIRE.run(value, texpr)


class _ToWire(TypeVisitor[[Any], Any]):
    def run(self, value: Any, texpr: TypeExpr) -> Any:
        return None if value is None else visit(texpr, self, value)

    def polymorphic(self, node: Polymorphic, value: Any) -> Any:
        variant = object_type_of(node, value)
        if variant is None:
            return value
        return {ODATA_TYPE: wire_name(node, variant), **self.object_type(variant, value)}

    def object_type(self, node: ObjectType, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out = {}
        for key, child in value.items():
            prop = node.prop(key)
            if prop is None or prop.read_only:
                continue
            if isinstance(prop.type, Reference):
                # Sent as a bind, once apply knows the target's id (see `bind_references`).
                if isinstance(child, dict) and BIND in child:
                    out[f"{key}{BIND_SUFFIX}"] = child[BIND]
                continue
            out[key] = self.run(child, prop.type)
        return out

    def keyed_list(self, node: KeyedList, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        return [self.run(item, node.item) for item in value]

    def list_of(self, node: ListOf, value: Any) -> Any:
        return value

    def set_of(self, node: SetOf, value: Any) -> Any:
        return value

    def scalar(self, node: Scalar, value: Any) -> Any:
        return value

    def opaque(self, node: Opaque, value: Any) -> Any:
        return value

    def reference(self, node: Reference, value: Any) -> Any:
        return value  # sent as a bind by the object holding it


_TO_WIRE = _ToWire()


def merge(desired: Any, actual: Any, texpr: TypeExpr) -> Any:
    """Desired merged over actual: what desired declares wins, the rest of actual is kept."""
    return visit(texpr, _MERGE, desired, actual)


class _Merge(TypeVisitor[[Any, Any], Any]):
    def polymorphic(self, node: Polymorphic, desired: Any, actual: Any) -> Any:
        if not isinstance(desired, dict) or not isinstance(actual, dict):
            return desired
        want, have = object_type_of(node, desired), object_type_of(node, actual)
        if want is None or want is not have:
            return desired  # a different concrete type: nothing of the old one carries over
        merged = self.object_type(want, desired, actual)
        merged[ODATA_TYPE] = desired[ODATA_TYPE]
        return merged

    def object_type(self, node: ObjectType, desired: Any, actual: Any) -> Any:
        if not isinstance(desired, dict) or not isinstance(actual, dict):
            return desired
        # A write-only member never comes from the tenant (what Graph echoes is a mask).
        out = {
            k: without_secrets(v, p.type)
            for k, v in actual.items()
            if (p := node.prop(k)) and not p.read_only and not p.secret
        }
        for key, wanted in desired.items():
            prop = node.prop(key)
            out[key] = merge(wanted, actual.get(key), prop.type) if prop else wanted
        return out

    def keyed_list(self, node: KeyedList, desired: Any, actual: Any) -> Any:
        if not isinstance(desired, list) or not isinstance(actual, list):
            return desired

        def key_of(item: Any) -> str:
            key = item.get(node.key, "") if isinstance(item, dict) else ""
            if isinstance(key, dict):  # keyed by a reference: by the target's key
                key = key.get(Reference.KEY) or ""
            return str(key).lower()

        by_key = {key_of(item): item for item in actual}
        return [merge(item, by_key.get(key_of(item)), node.item) for item in desired]

    def list_of(self, node: ListOf, desired: Any, actual: Any) -> Any:
        return desired

    def set_of(self, node: SetOf, desired: Any, actual: Any) -> Any:
        return desired

    def scalar(self, node: Scalar, desired: Any, actual: Any) -> Any:
        return desired

    def opaque(self, node: Opaque, desired: Any, actual: Any) -> Any:
        return desired

    def reference(self, node: Reference, desired: Any, actual: Any) -> Any:
        return desired


_MERGE = _Merge()


def mask(value: Any, texpr: TypeExpr, secrets: frozenset[str]) -> Any:
    """The body with write-only secrets and every value that came from ${NAME} hidden."""
    return _Mask(secrets).run(value, texpr)


class _Mask(TypeVisitor[[Any], Any]):
    def __init__(self, secrets: frozenset[str]) -> None:
        self.secrets = secrets

    def run(self, value: Any, texpr: TypeExpr) -> Any:
        if isinstance(value, str):
            # Short values are matched whole: "1" must not mask every string holding a 1.
            hidden = any(s == value or (len(s) >= 4 and s in value) for s in self.secrets if s)
            return SENSITIVE if hidden else value
        return visit(texpr, self, value)

    def _plain(self, value: Any, texpr: TypeExpr) -> Any:
        """Below a type that names no members: every string is still checked."""
        if isinstance(value, dict):
            return {key: self.run(child, texpr) for key, child in value.items()}
        if isinstance(value, list):
            return [self.run(v, texpr) for v in value]
        return value

    def polymorphic(self, node: Polymorphic, value: Any) -> Any:
        variant = object_type_of(node, value)
        # An unknown type names no secret members, but ${NAME} values in it are still hidden.
        return self.object_type(variant, value) if variant else self._plain(value, node)

    def object_type(self, node: ObjectType, value: Any) -> Any:
        if not isinstance(value, dict):
            return self._plain(value, node)
        out = {}
        for key, child in value.items():
            prop = node.prop(key)
            if prop is not None and prop.secret:
                out[key] = SENSITIVE
            else:
                out[key] = self.run(child, prop.type if prop else node)
        return out

    def keyed_list(self, node: KeyedList, value: Any) -> Any:
        if isinstance(value, list):
            return [self.run(v, node.item) for v in value]
        return self._plain(value, node)

    def list_of(self, node: ListOf, value: Any) -> Any:
        return self._plain(value, node)

    def set_of(self, node: SetOf, value: Any) -> Any:
        return self._plain(value, node)

    def scalar(self, node: Scalar, value: Any) -> Any:
        return self._plain(value, node)

    def opaque(self, node: Opaque, value: Any) -> Any:
        return self._plain(value, node)

    def reference(self, node: Reference, value: Any) -> Any:
        return self._plain(value, node)


def without_secrets(value: Any, texpr: TypeExpr) -> Any:
    """A tenant value with every write-only member taken out, at any depth (Graph echoes a
    mask, or nothing, for them: never something to send back)."""
    if isinstance(value, list):
        item = item_type_of(texpr)
        return value if item is None else [without_secrets(v, item) for v in value]
    otype = object_type_of(texpr, value)
    if otype is None or not isinstance(value, dict):
        return value
    out = {}
    for key, child in value.items():
        prop = otype.prop(key)
        if prop is not None and prop.secret:
            continue
        out[key] = without_secrets(child, prop.type) if prop is not None else child
    return out


def missing_secrets(body: Any, texpr: TypeExpr, prefix: tuple[str, ...] = ()) -> list[str]:
    """Paths of write-only secrets a body would send empty (Graph never returns them, so a
    merged body lacks them unless the YAML supplies them)."""
    otype = object_type_of(texpr, body)
    if otype is None or not isinstance(body, dict):
        return []
    found: list[str] = []
    for prop in otype.props:
        if prop.secret and not body.get(prop.name):
            found.append(fieldpaths.join([*prefix, prop.name]))
        elif prop.name in body and shape(prop.type) is Shape.OBJECT:
            found.extend(missing_secrets(body[prop.name], prop.type, (*prefix, prop.name)))
    return found


def patched_properties(change: Change) -> set[str]:
    """The top-level properties a PATCH for this change sends."""
    return {fieldpaths.parse(f.path)[0] for f in change.fields if f.path != PAUSED_FIELD}


def variables_needed(change: Change, update_method: UpdateMethod) -> set[str]:
    """The environment variables apply must resolve to send this change's body."""
    desired = change.after
    if desired is None or change.action not in {Action.CREATE, Action.UPDATE, Action.REPLACE}:
        return set()
    patch = update_method is UpdateMethod.PATCH or change.kind.writes.update is UpdateVerb.PATCH
    sent = (
        patched_properties(change) | set(change.kind.writes.patch_always)
        if change.action is Action.UPDATE and patch
        else None
    )
    return {
        name
        for path, names in desired.variables.items()
        if sent is None or path[0] in sent
        for name in names
    }


@dataclass(frozen=True)
class BodyBuilder:
    env: Mapping[str, str]
    update_method: UpdateMethod
    #: `ignoreChanges` of edusync.yaml; each object's own lifecycle list is added to it.
    ignore_changes: tuple[str, ...] = ()
    #: The Graph root binds are made from (`NAME@odata.bind` carries an absolute URL).
    graph_url: str = ""

    def _resolved(
        self, name: str, desired: DesiredObject, only: Collection[str] | None = None
    ) -> tuple[JSONObject, frozenset[str]]:
        resolved = resolve(desired, self.env, only=only)
        needed = {var for _path, var in resolved.missing} | {
            var
            for path, names in desired.variables.items()
            if only is None or path[0] in only
            for var in names
        }
        found = unusable(needed, self.env)
        if found:
            line, col, _names = desired.variable_places(found)[0]  # at the value
            raise PreflightError(
                f"{desired.file}:{line}:{col}: {quoted(name)} needs environment "
                f"variable(s) {describe(found)}; nothing was written"
            )
        wrong = filled_problems(
            desired.kind.root,
            desired.body,
            resolved.body,
            [path for path in desired.variables if only is None or path[0] in only],
        )
        if wrong:
            raise PreflightError(
                "\n  - ".join(_filled_refusal(name, desired, path, need) for path, need in wrong)
            )
        secrets = frozenset(
            value
            for path in desired.variables
            if isinstance(value := value_at(resolved.body, path), str) and value
        )
        return resolved.body, secrets

    def create(self, change: Change, id_of: IdOf = placeholder_id) -> Request:
        """The POST of a create, or of a replace's new object; `id_of` gives each bind's
        target id (ids created earlier in the run, when apply builds it)."""
        kind = change.kind
        match change.subject:
            case Create(after=desired) | Modify(after=desired):
                body, secrets = self._resolved(change.name, desired)
            case Remove():
                raise TypeError(f"{change.name}: a delete has no object to create")
        body = bind_references(body, change, self.graph_url, id_of)
        wire = to_wire(body, kind.root)
        return Request(
            "POST",
            urls.collection_path(kind, owner_of(change, id_of)),
            wire,
            mask(wire, kind.root, secrets),
            Purpose.CREATE,
        )

    def update(self, change: Change, id_of: IdOf = placeholder_id) -> Request:
        """The PUT or PATCH of an update: desired merged over the tenant object as read (a
        kind that only takes PATCH gets the changed members and those it always needs)."""
        kind = change.kind
        if not isinstance(change.subject, Modify):
            raise TypeError(f"{change.name}: only a tenant object can be updated")
        actual, wanted = change.subject.before, change.subject.after
        sent: set[str] | None = None
        patch = self.update_method is UpdateMethod.PATCH or kind.writes.update is UpdateVerb.PATCH
        if patch:
            sent = patched_properties(change) | set(kind.writes.patch_always)
        desired, secrets = self._resolved(change.name, wanted, only=sent)
        desired = bind_references(desired, change, self.graph_url, id_of)
        # Ignored paths keep the tenant's value: ignoreChanges means "never write", too.
        for ignored in (*self.ignore_changes, *wanted.lifecycle.ignore_changes):
            desired = keep_actual(desired, actual, fieldpaths.parse(ignored), kind.root)
        merged = to_wire(merge(desired, actual, kind.root), kind.root)
        if sent is not None:
            # A polymorphic kind's PATCH names its concrete type, as Graph requires.
            merged = {
                k: v
                for k, v in merged.items()
                if k == ODATA_TYPE or k.removesuffix(BIND_SUFFIX) in sent
            }
        gaps = missing_secrets(merged, kind.root)
        if gaps:
            raise PreflightError(
                f"{wanted.where}: updating '{change.name}' would send {', '.join(gaps)} "
                "empty (Graph never returns secrets, so they cannot be copied from the tenant). "
                "Declare it as ${VARIABLE} in the YAML, or use --update-method patch if the "
                "change does not touch the member holding it"
            )
        method = "PATCH" if patch else "PUT"
        path = urls.item_path(kind, str(change.id), owner_of(change, id_of, current=True))
        return Request(method, path, merged, mask(merged, kind.root, secrets))


_GONE = object()


def keep_actual(desired: Any, actual: Any, segments: tuple[str, ...], texpr: TypeExpr) -> Any:
    """`desired` with the value at `segments` taken from `actual` (removed where actual has
    none), so that a merge leaves that path exactly as the tenant has it."""
    if not segments:
        return copy.deepcopy(actual) if actual is not _GONE else _GONE
    return visit(texpr, _KEEP_ACTUAL, desired, actual, segments)


class _KeepActual(TypeVisitor[[Any, Any, tuple[str, ...]], Any]):
    def keyed_list(
        self, node: KeyedList, desired: Any, actual: Any, segments: tuple[str, ...]
    ) -> Any:
        if not isinstance(desired, list):
            return desired
        head, rest = segments[0], segments[1:]
        wanted = head.strip("[]").lower()

        def find(items: Any) -> Any:
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and str(item.get(node.key, "")).lower() == wanted:
                    return item
            return _GONE

        mine, theirs = find(desired), find(actual)
        if rest and theirs is _GONE:
            return desired  # the tenant lacks the item: it is created whole, as the YAML says
        kept = keep_actual(mine, theirs, rest, node.item) if rest and mine is not _GONE else theirs
        out = [item for item in desired if item is not mine]
        if kept is not _GONE:
            out.append(kept)
        return out

    def polymorphic(
        self, node: Polymorphic, desired: Any, actual: Any, segments: tuple[str, ...]
    ) -> Any:
        variant = object_type_of(node, desired)
        return self.object_type(variant, desired, actual, segments) if variant else desired

    def object_type(
        self, node: ObjectType, desired: Any, actual: Any, segments: tuple[str, ...]
    ) -> Any:
        if not isinstance(desired, dict):
            return desired
        head, rest = segments[0], segments[1:]
        prop = node.prop(head)
        have = actual.get(head, _GONE) if isinstance(actual, dict) else _GONE
        if prop is None or (rest and (head not in desired or have is _GONE)):
            return desired  # nothing of the tenant's to keep below here
        kept = keep_actual(desired.get(head), have, rest, prop.type) if rest else have
        out = {k: v for k, v in desired.items() if k != head}
        if kept is not _GONE:
            out[head] = copy.deepcopy(kept)
        return out

    def list_of(self, node: ListOf, desired: Any, actual: Any, segments: tuple[str, ...]) -> Any:
        return desired

    def set_of(self, node: SetOf, desired: Any, actual: Any, segments: tuple[str, ...]) -> Any:
        return desired

    def scalar(self, node: Scalar, desired: Any, actual: Any, segments: tuple[str, ...]) -> Any:
        return desired

    def opaque(self, node: Opaque, desired: Any, actual: Any, segments: tuple[str, ...]) -> Any:
        return desired

    def reference(
        self, node: Reference, desired: Any, actual: Any, segments: tuple[str, ...]
    ) -> Any:
        return desired


_KEEP_ACTUAL = _KeepActual()


def _filled_refusal(
    name: str, desired: DesiredObject, path: tuple[str | int, ...], need: str
) -> str:
    """A value whose variables, filled in, make it wrong for its property; the value is not
    shown (it came from the environment)."""
    line, col = desired.variable_positions.get(path, (desired.line, desired.column))
    names = ", ".join(f"${{{n}}}" for n in desired.variables[path])
    return (
        f"{desired.file}:{line}:{col}: {quoted(name)}: {label(path)} made from {names} must be "
        f"{need}; check what the variable holds (the value is not shown: it is a secret); "
        "nothing was written"
    )


def delete_request(kind: Kind, object_id: str, owner: urls.Owner | None = None) -> Request:
    return Request("DELETE", urls.item_path(kind, object_id, owner), purpose=Purpose.DELETE)


def run_state_request(kind: Kind, object_id: str, action: Action) -> Request:
    run_state = kind.run_state
    name = None
    if run_state is not None:
        name = run_state.pause_action if action is Action.PAUSE else run_state.resume_action
    if not name:
        raise ReconcileError(f"{kind.name} has no {action.value} action")
    purpose = Purpose.PAUSE if action is Action.PAUSE else Purpose.RESUME
    return Request("POST", urls.action_path(kind, object_id, name), purpose=purpose)
