"""Runs (`runs/start`, the 5-per-12-hours limit, settling on the injected clock, statistics) and
long-running operations (`validate` -> 202 + Location -> succeeded) (reference §2.1-§2.2)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reconciler.emulator import Emulator
from tests.emulator.emulator_helpers import ManualClock
from tests.emulator.industrydata.idhelpers import (
    NS,
    USER_FLOW,
    District,
    IndustryGraph,
    data_lake_connector,
    error_of,
    source_system,
)

TWELVE_HOURS = 12 * 3600


def test_a_started_run_completes_after_a_delay(clock: ManualClock, idg: IndustryGraph) -> None:
    response = idg.post("/runs/start")
    assert response.status_code == 202
    assert response.content == b""
    run = idg.list_all("/runs")[0]
    assert run["@odata.type"] == f"{NS}industryDataRun"
    assert run["status"] == "running" and run["endDateTime"] is None
    assert run["startDateTime"].endswith("Z") and run["blockingError"] is None
    clock.advance(1)
    done = idg.read(f"/runs/{run['id']}")
    assert done["status"] == "completed"
    assert done["endDateTime"] > done["startDateTime"]
    assert done["@odata.context"].endswith("#external/industryData/runs/$entity")


@pytest.mark.parametrize(
    "path", ["/runs/start", "/runs/microsoft.graph.industryData.start", "/Runs/Start()"]
)
def test_start_spellings(idg: IndustryGraph, path: str) -> None:
    assert idg.post(path).status_code == 202


def test_at_most_five_on_demand_runs_in_twelve_hours(
    emu: Emulator, clock: ManualClock, idg: IndustryGraph
) -> None:
    for _ in range(5):
        assert idg.post("/runs/start").status_code == 202
        clock.advance(60)
    refused = idg.post("/runs/start")
    assert refused.status_code == 409
    error = error_of(refused)
    assert error["code"] == "Conflict"
    assert "at most 5 on-demand runs can start in 12 hours" in error["message"]
    assert len(idg.list_all("/runs")) == 5  # a refused start leaves no run behind
    clock.advance(TWELVE_HOURS - 5 * 60)  # the first start leaves the window
    assert idg.post("/runs/start").status_code == 202
    assert idg.post("/runs/start").status_code == 409
    assert len(emu.industry_data.ids("runs")) == 6


def test_seeded_runs(emu: Emulator, clock: ManualClock, idg: IndustryGraph) -> None:
    store = emu.industry_data
    earlier = store.now() - timedelta(hours=3)
    failed = store.seed_run(status="failed", started=earlier, errors=3, warnings=7)
    for _ in range(4):
        store.seed_run(on_demand=True)
    store.seed_run(status="running")  # a scheduled run does not count
    runs = {r["id"]: r for r in idg.list_all("/runs")}
    assert runs[failed]["status"] == "failed"
    assert runs[failed]["startDateTime"] == runs[failed]["endDateTime"]
    assert sum(r["status"] == "running" for r in runs.values()) == 1
    assert idg.post("/runs/start").status_code == 202  # the fifth on-demand start
    assert idg.post("/runs/start").status_code == 409
    clock.advance(3600)
    assert runs[failed]["status"] == idg.read(f"/runs/{failed}")["status"]  # it sticks
    with pytest.raises(ValueError, match="unknown run status"):
        store.seed_run(status="done")


@pytest.mark.parametrize(
    "action",
    ["getStatistics", "getStatistics()", "microsoft.graph.industryData.getStatistics()"],
)
def test_run_statistics(emu: Emulator, idg: IndustryGraph, action: str) -> None:
    run = emu.industry_data.seed_run(status="completedWithErrors", errors=2, warnings=5)
    stats = idg.read(f"/runs/{run}/{action}")
    assert stats["runId"] == run and stats["status"] == "completedWithErrors"
    assert (stats["inboundTotals"]["errors"], stats["inboundTotals"]["warnings"]) == (2, 5)
    assert stats["activityStatistics"] == []


def test_runs_are_read_only(emu: Emulator, idg: IndustryGraph) -> None:
    run = emu.industry_data.seed_run()
    assert idg.post("/runs", json={}).status_code == 405
    assert idg.patch(f"/runs/{run}", json={}).status_code == 405
    assert idg.delete(f"/runs/{run}").status_code == 405
    assert idg.get("/runs/start").status_code == 405
    assert idg.get("/runs/missing").status_code == 404


def test_validating_a_connector_is_a_long_running_operation(
    clock: ManualClock, idg: IndustryGraph
) -> None:
    district = District(idg)
    response = idg.post(f"/dataConnectors/{district.connector}/validate")
    assert response.status_code == 202 and response.content == b""
    location = response.headers["Location"]
    assert location.startswith(idg.url("/operations/"))
    running = idg.session.get(location, timeout=5).json()
    assert running["@odata.type"] == f"{NS}validateOperation"
    assert running["status"] == "running"
    assert running["resourceLocation"].endswith(f"/dataConnectors/{district.connector}")
    clock.advance(1)
    done = idg.session.get(location, timeout=5).json()
    assert done["status"] == "succeeded"
    assert done["errors"] == [] and done["warnings"] == []
    credential = idg.read(f"/dataConnectors/{district.connector}")["credential"]
    assert credential["isValid"] is True and credential["lastValidDateTime"] is not None
    assert [o["id"] for o in idg.list_all("/operations")] == [done["id"]]


@pytest.mark.parametrize(
    "action", ["validate", "validate()", "microsoft.graph.industryData.validate"]
)
def test_file_connectors_get_a_file_validate_operation(
    clock: ManualClock, idg: IndustryGraph, action: str
) -> None:
    source = idg.create("/sourceSystems", source_system())["id"]
    connector = idg.create("/dataConnectors", data_lake_connector(source))["id"]
    response = idg.post(f"/dataConnectors/{connector}/{action}")
    assert response.status_code == 202
    clock.advance(1)
    operation = idg.session.get(response.headers["Location"], timeout=5).json()
    assert operation["@odata.type"] == f"{NS}fileValidateOperation"
    assert operation["validatedFiles"] == [] and operation["status"] == "succeeded"


def test_validate_through_the_flows_connector(idg: IndustryGraph) -> None:
    district = District(idg)
    response = idg.post(f"/inboundFlows/{district.flow}/dataConnector/validate")
    assert response.status_code == 202
    operation = idg.session.get(response.headers["Location"], timeout=5).json()
    assert operation["resourceLocation"].endswith(district.connector)
    assert idg.get(f"/dataConnectors/{district.connector}/validate").status_code == 405
    assert idg.post("/dataConnectors/missing/validate").status_code == 404
    assert idg.post(f"/years/{district.year}/validate").status_code == 404


def test_resetting_a_provisioning_flow(idg: IndustryGraph) -> None:
    district = District(idg)
    flow = idg.create(district.flows_path, USER_FLOW)["id"]
    for action in ("reset", "microsoft.graph.industryData.reset"):
        assert idg.post(f"{district.flows_path}/{flow}/{action}").status_code == 202
    assert idg.post(f"{district.flows_path}/missing/reset").status_code == 404
