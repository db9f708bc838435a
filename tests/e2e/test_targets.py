"""`--target`: a name that matches nothing is a usage error with a did-you-mean; a targeted plan
never claims that the whole tenant matches."""

from __future__ import annotations

import pytest

from reconciler.engine.targets import suggestions, unmatched_targets
from tests.e2e.edits import move_expiration
from tests.e2e.test_plan_apply import converge

NAMES = ["Springfield CSV 2025-26", "Springfield PowerSchool", "Shelbyville OneRoster"]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("Springfield csv 2025-26", ("Springfield CSV 2025-26",)),  # case only
        ("Springfeld CSV 2025-26", ("Springfield CSV 2025-26",)),  # a typo
        ("shelbyville oneroster", ("Shelbyville OneRoster",)),
        ("Ogdenville", ()),
    ],
)
def test_suggestions(target: str, expected: tuple[str, ...]) -> None:
    assert suggestions(target, NAMES)[: len(expected) or None] == expected or (
        not expected and suggestions(target, NAMES) == ()
    )


def test_exact_names_match() -> None:
    assert unmatched_targets(["Springfield PowerSchool"], NAMES) == ()
    (miss,) = unmatched_targets(["springfield powerschool"], NAMES)
    assert miss.suggestions == ("Springfield PowerSchool",)


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_a_target_in_the_wrong_case_is_a_usage_error(cli, graph_env, sample, command) -> None:
    graph_env.requests_log.clear()
    args = [command, "--target", "test profile"] + (
        ["--auto-approve"] if command == "apply" else []
    )
    result = cli(*args)
    assert result.code == 64, result.out + result.err
    assert "--target 'test profile' matches no profile" in result.err
    assert "did you mean 'Test Profile'?" in result.err
    assert "No changes" not in result.out
    assert graph_env.requests_log.count_writes() == 0


def test_a_targeted_plan_without_changes_says_so(cli, graph_env, sample) -> None:
    converge(cli)
    ps = sample / "powerschool.yaml"
    move_expiration(ps)  # pending elsewhere
    result = cli("plan", "--target", "Test Profile", "--detailed-exitcode")
    assert result.code == 0
    assert "No changes for the targeted profiles." in result.out
    assert "Tenant matches desired state" not in result.out
    applied = cli("apply", "--auto-approve", "--target", "Test Profile")
    assert applied.code == 0 and "Tenant matches desired state" not in applied.out


def test_a_saved_plan_whose_target_matches_nothing_is_a_usage_error(cli, graph_env, sample) -> None:
    import json
    from pathlib import Path

    converge(cli)
    ps = sample / "powerschool.yaml"
    move_expiration(ps)
    assert cli("plan", "--target", "Contoso PowerSchool 2025-26", "--out", "plan.json").code == 0
    saved = json.loads(Path("plan.json").read_text())
    saved["options"]["targets"] = ["contoso powerschool 2025-26"]  # an old or hand-made plan
    Path("plan.json").write_text(json.dumps(saved))
    graph_env.requests_log.clear()
    result = cli("apply", "--plan", "plan.json", "--auto-approve")
    assert result.code == 64, result.err
    assert "--target (saved in plan.json) 'contoso powerschool 2025-26'" in result.err
    assert "did you mean 'Contoso PowerSchool 2025-26'?" in result.err
    assert graph_env.requests_log.count_writes() == 0


def test_other_targets_than_the_saved_plans_are_a_usage_error(cli, graph_env, sample) -> None:
    converge(cli)
    move_expiration(sample / "powerschool.yaml")
    assert cli("plan", "--target", "Test Profile", "--out", "plan.json").code == 0
    graph_env.requests_log.clear()
    result = cli(
        "apply", "--plan", "plan.json", "--auto-approve", "--target", "Contoso PowerSchool 2025-26"
    )
    assert result.code == 64, result.err
    assert "differs from the targets of the saved plan plan.json" in result.err
    assert "its targets are 'Test Profile'" in result.err and "stale" not in result.err
    assert len(graph_env.requests_log) == 0  # refused before the tenant was read

    assert cli("plan", "--out", "whole.json").code == 0
    whole = cli("apply", "--plan", "whole.json", "--auto-approve", "--target", "Test Profile")
    assert whole.code == 64 and "made for the whole desired state (no --target)" in whole.err
    same = cli("apply", "--plan", "plan.json", "--auto-approve", "--target", "Test Profile")
    assert same.code == 0, same.err  # the plan's own targets repeated are fine


@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("Test  Profile", "did you mean 'Test Profile'? (the spaces differ"),
        ("Test Profile ", "did you mean 'Test Profile'? (the spaces differ"),
        ("test profile", "did you mean 'Test Profile'? (names are case-sensitive)"),
        ("Tset Profile", "did you mean 'Test Profile'?\n"),
    ],
)
def test_the_did_you_mean_says_what_differs(cli, graph_env, sample, target, why) -> None:
    result = cli("plan", "--target", target)
    assert result.code == 64 and why in result.err, result.err


def test_a_plan_of_an_empty_directory_never_says_the_tenant_matches(
    cli, graph_env, sample, tmp_path
) -> None:
    converge(cli)
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli("plan", str(empty))
    assert result.code == 0
    assert "Tenant matches" not in result.out
    assert "the desired state declares no profile; the tenant's 3 are unmanaged" in result.out
