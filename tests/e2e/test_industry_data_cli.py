"""The product's CLI (its registry holds the Industry Data kinds) against the
emulator: `validate` of the sample district and `status` with the tenant's sync runs."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.emulator import Emulator
from tests.conftest import CliResult
from tests.e2e.conftest import TOKEN
from tests.kinds.idkinds import ENV, SAMPLES, Writer, converge

Cli = Callable[..., CliResult]


@pytest.fixture
def district(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "desired-state"
    shutil.copytree(SAMPLES, target)
    monkeypatch.chdir(tmp_path)
    return target


def test_validate_accepts_the_sample_district(cli: Cli, district: Path) -> None:
    product = cli("validate", str(district))  # the product's validate knows these kinds
    assert product.code == 0, product.out + product.err
    assert "10 profile(s)" in product.out or "10 " in product.out


def test_validate_names_an_unresolvable_reference_shape_with_its_position(
    cli: Cli, district: Path
) -> None:
    flow = district / "inbound-flow-2027.yaml"
    flow.write_text(flow.read_text().replace("{ref: Contoso OneRoster}", "Contoso OneRoster"))
    result = cli("validate", str(district))
    assert result.code == 1
    assert "inbound-flow-2027.yaml:9:" in result.out + result.err
    assert "{ref: Contoso OneRoster}" in result.out + result.err


def test_status_shows_the_objects_and_the_latest_runs(
    cli: Cli, district: Path, graph_env: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    converge(Writer(graph_env, TOKEN))
    now = graph_env.industry_data.now()
    earlier = now - dt.timedelta(hours=1)
    graph_env.industry_data.seed_run(started=earlier, display_name="Scheduled run", warnings=4)
    result = cli("status", str(district))
    assert result.code == 0, result.out + result.err
    assert "year 2027" in result.out and "sourceSystem Contoso SIS" in result.out
    assert "1 started in the last 12 hours; 4 of 5 on-demand starts left" in result.out
    assert "0 errors, 4 warnings  Scheduled run" in result.out

    graph_env.industry_data.seed_run(
        status="completedWithErrors", started=now, display_name="Later run", errors=7
    )
    failing = cli("status", str(district), "--format", "json")
    assert failing.code == 1
    runs = json.loads(failing.out)["runs"][0]
    assert runs["problem"] == "the last run (Later run) completed with 7 errors"
    assert runs["starts_left"] == 3


def test_status_of_profiles_shows_no_runs(cli: Cli, graph_env: Emulator, tmp_path: Path) -> None:
    result = cli("status", str(Path(__file__).resolve().parents[2] / "desired-state"))
    assert "Sync runs" not in result.out
    assert "runs" not in json.loads(cli("status", str(tmp_path), "--format", "json").out or "{}")


def test_doctor_reports_the_runs_and_the_starts_left(
    cli: Cli, district: Path, graph_env: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    now = graph_env.industry_data.now()
    for hours in (10, 8, 6, 4, 2):
        graph_env.industry_data.seed_run(started=now - dt.timedelta(hours=hours), on_demand=True)
    result = cli("doctor", str(district), "--format", "json")
    checks = {c["id"]: c for c in json.loads(result.out)["checks"]}
    runs = checks["runs"]
    assert runs["outcome"] == "warn", runs
    assert (
        "last run completed (0 errors, 0 warnings); 0 of 5 on-demand starts left"
        in (runs["summary"])
    )
    assert "apply --start-run would not start one" in runs["summary"]
    assert len(runs["details"]) == 5


@pytest.fixture
def years(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Years only: kinds without references, which the engine plans and applies today."""
    target = tmp_path / "years"
    target.mkdir()
    for name in ("year-2027.yaml", "year-2028.yaml"):
        shutil.copy(SAMPLES / name, target / name)
    monkeypatch.chdir(tmp_path)
    return target


def _runs(emu: Emulator) -> list[dict]:
    return list(emu.industry_data.list_page("runs", limit=50).items)


