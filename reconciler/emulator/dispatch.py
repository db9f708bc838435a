"""One routed request -> one tenant call -> one reply (status, JSON body, headers).

Knows the response shapes of graph-sds-api.md §1 (status codes, `@odata.context`, paging with
`@odata.nextLink`) but nothing about sockets; the server turns a `Reply` into bytes.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from urllib.parse import quote

from reconciler.emulator.graph_errors import bad_request
from reconciler.emulator.routes import Op, Route
from reconciler.emulator.tenant import Page, Tenant
from reconciler.jsontypes import JSON

COLLECTION = "education/synchronizationProfiles"
_PAGING_OPTIONS = frozenset({"$top", "$skip", "$skiptoken", "$count"})
_SUPPORTED = {Op.LIST: _PAGING_OPTIONS | {"$filter"}, Op.ERRORS: _PAGING_OPTIONS | {"$orderby"}}
_FILTER = re.compile(r"^\s*displayName\s+eq\s+'((?:[^']|'')*)'\s*$")
#: The errors collection supports $orderby (§1.10); the emulator orders by the error time.
_ORDER_BY = re.compile(r"^\s*recordedDateTime(?:\s+(asc|desc))?\s*$", re.IGNORECASE)
_CURSOR_PREFIX = "after:"
_NEEDS_BODY = frozenset(
    {Op.CREATE, Op.REPLACE_BY_BODY, Op.REPLACE, Op.PATCH, Op.STATUS_CREATE, Op.STATUS_UPDATE}
)
_STATUS_TYPE = "#microsoft.graph.educationSynchronizationProfileStatus"


@dataclass(frozen=True)
class Reply:
    status: int
    #: JSON body; None = no body at all (Content-Length: 0).
    body: JSON = None
    headers: dict[str, str] = field(default_factory=dict)
    #: The body already encoded as JSON (a list page built from cached item texts); when set,
    #: it is sent instead of `body`.
    encoded: bytes | None = None


@dataclass(frozen=True)
class Request:
    route: Route
    #: Query options in request order, names as sent.
    query: list[tuple[str, str]]
    body: JSON
    #: Why the body could not be parsed as JSON; None when it parsed (or was empty).
    body_error: str | None
    has_body: bool
    #: `http://host:port/beta`, as the client addressed the server.
    service_root: str
    #: The request path without its query string.
    path: str


@dataclass(frozen=True)
class _Query:
    top: int | None = None
    skip: int = 0
    after: int = 0
    count: bool = False
    display_name: str | None = None
    #: `$orderby=recordedDateTime [asc|desc]`: None keeps the order errors were recorded in.
    newest_first: bool | None = None


def encode_skiptoken(after: int) -> str:
    """Opaque to clients (§4.3: never fabricate one); it remembers the last item served."""
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{after}".encode()).decode().rstrip("=")


def decode_skiptoken(token: str) -> int:
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


def _parse_option(name: str, value: str, query: _Query) -> _Query:
    if name == "$top":
        return replace(query, top=_non_negative(name, value))
    if name == "$skip":
        return replace(query, skip=_non_negative(name, value))
    if name == "$skiptoken":
        return replace(query, after=decode_skiptoken(value))
    if name == "$count":
        if value.lower() not in ("true", "false"):
            raise bad_request(f"$count: expected true or false, not '{value}'.")
        return replace(query, count=value.lower() == "true")
    if name == "$orderby":
        order = _ORDER_BY.match(value)
        if order is None:
            raise bad_request(
                f"$orderby: '{value}' is not supported by the emulator (only recordedDateTime)."
            )
        return replace(query, newest_first=(order.group(1) or "asc").lower() == "desc")
    match = _FILTER.match(value)
    if match is None:
        raise bad_request(
            f"$filter: '{value}' is not supported by the emulator (only displayName eq '…')."
        )
    return replace(query, display_name=match.group(1).replace("''", "'"))


def parse_query(op: Op, options: list[tuple[str, str]]) -> _Query:
    query = _Query()
    supported = _SUPPORTED.get(op, frozenset())
    for raw_name, value in options:
        name = raw_name.lower()
        if not name.startswith("$"):
            continue  # Graph ignores custom query parameters
        if name not in supported:
            raise bad_request(f"Query option '{raw_name}' is not supported on this resource.")
        query = _parse_option(name, value, query)
    return query


def _next_link(request: Request, after: int) -> str:
    origin = request.service_root.rsplit("/", 1)[0]
    kept = [(k, v) for k, v in request.query if k.lower() not in ("$skip", "$skiptoken")]
    pairs = [*kept, ("$skiptoken", encode_skiptoken(after))]
    query = "&".join(f"{quote(k, safe='$')}={quote(v, safe='$')}" for k, v in pairs)
    return f"{origin}{request.path}?{query}"


def _collection(request: Request, page: Page, context: str, *, count: bool) -> bytes:
    """The collection response, its `value` spliced from the items' JSON texts (`page.items`):
    the same text `json.dumps` would give for the whole object."""
    head = f'{{"@odata.context": {json.dumps(context)}'
    if count:
        head += f', "@odata.count": {page.total}'
    tail = "]"
    if page.next_after is not None:
        tail += f', "@odata.nextLink": {json.dumps(_next_link(request, page.next_after))}'
    return f'{head}, "value": [{", ".join(page.items)}{tail}}}'.encode()


class Dispatcher:
    """Carries out routed requests on a tenant."""

    def __init__(self, tenant: Tenant, *, page_size: int = 20) -> None:
        if page_size < 1:
            raise ValueError("page_size is at least 1")
        self.tenant = tenant
        self.page_size = page_size
        #: Answer every profile request as live Graph does since the API's retirement.
        self.retired = False
        self._handlers: dict[Op, Callable[[Request, _Query], Reply]] = {
            Op.LIST: self._list,
            Op.CREATE: self._create,
            Op.REPLACE_BY_BODY: self._replace_by_body,
            Op.GET: self._get,
            Op.REPLACE: self._replace,
            Op.PATCH: self._patch,
            Op.DELETE: self._delete,
            Op.PAUSE: self._pause,
            Op.RESUME: self._resume,
            Op.RESET: self._reset,
            Op.START: self._start,
            Op.UPLOAD_URL: self._upload_url,
            Op.STATUS_GET: self._status_get,
            Op.STATUS_CREATE: self._status_create,
            Op.STATUS_UPDATE: self._status_update,
            Op.ERRORS: self._errors,
        }

    def dispatch(self, request: Request) -> Reply:
        op = request.route.op
        if op in _NEEDS_BODY:
            if request.body_error is not None:
                raise bad_request(f"The request body is not valid JSON: {request.body_error}")
            if not request.has_body:
                raise bad_request("A JSON request body is required for this request.")
        return self._handlers[op](request, parse_query(op, request.query))

    # -- helpers -------------------------------------------------------------------------------

    def _limit(self, query: _Query) -> int:
        # `$top` is honoured up to the page size; larger values are capped (§4.3 allows it).
        return self.page_size if query.top is None else min(query.top, self.page_size)

    @staticmethod
    def _id(request: Request) -> str:
        return str(request.route.profile_id)

    @staticmethod
    def _context(request: Request, suffix: str) -> str:
        return f"{request.service_root}/$metadata#{suffix}"

    def _item_context(self, request: Request, child: str) -> str:
        return self._context(request, f"{COLLECTION}('{self._id(request)}')/{child}")

    # -- collection ----------------------------------------------------------------------------

    def _list(self, request: Request, query: _Query) -> Reply:
        page = self.tenant.list_page_json(
            after=query.after,
            limit=self._limit(query),
            skip=query.skip,
            display_name=query.display_name,
        )
        context = self._context(request, COLLECTION)
        return Reply(200, encoded=_collection(request, page, context, count=query.count))

    def _create(self, request: Request, _query: _Query) -> Reply:
        # The docs' example answers 201 Created (their prose says 202); seed 001 shows 201.
        profile = self.tenant.create(request.body)
        location = f"{request.service_root}/{COLLECTION}/{profile['id']}"
        return Reply(201, profile, {"Location": location})

    def _replace_by_body(self, request: Request, _query: _Query) -> Reply:
        return Reply(202, self.tenant.replace_by_body(request.body))

    # -- item ----------------------------------------------------------------------------------

    def _get(self, request: Request, _query: _Query) -> Reply:
        profile = self.tenant.get(self._id(request))
        context = self._context(request, f"{COLLECTION}/$entity")
        return Reply(200, {"@odata.context": context, **profile})

    def _replace(self, request: Request, _query: _Query) -> Reply:
        return Reply(202, self.tenant.replace(self._id(request), request.body))

    def _patch(self, request: Request, _query: _Query) -> Reply:
        return Reply(202, self.tenant.patch(self._id(request), request.body))

    def _delete(self, request: Request, _query: _Query) -> Reply:
        self.tenant.delete(self._id(request))
        return Reply(202)

    # -- actions -------------------------------------------------------------------------------

    def _pause(self, request: Request, _query: _Query) -> Reply:
        self.tenant.pause(self._id(request))
        return Reply(200)

    def _resume(self, request: Request, _query: _Query) -> Reply:
        self.tenant.resume(self._id(request))
        return Reply(200)

    def _reset(self, request: Request, _query: _Query) -> Reply:
        self.tenant.reset(self._id(request))
        return Reply(200)

    def _start(self, request: Request, _query: _Query) -> Reply:
        messages = self.tenant.start(self._id(request))
        context = self._context(
            request, "Collection(microsoft.graph.educationFileSynchronizationVerificationMessage)"
        )
        return Reply(200, {"@odata.context": context, "value": messages})

    def _upload_url(self, request: Request, _query: _Query) -> Reply:
        url = self.tenant.upload_url(self._id(request))
        return Reply(200, {"@odata.context": self._context(request, "Edm.String"), "value": url})

    # -- profileStatus and errors --------------------------------------------------------------

    def _status_get(self, request: Request, _query: _Query) -> Reply:
        status = self.tenant.profile_status(self._id(request))
        context = self._item_context(request, "profileStatus/$entity")
        return Reply(200, {"@odata.context": context, **status})

    def _status_create(self, request: Request, _query: _Query) -> Reply:
        # Seed 000: 201 Created with the annotated status object.
        status = self.tenant.create_profile_status(self._id(request), request.body)
        return Reply(201, {"@odata.type": _STATUS_TYPE, **status})

    def _status_update(self, request: Request, _query: _Query) -> Reply:
        # Seed 003: 200 OK with the updated status object.
        status = self.tenant.update_profile_status(self._id(request), request.body)
        return Reply(200, {"@odata.type": _STATUS_TYPE, **status})

    def _errors(self, request: Request, query: _Query) -> Reply:
        page = self.tenant.errors_page(
            self._id(request),
            after=query.after,
            limit=self._limit(query),
            skip=query.skip,
            newest_first=query.newest_first,
        )
        page = page._replace(items=[json.dumps(error) for error in page.items])
        # The errors collection always carries @odata.count (§1.10).
        context = self._item_context(request, "errors")
        return Reply(200, encoded=_collection(request, page, context, count=True))
