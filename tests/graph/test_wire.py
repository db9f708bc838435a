"""Connections say, on the thread that sent a request, when it is on the wire: over loopback,
before the answer has come, once per request, and only to the thread that asked."""

from __future__ import annotations

import http.server
import ssl
import threading
import time
from pathlib import Path

import pytest
import requests

from reconciler.graph import GraphClient, wire
from tests.campaigns.test_bad_answers import Answer, FakeGraph, page
from tests.graph.test_client import tokens
from tests.graph.test_failures import _Quiet, _self_signed


def test_a_request_is_said_sent_while_its_answer_is_still_held() -> None:
    fake = FakeGraph()
    release = threading.Event()

    def held() -> Answer:
        release.wait(10)
        return page([])

    fake.script["/beta/held"] = held
    fake.script["/beta/quick"] = page([])
    session = requests.Session()
    session.mount("http://", wire.SayingSentAdapter())
    said: list[str] = []
    heard = threading.Event()
    answered = threading.Event()

    def hear() -> None:
        # Said once written: the server gets the request while this thread is still here.
        deadline = time.monotonic() + 10
        while ("GET", "/beta/held") not in fake.log and time.monotonic() < deadline:
            time.sleep(0.01)
        said.append("held" if ("GET", "/beta/held") in fake.log else "not on the wire")
        heard.set()

    def get() -> None:
        with wire.when_sent(hear):
            session.get(f"{fake.base}/beta/held", timeout=10).raise_for_status()
        answered.set()
        # After the block, this thread's requests say nothing.
        session.get(f"{fake.base}/beta/quick", timeout=10).raise_for_status()

    asking = threading.Thread(target=get)
    try:
        asking.start()
        assert heard.wait(10)
        assert not answered.is_set()  # said before the answer came
        # Another thread's request tells this thread's listener nothing.
        session.get(f"{fake.base}/beta/quick", timeout=10).raise_for_status()
        release.set()
        asking.join(10)
        assert answered.is_set() and not asking.is_alive() and said == ["held"]
    finally:
        release.set()
        session.close()
        fake.close()


def test_the_graph_clients_connections_say_sent() -> None:
    fake = FakeGraph()
    fake.script["/beta/things/1"] = Answer(body=b'{"id": "1"}')
    client = GraphClient(f"{fake.base}/beta", tokens())
    said: list[int] = []
    try:
        with wire.when_sent(lambda: said.append(1)):
            assert client.get("things/1") == {"id": "1"}  # a read on this thread
        assert said == [1]
    finally:
        client.close()
        fake.close()


def test_a_tls_request_is_said_sent_and_its_certificate_still_checked(tmp_path: Path) -> None:
    cert_file, key_file = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Quiet)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"https://127.0.0.1:{server.server_address[1]}/x"
    session = requests.Session()
    session.mount("https://", wire.SayingSentAdapter())
    said: list[int] = []
    try:
        with wire.when_sent(lambda: said.append(1)):
            with pytest.raises(requests.exceptions.SSLError):
                session.get(url, timeout=10)  # not trusted: refused before anything is sent
            assert said == []
            assert session.get(url, timeout=10, verify=str(cert_file)).json() == {}
        assert said == [1]
    finally:
        session.close()
        server.shutdown()
        server.server_close()
