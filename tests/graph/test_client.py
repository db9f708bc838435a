"""The Graph client against the emulator over loopback: paging, retries, errors, redaction."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from reconciler.emulator import Emulator
from reconciler.errors import GraphError, WriteOutcomeUnknown
from reconciler.graph import GraphClient
from reconciler.graph.retry import GraphRetry, read_retry
from reconciler.identity import Identity, Permission, StaticTokenProvider
from reconciler.logsetup import configure_logging

TOKEN = "client-test-token-abcdef"
COLLECTION = "education/synchronizationProfiles"


def body(name: str) -> dict:
    return {
        "displayName": name,
        "dataProvider": {"@odata.type": "#microsoft.graph.educationCsvDataProvider"},
        "identitySynchronizationConfiguration": {
            "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration",
            "userDomains": [{"appliesTo": "student", "name": "x.edu"}],
        },
    }


def tokens(token: str = TOKEN) -> StaticTokenProvider:
    return StaticTokenProvider(token, Identity(Permission.DELEGATED, "test token"))


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(token=TOKEN, page_size=3, provisioning_delay=0.01) as emu:
        yield emu


@pytest.fixture
def client(emulator: Emulator) -> Iterator[GraphClient]:
    c = GraphClient(emulator.base_url, tokens())
    yield c
    c.close()


def test_paging_follows_next_link_verbatim(client: GraphClient, emulator: Emulator) -> None:
    for i in range(10):
        client.write("POST", COLLECTION, body(f"p{i}"))
    emulator.requests_log.clear()
    items = client.list(COLLECTION)
    assert sorted(p["displayName"] for p in items) == sorted(f"p{i}" for i in range(10))
    gets = [e.path for e in emulator.requests_log.entries() if e.method == "GET"]
    assert len(gets) == 4  # 3 + 3 + 3 + 1
    assert all("skiptoken" in p.lower() for p in gets[1:])


def test_get_missing_is_none_and_other_errors_raise(client: GraphClient) -> None:
    assert client.get(f"{COLLECTION}/00000000-0000-0000-0000-000000000000") is None
    with pytest.raises(GraphError) as info:
        client.write("POST", COLLECTION, {"displayName": "x", "bogus": 1})
    error = info.value
    assert error.status == 400 and error.code and error.request_id
    assert "POST" in str(error) and "HTTP 400" in str(error) and error.request_id in str(error)


def test_401_names_status_code_and_request_id(emulator: Emulator) -> None:
    bad = GraphClient(emulator.base_url, tokens("wrong-token"))
    with pytest.raises(GraphError) as info:
        bad.list(COLLECTION)
    bad.close()
    assert info.value.status == 401
    assert info.value.code == "InvalidAuthenticationToken"
    assert info.value.request_id


def test_403_for_app_only_writes() -> None:
    import base64
    import json

    payload = (
        base64.urlsafe_b64encode(
            json.dumps({"roles": ["EduAdministration.ReadWrite.All"]}).encode()
        )
        .decode()
        .rstrip("=")
    )
    with Emulator(page_size=3) as open_emu:  # any bearer accepted; app-only writes refused
        app = GraphClient(open_emu.base_url, tokens(f"eyJhbGciOiJub25lIn0.{payload}.x"))
        assert app.list(COLLECTION) == []
        with pytest.raises(GraphError) as info:
            app.write("POST", COLLECTION, body("x"))
        app.close()
    assert info.value.status == 403


@pytest.mark.parametrize("status", [429, 503])
def test_reads_retry_throttling_with_fractional_retry_after(
    client: GraphClient, emulator: Emulator, status: int
) -> None:
    emulator.faults.fail_next(status, 2, retry_after=0.15)
    started = time.monotonic()
    assert client.list(COLLECTION) == []
    assert time.monotonic() - started >= 0.3  # both waits honoured, fractions included


def test_reads_retry_504_with_backoff(emulator: Emulator) -> None:
    fast = GraphClient(emulator.base_url, tokens(), reads=read_retry(backoff_factor=0.01))
    emulator.faults.fail_next(504, 2)
    assert fast.list(COLLECTION) == []
    fast.close()


def test_writes_retry_only_on_429_and_503_responses(
    client: GraphClient, emulator: Emulator
) -> None:
    emulator.faults.fail_next(429, 2, methods=["POST"], retry_after=0.01)
    created = client.write("POST", COLLECTION, body("a"))
    assert created.status == 201
    emulator.faults.fail_next(500, 1, methods=["POST"])
    with pytest.raises(GraphError) as info:
        client.write("POST", COLLECTION, body("b"))
    assert info.value.status == 500
    assert [p["displayName"] for p in client.list(COLLECTION)] == ["a"]


def test_retries_give_up_after_six_attempts_and_report(
    client: GraphClient, emulator: Emulator
) -> None:
    emulator.faults.fail_next(503, 10, retry_after=0.01)
    emulator.requests_log.clear()
    with pytest.raises(GraphError) as info:
        client.list(COLLECTION)
    assert info.value.status == 503 and info.value.request_id
    assert len(emulator.requests_log.entries()) == 6
    # The message says it was retried, and still names status, code and request-id.
    message = str(info.value)
    assert "failed with HTTP 503 (" in message and " after 6 attempts" in message
    assert f"request-id: {info.value.request_id}" in message


def test_a_write_that_used_up_its_retries_says_how_many_were_made(
    client: GraphClient, emulator: Emulator
) -> None:
    emulator.faults.fail_next(429, 10, methods=["POST"], retry_after=0.01)
    with pytest.raises(GraphError) as info:
        client.write("POST", COLLECTION, body("a"))
    assert info.value.attempts == 6
    assert "failed with HTTP 429 (" in str(info.value) and "after 6 attempts" in str(info.value)
    assert "after 6 attempts" in str(info.value.with_subject("profile 'a'"))


def test_an_error_that_was_not_retried_does_not_mention_attempts(client: GraphClient) -> None:
    with pytest.raises(GraphError) as info:
        client.write("POST", COLLECTION, {"displayName": "x", "bogus": 1})
    assert info.value.attempts == 1 and "attempt" not in str(info.value)


def test_retry_after_is_capped_at_sixty_seconds() -> None:
    retry = read_retry()
    assert retry.parse_retry_after("2.128") == pytest.approx(2.128)
    assert retry.parse_retry_after("3600") == 60.0
    assert isinstance(retry.new(), GraphRetry)


def test_dropped_write_is_reported_as_unknown_outcome(
    client: GraphClient, emulator: Emulator
) -> None:
    emulator.faults.drop_after_commit = 1
    with pytest.raises(WriteOutcomeUnknown):
        client.write("POST", COLLECTION, body("once"))
    # the write happened; the client did not send it again
    assert [p["displayName"] for p in client.list(COLLECTION)] == ["once"]


def test_read_timeout_is_a_graph_error(emulator: Emulator) -> None:
    slow = GraphClient(emulator.base_url, tokens(), timeout=(1.0, 0.2), reads=read_retry(0.01))
    emulator.faults.latency_ms = 400
    with pytest.raises(GraphError) as info:
        slow.list(COLLECTION)
    slow.close()
    assert "timed out" in str(info.value) or "Timeout" in str(info.value)


def test_connection_refused_is_a_graph_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead = GraphClient(f"http://127.0.0.1:{port}/beta", tokens(), reads=read_retry(0.01))
    with pytest.raises(GraphError) as info:
        dead.list(COLLECTION)
    assert info.value.status is None


def test_next_link_to_another_host_is_refused(emulator: Emulator) -> None:
    # A tiny fake Graph whose nextLink points elsewhere: the token must not follow it.
    import http.server
    import json

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            payload = json.dumps(
                {"value": [], "@odata.nextLink": "http://127.0.0.2:1/beta/x"}
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        rogue = GraphClient(f"http://127.0.0.1:{server.server_address[1]}/beta", tokens())
        with pytest.raises(GraphError, match="another host"):
            rogue.list(COLLECTION)
    finally:
        server.shutdown()


def test_debug_log_redacts_token_and_secrets(
    client: GraphClient, emulator: Emulator, caplog, capsys
) -> None:
    configure_logging("debug")
    secret_body = body("s") | {
        "dataProvider": {
            "@odata.type": "#microsoft.graph.educationPowerSchoolDataProvider",
            "connectionUrl": "https://ps",
            "clientId": "id",
            "clientSecret": "very-secret-value-42",
        }
    }
    client.write("POST", COLLECTION, secret_body)
    client.list(COLLECTION)
    err = capsys.readouterr().err
    assert "client-request-id=" in err and "request-id=" in err
    assert TOKEN not in err
    assert "very-secret-value-42" not in err
    logging.getLogger("reconciler").handlers.clear()


def test_writes_are_not_retried_on_413() -> None:
    from reconciler.graph.retry import write_retry

    assert not write_retry().is_retry("POST", 413, True)
    assert write_retry().is_retry("POST", 429, True)


def _settled(fake: Any, request: tuple[str, str]) -> None:
    """Wait until `request` was made, then a little longer: time for any request after it."""
    deadline = time.monotonic() + 10
    while request not in fake.log and time.monotonic() < deadline:
        time.sleep(0.01)
    assert request in fake.log
    time.sleep(0.2)


def test_a_page_is_checked_while_the_next_is_asked_for_and_problems_keep_their_order() -> None:
    """The next page is requested before this page's items are checked; a problem on this
    page is still the one reported (not the next page's, nor a bad link beside it). Each good
    page is handed to `on_page` in order."""
    from tests.campaigns.test_bad_answers import Answer, FakeGraph, page

    fake = FakeGraph()
    try:
        first = "/beta/things"
        fake.script[first] = page([{"id": "1"}, "not an object"], f"{fake.base}/beta/p2")
        fake.script["/beta/p2"] = page([{"id": "2"}], f"{fake.base}/beta/p3")
        fake.script["/beta/p3"] = page([{"id": "3"}])
        client = GraphClient(f"{fake.base}/beta", tokens())
        handed: list[list[str]] = []

        def hear(page: list[dict]) -> None:
            handed.append([item["id"] for item in page])

        with pytest.raises(GraphError, match="item 2 of the list is not an object") as failed:
            client.list("things", on_page=hear)
        assert handed == []  # a page is handed on only once every item of it passed
        assert f"{fake.base}{first}" in str(failed.value)
        _settled(fake, ("GET", "/beta/p2"))
        assert ("GET", "/beta/p3") not in fake.log  # nothing read past the page after
        # A caller failing on a good page (here its `on_page`) stops the reading there too.
        fake.script[first] = page([{"id": "1"}], f"{fake.base}/beta/p2")
        fake.log.clear()

        def refuse(page: list[dict]) -> None:
            raise RuntimeError("the caller gives up")

        with pytest.raises(RuntimeError, match="gives up"):
            client.list("things", on_page=refuse)
        _settled(fake, ("GET", "/beta/p2"))
        assert ("GET", "/beta/p3") not in fake.log
        # A page not shaped as Graph sends it ends the read before its link is followed.
        fake.script[first] = Answer(
            body=json.dumps(
                {"value": {"id": "1"}, "@odata.nextLink": f"{fake.base}/beta/p2"}
            ).encode()
        )
        fake.log.clear()
        with pytest.raises(GraphError, match="without a 'value' list"):
            client.list("things")
        time.sleep(0.2)
        assert ("GET", "/beta/p2") not in fake.log
        fake.script[first] = page(["bad"], "http://127.0.0.2:1/beta/p2")
        with pytest.raises(GraphError, match="item 1 of the list is not an object"):
            client.list("things")
        fake.script[first] = page([{"id": "1"}], f"{fake.base}/beta/p2")
        assert [item["id"] for item in client.list("things", on_page=hear)] == ["1", "2", "3"]
        assert handed == [["1"], ["2"], ["3"]]
        client.close()
    finally:
        fake.close()
