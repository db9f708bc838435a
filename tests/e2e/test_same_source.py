"""Two desired files that read one source (a copied profile with only its displayName changed)
would make two profiles syncing one SIS: validate warns naming both files, the plan flags it,
apply refuses it unless --allow-duplicate-source."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.e2e.test_plan_apply import converge, profiles


def _copy(sample, file: str, old: str, new: str, to: str) -> None:
    text = (sample / file).read_text()
    assert f"displayName: {old}\n" in text
    (sample / to).write_text(text.replace(f"displayName: {old}\n", f"displayName: {new}\n"))


@pytest.mark.parametrize(
    ("file", "name"),
    [("powerschool.yaml", "Contoso PowerSchool 2025-26"), ("oneroster.yaml", "Fabrikam OneRoster")],
)
def test_a_copied_profile_is_flagged_and_refused(cli, graph_env, sample, file, name) -> None:
    _copy(sample, file, name, "Copy", "copy.yaml")

    checked = cli("validate", "desired-state")
    assert checked.code == 0  # a warning: two profiles on one SIS can be meant
    # Files are read in name order: the warning is at the later one and names the other.
    (warning,) = [line for line in checked.out.splitlines() if "same source" in line]
    assert warning.startswith(f"desired-state/{file}:3:1: warning: '{name}' reads the same")
    assert "as 'Copy' in desired-state/copy.yaml:3:1: applying both makes two profiles" in warning

    plan = cli("plan")
    assert "SAME SOURCE AS ANOTHER FILE" in plan.out and "desired-state/copy.yaml" in plan.out
    document = json.loads(cli("plan", "--format", "json").out)
    flagged = {c["name"]: c["duplicate_of"] for c in document["changes"] if "duplicate_of" in c}
    assert flagged["Copy"][0]["declared_at"] == f"desired-state/{file}:3:1"
    assert flagged["Copy"][0]["id"] is None  # the other one is not in the tenant yet

    refused = cli("apply", "--auto-approve")
    assert refused.code == 1 and "--allow-duplicate-source" in refused.err
    assert "would make a second profile on one source" in refused.err
    assert graph_env.requests_log.count_writes() == 0
    dry = cli("apply", "--dry-run")
    assert dry.code == 1 and graph_env.requests_log.count_writes() == 0

    assert cli("apply", "--auto-approve", "--allow-duplicate-source").code == 0
    names = Counter(p["displayName"] for p in profiles(graph_env))
    assert names[name] == 1 and names["Copy"] == 1


def test_a_copy_of_a_profile_already_in_the_tenant(cli, graph_env, sample) -> None:
    converge(cli)
    _copy(sample, "powerschool.yaml", "Contoso PowerSchool 2025-26", "Copy", "copy.yaml")
    document = json.loads(cli("plan", "--format", "json").out)
    (create,) = [c for c in document["changes"] if c["action"] == "create"]
    existing = next(
        p["id"]
        for p in profiles(graph_env)
        if p["displayName"] != "Copy" and "PowerSchool" in p["displayName"]
    )
    assert create["duplicate_of"][0]["id"] == existing
    assert cli("apply", "--auto-approve").code == 1
    markdown = cli("plan", "--format", "markdown").out
    assert "**Copy** reads the same source as **Contoso PowerSchool 2025-26**" in markdown


def test_another_source_is_not_flagged(cli, graph_env, sample) -> None:
    _copy(sample, "powerschool.yaml", "Contoso PowerSchool 2025-26", "Copy", "copy.yaml")
    copy = sample / "copy.yaml"
    copy.write_text(copy.read_text().replace("contoso.powerschool.com", "east.powerschool.com"))
    assert "same source" not in cli("validate", "desired-state").out
    assert "SAME SOURCE" not in cli("plan").out
