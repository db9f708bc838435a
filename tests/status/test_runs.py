"""The Industry Data run log read over HTTP from the emulator: the latest runs with their error
and warning counts, what needs attention, and when an on-demand start is (not) allowed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from reconciler.emulator import Emulator
from reconciler.graph import GraphClient
from reconciler.identity import Identity, Permission, StaticTokenProvider
from reconciler.kinds.industry_data import INDUSTRY_DATA_KINDS, SOURCE_SYSTEM
from reconciler.kinds.industry_data.runs import RUNS
from reconciler.kinds.sync_profile import SYNCHRONIZATION_PROFILE
from reconciler.status.runs import read_runs, run_logs, start_run

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def client(emu: Emulator) -> Iterator[GraphClient]:
    identity = Identity(Permission.UNKNOWN, "static token (EDUSYNC_ACCESS_TOKEN)")
    graph = GraphClient(emu.base_url, StaticTokenProvider("t", identity))
    yield graph
    graph.close()


def test_every_industry_data_kind_shares_one_run_log_and_profiles_have_none() -> None:
    assert run_logs([SYNCHRONIZATION_PROFILE]) == []
    assert run_logs([SYNCHRONIZATION_PROFILE, *INDUSTRY_DATA_KINDS]) == [RUNS]
    assert SOURCE_SYSTEM.run_log is RUNS


def test_the_latest_runs_newest_first_with_their_counts(emu: Emulator, client) -> None:
    now = emu.industry_data.now()
    emu.industry_data.seed_run(started=now - 30 * HOUR, display_name="Old run")
    emu.industry_data.seed_run(
        status="completedWithErrors",
        started=now - 2 * HOUR,
        display_name="Scheduled run",
        errors=12,
        warnings=3,
    )
    report = read_runs(client, RUNS, now)
    assert [(r.name, r.status, r.errors, r.warnings) for r in report.runs] == [
        ("Scheduled run", "completedWithErrors", 12, 3),
        ("Old run", "completed", 0, 0),
    ]
    assert report.problem == "the last run (Scheduled run) completed with 12 errors"
    assert report.started_in_window == 1 and report.starts_left == 4
    assert report.start_refusal() is None


def test_a_failed_last_run_needs_attention_and_a_good_one_does_not(emu: Emulator, client) -> None:
    now = emu.industry_data.now()
    emu.industry_data.seed_run(status="failed", started=now - 3 * HOUR, display_name="Bad")
    assert read_runs(client, RUNS, now).problem == "the last run (Bad) failed"
    emu.industry_data.seed_run(status="completedWithWarnings", started=now - HOUR, warnings=2)
    assert read_runs(client, RUNS, now).problem is None


def test_no_start_while_a_run_is_running(emu: Emulator, client) -> None:
    now = emu.industry_data.now()
    emu.industry_data.seed_run(status="running", started=now - HOUR)
    report = read_runs(client, RUNS, now)
    assert report.running is not None and report.runs[0].errors is None
    assert "already running" in (report.start_refusal() or "")


def test_no_sixth_start_within_twelve_hours_and_when_the_next_may_start(
    emu: Emulator, client
) -> None:
    now = emu.industry_data.now()
    for hours in (11, 9, 7, 5, 3):
        emu.industry_data.seed_run(started=now - hours * HOUR, on_demand=True)
    emu.industry_data.seed_run(started=now - 13 * HOUR)  # outside the window: not counted
    report = read_runs(client, RUNS, now)
    assert report.started_in_window == 5 and report.starts_left == 0
    refusal = report.start_refusal() or ""
    assert "5 runs started in the last 12 hours" in refusal
    assert (now - 11 * HOUR + 12 * HOUR).isoformat() in refusal


def test_a_start_is_sent_and_shows_up_as_running(emu: Emulator, client) -> None:
    start_run(client, RUNS)
    report = read_runs(client, RUNS, emu.industry_data.now())
    assert report.running is not None and report.started_in_window == 1
