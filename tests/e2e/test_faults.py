"""Faults during apply: throttling bursts and writes whose answer is lost. Bounded: a few
dozen requests to 127.0.0.1, sub-second waits."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from tests.e2e.test_plan_apply import converge, profiles


@pytest.mark.parametrize("status", [429, 503])
def test_throttling_bursts_are_retried_with_retry_after(
    cli, graph_env, sample, status: int
) -> None:
    graph_env.faults.fail_next(status, 3, methods=["POST"], retry_after=0.2)
    started = time.monotonic()
    result = cli("apply", "--auto-approve", "--parallelism", "1")
    assert result.code == 0, result.out + result.err
    assert time.monotonic() - started >= 0.6  # three throttled writes, each waited out in turn
    assert len([e for e in graph_env.requests_log.writes() if e.status == status]) == 3
    assert Counter(p["displayName"] for p in profiles(graph_env)) == Counter(
        {"Test Profile": 1, "Contoso PowerSchool 2025-26": 1, "Fabrikam OneRoster": 1}
    )
    assert cli("plan", "--detailed-exitcode").code == 0


def test_random_throttling_converges(cli, graph_env, sample) -> None:
    graph_env.faults.p429 = 0.3
    graph_env.faults.retry_after = 0.01
    converge(cli)
    graph_env.faults.p429 = 0.0
    assert cli("plan", "--detailed-exitcode").code == 0


def test_persistent_throttling_reports_the_graph_error(cli, graph_env, sample) -> None:
    graph_env.faults.fail_next(429, 50, methods=["POST"], retry_after=0.01)
    result = cli("apply", "--auto-approve", "--parallelism", "1", "--target", "Test Profile")
    assert result.code == 1
    assert "HTTP 429 (TooManyRequests)" in result.out and "request-id:" in result.out
    assert "Test Profile" not in {p["displayName"] for p in profiles(graph_env)}


def test_dropped_connection_after_create_never_duplicates(cli, graph_env, sample) -> None:
    graph_env.faults.drop_after_commit = 3
    result = cli("apply", "--auto-approve")
    assert result.code == 0, result.out + result.err
    assert "had been carried out; not repeating it" in result.err
    names = Counter(p["displayName"] for p in profiles(graph_env))
    assert set(names.values()) == {1} and len(names) == 3
    assert cli("plan", "--detailed-exitcode").code == 0


def test_dropped_connection_after_update_converges(cli, graph_env, sample) -> None:
    converge(cli)
    ps = sample / "powerschool.yaml"
    ps.write_text(ps.read_text().replace("2027-07-31", "2027-09-30"))
    graph_env.faults.drop_after_commit = 1
    graph_env.requests_log.clear()
    result = cli("apply", "--auto-approve")
    assert result.code == 0, result.out + result.err
    assert [w.method for w in graph_env.requests_log.writes()] == ["PUT"]  # re-read, not re-sent
    assert cli("plan", "--detailed-exitcode").code == 0


def test_dropped_connection_after_delete_is_not_repeated(cli, graph_env, sample) -> None:
    converge(cli)
    (sample / "oneroster.yaml").unlink()
    graph_env.faults.drop_after_commit = 1
    graph_env.requests_log.clear()
    result = cli("apply", "--auto-approve", "--prune")
    assert result.code == 0, result.out + result.err
    assert [w.method for w in graph_env.requests_log.writes()] == ["DELETE"]
    assert len(profiles(graph_env)) == 2
