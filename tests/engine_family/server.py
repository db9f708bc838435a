"""A small fake of the family's API on 127.0.0.1, served over real HTTP.

Like the Industry Data API it stands for: binds are accepted but never echoed (a widget's group
is read through `GET /family/widgets/{id}/group`), PATCH and DELETE answer 204, a group still
referenced cannot be deleted (409), `serial` cannot change after create (400), and there is no
async state. `fail_names` makes the create of those names fail (400 with an error body)."""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

GROUPS = "family/widgetGroups"
WIDGETS = "family/widgets"


@dataclass
class Sent:
    method: str
    path: str
    body: Any


@dataclass
class FamilyState:
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    widgets: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: (widget id, navigation property) → group id (the binds, kept apart: never listed)
    bound: dict[tuple[str, str], str] = field(default_factory=dict)
    #: part id → (group id, part): parts live inside a group (`…/widgetGroups/{id}/parts`)
    parts: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    fail_names: set[str] = field(default_factory=set)
    #: Concurrent writes in flight, and the most seen at once.
    in_flight: int = 0
    most_in_flight: int = 0


class FamilyServer:
    def __init__(self) -> None:
        self.state = FamilyState()
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _answer(self, status: int, body: Any = None) -> None:
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("request-id", str(uuid.uuid4()))
                if data:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                path = self.path.split("?", 1)[0].strip("/")
                status, answer = server.handle(method, path, body)
                self._answer(status, answer)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_PATCH(self) -> None:
                self._handle("PATCH")

            def do_DELETE(self) -> None:
                self._handle("DELETE")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FamilyServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- the API ------------------------------------------------------------------------------
    def writes(self) -> list[Sent]:
        return [s for s in self.state.sent if s.method != "GET"]

    def handle(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        with self.lock:
            self.state.sent.append(Sent(method, path, body))
            if method != "GET":
                self.state.in_flight += 1
                self.state.most_in_flight = max(self.state.most_in_flight, self.state.in_flight)
        try:
            if method != "GET":
                threading.Event().wait(0.02)  # writes overlap when sent in parallel
            with self.lock:
                return self._route(method, path, body)
        finally:
            if method != "GET":
                with self.lock:
                    self.state.in_flight -= 1

    def _error(self, status: int, code: str, message: str) -> tuple[int, Any]:
        return status, {"error": {"code": code, "message": message}}

    def _parts(self, method: str, parts: list[str], body: Any) -> tuple[int, Any]:
        group_id = parts[2]
        if group_id not in self.state.groups:
            return self._error(404, "notFound", f"no group {group_id}")
        if len(parts) == 4:
            if method == "GET":
                inside = [p for g, p in self.state.parts.values() if g == group_id]
                return 200, {"value": inside}
            if method == "POST":
                if any(k.endswith("@odata.bind") for k in body or {}):
                    return self._error(400, "badRequest", "a part's group is its URL")
                new_id = str(uuid.uuid4())
                self.state.parts[new_id] = (group_id, {**(body or {}), "id": new_id})
                return 201, self.state.parts[new_id][1]
        held = self.state.parts.get(parts[4]) if len(parts) == 5 else None
        if held is None or held[0] != group_id:
            return self._error(404, "notFound", "/".join(parts))
        if method == "GET":
            return 200, held[1]
        if method == "PATCH":
            held[1].update(body or {})
            return 204, None
        if method == "DELETE":
            del self.state.parts[parts[4]]
            return 204, None
        return self._error(405, "methodNotAllowed", method)

    def _route(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        parts = path.split("/")
        if len(parts) >= 4 and "/".join(parts[:2]) == GROUPS and parts[3] == "parts":
            return self._parts(method, parts, body)
        collection = "/".join(parts[:2])
        store = {GROUPS: self.state.groups, WIDGETS: self.state.widgets}.get(collection)
        if store is None:
            return self._error(404, "notFound", path)
        if len(parts) == 2:
            if method == "GET":
                return 200, {"value": list(store.values())}
            if method == "POST":
                return self._create(collection, store, body)
        object_id = parts[2] if len(parts) > 2 else ""
        current = store.get(object_id)
        if current is None:
            return self._error(404, "notFound", f"no object {object_id}")
        if len(parts) == 4 and collection == WIDGETS and method == "GET":
            group = self.state.groups.get(self.state.bound.get((object_id, parts[3]), ""))
            return (200, group) if group else self._error(404, "notFound", "no group")
        if len(parts) != 3:
            return self._error(404, "notFound", path)
        if method == "GET":
            return 200, current
        if method == "PATCH":
            return self._patch(collection, object_id, current, body)
        if method == "DELETE":
            if collection == GROUPS and (
                object_id in self.state.bound.values()
                or any(g == object_id for g, _ in self.state.parts.values())
            ):
                return self._error(409, "conflict", "the group is still referenced")
            del store[object_id]
            for key in [k for k in self.state.bound if k[0] == object_id]:
                del self.state.bound[key]
            return 204, None
        return self._error(405, "methodNotAllowed", method)

    def _bind(self, widget_id: str, body: dict[str, Any]) -> tuple[int, Any] | None:
        for key in [k for k in body if k.endswith("@odata.bind")]:
            url = str(body.pop(key))
            group_id = url.rstrip("/").rsplit("/", 1)[-1]
            if f"/{GROUPS}/" not in url or group_id not in self.state.groups:
                return self._error(400, "badRequest", f"{key} {url} names no group")
            self.state.bound[(widget_id, key.removesuffix("@odata.bind"))] = group_id
        return None

    def _create(
        self, collection: str, store: dict[str, dict[str, Any]], body: Any
    ) -> tuple[int, Any]:
        body = dict(body or {})
        if body.get("displayName") in self.state.fail_names:
            return self._error(400, "badRequest", "the service refused it")
        new_id = str(uuid.uuid4())
        if collection == WIDGETS:
            if "group@odata.bind" not in body:
                return self._error(400, "badRequest", "a widget needs its group")
            if body.get("@odata.type") != "#test.family.widget":
                return self._error(400, "badRequest", f"type {body.get('@odata.type')!r}")
            refused = self._bind(new_id, body)
            if refused:
                return refused
        stored = {**body, "id": new_id}
        store[new_id] = stored
        return 201, stored

    def _patch(
        self, collection: str, object_id: str, current: dict[str, Any], body: Any
    ) -> tuple[int, Any]:
        body = dict(body or {})
        if collection == WIDGETS:
            if "serial" in body and body["serial"] != current.get("serial"):
                return self._error(400, "badRequest", "serial can only be set on create")
            if "origin@odata.bind" in body:
                return self._error(400, "badRequest", "origin can only be set on create")
            refused = self._bind(object_id, body)
            if refused:
                return refused
        current.update(body)
        return 204, None

    # -- seeding ------------------------------------------------------------------------------
    def seed_group(self, **body: Any) -> str:
        new_id = str(uuid.uuid4())
        self.state.groups[new_id] = {**body, "id": new_id}
        return new_id

    def seed_part(self, group_id: str, **body: Any) -> str:
        new_id = str(uuid.uuid4())
        self.state.parts[new_id] = (group_id, {**body, "id": new_id})
        return new_id

    def seed_widget(self, group_id: str, origin: str | None = None, **body: Any) -> str:
        new_id = str(uuid.uuid4())
        self.state.widgets[new_id] = {"@odata.type": "#test.family.widget", **body, "id": new_id}
        self.state.bound[(new_id, "group")] = group_id
        if origin is not None:
            self.state.bound[(new_id, "origin")] = origin
        return new_id
