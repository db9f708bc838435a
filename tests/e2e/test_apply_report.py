"""The apply report and exit code tell the truth: under throttling, after a failure, and when
waiting for the server ends before the server does. Bounded: a few dozen loopback requests,
waits of a fraction of a second."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter

import pytest

from reconciler.emulator import Emulator
from tests.e2e.conftest import SECRETS, TOKEN
from tests.e2e.test_plan_apply import profiles

NAMES = ("Test Profile", "Contoso PowerSchool 2025-26", "Fabrikam OneRoster")


def _use(emulator: Emulator, monkeypatch) -> None:
    monkeypatch.setenv("EDUSYNC_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("EDUSYNC_GRAPH_URL", emulator.base_url)
    monkeypatch.delenv("EDUSYNC_FORMAT", raising=False)
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


def _reported(out: str) -> dict[str, str]:
    """{profile name: status} from the report's groups."""
    statuses: dict[str, str] = {}
    status = None
    for line in out.split("Apply report:", 1)[1].splitlines():
        group = re.match(r"^  (\S[^:]*): \d+$", line)
        if group:
            status = group.group(1)
        item = re.match(r"^    - [a-z, ]+ '([^']+)'", line)
        if item and status:
            statuses[item.group(1)] = status
    return statuses


def _throttle_reads_after_the_first_write(emulator: Emulator) -> threading.Thread:
    """Once the create has been carried out, every request is answered 503 (the wait phase)."""

    def watch() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not emulator.requests_log.count_writes():
            time.sleep(0.005)
        emulator.faults.retry_after = 0.01
        emulator.faults.p503 = 1.0

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_a_create_whose_wait_cannot_read_is_done_not_failed(cli, sample, monkeypatch) -> None:
    with Emulator(token=TOKEN, page_size=2, provisioning_delay=5.0) as emu:
        _use(emu, monkeypatch)
        watcher = _throttle_reads_after_the_first_write(emu)
        result = cli("apply", "--auto-approve", "--target", "Test Profile")
        watcher.join()
        emu.faults.clear()
        assert result.code == 0, result.out + result.err  # the tenant did what was asked
        assert _reported(result.out) == {"Test Profile": "done, not settled"}
        assert "created, but could not read its state to see it provisioned" in result.out
        assert "HTTP 503" in result.out
        assert "Next: the profiles marked 'not settled' were written" in result.out
        assert [p["displayName"] for p in profiles(emu)] == ["Test Profile"]


def test_a_create_still_provisioning_at_the_timeout_is_its_own_line(
    cli, sample, monkeypatch
) -> None:
    with Emulator(token=TOKEN, page_size=2, provisioning_delay=30.0) as emu:
        _use(emu, monkeypatch)
        result = cli("apply", "--auto-approve", "--target", "Test Profile", "--wait-timeout", "1")
        assert result.code == 0, result.out + result.err
        assert _reported(result.out) == {"Test Profile": "done, not settled"}
        assert "created, but still not provisioned after 1s of waiting" in result.out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_under_random_throttling_the_report_matches_the_tenant(
    cli, sample, monkeypatch, seed: int
) -> None:
    with Emulator(token=TOKEN, page_size=2, provisioning_delay=0.05, seed=seed) as emu:
        _use(emu, monkeypatch)
        assert cli("plan").code == 0  # the tenant is read before the faults start
        emu.faults.retry_after = 0.01
        emu.faults.p429 = 0.3
        emu.faults.p503 = 0.1
        result = cli("apply", "--auto-approve", "--parallelism", "2")
        emu.faults.clear()
        reported = _reported(result.out)
        in_tenant = Counter(p["displayName"] for p in profiles(emu))
        assert set(in_tenant.values()) <= {1}, in_tenant  # never a duplicate
        assert set(reported) == set(NAMES), result.out + result.err
        for name, status in reported.items():
            if status in {"done", "done, not settled"}:
                assert in_tenant[name] == 1, (name, result.out)
            if status == "failed":  # a create refused after every retry was not made
                assert in_tenant[name] == 0, (name, result.out)
        failed = any(s not in {"done", "done, not settled"} for s in reported.values())
        assert result.code == (1 if failed else 0), result.out
        if failed:
            assert "Next: run `edusync-reconcile plan`" in result.out


