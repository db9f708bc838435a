"""Profile lifecycle over HTTP: create, provisioning, PUT, PATCH, DELETE, run-state actions,
profileStatus (seeds 000/003) and errors."""

from __future__ import annotations

import time

from reconciler.emulator import Emulator
from tests.emulator.emulator_helpers import (
    CSV_PROFILE,
    POWERSCHOOL_PROFILE,
    Graph,
    ManualClock,
    body,
    load_seed,
)


def test_created_profile_turns_provisioned_after_the_real_default_delay() -> None:
    # No injected clock: the default ~0.2 s delay is measured on the monotonic clock.
    with Emulator() as emu:
        graph = Graph(emu.base_url)
        created = graph.create(CSV_PROFILE)
        assert created["state"] == "provisioning"
        assert graph.get(f"/{created['id']}").json()["state"] == "provisioning"
        deadline = time.monotonic() + 3
        state = "provisioning"
        while state == "provisioning" and time.monotonic() < deadline:
            time.sleep(0.05)
            state = graph.get(f"/{created['id']}").json()["state"]
        assert state == "provisioned"


def test_create_answers_201_with_location(emu: Emulator, graph: Graph) -> None:
    response = graph.post(json=CSV_PROFILE)
    assert response.status_code == 201
    profile_id = response.json()["id"]
    assert (
        response.headers["Location"]
        == f"{emu.base_url}/education/synchronizationProfiles/{profile_id}"
    )


def test_put_replaces_and_answers_202_with_the_profile(graph: Graph, clock: ManualClock) -> None:
    profile_id = graph.create(POWERSCHOOL_PROFILE)["id"]
    clock.advance(1)
    replacement = body(CSV_PROFILE, displayName="Replaced")
    response = graph.put(f"/{profile_id}", json=replacement)
    assert response.status_code == 202
    replaced = response.json()
    assert replaced["state"] == "provisioning"
    assert replaced["displayName"] == "Replaced"
    assert "expirationDate" not in replaced  # not in the PUT body, so gone
    assert "matchingOptions" not in replaced["identitySynchronizationConfiguration"]
    assert len(replaced["dataProvider"]["customizations"]) == 6  # defaults filled again
    clock.advance(1)
    assert graph.get(f"/{profile_id}").json()["state"] == "provisioned"


def test_documented_idless_put(graph: Graph) -> None:
    profile_id = graph.create(CSV_PROFILE)["id"]
    response = graph.put(json=body(CSV_PROFILE, id=profile_id, displayName="Via id-less PUT"))
    assert response.status_code == 202
    assert graph.get(f"/{profile_id}").json()["displayName"] == "Via id-less PUT"
    missing_id = graph.put(json=CSV_PROFILE)
    assert missing_id.status_code == 400
    assert "id: required" in missing_id.json()["error"]["message"]


def test_patch_merges_top_level_properties(graph: Graph) -> None:
    profile_id = graph.create(POWERSCHOOL_PROFILE)["id"]
    licenses = [{"appliesTo": "student", "skuIds": ["B"]}]
    response = graph.patch(f"/{profile_id}", json={"licensesToAssign": licenses})
    assert response.status_code == 202
    patched = graph.get(f"/{profile_id}").json()
    assert patched["displayName"] == POWERSCHOOL_PROFILE["displayName"]
    assert patched["expirationDate"] == "2025-06-30"
    assert patched["dataProvider"]["connectionUrl"] == "https://ps.example.edu"
    assert [(lic["appliesTo"], lic["skuIds"]) for lic in patched["licensesToAssign"]] == [
        ("student", ["B"])
    ]


def test_delete_lifecycle(graph: Graph, clock: ManualClock) -> None:
    profile_id = graph.create(CSV_PROFILE)["id"]
    response = graph.delete(f"/{profile_id}")
    assert response.status_code == 202
    assert response.content == b""
    assert graph.get(f"/{profile_id}").json()["state"] == "deleting"
    assert [p["state"] for p in graph.get().json()["value"]] == ["deleting"]
    clock.advance(1)
    gone = graph.get(f"/{profile_id}")
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "ResourceNotFound"
    assert graph.get().json()["value"] == []
    assert graph.delete(f"/{profile_id}").status_code == 404


