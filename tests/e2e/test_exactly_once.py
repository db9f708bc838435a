"""Writes whose answer is lost or late: never a duplicate, never a false "done"."""

from __future__ import annotations

import copy
import json
import threading
from collections import Counter
from pathlib import Path

from reconciler.apply import ApplyOptions, Executor, Status, preflight
from reconciler.desired import load_desired
from reconciler.emulator import Emulator
from reconciler.engine.model import Action, PlanOptions
from reconciler.engine.plan import build_plan
from reconciler.graph import GraphClient, GraphResponse
from reconciler.graph.retry import read_retry
from reconciler.identity import Identity, Permission, StaticTokenProvider
from reconciler.kinds import REGISTRY
from reconciler.operations import BodyBuilder
from reconciler.settings import UpdateMethod
from reconciler.tenant import read_tenant
from tests.e2e.conftest import TOKEN
from tests.e2e.test_plan_apply import (
    COLLECTION,
    converge,
    profiles,
    switch_test_profile_to_matching,
)

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
DELEGATED = StaticTokenProvider(TOKEN, Identity(Permission.DELEGATED, "test"))


def _desired(tmp_path: Path, *bodies: dict):
    folder = tmp_path / "d"
    folder.mkdir(exist_ok=True)
    for i, body in enumerate(bodies):
        (folder / f"p{i}.yaml").write_text(json.dumps(body))
    state = load_desired(str(folder))
    assert state.ok, state.problems
    return state


def _apply(client: GraphClient, state, options: ApplyOptions):
    tenant = read_tenant(client, [state.objects[0].kind])
    plan = build_plan(state.objects, tenant, PlanOptions(), registry=REGISTRY)
    steps = preflight(plan, BodyBuilder({}, UpdateMethod.PUT), DELEGATED.identity, options)
    return plan, Executor(client, options, known_ids=plan.tenant_ids).run(steps)


def test_late_commit_after_a_timeout_is_found_not_repeated(tmp_path: Path) -> None:
    request = json.loads((SEEDS / "001_create_request.json").read_text())
    state = _desired(tmp_path, request)
    with Emulator(token=TOKEN, provisioning_delay=0.01) as emu:
        # The client gives up after 0.3 s; the server answers (and commits) after 0.6 s.
        client = GraphClient(emu.base_url, DELEGATED, timeout=(2.0, 0.3), reads=read_retry(0.01))
        tenant = read_tenant(GraphClient(emu.base_url, DELEGATED), [state.objects[0].kind])
        plan = build_plan(state.objects, tenant, PlanOptions(), registry=REGISTRY)
        steps = preflight(
            plan, BodyBuilder({}, UpdateMethod.PUT), DELEGATED.identity, ApplyOptions()
        )
        options = ApplyOptions(wait=False, recovery_window=3.0)
        emu.faults.latency_ms = 600  # for the POST only: switched off while it is under way
        threading.Timer(0.15, lambda: setattr(emu.faults, "latency_ms", 0)).start()
        outcomes = Executor(client, options, known_ids=plan.tenant_ids).run(steps)
        names = Counter(p["displayName"] for p in profiles(emu))
    assert names == Counter({"Test Profile": 1})
    assert outcomes[0].status is Status.DONE, outcomes[0].detail
    assert "answer lost; found carried out" in outcomes[0].done[0]


def test_write_lost_before_the_server_acted_is_sent_again_once(tmp_path: Path) -> None:
    request = json.loads((SEEDS / "001_create_request.json").read_text())
    state = _desired(tmp_path, request)
    with Emulator(token=TOKEN, provisioning_delay=0.01) as emu:
        client = GraphClient(emu.base_url, DELEGATED)
        emu.faults.drop_before_commit = 1
        _plan, outcomes = _apply(client, state, ApplyOptions(recovery_window=0.6))
        posts = [e for e in emu.requests_log.writes() if e.method == "POST"]
        names = Counter(p["displayName"] for p in profiles(emu))
    assert outcomes[0].status is Status.DONE, outcomes[0].detail
    assert len(posts) == 2 and posts[0].status is None and posts[1].status == 201
    assert names == Counter({"Test Profile": 1})


def test_recovery_never_takes_a_profile_that_existed_before(tmp_path: Path) -> None:
    request = json.loads((SEEDS / "001_create_request.json").read_text())
    with Emulator(token=TOKEN, provisioning_delay=0.01) as emu:
        existing = emu.tenant.seed_profile(copy.deepcopy(request))
        renamed = copy.deepcopy(request) | {"id": existing, "displayName": "Renamed"}
        state = _desired(tmp_path, renamed, request)  # the old name is taken over by a new file
        client = GraphClient(emu.base_url, DELEGATED)
        emu.faults.drop_before_commit = 1  # the create is lost; the rename goes through
        _plan, outcomes = _apply(client, state, ApplyOptions(recovery_window=0.6, parallelism=1))
        final = sorted((p["displayName"], p["id"] == existing) for p in profiles(emu))
    by_name = {o.change.name: o for o in outcomes}
    assert by_name["Test Profile"].object_id != existing
    assert final == [("Renamed", True), ("Test Profile", False)]


