"""Connections say, on the thread that sent a request, when it is on the wire: over loopback,
before the answer has come, once per request, and only to the thread that asked."""

from __future__ import annotations

import threading

import requests

from reconciler.graph import GraphClient, wire
from tests.campaigns.test_bad_answers import Answer, FakeGraph, page
from tests.graph.test_client import tokens


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
        said.append("held")
        heard.set()

    def get() -> None:
        with wire.when_sent(hear):
            session.get(f"{fake.base}/beta/held", timeout=10).raise_for_status()
        answered.set()

    asking = threading.Thread(target=get)
    try:
        asking.start()
        assert heard.wait(10)
        assert not answered.is_set()  # said before the answer came
        # Another thread's request tells this thread's listener nothing.
        session.get(f"{fake.base}/beta/quick", timeout=10).raise_for_status()
        release.set()
        asking.join(10)
        assert answered.is_set() and said == ["held"]
        # Nor does a request after the block.
        session.get(f"{fake.base}/beta/quick", timeout=10).raise_for_status()
        assert said == ["held"]
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
