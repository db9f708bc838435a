"""One Industry Data request -> one store call -> one `Reply` (status, JSON body, headers).

Knows the documented response shapes (201 + body on POST, 204 without body on PATCH and
DELETE, 202 for actions, `@odata.context`, `@odata.nextLink` paging, `$expand`) and the
permission rules for app-only callers; nothing about sockets.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import quote

from reconciler.emulator.auth import Caller, bearer_token, classify, jwt_claims
from reconciler.emulator.dispatch import Reply
from reconciler.emulator.graph_errors import GraphFault
from reconciler.emulator.industrydata.catalog import (
    RUN_START_ROLE,
    VALIDATE_ROLES,
    CollectionDef,
    Shape,
    children_of,
    concrete_variants,
    type_named,
)
from reconciler.emulator.industrydata.render import Expand
from reconciler.emulator.industrydata.routes import Address, resolve
from reconciler.emulator.industrydata.rules import bad_request
from reconciler.emulator.industrydata.store import IndustryData, Page
from reconciler.jsontypes import JSON, JSONObject

ROOT = "external/industryData"
_CURSOR_PREFIX = "seq:"
_LIST_OPTIONS = frozenset({"$top", "$skip", "$skiptoken", "$count", "$expand", "$select"})
_ITEM_OPTIONS = frozenset({"$expand", "$select"})
#: industrydata-userprovisioningflow-get.md returns each configuration's roleGroup inline.
_USER_FLOW_ROLE_GROUPS = ("creationOptions", "configurations", "roleGroup")


@dataclass(frozen=True)
class IndustryRequest:
    method: str
    #: The request path without its query string.
    path: str
    #: Query options in request order, names as sent.
    query: list[tuple[str, str]]
    body: JSON
    body_error: str | None
    has_body: bool
    #: `http://host:port/beta`, as the client addressed the server.
    service_root: str
    authorization: str | None


@dataclass(frozen=True)
class _Query:
    top: int | None = None
    skip: int = 0
    after: int = 0
    count: bool = False
    expand: Expand = frozenset()
    select: tuple[str, ...] = ()


def _encode_skiptoken(after: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{after}".encode()).decode().rstrip("=")


def _decode_skiptoken(token: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        if text.startswith(_CURSOR_PREFIX):
            return int(text[len(_CURSOR_PREFIX) :])
    except (ValueError, binascii.Error, UnicodeError):
        pass
    raise bad_request(f"$skiptoken: '{token}' is not a skip token this service issued.")


def _non_negative(name: str, text: str) -> int:
    if not text.isdigit():
        raise bad_request(f"{name}: expected a non-negative integer, not '{text}'.")
    return int(text)


def _expandable(collection: CollectionDef) -> dict[str, tuple[str, ...]]:
    """Lower-cased `$expand` path -> canonical path, for one collection."""
    paths: dict[str, tuple[str, ...]] = {}
    for variant in concrete_variants(collection.entity):
        for member in type_named(variant.name).members:
            if member.shape is Shape.NAV:
                paths[member.name.lower()] = (member.name,)
    for child in children_of(collection.name):
        paths[child.name.lower()] = (child.name,)
    for extra in collection.expandable:
        paths[extra.lower()] = tuple(extra.split("/"))
    return paths


def _parse_expand(collection: CollectionDef, value: str) -> Expand:
    known = _expandable(collection)
    chosen: set[tuple[str, ...]] = set()
    for raw in (part.strip() for part in value.split(",")):
        if raw == "*":
            chosen.update(p for p in known.values() if len(p) == 1)
        elif raw.lower() in known:
            chosen.add(known[raw.lower()])
        else:
            allowed = ", ".join(sorted("/".join(p) for p in known.values())) or "nothing"
            raise bad_request(
                f"$expand: cannot expand '{raw}' on {collection.name}; the emulator expands "
                f"{allowed}"
            )
    return frozenset(chosen)


def _parse_option(collection: CollectionDef, name: str, value: str, query: _Query) -> _Query:
    if name == "$top":
        return replace(query, top=_non_negative(name, value))
    if name == "$skip":
        return replace(query, skip=_non_negative(name, value))
    if name == "$skiptoken":
        return replace(query, after=_decode_skiptoken(value))
    if name == "$count":
        if value.lower() not in ("true", "false"):
            raise bad_request(f"$count: expected true or false, not '{value}'.")
        return replace(query, count=value.lower() == "true")
    if name == "$expand":
        return replace(query, expand=_parse_expand(collection, value))
    return replace(query, select=tuple(p.strip() for p in value.split(",") if p.strip()))


def parse_query(
    collection: CollectionDef, options: list[tuple[str, str]], supported: frozenset[str]
) -> _Query:
    query = _Query()
    for raw_name, value in options:
        name = raw_name.lower()
        if not name.startswith("$"):
            continue  # Graph ignores custom query parameters
        if name not in supported:
            raise bad_request(
                f"Query option '{raw_name}' is not supported by the emulator on this resource "
                "(list and match on the client side)."
            )
        query = _parse_option(collection, name, value, query)
    return query


def _selected(body: JSONObject, select: tuple[str, ...]) -> JSONObject:
    if not select:
        return body
    wanted = {s.lower() for s in select} | {"id", "@odata.type"}
    return {k: v for k, v in body.items() if k.lower() in wanted}


def _method_not_allowed(method: str, allowed: tuple[str, ...]) -> GraphFault:
    text = ", ".join(allowed)
    return GraphFault(
        405,
        "methodNotAllowed",
        f"The HTTP method '{method}' is not allowed on this resource; allowed: {text}.",
        headers={"Allow": text},
    )


def _denied(message: str) -> GraphFault:
    return GraphFault(403, "Authorization_RequestDenied", message)


class _Permissions:
    """Who is calling: delegated and opaque tokens may write; app-only tokens need the
    collection's application role (§2 table), and never PATCH flow sets (correction 10)."""

    def __init__(self, authorization: str | None) -> None:
        token = bearer_token(authorization)  # the server checked it already
        self.caller = classify(token)
        claims = jwt_claims(token) or {}
        roles = claims.get("roles")
        self.roles = frozenset(str(r) for r in roles) if isinstance(roles, list) else frozenset()

    def require(self, roles: tuple[str, ...], what: str) -> None:
        if self.caller is not Caller.APP_ONLY or self.roles & set(roles):
            return
        raise _denied(
            f"Insufficient privileges to {what}: the application needs "
            f"{' or '.join(roles)} (application permission)."
        )


