"""Graph-shaped errors and headers: 400 / 401 / 403 / 404 / 405, request ids, keep-alive."""

from __future__ import annotations

import http.client
import json
import uuid
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import pytest
import requests

from reconciler.emulator import Emulator
from tests.emulator.emulator_helpers import CSV_PROFILE, TOKEN, Graph, body, jwt


def error_of(response: requests.Response) -> dict[str, object]:
    payload = response.json()
    assert set(payload) == {"error"}
    error: dict[str, object] = payload["error"]
    inner = error["innerError"]
    assert isinstance(inner, dict)
    assert inner["request-id"] == response.headers["request-id"]
    assert inner["client-request-id"] == response.headers["client-request-id"]
    assert inner["date"]
    return error


def test_every_response_carries_correlation_headers(graph: Graph) -> None:
    mine = str(uuid.uuid4())
    echoed = graph.get(headers={"client-request-id": mine})
    assert echoed.headers["client-request-id"] == mine
    uuid.UUID(echoed.headers["request-id"])
    parsedate_to_datetime(echoed.headers["Date"])
    fresh = graph.get()
    uuid.UUID(fresh.headers["client-request-id"])
    assert fresh.headers["request-id"] != echoed.headers["request-id"]


def test_400_for_invalid_bodies_is_graph_shaped_and_readable(graph: Graph) -> None:
    sent = body(CSV_PROFILE, state="provisioned")
    sent["dataProvider"] = {"customizations": {}}
    response = graph.post(json=sent)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "ModelValidationFailed"
    message = str(error["message"])
    assert "state: is read-only" in message
    assert "dataProvider: @odata.type is required" in message
    assert graph.get().json()["value"] == []


def test_400_for_bodies_that_are_not_json(graph: Graph) -> None:
    broken = graph.post(data=b"{not json", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400
    assert "not valid JSON" in str(error_of(broken)["message"])
    empty = graph.post()
    assert empty.status_code == 400
    assert "request body is required" in str(error_of(empty)["message"])


def test_unknown_members_are_400_over_http(graph: Graph) -> None:
    sent = body(CSV_PROFILE, licensesToAssign=[{"appliesTo": "teacher", "skus": ["A"]}])
    response = graph.post(json=sent)
    assert response.status_code == 400
    assert "licensesToAssign[0].skus: unknown property" in str(error_of(response)["message"])


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz"],
)
def test_401_without_a_bearer_token(emu: Emulator, authorization: str | None) -> None:
    graph = Graph(emu.base_url, token=None)
    headers = {} if authorization is None else {"Authorization": authorization}
    response = graph.get(headers=headers)
    assert response.status_code == 401
    assert error_of(response)["code"] == "InvalidAuthenticationToken"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.fixture
def locked() -> Iterator[Emulator]:
    with Emulator(token=TOKEN) as emulator:
        yield emulator


def test_a_configured_token_must_match(locked: Emulator) -> None:
    assert Graph(locked.base_url, token=TOKEN).get().status_code == 200
    wrong = Graph(locked.base_url, token="someone-else").get()
    assert wrong.status_code == 401
    assert error_of(wrong)["code"] == "InvalidAuthenticationToken"


def test_app_only_tokens_cannot_write_profiles(emu: Emulator) -> None:
    profile_id = emu.tenant.seed_profile(CSV_PROFILE)
    app = Graph(emu.base_url, token=jwt({"roles": ["EduAdministration.ReadWrite.All"]}))
    for method, path in (
        ("POST", ""),
        ("PUT", f"/{profile_id}"),
        ("PATCH", f"/{profile_id}"),
        ("DELETE", f"/{profile_id}"),
    ):
        response = app.request(method, path, json=CSV_PROFILE if method != "DELETE" else None)
        assert response.status_code == 403, method
        error = error_of(response)
        assert error["code"] == "Authorization_RequestDenied"
        assert "application permissions are not supported" in str(error["message"])
    assert emu.tenant.ids() == [profile_id]
    assert emu.tenant.get(profile_id)["state"] == "provisioned"  # nothing was carried out
    # Reads and the run-state actions are allowed for applications (§1 table).
    assert app.get().status_code == 200
    assert app.get(f"/{profile_id}/profileStatus").status_code == 200
    for action in ("pause", "resume", "reset"):
        assert app.post(f"/{profile_id}/{action}").status_code == 200


@pytest.mark.parametrize(
    "token",
    [
        jwt({"scp": "EduAdministration.ReadWrite", "roles": ["x"]}),  # delegated (scp present)
        jwt({"scp": "EduAdministration.ReadWrite"}),
        "opaque-token",  # not a JWT: no permission guess
    ],
)
def test_delegated_and_opaque_tokens_can_write(emu: Emulator, token: str) -> None:
    assert Graph(emu.base_url, token=token).post(json=CSV_PROFILE).status_code == 201


@pytest.mark.parametrize(
    "path",
    [
        "/beta/education/classes",
        "/v1.0/education/synchronizationProfiles",
        "/beta/education/synchronizationProfiles/abc/unknownChild",
        "/beta/education/synchronizationProfiles/abc/errors/extra",
        "/",
    ],
)
def test_unknown_paths_are_404(emu: Emulator, path: str) -> None:
    origin = emu.base_url.rsplit("/", 1)[0]
    response = requests.get(
        f"{origin}{path}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5
    )
    assert response.status_code == 404
    assert error_of(response)["code"] == "ResourceNotFound"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "", "GET, POST, PUT"),
        ("PATCH", "", "GET, POST, PUT"),
        ("POST", "/abc", "DELETE, GET, PATCH, PUT"),
        ("GET", "/abc/pause", "POST"),
        ("DELETE", "/abc/profileStatus", "GET, PATCH, POST"),
        ("POST", "/abc/errors", "GET"),
        ("OPTIONS", "", "GET, POST, PUT"),
    ],
)
def test_wrong_methods_are_405(graph: Graph, method: str, path: str, allowed: str) -> None:
    response = graph.request(method, path)
    assert response.status_code == 405
    assert response.headers["Allow"] == allowed
    assert error_of(response)["code"] == "methodNotAllowed"


def test_paths_match_case_insensitively(graph: Graph, emu: Emulator) -> None:
    profile_id = emu.tenant.seed_profile(CSV_PROFILE)
    origin = emu.base_url
    response = graph.session.get(
        f"{origin}/Education/SynchronizationProfiles/{profile_id}/ProfileStatus", timeout=5
    )
    assert response.status_code == 200


def test_http11_keep_alive_with_content_length(emu: Emulator) -> None:
    address = urlsplit(emu.base_url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=5)
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    try:
        connection.request(
            "POST", "/beta/education/synchronizationProfiles", json.dumps(CSV_PROFILE), headers
        )
        created = connection.getresponse()
        payload = created.read()
        socket_after_first = connection.sock
        assert created.version == 11
        assert int(created.headers["Content-Length"]) == len(payload)
        connection.request(
            "POST",
            f"/beta/education/synchronizationProfiles/{json.loads(payload)['id']}/pause",
            headers=headers,
        )
        paused = connection.getresponse()
        assert paused.read() == b""
        assert paused.status == 200
        assert paused.headers["Content-Length"] == "0"
        assert connection.sock is socket_after_first  # the same connection served both
    finally:
        connection.close()


def test_a_stopped_emulator_serves_nothing(emu: Emulator, graph: Graph) -> None:
    assert graph.get().status_code == 200  # a keep-alive connection is now open
    emu.stop()
    with pytest.raises(requests.ConnectionError):
        graph.get()
