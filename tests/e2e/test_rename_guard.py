"""A displayName changed without `id:` would create a second profile next to the old one: the
plan says so loudly with the fix, and apply refuses unless told otherwise."""

from __future__ import annotations

import json
from collections import Counter

from tests.e2e.test_plan_apply import converge, profiles


def _rename(sample, file: str, old: str, new: str) -> None:
    path = sample / file
    path.write_text(path.read_text().replace(f"displayName: {old}\n", f"displayName: {new}\n"))


def _id_of(emulator, name: str) -> str:
    return next(p["id"] for p in profiles(emulator) if p["displayName"] == name)


def test_a_rename_without_id_is_flagged_everywhere_and_refused(cli, graph_env, sample) -> None:
    converge(cli)
    old_id = _id_of(graph_env, "Test Profile")
    _rename(sample, "test-profile.yaml", "Test Profile", "Test Profile 2026")

    text = cli("plan")
    assert "LOOKS LIKE A RENAME" in text.out
    assert f"add `id: {old_id}` to desired-state/test-profile.yaml" in text.out
    assert '"Test Profile" (' in text.out and 'looks like "Test Profile 2026"' in text.out

    document = json.loads(cli("plan", "--format", "json").out)
    (create,) = [c for c in document["changes"] if c["action"] == "create"]
    assert create["duplicate_of"][0]["id"] == old_id
    assert any("LOOKS LIKE A RENAME" in w for w in create["warnings"])
    assert document["unmanaged"][0]["resembles"] == ["Test Profile 2026"]

    markdown = cli("plan", "--format", "markdown").out
    head = markdown.split("<details>", 1)[0]
    assert "looks like the unmanaged tenant profile **Test Profile**" in head

    graph_env.requests_log.clear()
    refused = cli("apply", "--auto-approve")
    assert refused.code == 1
    assert "would make a second profile" in refused.err and f"id: {old_id}" in refused.err
    assert "--allow-duplicate-source" in refused.err
    assert graph_env.requests_log.count_writes() == 0


def test_the_pin_renames_in_place(cli, graph_env, sample) -> None:
    converge(cli)
    old_id = _id_of(graph_env, "Test Profile")
    _rename(sample, "test-profile.yaml", "Test Profile", "Test Profile 2026")
    tp = sample / "test-profile.yaml"
    tp.write_text(f"id: {old_id}\n" + tp.read_text())
    plan = cli("plan")
    assert "LOOKS LIKE A RENAME" not in plan.out and "1 to update" in plan.out
    converge(cli)
    names = Counter(p["displayName"] for p in profiles(graph_env))
    assert names["Test Profile 2026"] == 1 and "Test Profile" not in names
    assert _id_of(graph_env, "Test Profile 2026") == old_id


def test_allow_duplicate_source_creates_the_second_profile(cli, graph_env, sample) -> None:
    converge(cli)
    _rename(sample, "powerschool.yaml", "Contoso PowerSchool 2025-26", "Contoso PS 2026-27")
    plan = cli("plan")
    assert "has the same source (educationPowerSchoolDataProvider" in plan.out
    result = cli("apply", "--auto-approve", "--allow-duplicate-source")
    assert result.code == 0, result.out + result.err
    names = {p["displayName"] for p in profiles(graph_env)}
    assert {"Contoso PowerSchool 2025-26", "Contoso PS 2026-27"} <= names


def test_with_prune_the_delete_is_flagged_too(cli, graph_env, sample) -> None:
    converge(cli)
    _rename(sample, "test-profile.yaml", "Test Profile", "Test Profile 2026")
    plan = cli("plan", "--prune")
    assert "--prune deletes 'Test Profile' (its sync history is lost)" in plan.out
    assert "looks like 'Test Profile 2026', which this plan creates" in plan.out
    graph_env.requests_log.clear()
    assert cli("apply", "--auto-approve", "--prune").code == 1
    assert graph_env.requests_log.count_writes() == 0


def test_unrelated_profiles_are_not_flagged(cli, graph_env, sample) -> None:
    first = cli("plan")  # an empty tenant: three creates, nothing to resemble
    assert "LOOKS LIKE A RENAME" not in first.out
    converge(cli)
    assert cli("plan", "--detailed-exitcode").code == 0
