"""The real CLI against the emulator over loopback: plan, apply, converge, refuse."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.emulator import Emulator
from reconciler.graph import GraphClient
from reconciler.identity import Identity, Permission, StaticTokenProvider
from tests.e2e.conftest import SECRETS, TOKEN

COLLECTION = "education/synchronizationProfiles"


def client_for(emulator: Emulator) -> GraphClient:
    return GraphClient(
        emulator.base_url, StaticTokenProvider(TOKEN, Identity(Permission.UNKNOWN, "test"))
    )


def profiles(emulator: Emulator) -> list[dict]:
    client = client_for(emulator)
    try:
        return client.list(COLLECTION)
    finally:
        client.close()


CREATION_IDENTITY = (
    '"#Microsoft.Education.DataSync.educationIdentityCreationConfiguration"\n  userDomains:\n'
    "    - appliesTo: student\n      name: testschool.edu\n    - appliesTo: teacher\n      name: testschool.edu"
)
MATCHING_IDENTITY = (
    '"#microsoft.graph.educationIdentityMatchingConfiguration"\n  matchingOptions:\n'
    "    - appliesTo: student\n      sourcePropertyName: Username\n      targetPropertyName: userPrincipalName"
)


def switch_test_profile_to_matching(sample: Path, pin: str | None = None) -> None:
    """Change the Test Profile's identity type: a change that needs a replace."""
    tp = sample / "test-profile.yaml"
    text = tp.read_text()
    assert CREATION_IDENTITY in text
    tp.write_text(
        (f"id: {pin}\n" if pin else "") + text.replace(CREATION_IDENTITY, MATCHING_IDENTITY)
    )


def converge(cli) -> None:
    result = cli("apply", "--auto-approve")
    assert result.code == 0, result.out + result.err


