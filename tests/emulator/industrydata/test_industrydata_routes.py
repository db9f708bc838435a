"""Addressing: key forms, contained collections, relationships and actions, and the 404 / 405
answers for everything else."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from reconciler.emulator import Emulator
from reconciler.emulator.industrydata import IndustryDataDispatcher
from tests.emulator.industrydata.idhelpers import (
    USER_FLOW,
    District,
    IndustryGraph,
    data_lake_connector,
    error_of,
    source_system,
)


def test_keys_in_parentheses_reach_contained_flows(idg: IndustryGraph) -> None:
    district = District(idg)
    flow = idg.create(district.flows_path, USER_FLOW)["id"]
    for path in (
        f"/outboundProvisioningFlowSets('{district.flow_set}')/provisioningFlows('{flow}')",
        f"/OUTBOUNDPROVISIONINGFLOWSETS/{district.flow_set}/ProvisioningFlows/{flow.upper()}",
    ):
        assert idg.read(path)["id"] == flow, path


@pytest.mark.parametrize(
    "suffix",
    [
        "/provisioningFlows/{flow}/roleGroup",
        "/provisioningFlows/{flow}/reset/again",
        "/provisioningFlows/{flow}/creationOptions",
        "/filter",
    ],
)
def test_unknown_segments_below_an_entity(idg: IndustryGraph, suffix: str) -> None:
    district = District(idg)
    flow = idg.create(district.flows_path, USER_FLOW)["id"]
    path = f"/outboundProvisioningFlowSets/{district.flow_set}{suffix.format(flow=flow)}"
    response = idg.get(path)
    assert response.status_code == 404, path
    assert error_of(response)["code"] == "ResourceNotFound"


@pytest.mark.parametrize(
    "suffix", ["/year/displayName", "/dataConnector/validate/now", "/year/reset"]
)
def test_unknown_segments_below_a_relationship(idg: IndustryGraph, suffix: str) -> None:
    district = District(idg)
    assert idg.post(f"/inboundFlows/{district.flow}{suffix}").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/sourceSystems", "GET, POST"),
        ("DELETE", "/years", "GET, POST"),
        ("PUT", "/years/{year}", "GET, PATCH, DELETE"),
        ("POST", "/years/{year}", "GET, PATCH, DELETE"),
        ("POST", "", "GET"),
        ("PATCH", "/operations", "GET"),
    ],
)
def test_methods_not_allowed(idg: IndustryGraph, method: str, path: str, allowed: str) -> None:
    district = District(idg)
    response = idg.request(method, path.format(year=district.year), json={})
    assert response.status_code == 405
    assert response.headers["Allow"] == allowed
    assert error_of(response)["code"] == "methodNotAllowed"


def test_a_relationship_that_is_not_set_is_not_found(idg: IndustryGraph) -> None:
    source = idg.create("/sourceSystems", source_system())["id"]
    body = data_lake_connector(source)
    del body["sourceSystem@odata.bind"]
    connector = idg.create("/dataConnectors", body)["id"]
    response = idg.get(f"/dataConnectors/{connector}/sourceSystem")
    assert response.status_code == 404
    assert "sourceSystem of dataConnectors" in error_of(response)["message"]
    assert idg.read(f"/dataConnectors/{connector}?$expand=sourceSystem")["sourceSystem"] is None


def test_skip_tokens_are_opaque_and_checked(idg: IndustryGraph) -> None:
    foreign = base64.urlsafe_b64encode(b"after:3").decode()
    response = idg.get(f"/years?$skiptoken={foreign}")
    assert response.status_code == 400


def test_the_page_size_is_at_least_one(emu: Emulator) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        IndustryDataDispatcher(emu.industry_data, page_size=0)


def test_seeded_statistics_and_operations_survive_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "tenant.json"
    with Emulator(state_file=state, provisioning_delay=60) as first:
        run = first.industry_data.seed_run(status="completedWithWarnings", warnings=4)
        idg = IndustryGraph(first.base_url)
        district = District(idg)  # an HTTP write, so the seeded run is saved too
        location = idg.post(f"/dataConnectors/{district.connector}/validate").headers["Location"]
        assert idg.session.get(location, timeout=5).json()["status"] == "running"
        operation_path = location.removeprefix(idg.url())
    with Emulator(state_file=state) as second:
        idg = IndustryGraph(second.base_url)
        assert idg.read(f"/runs/{run}/getStatistics")["inboundTotals"]["warnings"] == 4
        assert (
            idg.read(operation_path)["status"] == "succeeded"
        )  # work in flight is taken as finished
