"""Reading the tenant's actual state for the kinds in play.

Every object is checked against the kind's model as it arrives: an answer the engine cannot
read the way Graph documents it (no `id`, an `@odata.type` this version does not know, a list
where an object belongs) fails the read, naming the page's request-id. A plan, and so an apply,
is never built on a tenant it misread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from reconciler import relations, urls
from reconciler.engine.model import Actual
from reconciler.errors import GraphError
from reconciler.graph import GraphClient
from reconciler.jsontypes import JSONObject
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
)
from reconciler.kinds.odata import resolve_variant
from reconciler.kinds.typetree import TypeVisitor, by_identity, visit


def read_run_status(client: GraphClient, kind: Kind, object_id: str) -> str | None:
    run_state = kind.run_state
    if run_state is None:
        return None
    status = client.get(urls.member_path(kind, object_id, run_state.path))
    value = status.get(run_state.shape.status) if status else None
    return str(value) if value is not None else None


class _Counter:
    """Counts finished reads across threads and says so: `{what} 3 of 40…`."""

    def __init__(self, progress: Callable[[str], None], what: str, total: int) -> None:
        self.progress = progress
        self.what = what
        self.total = total
        self.done = 0
        self._lock = threading.Lock()

    def tick(self) -> None:
        with self._lock:
            self.done += 1
            self.progress(f"{self.what} {self.done} of {self.total}…")


def read_tenant(
    client: GraphClient,
    kinds: Iterable[Kind],
    *,
    status_for: set[tuple[str, str]] | None = None,
    status_by_name: set[tuple[str, str]] | None = None,
    parallelism: int = 4,
    progress: Callable[[str], None] = lambda _text: None,
    as_read: Callable[[Kind, list[JSONObject]], None] | None = None,
) -> dict[str, list[Actual]]:
    """One paged list per kind; run status only for objects whose desired state manages it
    (by id or by natural key). Any failed read raises: an unreadable tenant is never "empty".
    `progress` hears what is being read (a status line on a terminal); `as_read` is handed
    each checked page, while the next page is on its way, of a kind whose objects are final as
    listed (not contained in another, no relation read into them afterwards)."""
    tenant: dict[str, list[Actual]] = {}
    wanted_ids = {(k, i.lower()) for k, i in (status_for or set())}
    wanted_names = status_by_name or set()
    # Containers first: a contained kind is listed in each of its container's objects.
    ordered = sorted(kinds, key=lambda k: k.endpoint.parent is not None)
    by_name = {k.name: k for k in ordered}
    for kind in ordered:
        progress(f"Reading the tenant's {kind.name} list…")
        parent = by_name.get(kind.endpoint.parent or "")
        if kind.endpoint.parent is not None and parent is None:
            raise ValueError(f"{kind.name} is read within {kind.endpoint.parent}: read both")
        final = as_read if not kind.relations else None
        bodies = list_kind(
            client, kind, parent, tenant.get(parent.name, []) if parent else [], final
        )
        relations.read_relations(client, kind, bodies, parallelism, parent)

        def needs_status(body: dict[str, object], kind: Kind = kind) -> bool:
            return (kind.name, str(body.get("id", "")).lower()) in wanted_ids or (
                kind.name,
                kind.key_of(body),
            ) in wanted_names

        # Most objects need no run state: only those that do go to the pool (10,000 tasks
        # handed to threads with nothing to do cost more than half a second).
        wanted = [i for i, body in enumerate(bodies) if needs_status(body)]
        counter = _Counter(progress, f"Read {len(bodies)} {kind.name}(s); run state", len(wanted))

        def with_status(
            body: dict[str, object], kind: Kind = kind, counter: _Counter = counter
        ) -> Actual:
            try:
                actual = Actual(body, read_run_status(client, kind, str(body["id"])))
            except GraphError as exc:
                raise exc.with_subject(kind.key_of(body) or str(body.get("id"))) from None
            counter.tick()
            return actual

        actuals = [Actual(body) for body in bodies]
        if wanted:
            with ThreadPoolExecutor(max_workers=parallelism) as pool:
                statuses = pool.map(with_status, [bodies[i] for i in wanted])
                for i, actual in zip(wanted, statuses, strict=True):
                    actuals[i] = actual
        tenant[kind.name] = actuals
    return tenant


def list_kind(
    client: GraphClient,
    kind: Kind,
    parent: Kind | None,
    containers: list[Actual],
    as_read: Callable[[Kind, list[JSONObject]], None] | None = None,
) -> list[JSONObject]:
    """Every object of a kind: one paged list, or one per container object for a contained
    kind (each object then names its container under the kind's `parent_ref`, in a copy made
    after its page: those pages go to no `as_read`)."""
    check = partial(object_problem, kind)
    try:
        if parent is None:
            on_page = partial(as_read, kind) if as_read is not None else None
            return client.list(relations.list_path(kind), check=check, on_page=on_page)
        bodies: list[JSONObject] = []
        for container in containers:
            owner = relations.contained_in(parent, container.id)
            for body in client.list(relations.list_path(kind, owner), check=check):
                bodies.append({**body, kind.endpoint.parent_ref or "": {"id": container.id}})
        return bodies
    except GraphError as exc:
        raise exc.with_subject(f"reading {kind.name} list") from None


def object_problem(kind: Kind, item: Any) -> str | None:
    """What makes one listed object unreadable, in words ("has no id"), or None."""
    if not isinstance(item, dict):
        return f"is {_json_kind(item)}, not an object"
    object_id = item.get("id")
    has_id = isinstance(object_id, str) and bool(object_id.strip())
    misshape = _SHAPES.of(kind.root)(item) if has_id else None
    if has_id and misshape is None:
        return None  # every object of every page: no words are made for a good one
    name = kind.key_of(item)
    named = f" ({'/'.join(kind.key.paths)} {name!r})" if name else ""
    if misshape is None:
        return f"has no id{named}"
    return f"{object_id}{named}: {misshape.text()}"


#: The `@odata.type` step of a path (never a member name: props do not hold it).
_TYPE_STEP = (ODATA_TYPE,)


@dataclass
class _Misshape:
    """Where a value is not shaped as the model says (None and read-only members aside):
    what is wrong, in words that follow the path, and the path's steps, innermost first
    (member names, list indexes, `_TYPE_STEP`). The path is put in words only when a
    problem is reported; a good object costs no strings."""

    words: str
    steps: list[str | int | tuple[str]] = field(default_factory=list)

    def within(self, step: str | int | tuple[str]) -> _Misshape:
        self.steps.append(step)
        return self

    def text(self) -> str:
        path = ""
        for step in reversed(self.steps):
            if isinstance(step, int):
                path = f"{path}[{step}]"
            elif isinstance(step, tuple):
                path = f"{path}.{ODATA_TYPE}"
            else:
                path = f"{path}.{step}".lstrip(".")
        return f"{path} {self.words}"


def _expected(value: Any, wanted: str) -> _Misshape:
    return _Misshape(f"is {_json_kind(value)} where Graph sends {wanted}")


_ShapeFn = Callable[[Any], "_Misshape | None"]


class _Shapes(TypeVisitor[[], _ShapeFn]):
    """The shape check of each type node, made once: the read checks every object of every
    page against the model before anything uses it."""

    def __init__(self) -> None:
        self._made: dict[int, tuple[TypeExpr, _ShapeFn]] = {}

    def of(self, texpr: TypeExpr) -> _ShapeFn:
        return by_identity(self._made, texpr, lambda t: visit(t, self))

    def scalar(self, node: Scalar) -> _ShapeFn:
        return lambda value: (
            _expected(value, "a single value") if isinstance(value, (dict, list)) else None
        )

    def opaque(self, node: Opaque) -> _ShapeFn:
        return lambda value: None

    def reference(self, node: Reference) -> _ShapeFn:
        # Read inline or through `$expand`: the target object itself.
        return lambda value: None if isinstance(value, dict) else _expected(value, "an object")

    def object_type(self, node: ObjectType) -> _ShapeFn:
        # Read-only members are dropped unread.
        members = [(p.name, self.of(p.type)) for p in node.props if not p.read_only]

        def members_shaped(value: Any) -> _Misshape | None:
            if not isinstance(value, dict):
                return _expected(value, "an object")
            for name, shaped in members:
                member = value.get(name)
                if member is not None:
                    misshape = shaped(member)
                    if misshape is not None:
                        return misshape.within(name)
            return None

        return members_shaped

    def polymorphic(self, node: Polymorphic) -> _ShapeFn:
        def variant_shaped(value: Any) -> _Misshape | None:
            if not isinstance(value, dict):
                return _expected(value, "an object")
            spelling = value.get(ODATA_TYPE)
            variant = resolve_variant(node, spelling) if isinstance(spelling, str) else None
            if variant is None:
                return _Misshape(
                    f"{spelling!r} is not a type this version of edusync-reconcile knows; "
                    "upgrade it, and report the type if the newest version does not know it "
                    "either",
                    [_TYPE_STEP],
                )
            return self.of(variant)(value)

        return variant_shaped

    def set_of(self, node: SetOf) -> _ShapeFn:
        return self._items(node.item, None)

    def list_of(self, node: ListOf) -> _ShapeFn:
        return self._items(node.item, None)

    def keyed_list(self, node: KeyedList) -> _ShapeFn:
        return self._items(node.item, node.key)

    def _items(self, item_type: TypeExpr, key: str | None) -> _ShapeFn:
        shaped = self.of(item_type)

        def items_shaped(value: Any) -> _Misshape | None:
            if not isinstance(value, list):
                return _expected(value, "a list")
            for i, item in enumerate(value):
                if item is None:
                    continue
                misshape = shaped(item)
                if misshape is None and key is not None and isinstance(item, dict):
                    misshape = _key_misshape(item.get(key), key)
                if misshape is not None:
                    return misshape.within(i)
            return None

        return items_shaped


_SHAPES = _Shapes()


def _key_misshape(key: Any, member: str) -> _Misshape | None:
    """A keyed-list item is shown and ignored as `list[key]`: a key with brackets in it
    (no Graph value has them) could not be written as a field path."""
    if isinstance(key, str) and ("[" in key or "]" in key):
        return _Misshape(
            f"{key!r} cannot name a list item (Graph's keys have no brackets)", [member]
        )
    return None


def _json_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "null"
    return "a number"
