"""Injected faults (spec §8): 429 with fractional Retry-After, 503, latency, dropped responses
after a committed write, all switchable at run time; and the request log tests assert on."""

from __future__ import annotations

import time

import pytest
import requests

from reconciler.emulator import Emulator, Faults, Scheduled
from reconciler.emulator.faults import format_seconds
from tests.emulator.emulator_helpers import CSV_PROFILE, TOKEN, Graph, body


@pytest.mark.parametrize("retry_after", [2.128, "2.128"])
def test_429_with_a_fractional_retry_after_and_nothing_done(
    emu: Emulator, graph: Graph, retry_after: float | str
) -> None:
    emu.faults.retry_after = retry_after
    emu.faults.fail_next(429)
    response = graph.post(json=CSV_PROFILE)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2.128"
    error = response.json()["error"]
    assert error["code"] == "TooManyRequests"
    assert error["innerError"]["request-id"] == response.headers["request-id"]
    assert emu.tenant.ids() == []  # the server said it did not act, and it did not
    assert graph.post(json=CSV_PROFILE).status_code == 201  # only one request was failed


def test_503_and_method_filtered_plans(emu: Emulator, graph: Graph) -> None:
    emu.faults.fail_next(503, 2, methods=["POST"], retry_after=0.5)
    assert graph.get().status_code == 200  # GET is not in the plan
    first, second = graph.post(json=CSV_PROFILE), graph.post(json=CSV_PROFILE)
    assert (first.status_code, second.status_code) == (503, 503)
    assert first.headers["Retry-After"] == "0.5"
    assert first.json()["error"]["code"] == "serviceNotAvailable"
    assert graph.post(json=CSV_PROFILE).status_code == 201


def test_planned_faults_without_retry_after(emu: Emulator, graph: Graph) -> None:
    emu.faults.retry_after = None
    emu.faults.fail_next(429)
    emu.faults.fail_next(504)
    throttled, timed_out = graph.get(), graph.get()
    assert throttled.status_code == 429 and "Retry-After" not in throttled.headers
    assert timed_out.status_code == 504 and "Retry-After" not in timed_out.headers


def statuses(seed: int, p429: float, p503: float, count: int) -> list[int]:
    with Emulator(seed=seed) as emu:
        emu.faults.p429 = p429
        emu.faults.p503 = p503
        graph = Graph(emu.base_url)
        return [graph.get().status_code for _ in range(count)]


def test_random_faults_are_reproducible_from_the_seed() -> None:
    first = statuses(7, 0.3, 0.3, 30)
    assert first == statuses(7, 0.3, 0.3, 30)
    assert {200, 429, 503} <= set(first)
    assert statuses(7, 0.0, 0.0, 10) == [200] * 10


def test_random_429_carries_the_default_fractional_retry_after() -> None:
    with Emulator() as emu:
        emu.faults.p429 = 1.0
        response = Graph(emu.base_url).get()
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "0.05"
        emu.faults.p429 = 0.0
        assert Graph(emu.base_url).get().status_code == 200


def test_latency_applies_to_every_request_and_can_be_switched_off(
    emu: Emulator, graph: Graph
) -> None:
    emu.faults.latency_ms = 150
    started = time.monotonic()
    graph.get()
    assert time.monotonic() - started >= 0.15
    emu.faults.latency_ms = 0
    started = time.monotonic()
    graph.get()
    assert time.monotonic() - started < 0.15


def test_the_request_log_times_each_request_from_receipt_to_answer(emu: Emulator) -> None:
    """What benchmarks read to time a write phase on the server's side."""
    emu.faults.latency_ms = 40
    before = time.monotonic()
    assert Graph(emu.base_url).post(json=CSV_PROFILE).status_code == 201
    after = time.monotonic()
    (entry,) = emu.requests_log.entries()
    assert before <= entry.received_at
    assert entry.received_at + 0.04 <= entry.replied_at <= after


def test_latency_from_the_constructor() -> None:
    with Emulator(latency_ms=100) as emu:
        started = time.monotonic()
        Graph(emu.base_url).get()
        assert time.monotonic() - started >= 0.1


def test_drop_after_commit_carries_out_the_write_and_closes_the_connection(
    emu: Emulator, graph: Graph
) -> None:
    emu.faults.drop_after_commit = 1
    with pytest.raises(requests.ConnectionError):
        graph.post(json=CSV_PROFILE)
    listed = graph.get().json()["value"]
    assert [p["displayName"] for p in listed] == [CSV_PROFILE["displayName"]]  # it exists
    assert emu.faults.drop_after_commit == 0
    assert graph.post(json=body(CSV_PROFILE, displayName="B")).status_code == 201
    dropped = [e for e in emu.requests_log if e.status is None]
    assert [(e.method, e.path) for e in dropped] == [
        ("POST", "/beta/education/synchronizationProfiles")
    ]


