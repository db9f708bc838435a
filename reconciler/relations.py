"""Reading references back from the tenant, as each kind's `Relation`s say (Graph does not
echo `NAME@odata.bind`): inline in the listed object, `$expand` on the list, or one navigation
GET per object. Each reference ends up as `{"id": TARGET_ID}` at its path (None: there is
none), which the engine names by the target's natural key."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from reconciler import urls
from reconciler.errors import GraphError
from reconciler.graph import GraphClient
from reconciler.jsontypes import JSONObject
from reconciler.kinds.model import Kind, ReadVia


def list_path(kind: Kind, owner: urls.Owner | None = None) -> str:
    """The kind's list URL (in `owner` for a contained kind), expanding the relations read
    that way."""
    expand = [r.navigation for r in kind.relations if r.via is ReadVia.EXPAND]
    return urls.list_path(kind, owner, expand=expand)


def contained_in(parent: Kind, parent_id: str) -> urls.Owner:
    return urls.Owner(parent, parent_id)


def owner_in_body(kind: Kind, parent: Kind | None, body: JSONObject) -> urls.Owner | None:
    """The container a contained object was listed in (`read_tenant` notes it under the
    kind's `parent_ref`, as `{"id": …}`)."""
    held = body.get(kind.endpoint.parent_ref or "") if parent is not None else None
    if parent is None or not isinstance(held, dict) or not held.get("id"):
        return None
    return urls.Owner(parent, str(held["id"]))


def _as_id(value: Any) -> Any:
    if isinstance(value, list):
        return [_as_id(v) for v in value]
    if isinstance(value, dict) and value.get("id"):
        return {"id": str(value["id"])}
    return None


def _at(body: Any, segments: list[str], fn: Callable[[Any], Any]) -> None:
    """Apply `fn` to the member at `segments` of `body` in place (list items transparent)."""
    if isinstance(body, list):
        for item in body:
            _at(item, segments, fn)
        return
    if not isinstance(body, dict):
        return
    head, rest = segments[0], segments[1:]
    if not rest:
        if head in body:
            body[head] = fn(body[head])
        return
    _at(body.get(head), rest, fn)


def read_relations(
    client: GraphClient,
    kind: Kind,
    bodies: list[JSONObject],
    parallelism: int = 4,
    parent: Kind | None = None,
) -> None:
    """Put every reference of `bodies` (as listed from `list_path(kind)`) in the one form;
    `parent`: the container kind of a contained kind."""
    for relation in kind.relations:
        segments = relation.path.split(".")
        if relation.via is ReadVia.ITEM:
            _read_from_items(client, kind, bodies, parallelism, parent, segments)
            continue
        if relation.via is not ReadVia.NAVIGATION:
            for body in bodies:
                _at(body, segments, _as_id)
            continue

        def navigate(body: JSONObject, nav: str = relation.navigation) -> Any:
            object_id = str(body["id"])
            try:
                owner = owner_in_body(kind, parent, body)
                return _as_id(client.get(urls.member_path(kind, object_id, nav, owner)))
            except GraphError as exc:
                raise exc.with_subject(f"reading {kind.name} {kind.key_of(body)!r} {nav}") from None

        with ThreadPoolExecutor(max_workers=max(1, parallelism)) as pool:
            targets = list(pool.map(navigate, bodies))
        for body, target in zip(bodies, targets, strict=True):
            body[relation.path] = target


def _read_from_items(
    client: GraphClient,
    kind: Kind,
    bodies: list[JSONObject],
    parallelism: int,
    parent: Kind | None,
    segments: list[str],
) -> None:
    """A reference only the object's own GET holds (inside a member the list leaves short):
    that member is taken from the GET, and the reference in it put in the one form."""
    member = segments[0]

    def read(body: JSONObject) -> Any:
        object_id = str(body["id"])
        owner = owner_in_body(kind, parent, body)
        try:
            item = client.get(urls.item_path(kind, object_id, owner))
        except GraphError as exc:
            raise exc.with_subject(f"reading {kind.name} {kind.key_of(body)!r}") from None
        return None if item is None else item.get(member)

    with ThreadPoolExecutor(max_workers=max(1, parallelism)) as pool:
        members = list(pool.map(read, bodies))
    for body, value in zip(bodies, members, strict=True):
        if value is not None:
            body[member] = value
        _at(body, segments, _as_id)