def test_secrets_are_never_returned_over_http(emu: Emulator, graph: Graph) -> None:
    created = graph.post(json=POWERSCHOOL_PROFILE)
    profile_id = created.json()["id"]
    responses = [
        created,
        graph.get(f"/{profile_id}"),
        graph.get(),
        graph.put(f"/{profile_id}", json=POWERSCHOOL_PROFILE),
        graph.patch(f"/{profile_id}", json={"dataProvider": POWERSCHOOL_PROFILE["dataProvider"]}),
    ]
    for response in responses:
        assert response.ok
        assert "ps-secret-value" not in response.text
        assert "clientSecret" not in response.text
    assert emu.tenant.stored(profile_id)["dataProvider"]["clientSecret"] == "ps-secret-value"


def test_pause_resume_reset_and_profile_status(
    graph: Graph, emu: Emulator, clock: ManualClock
) -> None:
    profile_id = graph.create(CSV_PROFILE)["id"]
    clock.advance(1)
    status = graph.get(f"/{profile_id}/profileStatus").json()
    assert status["status"] == "inProgress"
    assert status["id"] == profile_id
    assert set(status) == {
        "@odata.context",
        "id",
        "status",
        "lastSynchronizationDateTime",
        "lastActivityDateTime",
        "errorCount",
        "statusMessage",
    }
    for action, expected in (("pause", "paused"), ("resume", "inProgress"), ("pause", "paused")):
        response = graph.post(f"/{profile_id}/{action}")
        assert (response.status_code, response.content) == (200, b"")
        assert graph.get(f"/{profile_id}/profileStatus").json()["status"] == expected
    emu.tenant.add_error(profile_id)
    assert graph.get(f"/{profile_id}/profileStatus").json()["errorCount"] == 1
    assert graph.post(f"/{profile_id}/reset").status_code == 200
    after_reset = graph.get(f"/{profile_id}/profileStatus").json()
    assert (after_reset["status"], after_reset["errorCount"]) == ("inProgress", 0)
    assert graph.get(f"/{profile_id}/errors").json()["value"] == []


def test_profile_status_create_and_update_forms(graph: Graph) -> None:
    profile_id = graph.create(CSV_PROFILE)["id"]
    create_form = load_seed("000_status_create_request.json") | {"status": "quarantined"}
    created = graph.post(f"/{profile_id}/profileStatus", json=create_form)
    assert created.status_code == 201  # seed 000
    assert created.json()["@odata.type"] == "#microsoft.graph.educationSynchronizationProfileStatus"
    assert created.json()["status"] == "quarantined"
    update_form = load_seed("003_status_update_request.json") | {
        "status": "success",
        "lastActivityDateTime": "2024-05-01T10:00:00Z",
        "lastSynchronizationDateTime": "2024-05-01T10:00:00Z",
    }
    updated = graph.patch(f"/{profile_id}/profileStatus", json=update_form)
    assert updated.status_code == 200  # seed 003
    assert updated.json()["lastSynchronizationDateTime"] == "2024-05-01T10:00:00Z"
    assert graph.get(f"/{profile_id}/profileStatus").json()["status"] == "success"
    template = graph.patch(
        f"/{profile_id}/profileStatus", json=load_seed("003_status_update_request.json")
    )
    assert template.status_code == 400
    assert "status: must be one of" in template.json()["error"]["message"]


def test_start_and_upload_url(graph: Graph, clock: ManualClock) -> None:
    profile_id = graph.create(CSV_PROFILE)["id"]
    assert graph.post(f"/{profile_id}/start").status_code == 409  # not provisioned yet
    clock.advance(1)
    started = graph.post(f"/{profile_id}/start")
    assert started.status_code == 200
    assert started.json()["value"] == []
    for path in ("uploadUrl", "uploadUrl()"):
        upload = graph.get(f"/{profile_id}/{path}")
        assert upload.status_code == 200
        assert upload.json()["value"].startswith("https://")


def test_actions_on_a_missing_profile_are_404(graph: Graph) -> None:
    missing = "/00000000-0000-0000-0000-000000000000"
    for method, path in (
        ("GET", ""),
        ("PUT", ""),
        ("PATCH", ""),
        ("DELETE", ""),
        ("POST", "/pause"),
        ("GET", "/profileStatus"),
        ("GET", "/errors"),
    ):
        response = graph.request(
            method, f"{missing}{path}", json=CSV_PROFILE if method in ("PUT", "PATCH") else None
        )
        assert response.status_code == 404, (method, path)
        assert "was not found" in response.json()["error"]["message"]
