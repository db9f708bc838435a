"""Bad Graph answers, served by a small scripted server on 127.0.0.1, read by the real CLI:
each is one plain line naming the request-id where there is one, no traceback, and `apply`
writes nothing after a bad read.

Each scenario answers the profile list (and whatever its nextLinks point to); every request
the server gets is logged, so a write after a bad read cannot go unseen.
"""

from __future__ import annotations

import http.server
import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.desired.test_validation_rules import VALID

LIST = "/beta/education/synchronizationProfiles"
REQUEST_ID = "5e1f-req-0042"
HTML = (
    b"<!DOCTYPE html>\n<html><head><title>Sign in to Contoso Wi-Fi</title></head>\n"
    b"<body><form>...</form></body></html>\n"
)
PROFILE = {
    "id": "0f3c0000-0000-0000-0000-000000000001",
    "displayName": "Other",
    "state": "provisioned",
    "dataProvider": {"@odata.type": "#microsoft.graph.educationCsvDataProvider"},
    "identitySynchronizationConfiguration": {
        "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration",
        "userDomains": [{"appliesTo": "student", "name": "x.edu"}],
    },
}


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    content_type: str | None = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    #: Claim this many bytes in Content-Length but send only `body`, then close.
    claimed_length: int | None = None


def page(items: list[object], next_link: str | None = None) -> Answer:
    body: dict[str, object] = {"value": items}
    if next_link:
        body["@odata.nextLink"] = next_link
    return Answer(body=json.dumps(body).encode())


class FakeGraph:
    """Answers GETs from a script (path → Answer) and logs every request."""

    def __init__(self) -> None:
        self.script: dict[str, Answer | Callable[[], Answer]] = {}
        #: How writes are answered (accepted, so that a write after a bad read would show).
        self.write_answer = Answer(201, json.dumps({**PROFILE, "id": "new"}).encode())
        self.log: list[tuple[str, str]] = []
        handler = self._handler()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def writes(self) -> list[tuple[str, str]]:
        return [entry for entry in self.log if entry[0] != "GET"]

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        graph = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                graph.log.append((self.command, self.path))
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                if self.command == "GET":
                    scripted = graph.script.get(self.path, Answer(404, b'{"error": {}}'))
                    answer = scripted() if callable(scripted) else scripted
                else:
                    answer = graph.write_answer
                self.send_response(answer.status)
                self.send_header("request-id", REQUEST_ID)
                if answer.content_type:
                    self.send_header("Content-Type", answer.content_type)
                claimed = answer.claimed_length or len(answer.body)
                self.send_header("Content-Length", str(claimed))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if answer.claimed_length:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                try:
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client stopped reading (too large)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

            def log_message(self, *args: object) -> None:
                pass

        return Handler


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGraph]:
    fake = FakeGraph()
    monkeypatch.setenv("EDUSYNC_ACCESS_TOKEN", "t")
    monkeypatch.setenv("EDUSYNC_GRAPH_URL", f"{fake.base}/beta")
    for name in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "EDUSYNC_FORMAT", "EDUSYNC_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    yield fake
    fake.close()


def error_line(err: str) -> str:
    """The one line that names the failed read (client-request-ids are random: masked)."""
    lines = [ln for ln in err.splitlines() if "failed" in ln]
    assert len(lines) == 1, err
    return re.sub(r"client-request-id: [0-9a-f-]{36}", "client-request-id: *", lines[0])


