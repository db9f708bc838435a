"""Answers that are not Graph's JSON, at the client: reads refuse them with what arrived, writes
keep what they can, and redirects are never followed (tests/campaigns/test_bad_answers.py
drives the CLI through every kind of bad answer)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from reconciler.errors import GraphError, WriteOutcomeUnknown
from reconciler.graph import GraphClient
from reconciler.graph.answers import describe, read_json, summary
from reconciler.identity import Identity, Permission, StaticTokenProvider
from tests.campaigns.test_bad_answers import HTML, LIST, REQUEST_ID, Answer, FakeGraph, page

TOKENS = StaticTokenProvider("t", Identity(Permission.DELEGATED, "test token"))


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph()
    yield fake
    fake.close()


@pytest.fixture
def client(graph: FakeGraph) -> Iterator[GraphClient]:
    c = GraphClient(f"{graph.base}/beta", TOKENS)
    yield c
    c.close()


def test_get_of_something_that_is_not_an_object_fails(
    graph: FakeGraph, client: GraphClient
) -> None:
    graph.script = {f"{LIST}/x": Answer(body=b"[1, 2]")}
    with pytest.raises(GraphError) as info:
        client.get(f"{LIST.removeprefix('/beta/')}/x")
    assert info.value.code == "UnexpectedResponse"
    assert info.value.graph_message == "JSON that is not an object"
    assert info.value.request_id == REQUEST_ID


def test_get_of_an_empty_200_fails_instead_of_meaning_gone(
    graph: FakeGraph, client: GraphClient
) -> None:
    # apply's exactly-once recovery reads "None" as "the object is gone".
    graph.script = {f"{LIST}/x": Answer(body=b"")}
    with pytest.raises(GraphError, match="the answer is empty where Graph sends JSON"):
        client.get(f"{LIST.removeprefix('/beta/')}/x")


def test_get_404_is_still_none(graph: FakeGraph, client: GraphClient) -> None:
    assert client.get("education/synchronizationProfiles/missing") is None


def test_a_redirected_write_is_not_followed_nor_an_unknown_outcome(
    graph: FakeGraph, client: GraphClient
) -> None:
    graph.write_answer = Answer(302, b"", None, {"Location": f"{graph.base}/elsewhere"})
    with pytest.raises(GraphError) as info:
        client.write("POST", LIST.removeprefix("/beta/"), {"displayName": "x"})
    assert not isinstance(info.value, WriteOutcomeUnknown)
    assert (info.value.status, info.value.code) == (302, "Redirect")
    assert graph.log == [("POST", LIST)]  # requests would have turned it into a GET


def test_a_write_keeps_working_with_an_answer_that_is_not_json(
    graph: FakeGraph, client: GraphClient
) -> None:
    graph.write_answer = Answer(201, b"created", "text/plain", {"Location": f"{graph.base}/p/1"})
    response = client.write("POST", LIST.removeprefix("/beta/"), {"displayName": "x"})
    assert (response.status, response.body, response.location) == (201, None, f"{graph.base}/p/1")


def test_a_good_list_still_reads(graph: FakeGraph, client: GraphClient) -> None:
    graph.script = {
        LIST: page([{"id": "1"}], f"{graph.base}/beta/p2"),
        "/beta/p2": page([{"id": "2"}]),
    }
    assert client.list(LIST.removeprefix("/beta/")) == [{"id": "1"}, {"id": "2"}]


def test_error_pages_are_summarised_on_one_line() -> None:
    assert describe(HTML, "text/html") == 'an HTML page ("Sign in to Contoso Wi-Fi")'
    assert describe(b"<html><body>x</body></html>", None) == "an HTML page"
    assert describe(b"", "text/plain") == "0 bytes of text/plain"
    assert summary(b"Service\n  Unavailable\n", "text/plain") == "Service Unavailable"
    assert summary(b"", None) is None
    long = summary(b"x" * 1000, "text/plain")
    assert long is not None and len(long) == 301 and long.endswith("…")


@pytest.mark.parametrize(
    ("content", "content_type", "problem"),
    [
        (b'{"value": []}', "application/json; odata.metadata=minimal", None),
        (b'{"value": []}', None, None),
        (b'{"value": []}', "application/problem+json", None),
        (b"   ", "application/json", "the answer is empty where Graph sends JSON"),
        (b'{"a": 1} x', "application/json", "the answer is not valid JSON: Extra data"),
        (b"[" * 100_000, "application/json", "the answer is not valid JSON"),
    ],
)
def test_read_json(content: bytes, content_type: str | None, problem: str | None) -> None:
    found = read_json(content, content_type).problem
    assert found == problem if problem is None else found is not None and found.startswith(problem)


def test_json_cut_off_is_named_so() -> None:
    body = json.dumps({"value": [{"id": "1"}]}).encode()[:-3]
    assert read_json(body, "application/json").problem == (
        f"the answer is not valid JSON: it ends after {len(body)} bytes, in the middle of a "
        "value (cut off?)"
    )