def test_a_created_id_is_found_when_the_answer_has_no_body(tmp_path: Path) -> None:
    request = json.loads((SEEDS / "001_create_request.json").read_text())
    state = _desired(tmp_path, request)
    with Emulator(token=TOKEN) as emu:
        client = GraphClient(emu.base_url, DELEGATED)
        tenant = read_tenant(client, [state.objects[0].kind])
        plan = build_plan(state.objects, tenant, PlanOptions(), registry=REGISTRY)
        created = client.write("POST", COLLECTION, request).body["id"]
        executor = Executor(client, ApplyOptions(), known_ids=plan.tenant_ids)
        found = executor._created_id(plan.changes[0], GraphResponse(202, None, "rid"))
        by_location = executor._created_id(
            plan.changes[0],
            GraphResponse(202, None, "rid", f"{emu.base_url}/{COLLECTION}('{created}')"),
        )
    assert found == created and by_location == created


def test_replace_waits_for_the_old_profile_to_be_gone(cli, graph_env, sample) -> None:
    converge(cli)
    switch_test_profile_to_matching(sample)
    old_id = next(p["id"] for p in profiles(graph_env) if p["displayName"] == "Test Profile")
    graph_env.requests_log.clear()
    assert cli("apply", "--auto-approve", "--allow-replace", "--no-wait").code == 0
    log = graph_env.requests_log.entries()
    delete_at = next(i for i, e in enumerate(log) if e.method == "DELETE")
    post_at = next(i for i, e in enumerate(log) if e.method == "POST")
    gone_at = next(
        i
        for i, e in enumerate(log)
        if e.method == "GET" and e.path.endswith(old_id) and e.status == 404
    )
    assert delete_at < gone_at < post_at


def test_replace_whose_create_fails_says_the_profile_is_now_absent(cli, graph_env, sample) -> None:
    converge(cli)
    tp = sample / "test-profile.yaml"
    tp.write_text(
        tp.read_text()
        .replace("educationCsvDataProvider", "educationPowerSchoolDataProvider")
        .replace(
            "  customizations:\n",
            "  connectionUrl: https://ps.example.edu\n  clientId: x\n"
            "  clientSecret: ${POWERSCHOOL_CLIENT_SECRET}\n  customizations:\n",
        )
    )
    graph_env.faults.fail_next(400, 1, methods=["POST"])
    result = cli("apply", "--auto-approve", "--allow-replace")
    assert result.code == 1
    assert "carried out: DELETE" in result.out and "now absent from the tenant" in result.out


def test_saved_plan_is_stale_when_run_state_changed(cli, graph_env, sample) -> None:
    converge(cli)
    ps = sample / "oneroster.yaml"
    ps.write_text(
        ps.read_text().replace("providerName: Fabrikam SIS", "providerName: Fabrikam SIS 2")
    )
    assert cli("plan", "--out", "plan.json").code == 0
    target = next(p for p in profiles(graph_env) if p["displayName"] == "Fabrikam OneRoster")
    client = GraphClient(graph_env.base_url, DELEGATED)
    client.write("POST", f"{COLLECTION}/{target['id']}/pause")
    client.close()
    graph_env.requests_log.clear()
    result = cli("apply", "--plan", "plan.json", "--auto-approve")
    assert result.code == 1 and "plan is stale" in result.err
    assert graph_env.requests_log.count_writes() == 0


def test_unreadable_retry_after_falls_back_to_backoff() -> None:
    retry = read_retry()
    assert retry.parse_retry_after("soon") == 0.0
    assert retry.parse_retry_after("-1") == 0.0


def test_prune_does_not_delete_a_profile_already_deleting(tmp_path: Path) -> None:
    request = json.loads((SEEDS / "001_create_request.json").read_text())
    with Emulator(token=TOKEN) as emu:
        emu.tenant.seed_profile(copy.deepcopy(request) | {"displayName": "Old"}, state="deleting")
        state = _desired(tmp_path, request)
        client = GraphClient(emu.base_url, DELEGATED)
        tenant = read_tenant(client, [state.objects[0].kind])
    plan = build_plan(state.objects, tenant, PlanOptions(prune=True), registry=REGISTRY)
    assert [c.action for c in plan.pending] == [Action.CREATE]
    assert any("being deleted already" in w for w in plan.warnings)


def test_an_ordinary_sync_run_does_not_make_a_saved_plan_stale(cli, graph_env, sample) -> None:
    converge(cli)
    tp = sample / "test-profile.yaml"
    tp.write_text(tp.read_text().replace("testschool.edu", "testschool.org", 1))
    assert cli("plan", "--out", "plan.json").code == 0
    fabrikam = next(
        p["id"] for p in profiles(graph_env) if p["displayName"] == "Fabrikam OneRoster"
    )
    client = GraphClient(graph_env.base_url, DELEGATED)
    client.write("PATCH", f"{COLLECTION}/{fabrikam}/profileStatus", {"status": "success"})
    client.close()
    result = cli("apply", "--plan", "plan.json", "--auto-approve")
    assert result.code == 0, result.out + result.err


def test_a_replace_whose_delete_never_finishes_is_not_called_absent(
    cli, sample, monkeypatch
) -> None:
    from tests.e2e.conftest import SECRETS

    with Emulator(token=TOKEN, provisioning_delay=0.05) as emu:
        monkeypatch.setenv("EDUSYNC_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("EDUSYNC_GRAPH_URL", emu.base_url)
        for name, value in SECRETS.items():
            monkeypatch.setenv(name, value)
        converge(cli)
        switch_test_profile_to_matching(sample)
        emu.tenant.provisioning_delay = 30.0  # the delete stays "deleting"
        result = cli("apply", "--auto-approve", "--allow-replace", "--wait-timeout", "1")
    assert result.code == 1
    assert "still not deleted after 1s" in result.out
    assert "now absent" not in result.out
