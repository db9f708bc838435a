"""A missing ${NAME} is reported at the line of the value that needs it (validate and plan)."""

from __future__ import annotations

from reconciler.emulator import Emulator
from tests.desired.test_validation_rules import POWERSCHOOL

# The secret is on line 6; a second reference further down, in another property, on line 10.
PROFILE = POWERSCHOOL.format(secret="${PS_SECRET}") + "handleSpecialCharacterConstraint: true\n"
TWO_REFERENCES = PROFILE.replace("clientId: abc", "clientId: ${PS_CLIENT_ID}")


def test_validate_points_at_each_value(cli, write_tree, monkeypatch) -> None:
    monkeypatch.delenv("PS_SECRET", raising=False)
    monkeypatch.delenv("PS_CLIENT_ID", raising=False)
    root = write_tree({"ps.yaml": TWO_REFERENCES})
    result = cli("validate", str(root))
    assert result.code == 0, result.out
    lines = [line for line in result.out.splitlines() if "warning:" in line]
    assert [line.split(": warning: ")[0].rsplit("/", 1)[-1] for line in lines] == [
        "ps.yaml:5:13",
        "ps.yaml:6:17",
    ]
    assert "PS_CLIENT_ID not set" in lines[0] and "PS_SECRET not set" in lines[1]


def test_validate_says_nothing_when_the_variable_is_set(cli, write_tree, monkeypatch) -> None:
    monkeypatch.setenv("PS_SECRET", "x")
    result = cli("validate", str(write_tree({"ps.yaml": PROFILE})))
    assert result.code == 0 and "warning" not in result.out


def test_plan_points_at_the_value_apply_will_need(cli, write_tree, monkeypatch) -> None:
    monkeypatch.delenv("PS_SECRET", raising=False)
    monkeypatch.setenv("EDUSYNC_ACCESS_TOKEN", "t")
    root = write_tree({"ps.yaml": PROFILE})
    with Emulator() as emu:
        result = cli("plan", str(root), "--graph-url", emu.base_url)
    assert result.code == 0, result.err
    assert (
        "ps.yaml:6:17: warning: apply will need environment variable(s) PS_SECRET for 'PS'"
        in result.err
    )
    assert ":1:1: warning" not in result.err


def test_validate_says_a_set_but_empty_variable_is_empty(cli, write_tree, monkeypatch) -> None:
    monkeypatch.setenv("PS_SECRET", "")
    result = cli("validate", str(write_tree({"ps.yaml": PROFILE})))
    assert "ps.yaml:6:17: warning: environment variable(s) PS_SECRET set but empty" in result.out
    assert "not set" not in result.out


def test_a_value_that_is_an_error_already_gets_no_unset_warning(
    cli, write_tree, monkeypatch
) -> None:
    """`displayName: ${NAME}` is an error (a name plan cannot see never matches); saying that
    apply will need NAME as well would contradict it. Other values still get their warning."""
    monkeypatch.delenv("PROFILE_NAME", raising=False)
    monkeypatch.delenv("PS_SECRET", raising=False)
    text = PROFILE.replace("displayName: ", "displayName: ${PROFILE_NAME}  # was: ", 1)
    result = cli("validate", str(write_tree({"ps.yaml": text})))
    assert result.code == 1
    at_name = [line for line in result.out.splitlines() if "ps.yaml:1:14:" in line]
    assert len(at_name) == 1 and "cannot come from an environment variable" in at_name[0]
    assert "PROFILE_NAME not set" not in result.out
    assert "PS_SECRET not set" in result.out