def test_first_apply_creates_everything_then_plan_is_empty(cli, graph_env, sample) -> None:
    first = cli("plan", "--detailed-exitcode")
    assert first.code == 2, first.err
    assert "Plan: 3 to create, 0 to update, 0 to replace, 0 to delete." in first.out
    converge(cli)
    assert sorted(p["displayName"] for p in profiles(graph_env)) == [
        "Contoso PowerSchool 2025-26",
        "Fabrikam OneRoster",
        "Test Profile",
    ]
    again = cli("plan", "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert "No changes. Tenant matches desired state." in again.out


def test_every_yaml_edit_shows_as_exactly_that_field(cli, graph_env, sample: Path) -> None:
    converge(cli)
    ps = sample / "powerschool.yaml"
    ps.write_text(
        ps.read_text().replace('schoolsIds: ["101", "102", "205"]', 'schoolsIds: ["101", "205"]')
    )
    result = cli("plan", "--format", "json")
    doc = json.loads(result.out)
    pending = [c for c in doc["changes"] if c["action"] != "noop"]
    assert [(c["name"], c["action"]) for c in pending] == [
        ("Contoso PowerSchool 2025-26", "update")
    ]
    assert pending[0]["fields"] == [
        {
            "path": "dataProvider.schoolsIds",
            "before": ["101", "102", "205"],
            "after": ["101", "205"],
        }
    ]


def test_tenant_drift_is_corrected_and_undeclared_properties_survive_put(
    cli, graph_env, sample
) -> None:
    converge(cli)
    client = client_for(graph_env)
    target = next(p for p in client.list(COLLECTION) if p["displayName"] == "Test Profile")
    # An admin clicks in the portal: a declared field drifts, an undeclared one is customised.
    changed = {k: v for k, v in target.items() if k not in ("id", "state", "@odata.context")}
    changed["licensesToAssign"] = [
        {"appliesTo": "teacher", "skuIds": ["6fd2c87f-b296-42f0-b197-1e91e994b900"]}
    ]
    changed["dataProvider"]["customizations"]["teacher"]["isSyncDeferred"] = True
    changed["dataProvider"]["@odata.type"] = "#microsoft.graph.educationCsvDataProvider"
    changed["identitySynchronizationConfiguration"]["@odata.type"] = (
        "#microsoft.graph.educationIdentityCreationConfiguration"
    )
    client.write("PUT", f"{COLLECTION}/{target['id']}", changed)
    plan = cli("plan")
    assert "licensesToAssign[student]: (not set) →" in plan.out
    assert "isSyncDeferred" not in plan.out  # not declared in git: not drift
    converge(cli)
    after = client.get(f"{COLLECTION}/{target['id']}")
    client.close()
    assert after["dataProvider"]["customizations"]["teacher"]["isSyncDeferred"] is True
    assert {i["appliesTo"] for i in after["licensesToAssign"]} == {"teacher", "student"}
    assert cli("plan", "--detailed-exitcode").code == 0


def test_dry_run_sends_no_write_and_masks_secrets(cli, graph_env, sample) -> None:
    graph_env.requests_log.clear()
    result = cli("apply", "--dry-run", "--debug")
    assert result.code == 0, result.err
    assert graph_env.requests_log.count_writes() == 0
    assert f"POST {graph_env.base_url}/{COLLECTION}" in result.out
    assert '"clientSecret": "(sensitive)"' in result.out
    for secret in SECRETS.values():
        assert secret not in result.out + result.err


def test_secrets_never_appear_anywhere(cli, graph_env, sample, tmp_path: Path) -> None:
    out_file = tmp_path / "plan.json"
    outputs = [
        cli("plan", "--out", str(out_file), "--debug"),
        cli("apply", "--auto-approve", "--debug"),
        cli("plan", "--format", "markdown", "--debug"),
    ]
    text = "".join(r.out + r.err for r in outputs) + out_file.read_text()
    for secret in SECRETS.values():
        assert secret not in text
    assert TOKEN not in text


def test_apply_refuses_without_approval_when_not_a_terminal(
    cli, graph_env, sample, monkeypatch
) -> None:
    graph_env.requests_log.clear()
    result = cli("apply")
    assert result.code == 1
    assert "apply needs approval" in result.err
    assert graph_env.requests_log.count_writes() == 0


def test_missing_secret_stops_apply_before_the_first_write(
    cli, graph_env, sample, monkeypatch
) -> None:
    monkeypatch.delenv("ONEROSTER_CLIENT_SECRET")
    plan = cli("plan")
    assert (
        plan.code == 0
        and "apply will need environment variable(s) ONEROSTER_CLIENT_SECRET" in plan.err
    )
    graph_env.requests_log.clear()
    result = cli("apply", "--auto-approve")
    assert result.code == 1
    assert "needs environment variable(s) ONEROSTER_CLIENT_SECRET" in result.err
    assert "desired-state/oneroster.yaml:13:19" in result.err
    assert graph_env.requests_log.count_writes() == 0


def test_stale_saved_plan_is_refused(cli, graph_env, sample, tmp_path: Path) -> None:
    converge(cli)
    ps = sample / "powerschool.yaml"
    ps.write_text(ps.read_text().replace("2027-07-31", "2027-08-31"))
    assert cli("plan", "--out", "plan.json").code == 0
    client = client_for(graph_env)
    target = next(p for p in client.list(COLLECTION) if p["displayName"].startswith("Contoso"))
    client.write(
        "PATCH", f"{COLLECTION}/{target['id']}", {"handleSpecialCharacterConstraint": False}
    )
    client.close()
    graph_env.requests_log.clear()
    result = cli("apply", "--plan", "plan.json", "--auto-approve")
    assert result.code == 1
    assert "plan is stale" in result.err and "changed in the tenant" in result.err
    assert graph_env.requests_log.count_writes() == 0


def test_saved_plan_is_carried_out_when_fresh(cli, graph_env, sample) -> None:
    assert cli("plan", "--out", "plan.json").code == 0
    saved = json.loads(Path("plan.json").read_text())
    assert saved["format_version"] == 1 and saved["desired_digest"].startswith("sha256:")
    result = cli("apply", "--plan", "plan.json", "--auto-approve")
    assert result.code == 0, result.err
    assert cli("plan", "--detailed-exitcode").code == 0


def test_edited_desired_state_makes_saved_plan_stale(cli, graph_env, sample) -> None:
    assert cli("plan", "--out", "plan.json").code == 0
    (sample / "test-profile.yaml").write_text(
        (sample / "test-profile.yaml").read_text() + "\n# edited\n"
    )
    result = cli("apply", "--plan", "plan.json", "--auto-approve")
    assert result.code == 1 and "desired-state files changed" in result.err


def test_prune_deletes_only_when_asked(cli, graph_env, sample) -> None:
    converge(cli)
    (sample / "oneroster.yaml").unlink()
    plan = cli("plan")
    assert "Unmanaged" in plan.out and "Fabrikam OneRoster" in plan.out and "No changes" in plan.out
    result = cli("apply", "--auto-approve", "--prune")
    assert result.code == 0, result.err
    assert "Fabrikam OneRoster" not in {p["displayName"] for p in profiles(graph_env)}
    assert cli("plan", "--prune", "--detailed-exitcode").code == 0


def test_prune_refused_for_an_empty_tree(cli, graph_env, sample) -> None:
    converge(cli)
    for f in sample.glob("*.yaml"):
        f.unlink()
    result = cli("apply", "--auto-approve", "--prune")
    assert result.code == 1 and "refusing to prune" in result.err
    assert len(profiles(graph_env)) == 3


def test_replace_needs_allow_replace_and_then_converges(cli, graph_env, sample) -> None:
    converge(cli)
    switch_test_profile_to_matching(sample)
    plan = cli("plan")
    assert "must be REPLACED" in plan.out and "0 to update, 1 to replace" in plan.out
    refused = cli("apply", "--auto-approve")
    assert refused.code == 1 and "--allow-replace" in refused.err
    done = cli("apply", "--auto-approve", "--allow-replace")
    assert done.code == 0, done.out + done.err
    names = [p["displayName"] for p in profiles(graph_env)]
    assert names.count("Test Profile") == 1
    assert cli("plan", "--detailed-exitcode").code == 0


def test_protect_forbids_replace(cli, graph_env, sample) -> None:
    converge(cli)
    ps = sample / "powerschool.yaml"
    ps.write_text(
        ps.read_text()
        .replace("educationIdentityCreationConfiguration", "educationIdentityMatchingConfiguration")
        .replace(
            "userDomains:\n    - appliesTo: student\n      name: students.contoso.edu\n    - appliesTo: teacher\n      name: contoso.edu",
            "matchingOptions:\n    - appliesTo: student\n      sourcePropertyName: Username\n      targetPropertyName: userPrincipalName",
        )
    )
    result = cli("apply", "--auto-approve", "--allow-replace")
    assert result.code == 1 and "lifecycle.protect" in result.err


def test_pause_and_resume_follow_lifecycle(cli, graph_env, sample) -> None:
    converge(cli)
    orr = sample / "oneroster.yaml"
    orr.write_text(orr.read_text().replace("paused: false", "paused: true"))
    plan = cli("plan")
    assert "will be paused" in plan.out and "Run state: 1 to pause, 0 to resume." in plan.out
    converge(cli)
    assert cli("plan", "--detailed-exitcode").code == 0
    orr.write_text(orr.read_text().replace("paused: true", "paused: false"))
    assert "will be resumed" in cli("plan").out
    converge(cli)
    assert cli("plan", "--detailed-exitcode").code == 0


def test_patch_update_method_sends_only_changed_properties(cli, graph_env, sample) -> None:
    converge(cli)
    ps = sample / "powerschool.yaml"
    ps.write_text(ps.read_text().replace("2027-07-31", "2027-08-31"))
    graph_env.requests_log.clear()
    result = cli("apply", "--auto-approve", "--update-method", "patch")
    assert result.code == 0, result.err
    writes = graph_env.requests_log.writes()
    assert [(w.method, w.body) for w in writes] == [("PATCH", {"expirationDate": "2027-08-31"})]
    assert cli("plan", "--detailed-exitcode").code == 0


def test_put_sends_the_complete_object_with_canonical_types(cli, graph_env, sample) -> None:
    converge(cli)
    ps = sample / "powerschool.yaml"
    ps.write_text(ps.read_text().replace("2027-07-31", "2027-08-31"))
    graph_env.requests_log.clear()
    assert cli("apply", "--auto-approve").code == 0
    (put,) = graph_env.requests_log.writes()
    target = next(p for p in profiles(graph_env) if p["displayName"].startswith("Contoso"))
    assert put.method == "PUT" and put.path == f"/beta/{COLLECTION}/{target['id']}"
    assert (
        put.body["dataProvider"]["@odata.type"]
        == "#microsoft.graph.educationPowerSchoolDataProvider"
    )
    assert put.body["dataProvider"]["clientSecret"] == SECRETS["POWERSCHOOL_CLIENT_SECRET"]
    assert put.body["dataProvider"]["customizations"]["teacher"]  # server defaults kept
    assert "id" not in put.body and "state" not in put.body


def test_failed_read_aborts_plan(cli, graph_env, sample) -> None:
    graph_env.faults.fail_next(500, 1, methods=["GET"])
    result = cli("plan")
    assert result.code == 1
    assert "HTTP 500" in result.err and "request-id:" in result.err
    assert "to create" not in result.out


def test_partial_failure_report(cli, graph_env, sample) -> None:
    graph_env.faults.fail_next(400, 1, methods=["POST"])
    result = cli("apply", "--auto-approve", "--parallelism", "1")
    assert result.code == 1
    assert "done: 2" in result.out and "failed: 1" in result.out
    assert "HTTP 400 (badRequest)" in result.out and "request-id:" in result.out
    converge(cli)
    assert cli("plan", "--detailed-exitcode").code == 0


def test_app_only_identity_plans_but_apply_refuses(cli, graph_env, sample, monkeypatch) -> None:
    import base64

    def b64(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    app_token = f"{b64({'alg': 'none'})}.{b64({'roles': ['EduAdministration.ReadWrite.All'], 'appid': 'app-1'})}.sig"
    monkeypatch.setenv("EDUSYNC_ACCESS_TOKEN", app_token)
    with Emulator(page_size=5, provisioning_delay=0.01) as emu:
        monkeypatch.setenv("EDUSYNC_GRAPH_URL", emu.base_url)
        plan = cli("plan", "--detailed-exitcode")
        assert plan.code == 2
        assert "needs delegated sign-in" in plan.out
        result = cli("apply", "--auto-approve")
        assert result.code == 1 and "needs delegated sign-in" in result.err
        assert emu.requests_log.count_writes() == 0


def test_demo_converges(cli) -> None:
    result = cli("demo")
    assert result.code == 0, result.out + result.err
    assert "Plan: 1 to create, 1 to update, 0 to replace, 0 to delete." in result.out
    assert result.out.rstrip().endswith("No changes. Tenant matches desired state.")
    assert "Legacy 2023 CSV import" in result.out
    assert "demo-powerschool-secret" not in result.out + result.err


def test_saved_plan_keeps_its_target_and_prune(cli, graph_env, sample) -> None:
    converge(cli)
    (sample / "oneroster.yaml").unlink()
    ps = sample / "powerschool.yaml"
    ps.write_text(ps.read_text().replace("2027-07-31", "2027-08-31"))
    made = cli("plan", "--prune", "--target", "Fabrikam OneRoster", "--out", "plan.json")
    assert made.code == 0 and "1 to delete" in made.out and "Contoso" not in made.out
    graph_env.requests_log.clear()
    result = cli("apply", "--plan", "plan.json", "--auto-approve")
    assert result.code == 0, result.err
    assert [w.method for w in graph_env.requests_log.writes()] == ["DELETE"]


def _tenant_profile(emulator: Emulator, prefix: str) -> dict:
    return next(p for p in profiles(emulator) if p["displayName"].startswith(prefix))


def test_ignored_paths_are_never_written(cli, graph_env, sample) -> None:
    ps = sample / "powerschool.yaml"
    ps.write_text(
        ps.read_text().replace(
            "lifecycle:\n  protect: true",
            "lifecycle:\n  protect: true\n  ignoreChanges: [expirationDate, 'licensesToAssign[teacher].skuIds']",
        )
    )
    converge(cli)
    target = _tenant_profile(graph_env, "Contoso")
    client = client_for(graph_env)
    # A portal admin changes what git says to leave alone.
    client.write(
        "PATCH",
        f"{COLLECTION}/{target['id']}",
        {
            "expirationDate": "2026-12-31",
            "licensesToAssign": [
                {"appliesTo": "student", "skuIds": ["314c4481-f395-4525-be8b-2ec4bb1e9d91"]},
                {"appliesTo": "teacher", "skuIds": ["33333333-3333-3333-3333-333333333333"]},
            ],
        },
    )
    client.close()
    assert cli("plan", "--detailed-exitcode").code == 0
    for method, edit in (
        ("put", ("students.contoso.edu", "pupils.contoso.edu")),
        ("patch", ("314c4481-f395-4525-be8b-2ec4bb1e9d91", "44444444-4444-4444-4444-444444444444")),
    ):
        ps.write_text(ps.read_text().replace(*edit))
        assert cli("apply", "--auto-approve", "--update-method", method).code == 0
        after = _tenant_profile(graph_env, "Contoso")
        assert after["expirationDate"] == "2026-12-31", method
        teacher = next(i for i in after["licensesToAssign"] if i["appliesTo"] == "teacher")
        assert teacher["skuIds"] == ["33333333-3333-3333-3333-333333333333"], method
    assert cli("plan", "--detailed-exitcode").code == 0


def test_patch_needs_only_the_variables_it_sends(cli, graph_env, sample, monkeypatch) -> None:
    converge(cli)
    ps = sample / "powerschool.yaml"
    ps.write_text(
        ps.read_text().replace(
            "94763226-9b3c-4e75-a931-5c89701abe66", "55555555-5555-5555-5555-555555555555"
        )
    )
    monkeypatch.delenv("POWERSCHOOL_CLIENT_SECRET")
    assert cli("apply", "--auto-approve").code == 1  # a PUT must resend the secret
    result = cli("apply", "--auto-approve", "--update-method", "patch")
    assert result.code == 0, result.err
    assert cli("plan", "--detailed-exitcode").code == 0


def test_replacing_a_pinned_profile_is_refused(cli, graph_env, sample) -> None:
    converge(cli)
    target = _tenant_profile(graph_env, "Test Profile")
    switch_test_profile_to_matching(sample, pin=target["id"])
    plan = cli("plan")
    assert "must be REPLACED" in plan.out and "remove `id:`" in plan.out
    graph_env.requests_log.clear()
    result = cli("apply", "--auto-approve", "--allow-replace")
    assert result.code == 1 and "pinned by `id:`" in result.err
    assert graph_env.requests_log.count_writes() == 0


def test_debug_plan_log_hides_tenant_values_that_come_from_variables(
    cli, graph_env, sample, monkeypatch
) -> None:
    orr = sample / "oneroster.yaml"
    orr.write_text(
        orr.read_text().replace(
            "schoolsIds: [org-1001, org-1002]", "schoolsIds: ['${SCHOOL_A}', org-1002]"
        )
    )
    monkeypatch.setenv("SCHOOL_A", "org-hidden-4242")
    converge(cli)
    result = cli("plan", "--debug", "--format", "json", "--detailed-exitcode")
    assert result.code == 0, result.out
    assert "org-hidden-4242" not in result.out + result.err
    assert " response: " in result.err  # the responses are logged; only the secret is redacted


def test_damaged_plan_file_is_a_clear_error(cli, graph_env, sample) -> None:
    Path("plan.json").write_text(json.dumps({"format_version": 1, "changes": "x"}))
    result = cli("apply", "--plan", "plan.json", "--auto-approve")
    assert result.code == 1 and "is damaged" in result.err and "internal error" not in result.err