def test_drop_after_commit_counts_only_committed_writes(emu: Emulator, graph: Graph) -> None:
    profile_id = emu.tenant.seed_profile(CSV_PROFILE)
    emu.faults.drop_after_commit = 2
    assert graph.get().status_code == 200  # reads are never dropped
    assert graph.post(json={"displayName": "incomplete"}).status_code == 400  # not committed
    with pytest.raises(requests.ConnectionError):
        graph.put(f"/{profile_id}", json=body(CSV_PROFILE, displayName="Renamed"))
    with pytest.raises(requests.ConnectionError):
        graph.delete(f"/{profile_id}")
    assert emu.tenant.stored(profile_id)["displayName"] == "Renamed"
    assert emu.tenant.get(profile_id)["state"] == "deleting"
    assert graph.post(f"/{profile_id}/pause").status_code == 409  # drops used up; it is deleting


def test_the_request_log_redacts_tokens_and_counts_writes(emu: Emulator, graph: Graph) -> None:
    graph.get(params={"$top": "5"})
    graph.post(json=CSV_PROFILE)
    graph.post(json={"displayName": "bad"})
    entries = emu.requests_log.entries()
    assert [(e.method, e.path, e.status) for e in entries] == [
        ("GET", "/beta/education/synchronizationProfiles?%24top=5", 200),
        ("POST", "/beta/education/synchronizationProfiles", 201),
        ("POST", "/beta/education/synchronizationProfiles", 400),
    ]
    assert entries[1].body == CSV_PROFILE
    assert entries[0].body is None
    assert entries[0].headers["Authorization"] == "(redacted)"
    assert TOKEN not in repr(entries)
    assert emu.requests_log.count_writes() == 2
    emu.requests_log.clear()
    assert len(emu.requests_log) == 0
    assert emu.requests_log.count_writes() == 0


def test_fault_settings_are_validated() -> None:
    faults = Faults()
    with pytest.raises(ValueError, match="probability"):
        faults.p429 = 1.5
    with pytest.raises(ValueError, match="at least"):
        faults.latency_ms = -1
    with pytest.raises(ValueError, match="count of at least 1"):
        faults.fail_next(503, 0)
    faults.fail_next(503)
    faults.p503 = 0.5
    faults.clear()
    assert faults.draw("GET") is None


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.05, "0.05"), (2.128, "2.128"), (5, "5"), (0.00001, "0"), (1e-3, "0.001")],
)
def test_retry_after_is_written_in_decimal_seconds(seconds: float, text: str) -> None:
    assert format_seconds(seconds) == text


def test_a_schedule_decides_each_request_from_its_method_and_path(
    emu: Emulator, graph: Graph
) -> None:
    profile_id = emu.tenant.seed_profile(CSV_PROFILE)
    seen: list[tuple[str, str]] = []

    def schedule(method: str, path: str) -> Scheduled | None:
        seen.append((method, path))
        if method == "GET":
            return Scheduled(status=429)  # no Retry-After header
        if method == "PATCH":
            return Scheduled(drop_before=True)
        if method == "PUT":
            return Scheduled(drop_after=True)
        if method == "POST":
            return Scheduled(status=503, retry_after=0.25, delay_ms=60)
        return None

    emu.faults.schedule = schedule
    throttled = graph.get()
    assert throttled.status_code == 429 and "Retry-After" not in throttled.headers
    started = time.monotonic()
    unavailable = graph.post(json=CSV_PROFILE)
    assert time.monotonic() - started >= 0.06  # the spike was waited
    assert unavailable.status_code == 503 and unavailable.headers["Retry-After"] == "0.25"
    with pytest.raises(requests.ConnectionError):  # lost on the way in: nothing done
        graph.patch(f"/{profile_id}", json={"displayName": "Patched"})
    with pytest.raises(requests.ConnectionError):  # carried out, answer lost
        graph.put(f"/{profile_id}", json=body(CSV_PROFILE, displayName="Put"))
    assert graph.delete(f"/{profile_id}").status_code == 202  # None: no fault
    assert emu.tenant.stored(profile_id)["displayName"] == "Put"
    assert len(emu.tenant.ids()) == 1  # the 503 create was not carried out
    assert seen[0] == ("GET", "/beta/education/synchronizationProfiles")
    assert [e.status for e in emu.requests_log] == [429, 503, None, None, 202]
    emu.faults.clear()
    assert emu.faults.schedule is None and graph.get().status_code == 200


def test_a_scheduled_drop_is_for_writes_only(emu: Emulator, graph: Graph) -> None:
    emu.faults.schedule = lambda _m, _p: Scheduled(drop_before=True, drop_after=True)
    assert graph.get().status_code == 200
