"""The HTTP face of the emulator: stdlib `ThreadingHTTPServer`, HTTP/1.1 with keep-alive.

Order of work per request (each step may end it): read the body, ask the fault schedule (if
any), a write dropped before commit, wait the configured latency (and any scheduled spike),
injected fault, bearer check, the retired-API answer (when switched on), route (404/405),
app-only refusal (403), tenant operation, and for a committed write either the response or,
when a drop is armed, a closed connection with no bytes.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import cast
from urllib.parse import parse_qsl, urlsplit

from reconciler.emulator.auth import authenticate, refuse_app_only_write
from reconciler.emulator.dispatch import Dispatcher, Reply, Request
from reconciler.emulator.faults import WRITE_METHODS, Faults, Scheduled
from reconciler.emulator.graph_errors import GraphFault
from reconciler.emulator.industrydata import IndustryDataDispatcher, IndustryRequest, serves
from reconciler.emulator.requestlog import LoggedRequest, RequestLog, redact_headers
from reconciler.emulator.routes import PROFILE_WRITES, refuse_if_retired, resolve
from reconciler.jsontypes import JSON, JSONObject

log = logging.getLogger("reconciler.emulator")

MAX_BODY_BYTES = 4 * 1024 * 1024
_JSON_TYPE = "application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8"


@dataclass(frozen=True)
class Wiring:
    """What the request handler needs from the emulator."""

    dispatcher: Dispatcher
    faults: Faults
    requests_log: RequestLog
    token: str | None
    #: Called after every write the tenant carried out (state-file persistence).
    after_write: Callable[[], None]
    #: Serves `/beta/external/industryData/…` (None: those paths are 404).
    industry_data: IndustryDataDispatcher | None = None


class _BodyError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def error_body(fault: GraphFault, request_id: str, client_request_id: str) -> JSONObject:
    """Graph's error shape (graph-sds-api.md §4.2)."""
    return {
        "error": {
            "code": fault.code,
            "message": fault.message,
            "innerError": {
                "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": request_id,
                "client-request-id": client_request_id,
            },
        }
    }


def _parse_body(raw: bytes) -> tuple[JSON, str | None]:
    if not raw.strip():
        return None, None
    try:
        return json.loads(raw.decode("utf-8")), None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return raw.decode("utf-8", errors="replace"), str(exc)


class GraphServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], wiring: Wiring) -> None:
        super().__init__(address, GraphRequestHandler)
        self.wiring = wiring
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def track(self, connection: socket.socket, *, open_: bool) -> None:
        with self._open_lock:
            if open_:
                self._open.add(connection)
            else:
                self._open.discard(connection)

    def close_connections(self) -> None:
        """End idle keep-alive connections so nothing is served after `stop`."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class GraphRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "edusync-graph-emulator"
    #: Idle keep-alive connections are closed after this many seconds.
    timeout = 120

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in separate writes; without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every request on a kept-alive connection.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._graph_server().track(self.connection, open_=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self._graph_server().track(self.connection, open_=False)

    def _graph_server(self) -> GraphServer:
        return cast(GraphServer, self.server)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def do_OPTIONS(self) -> None:
        self._handle()

    # -- reading -------------------------------------------------------------------------------

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_line = self.rfile.readline(65537).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError as exc:
                raise _BodyError(400, "Malformed chunked request body.") from exc
            if size == 0:
                while self.rfile.readline(65537).strip():
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                raise _BodyError(413, "The request body is too large.")
            chunks.append(self.rfile.read(size))
            self.rfile.readline(3)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length_text = self.headers.get("Content-Length", "0").strip() or "0"
        if not length_text.isdigit():
            raise _BodyError(400, f"Invalid Content-Length '{length_text}'.")
        length = int(length_text)
        if length > MAX_BODY_BYTES:
            raise _BodyError(413, "The request body is too large.")
        return self.rfile.read(length) if length else b""

    # -- handling ------------------------------------------------------------------------------

    def _service_root(self) -> str:
        host = self.headers.get("Host") or f"127.0.0.1:{self._graph_server().server_port}"
        return f"http://{host}/beta"

    def _route_and_run(
        self, wiring: Wiring, body: JSON, body_error: str | None, scheduled: Scheduled
    ) -> Reply:
        fault = scheduled.fault() or wiring.faults.draw(self.command)
        if fault is not None:
            raise fault
        caller = authenticate(self.headers.get("Authorization"), wiring.token)
        split = urlsplit(self.path)
        if wiring.industry_data is not None and serves(split.path):
            return wiring.industry_data.handle(
                IndustryRequest(
                    method=self.command,
                    path=split.path,
                    query=parse_qsl(split.query, keep_blank_values=True),
                    body=body,
                    body_error=body_error,
                    has_body=body is not None or body_error is not None,
                    service_root=self._service_root(),
                    authorization=self.headers.get("Authorization"),
                )
            )
        if wiring.dispatcher.retired:
            refuse_if_retired(split.path)
        route = resolve(self.command, split.path)
        if route.op in PROFILE_WRITES:
            refuse_app_only_write(caller)
        request = Request(
            route=route,
            query=parse_qsl(split.query, keep_blank_values=True),
            body=body,
            body_error=body_error,
            has_body=body is not None or body_error is not None,
            service_root=self._service_root(),
            path=split.path,
        )
        return wiring.dispatcher.dispatch(request)

    def _handle(self) -> None:
        wiring = self._graph_server().wiring
        request_id = str(uuid.uuid4())
        client_request_id = self.headers.get("client-request-id") or str(uuid.uuid4())
        try:
            raw = self._read_body()
        except _BodyError as exc:
            # The framing of the connection is unknown now: answer and close it.
            self.close_connection = True
            refused = GraphFault(exc.status, "badRequest", str(exc))
            reply = _error_reply(refused, request_id, client_request_id)
            self._send(reply, request_id, client_request_id)
            return
        body, body_error = _parse_body(raw)
        received_at = time.monotonic()
        scheduled = wiring.faults.scheduled(self.command, self.path)
        writing = self.command in WRITE_METHODS
        if (writing and scheduled.drop_before) or wiring.faults.take_drop_before(self.command):
            # Lost on the way in: nothing is done and no answer comes (a retry is safe).
            wiring.requests_log.append(
                LoggedRequest(
                    self.command,
                    self.path,
                    redact_headers(dict(self.headers.items())),
                    body,
                    None,
                    received_at=received_at,
                    replied_at=time.monotonic(),
                )
            )
            self.close_connection = True
            return
        latency = wiring.faults.latency_ms + scheduled.delay_ms
        if latency:
            time.sleep(latency / 1000)
        try:
            reply = self._route_and_run(wiring, body, body_error, scheduled)
        except GraphFault as fault:
            reply = _error_reply(fault, request_id, client_request_id)
        except Exception:  # a defect in the emulator must not kill the connection silently
            log.exception("emulator failed on %s %s", self.command, self.path)
            defect = GraphFault(500, "generalException", "The emulator failed; see its log.")
            reply = _error_reply(defect, request_id, client_request_id)
        committed = reply.status < 300 and writing
        if committed:
            try:
                wiring.after_write()
            except OSError:  # the write happened; a failed save must not hide that
                log.exception("could not save the emulator state file")
        dropped = committed and (scheduled.drop_after or wiring.faults.take_drop(self.command))
        wiring.requests_log.append(
            LoggedRequest(
                method=self.command,
                path=self.path,
                headers=redact_headers(dict(self.headers.items())),
                body=body,
                status=None if dropped else reply.status,
                received_at=received_at,
                replied_at=time.monotonic(),
            )
        )
        log.info("%s %s -> %s", self.command, self.path, "dropped" if dropped else reply.status)
        if dropped:
            # The write is done; the client never learns it (spec §8 "drop after commit").
            self.close_connection = True
            return
        self._send(reply, request_id, client_request_id)

    # -- writing -------------------------------------------------------------------------------

    def _send(self, reply: Reply, request_id: str, client_request_id: str) -> None:
        try:
            self._write_reply(reply, request_id, client_request_id)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (timed out) before the answer: that is its business.
            self.close_connection = True

    def _write_reply(self, reply: Reply, request_id: str, client_request_id: str) -> None:
        if reply.encoded is not None:
            payload = reply.encoded
        else:
            payload = b"" if reply.body is None else json.dumps(reply.body).encode("utf-8")
        self.send_response(reply.status)  # also sends Date
        self.send_header("request-id", request_id)
        self.send_header("client-request-id", client_request_id)
        diagnostic = {"ServerInfo": {"DataCenter": "Loopback", "Slice": "E", "Ring": "0"}}
        self.send_header("x-ms-ags-diagnostic", json.dumps(diagnostic))
        if reply.body is not None or reply.encoded is not None:
            self.send_header("Content-Type", _JSON_TYPE)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.wfile.flush()


def _error_reply(fault: GraphFault, request_id: str, client_request_id: str) -> Reply:
    return Reply(fault.status, error_body(fault, request_id, client_request_id), fault.headers)