def scenarios(base: str) -> list[tuple[str, dict[str, Answer | Callable[[], Answer]], str]]:
    """(name, script, what the error line says after `failed with `)."""
    many = json.dumps({"value": [{"id": str(i)} for i in range(100_000)]}).encode()
    return [
        (
            "truncated JSON",
            {LIST: Answer(body=b'{"value": [{"id": "0f3c", "displayName": "Oth')},
            "HTTP 200 (UnexpectedResponse): the answer is not valid JSON: it ends after 45 "
            "bytes, in the middle of a value (cut off?)",
        ),
        (
            "body shorter than its Content-Length",
            {LIST: Answer(body=b'{"value": [', claimed_length=5000)},
            ": the answer from 127.0.0.1 port {port} was cut off (IncompleteRead(11 bytes read, "
            "4989 more expected)) [answer cut off; request-id: 5e1f-req-0042, client-request-id: *]",
        ),
        (
            "HTML page with 200",
            {LIST: Answer(body=HTML, content_type="text/html; charset=utf-8")},
            'HTTP 200 (UnexpectedResponse): the answer is an HTML page ("Sign in to Contoso '
            'Wi-Fi"), not JSON',
        ),
        (
            "HTML error page with 502",
            {LIST: Answer(502, HTML, "text/html")},
            'HTTP 502 (Bad Gateway): an HTML page ("Sign in to Contoso Wi-Fi")',
        ),
        (
            "wrong content type",
            {LIST: Answer(body=json.dumps({"value": []}).encode(), content_type="text/plain")},
            'HTTP 200 (UnexpectedResponse): the answer is text/plain "{"value": []}", not JSON',
        ),
        (
            "empty 200",
            {LIST: Answer(body=b"")},
            "HTTP 200 (UnexpectedResponse): the answer is empty where Graph sends JSON",
        ),
        (
            "JSON without a value list",
            {LIST: Answer(body=b'{"error": null}')},
            "HTTP 200 (UnexpectedResponse): a collection answer without a 'value' list",
        ),
        (
            "nextLink to another host",
            {LIST: page([], "http://127.0.0.2:1/beta/education/synchronizationProfiles?p=2")},
            "HTTP 200 (UnexpectedNextLink): @odata.nextLink points to another host "
            "(http://127.0.0.2:1); refused to send the token there",
        ),
        (
            "nextLink from https to http on the same host",
            {LIST: page([], "https://127.0.0.1:{port}/beta/p2")},
            "HTTP 200 (UnexpectedNextLink): @odata.nextLink points to another host "
            "(https://127.0.0.1:{port}); refused to send the token there",
        ),
        (
            "nextLink looping",
            {
                LIST: page([], base + "/beta/p2"),
                "/beta/p2": page([], base + LIST),
            },
            "HTTP 200 (PagingLoop): the server repeated a nextLink; stopped to avoid a loop",
        ),
        (
            "nextLink that is not a URL",
            {LIST: page([], "p2")},
            "HTTP 200 (UnexpectedResponse): @odata.nextLink 'p2' is not a URL",
        ),
        (
            "a page of 100,000 items",
            {LIST: Answer(body=many)},
            "HTTP 200 (UnexpectedResponse): a page of 100,000 items (Graph sends at most 999 "
            "per page); refused rather than read on",
        ),
        (
            "an answer over 16 MiB",
            {LIST: Answer(body=b" " * (17 * 2**20))},
            "HTTP 200 (UnexpectedResponse): the answer is larger than 16 MiB; refused",
        ),
        (
            "unknown @odata.type",
            {
                LIST: page(
                    [
                        {
                            **PROFILE,
                            "dataProvider": {"@odata.type": "#microsoft.graph.educationFooV2"},
                        }
                    ]
                )
            },
            "HTTP 200 (UnexpectedResponse): item 1 of the list "
            "0f3c0000-0000-0000-0000-000000000001 (displayName 'Other'): dataProvider."
            "@odata.type '#microsoft.graph.educationFooV2' is not a type this version of "
            "edusync-reconcile knows; upgrade it, and report the type if the newest version "
            "does not know it either",
        ),
        (
            "missing id",
            {LIST: page([{k: v for k, v in PROFILE.items() if k != "id"}])},
            "HTTP 200 (UnexpectedResponse): item 1 of the list has no id (displayName 'Other')",
        ),
        (
            "an item that is not an object",
            {LIST: page([PROFILE, "oops"])},
            "HTTP 200 (UnexpectedResponse): item 2 of the list is not an object",
        ),
        (
            "a set holding objects",
            {
                LIST: page(
                    [
                        {
                            **PROFILE,
                            "licensesToAssign": [{"appliesTo": "student", "skuIds": [{}]}],
                        }
                    ]
                )
            },
            "HTTP 200 (UnexpectedResponse): item 1 of the list "
            "0f3c0000-0000-0000-0000-000000000001 (displayName 'Other'): "
            "licensesToAssign[0].skuIds[0] is an object where Graph sends a single value",
        ),
        (
            "a list key with brackets",
            {LIST: page([{**PROFILE, "licensesToAssign": [{"appliesTo": "[x]", "skuIds": []}]}])},
            "HTTP 200 (UnexpectedResponse): item 1 of the list "
            "0f3c0000-0000-0000-0000-000000000001 (displayName 'Other'): "
            "licensesToAssign[0].appliesTo '[x]' cannot name a list item (Graph's keys have no "
            "brackets)",
        ),
        (
            "302 redirect",
            {LIST: Answer(302, b"", None, {"Location": "https://login.example.net/portal"})},
            "HTTP 302 (Redirect): the server redirects to https://login.example.net/portal, and "
            "Graph never redirects its API: not followed (is --graph-url / EDUSYNC_GRAPH_URL "
            "right, with https://? is a proxy or sign-in page answering?)",
        ),
    ]