class IndustryDataDispatcher:
    """Carries out Industry Data requests on an `IndustryData` store."""

    def __init__(self, store: IndustryData, *, page_size: int = 20) -> None:
        if page_size < 1:
            raise ValueError("page_size is at least 1")
        self.store = store
        self.page_size = page_size

    def handle(self, request: IndustryRequest) -> Reply:
        address = resolve(request.path)
        permissions = _Permissions(request.authorization)
        if address.collection is None:
            return self._root(request)
        if address.action is not None:
            return self._action(request, address, permissions)
        if address.navigation is not None:
            return self._navigation(request, address)
        if address.entity_id is not None:
            return self._item(request, address, permissions)
        return self._collection(request, address, permissions)

    # -- helpers -------------------------------------------------------------------------------

    def _context(self, request: IndustryRequest, suffix: str) -> str:
        return f"{request.service_root}/$metadata#{suffix}"

    def _collection_path(self, address: Address) -> str:
        assert address.collection is not None
        if address.collection.parent:
            parent = address.collection.parent
            return f"{ROOT}/{parent}('{address.parent}')/{address.collection.name}"
        return f"{ROOT}/{address.collection.name}"

    def _limit(self, query: _Query) -> int:
        return self.page_size if query.top is None else min(query.top, self.page_size)

    @staticmethod
    def _body(request: IndustryRequest) -> JSON:
        if request.body_error is not None:
            raise bad_request(f"The request body is not valid JSON: {request.body_error}")
        if not request.has_body:
            raise bad_request("A JSON request body is required for this request.")
        return request.body

    def _writable(self, request: IndustryRequest, collection: CollectionDef) -> None:
        if not collection.writable:
            raise _method_not_allowed(request.method, ("GET",))

    # -- the root, collections and items -------------------------------------------------------

    def _root(self, request: IndustryRequest) -> Reply:
        if request.method != "GET":
            raise _method_not_allowed(request.method, ("GET",))
        return Reply(200, {"@odata.context": self._context(request, f"{ROOT}/$entity")})

    def _collection(
        self, request: IndustryRequest, address: Address, permissions: _Permissions
    ) -> Reply:
        collection = address.collection
        assert collection is not None
        if request.method == "GET":
            return self._list(request, address)
        if request.method != "POST":
            allowed = ("GET", "POST") if collection.writable else ("GET",)
            raise _method_not_allowed(request.method, allowed)
        self._writable(request, collection)
        permissions.require((collection.write_role,), f"create {collection.name}")
        created = self.store.create(collection.name, self._body(request), parent=address.parent)
        path = self._collection_path(address)
        location = f"{request.service_root}/{path}/{created['id']}"
        body = {"@odata.context": self._context(request, f"{path}/$entity"), **created}
        return Reply(201, body, {"Location": location})

    def _list(self, request: IndustryRequest, address: Address) -> Reply:
        collection = address.collection
        assert collection is not None
        query = parse_query(collection, request.query, _LIST_OPTIONS)
        page = self.store.list_page(
            collection.name,
            parent=address.parent,
            after=query.after,
            limit=self._limit(query),
            skip=query.skip,
            expand=query.expand,
        )
        return Reply(200, self._page_body(request, address, page, query))

    def _page_body(
        self, request: IndustryRequest, address: Address, page: Page, query: _Query
    ) -> JSONObject:
        body: JSONObject = {
            "@odata.context": self._context(request, self._collection_path(address))
        }
        if query.count:
            body["@odata.count"] = page.total
        if page.next_after is not None:
            body["@odata.nextLink"] = self._next_link(request, page.next_after)
        body["value"] = [_selected(item, query.select) for item in page.items]
        return body

    @staticmethod
    def _next_link(request: IndustryRequest, after: int) -> str:
        origin = request.service_root.rsplit("/", 1)[0]
        kept = [(k, v) for k, v in request.query if k.lower() not in ("$skip", "$skiptoken")]
        pairs = [*kept, ("$skiptoken", _encode_skiptoken(after))]
        query = "&".join(f"{quote(k, safe='$')}={quote(v, safe='$')}" for k, v in pairs)
        return f"{origin}{request.path}?{query}"

    def _item(self, request: IndustryRequest, address: Address, permissions: _Permissions) -> Reply:
        collection = address.collection
        assert collection is not None and address.entity_id is not None
        if request.method == "GET":
            query = parse_query(collection, request.query, _ITEM_OPTIONS)
            expand = query.expand
            if collection.name == "provisioningFlows":
                expand = expand | {_USER_FLOW_ROLE_GROUPS}
            found = self.store.get(
                collection.name, address.entity_id, parent=address.parent, expand=expand
            )
            context = self._context(request, f"{self._collection_path(address)}/$entity")
            return Reply(200, {"@odata.context": context, **_selected(found, query.select)})
        if request.method not in ("PATCH", "DELETE"):
            allowed = ("GET", "PATCH", "DELETE") if collection.writable else ("GET",)
            raise _method_not_allowed(request.method, allowed)
        self._writable(request, collection)
        if request.method == "DELETE":
            permissions.require((collection.write_role,), f"delete {collection.name}")
            self.store.delete(collection.name, address.entity_id, parent=address.parent)
            return Reply(204)
        if collection.delegated_only_patch and permissions.caller is Caller.APP_ONLY:
            raise _denied(
                f"Insufficient privileges to complete the operation: updating "
                f"{collection.name} supports delegated permissions only; sign in as a user "
                "with IndustryData-OutboundFlow.ReadWrite.All."
            )
        permissions.require((collection.write_role,), f"update {collection.name}")
        body = self._body(request)
        self.store.patch(collection.name, address.entity_id, body, parent=address.parent)
        return Reply(204)

    def _navigation(self, request: IndustryRequest, address: Address) -> Reply:
        assert address.collection is not None and address.entity_id is not None
        assert address.navigation is not None
        if request.method != "GET":
            raise _method_not_allowed(request.method, ("GET",))
        target, body = self.store.navigate(
            address.collection.name, address.entity_id, address.navigation
        )
        context = self._context(request, f"{ROOT}/{target}/$entity")
        return Reply(200, {"@odata.context": context, **body})

    # -- actions ---------------------------------------------------------------------------------

    def _action(
        self, request: IndustryRequest, address: Address, permissions: _Permissions
    ) -> Reply:
        assert address.collection is not None
        key = (address.collection.name, address.navigation, address.action)
        handler = self._actions().get(key)
        if handler is None or (address.entity_id is None) != (address.action == "start"):
            raise GraphFault(
                404, "ResourceNotFound", f"Resource not found for the segment '{address.action}'."
            )
        method = "GET" if address.action == "getstatistics" else "POST"
        if request.method != method:
            raise _method_not_allowed(request.method, (method,))
        return handler(request, address, permissions)

    def _actions(
        self,
    ) -> dict[
        tuple[str, str | None, str | None],
        Callable[[IndustryRequest, Address, _Permissions], Reply],
    ]:
        return {
            ("runs", None, "start"): self._start_run,
            ("runs", None, "getstatistics"): self._statistics,
            ("dataConnectors", None, "validate"): self._validate,
            ("inboundFlows", "dataConnector", "validate"): self._validate,
            ("provisioningFlows", None, "reset"): self._reset,
        }

    def _start_run(
        self, _request: IndustryRequest, _address: Address, permissions: _Permissions
    ) -> Reply:
        permissions.require((RUN_START_ROLE,), "start a run")
        self.store.start_run()
        return Reply(202)

    def _statistics(
        self, request: IndustryRequest, address: Address, _permissions: _Permissions
    ) -> Reply:
        assert address.entity_id is not None
        stats = self.store.run_statistics(address.entity_id)
        context = self._context(request, "microsoft.graph.industryData.industryDataRunStatistics")
        return Reply(200, {"@odata.context": context, **stats})

    def _validate(
        self, request: IndustryRequest, address: Address, permissions: _Permissions
    ) -> Reply:
        assert address.collection is not None and address.entity_id is not None
        permissions.require(VALIDATE_ROLES, "validate a data connector")
        connector_id = address.entity_id
        if address.navigation is not None:
            connector_id = self.store.navigation_target(
                address.collection.name, address.entity_id, address.navigation
            )
        operation_id = self.store.validate_connector(connector_id, request.service_root)
        location = f"{request.service_root}/{ROOT}/operations/{operation_id}"
        return Reply(202, None, {"Location": location})

    def _reset(
        self, _request: IndustryRequest, address: Address, permissions: _Permissions
    ) -> Reply:
        assert address.parent is not None and address.entity_id is not None
        permissions.require(
            ("IndustryData-OutboundFlow.ReadWrite.All",), "reset a provisioning flow"
        )
        self.store.reset_flow(address.parent, address.entity_id)
        return Reply(202)