def test_a_failure_says_what_to_run_next(cli, graph_env, sample) -> None:
    graph_env.faults.fail_next(400, 1, methods=["POST"])
    result = cli("apply", "--auto-approve", "--parallelism", "1")
    assert result.code == 1
    assert result.out.rstrip().endswith(
        "Next: run `edusync-reconcile plan` to see what is left, then `edusync-reconcile apply` "
        "again (what was done is not done twice)."
    )


def test_follow_up_actions_are_named(cli, graph_env, sample) -> None:
    orr = sample / "oneroster.yaml"
    orr.write_text(orr.read_text().replace("paused: false", "paused: true"))
    result = cli("apply", "--auto-approve")
    assert result.code == 0, result.out + result.err
    assert "- create, then pause 'Fabrikam OneRoster'" in result.out
    # Without a terminal (CI), each change gets a line as it finishes.
    assert "done: create, then pause 'Fabrikam OneRoster' (" in result.err


def _drop_pauses(*drops: str):
    """A fault schedule: the n-th pause request is dropped `before` or `after` commit."""
    from reconciler.emulator import Scheduled

    left = list(drops)

    def schedule(method: str, path: str) -> Scheduled | None:
        if method == "POST" and path.endswith("/pause") and left:
            return Scheduled(**{f"drop_{left.pop(0)}": True})
        return None

    return schedule


def test_a_write_sent_again_without_an_answer_is_reported_unknown(cli, graph_env, sample) -> None:
    # Found by the fault campaign: the pause was lost before the server acted, so apply sent it
    # again; that answer was lost too (after the server paused it). It was reported "failed"
    # though the tenant shows it done.
    converge_result = cli("apply", "--auto-approve")
    assert converge_result.code == 0, converge_result.out + converge_result.err
    orr = sample / "oneroster.yaml"
    orr.write_text(orr.read_text().replace("paused: false", "paused: true"))
    graph_env.faults.schedule = _drop_pauses("before", "after")
    result = cli("apply", "--auto-approve")
    assert result.code == 1
    assert _reported(result.out) == {"Fabrikam OneRoster": "outcome unknown"}
    assert "may or may not have been carried out" in result.out
    paused = [p for p in profiles(graph_env) if p["displayName"] == "Fabrikam OneRoster"]
    assert graph_env.tenant.profile_status(paused[0]["id"])["status"] == "paused"
    assert cli("plan", "--detailed-exitcode").code == 0


def test_a_write_lost_twice_before_the_server_acted_is_unknown_not_failed(
    cli, graph_env, sample
) -> None:
    converge_result = cli("apply", "--auto-approve")
    assert converge_result.code == 0, converge_result.out + converge_result.err
    orr = sample / "oneroster.yaml"
    orr.write_text(orr.read_text().replace("paused: false", "paused: true"))
    graph_env.faults.schedule = _drop_pauses("before", "before")
    result = cli("apply", "--auto-approve")
    # Apply cannot tell the two drops apart: it must not claim either way.
    assert result.code == 1
    assert _reported(result.out) == {"Fabrikam OneRoster": "outcome unknown"}
    assert cli("plan", "--detailed-exitcode").code == 2
    graph_env.faults.clear()
    assert cli("apply", "--auto-approve").code == 0
    assert cli("plan", "--detailed-exitcode").code == 0


def test_a_lost_answer_whose_re_read_fails_too_is_reported_unknown(cli, graph_env, sample) -> None:
    from reconciler.emulator import Scheduled

    converge_result = cli("apply", "--auto-approve")
    assert converge_result.code == 0, converge_result.out + converge_result.err
    ps = sample / "powerschool.yaml"
    ps.write_text(ps.read_text().replace("2027-07-31", "2027-09-30"))
    lost: list[str] = []

    def lose_the_put_then_every_read(method: str, path: str) -> Scheduled | None:
        if method == "PUT" and not lost:
            lost.append(path)
            return Scheduled(drop_after=True)
        if lost and method == "GET":
            return Scheduled(status=503, retry_after=0.01)
        return None

    graph_env.faults.schedule = lose_the_put_then_every_read
    result = cli("apply", "--auto-approve")
    assert result.code == 1
    assert _reported(result.out) == {"Contoso PowerSchool 2025-26": "outcome unknown"}
    assert "outcome unknown" in result.out and "re-reading the tenant failed too" in result.out
    graph_env.faults.clear()
    assert cli("plan", "--detailed-exitcode").code == 0  # it had been carried out