SCENARIO_NAMES = [s[0] for s in scenarios("")]


def run_scenario(
    graph: FakeGraph, cli: Callable[..., object], name: str, tree: Path, *args: str
) -> tuple[int, str]:
    port = graph.base.rsplit(":", 1)[1]
    [(_, script, expected)] = [s for s in scenarios(graph.base) if s[0] == name]
    graph.script = {
        path: (
            Answer(a.status, a.body.replace(b"{port}", port.encode()), a.content_type, a.headers)
            if isinstance(a, Answer) and a.claimed_length is None
            else a
        )
        for path, a in script.items()
    }
    result = cli(*args, str(tree))
    line = error_line(result.err)  # type: ignore[attr-defined]
    url = f"{graph.base}{LIST}"
    failed_at = next(iter(script)) if "loop" not in name else "/beta/p2"
    expected_line = (
        f"error: reading synchronizationProfile list: GET {graph.base}{failed_at} failed"
        f"{'' if expected.startswith(':') else ' with '}{expected.replace('{port}', port)}"
    )
    assert line.startswith(expected_line), (line, expected_line)
    assert line.endswith(f"request-id: {REQUEST_ID}, client-request-id: *]"), line
    assert url in line or failed_at in line
    assert "Traceback" not in result.err + result.out  # type: ignore[attr-defined]
    assert "internal error" not in result.err  # type: ignore[attr-defined]
    return result.code, line  # type: ignore[attr-defined]


@pytest.fixture
def tree(write_tree: Callable[[dict[str, str]], Path]) -> Path:
    return write_tree({"p.yaml": VALID})


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_plan_refuses_a_bad_answer_in_one_line(
    graph: FakeGraph, cli, tree: Path, name: str
) -> None:
    code, _ = run_scenario(graph, cli, name, tree, "plan")
    assert code == 1
    assert graph.writes == []


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_apply_writes_nothing_after_a_bad_read(
    graph: FakeGraph, cli, tree: Path, name: str
) -> None:
    code, _ = run_scenario(graph, cli, name, tree, "apply", "--auto-approve", "--no-wait")
    assert code == 1
    assert graph.writes == [], graph.log


def test_apply_writes_after_a_good_read(graph: FakeGraph, cli, tree: Path) -> None:
    # The control: the same server and tree with a good answer is written to, so the
    # assertions above can fail.
    graph.script = {LIST: page([PROFILE])}
    result = cli("apply", "--auto-approve", "--no-wait", str(tree))
    assert result.code == 0, result.err
    assert graph.writes == [("POST", LIST)]
