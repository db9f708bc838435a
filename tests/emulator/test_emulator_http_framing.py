"""Request framing at the emulator's HTTP face: chunked bodies, bad or oversized lengths (each
answered with a Graph error, then the connection closed), HEAD, and a state file that cannot be
saved (the write still happened and is answered)."""

from __future__ import annotations

import json
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from reconciler.emulator import Emulator
from reconciler.emulator.server import MAX_BODY_BYTES
from tests.emulator.emulator_helpers import CSV_PROFILE, TOKEN, Graph

PATH = "/beta/education/synchronizationProfiles"


def _raw(emu: Emulator, head: str, body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are (no client library fixing the framing); read one answer."""
    parts = urlsplit(emu.base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as conn:
        conn.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        data = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
    header_text, _, payload = data.partition(b"\r\n\r\n")
    status_line, *lines = header_text.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, payload


def _head(method: str, *extra: str) -> str:
    return (
        "\n".join(
            [
                f"{method} {PATH} HTTP/1.1",
                "Host: 127.0.0.1",
                f"Authorization: Bearer {TOKEN}",
                *extra,
            ]
        )
        + "\n"
    )


def test_a_chunked_body_is_read(emu: Emulator, graph: Graph) -> None:
    text = json.dumps(CSV_PROFILE).encode()
    response = graph.post(data=iter([text[:10], text[10:]]))  # requests sends it chunked
    assert response.status_code == 201, response.text
    assert emu.tenant.ids() == [response.json()["id"]]


@pytest.mark.parametrize(
    ("extra", "body", "status", "message"),
    [
        (("Transfer-Encoding: chunked",), b"zz\r\n{}\r\n0\r\n\r\n", 400, "Malformed chunked"),
        (("Transfer-Encoding: chunked",), f"{MAX_BODY_BYTES + 1:x}\r\n".encode(), 413, "too large"),
        (("Content-Length: ten",), b"", 400, "Invalid Content-Length 'ten'."),
        ((f"Content-Length: {MAX_BODY_BYTES + 1}",), b"", 413, "too large"),
    ],
)
def test_bad_framing_is_a_graph_error_and_the_connection_closes(
    emu: Emulator, extra: tuple[str, ...], body: bytes, status: int, message: str
) -> None:
    answered, headers, payload = _raw(emu, _head("POST", *extra), body)
    assert answered == status
    assert headers["connection"] == "close"
    error = json.loads(payload)["error"]
    assert error["code"] == "badRequest" and message in error["message"]
    assert error["innerError"]["request-id"] == headers["request-id"]
    assert emu.tenant.ids() == []


def test_chunked_trailers_are_read_past(emu: Emulator) -> None:
    text = json.dumps(CSV_PROFILE).encode()
    body = f"{len(text):x};ext=1\r\n".encode() + text + b"\r\n0\r\nX-Trailer: 1\r\n\r\n"
    status, _headers, _payload = _raw(
        emu, _head("POST", "Transfer-Encoding: chunked", "Connection: close"), body
    )
    assert status == 201
    assert len(emu.tenant.ids()) == 1


def test_head_answers_headers_only(emu: Emulator) -> None:
    status, headers, payload = _raw(emu, _head("HEAD", "Connection: close"))
    assert status == 405 and headers["allow"] == "GET, POST, PUT"  # as Graph: not allowed
    assert int(headers["content-length"]) > 0 and payload == b""  # the length, not the body


@pytest.fixture
def saved_emulator(tmp_path: Path) -> Iterator[tuple[Emulator, Path]]:
    folder = tmp_path / "state"
    folder.mkdir()
    with Emulator(token=TOKEN, state_file=folder / "tenant.json") as emu:
        yield emu, folder
        if folder.is_file():  # so that the final save on stop works
            folder.unlink()


def test_a_write_whose_state_file_cannot_be_saved_is_still_answered(
    saved_emulator: tuple[Emulator, Path], caplog: pytest.LogCaptureFixture
) -> None:
    emu, folder = saved_emulator
    shutil.rmtree(folder)
    folder.write_text("a file where the state directory was: the next save fails")
    response = Graph(emu.base_url).post(json=CSV_PROFILE)
    assert response.status_code == 201
    assert emu.tenant.ids() == [response.json()["id"]]
    assert "could not save the emulator state file" in caplog.text
