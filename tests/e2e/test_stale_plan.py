"""A saved plan that went stale is refused and says what moved: the fields that differ between
what the plan saw and the tenant now, and which changes came or went."""

from __future__ import annotations

from pathlib import Path

from reconciler.graph import GraphClient
from tests.e2e.edits import move_expiration
from tests.e2e.test_plan_apply import COLLECTION, client_for, converge, profiles


def _edit_tenant(emulator, name: str, edit) -> None:
    client: GraphClient = client_for(emulator)
    target = next(p for p in client.list(COLLECTION) if p["displayName"] == name)
    body = {k: v for k, v in target.items() if k not in ("id", "state", "@odata.context")}
    edit(body)
    client.write("PUT", f"{COLLECTION}/{target['id']}", body)
    client.close()


def _pending_edit(sample: Path) -> None:
    ps = sample / "powerschool.yaml"
    move_expiration(ps)


def test_an_undeclared_field_that_moved_is_named(cli, graph_env, sample) -> None:
    converge(cli)
    _pending_edit(sample)
    assert cli("plan", "--out", "plan.json").code == 0

    def defer_teachers(body: dict) -> None:
        body["dataProvider"]["customizations"]["teacher"]["isSyncDeferred"] = True

    _edit_tenant(graph_env, "Test Profile", defer_teachers)
    graph_env.requests_log.clear()
    result = cli("apply", "--plan", "plan.json", "--auto-approve")
    assert result.code == 1
    assert "plan is stale, nothing was written:" in result.err
    assert (
        "'Test Profile' changed in the tenant since the plan was made:\n"
        "      dataProvider.customizations.teacher.isSyncDeferred: false → true"
    ) in result.err
    assert graph_env.requests_log.count_writes() == 0
    again = cli("apply", "--plan", "plan.json", "--auto-approve")  # and keeps refusing
    assert again.code == 1 and "plan is stale" in again.err


def test_a_change_that_came_or_went_is_named(cli, graph_env, sample) -> None:
    converge(cli)
    _pending_edit(sample)
    assert cli("plan", "--out", "plan.json").code == 0

    def drift(body: dict) -> None:
        body["handleSpecialCharacterConstraint"] = False

    _edit_tenant(graph_env, "Contoso PowerSchool 2025-26", drift)
    result = cli("apply", "--plan", "plan.json", "--auto-approve")
    assert result.code == 1
    assert (
        "update 'Contoso PowerSchool 2025-26' now changes other values: "
        "handleSpecialCharacterConstraint" in result.err
    )
    assert "handleSpecialCharacterConstraint: true → false" in result.err


def test_a_pause_since_the_plan_is_named(cli, graph_env, sample) -> None:
    converge(cli)
    _pending_edit(sample)
    assert cli("plan", "--out", "plan.json").code == 0
    fabrikam = next(
        p["id"] for p in profiles(graph_env) if p["displayName"] == "Fabrikam OneRoster"
    )
    client = client_for(graph_env)
    client.write("POST", f"{COLLECTION}/{fabrikam}/pause")
    client.close()
    result = cli("apply", "--plan", "plan.json", "--auto-approve")
    assert result.code == 1
    assert "lifecycle.paused: false → true" in result.err
    assert "resume 'Fabrikam OneRoster' is now needed but was not in the plan" in result.err


def test_values_from_variables_stay_hidden(cli, graph_env, sample, monkeypatch) -> None:
    orr = sample / "oneroster.yaml"
    orr.write_text(
        orr.read_text().replace(
            "schoolsIds: [org-1001, org-1002]", "schoolsIds: ['${SCHOOL_A}', org-1002]"
        )
    )
    monkeypatch.setenv("SCHOOL_A", "org-hidden-4242")
    converge(cli)
    _pending_edit(sample)
    assert cli("plan", "--out", "plan.json").code == 0
    assert "org-hidden-4242" not in Path("plan.json").read_text()

    def other_school(body: dict) -> None:
        body["dataProvider"]["schoolsIds"] = ["org-hidden-5353", "org-1002"]

    _edit_tenant(graph_env, "Fabrikam OneRoster", other_school)
    result = cli("apply", "--plan", "plan.json", "--auto-approve")
    assert result.code == 1 and "'Fabrikam OneRoster' changed in the tenant" in result.err
    assert "org-hidden" not in result.err + result.out
    assert "(only fields whose values are hidden: secrets)" in result.err