def test_apply_start_run_starts_one_run_after_converging(
    cli: Cli, years: Path, graph_env: Emulator
) -> None:
    result = cli("apply", str(years), "--auto-approve", "--start-run")
    assert result.code == 0, result.out + result.err
    assert "Started a sync run (POST /external/industryData/runs/start)" in result.err
    assert "4 of 5 on-demand starts left in 12 hours" in result.err
    assert len(_runs(graph_env)) == 1


def test_apply_start_run_never_starts_a_second_run(
    cli: Cli, years: Path, graph_env: Emulator
) -> None:
    assert cli("apply", str(years), "--auto-approve").code == 0
    now = graph_env.industry_data.now()
    graph_env.industry_data.seed_run(status="running", started=now)
    running = cli("apply", str(years), "--auto-approve", "--start-run")
    assert running.code == 0
    assert "Not starting a sync run: a run is already running" in running.err
    assert len(_runs(graph_env)) == 1


def test_apply_start_run_never_starts_a_sixth_run_in_twelve_hours(
    cli: Cli, years: Path, graph_env: Emulator
) -> None:
    assert cli("apply", str(years), "--auto-approve").code == 0
    now = graph_env.industry_data.now()
    graph_env.industry_data.seed_run(started=now)
    for hours in (11, 9, 7, 5):
        graph_env.industry_data.seed_run(started=now - dt.timedelta(hours=hours), on_demand=True)
    graph_env.industry_data.seed_run(status="completed", started=now + dt.timedelta(seconds=1))
    full = cli("apply", str(years), "--auto-approve", "--start-run")
    assert full.code == 0
    assert "6 runs started in the last 12 hours, the most the service allows" in full.err
    assert len(_runs(graph_env)) == 6  # nothing started


def test_apply_start_run_dry_run_and_failed_applies_start_nothing(
    cli: Cli, years: Path, graph_env: Emulator
) -> None:
    dry = cli("apply", str(years), "--auto-approve", "--start-run", "--dry-run")
    assert dry.code == 0 and "Would start a sync run" in dry.err
    bad = years / "year-2028.yaml"
    bad.write_text(bad.read_text().replace('"2028"', '"next"'))
    failed = cli("apply", str(years), "--auto-approve", "--start-run")
    assert failed.code == 1
    assert "sync run" not in failed.err
    assert _runs(graph_env) == []


def test_apply_start_run_on_profiles_says_there_is_nothing_to_start(
    cli: Cli, graph_env: Emulator, sample
) -> None:
    result = cli("apply", "--auto-approve", "--start-run", "--no-wait")
    assert result.code == 0, result.err
    assert "no object of a kind with sync runs" in result.err


def test_a_run_started_counts_as_written_when_an_interrupt_follows(
    graph_env: Emulator, years: Path, cli: Cli
) -> None:
    """An interrupt after `--start-run` has started a run must not be reported as "nothing was
    written": the start is a write. (The wrapper `apply` uses, around the start it makes.)"""
    from reconciler.commands.interrupts import nothing_written_on_interrupt
    from reconciler.commands.run_start import start_after_apply
    from reconciler.desired import load_desired
    from tests.e2e.test_plan_apply import client_for

    assert cli("apply", str(years), "--auto-approve").code == 0
    objects = load_desired(str(years)).objects
    client = client_for(graph_env)

    @nothing_written_on_interrupt("interrupted before any write; nothing was written")
    def start_then_ctrl_c(dry_run: bool) -> None:
        start_after_apply(client, objects, dry_run=dry_run)
        raise KeyboardInterrupt

    try:
        with pytest.raises(KeyboardInterrupt):  # as it is: something was written
            start_then_ctrl_c(dry_run=False)
        assert len(_runs(graph_env)) == 1
        with pytest.raises(Exception, match="nothing was written"):  # a dry run writes nothing
            start_then_ctrl_c(dry_run=True)
    finally:
        client.close()
