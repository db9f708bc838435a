"""The same server, the same rules: paging, query options, bearer check and app-only permissions,
injected faults, the request log and the state file, on the Industry Data collections."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from reconciler.emulator import Emulator
from reconciler.errors import ConfigError
from tests.emulator.emulator_helpers import CSV_PROFILE, Graph, ManualClock, jwt
from tests.emulator.industrydata.idhelpers import (
    USER_FLOW,
    District,
    IndustryGraph,
    error_of,
    flow_set,
    source_system,
    year,
)

# -- paging and query options ---------------------------------------------------------------------


@pytest.fixture
def small_pages(clock: ManualClock) -> Iterator[Emulator]:
    with Emulator(clock=clock, page_size=2) as emulator:
        yield emulator


def test_lists_are_paged_with_next_links(small_pages: Emulator) -> None:
    idg = IndustryGraph(small_pages.base_url)
    names = [f"Source {i}" for i in range(5)]
    for name in names:
        idg.create("/sourceSystems", source_system(name))
    first = idg.read("/sourceSystems")
    assert len(first["value"]) == 2
    assert "$skiptoken=" in first["@odata.nextLink"]
    assert first["@odata.nextLink"].startswith(small_pages.base_url + "/external/industryData/")
    assert [s["displayName"] for s in idg.list_all("/sourceSystems")] == names
    counted = idg.read("/sourceSystems?$count=true&$top=1")
    assert counted["@odata.count"] == 5 and len(counted["value"]) == 1
    assert (
        "%24count=true" in counted["@odata.nextLink"] or "$count=true" in counted["@odata.nextLink"]
    )
    assert [s["displayName"] for s in idg.read("/sourceSystems?$skip=3")["value"]] == names[3:5]
    assert len(idg.read("/sourceSystems?$top=50")["value"]) == 2  # capped at the page size


def test_contained_and_system_collections_page_too(small_pages: Emulator) -> None:
    idg = IndustryGraph(small_pages.base_url)
    set_id = idg.create("/outboundProvisioningFlowSets", flow_set())["id"]
    flows = f"/outboundProvisioningFlowSets/{set_id}/provisioningFlows"
    idg.create(flows, USER_FLOW)
    for body in (
        {"@odata.type": "#microsoft.graph.industryData.securityGroupProvisioningFlow"},
        {"@odata.type": "#microsoft.graph.industryData.administrativeUnitProvisioningFlow"},
    ):
        idg.create(flows, body)
    page = idg.read(flows)
    assert len(page["value"]) == 2 and "nextLink" in str(page)
    assert len(idg.list_all(flows)) == 3
    rows = idg.list_all("/referenceDefinitions")
    assert len(rows) > 50 and len({r["id"] for r in rows}) == len(rows)


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("$filter=displayName eq 'x'", "not supported by the emulator"),
        ("$orderby=displayName", "not supported"),
        ("$search=x", "not supported"),
        ("$skiptoken=forged", "is not a skip token"),
        ("$top=-1", "non-negative integer"),
        ("$count=maybe", "true or false"),
    ],
)
def test_unsupported_or_bad_query_options(idg: IndustryGraph, query: str, words: str) -> None:
    response = idg.get(f"/sourceSystems?{query}")
    assert response.status_code == 400
    assert words in error_of(response)["message"]


def test_select_and_custom_parameters(idg: IndustryGraph) -> None:
    created = idg.create("/years", year())
    selected = idg.read(f"/years/{created['id']}?$select=displayName&custom=1")
    assert set(selected) == {"@odata.context", "id", "displayName"}
    listed = idg.read("/years?$select=year")["value"][0]
    assert set(listed) == {"id", "year"}
    assert idg.get(f"/years/{created['id']}?$top=1").status_code == 400  # a list option


# -- authentication and permissions --------------------------------------------------------------


def test_a_bearer_token_is_required(emu: Emulator) -> None:
    anonymous = IndustryGraph(emu.base_url, token=None)
    response = anonymous.get("/sourceSystems")
    assert response.status_code == 401
    assert error_of(response)["code"] == "InvalidAuthenticationToken"
    with Emulator(token="expected") as locked:
        assert IndustryGraph(locked.base_url, token="other").get("/years").status_code == 401
        assert IndustryGraph(locked.base_url, token="expected").get("/years").status_code == 200


def app(emu: Emulator, *roles: str) -> IndustryGraph:
    return IndustryGraph(emu.base_url, token=jwt({"roles": list(roles), "appid": "app-1"}))


def test_flow_set_patch_is_delegated_only(emu: Emulator, idg: IndustryGraph) -> None:
    set_id = idg.create("/outboundProvisioningFlowSets", flow_set())["id"]
    writer = app(emu, "IndustryData-OutboundFlow.ReadWrite.All")
    response = writer.patch(f"/outboundProvisioningFlowSets/{set_id}", json={"displayName": "x"})
    assert response.status_code == 403
    error = error_of(response)
    assert error["code"] == "Authorization_RequestDenied"
    assert "delegated permissions only" in error["message"]
    assert idg.read(f"/outboundProvisioningFlowSets/{set_id}")["displayName"] == "Manage Contoso"
    # Every other write of flow sets and flows is allowed to an application with the role.
    assert writer.post("/outboundProvisioningFlowSets", json=flow_set("App set")).status_code == 201
    flows = f"/outboundProvisioningFlowSets/{set_id}/provisioningFlows"
    flow = writer.create(flows, USER_FLOW)["id"]
    patch = {**USER_FLOW, "createUnmatchedUsers": True}
    assert writer.patch(f"{flows}/{flow}", json=patch).status_code == 204
    assert writer.delete(f"{flows}/{flow}").status_code == 204
    delegated = IndustryGraph(
        emu.base_url, token=jwt({"scp": "IndustryData-OutboundFlow.ReadWrite.All"})
    )
    assert (
        delegated.patch(
            f"/outboundProvisioningFlowSets/{set_id}", json={"displayName": "y"}
        ).status_code
        == 204
    )


def test_app_only_writes_need_the_collections_role(emu: Emulator) -> None:
    reader = app(emu, "IndustryData-SourceSystem.Read.All")
    response = reader.post("/sourceSystems", json=source_system())
    assert response.status_code == 403
    assert "IndustryData-SourceSystem.ReadWrite.All" in error_of(response)["message"]
    assert reader.get("/sourceSystems").status_code == 200  # reads are not checked
    assert reader.post("/runs/start").status_code == 403
    assert app(emu, "IndustryData-Run.Start").post("/runs/start").status_code == 202
    writer = app(
        emu, "IndustryData-SourceSystem.ReadWrite.All", "IndustryData-TimePeriod.ReadWrite.All"
    )
    source = writer.create("/sourceSystems", source_system())["id"]
    assert writer.create("/years", year())["id"]
    assert writer.delete(f"/sourceSystems/{source}").status_code == 204
    assert emu.industry_data.ids("sourceSystems") == []


def test_validate_accepts_the_upload_role(emu: Emulator, idg: IndustryGraph) -> None:
    district = District(idg)
    uploader = app(emu, "IndustryData-DataConnector.Upload")
    assert uploader.post(f"/dataConnectors/{district.connector}/validate").status_code == 202
    assert (
        app(emu, "Other").post(f"/dataConnectors/{district.connector}/validate").status_code == 403
    )


# -- faults and the request log -----------------------------------------------------------------


def test_throttling_and_unavailability_apply_to_industry_data(
    emu: Emulator, idg: IndustryGraph
) -> None:
    emu.faults.retry_after = 1.5
    emu.faults.fail_next(429)
    throttled = idg.post("/sourceSystems", json=source_system())
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "1.5"
    assert error_of(throttled)["innerError"]["request-id"] == throttled.headers["request-id"]
    assert emu.industry_data.ids("sourceSystems") == []  # not carried out
    emu.faults.fail_next(503, methods=["GET"])
    assert idg.get("/years").status_code == 503
    assert idg.get("/years").status_code == 200


def test_a_write_whose_answer_is_lost_was_still_made(emu: Emulator, idg: IndustryGraph) -> None:
    emu.faults.drop_after_commit = 1
    with pytest.raises(requests.ConnectionError):
        idg.post("/years", json=year())
    assert len(emu.industry_data.ids("years")) == 1
    assert emu.requests_log.writes()[-1].status is None


def test_a_write_dropped_before_commit_was_not_made(emu: Emulator, idg: IndustryGraph) -> None:
    emu.faults.drop_before_commit = 1
    with pytest.raises(requests.ConnectionError):
        idg.post("/years", json=year())
    assert emu.industry_data.ids("years") == []
    assert idg.post("/years", json=year()).status_code == 201


def test_requests_are_logged_with_the_token_redacted(emu: Emulator, idg: IndustryGraph) -> None:
    emu.requests_log.clear()
    idg.create("/years", year())
    idg.get("/years")
    logged = emu.requests_log.entries()
    assert [(e.method, e.status) for e in logged] == [("POST", 201), ("GET", 200)]
    assert logged[0].path == "/beta/external/industryData/years"
    assert logged[0].headers["Authorization"] == "(redacted)"
    assert emu.requests_log.count_writes() == 1


def test_classic_profiles_are_served_next_to_industry_data(
    emu: Emulator, idg: IndustryGraph
) -> None:
    assert Graph(emu.base_url).post(json=CSV_PROFILE).status_code == 201
    idg.create("/years", year())
    assert len(emu.tenant.ids()) == 1 and len(emu.industry_data.ids("years")) == 1


def test_industry_data_is_beta_only(emu: Emulator) -> None:
    response = Graph(emu.base_url).session.get(
        emu.base_url.replace("/beta", "/v1.0") + "/external/industryData/years", timeout=5
    )
    assert response.status_code == 404  # correction 1


def test_concurrent_writes_all_land(emu: Emulator) -> None:
    idg = IndustryGraph(emu.base_url)

    def create(index: int) -> int:
        return IndustryGraph(emu.base_url).post("/years", json=year(str(2030 + index))).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(create, range(24)))
    assert statuses == [201] * 24
    codes = sorted(y["year"]["code"] for y in idg.list_all("/years"))
    assert codes == [str(2030 + i) for i in range(24)]


# -- the state file -------------------------------------------------------------------------------


def test_the_state_file_keeps_both_apis(tmp_path: Path) -> None:
    state = tmp_path / "tenant.json"
    with Emulator(state_file=state, provisioning_delay=0) as first:
        Graph(first.base_url).post(json=CSV_PROFILE)
        idg = IndustryGraph(first.base_url)
        district = District(idg)
        flow = idg.create(district.flows_path, USER_FLOW)["id"]
        idg.delete("/referenceDefinitions/RefGradeLevel-KG")
        idg.post("/runs/start")
        saved = json.loads(state.read_text(encoding="utf-8"))  # saved after each write
        assert set(saved) == {"profiles", "industryData"}
        assert len(saved["profiles"]) == 1
        assert "one-roster-secret" in state.read_text(encoding="utf-8")
        assert stat.S_IMODE(state.stat().st_mode) == 0o600
    with Emulator(state_file=state) as second:
        idg = IndustryGraph(second.base_url)
        assert idg.read(f"/inboundFlows/{district.flow}/year")["id"] == district.year
        assert (
            idg.read(f"/dataConnectors/{district.connector}/sourceSystem")["id"] == district.source
        )
        assert (
            idg.read(f"{district.flows_path}/{flow}")["creationOptions"]["configurations"][0][
                "roleGroup"
            ]["id"]
            == "students"
        )
        assert idg.read("/referenceDefinitions/RefGradeLevel-KG")["isDisabled"] is True
        assert idg.read("/referenceDefinitions/RefGradeLevel-IT")["isDisabled"] is False
        assert [r["status"] for r in idg.list_all("/runs")] == ["completed"]
        stored = second.industry_data.stored("dataConnectors", district.connector)
        assert stored["credential"]["clientSecret"] == "one-roster-secret"
        assert len(Graph(second.base_url).get().json()["value"]) == 1


def test_the_run_limit_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "tenant.json"
    with Emulator(state_file=state) as first:
        for _ in range(5):
            assert IndustryGraph(first.base_url).post("/runs/start").status_code == 202
    with Emulator(state_file=state) as second:
        assert IndustryGraph(second.base_url).post("/runs/start").status_code == 409


def test_a_profiles_only_state_file_still_loads_and_stays_a_list(tmp_path: Path) -> None:
    state = tmp_path / "tenant.json"
    profile = {"id": "11111111-2222-3333-4444-555555555555", "state": "provisioned", **CSV_PROFILE}
    state.write_text(json.dumps([profile]), encoding="utf-8")
    with Emulator(state_file=state) as emu:
        assert Graph(emu.base_url).get(f"/{profile['id']}").status_code == 200
        assert len(IndustryGraph(emu.base_url).list_all("/roleGroups")) == 2
    assert isinstance(json.loads(state.read_text(encoding="utf-8")), list)


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ({"profiles": [], "industryData": {"objects": "x"}}, "invalid Industry Data object"),
        (
            {
                "profiles": [],
                "industryData": {"objects": [{"collection": "x", "id": "1", "body": {}}]},
            },
            "unknown collection",
        ),
        (
            {
                "profiles": [],
                "industryData": {
                    "objects": [{"collection": "years", "id": "1", "type": "nope", "body": {}}]
                },
            },
            "unknown type",
        ),
        ({"profiles": [], "industryData": {"objects": [7]}}, "not a stored Industry Data object"),
        ({"profiles": [], "industryData": []}, "JSON list of profiles"),
        ({"profiles": {}, "industryData": {}}, "JSON list of profiles"),
        ({"profiles": [], "other": 1}, "JSON list of profiles"),
    ],
)
def test_a_broken_industry_data_part_is_a_config_error(
    tmp_path: Path, document: object, words: str
) -> None:
    state = tmp_path / "tenant.json"
    text = json.dumps(document)
    state.write_text(text, encoding="utf-8")
    emulator = Emulator(state_file=state)
    with pytest.raises(ConfigError, match=words.replace("(", r"\(")):
        emulator.start()
    emulator.stop()
    assert state.read_text(encoding="utf-8") == text  # never overwritten
